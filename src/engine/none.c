/* none.c: no consensus check beyond what the follower already does (hash
 * linkage from the checkpoint).  Only for local development chains, where
 * the node itself is trusted to produce blocks. */
#include "config.h"

#include "engine/engine.h"

static int
none_verify(struct engine *e, const struct header *h,
    const struct header *parent, const char **why)
{
	(void)e;
	if (parent != NULL && h->timestamp < parent->timestamp) {
		*why = "block time earlier than its parent's";
		return 0;
	}
	return 1;
}

const struct engine_ops engine_none_ops = {
	.name = "none", .finality = ENGINE_FINAL_CONFIRMATIONS,
	.verify = none_verify
};
