/* check_receipts.c: every receipts fixture rebuilds its block's receiptsRoot,
 * blooms recompute, and any changed byte of a receipt or log is caught. */
#include "config.h"

#include <string.h>

#include "chain/header.h"
#include "chain/hex.h"
#include "chain/loghint.h"
#include "chain/receipts.h"
#include "testutil.h"

static const char *const files[] = {
	"receipts/mainnet_14764013_london.json",
	"receipts/mainnet_15537393_london.json",
	"receipts/mainnet_19426587_cancun.json",
	"receipts/mainnet_21925176_cancun_rpc.json",
	"receipts/mainnet_22162263_cancun.json",
	"receipts/mainnet_22869878_prague.json",
	"receipts/testchain_1_prebyzantium_rpc.json",
	"receipts/testchain_54_osaka_rpc.json",
};
#define NFILES (sizeof(files) / sizeof(files[0]))

static void
load(struct header *h, struct receipts *rs, json_t *j)
{
	struct jerr e;

	ck_assert_msg(header_from_json(h, json_object_get(j, "header"),
	    "$.header", &e), "%s: %s", e.path, e.why);
	ck_assert_msg(receipts_from_json(rs, json_object_get(j, "receipts"),
	    "$.receipts", &e), "%s: %s", e.path, e.why);
}

START_TEST(receipts_roots_and_blooms)
{
	json_t *j = tu_json(files[_i]);
	struct header h;
	struct receipts rs;
	uint8_t root[32], bloom[BLOOM_BYTES], all[BLOOM_BYTES] = { 0 };
	size_t i;

	load(&h, &rs, j);
	ck_assert_uint_gt(rs.n, 0);
	receipts_root(root, &rs);
	ck_assert_msg(memcmp(root, h.receipts_root, 32) == 0,
	    "%s: receiptsRoot differs", files[_i]);
	for (i = 0; i < rs.n; i++) {
		receipt_bloom(bloom, &rs.r[i]);
		ck_assert_msg(memcmp(bloom, rs.r[i].bloom, BLOOM_BYTES) == 0,
		    "%s: receipt %zu bloom", files[_i], i);
		bloom_or(all, bloom);
	}
	ck_assert_mem_eq(all, h.bloom, BLOOM_BYTES);
	ck_assert_uint_eq(rs.r[rs.n - 1].cumulative_gas, h.gas_used);
	receipts_free(&rs);
	json_decref(j);
}
END_TEST

/* The receipt types that occur are the ones we claim to handle. */
START_TEST(receipts_all_types)
{
	json_t *j = tu_json("receipts/mainnet_22869878_prague.json");
	struct header h;
	struct receipts rs;
	int seen[5] = { 0 };
	size_t i;

	load(&h, &rs, j);
	ck_assert_uint_eq(rs.n, 301);
	for (i = 0; i < rs.n; i++)
		seen[rs.r[i].type]++;
	for (i = 0; i < 5; i++)
		ck_assert_msg(seen[i] > 0, "no receipt of type %zu", i);
	receipts_free(&rs);
	json_decref(j);
}
END_TEST

/* debug_getRawReceipts of a pre-Byzantium block (post-state roots). */
START_TEST(receipts_raw_prebyzantium)
{
	json_t *j = tu_json("receipts/testchain_3_prebyzantium_raw.json");
	struct header h;
	struct receipts rs;
	struct jerr e;
	uint8_t *raw, root[32];
	size_t len;
	const char *why;

	raw = tu_hex(json_string_value(json_object_get(j, "rawHeader")), &len);
	ck_assert_msg(header_from_rlp(&h, raw, len, &why), "%s", why);
	ck_assert_msg(receipts_from_raw(&rs, json_object_get(j, "rawReceipts"),
	    "$.rawReceipts", &e), "%s: %s", e.path, e.why);
	ck_assert(rs.r[0].has_root);
	receipts_root(root, &rs);
	ck_assert_mem_eq(root, h.receipts_root, 32);
	receipts_free(&rs);
	free(raw);
	json_decref(j);
}
END_TEST

/* Any change to what the root commits to changes the root. */
START_TEST(receipts_any_change_caught)
{
	json_t *j = tu_json("receipts/mainnet_21925176_cancun_rpc.json");
	struct header h;
	struct receipts rs;
	uint8_t root[32];
	size_t i, changes = 0;
	struct log_entry *l;

	load(&h, &rs, j);
	for (i = 0; i < rs.n; i += 7) {
		struct receipt *r = &rs.r[i];

		r->cumulative_gas ^= 1;
		receipts_root(root, &rs);
		ck_assert_mem_ne(root, h.receipts_root, 32);
		r->cumulative_gas ^= 1;
		r->status ^= 1;
		receipts_root(root, &rs);
		ck_assert_mem_ne(root, h.receipts_root, 32);
		r->status ^= 1;
		r->bloom[i % BLOOM_BYTES] ^= 0x10;
		receipts_root(root, &rs);
		ck_assert_mem_ne(root, h.receipts_root, 32);
		r->bloom[i % BLOOM_BYTES] ^= 0x10;
		if (r->nlogs == 0)
			continue;
		l = &r->logs[r->nlogs - 1];
		l->address[19] ^= 1;
		receipts_root(root, &rs);
		ck_assert_mem_ne(root, h.receipts_root, 32);
		l->address[19] ^= 1;
		if (l->ntopics > 0) {
			l->topics[l->ntopics - 1][0] ^= 1;
			receipts_root(root, &rs);
			ck_assert_mem_ne(root, h.receipts_root, 32);
			l->topics[l->ntopics - 1][0] ^= 1;
		}
		if (l->data_len > 0) {
			l->data[l->data_len - 1] ^= 1;
			receipts_root(root, &rs);
			ck_assert_mem_ne(root, h.receipts_root, 32);
			l->data[l->data_len - 1] ^= 1;
		}
		changes++;
	}
	ck_assert_uint_gt(changes, 5);
	receipts_root(root, &rs);
	ck_assert_mem_eq(root, h.receipts_root, 32);
	receipts_free(&rs);
	json_decref(j);
}
END_TEST

START_TEST(receipts_json_errors)
{
	json_t *j = tu_json("receipts/mainnet_15537393_london.json");
	json_t *arr = json_object_get(j, "receipts"), *log0, *data;
	struct receipts rs;
	struct jerr e;

	log0 = json_array_get(json_object_get(json_array_get(arr, 0), "logs"), 0);
	data = json_incref(json_object_get(log0, "data"));
	json_object_set_new(log0, "data", json_string("0x123"));
	ck_assert(!receipts_from_json(&rs, arr, "$.receipts", &e));
	ck_assert_str_eq(e.path, "$.receipts[0].logs[0].data");
	ck_assert_str_eq(e.why, "odd number of hex digits");
	json_object_set_new(log0, "data", data);
	json_object_set_new(json_array_get(arr, 0), "type", json_string("0x5"));
	ck_assert(!receipts_from_json(&rs, arr, "$.receipts", &e));
	ck_assert_str_eq(e.path, "$.receipts[0].type");
	json_object_set_new(json_array_get(arr, 0), "type", json_string("0x2"));
	json_object_set_new(json_array_get(arr, 0), "status", json_string("0x2"));
	ck_assert(!receipts_from_json(&rs, arr, "$.receipts", &e));
	ck_assert_str_eq(e.path, "$.receipts[0].status");
	ck_assert(!receipts_from_json(&rs, json_object_get(j, "header"), "$.x", &e));
	ck_assert_str_eq(e.why, "not an array");
	json_decref(j);
}
END_TEST

/* The text reader takes each member once: a second copy, of a member it
 * reads or of a position claim, is refused and named. */
START_TEST(receipts_text_repeated_members)
{
	static const struct { const char *after, *insert, *path; } cases[] = {
		{ "[{", "\"status\":\"0x1\",", "$[0].status" },
		{ "[{", "\"blockHash\":\"0x0000000000000000000000000000000000000000000000000000000000000000\",",
		  "$[0].blockHash" },
		{ "\"logs\":[{", "\"logIndex\":\"0x0\",", "$[0].logs[0].logIndex" },
	};
	json_t *j = tu_json("receipts/mainnet_15537393_london.json");
	char *text = json_dumps(json_object_get(j, "receipts"), JSON_COMPACT);
	struct receipts rs;
	struct jerr e;
	size_t i, at;
	char *t;

	ck_assert(receipts_from_text(&rs, text, strlen(text), "$", &e));
	receipts_free(&rs);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_ptr_nonnull(strstr(text, cases[i].after));
		at = (size_t)(strstr(text, cases[i].after) - text) +
		    strlen(cases[i].after);
		t = xasprintf("%.*s%s%s", (int)at, text, cases[i].insert,
		    text + at);
		ck_assert(!receipts_from_text(&rs, t, strlen(t), "$", &e));
		ck_assert_str_eq(e.path, cases[i].path);
		ck_assert_str_eq(e.why, "member appears twice");
		free(t);
	}
	free(text);
	json_decref(j);
}
END_TEST

static const char WETH[] = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2";

/* An eth_getLogs answer for one address, built from a real block's logs:
 * those of WETH (141 of them) with the block's number and hash, as nodes
 * give them.  mutate(i, log) may change log i. */
static char *
weth_logs(json_t *j, void (*mutate)(size_t, json_t *))
{
	json_t *rs = json_object_get(j, "receipts"), *out = json_array(), *r,
	    *l;
	size_t i, k, n = 0;
	char *text;

	json_array_foreach(rs, i, r)
		json_array_foreach(json_object_get(r, "logs"), k, l) {
			json_t *c;

			if (strcmp(json_string_value(json_object_get(l,
			    "address")), WETH) != 0)
				continue;
			c = json_deep_copy(l);
			json_object_set(c, "blockNumber",
			    json_object_get(j, "blockNumber"));
			json_object_set(c, "blockHash",
			    json_object_get(j, "blockHash"));
			json_object_set_new(c, "removed", json_false());
			if (mutate != NULL)
				mutate(n, c);
			json_array_append_new(out, c);
			n++;
		}
	text = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	return text;
}

static int
weth_read(const char *text, uint64_t from, uint64_t to,
    struct loghint_block **b, size_t *n, const char **why)
{
	uint8_t addr[20];

	ck_assert(hex_decode_fixed(addr, 20, WETH, why));
	return loghint_read(b, n, text, strlen(text), addr, from, to, why);
}

/* The hint names the block of the logs once, with its hash. */
START_TEST(loghint_real_logs)
{
	json_t *j = tu_json("receipts/mainnet_22869878_prague.json");
	char *text = weth_logs(j, NULL);
	struct loghint_block *b;
	uint8_t hash[32];
	const char *why;
	size_t n;

	ck_assert_msg(weth_read(text, 22869870, 22869880, &b, &n, &why), "%s",
	    why);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(b[0].number, 22869878);
	ck_assert(hex_decode_fixed(hash, 32, json_string_value(
	    json_object_get(j, "blockHash")), &why));
	ck_assert_mem_eq(b[0].hash, hash, 32);
	free(b);
	free(text);
	ck_assert(weth_read("[]", 0, 10, &b, &n, &why));
	ck_assert_uint_eq(n, 0);
	json_decref(j);
}
END_TEST

static void
other_address(size_t i, json_t *l)
{
	if (i == 7)
		json_object_set_new(l, "address", json_string(
		    "0xdac17f958d2ee523a2206206994597c13d831ec7"));
}

static void
removed(size_t i, json_t *l)
{
	if (i == 140)
		json_object_set_new(l, "removed", json_true());
}

static void
no_hash(size_t i, json_t *l)
{
	if (i == 0)
		json_object_del(l, "blockHash");
}

static void
second_hash(size_t i, json_t *l)
{
	if (i == 3)
		json_object_set_new(l, "blockHash", json_string("0x"
		    "1111111111111111111111111111111111111111111111111111111111111111"));
}

static void
earlier_block(size_t i, json_t *l)
{
	if (i == 5)
		json_object_set_new(l, "blockNumber", json_string("0x1"));
}

/* Whatever does not fit what was asked is refused, not half used. */
START_TEST(loghint_refuses)
{
	static void (*const bad[])(size_t, json_t *) = { other_address,
	    removed, no_hash, second_hash, earlier_block };
	json_t *j = tu_json("receipts/mainnet_22869878_prague.json");
	struct loghint_block *b;
	const char *why;
	size_t i, n;
	char *text;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		text = weth_logs(j, bad[i]);
		ck_assert_msg(!weth_read(text, 0, 30000000, &b, &n, &why),
		    "mutation %zu accepted", i);
		ck_assert_ptr_null(b);
		free(text);
	}
	text = weth_logs(j, NULL);
	ck_assert(!weth_read(text, 22869879, 30000000, &b, &n, &why));
	ck_assert_str_eq(why, "a log outside the blocks asked");
	ck_assert(!weth_read(text, 0, 22869877, &b, &n, &why));
	free(text);
	ck_assert(!weth_read("{}", 0, 10, &b, &n, &why));
	ck_assert(!weth_read("[{}]", 0, 10, &b, &n, &why));
	ck_assert(!weth_read("[] x", 0, 10, &b, &n, &why));
	ck_assert(!weth_read("[", 0, 10, &b, &n, &why));
	json_decref(j);
}
END_TEST

static Suite *
receipts_suite(void)
{
	Suite *s = suite_create("receipts");
	TCase *tc = tcase_create("receipts");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, receipts_roots_and_blooms, 0, NFILES);
	tcase_add_test(tc, receipts_all_types);
	tcase_add_test(tc, receipts_raw_prebyzantium);
	tcase_add_test(tc, receipts_any_change_caught);
	tcase_add_test(tc, receipts_json_errors);
	tcase_add_test(tc, receipts_text_repeated_members);
	tcase_add_test(tc, loghint_real_logs);
	tcase_add_test(tc, loghint_refuses);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(receipts_suite());
}
