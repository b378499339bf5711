/* check_trie.c: trie roots against ethereum/tests TrieTests. */
#include "config.h"

#include <string.h>

#include "chain/hash.h"
#include "chain/rlp.h"
#include "chain/trie.h"
#include "testutil.h"

/* TrieTests strings: "0x..." is hex, anything else is the raw bytes. */
static uint8_t *
bytes_of(json_t *v, size_t *len)
{
	const char *s = json_string_value(v);

	if (s == NULL) {
		*len = 0;
		return NULL;
	}
	if (strncmp(s, "0x", 2) == 0)
		return tu_hex(s, len);
	*len = json_string_length(v);
	return (uint8_t *)xstrdup(s);
}

static void
put(struct trie *t, json_t *k, json_t *v, int secure)
{
	uint8_t *key, *val, h[32];
	size_t klen, vlen;

	key = bytes_of(k, &klen);
	val = bytes_of(v, &vlen);
	if (secure) {
		keccak256(h, key, klen);
		trie_put(t, h, 32, val, vlen);
	} else
		trie_put(t, key, klen, val, vlen);
	free(key);
	free(val);
}

/* Runs every test of one file; returns how many ran. */
static int
run_file(const char *rel, int secure)
{
	json_t *tests = tu_json(rel), *t, *in, *pair, *v;
	const char *name, *k;
	struct trie *tr;
	uint8_t root[32], want[32];
	const char *why;
	size_t i;
	int count = 0;

	json_object_foreach(tests, name, t) {
		tr = trie_new();
		in = json_object_get(t, "in");
		if (json_is_array(in))
			json_array_foreach(in, i, pair)
				put(tr, json_array_get(pair, 0),
				    json_array_get(pair, 1), secure);
		else
			json_object_foreach(in, k, v) {
				json_t *key = json_string(k);
				put(tr, key, v, secure);
				json_decref(key);
			}
		trie_root(tr, root);
		ck_assert(hex_decode_fixed(want, 32,
		    json_string_value(json_object_get(t, "root")), &why));
		ck_assert_msg(memcmp(root, want, 32) == 0, "%s/%s: root differs",
		    rel, name);
		trie_free(tr);
		count++;
	}
	json_decref(tests);
	return count;
}

START_TEST(trie_vectors)
{
	ck_assert_int_eq(run_file("vectors/trietest.json", 0), 5);
	ck_assert_int_eq(run_file("vectors/trieanyorder.json", 0), 7);
	ck_assert_int_eq(run_file("vectors/trietest_secureTrie.json", 1), 3);
	ck_assert_int_eq(run_file("vectors/trieanyorder_secureTrie.json", 1), 7);
	ck_assert_int_eq(run_file("vectors/hex_encoded_securetrie_test.json", 1), 3);
}
END_TEST

START_TEST(trie_empty_and_ordered)
{
	struct trie *t = trie_new();
	uint8_t root[32], h[32];
	const uint8_t *vals[200];
	size_t lens[200], i;
	struct rlp_buf key;
	char v[200][8];

	trie_root(t, root);
	keccak256(h, "\x80", 1);
	ck_assert_mem_eq(root, h, 32);
	ck_assert_mem_eq(root, trie_empty_root, 32);
	/* The ordered root is the root of the map rlp(i) -> value. */
	rlp_buf_init(&key);
	for (i = 0; i < 200; i++) {
		snprintf(v[i], sizeof(v[i]), "v%zu", i);
		vals[i] = (const uint8_t *)v[i];
		lens[i] = strlen(v[i]);
		rlp_buf_reset(&key);
		rlp_put_uint(&key, i);
		trie_put(t, key.data, key.len, vals[i], lens[i]);
	}
	trie_root(t, root);
	trie_ordered_root(h, vals, lens, 200);
	ck_assert_mem_eq(root, h, 32);
	trie_ordered_root(h, vals, lens, 0);
	ck_assert_mem_eq(h, trie_empty_root, 32);
	rlp_buf_free(&key);
	trie_free(t);
}
END_TEST

static Suite *
trie_suite(void)
{
	Suite *s = suite_create("trie");
	TCase *tc = tcase_create("trie");

	tcase_add_test(tc, trie_vectors);
	tcase_add_test(tc, trie_empty_and_ordered);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(trie_suite());
}
