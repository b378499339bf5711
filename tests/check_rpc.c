/* check_rpc.c: the JSON-RPC client against a real anvil (LICGATE_RPC_URL,
 * started by tests/rpc.sh) and against an adversary on loopback that
 * answers 500s, garbage, oversized or mismatched answers, or nothing, and
 * that throttles (429, Retry-After) and refuses large batches the ways
 * geth, Besu and hosted endpoints do. */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <microhttpd.h>

#include "rpc.h"
#include "testutil.h"

enum adv_mode { ADV_ECHO, ADV_500, ADV_GARBAGE, ADV_BIG, ADV_WRONG_ID,
	ADV_BATCH_SHORT, ADV_BATCH_DUP };

/* How the adversary refuses a batch of more than adv_limit calls. */
enum adv_refuse { REF_NONE, REF_GETH, REF_BESU, REF_413, REF_BYTES,
	REF_REAL_ERROR };

static struct MHD_Daemon *adv;
static enum adv_mode adv_mode;
static int adv_hits;
static char adv_auth[128];
static int adv_throttle;		/* answers still to throttle */
static int adv_throttle_status;		/* 429 or 503; 200: error 429 per call */
static char adv_retry_after[64];	/* "" for none; "DATE+N" for a date */
static enum adv_refuse adv_refuse;
static size_t adv_limit;
static size_t adv_sizes[64];		/* calls in each request */

struct adv_req {
	char body[65536];
	size_t len;
};

/* A refusal of batch j, as each kind of node words it: geth one error in
 * an array with the first call's id, Besu one error object with a null id
 * (HTTP 200 both), a hosted endpoint HTTP 413; geth's byte limit answers
 * the first calls and "response too large" to the rest; a real error is a
 * node's error about one call, which no splitting cures. */
static char *
adv_refusal(json_t *j, int *status)
{
	json_t *out, *x;
	size_t i;
	char *s;

	switch (adv_refuse) {
	case REF_GETH:
		out = json_pack("[{s:s,s:O,s:{s:i,s:s}}]", "jsonrpc", "2.0", "id",
		    json_object_get(json_array_get(j, 0), "id"), "error", "code",
		    -32600, "message", "batch too large");
		break;
	case REF_BESU:
		out = json_pack("{s:s,s:n,s:{s:i,s:s}}", "jsonrpc", "2.0", "id",
		    "error", "code", -32005, "message",
		    "Number of requests exceeds max batch size");
		break;
	case REF_413:
		*status = 413;
		return xstrdup("Payload Too Large");
	default:
		out = json_array();
		json_array_foreach(j, i, x)
			json_array_append_new(out, i < adv_limit ?
			    json_pack("{s:s,s:O,s:O}", "jsonrpc", "2.0", "id",
			    json_object_get(x, "id"), "result",
			    json_object_get(x, "method")) :
			    json_pack("{s:s,s:O,s:{s:i,s:s}}", "jsonrpc", "2.0",
			    "id", json_object_get(x, "id"), "error", "code",
			    adv_refuse == REF_BYTES ? -32003 : -32000, "message",
			    adv_refuse == REF_BYTES ? "response too large" :
			    "header not found"));
		break;
	}
	s = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	return s;
}

/* A hosted endpoint's rate limit inside an answer: error 429 for each
 * call. */
static char *
adv_rate_errors(json_t *j)
{
	json_t *out = json_array(), *calls, *x;
	size_t i;
	char *s;

	calls = json_is_array(j) ? json_incref(j) : json_pack("[O]", j);
	json_array_foreach(calls, i, x)
		json_array_append_new(out, json_pack("{s:s,s:O,s:{s:i,s:s}}",
		    "jsonrpc", "2.0", "id", json_object_get(x, "id"), "error",
		    "code", 429, "message", "Your app has exceeded its compute "
		    "units per second capacity"));
	s = json_dumps(json_is_array(j) ? out : json_array_get(out, 0),
	    JSON_COMPACT);
	json_decref(calls);
	json_decref(out);
	return s;
}

/* Answers per adv_mode; ECHO gives a correct "0x1" result for each id (the
 * method's name when batches are limited, to show their order). */
static char *
adv_answer(const char *req, size_t len, int *status)
{
	json_t *j = json_loadb(req, len, 0, NULL), *out, *x;
	size_t i;
	char *s;

	*status = 200;
	if (adv_hits <= 64)
		adv_sizes[adv_hits - 1] = json_is_array(j) ? json_array_size(j) : 1;
	if (adv_throttle > 0) {
		adv_throttle--;
		*status = adv_throttle_status;
		s = *status == 200 ? adv_rate_errors(j) : xstrdup("slow down");
		json_decref(j);
		return s;
	}
	if (json_is_array(j) && adv_refuse != REF_NONE &&
	    json_array_size(j) > adv_limit) {
		s = adv_refusal(j, status);
		json_decref(j);
		return s;
	}
	switch (adv_mode) {
	case ADV_500:
		*status = 500;
		json_decref(j);
		return xstrdup("{\"oops\":1}");
	case ADV_GARBAGE:
		json_decref(j);
		return xstrdup("<html>bad gateway</html>");
	case ADV_BIG:
		json_decref(j);
		s = xmalloc(200001);
		memset(s, ' ', 200000);
		s[200000] = '\0';
		return s;
	default:
		break;
	}
	if (json_is_array(j)) {
		out = json_array();
		json_array_foreach(j, i, x) {
			if (adv_mode == ADV_BATCH_SHORT && i == 1)
				continue;
			json_array_append_new(out, json_pack("{s:s,s:O,s:s}", "jsonrpc",
			    "2.0", "id", adv_mode == ADV_BATCH_DUP ?
			    json_object_get(json_array_get(j, 0), "id") :
			    json_object_get(x, "id"), "result", adv_refuse == REF_NONE ?
			    "0x1" : json_string_value(json_object_get(x, "method"))));
		}
	} else
		out = json_pack("{s:s,s:I,s:s}", "jsonrpc", "2.0", "id",
		    json_integer_value(json_object_get(j, "id")) +
		    (adv_mode == ADV_WRONG_ID), "result", "0x1");
	s = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	json_decref(j);
	return s;
}

/* "DATE+N" as the HTTP-date N seconds from now; anything else as it is. */
static const char *
adv_http_date(const char *v)
{
	static char buf[64];
	time_t t = time(NULL);
	struct tm tm;

	if (strncmp(v, "DATE+", 5) != 0)
		return v;
	t += atoi(v + 5);
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return buf;
}

static enum MHD_Result
adv_handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	struct adv_req *r = *req_cls;
	struct MHD_Response *resp;
	const char *auth;
	enum MHD_Result ret;
	int status;
	char *body;

	(void)cls; (void)url; (void)method; (void)version;
	if (r == NULL) {
		*req_cls = xcalloc(1, sizeof(*r));
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size < sizeof(r->body) - r->len ?
		    *upload_size : sizeof(r->body) - r->len;
		memcpy(r->body + r->len, upload, n);
		r->len += n;
		*upload_size = 0;
		return MHD_YES;
	}
	adv_hits++;
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	snprintf(adv_auth, sizeof(adv_auth), "%s", auth ? auth : "");
	body = adv_answer(r->body, r->len, &status);
	resp = MHD_create_response_from_buffer_with_free_callback(strlen(body),
	    body, free);
	if ((status == 429 || status == 503) && adv_retry_after[0] != '\0')
		MHD_add_response_header(resp, "Retry-After", adv_http_date(
		    adv_retry_after));
	ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
adv_done(void *cls, struct MHD_Connection *c, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls; (void)c; (void)toe;
	free(*req_cls);
	*req_cls = NULL;
}

static char adv_url[64], dead_url[64], silent_url[64];
static int silent_fd;

/* A port that accepts connections (the kernel completes them) but never
 * answers, and a port nobody listens on. */
static int
listen_port(int *fd, int do_listen)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	if (do_listen)
		ck_assert_int_eq(listen(s, 16), 0);
	getsockname(s, (struct sockaddr *)&a, &len);
	*fd = s;
	return ntohs(a.sin_port);
}

static void
setup(void)
{
	const union MHD_DaemonInfo *info;
	int fd;

	adv = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL,
	    adv_handler, NULL, MHD_OPTION_NOTIFY_COMPLETED, adv_done, NULL,
	    MHD_OPTION_END);
	ck_assert_ptr_nonnull(adv);
	info = MHD_get_daemon_info(adv, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(adv_url, sizeof(adv_url), "http://127.0.0.1:%u/", info->port);
	snprintf(dead_url, sizeof(dead_url), "http://127.0.0.1:%d/",
	    listen_port(&fd, 0));
	close(fd);	/* now nobody listens there */
	snprintf(silent_url, sizeof(silent_url), "http://127.0.0.1:%d/",
	    listen_port(&silent_fd, 1));
	adv_mode = ADV_ECHO;
	adv_hits = 0;
	adv_throttle = 0;
	adv_throttle_status = 429;
	adv_retry_after[0] = '\0';
	adv_refuse = REF_NONE;
}

static void
teardown(void)
{
	MHD_stop_daemon(adv);
	close(silent_fd);
}

static struct rpc_client *
client(const char *u1, const char *u2, unsigned retries)
{
	struct rpc_options o = { 1000, 2000, 1 << 20, retries, 10, 40, NULL };
	const char *urls[2] = { u1, u2 }, *why;
	struct rpc_client *c;

	ck_assert_msg(rpc_client_new(&c, urls, u2 ? 2 : 1, &o, &why), "%s", why);
	return c;
}

static const char *
anvil(void)
{
	const char *u = getenv("LICGATE_RPC_URL");

	ck_assert_msg(u != NULL, "LICGATE_RPC_URL not set (run tests/rpc.sh)");
	return u;
}

/* The answer parsers, on bodies a node could send: answers in any order and
 * member order, results handed out as their own text, and each fault named. */
START_TEST(rpc_parse_answers)
{
	static const char ok3[] = "[{\"result\":{\"a\":[1,2]},\"id\":8,\"jsonrpc\":\"2.0\"},"
	    "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x1\"},"
	    " {\"id\":9,\"result\":null}]";
	static const struct { const char *body, *want; int answer; } bad[] = {
		{ "[{\"id\":7,\"result\":1},{\"id\":8,\"result\":2}]",
		  "batch answer is not an array of 3 answers", 0 },
		{ "{\"id\":7,\"result\":1}",
		  "batch answer is not an array of 3 answers", 0 },
		{ "[{\"id\":7,\"result\":1},{\"id\":8,\"result\":2},{\"id\":7,\"result\":3}]",
		  "batch answer repeats id 7", 0 },
		{ "[{\"id\":7,\"result\":1},{\"id\":8,\"result\":2},{\"id\":10,\"result\":3}]",
		  "batch answer 2 has an unknown id", 0 },
		{ "[{\"id\":7,\"result\":1},{\"id\":8,\"result\":2},{\"id\":-9,\"result\":3}]",
		  "batch answer 2 has an unknown id", 0 },
		{ "[{\"id\":7,\"result\":1},{\"id\":8,\"result\":2},[9]]",
		  "batch answer 2 has an unknown id", 0 },
		{ "[{\"id\":7,\"result\":1},{\"id\":8,\"result\":2,\"result\":3},{\"id\":9,\"result\":3}]",
		  "batch item 1: answer has \"result\" twice", 0 },
		{ "[{\"id\":7,\"result\":1},{\"id\":8},{\"id\":9,\"result\":3}]",
		  "batch item 1: answer has neither result nor error", 0 },
		{ "[{\"id\":7,\"result\":1},{\"id\":8,\"error\":{\"message\":\"no such block\",\"code\":-32000}},{\"id\":9,\"result\":3}]",
		  "batch item 1: node error -32000: no such block", 1 },
		{ "[{\"id\":7,\"result\":1},{\"id\":8,\"result\":2},{\"id\":9,\"result\":3}] x",
		  "not JSON: '[{\"id\":7", 0 },
		{ "[{\"id\":7,\"result\":1},{\"id\":8,\"result\":\"0x12},{\"id\":9,\"result\":3}]",
		  "not JSON: ", 0 },
		{ "[{\"id\":7,\"result\":1},{\"id\":8,\"result\":[[2]},{\"id\":9,\"result\":3}]",
		  "not JSON: ", 0 },
		{ "<html>bad gateway</html>", "not JSON: '<html>bad gateway</html>'", 0 },
	};
	struct rpc_span sp[3];
	struct rpc_error err;
	json_t *res[3], *r;
	size_t i;

	ck_assert_msg(rpc_parse_batch_text(sp, ok3, strlen(ok3), 7, 3, &err),
	    "%s", err.msg);
	ck_assert_int_eq((int)sp[0].len, 5);
	ck_assert(memcmp(sp[0].p, "\"0x1\"", 5) == 0);
	ck_assert_int_eq((int)sp[1].len, 11);
	ck_assert(memcmp(sp[1].p, "{\"a\":[1,2]}", 11) == 0);
	ck_assert(sp[2].len == 4 && memcmp(sp[2].p, "null", 4) == 0);
	ck_assert_msg(rpc_parse_batch(res, ok3, strlen(ok3), 7, 3, &err), "%s",
	    err.msg);
	ck_assert_str_eq(json_string_value(res[0]), "0x1");
	ck_assert_int_eq(json_integer_value(json_array_get(
	    json_object_get(res[1], "a"), 1)), 2);
	ck_assert(json_is_null(res[2]));
	for (i = 0; i < 3; i++)
		json_decref(res[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert(!rpc_parse_batch_text(sp, bad[i].body,
		    strlen(bad[i].body), 7, 3, &err));
		ck_assert_msg(strstr(err.msg, bad[i].want) == err.msg,
		    "%zu: %s", i, err.msg);
		ck_assert_int_eq(err.answer, bad[i].answer);
		if (!bad[i].answer)
			ck_assert_int_eq(err.code, 0);	/* no refusal */
		ck_assert_ptr_null(sp[0].p);
		ck_assert(!rpc_parse_batch(res, bad[i].body, strlen(bad[i].body),
		    7, 3, &err));
		ck_assert_msg(strstr(err.msg, bad[i].want) == err.msg,
		    "%zu: %s", i, err.msg);
		ck_assert_ptr_null(res[0]);
	}
	/* A batch refused for its size, as geth (one error in an array, for
	 * --rpc.batch-request-limit; "response too large" per call past
	 * --rpc.batch-response-max-size) and Besu (one error object) answer,
	 * and as any node that answers fewer calls than asked, all errors. */
	static const struct { const char *body; long code; } size[] = {
		{ "[{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32600,"
		  "\"message\":\"batch too large\"}}]", RPC_REFUSED },
		{ "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32005,"
		  "\"message\":\"Number of requests exceeds max batch size\"}}",
		  RPC_REFUSED },
		{ "[{\"id\":7,\"result\":1},{\"id\":8,\"error\":{\"code\":-32003,"
		  "\"message\":\"response too large\"}},{\"id\":9,\"error\":"
		  "{\"code\":-32003,\"message\":\"response too large\"}}]",
		  RPC_TOO_LARGE },
		{ "[{\"id\":7,\"error\":{\"code\":-32600,\"message\":"
		  "\"invalid request\"}}]", RPC_REFUSED },
		/* A hosted endpoint's rate limit, per call. */
		{ "[{\"id\":7,\"result\":1},{\"id\":8,\"error\":{\"code\":429,"
		  "\"message\":\"exceeded its capacity\"}},{\"id\":9,\"result\":3}]",
		  RPC_THROTTLED },
	};
	for (i = 0; i < sizeof(size) / sizeof(size[0]); i++) {
		ck_assert(!rpc_parse_batch_text(sp, size[i].body,
		    strlen(size[i].body), 7, 3, &err));
		ck_assert_msg(!err.answer && err.code == size[i].code, "%zu: %ld %s",
		    i, err.code, err.msg);
		ck_assert(!rpc_parse_batch(res, size[i].body, strlen(size[i].body),
		    7, 3, &err));
		ck_assert_int_eq(err.code, size[i].code);
	}
	/* Inside a result the text reader only finds its end; what reads the
	 * result checks it, as the tree reader does here. */
	static const char inner[] = "[{\"id\":7,\"result\":1},"
	    "{\"id\":8,\"result\":[2,]},{\"id\":9,\"result\":3}]";
	ck_assert(rpc_parse_batch_text(sp, inner, strlen(inner), 7, 3, &err));
	ck_assert(sp[1].len == 4 && memcmp(sp[1].p, "[2,]", 4) == 0);
	ck_assert(!rpc_parse_batch(res, inner, strlen(inner), 7, 3, &err));
	ck_assert_msg(strstr(err.msg, "batch item 1: result: ") == err.msg,
	    "%s", err.msg);
	/* A result that is JSON but holds a repeated key is refused whole. */
	ck_assert(!rpc_parse_single(&r, "{\"id\":1,\"result\":{\"a\":1,\"a\":2}}",
	    31, 1, &err));
	ck_assert_msg(strstr(err.msg, "result: duplicate object key") == err.msg,
	    "%s", err.msg);
	ck_assert(!rpc_parse_single(&r, "[1]", 3, 1, &err));
	ck_assert_str_eq(err.msg, "answer is not a JSON object");
	ck_assert(!rpc_parse_single(&r, "{\"id\":2,\"result\":1}", 19, 1, &err));
	ck_assert_str_eq(err.msg, "answer has the wrong id");
	ck_assert(!rpc_parse_single(&r, "{\"id\":1,\"error\":5}", 18, 1, &err));
	ck_assert_str_eq(err.msg, "node error 0: (no message)");
	ck_assert(!rpc_parse_single(&r, "{\"id\":1,\"error\":{\"code\":-32005,"
	    "\"message\":\"Rate limit reached\"}}", 63, 1, &err));
	ck_assert(!err.answer && err.code == RPC_THROTTLED);
	ck_assert(rpc_parse_single(&r, " {\"id\":1,\"result\":\"0x7a69\"}\n", 28,
	    1, &err));
	ck_assert_str_eq(json_string_value(r), "0x7a69");
	json_decref(r);
}
END_TEST

START_TEST(rpc_real_node)
{
	struct rpc_client *c = client(anvil(), NULL, 0);
	struct rpc_error err;
	json_t *r, *res[20], *params[20];
	const char *methods[20];
	uint64_t n;
	const char *why;
	size_t i;

	ck_assert_msg(rpc_call(c, &r, "eth_chainId", NULL, &err), "%s", err.msg);
	ck_assert_str_eq(json_string_value(r), "0x7a69");
	json_decref(r);
	ck_assert(rpc_call(c, &r, "anvil_mine", json_pack("[i]", 25), &err));
	json_decref(r);
	ck_assert(rpc_call(c, &r, "eth_blockNumber", NULL, &err));
	ck_assert(hex_quantity_u64(&n, json_string_value(r), &why));
	ck_assert_uint_ge(n, 25);
	json_decref(r);
	for (i = 0; i < 20; i++) {
		char q[19];
		methods[i] = "eth_getBlockByNumber";
		params[i] = json_pack("[s,b]", hex_format_u64(q, i), 0);
	}
	ck_assert_msg(rpc_batch(c, res, methods, params, 20, &err), "%s", err.msg);
	for (i = 0; i < 20; i++) {
		ck_assert(hex_quantity_u64(&n, json_string_value(json_object_get(res[i],
		    "number")), &why));
		ck_assert_uint_eq(n, i);
		json_decref(res[i]);
	}
	/* The node's own error is reported with its code and not retried. */
	ck_assert(!rpc_call(c, &r, "eth_noSuchMethod", NULL, &err));
	ck_assert(err.answer);
	ck_assert_int_eq(err.code, -32601);
	ck_assert_msg(strstr(err.msg, "eth_noSuchMethod: node error -32601") != NULL,
	    "%s", err.msg);
	rpc_client_free(c);
}
END_TEST

START_TEST(rpc_failover)
{
	struct rpc_client *c;
	struct rpc_error err;
	json_t *r;

	c = client(dead_url, anvil(), 2);
	ck_assert_msg(rpc_call(c, &r, "eth_chainId", NULL, &err), "%s", err.msg);
	json_decref(r);
	rpc_client_free(c);
	adv_mode = ADV_500;
	c = client(adv_url, anvil(), 2);
	ck_assert_msg(rpc_call(c, &r, "eth_chainId", NULL, &err), "%s", err.msg);
	ck_assert_int_eq(adv_hits, 1);
	json_decref(r);
	/* The failed endpoint is no longer tried first. */
	ck_assert(rpc_call(c, &r, "eth_chainId", NULL, &err));
	ck_assert_int_eq(adv_hits, 1);
	json_decref(r);
	rpc_client_free(c);
}
END_TEST

/* Each fault of the adversary gives its own clear error, and the client
 * works again once the adversary answers properly. */
START_TEST(rpc_faults)
{
	static const struct { enum adv_mode m; const char *want; int hits;
	    long code; } cases[] = {
		{ ADV_500, "HTTP 500", 2, 0 },
		{ ADV_GARBAGE, "not JSON: '<html>bad gateway</html>'", 2, 0 },
		/* Not retried: it would be as large again; the caller can tell
		 * it from the code and ask for less. */
		{ ADV_BIG, "response larger than 65536 bytes", 1, RPC_TOO_LARGE },
		{ ADV_WRONG_ID, "answer has the wrong id", 2, 0 },
	};
	struct rpc_options o = { 1000, 2000, 65536, 1, 5, 10, NULL };
	const char *urls[1] = { adv_url }, *why;
	struct rpc_client *c;
	struct rpc_error err;
	json_t *r;
	size_t i;

	ck_assert(rpc_client_new(&c, urls, 1, &o, &why));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		adv_mode = cases[i].m;
		adv_hits = 0;
		ck_assert(!rpc_call(c, &r, "eth_blockNumber", NULL, &err));
		ck_assert_msg(strstr(err.msg, cases[i].want) != NULL, "%s", err.msg);
		ck_assert_msg(strstr(err.msg, adv_url) == err.msg + 5, "%s", err.msg);
		ck_assert_int_eq(adv_hits, cases[i].hits);	/* retried once */
		ck_assert_int_eq(err.code, cases[i].code);
	}
	adv_mode = ADV_ECHO;
	ck_assert_msg(rpc_call(c, &r, "eth_blockNumber", NULL, &err), "%s", err.msg);
	json_decref(r);
	rpc_client_free(c);
}
END_TEST

START_TEST(rpc_batch_faults)
{
	struct rpc_client *c = client(adv_url, NULL, 0);
	const char *methods[3] = { "a", "b", "c" };
	json_t *params[3], *res[3];
	struct rpc_error err;
	size_t i;

	adv_mode = ADV_BATCH_SHORT;
	for (i = 0; i < 3; i++)
		params[i] = NULL;
	ck_assert(!rpc_batch(c, res, methods, params, 3, &err));
	ck_assert_msg(strstr(err.msg, "batch answer is not an array of 3 answers"),
	    "%s", err.msg);
	adv_mode = ADV_BATCH_DUP;
	ck_assert(!rpc_batch(c, res, methods, params, 3, &err));
	ck_assert_msg(strstr(err.msg, "batch answer repeats id"), "%s", err.msg);
	adv_mode = ADV_ECHO;
	ck_assert(rpc_batch(c, res, methods, params, 3, &err));
	for (i = 0; i < 3; i++)
		json_decref(res[i]);
	rpc_client_free(c);
}
END_TEST

START_TEST(rpc_timeout)
{
	struct rpc_options o = { 500, 300, 65536, 0, 5, 10, NULL };
	const char *urls[1] = { silent_url }, *why;
	struct rpc_client *c;
	struct rpc_error err;
	json_t *r;

	ck_assert(rpc_client_new(&c, urls, 1, &o, &why));
	ck_assert(!rpc_call(c, &r, "eth_getBlockByNumber", NULL, &err));
	ck_assert_msg(strstr(err.msg, "eth_getBlockByNumber: timed out after 300 ms"),
	    "%s", err.msg);
	rpc_client_free(c);
}
END_TEST

/* Credentials are sent but never shown. */
START_TEST(rpc_credentials)
{
	struct rpc_options o = { 500, 1000, 65536, 0, 5, 10, "s3cret-token" };
	char secret_url[128], shown[128];
	const char *urls[1], *why;
	struct rpc_client *c;
	struct rpc_error err;
	json_t *r;

	snprintf(secret_url, sizeof(secret_url), "http://alice:hunter2@%s",
	    dead_url + 7);
	urls[0] = secret_url;
	ck_assert(rpc_client_new(&c, urls, 1, &o, &why));
	ck_assert(!rpc_call(c, &r, "eth_chainId", NULL, &err));
	ck_assert_msg(strstr(err.msg, "hunter2") == NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "http://***@127.0.0.1:") != NULL, "%s", err.msg);
	rpc_client_free(c);
	urls[0] = adv_url;
	ck_assert(rpc_client_new(&c, urls, 1, &o, &why));
	ck_assert(rpc_call(c, &r, "eth_chainId", NULL, &err));
	json_decref(r);
	ck_assert_str_eq(adv_auth, "Bearer s3cret-token");
	rpc_client_free(c);
	ck_assert_str_eq(rpc_redact(shown, sizeof(shown),
	    "https://u:p@node.example:8545/x@y"), "https://***@node.example:8545/***");
	ck_assert_str_eq(rpc_redact(shown, sizeof(shown), "http://h/a@b"),
	    "http://h/***");
	/* Hosted endpoints' keys: in the path, the query or the fragment. */
	ck_assert_str_eq(rpc_redact(shown, sizeof(shown),
	    "https://mainnet.example/v3/0123abcdKEY"), "https://mainnet.example/***");
	ck_assert_str_eq(rpc_redact(shown, sizeof(shown),
	    "https://node.example:443?apikey=KEY"), "https://node.example:443/***");
	ck_assert_str_eq(rpc_redact(shown, sizeof(shown),
	    "http://[::1]:8545/#KEY"), "http://[::1]:8545/***");
	ck_assert_str_eq(rpc_redact(shown, sizeof(shown),
	    "http://127.0.0.1:8545/"), "http://127.0.0.1:8545/");
	ck_assert_str_eq(rpc_redact(shown, sizeof(shown),
	    "http://a:b@c@127.0.0.1:8545"), "http://***@127.0.0.1:8545");
	urls[0] = "ftp://x";
	ck_assert(!rpc_client_new(&c, urls, 1, &o, &why));
}
END_TEST

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Throttled once with value as Retry-After, then answered: the call
 * succeeds with no retries allowed, after waiting want_s to max_s seconds,
 * counted in the stats. */
static void
throttled_once(int status, const char *value, double want_s, double max_s)
{
	struct rpc_client *c = client(adv_url, NULL, 0);
	struct rpc_stats st0, st;
	struct rpc_error err;
	double t0;
	json_t *r;

	adv_throttle = 1;
	adv_throttle_status = status;
	snprintf(adv_retry_after, sizeof(adv_retry_after), "%s", value);
	adv_hits = 0;
	rpc_stats_get(&st0);
	t0 = now_s();
	ck_assert_msg(rpc_call(c, &r, "eth_chainId", NULL, &err), "%s", err.msg);
	t0 = now_s() - t0;
	json_decref(r);
	rpc_stats_get(&st);
	ck_assert_int_eq(adv_hits, 2);
	ck_assert_msg(t0 >= want_s && t0 < max_s, "%d %s: waited %.2f s",
	    status, value, t0);
	ck_assert_uint_eq(st.requests - st0.requests, 2);
	ck_assert_uint_eq(st.throttled - st0.throttled, 1);
	ck_assert_msg(st.throttle_wait_s - st0.throttle_wait_s > want_s - 0.001 &&
	    st.throttle_wait_s - st0.throttle_wait_s < max_s, "%.2f",
	    st.throttle_wait_s - st0.throttle_wait_s);
	rpc_client_free(c);
}

/* A throttling node is waited for as it asks and asked again, without
 * using up the retries meant for failures: Retry-After in seconds, as an
 * HTTP-date, absent (the backoff), on a 503, and an error 429 in the
 * answer. */
START_TEST(rpc_throttle_wait)
{
	throttled_once(429, "1", 1.0, 1.5);
	/* A date 2 s ahead is 1 to 2 s away by the time curl reads it. */
	throttled_once(429, "DATE+2", 1.0, 2.5);
	throttled_once(429, "", 0.0, 0.5);	/* the backoff: 5 to 10 ms */
	throttled_once(503, "1", 1.0, 1.5);
	throttled_once(200, "", 0.0, 0.5);	/* error 429, and the backoff */
}
END_TEST

/* Waits longer than RPC_THROTTLE_MAX_S are not made: the endpoint has
 * failed (retried as failures are), and a 503 without Retry-After is an
 * ordinary failure. */
START_TEST(rpc_throttle_cap)
{
	struct rpc_client *c = client(adv_url, NULL, 1);
	struct rpc_error err;
	double t0;
	json_t *r;
	char want[64];

	adv_throttle = 100;
	snprintf(adv_retry_after, sizeof(adv_retry_after), "%d",
	    RPC_THROTTLE_MAX_S + 1);
	t0 = now_s();
	ck_assert(!rpc_call(c, &r, "eth_chainId", NULL, &err));
	ck_assert_msg(now_s() - t0 < 1, "waited %.2f s", now_s() - t0);
	ck_assert_int_eq(adv_hits, 2);
	ck_assert_int_eq(err.code, RPC_THROTTLED);
	snprintf(want, sizeof(want), "HTTP 429, asked to wait %d.0 s more, over "
	    "the %d s limit", RPC_THROTTLE_MAX_S + 1, RPC_THROTTLE_MAX_S);
	ck_assert_msg(strstr(err.msg, want) != NULL, "%s", err.msg);
	adv_hits = 0;
	adv_throttle_status = 503;
	adv_retry_after[0] = '\0';
	ck_assert(!rpc_call(c, &r, "eth_chainId", NULL, &err));
	ck_assert_int_eq(adv_hits, 2);
	ck_assert_msg(strstr(err.msg, "HTTP 503") != NULL, "%s", err.msg);
	rpc_client_free(c);
}
END_TEST

/* stderr into a file, and back: how many lines holding needle were
 * logged meanwhile. */
static int log_fd = -1, log_saved = -1;

static void
log_capture(void)
{
	char path[] = "/tmp/check_rpc.XXXXXX";

	fflush(stderr);
	ck_assert_int_ge(log_fd = mkstemp(path), 0);
	unlink(path);
	log_saved = dup(2);
	dup2(log_fd, 2);
}

static int
log_count(const char *needle)
{
	char buf[8192], *p;
	ssize_t len;
	int n = 0;

	fflush(stderr);
	dup2(log_saved, 2);
	close(log_saved);
	len = pread(log_fd, buf, sizeof(buf) - 1, 0);
	close(log_fd);
	buf[len > 0 ? len : 0] = '\0';
	for (p = buf; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* A throttling episode is logged once, however many answers and calls it
 * spans. */
START_TEST(rpc_throttle_episode)
{
	struct rpc_client *c = client(adv_url, NULL, 0), *d = rpc_client_clone(c);
	struct rpc_error err;
	json_t *r;

	adv_throttle = 3;
	log_capture();
	ck_assert(rpc_call(c, &r, "eth_chainId", NULL, &err));
	json_decref(r);
	adv_throttle = 2;
	ck_assert(rpc_call(d, &r, "eth_chainId", NULL, &err));
	json_decref(r);
	ck_assert_int_eq(log_count("HTTP 429: waiting"), 1);
	ck_assert_int_eq(adv_hits, 7);
	rpc_client_free(d);
	rpc_client_free(c);
}
END_TEST

/* Sends methods m0..m<n-1> as one batch, checks every answer is in its
 * place, and returns how many requests it took. */
static int
batch_in_order(struct rpc_client *c, size_t n, int text)
{
	const char *methods[40];
	char names[40][8];
	json_t *params[40], *res[40];
	struct rpc_span sp[40];
	struct rpc_error err;
	char *body, want[16];
	int hits0 = adv_hits;
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "m%zu", i);
		methods[i] = names[i];
		params[i] = json_pack("[i]", (int)i);
	}
	if (text) {
		ck_assert_msg(rpc_batch_text(c, &body, sp, methods, params, n, &err),
		    "%s", err.msg);
		for (i = 0; i < n; i++) {
			snprintf(want, sizeof(want), "\"m%zu\"", i);
			ck_assert_msg(sp[i].len == strlen(want) &&
			    memcmp(sp[i].p, want, sp[i].len) == 0, "%zu: %.*s", i,
			    (int)sp[i].len, sp[i].p);
		}
		free(body);
	} else {
		ck_assert_msg(rpc_batch(c, res, methods, params, n, &err), "%s",
		    err.msg);
		for (i = 0; i < n; i++) {
			ck_assert_str_eq(json_string_value(res[i]), names[i]);
			json_decref(res[i]);
		}
	}
	return adv_hits - hits0;
}

/* A batch refused for its count, as geth, Besu or a hosted endpoint
 * refuse it, comes back whole and in order from parts the node accepts;
 * the limit is found by bisection (a few refusals), shown in the stats,
 * and used from then on by the client and its clones, without refusals. */
START_TEST(rpc_batch_refused)
{
	static const enum adv_refuse kinds[] = { REF_GETH, REF_BESU, REF_413 };
	struct rpc_client *c, *d;
	struct rpc_stats st;
	size_t k, i;
	int hits;

	adv_limit = 5;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		adv_refuse = kinds[k];
		c = client(adv_url, NULL, 0);
		adv_hits = 0;
		hits = batch_in_order(c, 40, k == 1);
		/* 40, 20 and 10 refused, 5 taken, 7 and 6 refused, then 7
		 * times 5: 5 refusals and 8 parts. */
		ck_assert_int_eq(hits, 13);
		rpc_stats_get(&st);
		ck_assert_uint_eq(st.batch_limit, 5);
		d = rpc_client_clone(c);
		adv_hits = 0;
		ck_assert_int_eq(batch_in_order(d, 40, k != 1), 8);
		for (i = 0; i < 8; i++)
			ck_assert_uint_eq(adv_sizes[i], 5);
		ck_assert_int_eq(batch_in_order(c, 3, 0), 1);
		rpc_client_free(d);
		rpc_client_free(c);
	}
}
END_TEST

/* An answer cut at the node's byte limit (geth's "response too large"
 * after the first calls) is asked for again in halves, and not learned as
 * a count limit; a node's real error about one call still fails the batch
 * at once. */
START_TEST(rpc_batch_bytes)
{
	struct rpc_client *c = client(adv_url, NULL, 2);
	const char *methods[4] = { "a", "b", "c", "d" };
	json_t *params[4] = { NULL, NULL, NULL, NULL }, *res[4];
	struct rpc_stats st;
	struct rpc_error err;

	adv_refuse = REF_BYTES;
	adv_limit = 12;
	ck_assert_int_eq(batch_in_order(c, 20, 1), 3);	/* 20, then 10 and 10 */
	ck_assert_uint_eq(adv_sizes[1], 10);
	rpc_stats_get(&st);
	ck_assert_uint_eq(st.batch_limit, 0);
	ck_assert_int_eq(batch_in_order(c, 20, 0), 3);
	adv_refuse = REF_REAL_ERROR;
	adv_limit = 2;
	adv_hits = 0;
	ck_assert(!rpc_batch(c, res, methods, params, 4, &err));
	ck_assert_int_eq(adv_hits, 1);
	ck_assert(err.answer);
	ck_assert_msg(strstr(err.msg, "batch item 2: node error -32000: header "
	    "not found") != NULL, "%s", err.msg);
	ck_assert_ptr_null(res[0]);
	rpc_client_free(c);
}
END_TEST

static Suite *
rpc_suite(void)
{
	Suite *s = suite_create("rpc");
	TCase *tc = tcase_create("rpc");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rpc_parse_answers);
	tcase_add_test(tc, rpc_real_node);
	tcase_add_test(tc, rpc_failover);
	tcase_add_test(tc, rpc_faults);
	tcase_add_test(tc, rpc_batch_faults);
	tcase_add_test(tc, rpc_timeout);
	tcase_add_test(tc, rpc_credentials);
	tcase_add_test(tc, rpc_throttle_wait);
	tcase_add_test(tc, rpc_throttle_cap);
	tcase_add_test(tc, rpc_throttle_episode);
	tcase_add_test(tc, rpc_batch_refused);
	tcase_add_test(tc, rpc_batch_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return tu_run(rpc_suite());
}
