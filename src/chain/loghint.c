/* loghint.c: the blocks an eth_getLogs answer names.  See loghint.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "chain/hex.h"
#include "chain/jscan.h"
#include "chain/loghint.h"
#include "xmalloc.h"

/* What one log of the answer says about where it is. */
struct hint_log {
	uint64_t number;
	uint8_t hash[32];
	uint8_t address[20];
	int has_number, has_hash, has_address, removed;
};

static int
read_hex(struct jscan *s, uint8_t *out, size_t n, const char **why)
{
	const char *v;
	size_t len;

	if (!js_string(s, &v, &len))
		return 0;
	return hex_decode_fixed_n(out, n, v, len, why);
}

/* Reads one log object, skipping every member but the four it needs. */
static int
read_log(struct jscan *s, struct hint_log *l, const char **why)
{
	const char *key, *v;
	size_t klen, len;

	memset(l, 0, sizeof(*l));
	if (!js_object(s))
		return 0;
	while (js_member(s, &key, &klen)) {
		if (js_key_is(key, klen, "blockNumber") && !l->has_number) {
			if (!js_string(s, &v, &len) ||
			    !hex_quantity_u64_n(&l->number, v, len, why))
				return 0;
			l->has_number = 1;
		} else if (js_key_is(key, klen, "blockHash") && !l->has_hash) {
			if (!read_hex(s, l->hash, 32, why))
				return 0;
			l->has_hash = 1;
		} else if (js_key_is(key, klen, "address") &&
		    !l->has_address) {
			if (!read_hex(s, l->address, 20, why))
				return 0;
			l->has_address = 1;
		} else if (js_key_is(key, klen, "removed") &&
		    js_peek(s) == JS_TRUE) {
			l->removed = 1;
			if (!js_skip(s, NULL, NULL))
				return 0;
		} else if (!js_skip(s, NULL, NULL))
			return 0;
	}
	return s->why == NULL;
}

/* Checks log l against what was asked and the log before it. */
static int
judge_log(const struct hint_log *l, const struct loghint_block *prev,
    const uint8_t address[20], uint64_t from, uint64_t to, const char **why)
{
	if (!l->has_number || !l->has_hash || !l->has_address)
		*why = "a log lacks blockNumber, blockHash or address";
	else if (memcmp(l->address, address, 20) != 0)
		*why = "a log of another address";
	else if (l->removed)
		*why = "a removed log";
	else if (l->number < from || l->number > to)
		*why = "a log outside the blocks asked";
	else if (prev != NULL && l->number < prev->number)
		*why = "logs out of block order";
	else if (prev != NULL && l->number == prev->number &&
	    memcmp(l->hash, prev->hash, 32) != 0)
		*why = "two hashes for one block";
	else
		return 1;
	return 0;
}

int
loghint_read(struct loghint_block **out, size_t *n, const char *text,
    size_t len, const uint8_t address[20], uint64_t from, uint64_t to,
    const char **why)
{
	struct loghint_block *b = NULL;
	struct hint_log l;
	struct jscan s;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	*why = NULL;
	js_init(&s, text, len);
	if (!js_array(&s))
		goto bad;
	while (js_element(&s)) {
		if (!read_log(&s, &l, why) ||
		    !judge_log(&l, *n > 0 ? &b[*n - 1] : NULL, address, from,
		    to, why))
			goto bad;
		if (*n > 0 && b[*n - 1].number == l.number)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			b = xreallocarray(b, cap, sizeof(*b));
		}
		b[*n].number = l.number;
		memcpy(b[*n].hash, l.hash, 32);
		(*n)++;
	}
	if (s.why != NULL || !js_done(&s))
		goto bad;
	*out = b;
	return 1;
bad:
	if (*why == NULL)
		*why = s.why != NULL ? s.why : "not an array of logs";
	free(b);
	*n = 0;
	return 0;
}
