/* jscan.h: a pull reader of JSON text that builds nothing.  The big answers
 * of a sync (a block's receipts) are read field by field straight from the
 * response body: no tree, no allocation per value.  Strings are handed out
 * raw (between the quotes, escapes left as they are): the members read this
 * way are hex, where an escape is an error anyway.  Whatever is skipped is
 * still checked to be JSON, and nesting is limited. */
#ifndef LICGATE_JSCAN_H
#define LICGATE_JSCAN_H

#include <stddef.h>
#include <stdint.h>

#define JS_MAX_DEPTH 64

enum js_type {
	JS_BAD, JS_OBJECT, JS_ARRAY, JS_STRING, JS_NUMBER, JS_TRUE, JS_FALSE,
	JS_NULL
};

struct jscan {
	const char *p, *end;
	const char *why;		/* the first error, or NULL */
	unsigned depth;
	uint64_t first;			/* bit d: nothing read yet at depth d */
};

void js_init(struct jscan *s, const char *text, size_t len);

/* The type of the next value (JS_BAD at the end of the text). */
enum js_type js_peek(struct jscan *s);

/* Reads a string: *str and *len get its raw contents. */
int js_string(struct jscan *s, const char **str, size_t *len)
    __attribute__((warn_unused_result));

/* Reads a non-negative integer that fits 64 bits, or a signed one. */
int js_uint(struct jscan *s, uint64_t *v) __attribute__((warn_unused_result));
int js_int(struct jscan *s, int64_t *v) __attribute__((warn_unused_result));

/* Skips one value of any type; start and len (may be NULL) get its text. */
int js_skip(struct jscan *s, const char **start, size_t *len)
    __attribute__((warn_unused_result));

/* Objects: js_object() enters one; js_member() then gives each key (raw)
 * with the scanner at its value, which the caller must read or skip, and
 * returns 0 after the closing brace or on an error (s->why says). */
int js_object(struct jscan *s) __attribute__((warn_unused_result));
int js_member(struct jscan *s, const char **key, size_t *klen);

/* Arrays likewise: js_element() returns 1 with the scanner at the next
 * element, 0 after the closing bracket or on an error. */
int js_array(struct jscan *s) __attribute__((warn_unused_result));
int js_element(struct jscan *s);

/* Moves over one value checking only that its strings end and its
 * brackets balance: for text whose own reader checks it afterwards (a
 * result inside an answer).  start and len get its text. */
int js_span(struct jscan *s, const char **start, size_t *len)
    __attribute__((warn_unused_result));

/* Only whitespace is left. */
int js_done(struct jscan *s) __attribute__((warn_unused_result));

/* 1 when the raw key (klen bytes) is name. */
int js_key_is(const char *key, size_t klen, const char *name);

#endif
