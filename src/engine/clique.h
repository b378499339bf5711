/* clique.h: Clique proof of authority (EIP-225) as geth and EthereumJS seal
 * it: who may seal which block, and how the signer set changes by vote.
 * The snapshot is plain data, so that it can be copied, compared, stored
 * and restored byte for byte (clique_snap_encode / clique_snap_decode). */
#ifndef LICGATE_CLIQUE_H
#define LICGATE_CLIQUE_H

#include <stddef.h>
#include <stdint.h>

#include "chain/header.h"

#define CLIQUE_VANITY 32
#define CLIQUE_SEAL 65
#define CLIQUE_EPOCH_DEFAULT 30000
/* Caps that keep a snapshot small and bounded: a consortium chain has a
 * handful of signers; a chain past these stops with a clear error. */
#define CLIQUE_MAX_SIGNERS 64
#define CLIQUE_MAX_VOTES 256
/* The recent-signer window is len(signers)/2 + 1 blocks. */
#define CLIQUE_MAX_RECENTS (CLIQUE_MAX_SIGNERS / 2 + 1)

struct clique_vote {
	uint8_t signer[20];		/* who voted */
	uint8_t candidate[20];		/* the block's miner field */
	uint64_t block;
	int authorize;			/* nonce 0xff..ff; 0 for 0x00..00 */
};

struct clique_recent {
	uint64_t block;
	uint8_t signer[20];
};

/* The authorisation state after block number (hash). */
struct clique_snap {
	uint64_t epoch;
	uint64_t number;
	uint8_t hash[32];
	uint8_t signers[CLIQUE_MAX_SIGNERS][20];	/* ascending */
	size_t nsigners;
	struct clique_recent recents[CLIQUE_MAX_RECENTS];
	size_t nrecents;
	struct clique_vote votes[CLIQUE_MAX_VOTES];
	size_t nvotes;
};

/* keccak256 of the header's RLP with the last 65 bytes of extraData (the
 * seal) left out; later forks' fields are kept.  0 when extraData is
 * shorter than vanity and seal. */
int clique_seal_hash(uint8_t out[32], const struct header *h)
    __attribute__((warn_unused_result));

/* The address that sealed h (recovered from the seal in extraData). */
int clique_signer(uint8_t addr[20], const struct header *h, const char **why)
    __attribute__((warn_unused_result));

/* The rules a header must follow whoever sealed it (geth's verifyHeader):
 * vanity and seal, a signer list only on epoch blocks (number % epoch == 0)
 * and no vote there, nonce 0x00..00 or 0xff..ff, mixHash zero, no uncles,
 * difficulty 1 or 2. */
int clique_check_fields(const struct header *h, uint64_t epoch,
    const char **why) __attribute__((warn_unused_result));

/* The signer list an epoch block carries between vanity and seal (sorted
 * as sealed), *n entries written to out (room for CLIQUE_MAX_SIGNERS). */
int clique_extra_signers(uint8_t (*out)[20], size_t *n, const struct header *h,
    const char **why) __attribute__((warn_unused_result));

/* Starts a snapshot at the trusted checkpoint h: the signers are the
 * given ones (n > 0) or, at an epoch block, those h lists; when both are
 * there they must agree.  The checkpoint's own sealer, if it has a seal, is
 * its first recent signer. */
int clique_snap_init(struct clique_snap *s, const struct header *h,
    uint64_t epoch, const uint8_t (*signers)[20], size_t n, const char **why)
    __attribute__((warn_unused_result));

/* Checks h, the block after s->number, by every Clique rule and applies it
 * (recent signers, votes, signer changes).  On failure s is unchanged and
 * *why names the rule; on success *signer (if not NULL) is the sealer. */
int clique_snap_apply(struct clique_snap *s, const struct header *h,
    uint8_t signer[20], const char **why) __attribute__((warn_unused_result));

/* Whether addr is a signer of s; its index in the sorted list via *at. */
int clique_is_signer(const struct clique_snap *s, const uint8_t addr[20],
    size_t *at);

/* A snapshot as bytes (for the database) and back.  encode returns the
 * length written to out (CLIQUE_SNAP_MAX is enough); decode refuses
 * anything encode would not write. */
#define CLIQUE_SNAP_MAX (8 + 8 + 32 + 2 + CLIQUE_MAX_SIGNERS * 20 + 2 + \
	CLIQUE_MAX_RECENTS * 28 + 2 + CLIQUE_MAX_VOTES * 49)
size_t clique_snap_encode(uint8_t *out, const struct clique_snap *s);
int clique_snap_decode(struct clique_snap *s, const uint8_t *in, size_t len,
    const char **why) __attribute__((warn_unused_result));

#endif
