/* rpc.c: one curl handle per client, reused across calls (keep-alive); each
 * failed attempt moves to the next endpoint after a growing, jittered pause.
 * A throttling endpoint is waited for, not counted as failing; a batch it
 * refuses for its size is sent in parts. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <curl/curl.h>

#include "chain/hex.h"
#include "chain/jscan.h"
#include "log.h"
#include "rpc.h"
#include "xmalloc.h"

struct rpc_endpoint {
	char *url;
	char *shown;		/* redacted, for messages */
	unsigned failures;	/* consecutive; the healthiest goes first */
	unsigned lacks;		/* RPC_LACKS_* it was found not to serve */
};

/* What a client and its clones (on other threads) learn together about
 * each endpoint: the batch sizes it was seen to accept and refuse (refused
 * << 32 | accepted; 0: it never refused one) and when it last throttled
 * (monotonic seconds; 0: not in an episode), so that an episode is logged
 * once, not per answer or thread.  An episode ends after
 * RPC_THROTTLE_EPISODE_S without throttling. */
#define RPC_THROTTLE_EPISODE_S 60
struct rpc_shared {
	atomic_uint refs;
	_Atomic uint64_t sizes[RPC_MAX_ENDPOINTS];
	_Atomic int64_t throttled_at[RPC_MAX_ENDPOINTS];
};

struct rpc_client {
	struct rpc_endpoint ep[RPC_MAX_ENDPOINTS];
	size_t n;
	struct rpc_options opt;
	char *auth_header;
	CURL *curl;
	uint64_t next_id;
	struct rpc_shared *sh;
	size_t last;			/* the endpoint of the last attempt */
	long retry_after;		/* its Retry-After, seconds; 0: none */
};

/* Counters of every client, for rpc_stats_get. */
static _Atomic uint64_t stat_requests, stat_bytes, stat_throttled,
    stat_wait_ms, stat_limit;

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
	c->sh = xcalloc(1, sizeof(*c->sh));
	atomic_init(&c->sh->refs, 1);
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
	d->sh = c->sh;
	atomic_fetch_add(&d->sh->refs, 1);
	return d;
}

void
rpc_client_cap(struct rpc_client *c, size_t max_response)
{
	if (max_response < c->opt.max_response)
		c->opt.max_response = max_response;
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
	if (atomic_fetch_sub(&c->sh->refs, 1) == 1)
		free(c->sh);
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

/* What an HTTP status other than 200 asks of us: 413 (the request is too
 * large) a smaller batch; 429, and 503 with a Retry-After (curl reads its
 * seconds or HTTP-date), a wait. */
static void
rpc_judge_status(struct rpc_client *c, long status, struct rpc_error *err)
{
	curl_off_t after = 0;

	if (status == 413)
		err->code = RPC_REFUSED;
	if (status != 429 && status != 503)
		return;
	if (curl_easy_getinfo(c->curl, CURLINFO_RETRY_AFTER, &after) != CURLE_OK)
		after = 0;
	c->retry_after = after > 0 ? (after < 86400 ? (long)after : 86400) : 0;
	if (status == 429 || c->retry_after > 0)
		err->code = RPC_THROTTLED;
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
	c->retry_after = 0;
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
	atomic_fetch_add(&stat_requests, 1);
	atomic_fetch_add(&stat_bytes, b->len);
	if (b->too_large) {
		err->code = RPC_TOO_LARGE;
		rpc_fail(err, "rpc: %s: %s: response larger than %zu bytes",
		    ep->shown, method, c->opt.max_response);
		err->code = RPC_TOO_LARGE;
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
		rpc_judge_status(c, status, err);
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

/* What a node's error says, when it is about a rate or a size rather than
 * the call: RPC_THROTTLED for a rate limit (code 429, as hosted endpoints
 * answer each call of a batch, or words saying so), RPC_TOO_LARGE for an
 * answer cut at a byte limit (geth: -32003 "response too large"),
 * RPC_REFUSED for too many calls (geth "batch too large", Besu "Number of
 * requests exceeds max batch size", "batch size ... limit/exceeded");
 * else 0. */
static int
rpc_limit_words(const struct rpc_item *it)
{
	char m[201];
	size_t i, n = it->msg.len < 200 ? it->msg.len : 200;

	for (i = 0; i < n; i++)
		m[i] = (char)tolower((unsigned char)it->msg.p[i]);
	m[n] = '\0';
	if ((it->has_code && it->code == 429) || strstr(m, "rate limit") != NULL ||
	    strstr(m, "too many requests") != NULL)
		return RPC_THROTTLED;
	if (strstr(m, "response") != NULL && (strstr(m, "too large") != NULL ||
	    strstr(m, "too big") != NULL || strstr(m, "exceed") != NULL))
		return RPC_TOO_LARGE;
	if (strstr(m, "batch") != NULL && (strstr(m, "too large") != NULL ||
	    strstr(m, "exceed") != NULL || strstr(m, "limit") != NULL ||
	    strstr(m, "too many") != NULL || strstr(m, "max") != NULL))
		return RPC_REFUSED;
	return 0;
}

/* Whether a batch answer that failed is the node refusing the batch for
 * its size or rate rather than answering it, and how: geth answers one
 * error in an array, Besu one error object, others an error per call with
 * words about the size or a code 429.  Sets err->code (answer 0) when it
 * is one; a real error answer is left as it is. */
static void
rpc_refusal(const char *body, size_t len, size_t n, struct rpc_error *err)
{
	struct jscan s;
	struct rpc_item it;
	size_t items = 0, errors = 0;
	int code = 0, k;

	js_init(&s, body, len);
	if (js_peek(&s) == JS_OBJECT) {
		if (!rpc_scan_item(&s, &it) || !js_done(&s) || !it.has_error)
			return;
		code = rpc_limit_words(&it);
		items = errors = 1;
	} else if (js_peek(&s) == JS_ARRAY && js_array(&s)) {
		while (js_element(&s) && rpc_scan_item(&s, &it)) {
			items++;
			errors += it.has_error;
			if (it.has_error && (k = rpc_limit_words(&it)) > code)
				code = k;
		}
		if (s.why != NULL || !js_done(&s))
			return;
	}
	if (code == 0 && errors > 0 && errors == items && items < n)
		code = RPC_REFUSED;	/* fewer answers than calls, all errors */
	if (code != 0) {
		err->answer = 0;
		err->code = code;
	}
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
		rpc_refusal(body, len, n, err);
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
	if (!ok) {
		memset(spans, 0, n * sizeof(*spans));
		rpc_refusal(body, len, n, err);
	}
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
	if (!rpc_judge(&it, id, err)) {
		if (it.has_error && rpc_limit_words(&it) == RPC_THROTTLED) {
			err->answer = 0;
			err->code = RPC_THROTTLED;
		}
		return 0;
	}
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

/* The pause before attempt (1-based): backoff doubling, capped, with up to
 * 50% jitter so that gateways restarting together do not retry in step. */
static uint64_t
rpc_backoff_ms(const struct rpc_options *o, unsigned attempt)
{
	uint64_t ms = o->backoff_ms;
	unsigned r = 0;

	while (--attempt > 0 && ms < o->backoff_max_ms)
		ms *= 2;
	if (ms > o->backoff_max_ms)
		ms = o->backoff_max_ms;
	if (getrandom(&r, sizeof(r), 0) == sizeof(r) && ms > 1)
		ms = ms / 2 + r % (ms / 2 + 1);
	return ms;
}

static void
rpc_sleep_ms(uint64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
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

/* One attempt at one endpoint: the POST, then the parser on its answer. */
static int
rpc_attempt(struct rpc_client *c, struct rpc_endpoint *ep, const char *req,
    struct rpc_body *b, const char *method, rpc_parser parse, void *arg,
    struct rpc_error *err)
{
	char msg[sizeof(err->msg)];

	memset(err, 0, sizeof(*err));
	if (!rpc_post(c, ep, req, b, method, err))
		return 0;
	if (parse(arg, b->p, b->len, err))
		return 1;
	snprintf(msg, sizeof(msg), "rpc: %.120s: %.64s: %.300s", ep->shown,
	    method, err->msg);
	memcpy(err->msg, msg, sizeof(msg));
	return 0;
}

/* Failures that another attempt would only repeat: the node's own error
 * answer, an answer over the size cap, a batch refused for its size. */
static int
rpc_final(const struct rpc_error *err)
{
	return err->answer || err->code == RPC_TOO_LARGE ||
	    err->code == RPC_REFUSED;
}

/* Seconds on a clock that never goes back, from 1. */
static int64_t
rpc_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec + 1;
}

/* Notes that endpoint i answered without throttling: the end of its
 * throttling episode once it has not throttled for a while. */
static void
rpc_throttle_end(struct rpc_client *c, size_t i)
{
	int64_t at = atomic_load(&c->sh->throttled_at[i]);

	if (at != 0 && rpc_now_s() - at > RPC_THROTTLE_EPISODE_S &&
	    atomic_compare_exchange_strong(&c->sh->throttled_at[i], &at, 0))
		log_info("rpc: %s: no longer throttling", c->ep[i].shown);
}

/* The waiting of one call for throttling endpoints. */
struct rpc_wait {
	unsigned n;			/* throttled answers */
	uint64_t ms;			/* waited */
};

/* Waits as the throttling endpoint i asked (Retry-After, else the backoff),
 * logging the start of an episode once for all clones.  Returns 0 without
 * waiting when that would take the call's waits past RPC_THROTTLE_MAX_S:
 * the attempt is then a failure of the endpoint. */
static int
rpc_throttle(struct rpc_client *c, size_t i, struct rpc_wait *w,
    struct rpc_error *err)
{
	uint64_t ms = c->retry_after > 0 ? (uint64_t)c->retry_after * 1000 :
	    rpc_backoff_ms(&c->opt, ++w->n);
	size_t len = strlen(err->msg);
	int64_t prev;

	atomic_fetch_add(&stat_throttled, 1);
	if (w->ms + ms > (uint64_t)RPC_THROTTLE_MAX_S * 1000) {
		snprintf(err->msg + len, sizeof(err->msg) - len, ", asked to wait "
		    "%.1f s more, over the %d s limit", (double)ms / 1000,
		    RPC_THROTTLE_MAX_S);
		return 0;
	}
	prev = atomic_exchange(&c->sh->throttled_at[i], rpc_now_s());
	if (prev == 0 || rpc_now_s() - prev > RPC_THROTTLE_EPISODE_S)
		log_warnx("%s: waiting %.1f s as %s (not logged again until it "
		    "stops throttling for %d s)", err->msg, (double)ms / 1000,
		    c->retry_after > 0 ? "Retry-After says" : "the backoff says",
		    RPC_THROTTLE_EPISODE_S);
	rpc_sleep_ms(ms);
	w->ms += ms;
	atomic_fetch_add(&stat_wait_ms, ms);
	return 1;
}

/* Sends req, with retries and failover, until parse accepts an answer or a
 * final failure (rpc_final) comes back.  A throttled attempt is waited for
 * and repeated at the same endpoint without using up a retry.  With keep,
 * the accepted body is handed over (the parser's results may point into
 * it). */
static int
rpc_exchange(struct rpc_client *c, const char *req, const char *method,
    rpc_parser parse, void *arg, struct rpc_body *keep, struct rpc_error *err)
{
	struct rpc_body b = { NULL, 0, 0, 0, 0 };
	struct rpc_endpoint *ep;
	struct rpc_wait w = { 0, 0 };
	size_t first = rpc_first(c);
	unsigned k = 0;
	int ok;

	for (;;) {
		c->last = (first + k) % c->n;
		ep = &c->ep[c->last];
		ok = rpc_attempt(c, ep, req, &b, method, parse, arg, err);
		if (err->code != RPC_THROTTLED)
			rpc_throttle_end(c, c->last);
		if (ok || rpc_final(err))
			break;
		if (err->code == RPC_THROTTLED && rpc_throttle(c, c->last, &w, err))
			continue;
		ep->failures++;
		if (++k > c->opt.retries)
			break;
		rpc_sleep_ms(rpc_backoff_ms(&c->opt, k));
	}
	if (ok)
		ep->failures = 0;
	if (ok && keep != NULL) {
		*keep = b;
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

/* The most calls to send endpoint i in one batch: all n until it refused a
 * batch, then a bisection between the largest batch it accepted and the
 * smallest it refused, so that its limit is found in a few refusals. */
static size_t
rpc_batch_cap(const struct rpc_client *c, size_t i, size_t n)
{
	uint64_t v = atomic_load(&c->sh->sizes[i]);
	size_t refused = (size_t)(v >> 32), accepted = (size_t)(v & 0xffffffff);
	size_t cap;

	if (refused == 0)
		return n;
	if (accepted >= refused)
		cap = refused / 2;
	else if (accepted + 1 == refused)
		cap = accepted;
	else
		cap = (accepted + refused) / 2;
	if (cap == 0)
		cap = 1;
	return cap < n ? cap : n;
}

/* Notes that endpoint i accepted (or refused) a batch of m calls.  A
 * refusal at or below what it accepted before means its limit went down:
 * what it accepted is forgotten. */
static void
rpc_batch_learn(struct rpc_client *c, size_t i, size_t m, int refused)
{
	uint64_t v = atomic_load(&c->sh->sizes[i]), want, lim;
	uint64_t r, a;

	do {
		r = v >> 32;
		a = v & 0xffffffff;
		if (refused) {
			r = r == 0 || m < r ? m : r;
			if (a >= r)
				a = 0;
		} else if (m > a) {
			a = m;
			if (r != 0 && a >= r)
				r = a + 1;	/* it takes more now */
		}
		want = r << 32 | a;
	} while (want != v &&
	    !atomic_compare_exchange_weak(&c->sh->sizes[i], &v, want));
	if (!refused)
		return;
	lim = atomic_load(&stat_limit);
	while ((lim == 0 || m - 1 < lim) &&
	    !atomic_compare_exchange_weak(&stat_limit, &lim, m - 1))
		;
}

/* The answer bodies of a batch sent in parts, end to end, and where each
 * result starts in them (the parts' bodies move as they are joined). */
struct rpc_text {
	struct rpc_body all;
	size_t *off;
};

/* Adds a part's body, whose results are spans[0..m), to t. */
static void
rpc_text_add(struct rpc_text *t, struct rpc_body *b, const struct rpc_span *spans,
    size_t from, size_t m)
{
	size_t i;

	for (i = 0; i < m; i++)
		t->off[from + i] = t->all.len + (size_t)(spans[i].p - b->p);
	if (t->all.p == NULL) {
		t->all = *b;	/* one part, the usual case: no copy */
		b->p = NULL;
		return;
	}
	t->all.p = xreallocarray(t->all.p, t->all.len + b->len + 1, 1);
	memcpy(t->all.p + t->all.len, b->p, b->len + 1);
	t->all.len += b->len;
}

/* Sends calls [from, from + m) of a as one batch (params are lent, not
 * stolen); their answers go to a's results or spans, and with t their
 * body is kept there. */
static int
rpc_send_part(struct rpc_client *c, const struct batch_arg *a,
    const char *const *methods, json_t **params, size_t from, size_t m,
    struct rpc_text *t, struct rpc_error *err)
{
	struct batch_arg p = { a->results != NULL ? a->results + from : NULL,
	    a->spans != NULL ? a->spans + from : NULL, c->next_id, m };
	struct rpc_body b = { NULL, 0, 0, 0, 0 };
	json_t *req = json_array();
	char *text, what[64];
	size_t i;
	int ok;

	c->next_id += m;
	for (i = 0; i < m; i++)
		json_array_append_new(req, json_pack("{s:s, s:I, s:s, s:o}",
		    "jsonrpc", "2.0", "id", (json_int_t)(p.first + i), "method",
		    methods[from + i], "params", params[from + i] != NULL ?
		    json_incref(params[from + i]) : json_array()));
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	snprintf(what, sizeof(what), "batch of %zu %s", m, methods[from]);
	ok = rpc_exchange(c, text, what, parse_batch, &p, t != NULL ? &b : NULL,
	    err);
	if (ok && t != NULL)
		rpc_text_add(t, &b, p.spans, from, m);
	free(b.p);
	free(text);
	return ok;
}

/* Sends a's n calls in as few batches as the endpoints accept: a batch
 * refused for its count is sent again in parts of the size learned; one
 * whose answer was over a byte limit, in halves (that size depends on the
 * answers, so it is not learned).  Each refusal makes the next part
 * smaller, whichever endpoint refused, so refusals in a row cannot go on.
 * Takes params. */
static int
rpc_send_batch(struct rpc_client *c, struct batch_arg *a,
    const char *const *methods, json_t **params, struct rpc_text *t,
    struct rpc_error *err)
{
	size_t i, n = a->n, done = 0, m, most = n, halves = n;
	int ok = n > 0 && n <= RPC_MAX_BATCH;

	memset(err, 0, sizeof(*err));
	if (!ok)
		rpc_fail(err, "rpc: a batch holds 1 to %d calls", RPC_MAX_BATCH);
	while (ok && done < n) {
		m = rpc_batch_cap(c, rpc_first(c), n - done);
		m = m < most ? m : most;
		m = m < halves ? m : halves;
		if (rpc_send_part(c, a, methods, params, done, m, t, err)) {
			rpc_batch_learn(c, c->last, m, 0);
			done += m;
			most = n;
		} else if (m > 1 && err->code == RPC_REFUSED) {
			rpc_batch_learn(c, c->last, m, 1);
			most = rpc_batch_cap(c, c->last, m - 1);
		} else if (m > 1 && err->code == RPC_TOO_LARGE)
			halves = m / 2;
		else
			ok = 0;
	}
	for (i = 0; i < n; i++)
		json_decref(params[i]);
	return ok;
}

int
rpc_batch(struct rpc_client *c, json_t **results, const char *const *methods,
    json_t **params, size_t n, struct rpc_error *err)
{
	struct batch_arg a = { results, NULL, 0, n };
	size_t i;

	memset(results, 0, n * sizeof(*results));
	if (rpc_send_batch(c, &a, methods, params, NULL, err))
		return 1;
	for (i = 0; i < n; i++) {
		json_decref(results[i]);
		results[i] = NULL;
	}
	return 0;
}

int
rpc_batch_text(struct rpc_client *c, char **body, struct rpc_span *spans,
    const char *const *methods, json_t **params, size_t n,
    struct rpc_error *err)
{
	struct batch_arg a = { NULL, spans, 0, n };
	struct rpc_text t = { { NULL, 0, 0, 0, 0 }, NULL };
	size_t i;
	int ok;

	*body = NULL;
	memset(spans, 0, n * sizeof(*spans));
	t.off = xcalloc(n ? n : 1, sizeof(*t.off));
	ok = rpc_send_batch(c, &a, methods, params, &t, err);
	for (i = 0; i < n; i++)
		spans[i].p = ok ? t.all.p + t.off[i] : NULL;
	if (!ok) {
		memset(spans, 0, n * sizeof(*spans));
		free(t.all.p);
		t.all.p = NULL;
	}
	*body = t.all.p;
	free(t.off);
	return ok;
}

void
rpc_stats_get(struct rpc_stats *out)
{
	out->requests = atomic_load(&stat_requests);
	out->received_bytes = atomic_load(&stat_bytes);
	out->throttled = atomic_load(&stat_throttled);
	out->throttle_wait_s = (double)atomic_load(&stat_wait_ms) / 1000;
	out->batch_limit = atomic_load(&stat_limit);
}

int
rpc_batch_blocks(struct rpc_client *c, char **body, struct rpc_span *spans,
    const char *method, const uint64_t *nums, size_t n,
    struct rpc_error *err)
{
	const char **methods = xreallocarray(NULL, n ? n : 1, sizeof(*methods));
	json_t **params = xreallocarray(NULL, n ? n : 1, sizeof(*params));
	int headers = strcmp(method, "eth_getBlockByNumber") == 0, ok;
	char q[19];
	size_t i;

	for (i = 0; i < n; i++) {
		methods[i] = method;
		hex_format_u64(q, nums[i]);
		params[i] = headers ? json_pack("[sb]", q, 0) : json_pack("[s]", q);
	}
	ok = rpc_batch_text(c, body, spans, methods, params, n, err);
	free(methods);
	free(params);
	return ok;
}
