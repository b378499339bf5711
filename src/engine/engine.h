/* engine.h: consensus rules behind one small interface.  The follower checks
 * hash linkage itself; an engine adds what its chain's consensus demands of
 * each header, and says when a block counts as final. */
#ifndef LICGATE_ENGINE_H
#define LICGATE_ENGINE_H

#include <stdint.h>

#include "chain/header.h"

/* How blocks become final under an engine. */
enum engine_finality {
	ENGINE_FINAL_CONFIRMATIONS,	/* after N confirmations (none, clique) */
	ENGINE_FINAL_INSTANT,		/* once sealed (qbft) */
	ENGINE_FINAL_TAG		/* at the nodes' "finalized" tag (quorum) */
};

struct engine;

struct engine_ops {
	const char *name;
	enum engine_finality finality;
	/* Checks h, whose parent (already verified) is parent, or NULL when
	 * h is the trusted checkpoint.  Returns 1, or 0 with *why. */
	int (*verify)(struct engine *e, const struct header *h,
	    const struct header *parent, const char **why);
	/* Forgets state derived from blocks above number (after a reorg). */
	void (*rewind)(struct engine *e, uint64_t number);
	void (*destroy)(struct engine *e);
};

struct engine {
	const struct engine_ops *ops;
	void *state;
};

/* Creates the engine called name ("none", "clique", "qbft", "quorum").
 * Returns 1 with *out, or 0 with *why naming the problem (unknown name, or
 * an engine this build does not have yet). */
int engine_create(struct engine **out, const char *name, const char **why)
    __attribute__((warn_unused_result));

/* Wrappers over ops; engine_destroy(NULL) is a no-op. */
int engine_verify(struct engine *e, const struct header *h,
    const struct header *parent, const char **why)
    __attribute__((warn_unused_result));
void engine_rewind(struct engine *e, uint64_t number);
void engine_destroy(struct engine *e);

/* The none engine's ops (hash linkage only: for local development chains). */
extern const struct engine_ops engine_none_ops;

#endif
