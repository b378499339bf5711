/* receipts.c: the root commits to status (or root), cumulative gas, bloom and
 * logs; everything else in an RPC receipt is read only to be cross-checked. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "chain/hash.h"
#include "chain/hex.h"
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

static int pos_from_json(struct rpc_pos *p, const json_t *obj,
    const char *path, struct jerr *e);

static int
log_from_json(struct log_entry *l, const json_t *obj, const char *path,
    struct jerr *e)
{
	char p[256];
	json_t *topics;
	size_t i;

	if (!jv_fixed(l->address, 20, obj, path, "address", e) ||
	    !jv_array(&topics, obj, path, "topics", e))
		return 0;
	if (json_array_size(topics) > LOG_MAX_TOPICS)
		return jerr_set(e, path, "topics", "more than 4 topics");
	jpath_key(p, sizeof(p), path, "topics");
	for (i = 0; i < json_array_size(topics); i++) {
		char tp[256];
		const char *s = json_string_value(json_array_get(topics, i)), *why;

		jpath_index(tp, sizeof(tp), p, i);
		if (s == NULL)
			return jerr_set(e, tp, NULL, "not a string");
		if (!hex_decode_fixed(l->topics[i], 32, s, &why))
			return jerr_set(e, tp, NULL, why);
	}
	l->ntopics = i;
	return jv_bytes(&l->data, &l->data_len, LOG_MAX_DATA, obj, path, "data",
	    e) && pos_from_json(&l->pos, obj, path, e);
}

/* An optional quantity member; *has says whether it was there. */
static int
opt_u64(uint64_t *out, int *has, const json_t *obj, const char *path,
    const char *key, struct jerr *e)
{
	*has = json_is_string(json_object_get(obj, key));
	return !*has || jv_u64(out, obj, path, key, e);
}

/* The optional position members used for cross-checks. */
static int
pos_from_json(struct rpc_pos *p, const json_t *obj, const char *path,
    struct jerr *e)
{
	if (json_is_string(json_object_get(obj, "blockHash"))) {
		if (!jv_fixed(p->block_hash, 32, obj, path, "blockHash", e))
			return 0;
		p->has_block_hash = 1;
	}
	return opt_u64(&p->block_number, &p->has_block_number, obj, path,
	    "blockNumber", e) &&
	    opt_u64(&p->tx_index, &p->has_tx_index, obj, path,
	    "transactionIndex", e) &&
	    opt_u64(&p->log_index, &p->has_log_index, obj, path, "logIndex", e);
}

static int
receipt_from_json(struct receipt *r, const json_t *obj, const char *path,
    struct jerr *e)
{
	json_t *logs, *root = json_object_get(obj, "root");
	uint64_t type = 0;
	char p[256], lp[256];
	size_t i;

	if (!json_is_object(obj))
		return jerr_set(e, path, NULL, "not an object");
	if (json_object_get(obj, "type") != NULL &&
	    !jv_u64(&type, obj, path, "type", e))
		return 0;
	if (type > 4)
		return jerr_set(e, path, "type", "unknown receipt type");
	r->type = (uint8_t)type;
	if (root != NULL && !json_is_null(root)) {
		if (!jv_fixed(r->root, 32, obj, path, "root", e))
			return 0;
		r->has_root = 1;
	} else if (!jv_u64(&r->status, obj, path, "status", e))
		return 0;
	else if (r->status > 1)
		return jerr_set(e, path, "status", "status is neither 0x0 nor 0x1");
	if (!jv_u64(&r->cumulative_gas, obj, path, "cumulativeGasUsed", e) ||
	    !jv_fixed(r->bloom, BLOOM_BYTES, obj, path, "logsBloom", e) ||
	    !jv_array(&logs, obj, path, "logs", e) ||
	    !pos_from_json(&r->pos, obj, path, e) ||
	    !opt_u64(&r->gas_used, &r->has_gas_used, obj, path, "gasUsed", e))
		return 0;
	if (json_array_size(logs) > RECEIPT_MAX_LOGS)
		return jerr_set(e, path, "logs", "too many logs");
	r->logs = xcalloc(json_array_size(logs) + 1, sizeof(*r->logs));
	jpath_key(p, sizeof(p), path, "logs");
	for (i = 0; i < json_array_size(logs); i++) {
		r->nlogs = i + 1;
		if (!log_from_json(&r->logs[i], json_array_get(logs, i),
		    jpath_index(lp, sizeof(lp), p, i), e))
			return 0;
	}
	return 1;
}

int
receipts_from_json(struct receipts *out, const json_t *arr, const char *path,
    struct jerr *e)
{
	char p[256];
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!json_is_array(arr))
		return jerr_set(e, path, NULL, "not an array");
	if (json_array_size(arr) > RECEIPTS_MAX)
		return jerr_set(e, path, NULL, "too many receipts");
	out->r = xcalloc(json_array_size(arr) + 1, sizeof(*out->r));
	for (i = 0; i < json_array_size(arr); i++) {
		out->n = i + 1;
		if (!receipt_from_json(&out->r[i], json_array_get(arr, i),
		    jpath_index(p, sizeof(p), path, i), e)) {
			receipts_free(out);
			return 0;
		}
	}
	return 1;
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
