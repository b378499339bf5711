/* quorum.c: for public proof-of-stake chains, where no light client of the
 * beacon chain is at hand: every rpc.url is an independent witness, and a
 * block is taken only when quorum.min_agree of them report the same hash at
 * its number, and only up to the block that many of them call finalized.
 * It trusts that fewer than min_agree endpoints collude or are fooled
 * together; it never picks one answer over another. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/hex.h"
#include "engine/engine.h"
#include "rpc.h"
#include "xmalloc.h"

#define QUORUM_MAX 16

struct quorum {
	struct rpc_client *rpc[QUORUM_MAX];
	char shown[QUORUM_MAX][128];	/* redacted, for messages */
	size_t n;
	size_t min_agree;
	char why[1536];			/* the last refusal, every answer */
};

static int
quorum_init(struct engine *e, const struct engine_config *cfg,
    const char **why)
{
	struct rpc_options o = { 5000, 10000, 1 << 20, 1, 200, 2000, NULL };
	struct quorum *q = xcalloc(1, sizeof(*q));
	size_t i;

	e->state = q;
	if (cfg == NULL || cfg->nurls < 1 || cfg->nurls > QUORUM_MAX) {
		*why = "quorum needs between 1 and 16 rpc.url endpoints";
		return 0;
	}
	if (cfg->min_agree < 1 || cfg->min_agree > cfg->nurls) {
		*why = "quorum.min_agree is more than the rpc.url endpoints given";
		return 0;
	}
	if (cfg->timeout_ms > 0)
		o.timeout_ms = cfg->timeout_ms;
	if (cfg->connect_timeout_ms > 0)
		o.connect_timeout_ms = cfg->connect_timeout_ms;
	q->min_agree = (size_t)cfg->min_agree;
	for (i = 0; i < cfg->nurls; i++) {
		if (!rpc_client_new(&q->rpc[i], &cfg->urls[i], 1, &o, why))
			return 0;
		rpc_redact(q->shown[i], sizeof(q->shown[i]), cfg->urls[i]);
		q->n++;
	}
	return 1;
}

/* Endpoint i's block at tag (a number as 0x hex, or "finalized"): its hash
 * and number.  0 with err when it has none or answers nonsense. */
static int
witness(struct quorum *q, size_t i, const char *tag, uint8_t hash[32],
    uint64_t *number, char *err, size_t errsz)
{
	struct rpc_error e;
	const char *why;
	json_t *r;
	int ok;

	if (!rpc_call(q->rpc[i], &r, "eth_getBlockByNumber",
	    json_pack("[sb]", tag, 0), &e)) {
		snprintf(err, errsz, "%.200s", e.msg);
		return 0;
	}
	ok = json_is_object(r) &&
	    hex_decode_fixed(hash, 32, json_string_value(json_object_get(r,
	    "hash")) ? json_string_value(json_object_get(r, "hash")) : "",
	    &why) &&
	    hex_quantity_u64(number, json_string_value(json_object_get(r,
	    "number")) ? json_string_value(json_object_get(r, "number")) : "",
	    &why);
	if (!ok)
		snprintf(err, errsz, "no block %s", tag);
	json_decref(r);
	return ok;
}

/* Appends "URL answer" to the list of answers in buf. */
static void
note(const struct quorum *q, char *buf, size_t bufsz, size_t i,
    const char *answer)
{
	size_t len = strlen(buf);

	snprintf(buf + len, bufsz - len, "%s%s %s", len > 0 ? "; " : "",
	    q->shown[i], answer);
}

static int
quorum_verify(struct engine *e, const struct header *h,
    const struct header *parent, const char **why)
{
	struct quorum *q = e->state;
	uint8_t mine[32], theirs[32];
	char tag[19], hex[67], err[256], answers[1024] = "";
	uint64_t number;
	size_t i, agree = 0;

	(void)parent;
	header_hash(mine, h);
	hex_format_u64(tag, h->number);
	for (i = 0; i < q->n; i++) {
		if (!witness(q, i, tag, theirs, &number, err, sizeof(err)))
			note(q, answers, sizeof(answers), i, err);
		else if (memcmp(theirs, mine, 32) == 0 && ++agree)
			note(q, answers, sizeof(answers), i, "agrees");
		else
			note(q, answers, sizeof(answers), i,
			    hex_encode(hex, theirs, 32));
	}
	if (agree >= q->min_agree)
		return 1;
	snprintf(q->why, sizeof(q->why), "quorum: %zu of %zu endpoints agree "
	    "on block %" PRIu64 " %s (quorum.min_agree %zu): %s", agree, q->n,
	    h->number, hex_encode(hex, mine, 32), q->min_agree, answers);
	*why = q->why;
	return 0;
}

static int
cmp_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y) - (x > y);
}

/* The newest block at least min_agree endpoints call finalized. */
static int
quorum_limit_head(struct engine *e, uint64_t *head, const char **why)
{
	struct quorum *q = e->state;
	uint64_t fin[QUORUM_MAX];
	uint8_t hash[32];
	char err[256];
	size_t i, k = 0;

	char answers[1024] = "";

	for (i = 0; i < q->n; i++) {
		if (witness(q, i, "finalized", hash, &fin[k], err, sizeof(err)))
			k++;
		else
			note(q, answers, sizeof(answers), i, err);
	}
	if (k < q->min_agree) {
		snprintf(q->why, sizeof(q->why), "quorum: only %zu of %zu "
		    "endpoints name a finalized block (quorum.min_agree %zu): "
		    "%s", k, q->n, q->min_agree, answers);
		*why = q->why;
		return 0;
	}
	qsort(fin, k, sizeof(fin[0]), cmp_desc);
	if (fin[q->min_agree - 1] < *head)
		*head = fin[q->min_agree - 1];
	return 1;
}

static void
quorum_destroy(struct engine *e)
{
	struct quorum *q = e->state;
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < q->n; i++)
		rpc_client_free(q->rpc[i]);
	free(q);
	e->state = NULL;
}

const struct engine_ops engine_quorum_ops = {
	.name = "quorum", .finality = ENGINE_FINAL_TAG,
	.verify = quorum_verify, .limit_head = quorum_limit_head,
	.init = quorum_init, .destroy = quorum_destroy
};
