/* proof.c: a Merkle-Patricia proof is checked by walking it from the root:
 * every node referenced by hash must hash to that reference, nodes under 32
 * bytes sit inline in their parent, and the walk ends at the key's leaf or
 * at the point where the trie proves there is none.  Unused nodes fail. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "chain/hash.h"
#include "chain/hex.h"
#include "chain/proof.h"
#include "chain/rlp.h"
#include "chain/trie.h"
#include "xmalloc.h"

static const uint8_t empty_code_hash[32] = {
	0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d, 0xb2,
	0xdc, 0xc7, 0x03, 0xc0, 0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82, 0x27, 0x3b,
	0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70
};

static unsigned
key_nib(const uint8_t key[32], size_t i)
{
	return i % 2 ? key[i / 2] & 15 : key[i / 2] >> 4;
}

/* Walk state: where we are in the key and which node comes next. */
struct walk {
	const uint8_t *key;
	size_t depth;			/* nibbles consumed */
	const struct proof_nodes *nodes;
	size_t next;			/* index of the next node to consume */
};

/* Resolves a child reference into the node it names: a 32-byte hash must
 * be the hash of the next proof node; an inline list is the node itself. */
static int
walk_resolve(struct rlp_item *node, struct walk *w, const struct rlp_item *ref,
    const char **why)
{
	uint8_t h[32];
	const uint8_t *p;
	size_t len;

	if (ref->is_list) {
		if (ref->raw_len >= 32) {
			*why = "proof: inline node of 32 bytes or more";
			return 0;
		}
		*node = *ref;
		return 1;
	}
	if (ref->len != 32) {
		*why = "proof: child reference is neither a hash nor an inline node";
		return 0;
	}
	if (w->next >= w->nodes->n) {
		*why = "proof: ends before the key is resolved (node missing)";
		return 0;
	}
	p = w->nodes->node[w->next];
	len = w->nodes->len[w->next];
	keccak256(h, p, len);
	if (memcmp(h, ref->payload, 32) != 0) {
		*why = "proof: a node does not hash to its reference";
		return 0;
	}
	w->next++;
	if (!rlp_decode(node, p, len, why))
		return 0;
	if (!node->is_list) {
		*why = "proof: node is not a list";
		return 0;
	}
	return 1;
}

/* Decodes a hex-prefix path; checks it against the key from w->depth.
 * *match: 1 if the path is a prefix of the rest of the key. */
static int
walk_path(size_t *plen, int *leaf, int *match, const struct walk *w,
    const struct rlp_item *path, const char **why)
{
	unsigned flag, n;
	size_t i, k;

	if (path->is_list || path->len == 0) {
		*why = "proof: bad node path";
		return 0;
	}
	flag = path->payload[0] >> 4;
	if (flag > 3 || (!(flag & 1) && (path->payload[0] & 15) != 0)) {
		*why = "proof: bad hex-prefix flag";
		return 0;
	}
	*leaf = flag >= 2;
	*plen = 2 * (path->len - 1) + (flag & 1);
	*match = w->depth + *plen <= 64;
	for (i = 0; i < *plen && *match; i++) {
		k = (flag & 1) ? i + 1 : i + 2;
		n = k % 2 ? path->payload[k / 2] & 15 : path->payload[k / 2] >> 4;
		*match = n == key_nib(w->key, w->depth + i);
	}
	return 1;
}

/* One step at node; returns 1 to continue (with *node replaced), 0 when the
 * walk ended (*done set) or failed (*done 0, *why set). */
static int
walk_step(struct rlp_item *node, struct walk *w, int *done, int *found,
    struct rlp_item *value, const char **why)
{
	struct rlp_item items[17];
	size_t n, plen;
	int leaf, match;

	*done = 0;
	if (!rlp_list(items, 17, &n, node, why))
		return 0;
	if (n == 17) {
		if (w->depth >= 64) {
			*why = "proof: branch below the full key length";
			return 0;
		}
		if (!items[key_nib(w->key, w->depth)].is_list &&
		    items[key_nib(w->key, w->depth)].len == 0) {
			*done = 1;		/* empty slot: absent */
			return 0;
		}
		w->depth++;
		return walk_resolve(node, w, &items[key_nib(w->key, w->depth - 1)], why);
	}
	if (n != 2) {
		*why = "proof: node is neither a branch nor a leaf/extension";
		return 0;
	}
	if (!walk_path(&plen, &leaf, &match, w, &items[0], why))
		return 0;
	if (!match || (leaf && w->depth + plen != 64)) {
		*done = 1;			/* path diverges: absent */
		return 0;
	}
	w->depth += plen;
	if (leaf) {
		if (items[1].is_list) {
			*why = "proof: leaf value is a list";
			return 0;
		}
		*value = items[1];
		*found = *done = 1;
		return 0;
	}
	return walk_resolve(node, w, &items[1], why);
}

int
proof_lookup(const uint8_t **val, size_t *vlen, int *found,
    const uint8_t root[32], const uint8_t key[32],
    const struct proof_nodes *nodes, const char **why)
{
	struct walk w = { key, 0, nodes, 0 };
	struct rlp_item ref, node, value = { NULL, 0, NULL, 0, 0 };
	int done = 0;

	*val = NULL;
	*vlen = 0;
	*found = 0;
	/* An empty trie proves every key absent with no node (or just 0x80). */
	if (memcmp(root, trie_empty_root, 32) == 0 && (nodes->n == 0 ||
	    (nodes->n == 1 && nodes->len[0] == 1 && nodes->node[0][0] == 0x80)))
		return 1;
	ref.is_list = 0;
	ref.payload = root;
	ref.len = 32;
	if (!walk_resolve(&node, &w, &ref, why))
		return 0;
	while (walk_step(&node, &w, &done, found, &value, why))
		;
	if (!done)
		return 0;
	if (w.next != nodes->n) {
		*found = 0;
		*why = "proof: has nodes the walk does not use";
		return 0;
	}
	if (*found) {
		*val = value.payload;
		*vlen = value.len;
	}
	return 1;
}

/* rlp([nonce, balance, storageHash, codeHash]) of the claims. */
static void
account_encode(struct rlp_buf *b, const struct eth_proof *p)
{
	size_t mark = rlp_list_begin(b);

	rlp_put_uint(b, p->nonce);
	rlp_put_bytes(b, p->balance, p->balance_len);
	rlp_put_bytes(b, p->storage_hash, 32);
	rlp_put_bytes(b, p->code_hash, 32);
	rlp_list_end(b, mark);
}

/* 1 when the proved value is exactly the encoding in b; frees b. */
static int
proved_equals(const uint8_t *val, size_t vlen, struct rlp_buf *b)
{
	int ok = b->len == vlen && memcmp(b->data, val, vlen) == 0;

	rlp_buf_free(b);
	return ok;
}

int
proof_verify_account(int *exists, const struct eth_proof *p,
    const uint8_t state_root[32], const char **why)
{
	uint8_t key[32];
	const uint8_t *val;
	size_t vlen;
	struct rlp_buf b;

	keccak256(key, p->address, 20);
	if (!proof_lookup(&val, &vlen, exists, state_root, key, &p->account, why))
		return 0;
	if (!*exists) {
		if (p->nonce != 0 || p->balance_len != 0 ||
		    memcmp(p->storage_hash, trie_empty_root, 32) != 0 ||
		    memcmp(p->code_hash, empty_code_hash, 32) != 0) {
			*why = "account is proved absent but the claims are not empty";
			return 0;
		}
		return 1;
	}
	rlp_buf_init(&b);
	account_encode(&b, p);
	if (!proved_equals(val, vlen, &b)) {
		*why = "account claims (nonce, balance, storageHash, codeHash) "
		    "differ from the proved account";
		return 0;
	}
	return 1;
}

int
proof_verify_slot(int *exists, const struct storage_proof *s,
    const uint8_t storage_root[32], const char **why)
{
	uint8_t key[32];
	const uint8_t *val;
	size_t vlen;
	struct rlp_buf b;

	keccak256(key, s->key, 32);
	if (!proof_lookup(&val, &vlen, exists, storage_root, key, &s->nodes, why))
		return 0;
	if (!*exists) {
		if (s->value_len != 0) {
			*why = "value mismatch: slot is proved empty (zero) but "
			    "the claim is non-zero";
			return 0;
		}
		return 1;
	}
	rlp_buf_init(&b);
	rlp_put_bytes(&b, s->value, s->value_len);
	/* A present slot is never zero: a zero claim cannot match it. */
	if (!proved_equals(val, vlen, &b) || s->value_len == 0) {
		*why = "value mismatch: the proved value differs from the claim";
		return 0;
	}
	return 1;
}

static void
nodes_free(struct proof_nodes *n)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		free(n->node[i]);
	n->n = 0;
}

void
proof_free(struct eth_proof *p)
{
	size_t i;

	nodes_free(&p->account);
	for (i = 0; i < p->nslots; i++)
		nodes_free(&p->slots[i].nodes);
	free(p->slots);
	memset(p, 0, sizeof(*p));
}

static int
nodes_from_json(struct proof_nodes *out, const json_t *obj, const char *path,
    const char *key, struct jerr *e)
{
	json_t *arr;
	char p[256], np[256];
	const char *s, *why;
	size_t i;

	if (!jv_array(&arr, obj, path, key, e))
		return 0;
	jpath_key(p, sizeof(p), path, key);
	if (json_array_size(arr) > PROOF_MAX_NODES)
		return jerr_set(e, p, NULL, "too many proof nodes");
	for (i = 0; i < json_array_size(arr); i++) {
		jpath_index(np, sizeof(np), p, i);
		if ((s = json_string_value(json_array_get(arr, i))) == NULL)
			return jerr_set(e, np, NULL, "not a string");
		if (!hex_decode_alloc(&out->node[i], &out->len[i], s,
		    PROOF_MAX_NODE, &why))
			return jerr_set(e, np, NULL, why);
		out->n = i + 1;
	}
	return 1;
}

/* Storage keys: 0x and up to 64 hex digits, left-padded to 32 bytes. */
static int
slot_key(uint8_t out[32], const json_t *obj, const char *path, struct jerr *e)
{
	const char *s = json_string_value(json_object_get(obj, "key")), *why;
	char padded[67];
	size_t n;

	if (s == NULL)
		return jerr_set(e, path, "key", "missing or not a string");
	if (strncmp(s, "0x", 2) != 0)
		return jerr_set(e, path, "key", "missing 0x prefix");
	n = strlen(s + 2);
	if (n == 0 || n > 64)
		return jerr_set(e, path, "key", "storage key must have 1 to 64 hex digits");
	memset(padded, '0', sizeof(padded));
	padded[1] = 'x';
	memcpy(padded + 2 + 64 - n, s + 2, n + 1);
	if (!hex_decode_fixed(out, 32, padded, &why))
		return jerr_set(e, path, "key", why);
	return 1;
}

static int
slots_from_json(struct eth_proof *p, const json_t *obj, const char *path,
    struct jerr *e)
{
	json_t *arr, *s;
	char ap[256], sp[256];
	size_t i;

	if (!jv_array(&arr, obj, path, "storageProof", e))
		return 0;
	jpath_key(ap, sizeof(ap), path, "storageProof");
	if (json_array_size(arr) > PROOF_MAX_SLOTS)
		return jerr_set(e, ap, NULL, "too many storage proofs");
	p->slots = xcalloc(json_array_size(arr) + 1, sizeof(*p->slots));
	for (i = 0; i < json_array_size(arr); i++) {
		s = json_array_get(arr, i);
		jpath_index(sp, sizeof(sp), ap, i);
		p->nslots = i + 1;
		if (!slot_key(p->slots[i].key, s, sp, e) ||
		    !jv_quantity(p->slots[i].value, 32, &p->slots[i].value_len, s,
		    sp, "value", e) ||
		    !nodes_from_json(&p->slots[i].nodes, s, sp, "proof", e))
			return 0;
	}
	return 1;
}

int
proof_from_json(struct eth_proof *p, const json_t *obj, const char *path,
    struct jerr *e)
{
	memset(p, 0, sizeof(*p));
	if (!jv_fixed(p->address, 20, obj, path, "address", e) ||
	    !jv_u64(&p->nonce, obj, path, "nonce", e) ||
	    !jv_quantity(p->balance, 32, &p->balance_len, obj, path, "balance", e) ||
	    !jv_fixed(p->storage_hash, 32, obj, path, "storageHash", e) ||
	    !jv_fixed(p->code_hash, 32, obj, path, "codeHash", e) ||
	    !nodes_from_json(&p->account, obj, path, "accountProof", e) ||
	    !slots_from_json(p, obj, path, e)) {
		proof_free(p);
		return 0;
	}
	return 1;
}
