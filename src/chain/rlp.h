/* rlp.h: Recursive Length Prefix encoding and a strict decoder. */
#ifndef LICGATE_RLP_H
#define LICGATE_RLP_H

#include <stddef.h>
#include <stdint.h>

/* Deepest list nesting the decoder accepts; Ethereum data needs far less. */
#define RLP_MAX_DEPTH 64

/* A growable output buffer.  data is owned by the buffer; rlp_buf_free
 * releases it, rlp_buf_take hands it to the caller. */
struct rlp_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

void rlp_buf_init(struct rlp_buf *b);
void rlp_buf_free(struct rlp_buf *b);
/* Returns the data (caller frees) and leaves b empty. */
uint8_t *rlp_buf_take(struct rlp_buf *b, size_t *len);
void rlp_buf_reset(struct rlp_buf *b);

/* Appends a byte-string item. */
void rlp_put_bytes(struct rlp_buf *b, const uint8_t *p, size_t n);
/* Appends an unsigned scalar in its minimal big-endian form (0 is 0x80). */
void rlp_put_uint(struct rlp_buf *b, uint64_t v);
/* Appends bytes that are already RLP (a nested encoded item). */
void rlp_put_raw(struct rlp_buf *b, const uint8_t *p, size_t n);
/* Opens a list; returns a mark to hand to rlp_list_end, which writes the
 * list's header in front of everything appended since. */
size_t rlp_list_begin(struct rlp_buf *b);
void rlp_list_end(struct rlp_buf *b, size_t mark);

/* One decoded item: payload points into the input (no copy). */
struct rlp_item {
	const uint8_t *raw;	/* the whole encoded item */
	size_t raw_len;
	const uint8_t *payload;	/* string bytes, or the list's concatenated items */
	size_t len;
	int is_list;
};

/* Decodes exactly one item from in[0..len): the item must be canonical at
 * every depth (no long form for short data, no single byte < 0x80 wrapped, no
 * leading zeros in lengths), fit the input, nest at most RLP_MAX_DEPTH deep,
 * and leave no trailing bytes.  Empty input is an error. */
int rlp_decode(struct rlp_item *out, const uint8_t *in, size_t len,
    const char **why) __attribute__((warn_unused_result));

/* Reads the next item of an already validated list payload: *p and *left
 * advance past it.  Returns 0 at the end (with *why NULL) or on error. */
int rlp_next(struct rlp_item *out, const uint8_t **p, size_t *left,
    const char **why) __attribute__((warn_unused_result));

/* Splits a list item into at most max children; *n gets the count.  Fails
 * when the item is not a list or has more than max children. */
int rlp_list(struct rlp_item *items, size_t max, size_t *n,
    const struct rlp_item *list, const char **why)
    __attribute__((warn_unused_result));

/* Reads a canonical unsigned scalar (no leading zero byte) of at most 8
 * bytes from a string item. */
int rlp_uint64(uint64_t *out, const struct rlp_item *it, const char **why)
    __attribute__((warn_unused_result));

#endif
