/* ctl_status.c: `licgatectl status`, `events` and `dump`: the gateway's
 * database, opened read-only, so they are safe beside a running licgated. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/hex.h"
#include "conf.h"
#include "ctl.h"
#include "ctl_util.h"
#include "engine/clique.h"
#include "engine/engine.h"
#include "engine/qbft.h"
#include "store.h"

#define DEFAULT_CONF SYSCONFDIR "/licgate/gateway.conf"

struct db_opts {
	const char *conf;
	const char *db;
	int json;
	int has_since;
	uint64_t since;
};

/* Parses -c FILE, --db PATH, --json and (for events) --since N. */
static int
db_args(struct db_opts *o, int argc, char **argv, int with_since)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "since", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int ch;

	memset(o, 0, sizeof(*o));
	o->conf = DEFAULT_CONF;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1)
		switch (ch) {
		case 'c': o->conf = optarg; break;
		case 'D': o->db = optarg; break;
		case 'j': o->json = 1; break;
		case 's':
			if (!with_since)
				return 0;
			o->since = strtoull(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || *optarg == '-') {
				fprintf(stderr, "licgatectl: --since %s: not a "
				    "block number\n", optarg);
				return 0;
			}
			o->has_since = 1;
			break;
		case 'h': return -1;
		default: return 0;
		}
	return optind == argc;
}

/* Opens the database named by --db, or by db.path in the configuration. */
static int
open_db(struct store **s, struct store_identity *id, const struct db_opts *o)
{
	struct conf c;
	char err[1024];
	int ok;

	if (o->db != NULL)
		ok = store_open_ro(s, o->db, id, err, sizeof(err));
	else if (!conf_load(&c, o->conf, err, sizeof(err)))
		ok = 0;
	else {
		ok = store_open_ro(s, c.db_path, id, err, sizeof(err));
		conf_free(&c);
	}
	if (!ok)
		fprintf(stderr, "licgatectl: %s\n", err);
	return ok;
}

/* The start of a database verb: its options (with_since: --since too)
 * and the database they name.  Returns 1 with *s open, or 0 with *rc the
 * verb's exit status: its usage line after --help, ctl_usage after a bad
 * option, a failed open. */
static int
db_verb(struct store **s, struct store_identity *id, struct db_opts *o,
    const char *verb, const char *usage, int with_since, int argc,
    char **argv, int *rc)
{
	int r;

	if ((r = db_args(o, argc, argv, with_since)) != 1) {
		*rc = r < 0 ? (printf("usage: licgatectl %s %s\n", verb, usage),
		    CTL_OK) : ctl_usage(ctl_find(verb));
		return 0;
	}
	if (!open_db(s, id, o)) {
		*rc = CTL_BADINPUT;
		return 0;
	}
	return 1;
}

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
	if (json_is_string(json_object_get(o, "last_error")))
		printf("last error  %s (%s)\n",
		    json_string_value(json_object_get(o, "last_error")),
		    ctl_iso(t, (uint64_t)json_integer_value(json_object_get(o,
		    "last_error_time"))));
	else
		printf("last error  none\n");
}

int
ctl_status(int argc, char **argv)
{
	struct store_identity id;
	struct store_cursor c;
	struct db_opts o;
	struct store *s;
	char err[512];
	json_t *j;
	int rc;

	if (!db_verb(&s, &id, &o, "status", "[-c FILE | --db PATH] [--json]",
	    0, argc, argv, &rc))
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

/* One event of licgatectl events: a line, or an element of arr. */
static int
events_one(void *arg, const struct store_event_row *r)
{
	json_t *arr = arg;

	if (arr == NULL) {
		printf("%6lld  block %-8lld %s  %-20s %s%s\n",
		    (long long)r->seq, (long long)r->block_number, r->time,
		    r->kind, r->args, r->effective ? "" : "  (pending)");
		return 1;
	}
	json_array_append_new(arr, json_pack("{sI sI ss sI sI ss so sb}",
	    "seq", (json_int_t)r->seq,
	    "block", (json_int_t)r->block_number,
	    "time", r->time,
	    "tx_index", (json_int_t)r->tx_index,
	    "log_index", (json_int_t)r->log_index,
	    "kind", r->kind,
	    "args", json_loads(r->args, 0, NULL),
	    "effective", r->effective));
	return 1;
}

int
ctl_events(int argc, char **argv)
{
	struct db_opts o;
	struct store *s;
	json_t *arr = NULL;
	char err[512];
	int rc;

	if (!db_verb(&s, NULL, &o, "events", "[-c FILE | --db PATH] "
	    "[--since BLOCK] [--json]", 1, argc, argv, &rc))
		return rc;
	if (o.json)
		arr = json_array();
	if (!store_events(s, o.has_since ? o.since : 0, events_one, arr, err,
	    sizeof(err))) {
		fprintf(stderr, "licgatectl: %s\n", err);
		json_decref(arr);
		store_close(s);
		return CTL_BADINPUT;
	}
	if (o.json) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(arr);
	}
	store_close(s);
	return CTL_OK;
}

int
ctl_dump(int argc, char **argv)
{
	struct db_opts o;
	struct store *s;
	char err[512];
	json_t *j;
	int rc;

	if (!db_verb(&s, NULL, &o, "dump", "[-c FILE | --db PATH]", 0, argc,
	    argv, &rc))
		return rc;
	if ((j = store_dump(s, err, sizeof(err))) == NULL) {
		fprintf(stderr, "licgatectl: %s\n", err);
		store_close(s);
		return CTL_BADINPUT;
	}
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	putchar('\n');
	json_decref(j);
	store_close(s);
	return CTL_OK;
}
