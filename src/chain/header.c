/* header.c: one table lists the header fields in RLP order; JSON reading,
 * RLP encoding and RLP decoding all walk it, so the three cannot disagree. */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "chain/hash.h"
#include "chain/header.h"
#include "chain/jscan.h"

enum field_kind {
	F_FIXED,	/* exactly size bytes (hashes, addresses, bloom) */
	F_BIG,		/* quantity up to size bytes, minimal big-endian */
	F_U64,		/* quantity that fits 64 bits */
	F_DATA		/* byte string up to size bytes (extraData) */
};

struct header_field {
	const char *json;	/* member name in JSON-RPC */
	enum field_kind kind;
	size_t off;		/* offset of the value in struct header */
	size_t lenoff;		/* F_BIG, F_DATA: offset of its length */
	size_t size;
};

#define FIX(n, m, s) { n, F_FIXED, offsetof(struct header, m), 0, s }
#define BIG(n, m) { n, F_BIG, offsetof(struct header, m), \
	offsetof(struct header, m##_len), 32 }
#define SEAL(n, m) { n, F_DATA, offsetof(struct header, m), \
	offsetof(struct header, m##_len), HEADER_MAX_SEAL }
#define U64(n, m) { n, F_U64, offsetof(struct header, m), 0, 8 }

static const struct header_field header_fields[] = {
	FIX("parentHash", parent_hash, 32),
	FIX("sha3Uncles", uncles_hash, 32),
	FIX("miner", coinbase, 20),
	FIX("stateRoot", state_root, 32),
	FIX("transactionsRoot", tx_root, 32),
	FIX("receiptsRoot", receipts_root, 32),
	FIX("logsBloom", bloom, 256),
	BIG("difficulty", difficulty),
	U64("number", number),
	U64("gasLimit", gas_limit),
	U64("gasUsed", gas_used),
	U64("timestamp", timestamp),
	{ "extraData", F_DATA, offsetof(struct header, extra),
	    offsetof(struct header, extra_len), HEADER_MAX_EXTRA },
	SEAL("mixHash", mix_hash),
	SEAL("nonce", nonce),
	/* London and later, in the order the forks appended them. */
	BIG("baseFeePerGas", base_fee),
	FIX("withdrawalsRoot", withdrawals_root, 32),
	U64("blobGasUsed", blob_gas_used),
	U64("excessBlobGas", excess_blob_gas),
	FIX("parentBeaconBlockRoot", parent_beacon_root, 32),
	FIX("requestsHash", requests_hash, 32),
};

#define HEADER_NFIELDS (sizeof(header_fields) / sizeof(header_fields[0]))

/* Field counts that some fork actually used. */
static int
header_layout_valid(size_t n)
{
	return n == HEADER_LEGACY || n == HEADER_LONDON ||
	    n == HEADER_SHANGHAI || n == HEADER_CANCUN || n == HEADER_PRAGUE;
}

static uint8_t *
field_ptr(struct header *h, const struct header_field *f)
{
	return (uint8_t *)h + f->off;
}

static size_t *
field_len(struct header *h, const struct header_field *f)
{
	return (size_t *)((uint8_t *)h + f->lenoff);
}

static int
field_from_json(struct header *h, const struct header_field *f,
    const json_t *obj, const char *path, struct jerr *e)
{
	switch (f->kind) {
	case F_FIXED:
		return jv_fixed(field_ptr(h, f), f->size, obj, path, f->json, e);
	case F_BIG:
		return jv_quantity(field_ptr(h, f), f->size, field_len(h, f),
		    obj, path, f->json, e);
	case F_U64:
		return jv_u64((uint64_t *)(void *)field_ptr(h, f), obj, path,
		    f->json, e);
	case F_DATA:
		return jv_data(field_ptr(h, f), f->size, field_len(h, f), obj,
		    path, f->json, e);
	}
	return jerr_set(e, path, f->json, "unknown field kind");
}

/* How many fields the JSON carries: the 15 base ones plus the longest run
 * of later-fork fields; a later field without its predecessors is an error. */
static int
header_json_layout(size_t *n, const json_t *obj, const char *path,
    struct jerr *e)
{
	size_t i;

	*n = HEADER_LEGACY;
	while (*n < HEADER_NFIELDS &&
	    json_object_get(obj, header_fields[*n].json) != NULL)
		(*n)++;
	for (i = *n; i < HEADER_NFIELDS; i++)
		if (json_object_get(obj, header_fields[i].json) != NULL)
			return jerr_set(e, path, header_fields[i].json,
			    "present without the fields of earlier forks");
	if (!header_layout_valid(*n))
		return jerr_set(e, path, header_fields[*n].json,
		    "missing (incomplete Cancun header fields)");
	return 1;
}

int
header_from_json(struct header *h, const json_t *obj, const char *path,
    struct jerr *e)
{
	size_t i, n;

	memset(h, 0, sizeof(*h));
	if (!json_is_object(obj))
		return jerr_set(e, path, NULL, "not an object");
	if (!header_json_layout(&n, obj, path, e))
		return 0;
	for (i = 0; i < n; i++)
		if (!field_from_json(h, &header_fields[i], obj, path, e))
			goto fail;
	h->layout = (enum header_layout)n;
	if (json_object_get(obj, "hash") != NULL &&
	    !json_is_null(json_object_get(obj, "hash"))) {
		if (!jv_fixed(h->claimed_hash, 32, obj, path, "hash", e))
			goto fail;
		h->has_claimed_hash = 1;
	}
	return 1;
fail:
	memset(h, 0, sizeof(*h));
	return 0;
}

int
header_from_text(struct header *h, const char *text, size_t len,
    const char *path, struct jerr *e)
{
	struct jscan s;
	json_t *obj, *v;
	const char *key, *name, *val;
	size_t klen, vlen, i;
	int ok;

	memset(h, 0, sizeof(*h));
	js_init(&s, text, len);
	if (js_peek(&s) != JS_OBJECT)
		return jerr_set(e, path, NULL, "not an object");
	obj = json_object();
	if (!js_object(&s))
		goto bad;
	while (js_member(&s, &key, &klen)) {
		for (i = 0; i < HEADER_NFIELDS &&
		    !js_key_is(key, klen, header_fields[i].json); i++)
			;
		if (i == HEADER_NFIELDS && !js_key_is(key, klen, "hash")) {
			if (!js_skip(&s, NULL, NULL))
				goto bad;
			continue;
		}
		name = i < HEADER_NFIELDS ? header_fields[i].json : "hash";
		if (json_object_get(obj, name) != NULL) {
			json_decref(obj);
			return jerr_set(e, path, name, "appears twice");
		}
		/* Hex strings are taken raw: an escape is no hex digit. */
		if (js_peek(&s) == JS_STRING) {
			if (!js_string(&s, &val, &vlen))
				goto bad;
			v = json_stringn_nocheck(val, vlen);
		} else {
			if (!js_skip(&s, &val, &vlen))
				goto bad;
			v = json_loadb(val, vlen, JSON_DECODE_ANY, NULL);
		}
		if (v == NULL) {
			json_decref(obj);
			return jerr_set(e, path, name, "not a value this reader "
			    "takes");
		}
		json_object_set_new(obj, name, v);
	}
	if (s.why != NULL || !js_done(&s))
		goto bad;
	ok = header_from_json(h, obj, path, e);
	json_decref(obj);
	return ok;
bad:
	json_decref(obj);
	return jerr_set(e, path, NULL, s.why != NULL ? s.why : "not JSON");
}

static void
field_encode(struct rlp_buf *b, const struct header *h,
    const struct header_field *f)
{
	const uint8_t *p = (const uint8_t *)h + f->off;
	uint64_t v;

	switch (f->kind) {
	case F_FIXED:
		rlp_put_bytes(b, p, f->size);
		break;
	case F_BIG:
	case F_DATA:
		rlp_put_bytes(b, p, *(const size_t *)((const uint8_t *)h + f->lenoff));
		break;
	case F_U64:
		memcpy(&v, p, sizeof(v));
		rlp_put_uint(b, v);
		break;
	}
}

void
header_encode(struct rlp_buf *b, const struct header *h)
{
	size_t mark = rlp_list_begin(b), i;

	for (i = 0; i < (size_t)h->layout; i++)
		field_encode(b, h, &header_fields[i]);
	rlp_list_end(b, mark);
}

void
header_hash(uint8_t out[32], const struct header *h)
{
	struct rlp_buf b;

	rlp_buf_init(&b);
	header_encode(&b, h);
	keccak256(out, b.data, b.len);
	rlp_buf_free(&b);
}

static int
field_from_rlp(struct header *h, const struct header_field *f,
    const struct rlp_item *it, const char **why)
{
	if (it->is_list) {
		*why = "header: field is a list";
		return 0;
	}
	switch (f->kind) {
	case F_FIXED:
		if (it->len != f->size) {
			*why = "header: field has the wrong length";
			return 0;
		}
		memcpy(field_ptr(h, f), it->payload, f->size);
		return 1;
	case F_BIG:
		if (it->len > f->size || (it->len > 0 && it->payload[0] == 0)) {
			*why = "header: quantity too long or with leading zeros";
			return 0;
		}
		/* FALLTHROUGH */
	case F_DATA:
		if (it->len > f->size) {
			*why = "header: extraData or seal field too long";
			return 0;
		}
		memcpy(field_ptr(h, f), it->payload, it->len);
		*field_len(h, f) = it->len;
		return 1;
	case F_U64:
		return rlp_uint64((uint64_t *)(void *)field_ptr(h, f), it, why);
	}
	*why = "header: unknown field kind";
	return 0;
}

int
header_from_rlp(struct header *h, const uint8_t *rlp, size_t len,
    const char **why)
{
	struct rlp_item top, items[HEADER_NFIELDS];
	size_t n, i;

	memset(h, 0, sizeof(*h));
	if (!rlp_decode(&top, rlp, len, why) ||
	    !rlp_list(items, HEADER_NFIELDS, &n, &top, why))
		goto fail;
	if (!header_layout_valid(n)) {
		*why = "header: field count matches no fork's layout";
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (!field_from_rlp(h, &header_fields[i], &items[i], why))
			goto fail;
	h->layout = (enum header_layout)n;
	return 1;
fail:
	memset(h, 0, sizeof(*h));
	return 0;
}
