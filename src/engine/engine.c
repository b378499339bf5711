/* engine.c: the table of engines this build has, and the wrappers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/clique.h"
#include "engine/engine.h"
#include "engine/qbft.h"
#include "xmalloc.h"

static const struct engine_ops *const engine_table[] = {
	&engine_none_ops,
	&engine_clique_ops,
	&engine_qbft_ops,
	&engine_quorum_ops,
	NULL
};

/* Engines the configuration knows but this build does not implement yet. */
static const char *const engine_planned[] = { NULL };

static struct engine *
engine_new(const struct engine_ops *ops, const struct engine_config *cfg)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	uint8_t (*copy)[20];

	e->ops = ops;
	if (cfg != NULL) {
		e->conf = *cfg;
		if (cfg->nsigners > 0) {
			copy = xreallocarray(NULL, cfg->nsigners, 20);
			memcpy(copy, cfg->signers, 20 * cfg->nsigners);
			e->conf.signers = (const uint8_t (*)[20])copy;
		}
	}
	if (e->conf.nsigners == 0)
		e->conf.signers = NULL;
	return e;
}

int
engine_create(struct engine **out, const char *name,
    const struct engine_config *cfg, const char **why)
{
	size_t i;

	*out = NULL;
	for (i = 0; engine_table[i] != NULL; i++)
		if (strcmp(engine_table[i]->name, name) == 0) {
			*out = engine_new(engine_table[i], cfg);
			if (engine_table[i]->init != NULL &&
			    !engine_table[i]->init(*out, cfg, why)) {
				engine_destroy(*out);
				*out = NULL;
				return 0;
			}
			return 1;
		}
	for (i = 0; engine_planned[i] != NULL; i++)
		if (strcmp(engine_planned[i], name) == 0) {
			*why = "this consensus engine is not implemented in this "
			    "version of licgate";
			return 0;
		}
	*why = "unknown consensus engine (none, clique, qbft, quorum)";
	return 0;
}

/* Every engine's first rule: time does not run backwards. */
int
engine_verify(struct engine *e, const struct header *h,
    const struct header *parent, const char **why)
{
	if (parent != NULL && h->timestamp < parent->timestamp) {
		*why = "block time earlier than its parent's";
		return 0;
	}
	return e->ops->verify(e, h, parent, why);
}

int
engine_hash(struct engine *e, uint8_t out[32], const struct header *h,
    const char **why)
{
	if (e->ops->hash == NULL) {
		header_hash(out, h);
		return 1;
	}
	return e->ops->hash(e, out, h, why);
}

int
engine_has_state(const struct engine *e)
{
	return e->ops->save != NULL;
}

size_t
engine_save(struct engine *e, uint8_t *out, size_t cap)
{
	return e->ops->save != NULL ? e->ops->save(e, out, cap) : 0;
}

int
engine_load(struct engine *e, const uint8_t *in, size_t len, const char **why)
{
	if (e->ops->load == NULL)
		return 1;
	return e->ops->load(e, in, len, why);
}

int
engine_limit_head(struct engine *e, uint64_t *head, const char **why)
{
	return e->ops->limit_head == NULL || e->ops->limit_head(e, head, why);
}

void
engine_destroy(struct engine *e)
{
	if (e == NULL)
		return;
	if (e->ops->destroy != NULL)
		e->ops->destroy(e);
	free((void *)e->conf.signers);
	free(e);
}

static int
looks_qbft(const struct header *h)
{
	static _Thread_local struct qbft_extra x;
	uint8_t hash[32];
	const char *why;

	return qbft_extra_decode(&x, h->extra, h->extra_len, &why) &&
	    qbft_block_hash(hash, h, &why) && (!h->has_claimed_hash ||
	    memcmp(hash, h->claimed_hash, 32) == 0);
}

/* Clique's field rules with the epoch chosen so that a header listing
 * signers is an epoch block and one without is not. */
static int
looks_clique(const struct header *h)
{
	uint64_t epoch = 0;
	uint8_t signer[20];
	const char *why;

	if (h->extra_len > CLIQUE_VANITY + CLIQUE_SEAL)
		epoch = h->number > 0 ? h->number : 1;
	return clique_check_fields(h, epoch, &why) &&
	    (h->number == 0 || clique_signer(signer, h, &why));
}

const char *
engine_recognise(const struct header *h)
{
	if (looks_qbft(h))
		return "qbft";
	if (looks_clique(h))
		return "clique";
	return "none";
}
