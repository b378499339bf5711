/* ctl_status.c: `licgatectl status`: the gateway's verified head, lag,
 * counts, engine, anchoring and last error, from its database opened
 * read-only (safe beside a running licgated). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "chain/hex.h"
#include "ctl.h"
#include "ctl_util.h"
#include "engine/clique.h"
#include "engine/engine.h"
#include "engine/qbft.h"
#include "store.h"

/* The signers or validators the engine's state at the head holds, into
 * status's "engine" as "signers" and "signers_block". */
static int
engine_signers(struct store *s, json_t *o, const struct store_cursor *c,
    char *err, size_t errsz)
{
	static uint8_t buf[ENGINE_STATE_MAX];
	static struct clique_snap cs;
	static struct qbft_snap qs;
	json_t *eng = json_object_get(o, "engine"), *list;
	const char *name = json_string_value(json_object_get(eng, "name"));
	const uint8_t (*set)[20] = NULL;
	const char *why;
	char hex[43];
	size_t len, n = 0, i;
	int found;

	if (name == NULL || !c->has_head || strcmp(name, "none") == 0)
		return 1;
	if (!store_engine_get(s, c->head_number, buf, sizeof(buf), &len,
	    &found, err, errsz))
		return 0;
	if (found && strcmp(name, "clique") == 0 &&
	    clique_snap_decode(&cs, buf, len, &why))
		set = (const uint8_t (*)[20])cs.signers, n = cs.nsigners;
	else if (found && strcmp(name, "qbft") == 0 &&
	    qbft_snap_decode(&qs, buf, len, &why))
		set = (const uint8_t (*)[20])qs.validators, n = qs.nvalidators;
	if (set == NULL)
		return 1;
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, json_string(hex_encode(hex, set[i],
		    20)));
	json_object_set_new(eng, "signers", list);
	json_object_set_new(eng, "signers_block",
	    json_integer((json_int_t)c->head_number));
	return 1;
}

static json_t *
status_json(struct store *s, const struct store_identity *id,
    const struct store_cursor *c, char *err, size_t errsz)
{
	json_t *o = store_status_json(s, err, errsz);
	char hex[67];

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "chain_id", json_integer((json_int_t)id->chain_id));
	json_object_set_new(o, "registry",
	    json_string(hex_encode(hex, id->registry, 20)));
	if (c->has_head) {
		json_object_set_new(o, "verified_block",
		    json_integer((json_int_t)c->head_number));
		json_object_set_new(o, "verified_hash",
		    json_string(hex_encode(hex, c->head_hash, 32)));
		json_object_set_new(o, "verified_time",
		    json_integer((json_int_t)c->head_time));
	}
	if (c->has_applied) {
		json_object_set_new(o, "effective_block",
		    json_integer((json_int_t)c->applied_number));
		json_object_set_new(o, "effective_time",
		    json_integer((json_int_t)c->applied_time));
	}
	json_object_set_new(o, "event_digest",
	    json_string(hex_encode(hex, c->event_digest, 32)));
	if (!engine_signers(s, o, c, err, errsz)) {
		json_decref(o);
		return NULL;
	}
	if (c->has_head && json_is_integer(json_object_get(o, "node_head")))
		json_object_set_new(o, "lag", json_integer(json_integer_value(
		    json_object_get(o, "node_head")) -
		    (json_int_t)c->head_number));
	return o;
}

/* The consensus rules and, under clique and qbft, who seals. */
static void
engine_print(const json_t *e)
{
	const char *name = json_string_value(json_object_get(e, "name"));
	const json_t *list = json_object_get(e, "signers");
	size_t i;

	if (name == NULL)
		return;
	if (strcmp(name, "none") == 0) {
		printf("engine      none: no consensus checked, the RPC node is "
		    "trusted%s\n", json_is_true(json_object_get(e,
		    "node_is_trusted")) ? " (chain.node_is_trusted)" :
		    " (a development chain)");
		return;
	}
	printf("engine      %s", name);
	if (json_is_array(list)) {
		printf(", %zu %s at block %" JSON_INTEGER_FORMAT ":",
		    json_array_size(list), strcmp(name, "qbft") == 0 ?
		    "validators" : "signers", json_integer_value(
		    json_object_get(e, "signers_block")));
		for (i = 0; i < json_array_size(list); i++)
			printf("%s%s", i ? ", " : " ", json_string_value(
			    json_array_get(list, i)));
	}
	printf("\n");
}

/* What the registry says of the key licgated signs with. */
static void
gateway_print(const json_t *g)
{
	const char *state = json_string_value(json_object_get(g, "state"));
	const char *addr = json_string_value(json_object_get(g, "address"));
	json_int_t block = json_integer_value(json_object_get(g, "block"));

	if (state == NULL || addr == NULL)
		return;
	if (strcmp(state, "authorised") == 0)
		printf("gateway     %s authorised as \"%s\" (block %"
		    JSON_INTEGER_FORMAT ")\n", addr, json_string_value(
		    json_object_get(g, "label")), block);
	else if (strcmp(state, "withdrawn") == 0)
		printf("gateway     %s WITHDRAWN by the registry at block %"
		    JSON_INTEGER_FORMAT ": licgated signs no attestation\n",
		    addr, block);
	else
		printf("gateway     %s not authorised by the registry\n", addr);
}

/* The digest proof's line: where, and what waits for the next one. */
static void
proved_print(const json_t *o, const struct store_cursor *c)
{
	json_int_t pending = json_integer_value(json_object_get(o,
	    "pending_events"));

	if (!c->has_proved)
		printf("proved      not yet");
	else
		printf("proved      block %" PRIu64, c->proved_number);
	if (pending > 0)
		printf(", %" JSON_INTEGER_FORMAT " events pending (verified "
		    "from receipts, not served until proved)", pending);
	printf("\n");
}

/* Anchoring install reports: what waits, what is in flight, the last
 * anchored block and, on its own line, the anchoring's error. */
static void
anchoring_print(const json_t *a)
{
	const json_t *f = json_object_get(a, "in_flight");
	char t[32];

	if (a == NULL)
		return;
	printf("anchoring   %" JSON_INTEGER_FORMAT " reports not anchored, %"
	    JSON_INTEGER_FORMAT " batches anchored", json_integer_value(
	    json_object_get(a, "unanchored")), json_integer_value(
	    json_object_get(a, "anchored_batches")));
	if (json_integer_value(json_object_get(a, "last_block")) > 0)
		printf(" (last at block %" JSON_INTEGER_FORMAT ")",
		    json_integer_value(json_object_get(a, "last_block")));
	if (json_is_object(f))
		printf(", batch %" JSON_INTEGER_FORMAT " in flight (reports %"
		    JSON_INTEGER_FORMAT "..%" JSON_INTEGER_FORMAT ", sent %"
		    JSON_INTEGER_FORMAT " times)", json_integer_value(
		    json_object_get(f, "batch")), json_integer_value(
		    json_object_get(f, "first_seq")), json_integer_value(
		    json_object_get(f, "first_seq")) + json_integer_value(
		    json_object_get(f, "count")) - 1, json_integer_value(
		    json_object_get(f, "sends")));
	printf("\n");
	if (json_is_string(json_object_get(a, "error")))
		printf("anchor error %s (%s)\n", json_string_value(
		    json_object_get(a, "error")), ctl_iso(t, (uint64_t)
		    json_integer_value(json_object_get(a, "error_time"))));
}

static void
status_print(const json_t *o, const struct store_cursor *c)
{
	const json_t *n = json_object_get(o, "counts");
	char t[32], hex[67];

	printf("chain       %" JSON_INTEGER_FORMAT ", registry %s\n",
	    json_integer_value(json_object_get(o, "chain_id")),
	    json_string_value(json_object_get(o, "registry")));
	if (!c->has_head)
		printf("verified    nothing yet\n");
	else
		printf("verified    block %" PRIu64 " %s, %s\n", c->head_number,
		    hex_encode(hex, c->head_hash, 32), ctl_iso(t, c->head_time));
	if (c->has_applied)
		printf("effective   block %" PRIu64 ", %s\n", c->applied_number,
		    ctl_iso(t, c->applied_time));
	if (c->has_head)
		proved_print(o, c);
	if (json_is_integer(json_object_get(o, "node_head")))
		printf("node head   %" JSON_INTEGER_FORMAT " (lag %"
		    JSON_INTEGER_FORMAT "), checked %s\n",
		    json_integer_value(json_object_get(o, "node_head")),
		    json_integer_value(json_object_get(o, "lag")),
		    ctl_iso(t, (uint64_t)json_integer_value(json_object_get(o,
		    "checked_at"))));
	printf("counts      %" JSON_INTEGER_FORMAT " vendors, %"
	    JSON_INTEGER_FORMAT " gateways, %" JSON_INTEGER_FORMAT
	    " devices, %" JSON_INTEGER_FORMAT " firmware, %"
	    JSON_INTEGER_FORMAT " licenses, %" JSON_INTEGER_FORMAT " events\n",
	    json_integer_value(json_object_get(n, "vendors")),
	    json_integer_value(json_object_get(n, "gateways")),
	    json_integer_value(json_object_get(n, "devices")),
	    json_integer_value(json_object_get(n, "firmware")),
	    json_integer_value(json_object_get(n, "licenses")),
	    json_integer_value(json_object_get(n, "events")));
	engine_print(json_object_get(o, "engine"));
	gateway_print(json_object_get(o, "authorisation"));
	anchoring_print(json_object_get(o, "anchoring"));
	if (json_is_string(json_object_get(o, "last_error")))
		printf("last error  %s (%s)\n",
		    json_string_value(json_object_get(o, "last_error")),
		    ctl_iso(t, (uint64_t)json_integer_value(json_object_get(o,
		    "last_error_time"))));
	else
		printf("last error  none\n");
}

static int
status_run(const struct ctl_verb *self, int argc, char **argv)
{
	struct store_identity id;
	struct store_cursor c;
	struct ctl_db_opts o;
	struct store *s;
	char err[512];
	json_t *j;
	int rc;

	if (!ctl_db_verb(&s, &id, &o, self, 0, argc, argv, &rc))
		return rc;
	if (!store_cursor(s, &c, err, sizeof(err)) ||
	    (j = status_json(s, &id, &c, err, sizeof(err))) == NULL) {
		fprintf(stderr, "licgatectl: %s\n", err);
		store_close(s);
		return CTL_BADINPUT;
	}
	if (o.json) {
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
	} else
		status_print(j, &c);
	json_decref(j);
	store_close(s);
	return CTL_OK;
}

const struct ctl_verb ctl_verb_status = {
	.name = "status",
	.usage = "[-c FILE | --db PATH] [--json]",
	.summary = "the verified head, lag, counts and last error of a gateway",
	.run = status_run,
};
