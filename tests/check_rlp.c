/* check_rlp.c: the RLP encoder and strict decoder against ethereum/tests
 * RLPTests, plus the rules those vectors do not cover. */
#include "config.h"

#include <string.h>

#include "chain/rlp.h"
#include "testutil.h"

/* Decimal digits to minimal big-endian bytes; returns the length. */
static size_t
decimal_to_be(uint8_t *out, size_t cap, const char *dec)
{
	size_t n = 0, i;
	int carry;

	for (; *dec; dec++) {
		carry = *dec - '0';
		for (i = 0; i < n; i++) {
			int v = out[cap - 1 - i] * 10 + carry;
			out[cap - 1 - i] = (uint8_t)v;
			carry = v >> 8;
		}
		if (carry) {
			ck_assert_uint_lt(n, cap);
			out[cap - 1 - n++] = (uint8_t)carry;
		}
	}
	memmove(out, out + cap - n, n);
	return n;
}

/* Encodes a test's "in" value: strings, integers, "#bigint", lists. */
static void
encode_json(struct rlp_buf *b, json_t *v)
{
	uint8_t big[64];
	size_t i, mark;

	if (json_is_array(v)) {
		mark = rlp_list_begin(b);
		for (i = 0; i < json_array_size(v); i++)
			encode_json(b, json_array_get(v, i));
		rlp_list_end(b, mark);
	} else if (json_is_integer(v)) {
		rlp_put_uint(b, (uint64_t)json_integer_value(v));
	} else if (json_string_value(v)[0] == '#') {
		rlp_put_bytes(b, big, decimal_to_be(big, sizeof(big),
		    json_string_value(v) + 1));
	} else {
		rlp_put_bytes(b, (const uint8_t *)json_string_value(v),
		    json_string_length(v));
	}
}

/* Re-encodes a decoded item from its parts (not from raw). */
static void
reencode(struct rlp_buf *b, const struct rlp_item *it)
{
	struct rlp_item child;
	const uint8_t *p = it->payload;
	size_t left = it->len, mark;
	const char *why;

	if (!it->is_list) {
		rlp_put_bytes(b, it->payload, it->len);
		return;
	}
	mark = rlp_list_begin(b);
	while (rlp_next(&child, &p, &left, &why))
		reencode(b, &child);
	ck_assert_ptr_null(why);
	rlp_list_end(b, mark);
}

START_TEST(rlp_valid_vectors)
{
	json_t *tests = tu_json("vectors/rlptest.json"), *t;
	const char *name, *why = NULL;
	struct rlp_buf b, re;
	struct rlp_item it;
	uint8_t *want;
	size_t wlen;
	int count = 0;

	rlp_buf_init(&b);
	rlp_buf_init(&re);
	json_object_foreach(tests, name, t) {
		want = tu_hex(json_string_value(json_object_get(t, "out")), &wlen);
		rlp_buf_reset(&b);
		encode_json(&b, json_object_get(t, "in"));
		ck_assert_msg(b.len == wlen && memcmp(b.data, want, wlen) == 0,
		    "%s: encoding differs", name);
		ck_assert_msg(rlp_decode(&it, want, wlen, &why), "%s: %s", name, why);
		rlp_buf_reset(&re);
		reencode(&re, &it);
		ck_assert_msg(re.len == wlen && memcmp(re.data, want, wlen) == 0,
		    "%s: decode/re-encode differs", name);
		free(want);
		count++;
	}
	ck_assert_int_eq(count, 28);
	rlp_buf_free(&b);
	rlp_buf_free(&re);
	json_decref(tests);
}
END_TEST

START_TEST(rlp_invalid_vectors)
{
	json_t *tests = tu_json("vectors/invalidRLPTest.json"), *t;
	const char *name, *why, *hex;
	char *prefixed = NULL;
	struct rlp_item it;
	uint8_t *in;
	size_t len;
	int count = 0;

	json_object_foreach(tests, name, t) {
		/* Some vectors omit the 0x prefix. */
		hex = json_string_value(json_object_get(t, "out"));
		if (strncmp(hex, "0x", 2) != 0)
			hex = prefixed = xasprintf("0x%s", hex);
		in = tu_hex(hex, &len);
		free(prefixed);
		prefixed = NULL;
		why = NULL;
		ck_assert_msg(!rlp_decode(&it, in, len, &why),
		    "%s: accepted invalid RLP", name);
		ck_assert_msg(why != NULL, "%s: no reason given", name);
		free(in);
		count++;
	}
	ck_assert_int_eq(count, 26);
	json_decref(tests);
}
END_TEST

static int
decodes(const char *hex, const char **why)
{
	struct rlp_item it;
	uint8_t *in;
	size_t len;
	int ok;

	in = tu_hex(hex, &len);
	ok = rlp_decode(&it, in, len, why);
	free(in);
	return ok;
}

START_TEST(rlp_strict_rules)
{
	const char *why;

	ck_assert(!decodes("0x", &why));
	ck_assert_str_eq(why, "rlp: empty input");
	ck_assert(!decodes("0x8105", &why));
	ck_assert_str_eq(why, "rlp: single byte below 0x80 must not be wrapped");
	ck_assert(decodes("0x8180", &why));
	ck_assert(!decodes("0xb80100", &why));
	ck_assert_str_eq(why, "rlp: long form used for a short item");
	ck_assert(!decodes("0xb9000100", &why));
	ck_assert_str_eq(why, "rlp: length has leading zeros");
	ck_assert(!decodes("0x8300", &why));
	ck_assert_str_eq(why, "rlp: item runs past the end of input");
	ck_assert(!decodes("0x8000", &why));
	ck_assert_str_eq(why, "rlp: trailing bytes after the item");
	ck_assert(!decodes("0xc281", &why));
	ck_assert_str_eq(why, "rlp: item runs past the end of input");
}
END_TEST

START_TEST(rlp_depth_limit)
{
	size_t marks[RLP_MAX_DEPTH + 1], depth, i;
	struct rlp_buf b;
	struct rlp_item it;
	const char *why;

	/* n lists, each holding the next; the innermost is empty. */
	for (depth = RLP_MAX_DEPTH; depth <= RLP_MAX_DEPTH + 1; depth++) {
		rlp_buf_init(&b);
		for (i = 0; i < depth; i++)
			marks[i] = rlp_list_begin(&b);
		for (i = depth; i-- > 0;)
			rlp_list_end(&b, marks[i]);
		if (depth == RLP_MAX_DEPTH)
			ck_assert_msg(rlp_decode(&it, b.data, b.len, &why), "%s", why);
		else {
			ck_assert(!rlp_decode(&it, b.data, b.len, &why));
			ck_assert_str_eq(why, "rlp: lists nested too deep");
		}
		rlp_buf_free(&b);
	}
}
END_TEST

START_TEST(rlp_scalars)
{
	struct rlp_item it;
	uint64_t v;
	const char *why;
	uint8_t zero_led[] = { 0x82, 0x00, 0x01 }, wide[] = { 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	uint8_t ok[] = { 0x82, 0x04, 0x00 };

	ck_assert(rlp_decode(&it, ok, sizeof(ok), &why));
	ck_assert(rlp_uint64(&v, &it, &why));
	ck_assert_uint_eq(v, 1024);
	ck_assert(rlp_decode(&it, zero_led, sizeof(zero_led), &why));
	ck_assert(!rlp_uint64(&v, &it, &why));
	ck_assert_str_eq(why, "rlp: scalar has leading zeros");
	ck_assert(rlp_decode(&it, wide, sizeof(wide), &why));
	ck_assert(!rlp_uint64(&v, &it, &why));
	ck_assert_str_eq(why, "rlp: scalar wider than 64 bits");
}
END_TEST

START_TEST(rlp_list_split)
{
	uint8_t in[] = { 0xc5, 0x83, 'd', 'o', 'g', 0x01 };
	struct rlp_item it, kids[2];
	size_t n;
	const char *why;

	ck_assert(rlp_decode(&it, in, sizeof(in), &why));
	ck_assert(rlp_list(kids, 2, &n, &it, &why));
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(kids[0].len, 3);
	ck_assert(!rlp_list(kids, 1, &n, &it, &why));
	ck_assert_str_eq(why, "rlp: list has too many items");
	ck_assert(!rlp_list(kids, 2, &n, &kids[0], &why));
	ck_assert_str_eq(why, "rlp: expected a list");
}
END_TEST

static Suite *
rlp_suite(void)
{
	Suite *s = suite_create("rlp");
	TCase *tc = tcase_create("rlp");

	tcase_add_test(tc, rlp_valid_vectors);
	tcase_add_test(tc, rlp_invalid_vectors);
	tcase_add_test(tc, rlp_strict_rules);
	tcase_add_test(tc, rlp_depth_limit);
	tcase_add_test(tc, rlp_scalars);
	tcase_add_test(tc, rlp_list_split);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(rlp_suite());
}
