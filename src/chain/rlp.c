/* rlp.c: the encoder writes the canonical form; the decoder accepts nothing
 * else, since two encodings of one value would give two hashes. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "chain/rlp.h"
#include "xmalloc.h"

void
rlp_buf_init(struct rlp_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
rlp_buf_free(struct rlp_buf *b)
{
	free(b->data);
	rlp_buf_init(b);
}

void
rlp_buf_reset(struct rlp_buf *b)
{
	b->len = 0;
}

uint8_t *
rlp_buf_take(struct rlp_buf *b, size_t *len)
{
	uint8_t *p = b->data ? b->data : xmalloc(1);

	*len = b->len;
	rlp_buf_init(b);
	return p;
}

static void
rlp_reserve(struct rlp_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 256;

	if (b->cap - b->len >= more)
		return;
	while (cap - b->len < more)
		cap *= 2;
	b->data = xreallocarray(b->data, cap, 1);
	b->cap = cap;
}

/* Writes the header of an item of payload length n with the given base
 * (0x80 strings, 0xc0 lists) into hdr; returns its length (1 to 9). */
static size_t
rlp_header(uint8_t hdr[9], size_t n, uint8_t base)
{
	size_t nlen = 0, i;
	size_t v = n;

	if (n < 56) {
		hdr[0] = (uint8_t)(base + n);
		return 1;
	}
	while (v) {
		nlen++;
		v >>= 8;
	}
	hdr[0] = (uint8_t)(base + 55 + nlen);
	for (i = 0; i < nlen; i++)
		hdr[1 + i] = (uint8_t)(n >> (8 * (nlen - 1 - i)));
	return 1 + nlen;
}

void
rlp_put_raw(struct rlp_buf *b, const uint8_t *p, size_t n)
{
	rlp_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
rlp_put_bytes(struct rlp_buf *b, const uint8_t *p, size_t n)
{
	uint8_t hdr[9];

	if (n == 1 && p[0] < 0x80) {
		rlp_put_raw(b, p, 1);
		return;
	}
	rlp_put_raw(b, hdr, rlp_header(hdr, n, 0x80));
	rlp_put_raw(b, p, n);
}

void
rlp_put_uint(struct rlp_buf *b, uint64_t v)
{
	uint8_t be[8];
	int n = 0, i;

	for (i = 7; i >= 0; i--) {
		uint8_t byte = (uint8_t)(v >> (8 * i));
		if (n || byte)
			be[n++] = byte;
	}
	rlp_put_bytes(b, be, (size_t)n);
}

size_t
rlp_list_begin(struct rlp_buf *b)
{
	return b->len;
}

void
rlp_list_end(struct rlp_buf *b, size_t mark)
{
	uint8_t hdr[9];
	size_t hlen = rlp_header(hdr, b->len - mark, 0xc0);

	rlp_reserve(b, hlen);
	memmove(b->data + mark + hlen, b->data + mark, b->len - mark);
	memcpy(b->data + mark, hdr, hlen);
	b->len += hlen;
}

/* Parses one item's header at in[0..len) without looking inside lists. */
static int
rlp_head(struct rlp_item *out, const uint8_t *in, size_t len,
    const char **why)
{
	uint8_t b0;
	size_t hlen, plen = 0, nlen, i;

	memset(out, 0, sizeof(*out));
	if (len == 0) {
		*why = "rlp: empty input";
		return 0;
	}
	b0 = in[0];
	if (b0 < 0x80) {
		hlen = 0;
		plen = 1;
	} else if (b0 < 0xb8 || (b0 >= 0xc0 && b0 < 0xf8)) {
		hlen = 1;
		plen = b0 - (b0 < 0xc0 ? 0x80 : 0xc0);
		if (b0 == 0x81 && len > 1 && in[1] < 0x80) {
			*why = "rlp: single byte below 0x80 must not be wrapped";
			return 0;
		}
	} else {
		nlen = b0 - (b0 < 0xc0 ? 0xb7 : 0xf7);
		if (len < 1 + nlen) {
			*why = "rlp: length of length past the end of input";
			return 0;
		}
		if (in[1] == 0) {
			*why = "rlp: length has leading zeros";
			return 0;
		}
		if (nlen > sizeof(size_t) || (nlen == sizeof(size_t) && in[1] > 0x7f)) {
			*why = "rlp: length too large";
			return 0;
		}
		for (i = 0; i < nlen; i++)
			plen = plen << 8 | in[1 + i];
		if (plen < 56) {
			*why = "rlp: long form used for a short item";
			return 0;
		}
		hlen = 1 + nlen;
	}
	if (plen > len - hlen) {
		*why = "rlp: item runs past the end of input";
		return 0;
	}
	out->raw = in;
	out->raw_len = hlen + plen;
	out->payload = in + hlen;
	out->len = plen;
	out->is_list = b0 >= 0xc0;
	return 1;
}

/* Checks every item of a list payload, recursively. */
static int
rlp_check(const struct rlp_item *it, int depth, const char **why)
{
	struct rlp_item child;
	const uint8_t *p = it->payload;
	size_t left = it->len;

	if (!it->is_list)
		return 1;
	if (depth > RLP_MAX_DEPTH) {
		*why = "rlp: lists nested too deep";
		return 0;
	}
	while (left) {
		if (!rlp_head(&child, p, left, why))
			return 0;
		if (!rlp_check(&child, depth + 1, why))
			return 0;
		p += child.raw_len;
		left -= child.raw_len;
	}
	return 1;
}

int
rlp_decode(struct rlp_item *out, const uint8_t *in, size_t len,
    const char **why)
{
	if (!rlp_head(out, in, len, why))
		return 0;
	if (out->raw_len != len) {
		*why = "rlp: trailing bytes after the item";
		goto fail;
	}
	if (!rlp_check(out, 1, why))
		goto fail;
	return 1;
fail:
	memset(out, 0, sizeof(*out));
	return 0;
}

int
rlp_next(struct rlp_item *out, const uint8_t **p, size_t *left,
    const char **why)
{
	*why = NULL;
	if (*left == 0) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	if (!rlp_head(out, *p, *left, why))
		return 0;
	*p += out->raw_len;
	*left -= out->raw_len;
	return 1;
}

int
rlp_list(struct rlp_item *items, size_t max, size_t *n,
    const struct rlp_item *list, const char **why)
{
	const uint8_t *p = list->payload;
	size_t left = list->len;
	struct rlp_item it;

	*n = 0;
	if (!list->is_list) {
		*why = "rlp: expected a list";
		return 0;
	}
	while (rlp_next(&it, &p, &left, why)) {
		if (*n == max) {
			*why = "rlp: list has too many items";
			return 0;
		}
		items[(*n)++] = it;
	}
	return *why == NULL;
}

int
rlp_uint64(uint64_t *out, const struct rlp_item *it, const char **why)
{
	size_t i;

	*out = 0;
	if (it->is_list) {
		*why = "rlp: expected a scalar, got a list";
		return 0;
	}
	if (it->len > 8) {
		*why = "rlp: scalar wider than 64 bits";
		return 0;
	}
	if (it->len > 0 && it->payload[0] == 0) {
		*why = "rlp: scalar has leading zeros";
		return 0;
	}
	for (i = 0; i < it->len; i++)
		*out = *out << 8 | it->payload[i];
	return 1;
}
