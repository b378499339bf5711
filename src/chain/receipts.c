/* receipts.c: the root commits to status (or root), cumulative gas, bloom and
 * logs; everything else in an RPC receipt is read only to be cross-checked. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "chain/hash.h"
#include "chain/hex.h"
#include "chain/jscan.h"
#include "chain/receipts.h"
#include "chain/trie.h"
#include "xmalloc.h"

void
receipts_free(struct receipts *rs)
{
	size_t i, j;

	for (i = 0; i < rs->n; i++) {
		for (j = 0; j < rs->r[i].nlogs; j++)
			free(rs->r[i].logs[j].data);
		free(rs->r[i].logs);
	}
	free(rs->r);
	rs->r = NULL;
	rs->n = 0;
}

/* Members are read from the answer's text in place (chain/jscan.h): a
 * block's receipts are the bulk of what a sync downloads. */

/* Records the scanner's syntax error (or why) at path. */
static int
rd_fail(const struct jscan *s, const char *path, struct jerr *e)
{
	return jerr_set(e, path, NULL, s->why != NULL ? s->why : "bad JSON");
}

/* The value at the scanner, a string, as raw text. */
static int
rd_text(struct jscan *s, const char **t, size_t *n, const char *path,
    const char *key, struct jerr *e)
{
	if (js_peek(s) != JS_STRING)
		return jerr_set(e, path, key, "not a string");
	if (!js_string(s, t, n))
		return rd_fail(s, path, e);
	return 1;
}

static int
rd_fixed(struct jscan *s, uint8_t *out, size_t len, const char *path,
    const char *key, struct jerr *e)
{
	const char *t, *why;
	size_t n;

	if (!rd_text(s, &t, &n, path, key, e))
		return 0;
	if (!hex_decode_fixed_n(out, len, t, n, &why))
		return jerr_set(e, path, key, why);
	return 1;
}

static int
rd_u64(struct jscan *s, uint64_t *out, const char *path, const char *key,
    struct jerr *e)
{
	const char *t, *why;
	size_t n;

	if (!rd_text(s, &t, &n, path, key, e))
		return 0;
	if (!hex_quantity_u64_n(out, t, n, &why))
		return jerr_set(e, path, key, why);
	return 1;
}

/* An optional quantity: read when it is a string, else skipped. */
static int
rd_opt_u64(struct jscan *s, uint64_t *out, int *has, const char *path,
    const char *key, struct jerr *e)
{
	if (js_peek(s) != JS_STRING)
		return js_skip(s, NULL, NULL) || rd_fail(s, path, e);
	*has = 1;
	return rd_u64(s, out, path, key, e);
}

/* Index of key in names[0..n), or n. */
static unsigned
rd_which(const char *key, size_t klen, const char *const *names, unsigned n)
{
	unsigned i;

	for (i = 0; i < n && !js_key_is(key, klen, names[i]); i++)
		;
	return i;
}

/* Notes key i as read; a second time is an error. */
static int
rd_once(unsigned *seen, unsigned i, const char *const *names,
    const char *path, struct jerr *e)
{
	if (*seen & 1u << i)
		return jerr_set(e, path, names[i], "member appears twice");
	*seen |= 1u << i;
	return 1;
}

/* The position members shared by receipts and logs, each at most once
 * (seen keeps track); *handled is 0 when key is none of them (the scanner
 * has not moved then). */
static int
rd_pos(struct jscan *s, struct rpc_pos *p, unsigned *seen, const char *key,
    size_t klen, const char *path, struct jerr *e, int *handled)
{
	static const char *const names[] = { "blockHash", "blockNumber",
	    "transactionIndex", "logIndex" };
	unsigned i = rd_which(key, klen, names, 4);

	*handled = i < 4;
	if (i == 4)
		return 1;
	if (!rd_once(seen, i, names, path, e))
		return 0;
	if (i == 0) {
		if (js_peek(s) != JS_STRING)
			return js_skip(s, NULL, NULL) || rd_fail(s, path, e);
		p->has_block_hash = 1;
		return rd_fixed(s, p->block_hash, 32, path, "blockHash", e);
	}
	if (i == 1)
		return rd_opt_u64(s, &p->block_number, &p->has_block_number,
		    path, "blockNumber", e);
	if (i == 2)
		return rd_opt_u64(s, &p->tx_index, &p->has_tx_index, path,
		    "transactionIndex", e);
	return rd_opt_u64(s, &p->log_index, &p->has_log_index, path,
	    "logIndex", e);
}

static int
rd_topics(struct jscan *s, struct log_entry *l, const char *path,
    struct jerr *e)
{
	char p[256], tp[256];

	if (js_peek(s) != JS_ARRAY)
		return jerr_set(e, path, "topics", "not an array");
	jpath_key(p, sizeof(p), path, "topics");
	if (!js_array(s))
		return rd_fail(s, p, e);
	while (js_element(s)) {
		if (l->ntopics == LOG_MAX_TOPICS)
			return jerr_set(e, path, "topics", "more than 4 topics");
		jpath_index(tp, sizeof(tp), p, l->ntopics);
		if (!rd_fixed(s, l->topics[l->ntopics], 32, tp, NULL, e))
			return 0;
		l->ntopics++;
	}
	return s->why == NULL || rd_fail(s, p, e);
}

static int
log_read(struct log_entry *l, struct jscan *s, const char *path,
    struct jerr *e)
{
	static const char *const names[] = { "address", "topics", "data" };
	const char *k;
	unsigned seen = 0, pseen = 0, i;
	size_t kn;
	int pos;

	if (js_peek(s) != JS_OBJECT)
		return jerr_set(e, path, NULL, "not an object");
	if (!js_object(s))
		return rd_fail(s, path, e);
	while (js_member(s, &k, &kn)) {
		if (!rd_pos(s, &l->pos, &pseen, k, kn, path, e, &pos))
			return 0;
		if (pos)
			continue;
		i = rd_which(k, kn, names, 3);
		if (i == 3) {
			if (!js_skip(s, NULL, NULL))
				break;
			continue;
		}
		if (!rd_once(&seen, i, names, path, e))
			return 0;
		if (i == 0 && !rd_fixed(s, l->address, 20, path, "address", e))
			return 0;
		if (i == 1 && !rd_topics(s, l, path, e))
			return 0;
		if (i == 2) {
			const char *t, *why;
			size_t n;

			if (!rd_text(s, &t, &n, path, "data", e))
				return 0;
			if (!hex_decode_alloc_n(&l->data, &l->data_len, t, n,
			    LOG_MAX_DATA, &why))
				return jerr_set(e, path, "data", why);
		}
	}
	if (s->why != NULL)
		return rd_fail(s, path, e);
	for (i = 0; i < 3; i++)
		if (!(seen & 1u << i))
			return jerr_set(e, path, names[i], "missing");
	return 1;
}

static int
logs_read(struct receipt *r, struct jscan *s, const char *path,
    struct jerr *e)
{
	char p[256], lp[256];
	size_t cap = 0;

	if (js_peek(s) != JS_ARRAY)
		return jerr_set(e, path, "logs", "not an array");
	jpath_key(p, sizeof(p), path, "logs");
	if (!js_array(s))
		return rd_fail(s, p, e);
	r->logs = xcalloc(1, sizeof(*r->logs));
	while (js_element(s)) {
		if (r->nlogs == RECEIPT_MAX_LOGS)
			return jerr_set(e, path, "logs", "too many logs");
		if (r->nlogs + 1 >= cap) {
			cap = cap ? 2 * cap : 4;
			r->logs = xreallocarray(r->logs, cap, sizeof(*r->logs));
			memset(r->logs + r->nlogs, 0,
			    (cap - r->nlogs) * sizeof(*r->logs));
		}
		r->nlogs++;
		if (!log_read(&r->logs[r->nlogs - 1], s,
		    jpath_index(lp, sizeof(lp), p, r->nlogs - 1), e))
			return 0;
	}
	return s->why == NULL || rd_fail(s, p, e);
}

enum {
	R_TYPE, R_ROOT, R_STATUS, R_GAS, R_BLOOM, R_LOGS, R_GAS_USED, R_KEYS
};

static int
receipt_read(struct receipt *r, struct jscan *s, const char *path,
    struct jerr *e)
{
	static const char *const names[R_KEYS] = { "type", "root", "status",
	    "cumulativeGasUsed", "logsBloom", "logs", "gasUsed" };
	const char *k, *status = NULL, *why;
	size_t kn, status_len = 0;
	unsigned seen = 0, pseen = 0, i;
	uint64_t type = 0;
	int pos, ok;

	if (js_peek(s) != JS_OBJECT)
		return jerr_set(e, path, NULL, "not an object");
	if (!js_object(s))
		return rd_fail(s, path, e);
	while (js_member(s, &k, &kn)) {
		if (!rd_pos(s, &r->pos, &pseen, k, kn, path, e, &pos))
			return 0;
		if (pos)
			continue;
		if ((i = rd_which(k, kn, names, R_KEYS)) == R_KEYS) {
			if (!js_skip(s, NULL, NULL))
				break;
			continue;
		}
		if (!rd_once(&seen, i, names, path, e))
			return 0;
		switch (i) {
		case R_TYPE:
			ok = rd_u64(s, &type, path, "type", e);
			if (ok && type > 4)
				return jerr_set(e, path, "type",
				    "unknown receipt type");
			r->type = (uint8_t)type;
			break;
		case R_ROOT:
			if (js_peek(s) == JS_NULL)
				ok = js_skip(s, NULL, NULL) || rd_fail(s, path, e);
			else
				ok = r->has_root = rd_fixed(s, r->root, 32,
				    path, "root", e);
			break;
		case R_STATUS:	/* judged below, once root is known */
			if (js_peek(s) == JS_STRING)
				ok = js_string(s, &status, &status_len) ||
				    rd_fail(s, path, e);
			else
				ok = js_skip(s, NULL, NULL) || rd_fail(s, path, e);
			break;
		case R_GAS:
			ok = rd_u64(s, &r->cumulative_gas, path,
			    "cumulativeGasUsed", e);
			break;
		case R_BLOOM:
			ok = rd_fixed(s, r->bloom, BLOOM_BYTES, path,
			    "logsBloom", e);
			break;
		case R_LOGS:
			ok = logs_read(r, s, path, e);
			break;
		default:
			ok = rd_opt_u64(s, &r->gas_used, &r->has_gas_used, path,
			    "gasUsed", e);
			break;
		}
		if (!ok)
			return 0;
	}
	if (s->why != NULL)
		return rd_fail(s, path, e);
	if (!r->has_root) {
		if (!(seen & 1u << R_STATUS))
			return jerr_set(e, path, "status", "missing");
		if (status == NULL)
			return jerr_set(e, path, "status", "not a string");
		if (!hex_quantity_u64_n(&r->status, status, status_len, &why))
			return jerr_set(e, path, "status", why);
		if (r->status > 1)
			return jerr_set(e, path, "status",
			    "status is neither 0x0 nor 0x1");
	}
	for (i = R_GAS; i <= R_LOGS; i++)
		if (!(seen & 1u << i))
			return jerr_set(e, path, names[i], "missing");
	return 1;
}

int
receipts_from_text(struct receipts *out, const char *text, size_t len,
    const char *path, struct jerr *e)
{
	struct jscan s;
	char p[256];
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	js_init(&s, text, len);
	if (js_peek(&s) != JS_ARRAY)
		return jerr_set(e, path, NULL, "not an array");
	if (!js_array(&s))
		return rd_fail(&s, path, e);
	out->r = xcalloc(1, sizeof(*out->r));
	while (js_element(&s)) {
		if (out->n == RECEIPTS_MAX) {
			receipts_free(out);
			return jerr_set(e, path, NULL, "too many receipts");
		}
		if (out->n + 1 >= cap) {
			cap = cap ? 2 * cap : 16;
			out->r = xreallocarray(out->r, cap, sizeof(*out->r));
			memset(out->r + out->n, 0,
			    (cap - out->n) * sizeof(*out->r));
		}
		out->n++;
		if (!receipt_read(&out->r[out->n - 1], &s,
		    jpath_index(p, sizeof(p), path, out->n - 1), e)) {
			receipts_free(out);
			return 0;
		}
	}
	if (s.why != NULL || !js_done(&s)) {
		receipts_free(out);
		return rd_fail(&s, path, e);
	}
	return 1;
}

int
receipts_from_json(struct receipts *out, const json_t *arr, const char *path,
    struct jerr *e)
{
	char *text;
	int ok;

	memset(out, 0, sizeof(*out));
	if (!json_is_array(arr))
		return jerr_set(e, path, NULL, "not an array");
	if ((text = json_dumps(arr, JSON_COMPACT)) == NULL)
		return jerr_set(e, path, NULL, "out of memory");
	ok = receipts_from_text(out, text, strlen(text), path, e);
	free(text);
	return ok;
}

/* Decodes one RLP log [address, [topics...], data]. */
static int
log_from_rlp(struct log_entry *l, const struct rlp_item *it, const char **why)
{
	struct rlp_item f[3], t[LOG_MAX_TOPICS + 1];
	size_t n, i;

	if (!rlp_list(f, 3, &n, it, why))
		return 0;
	if (n != 3 || f[0].is_list || f[0].len != 20 || !f[1].is_list ||
	    f[2].is_list) {
		*why = "log is not [address, [topics], data]";
		return 0;
	}
	memcpy(l->address, f[0].payload, 20);
	if (!rlp_list(t, LOG_MAX_TOPICS, &n, &f[1], why))
		return 0;
	for (i = 0; i < n; i++) {
		if (t[i].is_list || t[i].len != 32) {
			*why = "log topic is not 32 bytes";
			return 0;
		}
		memcpy(l->topics[i], t[i].payload, 32);
	}
	l->ntopics = n;
	if (f[2].len > LOG_MAX_DATA) {
		*why = "log data too large";
		return 0;
	}
	l->data = xmalloc(f[2].len + 1);
	memcpy(l->data, f[2].payload, f[2].len);
	l->data_len = f[2].len;
	return 1;
}

/* Decodes one consensus encoding: optional type byte, then
 * [status|root, cumulativeGas, bloom, logs]. */
static int
receipt_from_bytes(struct receipt *r, const uint8_t *p, size_t len,
    const char **why)
{
	struct rlp_item top, f[4], lg;
	const uint8_t *lp;
	size_t n, left;

	if (len > 0 && p[0] <= 0x7f) {
		if (p[0] < 1 || p[0] > 4) {
			*why = "unknown receipt type";
			return 0;
		}
		r->type = p[0];
		p++;
		len--;
	}
	if (!rlp_decode(&top, p, len, why) || !rlp_list(f, 4, &n, &top, why))
		return 0;
	if (n != 4 || f[0].is_list || f[2].is_list || f[2].len != BLOOM_BYTES ||
	    !f[3].is_list) {
		*why = "receipt is not [status, gas, bloom, logs]";
		return 0;
	}
	if (f[0].len == 32) {
		r->has_root = 1;
		memcpy(r->root, f[0].payload, 32);
	} else if (!rlp_uint64(&r->status, &f[0], why))
		return 0;
	if (!rlp_uint64(&r->cumulative_gas, &f[1], why))
		return 0;
	memcpy(r->bloom, f[2].payload, BLOOM_BYTES);
	r->logs = xcalloc(f[3].len / 3 + 1, sizeof(*r->logs));
	lp = f[3].payload;
	left = f[3].len;
	while (rlp_next(&lg, &lp, &left, why)) {
		if (!log_from_rlp(&r->logs[r->nlogs++], &lg, why))
			return 0;
	}
	return *why == NULL;
}

int
receipts_from_raw(struct receipts *out, const json_t *arr, const char *path,
    struct jerr *e)
{
	char p[256];
	uint8_t *raw;
	size_t i, len;
	const char *why = NULL, *s;
	int ok;

	memset(out, 0, sizeof(*out));
	if (!json_is_array(arr) || json_array_size(arr) > RECEIPTS_MAX)
		return jerr_set(e, path, NULL, "not an array of receipts");
	out->r = xcalloc(json_array_size(arr) + 1, sizeof(*out->r));
	for (i = 0; i < json_array_size(arr); i++) {
		jpath_index(p, sizeof(p), path, i);
		out->n = i + 1;
		if ((s = json_string_value(json_array_get(arr, i))) == NULL ||
		    !hex_decode_alloc(&raw, &len, s, 1u << 26, &why)) {
			receipts_free(out);
			return jerr_set(e, p, NULL, s == NULL ? "not a string" : why);
		}
		ok = receipt_from_bytes(&out->r[i], raw, len, &why);
		free(raw);
		if (!ok) {
			receipts_free(out);
			return jerr_set(e, p, NULL, why);
		}
	}
	return 1;
}

void
receipt_encode(struct rlp_buf *b, const struct receipt *r)
{
	size_t list, logs, lg, tp, i, j;

	if (r->type != 0)
		rlp_put_raw(b, &r->type, 1);
	list = rlp_list_begin(b);
	if (r->has_root)
		rlp_put_bytes(b, r->root, 32);
	else
		rlp_put_uint(b, r->status);
	rlp_put_uint(b, r->cumulative_gas);
	rlp_put_bytes(b, r->bloom, BLOOM_BYTES);
	logs = rlp_list_begin(b);
	for (i = 0; i < r->nlogs; i++) {
		lg = rlp_list_begin(b);
		rlp_put_bytes(b, r->logs[i].address, 20);
		tp = rlp_list_begin(b);
		for (j = 0; j < r->logs[i].ntopics; j++)
			rlp_put_bytes(b, r->logs[i].topics[j], 32);
		rlp_list_end(b, tp);
		rlp_put_bytes(b, r->logs[i].data, r->logs[i].data_len);
		rlp_list_end(b, lg);
	}
	rlp_list_end(b, logs);
	rlp_list_end(b, list);
}

void
receipts_root(uint8_t out[32], const struct receipts *rs)
{
	struct rlp_buf b;
	size_t *off = xcalloc(rs->n + 1, sizeof(*off)), *len, i;
	const uint8_t **vals;

	/* All encodings in one buffer, then pointers into it. */
	rlp_buf_init(&b);
	for (i = 0; i < rs->n; i++) {
		off[i] = b.len;
		receipt_encode(&b, &rs->r[i]);
	}
	off[rs->n] = b.len;
	vals = xcalloc(rs->n + 1, sizeof(*vals));
	len = xcalloc(rs->n + 1, sizeof(*len));
	for (i = 0; i < rs->n; i++) {
		vals[i] = b.data + off[i];
		len[i] = off[i + 1] - off[i];
	}
	trie_ordered_root(out, vals, len, rs->n);
	free(vals);
	free(len);
	free(off);
	rlp_buf_free(&b);
}

void
receipt_bloom(uint8_t out[BLOOM_BYTES], const struct receipt *r)
{
	size_t i, j;

	memset(out, 0, BLOOM_BYTES);
	for (i = 0; i < r->nlogs; i++) {
		bloom_add(out, r->logs[i].address, 20);
		for (j = 0; j < r->logs[i].ntopics; j++)
			bloom_add(out, r->logs[i].topics[j], 32);
	}
}
