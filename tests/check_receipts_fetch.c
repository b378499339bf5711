/* check_receipts_fetch.c: receipts_fetch_text against a node on loopback
 * that answers from recorded chain data: the genuine eth_getBlockReceipts
 * answers of mainnet block 21925176 (202 receipts) and of the
 * execution-apis test chain's block 54 (tests/data/PROVENANCE.md), and an
 * empty block.  The node serves eth_getBlockReceipts or refuses it as
 * geth, Hardhat or ganache do, answers batches in reverse order, and can
 * lose a receipt. */
#include "config.h"

#include <string.h>

#include <curl/curl.h>
#include <microhttpd.h>

#include "chain/receipts.h"
#include "receipts_fetch.h"
#include "testutil.h"

enum node_style { SERVES, GETH, HARDHAT, GANACHE, NOT_FOUND };

#define NBLOCKS 3
#define EMPTY_BLOCK 1000

/* Block 1 is the empty one, between the two recorded. */
static const char *const files[NBLOCKS] = {
	"receipts/mainnet_21925176_cancun_rpc.json",
	NULL,
	"receipts/testchain_54_osaka_rpc.json",
};

/* The recorded blocks: header (with "number") and receipts array. */
static json_t *blk_header[NBLOCKS], *blk_receipts[NBLOCKS];
static uint64_t blk_num[NBLOCKS];

static struct MHD_Daemon *node;
static char node_url[64];
static enum node_style style;
static char lost_tx[67];		/* answered null */
/* What the node was asked: calls per method, requests, largest batch. */
static int n_block_receipts, n_blocks, n_tx_receipts, n_requests, max_batch;

struct node_req {
	char *p;
	size_t len;
};

static json_t *
node_error(long code, const char *before, const char *method,
    const char *after)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "%s%s%s", before, method, after);
	return json_pack("{s:I, s:s}", "code", (json_int_t)code, "message", msg);
}

/* The refusal of eth_getBlockReceipts in each node's own words (ganache
 * 7.9.2's recorded by hand: it really says -32700, with a stack). */
static json_t *
node_refusal(void)
{
	switch (style) {
	case GETH:
		return node_error(-32601, "the method ", "eth_getBlockReceipts",
		    " does not exist/is not available");
	case HARDHAT:
		return node_error(-32004, "Method ", "eth_getBlockReceipts",
		    " is not supported");
	case GANACHE:
		return json_pack("{s:s, s:s, s:i}", "message", "The method "
		    "eth_getBlockReceipts does not exist/is not available",
		    "stack", "Error: The method eth_getBlockReceipts does not "
		    "exist/is not available\n    at Executor.execute",
		    "code", -32700);
	default:
		return node_error(-32000, "header not found", "", "");
	}
}

static int
block_of(const char *q)
{
	uint64_t n = strtoull(q, NULL, 16);
	int i;

	for (i = 0; i < NBLOCKS; i++)
		if (blk_num[i] == n)
			return i;
	return -1;
}

static json_t *
tx_receipt(const char *hash)
{
	size_t i, k;
	json_t *r;

	if (strcmp(hash, lost_tx) == 0)
		return json_null();
	for (i = 0; i < NBLOCKS; i++)
		json_array_foreach(blk_receipts[i], k, r)
			if (strcmp(json_string_value(json_object_get(r,
			    "transactionHash")), hash) == 0)
				return json_incref(r);
	return json_null();
}

/* eth_getBlockByNumber(q, false): the header and its transactions' hashes. */
static json_t *
block_by_number(const char *q)
{
	int b = block_of(q);
	json_t *h, *txs, *r;
	size_t k;

	if (b < 0)
		return json_null();
	h = json_deep_copy(blk_header[b]);
	txs = json_array();
	json_array_foreach(blk_receipts[b], k, r)
		json_array_append(txs, json_object_get(r, "transactionHash"));
	json_object_set_new(h, "transactions", txs);
	return h;
}

/* One call's answer object. */
static json_t *
node_answer(json_t *call)
{
	const char *m = json_string_value(json_object_get(call, "method"));
	const char *p0 = json_string_value(json_array_get(json_object_get(call,
	    "params"), 0));
	json_t *id = json_object_get(call, "id"), *res;
	int b;

	if (strcmp(m, "eth_getBlockReceipts") == 0) {
		n_block_receipts++;
		if (style != SERVES)
			return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0",
			    "id", id, "error", node_refusal());
		b = block_of(p0);
		res = b < 0 ? json_null() : json_incref(blk_receipts[b]);
	} else if (strcmp(m, "eth_getBlockByNumber") == 0) {
		n_blocks++;
		res = block_by_number(p0);
	} else if (strcmp(m, "eth_getTransactionReceipt") == 0) {
		n_tx_receipts++;
		res = tx_receipt(p0);
	} else
		return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id,
		    "error", node_error(-32601, "no ", m, " here"));
	return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id,
	    "result", res);
}

/* Answers a request; a batch's answers in reverse order (JSON-RPC lets a
 * node send them in any order). */
static char *
node_body(const char *req, size_t len)
{
	json_t *j = json_loadb(req, len, 0, NULL), *out, *x;
	size_t i;
	char *s;

	ck_assert_ptr_nonnull(j);
	n_requests++;
	if (json_is_array(j)) {
		if ((int)json_array_size(j) > max_batch)
			max_batch = (int)json_array_size(j);
		out = json_array();
		json_array_foreach(j, i, x)
			json_array_insert_new(out, 0, node_answer(x));
	} else
		out = node_answer(j);
	s = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	json_decref(j);
	return s;
}

static enum MHD_Result
node_handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	struct node_req *r = *req_cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *body;

	(void)cls; (void)url; (void)method; (void)version;
	if (r == NULL) {
		*req_cls = xcalloc(1, sizeof(*r));
		return MHD_YES;
	}
	if (*upload_size) {
		r->p = xreallocarray(r->p, r->len + *upload_size, 1);
		memcpy(r->p + r->len, upload, *upload_size);
		r->len += *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	body = node_body(r->p, r->len);
	resp = MHD_create_response_from_buffer_with_free_callback(strlen(body),
	    body, free);
	ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
node_done(void *cls, struct MHD_Connection *c, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct node_req *r = *req_cls;

	(void)cls; (void)c; (void)toe;
	if (r != NULL)
		free(r->p);
	free(r);
	*req_cls = NULL;
}

static void
setup(void)
{
	const union MHD_DaemonInfo *info;
	json_t *j;
	int i;

	for (i = 0; i < NBLOCKS; i++) {
		if (files[i] == NULL) {
			blk_header[i] = json_pack("{s:s}", "number", "0x3e8");
			blk_receipts[i] = json_array();
			blk_num[i] = EMPTY_BLOCK;
			continue;
		}
		j = tu_json(files[i]);
		blk_header[i] = json_incref(json_object_get(j, "header"));
		blk_receipts[i] = json_incref(json_object_get(j, "receipts"));
		blk_num[i] = strtoull(json_string_value(json_object_get(
		    blk_header[i], "number")), NULL, 16);
		json_decref(j);
	}
	node = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL,
	    node_handler, NULL, MHD_OPTION_NOTIFY_COMPLETED, node_done, NULL,
	    MHD_OPTION_END);
	ck_assert_ptr_nonnull(node);
	info = MHD_get_daemon_info(node, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(node_url, sizeof(node_url), "http://127.0.0.1:%u/", info->port);
	style = SERVES;
	lost_tx[0] = '\0';
}

static void
teardown(void)
{
	int i;

	MHD_stop_daemon(node);
	for (i = 0; i < NBLOCKS; i++) {
		json_decref(blk_header[i]);
		json_decref(blk_receipts[i]);
	}
}

static struct rpc_client *
client(void)
{
	struct rpc_options o = { 1000, 5000, 4 << 20, 0, 10, 40, NULL };
	const char *urls[1] = { node_url }, *why;
	struct rpc_client *c;

	ck_assert_msg(rpc_client_new(&c, urls, 1, &o, &why), "%s", why);
	return c;
}

static void
reset_counts(void)
{
	n_block_receipts = n_blocks = n_tx_receipts = n_requests = 0;
	max_batch = 0;
}

/* The span of block i is a receipts array whose trie root is the root its
 * header commits to. */
static void
assert_verifies(const struct rpc_span *s, int i)
{
	struct receipts rs;
	struct jerr e = { "", NULL };
	uint8_t root[32], want[32];
	const char *why;

	ck_assert_msg(receipts_from_text(&rs, s->p, s->len, "$", &e),
	    "block %d: %s: %s", i, e.path, e.why);
	ck_assert_uint_eq(rs.n, json_array_size(blk_receipts[i]));
	receipts_root(root, &rs);
	receipts_free(&rs);
	if (files[i] == NULL)
		return;		/* the empty block has no header to check */
	ck_assert(hex_decode_fixed(want, 32, json_string_value(json_object_get(
	    blk_header[i], "receiptsRoot")), &why));
	ck_assert_mem_eq(root, want, 32);
}

static const uint64_t *
nums(void)
{
	return blk_num;
}

/* The same blocks' receipts, as the node serving eth_getBlockReceipts
 * answers them (its arrays' text). */
static char *
served_text(int i)
{
	return json_dumps(blk_receipts[i], JSON_COMPACT);
}

/* A node with eth_getBlockReceipts is asked nothing else. */
START_TEST(fetch_block_receipts)
{
	struct rpc_client *c = client();
	struct rpc_span spans[NBLOCKS];
	struct rpc_error err;
	char *body;
	int i;

	reset_counts();
	ck_assert_msg(receipts_fetch_text(c, &body, spans, nums(), NBLOCKS,
	    &err), "%s", err.msg);
	for (i = 0; i < NBLOCKS; i++)
		assert_verifies(&spans[i], i);
	ck_assert_int_eq(n_block_receipts, NBLOCKS);
	ck_assert_int_eq(n_blocks + n_tx_receipts, 0);
	ck_assert_int_eq(n_requests, 1);
	ck_assert_uint_eq(rpc_client_lacks(c), 0);
	free(body);
	rpc_client_free(c);
}
END_TEST

/* geth's, Hardhat's and ganache's refusals each lead to the fallback: the
 * same arrays, byte for byte, from 2 + ceil(206 / 100) requests, and the
 * next fetch does not ask eth_getBlockReceipts again. */
START_TEST(fetch_fallback)
{
	static const enum node_style styles[] = { GETH, HARDHAT, GANACHE };
	struct rpc_client *c;
	struct rpc_span spans[NBLOCKS];
	struct rpc_error err;
	char *body, *want;
	int i, round;

	style = styles[_i];
	c = client();
	for (round = 0; round < 2; round++) {
		reset_counts();
		ck_assert_msg(receipts_fetch_text(c, &body, spans, nums(),
		    NBLOCKS, &err), "%s", err.msg);
		for (i = 0; i < NBLOCKS; i++) {
			assert_verifies(&spans[i], i);
			want = served_text(i);
			ck_assert_uint_eq(spans[i].len, strlen(want));
			ck_assert(memcmp(spans[i].p, want, spans[i].len) == 0);
			free(want);
		}
		ck_assert_int_eq(n_block_receipts, round == 0 ? NBLOCKS : 0);
		ck_assert_int_eq(n_blocks, NBLOCKS);
		ck_assert_int_eq(n_tx_receipts, 202 + 4);
		ck_assert_int_eq(max_batch, RECEIPTS_FETCH_PER_BATCH);
		ck_assert_int_eq(n_requests, (round == 0) + 1 + 3);
		ck_assert_uint_eq(rpc_client_lacks(c), RPC_LACKS_BLOCK_RECEIPTS);
		free(body);
	}
	rpc_client_free(c);
}
END_TEST

/* Any other error is the node's answer, not a missing method. */
START_TEST(fetch_other_error)
{
	struct rpc_client *c;
	struct rpc_span spans[NBLOCKS];
	struct rpc_error err;
	char *body;

	style = NOT_FOUND;
	c = client();
	reset_counts();
	ck_assert(!receipts_fetch_text(c, &body, spans, nums(), NBLOCKS, &err));
	ck_assert_ptr_null(body);
	ck_assert_msg(strstr(err.msg, "header not found") != NULL, "%s", err.msg);
	ck_assert_int_eq(n_blocks + n_tx_receipts, 0);
	ck_assert_uint_eq(rpc_client_lacks(c), 0);
	rpc_client_free(c);
}
END_TEST

/* A receipt the node has lost fails the fetch, naming block and tx. */
START_TEST(fetch_lost_receipt)
{
	struct rpc_client *c;
	struct rpc_span spans[NBLOCKS];
	struct rpc_error err;
	char *body, want[160];

	style = GETH;
	snprintf(lost_tx, sizeof(lost_tx), "%s", json_string_value(
	    json_object_get(json_array_get(blk_receipts[2], 2),
	    "transactionHash")));
	c = client();
	ck_assert(!receipts_fetch_text(c, &body, spans, nums(), NBLOCKS, &err));
	ck_assert_ptr_null(body);
	snprintf(want, sizeof(want), "block 54: the node has no receipt for "
	    "transaction %s", lost_tx);
	ck_assert_msg(strstr(err.msg, want) != NULL, "%s", err.msg);
	rpc_client_free(c);
}
END_TEST

/* The hash list reader refuses what is not a block's list of hashes. */
START_TEST(fetch_hashes)
{
	static const char h1[] = "0x1111111111111111111111111111111111111111111111111111111111111111";
	static const struct { const char *text; const char *why; } bad[] = {
		{ "null", "no such block" },
		{ "[1]", "not a JSON object" },
		{ "{\"number\":\"0x5\",\"transactions\":[]}", "another block" },
		{ "{\"transactions\":[]}", "no \"number\"" },
		{ "{\"number\":\"0x7\"}", "no \"number\" or no \"transactions\"" },
		{ "{\"number\":\"0x7\",\"transactions\":[{\"hash\":\"0x00\"}]}",
		    "not hashes" },
		{ "{\"number\":\"0x7\",\"transactions\":[\"0x1234\"]}", "32 bytes" },
		{ "{\"number\":\"0x7\",\"transactions\":{}}", "not an array" },
		{ "{\"number\":\"0x7\",\"transactions\":[],\"transactions\":[]}",
		    "twice" },
		{ "{\"number\":\"0x7\",\"transactions\":[]", "" },
	};
	uint8_t (*h)[32];
	const char *why;
	char text[256];
	size_t n, i;

	snprintf(text, sizeof(text), "{\"hash\":\"0x00\",\"number\":\"0x7\","
	    "\"transactions\":[\"%s\",\"%s\"],\"uncles\":[]}", h1, h1);
	ck_assert(receipts_fetch_hashes(&h, &n, text, strlen(text), 7, &why));
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(h[1][31], 0x11);
	free(h);
	ck_assert(receipts_fetch_hashes(&h, &n, "{\"number\":\"0x7\","
	    "\"transactions\":[]}", 34, 7, &why));
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(h);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(!receipts_fetch_hashes(&h, &n, bad[i].text,
		    strlen(bad[i].text), 7, &why), "%s", bad[i].text);
		ck_assert_ptr_null(h);
		ck_assert_msg(strstr(why, bad[i].why) != NULL, "%s: %s",
		    bad[i].text, why);
	}
}
END_TEST

static Suite *
receipts_fetch_suite(void)
{
	Suite *s = suite_create("receipts_fetch");
	TCase *tc = tcase_create("receipts_fetch");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fetch_block_receipts);
	tcase_add_loop_test(tc, fetch_fallback, 0, 3);
	tcase_add_test(tc, fetch_other_error);
	tcase_add_test(tc, fetch_lost_receipt);
	tcase_add_test(tc, fetch_hashes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return tu_run(receipts_fetch_suite());
}
