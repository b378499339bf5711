/* install_proof.c: the install proof file (install_proof.h): writing it,
 * and reading it strictly, since it comes from whoever hands it over. */
#include "config.h"

#include <string.h>

#include "chain/hex.h"
#include "install_proof.h"

/* n bytes as a 0x hex JSON string. */
static json_t *
hex_json(const uint8_t *p, size_t n)
{
	char buf[2 * LGV_INSTALL_MAX + 3];

	return json_string(hex_encode(buf, p, n));
}

static json_t *
path_json(const struct install_proof *p)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < p->npath; i++)
		json_array_append_new(a, hex_json(p->path[i], 32));
	return a;
}

static json_t *
anchor_json(const struct install_proof *p)
{
	return json_pack("{sI so so sI sI}",
	    "block_number", (json_int_t)p->block_number,
	    "block_hash", hex_json(p->block_hash, 32),
	    "tx_hash", p->has_tx_hash ? hex_json(p->tx_hash, 32) : json_null(),
	    "tx_index", (json_int_t)p->tx_index,
	    "log_index", (json_int_t)p->log_index);
}

json_t *
install_proof_to_json(const struct install_proof *p)
{
	return json_pack("{si sI so so sI so so sI s{sI sI so} so so}",
	    "version", INSTALL_PROOF_VERSION,
	    "chain_id", (json_int_t)p->chain_id,
	    "registry", hex_json(p->registry, 20),
	    "gateway", hex_json(p->gateway, 20),
	    "seq", (json_int_t)p->seq,
	    "report", hex_json(p->report, p->report_len),
	    "device_key", hex_json(p->device_key, p->device_key_len),
	    "leaf_index", (json_int_t)p->leaf_index,
	    "batch", "first_seq", (json_int_t)p->first_seq,
	    "count", (json_int_t)p->count,
	    "root", hex_json(p->root, 32),
	    "path", path_json(p),
	    "anchor", anchor_json(p));
}

/* obj[key]: an integer from 0 to 2^63 - 1. */
static int
rd_int(uint64_t *out, const json_t *obj, const char *path, const char *key,
    struct jerr *e)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return jerr_set(e, path, key, "not a non-negative integer");
	*out = (uint64_t)json_integer_value(v);
	return 1;
}

/* obj[key]: 0x hex of 1 .. cap bytes. */
static int
rd_data(uint8_t *out, size_t cap, size_t *len, const json_t *obj,
    const char *path, const char *key, struct jerr *e)
{
	if (!jv_data(out, cap, len, obj, path, key, e))
		return 0;
	if (*len == 0)
		return jerr_set(e, path, key, "empty");
	return 1;
}

static int
rd_path(struct install_proof *p, const json_t *j, struct jerr *e)
{
	const char *why = "not a string";
	char where[32];
	json_t *a, *v;
	size_t i;

	if (!jv_array(&a, j, "$", "path", e))
		return 0;
	if (json_array_size(a) > MERKLE_MAX_PATH)
		return jerr_set(e, "$", "path", "longer than a path can be");
	for (i = 0; i < json_array_size(a); i++) {
		v = json_array_get(a, i);
		if (!json_is_string(v) || !hex_decode_fixed(p->path[i], 32,
		    json_string_value(v), &why))
			return jerr_set(e, jpath_index(where, sizeof(where),
			    "$.path", i), NULL, why);
	}
	p->npath = i;
	return 1;
}

static int
rd_batch(struct install_proof *p, const json_t *j, struct jerr *e)
{
	const json_t *b = json_object_get(j, "batch");

	if (!json_is_object(b))
		return jerr_set(e, "$", "batch", "not an object");
	return rd_int(&p->first_seq, b, "$.batch", "first_seq", e) &&
	    rd_int(&p->count, b, "$.batch", "count", e) &&
	    jv_fixed(p->root, 32, b, "$.batch", "root", e);
}

static int
rd_anchor(struct install_proof *p, const json_t *j, struct jerr *e)
{
	const json_t *a = json_object_get(j, "anchor");

	if (!json_is_object(a))
		return jerr_set(e, "$", "anchor", "not an object");
	p->has_tx_hash = !json_is_null(json_object_get(a, "tx_hash"));
	return rd_int(&p->block_number, a, "$.anchor", "block_number", e) &&
	    jv_fixed(p->block_hash, 32, a, "$.anchor", "block_hash", e) &&
	    (!p->has_tx_hash ||
	    jv_fixed(p->tx_hash, 32, a, "$.anchor", "tx_hash", e)) &&
	    rd_int(&p->tx_index, a, "$.anchor", "tx_index", e) &&
	    rd_int(&p->log_index, a, "$.anchor", "log_index", e);
}

int
install_proof_from_json(struct install_proof *p, const json_t *j,
    struct jerr *e)
{
	uint64_t version;

	memset(p, 0, sizeof(*p));
	e->why = NULL;
	if (!json_is_object(j))
		return jerr_set(e, "$", NULL, "not an object");
	if (!rd_int(&version, j, "$", "version", e))
		return 0;
	if (version != INSTALL_PROOF_VERSION)
		return jerr_set(e, "$", "version", "not a version this "
		    "licgatectl reads");
	if (rd_int(&p->chain_id, j, "$", "chain_id", e) &&
	    jv_fixed(p->registry, 20, j, "$", "registry", e) &&
	    jv_fixed(p->gateway, 20, j, "$", "gateway", e) &&
	    rd_int(&p->seq, j, "$", "seq", e) &&
	    rd_data(p->report, sizeof(p->report), &p->report_len, j, "$",
	    "report", e) &&
	    rd_data(p->device_key, sizeof(p->device_key), &p->device_key_len,
	    j, "$", "device_key", e) &&
	    rd_int(&p->leaf_index, j, "$", "leaf_index", e) &&
	    rd_batch(p, j, e) && rd_path(p, j, e) && rd_anchor(p, j, e))
		return 1;
	memset(p, 0, sizeof(*p));
	return 0;
}
