/* check_header.c: every fork's header layout, on real mainnet and test-chain
 * headers, byte for byte against the published RLP. */
#include "config.h"

#include <string.h>

#include "chain/hash.h"
#include "chain/header.h"
#include "testutil.h"

static const char *const layout_fields[] = {
	"baseFeePerGas", "withdrawalsRoot", "blobGasUsed", "excessBlobGas",
	"parentBeaconBlockRoot", "requestsHash"
};

/* Reads j both ways, as a tree and from its text in place: the same
 * header comes out. */
static void
load_header(struct header *h, json_t *j)
{
	static struct header t;
	struct jerr e;
	char *text = json_dumps(j, JSON_COMPACT);

	ck_assert_msg(header_from_json(h, j, "$", &e), "%s: %s", e.path, e.why);
	ck_assert_msg(header_from_text(&t, text, strlen(text), "$", &e),
	    "%s: %s", e.path, e.why);
	ck_assert(memcmp(&t, h, sizeof(t)) == 0);
	free(text);
}

/* The text reader skips what a block has beyond its header, and refuses a
 * repeated field and text that is not JSON. */
START_TEST(header_text_reader)
{
	json_t *j = tu_json("headers/mainnet_15537393_london.json");
	static struct header h, t;
	struct jerr e;
	char *text, *inner, *more;

	load_header(&h, j);
	text = json_dumps(j, JSON_COMPACT);
	inner = xasprintf("%.*s", (int)strlen(text) - 2, text + 1);
	/* A block's other members, before and after the header's. */
	more = xasprintf("{\"transactions\":[\"0x01\",{\"a\":[1,2.5e3,null]}],"
	    "\"uncles\":[],\"size\":\"0x1\\u0041\",%s,\"withdrawals\":[{}]}",
	    inner);
	ck_assert_msg(header_from_text(&t, more, strlen(more), "$", &e),
	    "%s: %s", e.path, e.why);
	ck_assert(memcmp(&t, &h, sizeof(t)) == 0);
	free(more);
	more = xasprintf("{\"stateRoot\":\"0x00\",%s", text + 1);
	ck_assert(!header_from_text(&t, more, strlen(more), "$", &e));
	ck_assert_str_eq(e.path, "$.stateRoot");
	ck_assert_str_eq(e.why, "appears twice");
	free(more);
	more = xasprintf("%s,", text);
	ck_assert(!header_from_text(&t, more, strlen(more), "$", &e));
	ck_assert_str_eq(e.why, "text after the value");
	free(more);
	ck_assert(!header_from_text(&t, text, strlen(text) - 1, "$", &e));
	ck_assert(!header_from_text(&t, "[]", 2, "$", &e));
	ck_assert_str_eq(e.why, "not an object");
	free(inner);
	free(text);
	json_decref(j);
}
END_TEST

/* Every file listed in INDEX.json: the RLP we build equals the published
 * encoding, its keccak is the block hash, and decoding it gives it back. */
START_TEST(header_all_forks)
{
	json_t *index = tu_json("headers/INDEX.json"), *e, *j;
	const char *name, *why;
	struct header h, back;
	struct rlp_buf b, b2;
	uint8_t *want, hash[32];
	size_t wlen;
	char *rel;
	int layouts[22] = { 0 }, count = 0;

	rlp_buf_init(&b);
	rlp_buf_init(&b2);
	json_object_foreach(index, name, e) {
		rel = xasprintf("headers/%s", name);
		j = tu_json(rel);
		load_header(&h, j);
		ck_assert_int_eq((int)h.layout,
		    (int)json_integer_value(json_object_get(e, "fieldCount")));
		rlp_buf_reset(&b);
		header_encode(&b, &h);
		want = tu_hex(json_string_value(json_object_get(e, "rlp")), &wlen);
		ck_assert_msg(b.len == wlen && memcmp(b.data, want, wlen) == 0,
		    "%s: RLP differs from INDEX.json", name);
		header_hash(hash, &h);
		ck_assert(h.has_claimed_hash);
		ck_assert_msg(memcmp(hash, h.claimed_hash, 32) == 0,
		    "%s: hash mismatch", name);
		ck_assert_msg(header_from_rlp(&back, want, wlen, &why), "%s", why);
		rlp_buf_reset(&b2);
		header_encode(&b2, &back);
		ck_assert(b2.len == wlen && memcmp(b2.data, want, wlen) == 0);
		ck_assert_uint_eq(back.number, h.number);
		layouts[h.layout]++;
		free(want);
		free(rel);
		json_decref(j);
		count++;
	}
	ck_assert_int_ge(count, 24);
	ck_assert(layouts[15] && layouts[16] && layouts[17] && layouts[20] &&
	    layouts[21]);
	rlp_buf_free(&b);
	rlp_buf_free(&b2);
	json_decref(index);
}
END_TEST

/* Changing any one field of a real header changes its hash. */
START_TEST(header_every_field_matters)
{
	json_t *j = tu_json("headers/mainnet_22431084_prague.json"), *copy;
	const char *key;
	json_t *v;
	struct header h;
	uint8_t hash[32];
	char *s;
	int changed = 0;

	json_object_foreach(j, key, v) {
		if (!json_is_string(v) || strcmp(key, "hash") == 0 ||
		    strncmp(json_string_value(v), "0x", 2) != 0 ||
		    json_string_length(v) < 3)
			continue;
		copy = json_deep_copy(j);
		s = xstrdup(json_string_value(v));
		/* Flip the last digit between two non-zero values. */
		s[strlen(s) - 1] = s[strlen(s) - 1] == '1' ? '2' : '1';
		json_object_set_new(copy, key, json_string(s));
		if (header_from_json(&h, copy, "$", &(struct jerr){ { 0 }, 0 })) {
			header_hash(hash, &h);
			if (memcmp(hash, h.claimed_hash, 32) != 0)
				changed++;
			else
				ck_abort_msg("changing %s kept the hash", key);
		}
		free(s);
		json_decref(copy);
	}
	ck_assert_int_ge(changed, 21);
	json_decref(j);
}
END_TEST

START_TEST(header_layout_errors)
{
	json_t *j = tu_json("headers/mainnet_22431084_prague.json"), *c;
	struct header h;
	struct jerr e;
	size_t i;

	/* Dropping one field of a fork leaves later ones orphaned. */
	for (i = 0; i < 5; i++) {
		c = json_deep_copy(j);
		json_object_del(c, layout_fields[i]);
		ck_assert(!header_from_json(&h, c, "$.header", &e));
		ck_assert_msg(strstr(e.path, "$.header.") == e.path, "%s", e.path);
		json_decref(c);
	}
	c = json_deep_copy(j);
	json_object_del(c, "requestsHash");
	json_object_del(c, "parentBeaconBlockRoot");
	ck_assert(!header_from_json(&h, c, "$", &e));
	ck_assert_str_eq(e.path, "$.parentBeaconBlockRoot");
	ck_assert_str_eq(e.why, "missing (incomplete Cancun header fields)");
	json_decref(c);
	c = json_deep_copy(j);
	json_object_set_new(c, "stateRoot", json_string("0x1234"));
	ck_assert(!header_from_json(&h, c, "$", &e));
	ck_assert_str_eq(e.path, "$.stateRoot");
	ck_assert_str_eq(e.why, "hex data has the wrong length");
	json_object_set_new(c, "stateRoot", json_integer(5));
	ck_assert(!header_from_json(&h, c, "$", &e));
	ck_assert_str_eq(e.why, "not a string");
	json_decref(c);
	c = json_deep_copy(j);
	json_object_set_new(c, "gasUsed", json_string("0x0123"));
	ck_assert(!header_from_json(&h, c, "$", &e));
	ck_assert_str_eq(e.path, "$.gasUsed");
	ck_assert_str_eq(e.why, "quantity has leading zeros");
	json_object_del(c, "gasUsed");
	ck_assert(!header_from_json(&h, c, "$", &e));
	ck_assert_str_eq(e.why, "missing");
	json_decref(c);
	json_decref(j);
}
END_TEST

START_TEST(header_rlp_errors)
{
	json_t *j = tu_json("headers/mainnet_22431084_prague.json");
	struct header h, out;
	struct rlp_buf b;
	const char *why;
	size_t i;

	load_header(&h, j);
	rlp_buf_init(&b);
	/* 18 and 19 fields match no fork. */
	for (i = 18; i <= 19; i++) {
		h.layout = (enum header_layout)i;
		rlp_buf_reset(&b);
		header_encode(&b, &h);
		ck_assert(!header_from_rlp(&out, b.data, b.len, &why));
		ck_assert_str_eq(why, "header: field count matches no fork's layout");
	}
	h.layout = HEADER_PRAGUE;
	rlp_buf_reset(&b);
	header_encode(&b, &h);
	ck_assert(header_from_rlp(&out, b.data, b.len, &why));
	ck_assert(!header_from_rlp(&out, b.data, b.len - 1, &why));
	/* A 19-byte miner is refused. */
	h.layout = HEADER_LEGACY;
	rlp_buf_reset(&b);
	{
		size_t mark = rlp_list_begin(&b);
		for (i = 0; i < 15; i++)
			rlp_put_bytes(&b, h.coinbase, i == 2 ? 19 : 0);
		rlp_list_end(&b, mark);
	}
	ck_assert(!header_from_rlp(&out, b.data, b.len, &why));
	ck_assert_str_eq(why, "header: field has the wrong length");
	rlp_buf_free(&b);
	json_decref(j);
}
END_TEST

static Suite *
header_suite(void)
{
	Suite *s = suite_create("header");
	TCase *tc = tcase_create("header");

	tcase_add_test(tc, header_all_forks);
	tcase_add_test(tc, header_text_reader);
	tcase_add_test(tc, header_every_field_matters);
	tcase_add_test(tc, header_layout_errors);
	tcase_add_test(tc, header_rlp_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(header_suite());
}
