/* qbft.h: QBFT and IBFT 2.0 as Besu (and GoQuorum) seal them: extraData is
 * RLP [vanity, validators, vote, round, commit seals]; a block is final
 * once at least ceil(2N/3) distinct validators of its parent's set signed
 * the commit-seal hash.  The block hash is not keccak(rlp(header)): it
 * leaves the seals out and zeroes the round (qbft_block_hash). */
#ifndef LICGATE_QBFT_H
#define LICGATE_QBFT_H

#include <stddef.h>
#include <stdint.h>

#include "chain/header.h"

#define QBFT_EPOCH_DEFAULT 30000
#define QBFT_MAX_VALIDATORS 64
#define QBFT_MAX_VOTES 256

/* The decoded extraData; the raw items keep their exact encodings, so the
 * hashes re-encode them byte for byte. */
struct qbft_extra {
	uint8_t validators[QBFT_MAX_VALIDATORS][20];
	size_t nvalidators;
	int has_vote;
	uint8_t vote_subject[20];
	int vote_add;			/* 0xff add, 0x00 drop */
	uint32_t round;
	int round_fixed;		/* IBFT 2.0's 4-byte round */
	uint8_t seals[QBFT_MAX_VALIDATORS][65];
	size_t nseals;
	/* The first four items as encoded (pointers into the header). */
	const uint8_t *raw[4];
	size_t raw_len[4];
};

/* Decodes extraData in either encoding (round as a scalar or as 4 bytes;
 * no vote as 0x80 or 0xc0).  Refuses anything else, naming the field. */
int qbft_extra_decode(struct qbft_extra *x, const uint8_t *extra, size_t len,
    const char **why) __attribute__((warn_unused_result));

/* The hash every committer signs: the header with the seals list empty
 * and the round kept. */
int qbft_seal_hash(uint8_t out[32], const struct header *h, const char **why)
    __attribute__((warn_unused_result));

/* The block hash as the chain and its RPC give it: seals empty, round 0. */
int qbft_block_hash(uint8_t out[32], const struct header *h, const char **why)
    __attribute__((warn_unused_result));

/* The addresses that signed h's commit seals, in seal order (*n of them). */
int qbft_committers(uint8_t (*out)[20], size_t *n, const struct header *h,
    const char **why) __attribute__((warn_unused_result));

/* ceil(2n/3): the committers a block of n validators needs. */
size_t qbft_quorum(size_t n);

struct qbft_vote {
	uint8_t proposer[20];
	uint8_t subject[20];
	int add;
};

/* The validator set after block number (hash), and the votes cast since
 * the last epoch. */
struct qbft_snap {
	uint64_t epoch;
	uint64_t number;
	uint8_t hash[32];
	uint8_t validators[QBFT_MAX_VALIDATORS][20];	/* ascending */
	size_t nvalidators;
	struct qbft_vote votes[QBFT_MAX_VOTES];
	size_t nvotes;
};

/* Starts at the trusted checkpoint h with the validators its extraData
 * lists (the set that sealed it); given validators (n > 0) must agree. */
int qbft_snap_init(struct qbft_snap *s, const struct header *h,
    uint64_t epoch, const uint8_t (*validators)[20], size_t n,
    const char **why) __attribute__((warn_unused_result));

/* Checks h, the block after s->number, by the QBFT rules (fields, the
 * validator list, the proposer, the commit seals) and applies its vote.
 * s is unchanged on failure; on success *ncommitters (if not NULL) is set
 * and committers filled (room for QBFT_MAX_VALIDATORS). */
int qbft_snap_apply(struct qbft_snap *s, const struct header *h,
    uint8_t (*committers)[20], size_t *ncommitters, const char **why)
    __attribute__((warn_unused_result));

#define QBFT_SNAP_MAX (8 + 8 + 32 + 2 + QBFT_MAX_VALIDATORS * 20 + 2 + \
	QBFT_MAX_VOTES * 41)
size_t qbft_snap_encode(uint8_t *out, const struct qbft_snap *s);
int qbft_snap_decode(struct qbft_snap *s, const uint8_t *in, size_t len,
    const char **why) __attribute__((warn_unused_result));

#endif
