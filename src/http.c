/* http.c: routes live in one table; each handler checks its parameters
 * strictly, and every refusal is a JSON error with a stable code. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "chain/hex.h"
#include "http.h"
#include "http_input.h"
#include "metrics.h"
#include "xmalloc.h"

struct http_server {
	struct MHD_Daemon *mhd;
	struct http_config cfg;
	struct http_backend be;
	uint16_t port;
};

/* A request waiting for its answer, its connection suspended. */
struct http_deferred {
	struct MHD_Connection *c;
	struct http_reply rep;
	int done;			/* rep is set; atomic */
};

/* Per-request state, kept across MHD's calls for one request. */
struct http_req {
	const struct http_route *route;
	int deferred;			/* waits for later.rep */
	struct http_deferred later;
	uint8_t *body;
	size_t len;
	int too_large;
	struct timespec start;
	struct http_query q;
};

typedef void (*http_handler)(struct http_server *, struct MHD_Connection *,
    struct http_req *, const char *rest, struct http_reply *);

struct http_route {
	const char *method;
	const char *path;
	int prefix;		/* path is a prefix; the rest is one segment */
	const char *name;	/* metrics label */
	const char *const *params;	/* allowed query parameters */
	http_handler handler;
};

static const char *const no_params[] = { NULL };
static const char *const attest_params[] = { "device", "firmware", "nonce", NULL };

static void route_attest_get(struct http_server *, struct MHD_Connection *,
    struct http_req *, const char *, struct http_reply *);
static void route_attest_post(struct http_server *, struct MHD_Connection *,
    struct http_req *, const char *, struct http_reply *);
static void route_installs_post(struct http_server *, struct MHD_Connection *,
    struct http_req *, const char *, struct http_reply *);
static void route_status(struct http_server *, struct MHD_Connection *,
    struct http_req *, const char *, struct http_reply *);
static void route_device(struct http_server *, struct MHD_Connection *,
    struct http_req *, const char *, struct http_reply *);
static void route_firmware(struct http_server *, struct MHD_Connection *,
    struct http_req *, const char *, struct http_reply *);
static void route_license(struct http_server *, struct MHD_Connection *,
    struct http_req *, const char *, struct http_reply *);
static void route_healthz(struct http_server *, struct MHD_Connection *,
    struct http_req *, const char *, struct http_reply *);
static void route_readyz(struct http_server *, struct MHD_Connection *,
    struct http_req *, const char *, struct http_reply *);
static void route_metrics(struct http_server *, struct MHD_Connection *,
    struct http_req *, const char *, struct http_reply *);

static const struct http_route http_routes[] = {
	{ "GET", "/v1/attestation", 0, "attestation", attest_params, route_attest_get },
	{ "POST", "/v1/attestation", 0, "attestation", no_params, route_attest_post },
	{ "POST", "/v1/installs", 0, "installs", no_params, route_installs_post },
	{ "GET", "/v1/status", 0, "status", no_params, route_status },
	{ "GET", "/v1/devices/", 1, "devices", no_params, route_device },
	{ "GET", "/v1/firmware/", 1, "firmware", no_params, route_firmware },
	{ "GET", "/v1/licenses/", 1, "licenses", no_params, route_license },
	{ "GET", "/healthz", 0, "healthz", no_params, route_healthz },
	{ "GET", "/readyz", 0, "readyz", no_params, route_readyz },
	{ "GET", "/metrics", 0, "metrics", no_params, route_metrics },
	{ NULL, NULL, 0, NULL, NULL, NULL }
};

/* Collects the query as libmicrohttpd parsed it. */
static enum MHD_Result
query_visit(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct http_query *q = cls;

	(void)kind;
	if (q->n == HTTP_QUERY_MAX) {
		q->overflow = 1;
		return MHD_NO;
	}
	q->key[q->n] = key;
	q->value[q->n++] = value;
	return MHD_YES;
}

static int
wants_json(struct MHD_Connection *c)
{
	const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_ACCEPT);

	return a != NULL && strstr(a, "application/json") != NULL;
}

static void
route_attest_get(struct http_server *s, struct MHD_Connection *c,
    struct http_req *r, const char *rest, struct http_reply *rep)
{
	struct http_attest a;

	(void)rest;
	if (s->cfg.require_device_auth) {
		http_reply_error(rep, 403, "device-auth-required", "this gateway "
		    "answers only device-signed requests (POST /v1/attestation)");
		return;
	}
	if (!http_query_attest(&a, &r->q, rep))
		return;
	a.want_json = wants_json(c);
	s->be.attestation(s->be.arg, &a, rep);
}

static void
route_attest_post(struct http_server *s, struct MHD_Connection *c,
    struct http_req *r, const char *rest, struct http_reply *rep)
{
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	struct http_attest a;

	(void)rest;
	if (ct == NULL || strncmp(ct, "application/cose", 16) != 0) {
		http_reply_error(rep, 415, "unsupported-media-type",
		    "POST a COSE_Sign1 request as application/cose");
		return;
	}
	if (r->len == 0) {
		http_reply_error(rep, 400, "bad-request", "empty request body");
		return;
	}
	memset(&a, 0, sizeof(a));
	a.want_json = wants_json(c);
	a.signed_req = r->body;
	a.signed_len = r->len;
	s->be.attestation(s->be.arg, &a, rep);
}

static void
route_installs_post(struct http_server *s, struct MHD_Connection *c,
    struct http_req *r, const char *rest, struct http_reply *rep)
{
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);

	(void)rest;
	if (s->be.install == NULL) {
		http_reply_error(rep, 404, "not-found", "no such resource");
		return;
	}
	if (!http_input_cose(ct, r->len, rep))
		return;
	/* Suspended before the backend sees it, so that an answer from
	 * another thread can never come before the suspension. */
	r->deferred = 1;
	r->later.c = c;
	MHD_suspend_connection(c);
	s->be.install(s->be.arg, r->body, r->len, &r->later);
}

void
http_deferred_reply(struct http_deferred *later, struct http_reply *rep)
{
	later->rep = *rep;
	rep->body = NULL;
	__atomic_store_n(&later->done, 1, __ATOMIC_RELEASE);
	MHD_resume_connection(later->c);
}

static void
route_status(struct http_server *s, struct MHD_Connection *c,
    struct http_req *r, const char *rest, struct http_reply *rep)
{
	(void)c;
	(void)r;
	(void)rest;
	s->be.status(s->be.arg, rep);
}

static void
route_device(struct http_server *s, struct MHD_Connection *c,
    struct http_req *r, const char *rest, struct http_reply *rep)
{
	uint8_t addr[20];
	const char *why;

	(void)c;
	(void)r;
	/* Devices must sign: whether one exists is theirs and the
	 * registry's to know, not a stranger's.  Every id, well formed or
	 * not, gets the refusal an unknown device's request gets. */
	if (s->cfg.require_device_auth) {
		http_reply_refused(rep);
		return;
	}
	if (!hex_decode_fixed(addr, sizeof(addr), rest, &why)) {
		http_reply_error(rep, 400, "bad-device", "device address: %s "
		    "(want 0x and 40 hex digits)", why);
		return;
	}
	s->be.device(s->be.arg, addr, rep);
}

static void
route_firmware(struct http_server *s, struct MHD_Connection *c,
    struct http_req *r, const char *rest, struct http_reply *rep)
{
	uint8_t hash[32];
	const char *why;

	(void)c;
	(void)r;
	if (!hex_decode_fixed(hash, sizeof(hash), rest, &why)) {
		http_reply_error(rep, 400, "bad-firmware", "firmware hash: %s "
		    "(want 0x and 64 hex digits)", why);
		return;
	}
	s->be.firmware(s->be.arg, hash, rep);
}

static void
route_license(struct http_server *s, struct MHD_Connection *c,
    struct http_req *r, const char *rest, struct http_reply *rep)
{
	uint64_t id;

	(void)c;
	(void)r;
	/* A license names its device: refused like GET /v1/devices/. */
	if (s->cfg.require_device_auth) {
		http_reply_refused(rep);
		return;
	}
	if (!http_parse_license_id(&id, rest)) {
		http_reply_error(rep, 400, "bad-license-id", "license id must be "
		    "a positive decimal number or a 0x quantity");
		return;
	}
	s->be.license(s->be.arg, id, rep);
}

static void
route_healthz(struct http_server *s, struct MHD_Connection *c,
    struct http_req *r, const char *rest, struct http_reply *rep)
{
	(void)s;
	(void)c;
	(void)r;
	(void)rest;
	http_reply_json(rep, 200, json_pack("{s:s}", "status", "alive"));
}

static void
route_readyz(struct http_server *s, struct MHD_Connection *c,
    struct http_req *r, const char *rest, struct http_reply *rep)
{
	const char *why = "not ready";

	(void)c;
	(void)r;
	(void)rest;
	if (s->be.ready(s->be.arg, &why))
		http_reply_json(rep, 200, json_pack("{s:s}", "status", "ready"));
	else
		http_reply_error(rep, 503, "not-ready", "%s", why);
}

static void
route_metrics(struct http_server *s, struct MHD_Connection *c,
    struct http_req *r, const char *rest, struct http_reply *rep)
{
	(void)c;
	(void)r;
	(void)rest;
	if (s->be.metrics != NULL)
		s->be.metrics(s->be.arg);
	free(rep->body);
	rep->body = metrics_render();
	rep->len = strlen(rep->body);
	rep->status = 200;
	rep->content_type = "text/plain; version=0.0.4";
}

/* Finds the route for url; *method_ok says whether the method matched. */
static const struct http_route *
route_find(const char *method, const char *url, const char **rest,
    int *method_ok)
{
	const struct http_route *r, *path_match = NULL;
	size_t n;

	*method_ok = 0;
	for (r = http_routes; r->path != NULL; r++) {
		n = strlen(r->path);
		if (r->prefix ? strncmp(url, r->path, n) != 0 ||
		    url[n] == '\0' || strchr(url + n, '/') != NULL :
		    strcmp(url, r->path) != 0)
			continue;
		path_match = r;
		*rest = r->prefix ? url + n : "";
		if (strcmp(method, r->method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0)) {
			*method_ok = 1;
			return r;
		}
	}
	return path_match;
}

static enum MHD_Result
http_send(struct MHD_Connection *c, const struct http_route *route,
    struct http_reply *rep)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char code[8];

	if (rep->body == NULL)
		http_reply_error(rep, 500, "internal", "no answer produced");
	resp = MHD_create_response_from_buffer_with_free_callback(rep->len,
	    rep->body, free);
	if (resp == NULL) {
		free(rep->body);
		return MHD_NO;
	}
	rep->body = NULL;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    rep->content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (rep->status == 405)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
		    route != NULL ? route->method : "GET");
	ret = MHD_queue_response(c, (unsigned)rep->status, resp);
	MHD_destroy_response(resp);
	/* Our statuses have three digits; no stdio on every request. */
	code[0] = (char)('0' + rep->status / 100 % 10);
	code[1] = (char)('0' + rep->status / 10 % 10);
	code[2] = (char)('0' + rep->status % 10);
	code[3] = '\0';
	metrics_count("licgate_http_requests_total", "route",
	    route != NULL ? route->name : "other", "code", code, 1);
	return ret;
}

/* Collects a POST body up to the cap; past it, remembers and discards. */
static void
body_append(struct http_req *r, const struct http_server *s, const char *data,
    size_t n)
{
	if (r->too_large || r->len + n > s->cfg.max_body) {
		r->too_large = 1;
		return;
	}
	r->body = xreallocarray(r->body, r->len + n + 1, 1);
	memcpy(r->body + r->len, data, n);
	r->len += n;
}

static enum MHD_Result
http_access(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	struct http_server *s = cls;
	struct http_req *r = *req_cls;
	struct http_reply rep = { 0, NULL, NULL, 0 };
	const struct http_route *route;
	const char *rest = "";
	int method_ok;

	(void)version;
	if (r == NULL) {
		r = xcalloc(1, sizeof(*r));
		clock_gettime(CLOCK_MONOTONIC, &r->start);
		*req_cls = r;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		body_append(r, s, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	/* Called again once resumed: the answer is there. */
	if (r->deferred)
		return __atomic_load_n(&r->later.done, __ATOMIC_ACQUIRE) ?
		    http_send(c, r->route, &r->later.rep) : MHD_YES;
	route = route_find(method, url, &rest, &method_ok);
	if (route == NULL)
		http_reply_error(&rep, 404, "not-found", "no such resource");
	else if (!method_ok)
		http_reply_error(&rep, 405, "method-not-allowed",
		    "use %s for this resource", route->method);
	else if (r->too_large)
		http_reply_error(&rep, 413, "body-too-large", "request body over "
		    "%zu bytes", s->cfg.max_body);
	else {
		MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_visit,
		    &r->q);
		r->route = route;
		if (http_query_check(&r->q, route->params, &rep))
			route->handler(s, c, r, rest, &rep);
		if (r->deferred)
			return MHD_YES;
	}
	return http_send(c, route, &rep);
}

static void
http_completed(void *cls, struct MHD_Connection *c, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_req *r = *req_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (r != NULL) {
		free(r->body);
		free(r->later.rep.body);
		free(r);
		*req_cls = NULL;
	}
}

/* Fills a sockaddr for an IPv4 or IPv6 literal. */
static int
http_addr(struct sockaddr_storage *ss, const char *host, uint16_t port)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		return 1;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		return 1;
	}
	return 0;
}

int
http_start(struct http_server **out, const struct http_config *cfg,
    const struct http_backend *be, const char **why)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	struct http_server *s;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME;

	*out = NULL;
	if (!http_addr(&ss, cfg->listen, cfg->port)) {
		*why = "listen address is not an IPv4 or IPv6 literal";
		return 0;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s = xcalloc(1, sizeof(*s));
	s->cfg = *cfg;
	s->be = *be;
	/* A pool of threads, each with its own connections, when asked:
	 * signing is CPU work that one thread would serialise. */
	s->mhd = MHD_start_daemon(flags, cfg->port, NULL, NULL, http_access, s,
	    MHD_OPTION_THREAD_POOL_SIZE, cfg->threads > 1 ? cfg->threads : 0,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, cfg->request_timeout,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_connections,
	    /* Per connection.  libmicrohttpd clears it between requests
	     * (5% of a nonce request's CPU at 32 KiB, by perf), so it is no
	     * larger than the API's requests need; bodies are copied out. */
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)8192,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, s,
	    MHD_OPTION_END);
	if (s->mhd == NULL) {
		*why = errno ? strerror(errno) : "libmicrohttpd could not start";
		free(s);
		return 0;
	}
	info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info != NULL ? info->port : cfg->port;
	*out = s;
	return 1;
}

uint16_t
http_port(const struct http_server *s)
{
	return s->port;
}

void
http_stop(struct http_server *s)
{
	if (s == NULL)
		return;
	MHD_stop_daemon(s->mhd);
	free(s);
}
