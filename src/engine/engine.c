/* engine.c: the table of engines this build has. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "xmalloc.h"

static const struct engine_ops *const engine_table[] = {
	&engine_none_ops,
	NULL
};

/* Engines the configuration knows but this build does not implement yet. */
static const char *const engine_planned[] = { "clique", "qbft", "quorum", NULL };

int
engine_create(struct engine **out, const char *name, const char **why)
{
	size_t i;

	*out = NULL;
	for (i = 0; engine_table[i] != NULL; i++)
		if (strcmp(engine_table[i]->name, name) == 0) {
			*out = xcalloc(1, sizeof(**out));
			(*out)->ops = engine_table[i];
			return 1;
		}
	for (i = 0; engine_planned[i] != NULL; i++)
		if (strcmp(engine_planned[i], name) == 0) {
			*why = "this consensus engine is not implemented in this "
			    "version of licgate (available: none)";
			return 0;
		}
	*why = "unknown consensus engine (none, clique, qbft, quorum)";
	return 0;
}

int
engine_verify(struct engine *e, const struct header *h,
    const struct header *parent, const char **why)
{
	return e->ops->verify(e, h, parent, why);
}

void
engine_rewind(struct engine *e, uint64_t number)
{
	if (e->ops->rewind != NULL)
		e->ops->rewind(e, number);
}

void
engine_destroy(struct engine *e)
{
	if (e == NULL)
		return;
	if (e->ops->destroy != NULL)
		e->ops->destroy(e);
	free(e);
}
