/* rpcreplay.c: the recorded node.  Every answer is built under one lock
 * from the recording, copied before a lie changes it, so that the test's
 * thread can change the scenario between (or during) the follower's
 * calls. */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <check.h>
#include <microhttpd.h>

#include "rpcreplay.h"
#include "testutil.h"

#define RPCREPLAY_MAX_BODY (1u << 20)	/* the follower's largest batch
					 * asks far less */

#define RR_NMETHODS 6		/* the methods the follower calls */

struct rpcreplay {
	struct MHD_Daemon *mhd;
	char url[64];
	json_t *rec;
	const json_t *branch[2];	/* a, b */
	uint64_t fork;
	pthread_mutex_t mu;		/* guards what follows */
	int cur;			/* 0: a, 1: b */
	uint64_t head;
	enum rpcreplay_lie lie;
	uint64_t lie_number;
	uint64_t pruned;
	char refused[64];
	unsigned calls[RR_NMETHODS];
	unsigned lies;
};

/* A request body being received. */
struct rr_req {
	char *body;
	size_t len;
	int too_big;
};

static uint64_t
rr_u64(const json_t *j)
{
	const char *s = json_string_value(j);

	return s != NULL ? strtoull(s, NULL, 16) : 0;
}

/* The recorded answers of block n on branch b (0 or 1), or NULL. */
static const json_t *
rr_block(const struct rpcreplay *r, int b, uint64_t n)
{
	const json_t *br;
	uint64_t from;

	if (b == 1 && n <= r->fork)
		b = 0;
	br = r->branch[b];
	from = json_integer_value(json_object_get(br, "from"));
	if (n < from || n > (uint64_t)json_integer_value(json_object_get(br,
	    "head")))
		return NULL;
	return json_array_get(json_object_get(br, "blocks"), n - from);
}

/* Block n as the node serves it now: NULL above its head. */
static const json_t *
rr_served(struct rpcreplay *r, uint64_t n)
{
	if (n > r->head)
		return NULL;
	if (r->lie == RPCREPLAY_OTHER_BRANCH && n == r->lie_number) {
		r->lies++;
		return rr_block(r, !r->cur, n);
	}
	return rr_block(r, r->cur, n);
}

static json_t *
rr_error(long code, const char *msg)
{
	return json_pack("{s:I,s:s}", "code", (json_int_t)code, "message", msg);
}

/* A lie's one byte: hex text s with its last digit changed (a byte added
 * to empty data).  New reference. */
static json_t *
rr_flipped(const json_t *s)
{
	const char *v = json_string_value(s);
	size_t n = v != NULL ? strlen(v) : 0;
	char *t;
	json_t *out;

	if (n <= 2)
		return json_string("0x00");
	t = xstrdup(v);
	t[n - 1] = t[n - 1] == '0' ? '1' : '0';
	out = json_string(t);
	free(t);
	return out;
}

static void
rr_flip(json_t *o, const char *key)
{
	json_object_set_new(o, key, rr_flipped(json_object_get(o, key)));
}

/* The first registry log of receipts: *logs is its receipt's log array,
 * *k its index there.  0 when there is none. */
static int
rr_registry_log(const struct rpcreplay *r, json_t *receipts, json_t **logs,
    size_t *k)
{
	const char *reg = json_string_value(json_object_get(r->rec,
	    "registry"));
	const char *addr;
	json_t *rc, *l;
	size_t i, j;

	json_array_foreach(receipts, i, rc) {
		*logs = json_object_get(rc, "logs");
		json_array_foreach(*logs, j, l) {
			addr = json_string_value(json_object_get(l, "address"));
			if (addr != NULL && strcasecmp(addr, reg) == 0) {
				*k = j;
				return 1;
			}
		}
	}
	return 0;
}

static json_t *
rr_chain_id(struct rpcreplay *r, const json_t *params, json_t **err)
{
	(void)params; (void)err;
	return json_deep_copy(json_object_get(r->rec, "chainId"));
}

static json_t *
rr_block_number(struct rpcreplay *r, const json_t *params, json_t **err)
{
	char q[19];

	(void)params; (void)err;
	return json_string(hex_format_u64(q, r->head));
}

static json_t *
rr_header(struct rpcreplay *r, const json_t *params, json_t **err)
{
	uint64_t n = rr_u64(json_array_get(params, 0));
	const json_t *b = rr_served(r, n);
	json_t *h;

	(void)err;
	if (b == NULL)
		return json_null();
	h = json_deep_copy(json_object_get(b, "header"));
	if (r->lie == RPCREPLAY_HEADER_ROOT && n == r->lie_number) {
		rr_flip(h, "stateRoot");
		r->lies++;
	}
	return h;
}

static json_t *
rr_receipts(struct rpcreplay *r, const json_t *params, json_t **err)
{
	uint64_t n = rr_u64(json_array_get(params, 0));
	const json_t *b = rr_served(r, n);
	json_t *rs, *logs;
	size_t k;

	(void)err;
	if (b == NULL)
		return json_null();
	rs = json_deep_copy(json_object_get(b, "receipts"));
	if (n != r->lie_number || (r->lie != RPCREPLAY_LOG_DATA &&
	    r->lie != RPCREPLAY_DROP_LOG) || !rr_registry_log(r, rs, &logs, &k))
		return rs;
	if (r->lie == RPCREPLAY_LOG_DATA)
		rr_flip(json_array_get(logs, k), "data");
	else
		json_array_remove(logs, k);
	r->lies++;
	return rs;
}

/* The account proof's last node with its last byte changed. */
static void
rr_alter_proof(json_t *p)
{
	json_t *nodes = json_object_get(p, "accountProof");
	size_t last = json_array_size(nodes) - 1;

	json_array_set_new(nodes, last, rr_flipped(json_array_get(nodes,
	    last)));
}

static json_t *
rr_proof(struct rpcreplay *r, const json_t *params, json_t **err)
{
	uint64_t n = rr_u64(json_array_get(params, 2));
	const json_t *b = rr_served(r, n);
	json_t *p;

	if (b == NULL) {
		*err = rr_error(-32000, "header not found");
		return NULL;
	}
	if (n < r->pruned) {
		/* geth's words for state it no longer keeps */
		*err = rr_error(-32000, "missing trie node (path ) "
		    "state is not available");
		return NULL;
	}
	if (n == r->lie_number && r->lie == RPCREPLAY_STALE_PROOF && n > 0) {
		b = rr_served(r, n - 1);
		r->lies++;
	}
	p = json_deep_copy(json_object_get(b, "proof"));
	if (n == r->lie_number && r->lie == RPCREPLAY_PROOF_NODE) {
		rr_alter_proof(p);
		r->lies++;
	}
	return p;
}

static json_t *
rr_logs(struct rpcreplay *r, const json_t *params, json_t **err)
{
	const json_t *f = json_array_get(params, 0), *l;
	uint64_t from = rr_u64(json_object_get(f, "fromBlock"));
	uint64_t to = rr_u64(json_object_get(f, "toBlock")), n;
	json_t *out = json_array();
	size_t i;

	(void)err;
	json_array_foreach(json_object_get(r->branch[r->cur], "logs"), i, l) {
		n = rr_u64(json_object_get(l, "blockNumber"));
		if (n < from || n > to || n > r->head)
			continue;
		if (r->lie == RPCREPLAY_HINT_HIDE && n == r->lie_number) {
			r->lies++;
			continue;
		}
		json_array_append_new(out, json_deep_copy(l));
	}
	return out;
}

/* What the node answers, method by method. */
static const struct rr_method {
	const char *name;
	json_t *(*fn)(struct rpcreplay *, const json_t *params, json_t **err);
} rr_table[RR_NMETHODS] = {
	{ "eth_chainId", rr_chain_id },
	{ "eth_blockNumber", rr_block_number },
	{ "eth_getBlockByNumber", rr_header },
	{ "eth_getBlockReceipts", rr_receipts },
	{ "eth_getProof", rr_proof },
	{ "eth_getLogs", rr_logs }
};

static int
rr_index(const char *method)
{
	size_t i;

	for (i = 0; i < RR_NMETHODS; i++)
		if (strcmp(rr_table[i].name, method) == 0)
			return (int)i;
	return -1;
}

/* The answer object to one call, counted. */
static json_t *
rr_answer(struct rpcreplay *r, const json_t *call)
{
	const char *method = json_string_value(json_object_get(call,
	    "method"));
	json_t *res = NULL, *err = NULL, *out;
	int i = method != NULL ? rr_index(method) : -1;

	if (i >= 0)
		r->calls[i]++;
	if (i < 0 || strcmp(method, r->refused) == 0)
		err = rr_error(-32601, "the method does not exist/is not "
		    "available");
	else
		res = rr_table[i].fn(r, json_object_get(call, "params"), &err);
	out = json_pack("{s:s,s:O?}", "jsonrpc", "2.0", "id",
	    json_object_get(call, "id"));
	json_object_set_new(out, err != NULL ? "error" : "result",
	    err != NULL ? err : res);
	return out;
}

/* The answer to a body: one call or a batch. */
static char *
rr_body(struct rpcreplay *r, const char *body, size_t len)
{
	json_t *req = json_loadb(body, len, 0, NULL), *out, *call;
	size_t i;
	char *s;

	pthread_mutex_lock(&r->mu);
	if (json_is_array(req)) {
		out = json_array();
		json_array_foreach(req, i, call)
			json_array_append_new(out, rr_answer(r, call));
	} else if (json_is_object(req))
		out = rr_answer(r, req);
	else
		out = json_pack("{s:s,s:n,s:o}", "jsonrpc", "2.0", "id",
		    "error", rr_error(-32700, "parse error"));
	pthread_mutex_unlock(&r->mu);
	s = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	json_decref(req);
	return s;
}

static enum MHD_Result
rr_handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	struct rr_req *q = *req_cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *body;

	(void)url; (void)method; (void)version;
	if (q == NULL) {
		*req_cls = xcalloc(1, sizeof(*q));
		return MHD_YES;
	}
	if (*upload_size) {
		if (q->len + *upload_size > RPCREPLAY_MAX_BODY)
			q->too_big = 1;
		else {
			q->body = xreallocarray(q->body, 1, q->len + *upload_size);
			memcpy(q->body + q->len, upload, *upload_size);
			q->len += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	body = q->too_big ? xstrdup("request too large") :
	    rr_body(cls, q->body, q->len);
	resp = MHD_create_response_from_buffer_with_free_callback(strlen(body),
	    body, free);
	MHD_add_response_header(resp, "Content-Type", "application/json");
	ret = MHD_queue_response(c, q->too_big ? 413 : 200, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
rr_done(void *cls, struct MHD_Connection *c, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct rr_req *q = *req_cls;

	(void)cls; (void)c; (void)toe;
	if (q != NULL)
		free(q->body);
	free(q);
	*req_cls = NULL;
}

struct rpcreplay *
rpcreplay_start(json_t *rec)
{
	struct rpcreplay *r = xcalloc(1, sizeof(*r));
	struct sockaddr_in a = { 0 };
	const union MHD_DaemonInfo *info;

	r->rec = json_incref(rec);
	r->branch[0] = json_object_get(json_object_get(r->rec, "branches"),
	    "a");
	r->branch[1] = json_object_get(json_object_get(r->rec, "branches"),
	    "b");
	ck_assert_ptr_nonnull(r->branch[0]);
	ck_assert_ptr_nonnull(r->branch[1]);
	r->fork = json_integer_value(json_object_get(r->rec, "fork"));
	r->head = json_integer_value(json_object_get(r->branch[0], "head"));
	pthread_mutex_init(&r->mu, NULL);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->mhd = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL,
	    rr_handler, r, MHD_OPTION_NOTIFY_COMPLETED, rr_done, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a, MHD_OPTION_END);
	ck_assert_msg(r->mhd != NULL, "the replay node did not start");
	info = MHD_get_daemon_info(r->mhd, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(r->url, sizeof(r->url), "http://127.0.0.1:%u/", info->port);
	return r;
}

void
rpcreplay_stop(struct rpcreplay *r)
{
	if (r == NULL)
		return;
	MHD_stop_daemon(r->mhd);
	pthread_mutex_destroy(&r->mu);
	json_decref(r->rec);
	free(r);
}

const char *
rpcreplay_url(const struct rpcreplay *r)
{
	return r->url;
}

const json_t *
rpcreplay_recording(const struct rpcreplay *r)
{
	return r->rec;
}

void
rpcreplay_set_chain(struct rpcreplay *r, char branch, uint64_t head)
{
	int b = branch == 'b';

	ck_assert_msg(rr_block(r, b, head) != NULL, "branch %c has no block %"
	    PRIu64, branch, head);
	pthread_mutex_lock(&r->mu);
	r->cur = b;
	r->head = head;
	pthread_mutex_unlock(&r->mu);
}

void
rpcreplay_set_lie(struct rpcreplay *r, enum rpcreplay_lie lie,
    uint64_t number)
{
	pthread_mutex_lock(&r->mu);
	r->lie = lie;
	r->lie_number = number;
	pthread_mutex_unlock(&r->mu);
}

void
rpcreplay_set_pruned(struct rpcreplay *r, uint64_t number)
{
	pthread_mutex_lock(&r->mu);
	r->pruned = number;
	pthread_mutex_unlock(&r->mu);
}

void
rpcreplay_set_refused(struct rpcreplay *r, const char *method)
{
	pthread_mutex_lock(&r->mu);
	snprintf(r->refused, sizeof(r->refused), "%s", method ? method : "");
	pthread_mutex_unlock(&r->mu);
}

unsigned
rpcreplay_calls(struct rpcreplay *r, const char *method)
{
	int i = rr_index(method);
	unsigned n;

	ck_assert_int_ge(i, 0);
	pthread_mutex_lock(&r->mu);
	n = r->calls[i];
	pthread_mutex_unlock(&r->mu);
	return n;
}

unsigned
rpcreplay_lies(struct rpcreplay *r)
{
	unsigned n;

	pthread_mutex_lock(&r->mu);
	n = r->lies;
	pthread_mutex_unlock(&r->mu);
	return n;
}

const json_t *
rpcreplay_block(const struct rpcreplay *r, char branch, uint64_t number)
{
	return rr_block(r, branch == 'b', number);
}

uint64_t
rpcreplay_next_event_block(const struct rpcreplay *r, char branch,
    uint64_t number)
{
	const json_t *b;
	json_t *rs, *logs;
	size_t k;

	while ((b = rr_block(r, branch == 'b', ++number)) != NULL) {
		rs = json_object_get(b, "receipts");
		if (rr_registry_log(r, rs, &logs, &k))
			return number;
	}
	return 0;
}
