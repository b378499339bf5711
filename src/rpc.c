/* rpc.c: one curl handle per client, reused across calls (keep-alive); each
 * failed attempt moves to the next endpoint after a growing, jittered pause. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <curl/curl.h>

#include "chain/jscan.h"
#include "rpc.h"
#include "xmalloc.h"

struct rpc_endpoint {
	char *url;
	char *shown;		/* redacted, for messages */
	unsigned failures;	/* consecutive; the healthiest goes first */
	unsigned lacks;		/* RPC_LACKS_* it was found not to serve */
};

struct rpc_client {
	struct rpc_endpoint ep[RPC_MAX_ENDPOINTS];
	size_t n;
	struct rpc_options opt;
	char *auth_header;
	CURL *curl;
	uint64_t next_id;
	size_t last;		/* the endpoint that answered last */
};

/* The answer body being received, with the cap applied as it arrives. */
struct rpc_body {
	char *p;
	size_t len, cap, max;
	int too_large;
};

static void __attribute__((format(printf, 2, 3)))
rpc_fail(struct rpc_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

char *
rpc_redact(char *out, size_t outsz, const char *url)
{
	const char *scheme = strstr(url, "://"), *host, *end, *at;

	if (scheme == NULL) {
		snprintf(out, outsz, "***");
		return out;
	}
	host = scheme + 3;
	end = host + strcspn(host, "/?#");
	/* The last @ of the authority ends any user:password. */
	for (at = end; at > host && at[-1] != '@'; at--)
		;
	snprintf(out, outsz, "%.*s%s%.*s%s", (int)(host - url), url,
	    at > host ? "***@" : "", (int)(end - at), at,
	    *end == '\0' ? "" : strcmp(end, "/") == 0 ? "/" : "/***");
	return out;
}

int
rpc_client_new(struct rpc_client **out, const char *const *urls, size_t n,
    const struct rpc_options *opt, const char **why)
{
	struct rpc_client *c;
	char shown[512];
	size_t i;

	*out = NULL;
	if (n == 0 || n > RPC_MAX_ENDPOINTS) {
		*why = "rpc: between 1 and 16 endpoints are needed";
		return 0;
	}
	for (i = 0; i < n; i++)
		if (strncmp(urls[i], "http://", 7) != 0 &&
		    strncmp(urls[i], "https://", 8) != 0) {
			*why = "rpc: endpoint URLs must start with http:// or https://";
			return 0;
		}
	c = xcalloc(1, sizeof(*c));
	if ((c->curl = curl_easy_init()) == NULL) {
		free(c);
		*why = "rpc: curl_easy_init failed";
		return 0;
	}
	for (i = 0; i < n; i++) {
		c->ep[i].url = xstrdup(urls[i]);
		c->ep[i].shown = xstrdup(rpc_redact(shown, sizeof(shown), urls[i]));
	}
	c->n = n;
	c->opt = *opt;
	if (opt->bearer_token != NULL)
		c->auth_header = xasprintf("Authorization: Bearer %s",
		    opt->bearer_token);
	c->opt.bearer_token = NULL;
	c->next_id = 1;
	*out = c;
	return 1;
}

struct rpc_client *
rpc_client_clone(const struct rpc_client *c)
{
	struct rpc_client *d;
	size_t i;

	if (c == NULL)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	if ((d->curl = curl_easy_init()) == NULL) {
		free(d);
		return NULL;
	}
	for (i = 0; i < c->n; i++) {
		d->ep[i].url = xstrdup(c->ep[i].url);
		d->ep[i].shown = xstrdup(c->ep[i].shown);
		d->ep[i].lacks = c->ep[i].lacks;
	}
	d->n = c->n;
	d->opt = c->opt;
	if (c->auth_header != NULL)
		d->auth_header = xstrdup(c->auth_header);
	d->next_id = 1;
	return d;
}

void
rpc_client_free(struct rpc_client *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->ep[i].url);
		free(c->ep[i].shown);
	}
	if (c->auth_header != NULL) {
		memset(c->auth_header, 0, strlen(c->auth_header));
		free(c->auth_header);
	}
	curl_easy_cleanup(c->curl);
	free(c);
}

static size_t
rpc_write(char *p, size_t sz, size_t nmemb, void *arg)
{
	struct rpc_body *b = arg;
	size_t n = sz * nmemb;

	if (n > b->max - b->len) {
		b->too_large = 1;
		return 0;	/* aborts the transfer */
	}
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

/* One HTTP POST to one endpoint.  Returns 1 with the body, or 0 with err
 * filled (transport failure, HTTP status, size cap). */
static int
rpc_post(struct rpc_client *c, struct rpc_endpoint *ep, const char *req,
    struct rpc_body *b, const char *method, struct rpc_error *err)
{
	struct curl_slist *h = NULL;
	CURLcode rc;
	long status = 0;

	b->len = 0;
	b->too_large = 0;
	b->max = c->opt.max_response;
	h = curl_slist_append(h, "Content-Type: application/json");
	if (c->auth_header != NULL)
		h = curl_slist_append(h, c->auth_header);
	curl_easy_reset(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_URL, ep->url);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, req);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, rpc_write);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, c->opt.connect_timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, c->opt.timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(c->curl);
	curl_slist_free_all(h);
	if (b->too_large) {
		rpc_fail(err, "rpc: %s: %s: response larger than %zu bytes",
		    ep->shown, method, c->opt.max_response);
		return 0;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		rpc_fail(err, "rpc: %s: %s: timed out after %ld ms", ep->shown,
		    method, c->opt.timeout_ms);
		return 0;
	}
	if (rc != CURLE_OK) {
		rpc_fail(err, "rpc: %s: %s: %s", ep->shown, method,
		    curl_easy_strerror(rc));
		return 0;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		rpc_fail(err, "rpc: %s: %s: HTTP %ld", ep->shown, method, status);
		return 0;
	}
	return 1;
}

/* The start of a body, printable, for messages. */
static const char *
rpc_snippet(char *out, size_t outsz, const char *body, size_t len)
{
	size_t i, n = len < outsz - 1 ? len : outsz - 1;

	for (i = 0; i < n; i++)
		out[i] = body[i] >= 0x20 && body[i] < 0x7f ? body[i] : '?';
	out[n] = '\0';
	return out;
}

/* One answer object of a batch, read in place: its id, and the text of its
 * result or the node's error. */
struct rpc_item {
	uint64_t id;
	int has_id, has_error, has_code;
	int64_t code;
	struct rpc_span result, msg;
	const char *twice;		/* a member that appears twice */
};

/* A JSON number's text as an integer; 0 when it is not one that fits. */
static int
rpc_span_int(const char *p, size_t n, int64_t *v)
{
	char buf[24], *end;

	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, p, n);
	buf[n] = '\0';
	errno = 0;
	*v = strtoll(buf, &end, 10);
	return errno == 0 && *end == '\0';
}

/* Reads the node's error object (anything else counts as an error without
 * code or message). */
static int
rpc_scan_error(struct jscan *s, struct rpc_item *it)
{
	const char *key, *v;
	size_t klen, vlen;

	it->has_error = 1;
	if (js_peek(s) != JS_OBJECT)
		return js_skip(s, NULL, NULL);
	if (!js_object(s))
		return 0;
	while (js_member(s, &key, &klen)) {
		if (js_key_is(key, klen, "code") && js_peek(s) == JS_NUMBER &&
		    !it->has_code) {
			if (!js_skip(s, &v, &vlen))
				return 0;
			it->has_code = rpc_span_int(v, vlen, &it->code);
		} else if (js_key_is(key, klen, "message") &&
		    js_peek(s) == JS_STRING && it->msg.p == NULL) {
			if (!js_string(s, &it->msg.p, &it->msg.len))
				return 0;
		} else if (!js_skip(s, NULL, NULL))
			return 0;
	}
	return s->why == NULL;
}

static int
rpc_scan_item(struct jscan *s, struct rpc_item *it)
{
	static const char *const names[] = { "id", "result", "error" };
	const char *key, *v;
	size_t klen, vlen, k;
	unsigned seen = 0;
	int64_t id = 0;

	memset(it, 0, sizeof(*it));
	if (js_peek(s) != JS_OBJECT)
		return js_skip(s, NULL, NULL);	/* judged by its missing id */
	if (!js_object(s))
		return 0;
	while (js_member(s, &key, &klen)) {
		for (k = 0; k < 3 && !js_key_is(key, klen, names[k]); k++)
			;
		if (k < 3 && (seen & 1u << k) && it->twice == NULL)
			it->twice = names[k];
		if (k < 3)
			seen |= 1u << k;
		if (k == 0 && js_peek(s) == JS_NUMBER && !it->has_id) {
			if (!js_skip(s, &v, &vlen))
				return 0;
			it->has_id = rpc_span_int(v, vlen, &id) && id >= 0;
			it->id = (uint64_t)id;
		} else if (k == 1 && it->result.p == NULL) {
			/* Its reader checks it: only its end is found here. */
			if (!js_span(s, &it->result.p, &it->result.len))
				return 0;
		} else if (k == 2 && !it->has_error) {
			if (!rpc_scan_error(s, it))
				return 0;
		} else if (!js_skip(s, NULL, NULL))
			return 0;
	}
	return s->why == NULL;
}

/* Judges one answer for id: 1 with its result, or 0 with err. */
static int
rpc_judge(const struct rpc_item *it, uint64_t id, struct rpc_error *err)
{
	if (it->twice != NULL) {
		rpc_fail(err, "answer has \"%s\" twice", it->twice);
		return 0;
	}
	if (!it->has_id || it->id != id) {
		rpc_fail(err, "answer has the wrong id");
		return 0;
	}
	if (it->has_error) {
		err->answer = 1;
		err->code = it->has_code ? (long)it->code : 0;
		if (it->msg.p != NULL)
			rpc_fail(err, "node error %ld: %.*s", err->code,
			    (int)(it->msg.len < 200 ? it->msg.len : 200), it->msg.p);
		else
			rpc_fail(err, "node error %ld: (no message)", err->code);
		return 0;
	}
	if (it->result.p == NULL) {
		rpc_fail(err, "answer has neither result nor error");
		return 0;
	}
	return 1;
}

int
rpc_parse_batch_text(struct rpc_span *spans, const char *body, size_t len,
    uint64_t first_id, size_t n, struct rpc_error *err)
{
	struct jscan s;
	struct rpc_item it;
	char msg[sizeof(err->msg)], snip[48];
	size_t i = 0, k;
	int ok = 1;

	memset(err, 0, sizeof(*err));
	memset(spans, 0, n * sizeof(*spans));
	js_init(&s, body, len);
	if (js_peek(&s) != JS_ARRAY) {
		if (js_skip(&s, NULL, NULL) && js_done(&s))
			rpc_fail(err, "batch answer is not an array of %zu answers", n);
		else
			rpc_fail(err, "not JSON: '%s'", rpc_snippet(snip,
			    sizeof(snip), body, len));
		return 0;
	}
	if (!js_array(&s))
		goto bad;
	for (; js_element(&s); i++) {
		if (!rpc_scan_item(&s, &it))
			goto bad;
		if (!ok || i >= n)
			continue;	/* only the syntax is still checked */
		if (!it.has_id || it.id < first_id || it.id - first_id >= n) {
			rpc_fail(err, "batch answer %zu has an unknown id", i);
			ok = 0;
			continue;
		}
		k = it.id - first_id;
		if (spans[k].p != NULL) {
			rpc_fail(err, "batch answer repeats id %llu",
			    (unsigned long long)it.id);
			ok = 0;
			continue;
		}
		if (!rpc_judge(&it, it.id, err)) {
			snprintf(msg, sizeof(msg), "batch item %zu: %.400s", k, err->msg);
			memcpy(err->msg, msg, sizeof(msg));
			ok = 0;
			continue;
		}
		spans[k] = it.result;
	}
	if (s.why != NULL || !js_done(&s))
		goto bad;
	if (ok && i != n) {
		rpc_fail(err, "batch answer is not an array of %zu answers", n);
		ok = 0;
	}
	if (!ok)
		memset(spans, 0, n * sizeof(*spans));
	return ok;
bad:
	memset(err, 0, sizeof(*err));
	memset(spans, 0, n * sizeof(*spans));
	rpc_fail(err, "not JSON: '%s'", rpc_snippet(snip, sizeof(snip), body, len));
	return 0;
}

/* A result's text as a jansson value. */
static json_t *
rpc_load_result(const struct rpc_span *r, struct rpc_error *err)
{
	json_error_t je;
	json_t *j = json_loadb(r->p, r->len,
	    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);

	if (j == NULL)
		rpc_fail(err, "result: %.200s", je.text);
	return j;
}

int
rpc_parse_single(json_t **result, const char *body, size_t len, uint64_t id,
    struct rpc_error *err)
{
	struct jscan s;
	struct rpc_item it;
	char snip[48];

	*result = NULL;
	memset(err, 0, sizeof(*err));
	js_init(&s, body, len);
	if (js_peek(&s) != JS_OBJECT) {
		if (js_skip(&s, NULL, NULL) && js_done(&s))
			rpc_fail(err, "answer is not a JSON object");
		else
			rpc_fail(err, "not JSON: '%s'", rpc_snippet(snip,
			    sizeof(snip), body, len));
		return 0;
	}
	if (!rpc_scan_item(&s, &it) || !js_done(&s)) {
		rpc_fail(err, "not JSON: '%s'", rpc_snippet(snip, sizeof(snip),
		    body, len));
		return 0;
	}
	if (!rpc_judge(&it, id, err))
		return 0;
	return (*result = rpc_load_result(&it.result, err)) != NULL;
}

int
rpc_parse_batch(json_t **results, const char *body, size_t len,
    uint64_t first_id, size_t n, struct rpc_error *err)
{
	struct rpc_span *spans = xcalloc(n ? n : 1, sizeof(*spans));
	char msg[sizeof(err->msg)];
	size_t i;
	int ok;

	memset(results, 0, n * sizeof(*results));
	ok = rpc_parse_batch_text(spans, body, len, first_id, n, err);
	for (i = 0; ok && i < n; i++) {
		if ((results[i] = rpc_load_result(&spans[i], err)) == NULL) {
			snprintf(msg, sizeof(msg), "batch item %zu: %.400s", i, err->msg);
			memcpy(err->msg, msg, sizeof(msg));
			ok = 0;
		}
	}
	if (!ok)
		for (i = 0; i < n; i++) {
			json_decref(results[i]);
			results[i] = NULL;
		}
	free(spans);
	return ok;
}

/* Sleeps before attempt (1-based): backoff doubling, capped, with up to 50%
 * jitter so that gateways restarting together do not retry in step. */
static void
rpc_backoff(const struct rpc_options *o, unsigned attempt)
{
	uint64_t ms = o->backoff_ms;
	unsigned r = 0;
	struct timespec ts;

	while (--attempt > 0 && ms < o->backoff_max_ms)
		ms *= 2;
	if (ms > o->backoff_max_ms)
		ms = o->backoff_max_ms;
	if (getrandom(&r, sizeof(r), 0) == sizeof(r) && ms > 1)
		ms = ms / 2 + r % (ms / 2 + 1);
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* Where an exchange starts: the endpoint with the fewest recent failures
 * (attempts then go round from there). */
static size_t
rpc_first(const struct rpc_client *c)
{
	size_t best = 0, i;

	for (i = 1; i < c->n; i++)
		if (c->ep[i].failures < c->ep[best].failures)
			best = i;
	return best;
}

typedef int (*rpc_parser)(void *arg, const char *body, size_t len,
    struct rpc_error *err);

/* Sends req, with retries and failover, until parse accepts an answer or a
 * JSON-RPC error object comes back.  With keep, the accepted body is handed
 * over (the parser's results may point into it). */
static int
rpc_exchange(struct rpc_client *c, const char *req, const char *method,
    rpc_parser parse, void *arg, char **keep, struct rpc_error *err)
{
	struct rpc_body b = { NULL, 0, 0, 0, 0 };
	struct rpc_endpoint *ep;
	char msg[sizeof(err->msg)];
	size_t first = rpc_first(c);
	unsigned k;
	int ok = 0;

	for (k = 0; k <= c->opt.retries && !ok; k++) {
		if (k > 0)
			rpc_backoff(&c->opt, k);
		ep = &c->ep[(first + k) % c->n];
		memset(err, 0, sizeof(*err));
		if (!rpc_post(c, ep, req, &b, method, err)) {
			ep->failures++;
			continue;
		}
		c->last = (size_t)(ep - c->ep);
		ok = parse(arg, b.p, b.len, err);
		if (!ok) {
			snprintf(msg, sizeof(msg), "rpc: %.120s: %.64s: %.300s", ep->shown,
			    method, err->msg);
			memcpy(err->msg, msg, sizeof(msg));
			if (err->answer)
				break;	/* the node's own answer: no retry */
			ep->failures++;
		} else
			ep->failures = 0;
	}
	if (ok && keep != NULL) {
		*keep = b.p;
		b.p = NULL;
	}
	free(b.p);
	return ok;
}

int
rpc_client_set_lacks(struct rpc_client *c, unsigned what, const char **shown)
{
	struct rpc_endpoint *ep = &c->ep[c->last];
	int news = (ep->lacks & what) != what;

	ep->lacks |= what;
	*shown = ep->shown;
	return news;
}

unsigned
rpc_client_lacks(const struct rpc_client *c)
{
	return c->ep[rpc_first(c)].lacks;
}

struct single_arg {
	json_t **result;
	uint64_t id;
};

static int
parse_single(void *arg, const char *body, size_t len, struct rpc_error *err)
{
	struct single_arg *a = arg;

	return rpc_parse_single(a->result, body, len, a->id, err);
}

int
rpc_call(struct rpc_client *c, json_t **result, const char *method,
    json_t *params, struct rpc_error *err)
{
	struct single_arg a = { result, c->next_id++ };
	json_t *req;
	char *text;
	int ok;

	*result = NULL;
	req = json_pack("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0", "id",
	    (json_int_t)a.id, "method", method, "params",
	    params != NULL ? params : json_array());
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	ok = rpc_exchange(c, text, method, parse_single, &a, NULL, err);
	free(text);
	return ok;
}

struct batch_arg {
	json_t **results;
	struct rpc_span *spans;
	uint64_t first;
	size_t n;
};

static int
parse_batch(void *arg, const char *body, size_t len, struct rpc_error *err)
{
	struct batch_arg *a = arg;

	if (a->spans != NULL)
		return rpc_parse_batch_text(a->spans, body, len, a->first, a->n,
		    err);
	return rpc_parse_batch(a->results, body, len, a->first, a->n, err);
}

/* Sends n calls as one batch; the answers go to a's results or spans. */
static int
rpc_send_batch(struct rpc_client *c, struct batch_arg *a,
    const char *const *methods, json_t **params, char **keep,
    struct rpc_error *err)
{
	json_t *req;
	char *text, what[64];
	size_t i, n = a->n;
	int ok;

	if (n == 0 || n > RPC_MAX_BATCH) {
		for (i = 0; i < n; i++)
			json_decref(params[i]);
		memset(err, 0, sizeof(*err));
		rpc_fail(err, "rpc: a batch holds 1 to %d calls", RPC_MAX_BATCH);
		return 0;
	}
	a->first = c->next_id;
	c->next_id += n;
	req = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(req, json_pack("{s:s, s:I, s:s, s:o}",
		    "jsonrpc", "2.0", "id", (json_int_t)(a->first + i), "method",
		    methods[i], "params", params[i] != NULL ? params[i] : json_array()));
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	snprintf(what, sizeof(what), "batch of %zu %s", n, methods[0]);
	ok = rpc_exchange(c, text, what, parse_batch, a, keep, err);
	free(text);
	return ok;
}

int
rpc_batch(struct rpc_client *c, json_t **results, const char *const *methods,
    json_t **params, size_t n, struct rpc_error *err)
{
	struct batch_arg a = { results, NULL, 0, n };

	memset(results, 0, n * sizeof(*results));
	return rpc_send_batch(c, &a, methods, params, NULL, err);
}

int
rpc_batch_text(struct rpc_client *c, char **body, struct rpc_span *spans,
    const char *const *methods, json_t **params, size_t n,
    struct rpc_error *err)
{
	struct batch_arg a = { NULL, spans, 0, n };

	*body = NULL;
	memset(spans, 0, n * sizeof(*spans));
	return rpc_send_batch(c, &a, methods, params, body, err);
}
