/* receipts_fetch.c: eth_getBlockReceipts, or the standard way around it on
 * nodes that lack it: the block's transaction hashes, then one
 * eth_getTransactionReceipt per transaction, up to RECEIPTS_FETCH_PER_BATCH
 * calls to a batch.  The receipts' text is copied as the node sent it, so
 * the caller's reader and the receiptsRoot check see what they would have
 * seen from eth_getBlockReceipts. */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/hex.h"
#include "chain/jscan.h"
#include "log.h"
#include "receipts_fetch.h"
#include "xmalloc.h"

#define RF_MAX_LOGGED 64

/* The text being assembled: one receipts array after the other. */
struct rf_out {
	char *p;
	size_t len, cap;
};

static void
rf_add(struct rf_out *o, const char *s, size_t n)
{
	if (n > o->cap - o->len) {
		o->cap = o->len + n + (o->len + n) / 2 + 64;
		o->p = xreallocarray(o->p, o->cap, 1);
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void __attribute__((format(printf, 2, 3)))
rf_fail(struct rpc_error *err, const char *fmt, ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

int
receipts_fetch_unserved(const struct rpc_error *err)
{
	if (!err->answer)
		return 0;
	if (err->code == -32601 || err->code == -32004)
		return 1;
	return err->code == -32700 &&
	    strstr(err->msg, "does not exist/is not available") != NULL;
}

/* A string's FNV-1a hash: how an endpoint is remembered as logged. */
static uint64_t
rf_fnv(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* Notes on c that its endpoint lacks eth_getBlockReceipts and says so once
 * per endpoint in the process: the follower's connections are separate
 * clients of the same endpoints, and each finds out for itself. */
static void
rf_note_lacks(struct rpc_client *c, const struct rpc_error *err)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static uint64_t logged[RF_MAX_LOGGED];
	static size_t nlogged;
	const char *shown, *said = strstr(err->msg, "node error");
	uint64_t h;
	size_t i;
	int seen = 0;

	if (!rpc_client_set_lacks(c, RPC_LACKS_BLOCK_RECEIPTS, &shown))
		return;
	h = rf_fnv(shown);
	pthread_mutex_lock(&lock);
	for (i = 0; i < nlogged && !seen; i++)
		seen = logged[i] == h;
	if (!seen && nlogged < RF_MAX_LOGGED)
		logged[nlogged++] = h;
	pthread_mutex_unlock(&lock);
	if (!seen)
		log_info("rpc: %s does not serve eth_getBlockReceipts (%s): "
		    "asking eth_getBlockByNumber for each block's transaction "
		    "hashes and eth_getTransactionReceipt for each transaction "
		    "instead", shown, said != NULL ? said : err->msg);
}

/* Reads one transaction hash into the growing list *hashes. */
static int
rf_read_hash(struct jscan *s, uint8_t (**hashes)[32], size_t *n,
    size_t *cap, const char **why)
{
	const char *str;
	size_t len;

	if (js_peek(s) != JS_STRING) {
		*why = "transactions are not hashes (the node ignored "
		    "eth_getBlockByNumber's second parameter, false)";
		return 0;
	}
	if (*n == RECEIPTS_FETCH_MAX_TXS) {
		*why = "more than 65536 transactions";
		return 0;
	}
	if (!js_string(s, &str, &len))
		return 0;
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		*hashes = xreallocarray(*hashes, *cap, sizeof(**hashes));
	}
	if (!hex_decode_fixed_n((*hashes)[*n], 32, str, len, why)) {
		*why = "a transaction hash is not 32 bytes of 0x-hex";
		return 0;
	}
	(*n)++;
	return 1;
}

static int
rf_read_hashes(struct jscan *s, uint8_t (**hashes)[32], size_t *n,
    const char **why)
{
	size_t cap = 0;

	if (js_peek(s) != JS_ARRAY) {
		*why = "\"transactions\" is not an array";
		return 0;
	}
	if (!js_array(s))
		return 0;
	while (js_element(s))
		if (!rf_read_hash(s, hashes, n, &cap, why))
			return 0;
	return s->why == NULL;
}

/* The block's "number", or 0 with *why. */
static int
rf_read_number(struct jscan *s, uint64_t *num, const char **why)
{
	const char *str;
	size_t len;

	if (js_peek(s) != JS_STRING || !js_string(s, &str, &len)) {
		*why = "\"number\" is not a hex string";
		return 0;
	}
	return hex_quantity_u64_n(num, str, len, why);
}

int
receipts_fetch_hashes(uint8_t (**hashes)[32], size_t *n, const char *text,
    size_t len, uint64_t num, const char **why)
{
	struct jscan s;
	const char *key;
	size_t klen;
	uint64_t got = 0;
	int has_num = 0, has_txs = 0, ok = 1;

	*hashes = NULL;
	*n = 0;
	*why = NULL;
	js_init(&s, text, len);
	if (js_peek(&s) == JS_NULL) {
		*why = "the node has no such block";
		return 0;
	}
	if (js_peek(&s) != JS_OBJECT || !js_object(&s)) {
		*why = "the block is not a JSON object";
		return 0;
	}
	while (ok && js_member(&s, &key, &klen)) {
		if (js_key_is(key, klen, "number"))
			ok = !has_num++ && rf_read_number(&s, &got, why);
		else if (js_key_is(key, klen, "transactions"))
			ok = !has_txs++ && rf_read_hashes(&s, hashes, n, why);
		else
			ok = js_skip(&s, NULL, NULL);
	}
	if (ok && (s.why != NULL || !js_done(&s)))
		ok = 0;
	if (ok && (!has_num || !has_txs))
		*why = "the block has no \"number\" or no \"transactions\"";
	else if (ok && got != num)
		*why = "the node answered with another block";
	if (!ok || *why != NULL) {
		if (*why == NULL)
			*why = has_num > 1 || has_txs > 1 ? "a member appears "
			    "twice" : s.why != NULL ? s.why : "not JSON";
		free(*hashes);
		*hashes = NULL;
		*n = 0;
		return 0;
	}
	return 1;
}

/* The transaction hashes of blocks nums[0..n), in one list: block i's are
 * ntx[i] of them after those of the blocks before it. */
static int
rf_fetch_hashes(struct rpc_client *c, uint8_t (**all)[32], size_t *ntx,
    const uint64_t *nums, size_t n, struct rpc_error *err)
{
	struct rpc_span *res = xcalloc(n ? n : 1, sizeof(*res));
	uint8_t (*h)[32];
	const char *why;
	char *body = NULL;
	size_t i, total = 0;
	int ok;

	*all = NULL;
	ok = rpc_batch_blocks(c, &body, res, "eth_getBlockByNumber", nums, n, err);
	for (i = 0; ok && i < n; i++) {
		if (!(ok = receipts_fetch_hashes(&h, &ntx[i], res[i].p,
		    res[i].len, nums[i], &why))) {
			rf_fail(err, "rpc: block %llu: %s",
			    (unsigned long long)nums[i], why);
			break;
		}
		if (ntx[i] > 0) {
			*all = xreallocarray(*all, total + ntx[i], sizeof(**all));
			memcpy(*all + total, h, ntx[i] * sizeof(*h));
			total += ntx[i];
		}
		free(h);
	}
	free(body);
	free(res);
	if (!ok) {
		free(*all);
		*all = NULL;
	}
	return ok;
}

/* eth_getTransactionReceipt for hashes h[0..m), one batch. */
static int
rf_batch_receipts(struct rpc_client *c, char **body, struct rpc_span *res,
    const uint8_t (*h)[32], size_t m, struct rpc_error *err)
{
	const char *methods[RECEIPTS_FETCH_PER_BATCH];
	json_t *params[RECEIPTS_FETCH_PER_BATCH];
	char q[67];
	size_t k;

	for (k = 0; k < m; k++) {
		methods[k] = "eth_getTransactionReceipt";
		params[k] = json_pack("[s]", hex_encode(q, h[k], 32));
	}
	return rpc_batch_text(c, body, res, methods, params, m, err);
}

/* Where the assembly is: block b of n, with inb of its ntx[b] receipts
 * written; off[b] is where its array starts in out. */
struct rf_pos {
	struct rf_out *out;
	struct rpc_span *spans;
	size_t *off;
	const size_t *ntx;
	size_t b, inb, n;
};

/* Closes the blocks whose receipts are all written (and the empty ones
 * that follow them). */
static void
rf_close_blocks(struct rf_pos *a)
{
	while (a->b < a->n && a->inb == a->ntx[a->b]) {
		if (a->inb == 0) {
			a->off[a->b] = a->out->len;
			rf_add(a->out, "[", 1);
		}
		rf_add(a->out, "]", 1);
		a->spans[a->b].len = a->out->len - a->off[a->b];
		a->b++;
		a->inb = 0;
	}
}

static void
rf_put_receipt(struct rf_pos *a, const struct rpc_span *r)
{
	if (a->inb == 0) {
		a->off[a->b] = a->out->len;
		rf_add(a->out, "[", 1);
	} else
		rf_add(a->out, ",", 1);
	rf_add(a->out, r->p, r->len);
	a->inb++;
	rf_close_blocks(a);
}

/* Fetches the receipts of all[0..total) and writes them into a's arrays. */
static int
rf_fetch_receipts(struct rpc_client *c, struct rf_pos *a,
    const uint8_t (*all)[32], size_t total, const uint64_t *nums,
    struct rpc_error *err)
{
	struct rpc_span res[RECEIPTS_FETCH_PER_BATCH];
	char *body = NULL, tx[67];
	size_t t, m, k;

	rf_close_blocks(a);
	for (t = 0; t < total; t += m) {
		m = total - t < RECEIPTS_FETCH_PER_BATCH ? total - t :
		    RECEIPTS_FETCH_PER_BATCH;
		if (!rf_batch_receipts(c, &body, res, all + t, m, err))
			return 0;
		for (k = 0; k < m; k++) {
			if (res[k].len == 4 && memcmp(res[k].p, "null", 4) == 0) {
				rf_fail(err, "rpc: block %llu: the node has no "
				    "receipt for transaction %s",
				    (unsigned long long)nums[a->b],
				    hex_encode(tx, all[t + k], 32));
				free(body);
				return 0;
			}
			rf_put_receipt(a, &res[k]);
		}
		free(body);
		body = NULL;
	}
	return 1;
}

/* The way around eth_getBlockReceipts, for blocks nums[0..n). */
static int
rf_fallback(struct rpc_client *c, char **body, struct rpc_span *spans,
    const uint64_t *nums, size_t n, struct rpc_error *err)
{
	struct rf_out out = { NULL, 0, 0 };
	size_t *ntx = xcalloc(n ? n : 1, sizeof(*ntx));
	size_t *off = xcalloc(n ? n : 1, sizeof(*off));
	struct rf_pos a = { &out, spans, off, ntx, 0, 0, n };
	uint8_t (*all)[32] = NULL;
	size_t i, total = 0;
	int ok;

	ok = rf_fetch_hashes(c, &all, ntx, nums, n, err);
	for (i = 0; ok && i < n; i++)
		total += ntx[i];
	if (ok)
		ok = rf_fetch_receipts(c, &a, (const uint8_t (*)[32])all, total,
		    nums, err);
	for (i = 0; ok && i < n; i++)
		spans[i].p = out.p + off[i];
	if (ok)
		*body = out.p;
	else {
		free(out.p);
		memset(spans, 0, n * sizeof(*spans));
	}
	free(all);
	free(off);
	free(ntx);
	return ok;
}

int
receipts_fetch_text(struct rpc_client *c, char **body, struct rpc_span *spans,
    const uint64_t *nums, size_t n, struct rpc_error *err)
{
	*body = NULL;
	memset(spans, 0, n * sizeof(*spans));
	if (n == 0 || n > RPC_MAX_BATCH) {
		rf_fail(err, "rpc: a batch holds 1 to %d calls", RPC_MAX_BATCH);
		return 0;
	}
	if (!(rpc_client_lacks(c) & RPC_LACKS_BLOCK_RECEIPTS)) {
		if (rpc_batch_blocks(c, body, spans, "eth_getBlockReceipts",
		    nums, n, err))
			return 1;
		if (!receipts_fetch_unserved(err))
			return 0;
		rf_note_lacks(c, err);
	}
	return rf_fallback(c, body, spans, nums, n, err);
}
