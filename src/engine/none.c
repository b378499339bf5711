/* none.c: no consensus check beyond what the follower already does (hash
 * linkage from the checkpoint).  Only for local development chains, where
 * the node itself is trusted to produce blocks. */
#include "config.h"

#include "engine/engine.h"

/* Nothing beyond what engine_verify checks of every engine. */
static int
none_verify(struct engine *e, const struct header *h,
    const struct header *parent, const char **why)
{
	(void)e, (void)h, (void)parent, (void)why;
	return 1;
}

const struct engine_ops engine_none_ops = {
	.name = "none", .finality = ENGINE_FINAL_CONFIRMATIONS,
	.verify = none_verify
};
