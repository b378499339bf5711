/* jscan.c: JSON read in place, one value at a time (RFC 8259 syntax). */
#include "config.h"

#include <string.h>

#include "chain/jscan.h"

static int
js_fail(struct jscan *s, const char *why)
{
	if (s->why == NULL)
		s->why = why;
	return 0;
}

/* The current byte, or 0 at the end of the text. */
static int
js_at(const struct jscan *s)
{
	return s->p < s->end ? (unsigned char)*s->p : 0;
}

static void
js_ws(struct jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' ||
	    *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

void
js_init(struct jscan *s, const char *text, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->p = text;
	s->end = text + len;
}

enum js_type
js_peek(struct jscan *s)
{
	js_ws(s);
	switch (js_at(s)) {
	case '{':
		return JS_OBJECT;
	case '[':
		return JS_ARRAY;
	case '"':
		return JS_STRING;
	case 't':
		return JS_TRUE;
	case 'f':
		return JS_FALSE;
	case 'n':
		return JS_NULL;
	case '-': case '0': case '1': case '2': case '3': case '4': case '5':
	case '6': case '7': case '8': case '9':
		return JS_NUMBER;
	default:
		return JS_BAD;
	}
}

static int
js_hexdigit(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* Moves over the bytes of a string that need no look (no quote, backslash
 * or control character), eight at a time: hex data is most of a sync. */
static void
js_plain_run(struct jscan *s)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;
	uint64_t w, q, bs;

	while (s->end - s->p >= 8) {
		memcpy(&w, s->p, 8);
		q = w ^ (ones * '"');
		bs = w ^ (ones * '\\');
		/* A byte of zero (or below 0x20) sets its high bit here; a
		 * false alarm only sends the word to the careful loop. */
		if (((q - ones) & ~q & highs) || ((bs - ones) & ~bs & highs) ||
		    ((w - ones * 0x20) & ~w & highs))
			return;
		s->p += 8;
	}
}

int
js_string(struct jscan *s, const char **str, size_t *len)
{
	const char *b;
	int c, i;

	*str = NULL;
	*len = 0;
	if (s->why != NULL)
		return 0;
	if (js_peek(s) != JS_STRING)
		return js_fail(s, "not a string");
	b = ++s->p;
	for (;;) {
		js_plain_run(s);
		if (s->p >= s->end)
			return js_fail(s, "unterminated string");
		c = (unsigned char)*s->p;
		if (c == '"')
			break;
		if (c < 0x20)
			return js_fail(s, "control character in a string");
		s->p++;
		if (c != '\\')
			continue;
		c = js_at(s);
		if (c == 'u') {
			for (i = 1; i <= 4; i++)
				if (s->p + i >= s->end || !js_hexdigit(s->p[i]))
					return js_fail(s, "bad \\u escape");
			s->p += 5;
		} else if (c != 0 && strchr("\"\\/bfnrt", c) != NULL)
			s->p++;
		else
			return js_fail(s, "bad escape in a string");
	}
	*str = b;
	*len = (size_t)(s->p - b);
	s->p++;
	return 1;
}

/* A number in JSON's grammar; b and n get its text. */
static int
js_number(struct jscan *s, const char **b, size_t *n)
{
	*b = s->p;
	if (js_at(s) == '-')
		s->p++;
	if (js_at(s) == '0')
		s->p++;
	else if (js_at(s) >= '1' && js_at(s) <= '9')
		while (js_at(s) >= '0' && js_at(s) <= '9')
			s->p++;
	else
		return js_fail(s, "bad number");
	if (js_at(s) == '.') {
		s->p++;
		if (!(js_at(s) >= '0' && js_at(s) <= '9'))
			return js_fail(s, "bad number");
		while (js_at(s) >= '0' && js_at(s) <= '9')
			s->p++;
	}
	if (js_at(s) == 'e' || js_at(s) == 'E') {
		s->p++;
		if (js_at(s) == '+' || js_at(s) == '-')
			s->p++;
		if (!(js_at(s) >= '0' && js_at(s) <= '9'))
			return js_fail(s, "bad number");
		while (js_at(s) >= '0' && js_at(s) <= '9')
			s->p++;
	}
	*n = (size_t)(s->p - *b);
	return 1;
}

/* Digits d[0..n) as a value that fits 64 bits. */
static int
js_digits(struct jscan *s, uint64_t *v, const char *d, size_t n)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (d[i] < '0' || d[i] > '9')
			return js_fail(s, "not an integer");
		if (*v > (UINT64_MAX - (uint64_t)(d[i] - '0')) / 10)
			return js_fail(s, "integer too large");
		*v = *v * 10 + (uint64_t)(d[i] - '0');
	}
	return 1;
}

/* The number at the cursor, which must be one, as js_number reads it. */
static int
js_number_here(struct jscan *s, const char **b, size_t *n)
{
	if (s->why != NULL)
		return 0;
	if (js_peek(s) != JS_NUMBER)
		return js_fail(s, "not a number");
	return js_number(s, b, n);
}

int
js_uint(struct jscan *s, uint64_t *v)
{
	const char *b;
	size_t n;

	*v = 0;
	if (!js_number_here(s, &b, &n))
		return 0;
	return js_digits(s, v, b, n);
}

int
js_int(struct jscan *s, int64_t *v)
{
	const char *b;
	uint64_t u;
	size_t n;
	int neg;

	*v = 0;
	if (!js_number_here(s, &b, &n))
		return 0;
	neg = b[0] == '-';
	if (!js_digits(s, &u, b + neg, n - (size_t)neg))
		return 0;
	if (u > (uint64_t)INT64_MAX + (uint64_t)neg)
		return js_fail(s, "integer too large");
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 1;
}

static int
js_literal(struct jscan *s, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return js_fail(s, "bad literal");
	s->p += n;
	return 1;
}

static int
js_push(struct jscan *s)
{
	if (s->depth >= JS_MAX_DEPTH)
		return js_fail(s, "nested too deep");
	s->depth++;
	s->first |= 1ull << (s->depth - 1);
	s->p++;
	return 1;
}

static void
js_pop(struct jscan *s)
{
	s->first &= ~(1ull << (s->depth - 1));
	s->depth--;
	s->p++;
}

/* Before the next member or element: 1 when there is one (after its
 * comma), 0 after the closing byte. */
static int
js_next(struct jscan *s, int close)
{
	uint64_t bit;

	if (s->why != NULL || s->depth == 0)
		return js_fail(s, "not inside an object or array");
	bit = 1ull << (s->depth - 1);
	js_ws(s);
	if (js_at(s) == close) {
		js_pop(s);
		return 0;
	}
	if (s->first & bit)
		s->first &= ~bit;
	else if (js_at(s) != ',')
		return js_fail(s, close == '}' ? "expected ',' or '}'" :
		    "expected ',' or ']'");
	else {
		s->p++;
		js_ws(s);
		if (js_at(s) == close)
			return js_fail(s, "trailing comma");
	}
	return 1;
}

/* Enters the object or array (want) at the cursor; why names the other. */
static int
js_enter(struct jscan *s, enum js_type want, const char *why)
{
	if (s->why != NULL)
		return 0;
	if (js_peek(s) != want)
		return js_fail(s, why);
	return js_push(s);
}

int
js_object(struct jscan *s)
{
	return js_enter(s, JS_OBJECT, "not an object");
}

int
js_member(struct jscan *s, const char **key, size_t *klen)
{
	*key = NULL;
	*klen = 0;
	if (!js_next(s, '}'))
		return 0;
	if (js_peek(s) != JS_STRING)
		return js_fail(s, "expected a key");
	if (!js_string(s, key, klen))
		return 0;
	js_ws(s);
	if (js_at(s) != ':')
		return js_fail(s, "expected ':'");
	s->p++;
	return 1;
}

int
js_array(struct jscan *s)
{
	return js_enter(s, JS_ARRAY, "not an array");
}

int
js_element(struct jscan *s)
{
	if (!js_next(s, ']'))
		return 0;
	if (js_peek(s) == JS_BAD)
		return js_fail(s, "expected a value");
	return 1;
}

int
js_skip(struct jscan *s, const char **start, size_t *len)
{
	const char *b, *k;
	size_t n;

	if (s->why != NULL)
		return 0;
	js_ws(s);
	b = s->p;
	switch (js_peek(s)) {
	case JS_OBJECT:
		if (!js_object(s))
			return 0;
		while (js_member(s, &k, &n))
			if (!js_skip(s, NULL, NULL))
				return 0;
		break;
	case JS_ARRAY:
		if (!js_array(s))
			return 0;
		while (js_element(s))
			if (!js_skip(s, NULL, NULL))
				return 0;
		break;
	case JS_STRING:
		if (!js_string(s, &k, &n))
			return 0;
		break;
	case JS_NUMBER:
		if (!js_number(s, &k, &n))
			return 0;
		break;
	case JS_TRUE:
		if (!js_literal(s, "true"))
			return 0;
		break;
	case JS_FALSE:
		if (!js_literal(s, "false"))
			return 0;
		break;
	case JS_NULL:
		if (!js_literal(s, "null"))
			return 0;
		break;
	default:
		return js_fail(s, s->p < s->end ? "not a JSON value" :
		    "text ends early");
	}
	if (s->why != NULL)
		return 0;
	if (start != NULL) {
		*start = b;
		*len = (size_t)(s->p - b);
	}
	return 1;
}

int
js_span(struct jscan *s, const char **start, size_t *len)
{
	const char *b;
	size_t depth = 0;
	int c;

	if (s->why != NULL)
		return 0;
	js_ws(s);
	b = s->p;
	if (js_peek(s) == JS_BAD)
		return js_fail(s, s->p < s->end ? "not a JSON value" :
		    "text ends early");
	do {
		if (s->p >= s->end)
			return js_fail(s, "text ends early");
		c = (unsigned char)*s->p;
		if (c == '"') {
			s->p++;
			for (;;) {
				js_plain_run(s);
				if (s->p >= s->end)
					return js_fail(s, "unterminated string");
				if (*s->p == '"')
					break;
				if (*s->p == '\\' && s->p + 1 < s->end)
					s->p++;
				s->p++;
			}
			s->p++;
		} else if (c == '{' || c == '[') {
			depth++;
			s->p++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return js_fail(s, "unbalanced brackets");
			depth--;
			s->p++;
		} else if (depth == 0) {
			/* A number or literal: up to the next delimiter. */
			while (s->p < s->end && strchr(",}] \t\r\n",
			    *s->p) == NULL && *s->p != '\0')
				s->p++;
		} else
			s->p++;
	} while (depth > 0);
	*start = b;
	*len = (size_t)(s->p - b);
	return 1;
}

int
js_done(struct jscan *s)
{
	if (s->why != NULL)
		return 0;
	js_ws(s);
	if (s->p != s->end)
		return js_fail(s, "text after the value");
	return 1;
}

int
js_key_is(const char *key, size_t klen, const char *name)
{
	return strlen(name) == klen && memcmp(key, name, klen) == 0;
}
