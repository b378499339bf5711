/* daemon_http.c: the backend behind http.c: status, readiness, metrics
 * and the registry's rows (the attestation is daemon_attest.c's).
 * Handlers run on the HTTP server's threads and read the database through
 * daemon_web_store's per-thread connections. */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chain/hex.h"
#include "daemon.h"
#include "key.h"
#include "log.h"
#include "metrics.h"
#include "rpc.h"
#include "verdict.h"
#include "xmalloc.h"

static uint64_t
now_s(void)
{
	return (uint64_t)time(NULL);
}

/* status ------------------------------------------------------------------ */

static void
put_block(json_t *o, const char *key, int has, uint64_t number,
    const uint8_t *hash, uint64_t t)
{
	json_t *b;
	char hex[67];

	if (!has) {
		json_object_set_new(o, key, json_null());
		return;
	}
	b = json_object();
	json_object_set_new(b, "number", json_integer((json_int_t)number));
	if (hash != NULL)
		json_object_set_new(b, "hash",
		    json_string(hex_encode(hex, hash, 32)));
	json_object_set_new(b, "time", json_integer((json_int_t)t));
	json_object_set_new(o, key, b);
}

static void
on_status(void *arg, struct http_reply *rep)
{
	struct daemon *d = arg;
	struct store_cursor c;
	char err[256], hex[43];
	struct store *ro;
	json_t *o;

	if ((ro = daemon_web_store(d, err, sizeof(err))) == NULL ||
	    !store_cursor(ro, &c, err, sizeof(err)) ||
	    (o = store_status_json(ro, err, sizeof(err))) == NULL) {
		http_reply_error(rep, 500, "database", "%s", err);
		return;
	}
	json_object_set_new(o, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(o, "chain_id",
	    json_integer((json_int_t)d->conf.chain_id));
	json_object_set_new(o, "registry",
	    json_string(hex_encode(hex, d->conf.registry, 20)));
	json_object_set_new(o, "gateway",
	    json_string(hex_encode(hex, d->address, 20)));
	json_object_set_new(o, "alg", json_string(key_alg_name(d->alg)));
	put_block(o, "verified", c.has_head, c.head_number, c.head_hash,
	    c.head_time);
	put_block(o, "effective", c.has_applied, c.applied_number, NULL,
	    c.applied_time);
	json_object_set_new(o, "confirmations",
	    json_integer((json_int_t)d->conf.confirmations));
	if (json_is_integer(json_object_get(o, "node_head")) && c.has_head)
		json_object_set_new(o, "lag", json_integer(
		    json_integer_value(json_object_get(o, "node_head")) -
		    (json_int_t)c.head_number));
	json_object_set_new(o, "caught_up",
	    json_boolean(daemon_web_is_caught_up(d)));
	http_reply_json(rep, 200, o);
}

static int
on_ready(void *arg, const char **why)
{
	struct daemon *d = arg;
	struct store_cursor c;
	struct store *ro;
	char err[256];

	if (!daemon_web_is_caught_up(d)) {
		*why = "not caught up with the chain";
		return 0;
	}
	if (daemon_web_withdrawn(d)) {
		*why = "the registry has withdrawn this gateway's key";
		return 0;
	}
	if ((ro = daemon_web_store(d, err, sizeof(err))) == NULL ||
	    !store_cursor(ro, &c, err, sizeof(err)) || !c.has_applied) {
		*why = "no verified state yet";
		return 0;
	}
	if (now_s() > c.applied_time &&
	    now_s() - c.applied_time > daemon_web_max_staleness(d)) {
		*why = "verified state is older than attestation.max_staleness";
		return 0;
	}
	return 1;
}

static void
row_reply(struct daemon *d, struct http_reply *rep, const char *table,
    const char *key, const char *what)
{
	struct store *ro;
	char err[256];
	json_t *o;
	int found;

	if ((ro = daemon_web_store(d, err, sizeof(err))) == NULL ||
	    (o = store_row_json(ro, table, key, &found, err,
	    sizeof(err))) == NULL) {
		http_reply_error(rep, 500, "database", "%s", err);
		return;
	}
	if (!found) {
		json_decref(o);
		http_reply_error(rep, 404, "not-found", "no %s %s in the "
		    "verified state", what, key);
		return;
	}
	http_reply_json(rep, 200, o);
}

static void
on_device(void *arg, const uint8_t addr[20], struct http_reply *rep)
{
	char hex[43];

	row_reply(arg, rep, "devices", hex_encode(hex, addr, 20), "device");
}

static void
on_firmware(void *arg, const uint8_t hash[32], struct http_reply *rep)
{
	char hex[67];

	row_reply(arg, rep, "firmware", hex_encode(hex, hash, 32), "firmware");
}

static void
on_license(void *arg, uint64_t id, struct http_reply *rep)
{
	char key[24];

	snprintf(key, sizeof(key), "%" PRIu64, id);
	row_reply(arg, rep, "licenses", key, "license");
}

/* The JSON-RPC clients' counters (licgated(8) METRICS): how much the
 * gateway asks of its nodes, and how much they held it back. */
static const struct { const char *name, *type, *help; } rpc_families[] = {
	{ "licgate_rpc_requests_total", "counter",
	  "HTTP requests sent to the JSON-RPC endpoints" },
	{ "licgate_rpc_received_bytes_total", "counter",
	  "Bytes of JSON-RPC answer bodies received" },
	{ "licgate_rpc_throttled_total", "counter",
	  "Answers HTTP 429, or 503 with Retry-After" },
	{ "licgate_rpc_throttle_wait_seconds_total", "counter",
	  "Time waited because endpoints asked for it" },
	{ "licgate_rpc_batch_limit", "gauge",
	  "One less than the smallest batch an endpoint refused (0: none)" },
};

static void
rpc_metrics(void)
{
	struct rpc_stats st;

	rpc_stats_get(&st);
	metrics_gauge(rpc_families[0].name, (double)st.requests);
	metrics_gauge(rpc_families[1].name, (double)st.received_bytes);
	metrics_gauge(rpc_families[2].name, (double)st.throttled);
	metrics_gauge(rpc_families[3].name, st.throttle_wait_s);
	metrics_gauge(rpc_families[4].name, (double)st.batch_limit);
}

/* Anchoring install reports (licgated(8) METRICS), from status's
 * "anchoring", which licgatectl status shows too. */
static const struct { const char *name, *key, *type, *help; }
    anchor_families[] = {
	{ "licgate_installs_unanchored", "unanchored", "gauge",
	  "Install reports not anchored on chain yet" },
	{ "licgate_anchor_batches_total", "anchored_batches", "counter",
	  "Batches of install reports anchored (verified in a final block)" },
	{ "licgate_anchor_sends_total", "sends", "counter",
	  "Anchoring transactions the node took, resends included" },
	{ "licgate_anchor_last_block", "last_block", "gauge",
	  "Block of the last anchored batch (0: none)" },
	{ "licgate_anchor_no_funds", "no_funds", "gauge",
	  "1 while the gateway's account cannot pay for an anchor" },
	{ "licgate_anchor_error", "error", "gauge",
	  "1 while anchoring has an error (licgatectl status says which)" },
};

static void
anchor_metrics(const json_t *status)
{
	const json_t *a = json_object_get(status, "anchoring"), *v;
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < sizeof(anchor_families) / sizeof(anchor_families[0]);
	    i++) {
		v = json_object_get(a, anchor_families[i].key);
		metrics_gauge(anchor_families[i].name, json_is_integer(v) ?
		    (double)json_integer_value(v) : json_is_true(v) ||
		    json_is_string(v) ? 1 : 0);
	}
}

static void
on_metrics(void *arg)
{
	struct daemon *d = arg;
	struct store_cursor c;
	struct store *ro;
	char err[256];
	json_t *o;

	if ((ro = daemon_web_store(d, err, sizeof(err))) == NULL ||
	    !store_cursor(ro, &c, err, sizeof(err)))
		return;
	metrics_gauge("licgate_verified_block", (double)c.head_number);
	metrics_gauge("licgate_effective_block", (double)c.applied_number);
	metrics_gauge("licgate_events", (double)c.event_count);
	metrics_gauge("licgate_proved_block", (double)c.proved_number);
	metrics_gauge("licgate_state_age_seconds", c.has_applied &&
	    now_s() > c.applied_time ? (double)(now_s() - c.applied_time) : 0);
	metrics_gauge("licgate_sync_errors",
	    (double)daemon_web_sync_errors(d));
	rpc_metrics();
	metrics_gauge("licgate_gateway_authorised",
	    daemon_web_gw_state(d) == STORE_GW_AUTHORISED);
	metrics_gauge("licgate_gateway_withdrawn", daemon_web_withdrawn(d));
	/* Lag: the node's head when the follower last looked, less ours. */
	if ((o = store_status_json(ro, err, sizeof(err))) != NULL) {
		json_int_t head = json_integer_value(json_object_get(o,
		    "node_head"));
		if (head > 0 && c.has_head)
			metrics_gauge("licgate_lag_blocks", head >
			    (json_int_t)c.head_number ? (double)(head -
			    (json_int_t)c.head_number) : 0);
		metrics_gauge("licgate_pending_events", (double)
		    json_integer_value(json_object_get(o, "pending_events")));
		anchor_metrics(o);
		json_decref(o);
	}
}

int
daemon_http_start(struct daemon *d, char *err, size_t errsz)
{
	struct http_config hc;
	struct http_backend be = {
		.arg = d, .attestation = daemon_attestation,
		.status = on_status, .device = on_device,
		.firmware = on_firmware, .license = on_license,
		.ready = on_ready, .metrics = on_metrics,
		.install = daemon_install,
	};
	const char *why;

	daemon_web_start(d);
	daemon_attest_start();
	for (size_t i = 0; i < sizeof(rpc_families) / sizeof(rpc_families[0]); i++)
		metrics_help(rpc_families[i].name, rpc_families[i].type,
		    rpc_families[i].help);
	for (size_t i = 0; i < sizeof(anchor_families) /
	    sizeof(anchor_families[0]); i++)
		metrics_help(anchor_families[i].name, anchor_families[i].type,
		    anchor_families[i].help);
	/* One reader now, so that a database that cannot be read stops the
	 * start instead of every request. */
	if (daemon_web_store(d, err, errsz) == NULL ||
	    !daemon_install_start(d, err, errsz))
		return 0;
	memset(&hc, 0, sizeof(hc));
	hc.listen = d->conf.http_listen;
	hc.port = (uint16_t)d->conf.http_port;
	hc.max_connections = (unsigned)d->conf.http_max_connections;
	hc.max_body = d->conf.http_max_body;
	hc.request_timeout = (unsigned)d->conf.http_request_timeout;
	hc.require_device_auth = d->conf.require_device_auth;
	hc.threads = (unsigned)d->conf.http_threads;
	if (hc.threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		hc.threads = n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
	}
	if (!http_start(&d->http, &hc, &be, &why)) {
		snprintf(err, errsz, "http.listen %s port %u: %s",
		    d->conf.http_listen, (unsigned)d->conf.http_port, why);
		return 0;
	}
	log_info("listening on http://%s:%u/", d->conf.http_listen,
	    (unsigned)http_port(d->http));
	return 1;
}

void
daemon_http_stop(struct daemon *d)
{
	if (d->web == NULL)
		return;
	/* First, while their connections exist: the writer commits and
	 * answers what is queued, and refuses what comes after. */
	daemon_install_stop();
	if (d->http != NULL)
		http_stop(d->http);
	d->http = NULL;
	/* The server's threads are gone: their readers can close. */
	daemon_attest_free();
	daemon_web_free(d);
}
