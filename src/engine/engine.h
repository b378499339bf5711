/* engine.h: consensus rules behind one small interface.  The follower checks
 * hash linkage itself; an engine adds what its chain's consensus demands of
 * each header, says what a block's hash is, and says when a block counts
 * as final.  An engine's state (a signer set, votes) is plain bytes the
 * follower stores beside each block of the reorg window, so that a restart
 * or a reorg resumes from the database, never from a walk of the chain. */
#ifndef LICGATE_ENGINE_H
#define LICGATE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "chain/header.h"

/* How blocks become final under an engine. */
enum engine_finality {
	ENGINE_FINAL_CONFIRMATIONS,	/* after N confirmations (none, clique) */
	ENGINE_FINAL_INSTANT,		/* once sealed (qbft) */
	ENGINE_FINAL_TAG		/* at the nodes' "finalized" tag (quorum) */
};

/* What the configuration says of the chain's consensus. */
struct engine_config {
	uint64_t epoch;			/* clique, qbft; 0: the engine's default */
	const uint8_t (*signers)[20];	/* chain.signers, or NULL */
	size_t nsigners;
	/* quorum: the witnesses (rpc.url, borrowed while the engine is
	 * made), how many must agree, and the limits of one call. */
	const char *const *urls;
	size_t nurls;
	uint64_t min_agree;
	long timeout_ms, connect_timeout_ms;
};

/* Largest saved state of any engine (a QBFT or Clique snapshot). */
#define ENGINE_STATE_MAX 16384

struct engine;

struct engine_ops {
	const char *name;
	enum engine_finality finality;
	/* Checks h, whose parent (already verified) is parent, and moves the
	 * state past it; with parent NULL h is the trusted checkpoint and
	 * the state starts there.  Returns 1, or 0 with *why and the state
	 * unchanged. */
	int (*verify)(struct engine *e, const struct header *h,
	    const struct header *parent, const char **why);
	/* The block hash as the chain gives it (NULL: keccak256(rlp)). */
	int (*hash)(struct engine *e, uint8_t out[32], const struct header *h,
	    const char **why);
	/* The state after the last verified header, as bytes (NULL: the
	 * engine has none); returns the length written (<= cap). */
	size_t (*save)(struct engine *e, uint8_t *out, size_t cap);
	/* Restores a state save() wrote; 0 with *why for anything else. */
	int (*load)(struct engine *e, const uint8_t *in, size_t len,
	    const char **why);
	/* Lowers *head to the newest block the engine lets the follower take
	 * as final (NULL: the node's head); 0 with *why when it cannot. */
	int (*limit_head)(struct engine *e, uint64_t *head, const char **why);
	/* Sets up what the engine needs of cfg (NULL: nothing). */
	int (*init)(struct engine *e, const struct engine_config *cfg,
	    const char **why);
	void (*destroy)(struct engine *e);
};

struct engine {
	const struct engine_ops *ops;
	void *state;
	struct engine_config conf;
};

/* Creates the engine called name ("none", "clique", "qbft", "quorum") with
 * cfg (NULL: defaults; the signer list is copied).  Returns 1 with *out, or
 * 0 with *why naming the problem (unknown name, or an engine this build
 * does not have yet). */
int engine_create(struct engine **out, const char *name,
    const struct engine_config *cfg, const char **why)
    __attribute__((warn_unused_result));

/* Wrappers over ops; engine_destroy(NULL) is a no-op.  engine_verify
 * refuses a block older than its parent under every engine, then asks the
 * engine. */
int engine_verify(struct engine *e, const struct header *h,
    const struct header *parent, const char **why)
    __attribute__((warn_unused_result));
int engine_hash(struct engine *e, uint8_t out[32], const struct header *h,
    const char **why) __attribute__((warn_unused_result));
/* Whether the engine keeps a state between blocks. */
int engine_has_state(const struct engine *e);
size_t engine_save(struct engine *e, uint8_t *out, size_t cap);
int engine_load(struct engine *e, const uint8_t *in, size_t len,
    const char **why) __attribute__((warn_unused_result));
int engine_limit_head(struct engine *e, uint64_t *head, const char **why)
    __attribute__((warn_unused_result));
void engine_destroy(struct engine *e);

/* The engine a header's own fields suggest: "qbft" when its extraData
 * decodes as BFT extra data and its claimed hash (if any) is the BFT hash;
 * "clique" when it has Clique's fields (vanity and seal, a signer list only
 * on a block that may be an epoch block, difficulty 1 or 2, mixHash zero)
 * and its seal recovers (a genesis block has none); else "none".  A guess
 * for licgatectl init, never a check: a header can be made to look like
 * any of them.  Returns a static string. */
const char *engine_recognise(const struct header *h);

/* The engines' ops. */
extern const struct engine_ops engine_none_ops;
extern const struct engine_ops engine_clique_ops;
extern const struct engine_ops engine_qbft_ops;
extern const struct engine_ops engine_quorum_ops;

#endif
