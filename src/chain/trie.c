/* trie.c: the root is computed from the sorted entries in one recursive pass
 * (branch, extension and leaf nodes appear exactly where keys diverge), so
 * no node objects are kept. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "chain/hash.h"
#include "chain/rlp.h"
#include "chain/trie.h"
#include "xmalloc.h"

const uint8_t trie_empty_root[32] = {
	0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45, 0xe6,
	0x92, 0xc0, 0xf8, 0x6e, 0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c, 0xad, 0xc0,
	0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21
};

struct trie_entry {
	uint8_t *key;
	size_t klen;		/* bytes; the path has 2 * klen nibbles */
	uint8_t *val;
	size_t vlen;
};

struct trie {
	struct trie_entry *e;
	size_t n, cap;
};

static unsigned
nib(const struct trie_entry *e, size_t i)
{
	return i % 2 ? e->key[i / 2] & 15 : e->key[i / 2] >> 4;
}

struct trie *
trie_new(void)
{
	return xcalloc(1, sizeof(struct trie));
}

void
trie_free(struct trie *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->e[i].key);
		free(t->e[i].val);
	}
	free(t->e);
	free(t);
}

void
trie_put(struct trie *t, const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen)
{
	struct trie_entry *e = NULL;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->e[i].klen == klen && memcmp(t->e[i].key, key, klen) == 0) {
			e = &t->e[i];
			break;
		}
	if (vlen == 0) {
		if (e != NULL) {
			free(e->key);
			free(e->val);
			*e = t->e[--t->n];
		}
		return;
	}
	if (e == NULL) {
		if (t->n == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 16;
			t->e = xreallocarray(t->e, t->cap, sizeof(*t->e));
		}
		e = &t->e[t->n++];
		e->key = xmalloc(klen ? klen : 1);
		memcpy(e->key, key, klen);
		e->klen = klen;
	} else
		free(e->val);
	e->val = xmalloc(vlen);
	memcpy(e->val, val, vlen);
	e->vlen = vlen;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct trie_entry *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	return (x->klen > y->klen) - (x->klen < y->klen);
}

/* Hex-prefix encoding of nibbles [from, to) of e's key. */
static void
put_path(struct rlp_buf *b, const struct trie_entry *e, size_t from, size_t to,
    int leaf)
{
	uint8_t buf[1 + 64 + 1];
	uint8_t *big = NULL, *p = buf;
	size_t n = to - from, len = n / 2 + 1, i, k = from;

	if (len > sizeof(buf))
		p = big = xmalloc(len);
	p[0] = (uint8_t)((leaf ? 2 : 0) << 4);
	if (n % 2)
		p[0] |= (uint8_t)(1 << 4 | nib(e, k++));
	for (i = 1; i < len; i++, k += 2)
		p[i] = (uint8_t)(nib(e, k) << 4 | nib(e, k + 1));
	rlp_put_bytes(b, p, len);
	free(big);
}

static void encode_node(struct rlp_buf *b, const struct trie_entry *e,
    size_t n, size_t depth);

/* Appends a child reference: the node inline if under 32 bytes, else its hash. */
static void
put_ref(struct rlp_buf *b, const struct trie_entry *e, size_t n, size_t depth)
{
	struct rlp_buf child;
	uint8_t h[32];

	rlp_buf_init(&child);
	encode_node(&child, e, n, depth);
	if (child.len < 32)
		rlp_put_raw(b, child.data, child.len);
	else {
		keccak256(h, child.data, child.len);
		rlp_put_bytes(b, h, 32);
	}
	rlp_buf_free(&child);
}

/* Nibbles shared by all of e[0..n) from depth (e is sorted, so the first and
 * last entries bound it). */
static size_t
common_prefix(const struct trie_entry *e, size_t n, size_t depth)
{
	const struct trie_entry *a = &e[0], *z = &e[n - 1];
	size_t alen = 2 * a->klen, zlen = 2 * z->klen, i = depth;

	while (i < alen && i < zlen && nib(a, i) == nib(z, i))
		i++;
	return i - depth;
}

static void
encode_branch(struct rlp_buf *b, const struct trie_entry *e, size_t n,
    size_t depth)
{
	size_t mark = rlp_list_begin(b), i = 0, j;
	const struct trie_entry *value = NULL;
	unsigned k;

	if (2 * e[0].klen == depth)
		value = &e[i++];
	for (k = 0; k < 16; k++) {
		for (j = i; j < n && nib(&e[j], depth) == k; j++)
			;
		if (j == i)
			rlp_put_bytes(b, NULL, 0);
		else
			put_ref(b, e + i, j - i, depth + 1);
		i = j;
	}
	if (value != NULL)
		rlp_put_bytes(b, value->val, value->vlen);
	else
		rlp_put_bytes(b, NULL, 0);
	rlp_list_end(b, mark);
}

static void
encode_node(struct rlp_buf *b, const struct trie_entry *e, size_t n,
    size_t depth)
{
	size_t mark, cp;

	if (n == 1) {
		mark = rlp_list_begin(b);
		put_path(b, e, depth, 2 * e->klen, 1);
		rlp_put_bytes(b, e->val, e->vlen);
		rlp_list_end(b, mark);
		return;
	}
	cp = common_prefix(e, n, depth);
	if (cp == 0) {
		encode_branch(b, e, n, depth);
		return;
	}
	mark = rlp_list_begin(b);
	put_path(b, e, depth, depth + cp, 0);
	put_ref(b, e, n, depth + cp);
	rlp_list_end(b, mark);
}

static void
root_of(uint8_t out[32], struct trie_entry *e, size_t n)
{
	struct rlp_buf b;

	if (n == 0) {
		memcpy(out, trie_empty_root, 32);
		return;
	}
	qsort(e, n, sizeof(*e), entry_cmp);
	rlp_buf_init(&b);
	encode_node(&b, e, n, 0);
	keccak256(out, b.data, b.len);
	rlp_buf_free(&b);
}

void
trie_root(struct trie *t, uint8_t out[32])
{
	root_of(out, t->e, t->n);
}

void
trie_ordered_root(uint8_t out[32], const uint8_t *const *vals,
    const size_t *lens, size_t n)
{
	struct trie_entry *e = xcalloc(n ? n : 1, sizeof(*e));
	struct rlp_buf keys;
	size_t i, *off = xcalloc(n ? n : 1, sizeof(*off));

	/* Keys are rlp(i); encode them all into one buffer first. */
	rlp_buf_init(&keys);
	for (i = 0; i < n; i++) {
		off[i] = keys.len;
		rlp_put_uint(&keys, i);
	}
	for (i = 0; i < n; i++) {
		e[i].key = keys.data + off[i];
		e[i].klen = (i + 1 < n ? off[i + 1] : keys.len) - off[i];
		e[i].val = (uint8_t *)(uintptr_t)vals[i];
		e[i].vlen = lens[i];
	}
	root_of(out, e, n);
	rlp_buf_free(&keys);
	free(off);
	free(e);
}
