/* check_registry.c: the C event table against the committed ABI, and the
 * decoder on real logs captured from anvil, on every truncation and byte
 * change of them, and on each malformed case by name. */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "chain/hash.h"
#include "chain/hex.h"
#include "registry.h"
#include "testutil.h"

/* The committed ABI (contracts-abi/, beside tests/data). */
static json_t *
load_abi(void)
{
	const char *src = getenv("LICGATE_SRCDIR");
	char *p = xasprintf("%s/contracts-abi/LicenseRegistry.abi.json",
	    src ? src : ".");
	json_error_t err;
	json_t *j = json_load_file(p, 0, &err);

	ck_assert_msg(j != NULL, "%s: %s", p, err.text);
	free(p);
	return j;
}

START_TEST(registry_table_matches_abi)
{
	json_t *abi = load_abi(), *e, *in;
	const struct registry_def *d;
	char sig[512], hex[67];
	uint8_t h[32];
	size_t i, k, n, events = 0;

	json_array_foreach(abi, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "type")), "event"))
			continue;
		events++;
		d = NULL;
		for (k = 0; k < REG_KIND_COUNT; k++)
			if (strcmp(registry_defs[k].name,
			    json_string_value(json_object_get(e, "name"))) == 0)
				d = &registry_defs[k];
		ck_assert_msg(d != NULL, "ABI event %s missing from the C table",
		    json_string_value(json_object_get(e, "name")));
		ck_assert_int_eq(d->kind, (int)(d - registry_defs));
		in = json_object_get(e, "inputs");
		ck_assert_uint_eq(json_array_size(in), d->nargs);
		n = (size_t)snprintf(sig, sizeof(sig), "%s(", d->name);
		for (k = 0; k < d->nargs; k++) {
			json_t *a = json_array_get(in, k);
			ck_assert_str_eq(json_string_value(json_object_get(a, "name")),
			    d->args[k].name);
			ck_assert_int_eq(json_is_true(json_object_get(a, "indexed")),
			    d->args[k].indexed);
			n += (size_t)snprintf(sig + n, sizeof(sig) - n, "%s%s", k ? "," : "",
			    json_string_value(json_object_get(a, "type")));
		}
		snprintf(sig + n, sizeof(sig) - n, ")");
		ck_assert_str_eq(sig, d->signature);
		keccak256(h, sig, strlen(sig));
		ck_assert_str_eq(hex_encode(hex, h, 32), d->topic0);
	}
	ck_assert_uint_eq(events, REG_KIND_COUNT);
	json_decref(abi);
}
END_TEST

struct raw_log {
	uint8_t topics[4][32];
	size_t ntopics;
	uint8_t *data;
	size_t len;
	json_t *args;		/* ethers' decoding, borrowed */
	const char *event;
};

static void
raw_log(struct raw_log *r, json_t *l)
{
	json_t *t = json_object_get(l, "topics");
	const char *why;
	size_t i;

	r->ntopics = json_array_size(t);
	ck_assert_uint_le(r->ntopics, 4);
	for (i = 0; i < r->ntopics; i++)
		ck_assert(hex_decode_fixed(r->topics[i], 32,
		    json_string_value(json_array_get(t, i)), &why));
	r->data = tu_hex(json_string_value(json_object_get(l, "data")), &r->len);
	r->args = json_object_get(l, "args");
	r->event = json_string_value(json_object_get(l, "event"));
}

/* The decoded arguments as canonical JSON text (caller frees). */
static char *
decoded(const struct raw_log *r, const char **why)
{
	struct registry_event ev;
	json_t *j;
	char *s, *out;

	if (!registry_decode(&ev, (const uint8_t (*)[32])r->topics, r->ntopics,
	    r->data, r->len, why))
		return NULL;
	j = registry_args_json(&ev);
	s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(j);
	out = xasprintf("%s %s", ev.def->name, s);
	free(s);
	return out;
}

START_TEST(registry_decodes_captured_logs)
{
	json_t *f = tu_json("registry/logs.json"), *l;
	int kinds[REG_KIND_COUNT] = { 0 };
	struct registry_event ev;
	struct raw_log r;
	const char *why;
	size_t i;
	char *want, *got, *args;

	json_array_foreach(json_object_get(f, "logs"), i, l) {
		raw_log(&r, l);
		ck_assert_msg(registry_decode(&ev, (const uint8_t (*)[32])r.topics,
		    r.ntopics, r.data, r.len, &why), "log %zu: %s", i, why);
		ck_assert_str_eq(ev.def->name, r.event);
		kinds[ev.def->kind]++;
		args = json_dumps(r.args, JSON_SORT_KEYS | JSON_COMPACT);
		want = xasprintf("%s %s", r.event, args);
		got = decoded(&r, &why);
		ck_assert_str_eq(got, want);
		free(args);
		free(want);
		free(got);
		free(r.data);
	}
	for (i = 0; i < REG_KIND_COUNT; i++)
		ck_assert_msg(kinds[i] > 0, "no captured %s", registry_defs[i].name);
	json_decref(f);
}
END_TEST

/* Every truncation fails; every changed byte fails or decodes differently. */
START_TEST(registry_alterations)
{
	json_t *f = tu_json("registry/logs.json"), *l;
	struct raw_log r;
	const char *why;
	char *orig, *got;
	size_t i, n, t, b, tried = 0;

	json_array_foreach(json_object_get(f, "logs"), i, l) {
		if (i % 3)
			continue;	/* a third of the logs keeps the test quick */
		raw_log(&r, l);
		orig = decoded(&r, &why);
		ck_assert_ptr_nonnull(orig);
		for (n = r.len; n-- > 0;) {
			size_t full = r.len;
			r.len = n;
			ck_assert_msg(decoded(&r, &why) == NULL, "%s truncated to %zu "
			    "decodes", r.event, n);
			r.len = full;
		}
		r.ntopics--;
		ck_assert(decoded(&r, &why) == NULL);
		r.ntopics++;
		for (b = 0; b < r.len; b++) {
			r.data[b] ^= 0x01;
			got = decoded(&r, &why);
			ck_assert_msg(got == NULL || strcmp(got, orig) != 0,
			    "%s: byte %zu changed, same event", r.event, b);
			free(got);
			r.data[b] ^= 0x01;
			tried++;
		}
		for (t = 0; t < r.ntopics; t++)
			for (b = 0; b < 32; b += 5) {
				r.topics[t][b] ^= 0x80;
				got = decoded(&r, &why);
				ck_assert(got == NULL || strcmp(got, orig) != 0);
				free(got);
				r.topics[t][b] ^= 0x80;
			}
		free(orig);
		free(r.data);
	}
	ck_assert_uint_gt(tried, 1000);
	json_decref(f);
}
END_TEST

/* The first captured log of an event, as a raw_log. */
static void
first_of(struct raw_log *r, json_t *f, const char *event)
{
	json_t *l;
	size_t i;

	json_array_foreach(json_object_get(f, "logs"), i, l)
		if (strcmp(json_string_value(json_object_get(l, "event")), event) == 0) {
			raw_log(r, l);
			return;
		}
	ck_abort_msg("no %s captured", event);
}

static void
expect_reject(struct raw_log *r, const char *want)
{
	const char *why = NULL;
	char *got = decoded(r, &why);

	ck_assert_msg(got == NULL, "accepted: %s", got);
	ck_assert_str_eq(why, want);
}

START_TEST(registry_malformed_cases)
{
	json_t *f = tu_json("registry/logs.json");
	struct raw_log r;

	/* VendorAdded: data = [offset 0x20][length][name bytes, padded]. */
	first_of(&r, f, "VendorAdded");
	r.topics[1][0] = 1;		/* address topic with high bytes set */
	expect_reject(&r, "registry: non-zero padding in a static value");
	r.topics[1][0] = 0;
	r.data[31] = 0x40;		/* offset not where the encoder puts it */
	expect_reject(&r, "registry: dynamic value not at its canonical offset");
	r.data[31] = 0x20;
	r.data[63] = 0xff;		/* length past the end */
	expect_reject(&r, "registry: dynamic value runs past the end of the data");
	r.data[63] = 3;			/* shorter: the rest must be zero padding */
	expect_reject(&r, "registry: non-zero padding after a dynamic value");
	free(r.data);
	first_of(&r, f, "VendorAdded");
	r.topics[0][5] ^= 1;
	expect_reject(&r, "registry: not a registry event (unknown topic0)");
	free(r.data);
	/* DeviceRoleChanged: one uint8 word. */
	first_of(&r, f, "DeviceRoleChanged");
	r.data[30] = 1;
	expect_reject(&r, "registry: non-zero padding in a static value");
	r.data[30] = 0;
	r.len = 64;			/* a trailing word */
	r.data = xreallocarray(r.data, 64, 1);
	memset(r.data + 32, 0, 32);
	expect_reject(&r, "registry: trailing bytes after the log data");
	r.len = 16;
	expect_reject(&r, "registry: log data shorter than its head");
	r.ntopics = 1;
	expect_reject(&r, "registry: wrong number of topics for the event");
	free(r.data);
	json_decref(f);
}
END_TEST

/* The contract takes any bytes as a string: the decoder does too, and the
 * args show them as registry_text. */
START_TEST(registry_any_string_bytes)
{
	json_t *f = tu_json("registry/logs.json");
	struct raw_log r;
	const char *why = NULL;
	char *got;

	first_of(&r, f, "VendorAdded");
	r.data[64] = 0xc0;		/* an overlong form, then NUL */
	r.data[65] = 0x80;
	r.data[66] = 0x00;
	got = decoded(&r, &why);
	ck_assert_msg(got != NULL, "refused: %s", why);
	ck_assert_msg(strstr(got, "\"\\\\xc0\\\\x80\\\\x00") != NULL, "%s", got);
	free(got);
	free(r.data);
	json_decref(f);
}
END_TEST

/* registry_text: the printable stays, the rest is \xHH, byte for byte. */
START_TEST(registry_text_escapes)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} v[] = {
		{ "", 0, "" },
		{ "plain text", 10, "plain text" },
		{ "a\0b", 3, "a\\x00b" },
		{ "\xff\xfe\x00\x01", 4, "\\xff\\xfe\\x00\\x01" },
		{ "back\\slash", 10, "back\\\\slash" },
		{ "\\x41", 4, "\\\\x41" },
		{ "tab\tnl\n\x1f\x7f", 9, "tab\\x09nl\\x0a\\x1f\\x7f" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
		    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "\xc2\x80\xc2\x9f\xc2\xa0", 6, "\\xc2\\x80\\xc2\\x9f\xc2\xa0" },
		{ "\xc0\x80", 2, "\\xc0\\x80" },		/* overlong NUL */
		{ "\xed\xa0\x80", 3, "\\xed\\xa0\\x80" },	/* surrogate */
		{ "\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80" },	/* > U+10FFFF */
		{ "\xe2\x82", 2, "\\xe2\\x82" },		/* truncated */
		{ "\xe2\x82" "A", 3, "\\xe2\\x82A" },
	};
	char out[REGISTRY_TEXT_SIZE(16)];
	size_t i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = registry_text(out, (const uint8_t *)v[i].in, v[i].len);
		ck_assert_msg(strcmp(out, v[i].want) == 0, "case %zu: %s", i,
		    out);
		ck_assert_uint_eq(n, strlen(v[i].want));
	}
}
END_TEST

/* registry_args_text writes what jansson dumps for registry_args_json:
 * every captured log, then its values swapped for the awkward ones (every
 * ASCII byte, multi-byte UTF-8, empty strings and bytes, integers past
 * 2^53). */
static void
same_as_jansson(const struct registry_event *ev)
{
	json_t *j = registry_args_json(ev);
	char *want = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	char *got = registry_args_text(ev);

	ck_assert_ptr_nonnull(want);
	ck_assert_str_eq(got, want);
	free(want);
	free(got);
	json_decref(j);
}

START_TEST(registry_args_text_is_jansson_dump)
{
	static const char utf8[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
	    "\"q\" \\ / \x7f";
	json_t *f = tu_json("registry/logs.json"), *l;
	struct registry_event ev;
	struct raw_log r;
	uint8_t ascii[128];
	const char *why;
	size_t i, k, strings = 0, big = 0;

	for (i = 0; i < sizeof(ascii); i++)
		ascii[i] = (uint8_t)i;
	json_array_foreach(json_object_get(f, "logs"), i, l) {
		raw_log(&r, l);
		ck_assert(registry_decode(&ev, (const uint8_t (*)[32])r.topics,
		    r.ntopics, r.data, r.len, &why));
		same_as_jansson(&ev);
		for (k = 0; k < ev.def->nargs; k++) {
			struct registry_value *v = &ev.v[k];

			switch (ev.def->args[k].type) {
			case ABI_STRING:
				v->ptr = ascii;
				v->len = sizeof(ascii);
				same_as_jansson(&ev);
				v->ptr = (const uint8_t *)utf8;
				v->len = strlen(utf8);
				same_as_jansson(&ev);
				v->ptr = (const uint8_t *)"\xff\xfe\0\x01\\\xc2\x85";
				v->len = 7;
				same_as_jansson(&ev);
				v->len = 0;
				same_as_jansson(&ev);
				strings++;
				break;
			case ABI_BYTES:
				v->len = 0;
				same_as_jansson(&ev);
				break;
			case ABI_UINT64:
				memset(v->word + 24, 0xff, 8);
				same_as_jansson(&ev);
				v->word[25] = 0x1f;	/* 2^53 - 1 and below */
				v->word[24] = 0;
				same_as_jansson(&ev);
				big++;
				break;
			default:
				break;
			}
		}
		free(r.data);
	}
	ck_assert_uint_gt(strings, 0);
	ck_assert_uint_gt(big, 0);
	json_decref(f);
}
END_TEST

/* The digest rule: two logs folded by hand with keccak equal
 * registry_digest_step, and its form for a known data hash. */
START_TEST(registry_digest_rule)
{
	json_t *f = tu_json("registry/logs.json");
	uint8_t d[32] = { 0 }, want[32], buf[32 * 6], dh[32];
	struct raw_log r;
	size_t n;

	raw_log(&r, json_array_get(json_object_get(f, "logs"), 0));
	keccak256(dh, r.data, r.len);
	memcpy(buf, d, 32);
	memcpy(buf + 32, r.topics, 32 * r.ntopics);
	n = 32 + 32 * r.ntopics;
	memcpy(buf + n, dh, 32);
	keccak256(want, buf, n + 32);
	registry_digest_step(d, (const uint8_t (*)[32])r.topics, r.ntopics,
	    r.data, r.len);
	ck_assert_mem_eq(d, want, 32);
	/* A second step chains on the first. */
	memcpy(buf, want, 32);
	keccak256(want, buf, n + 32);
	registry_digest_step(d, (const uint8_t (*)[32])r.topics, r.ntopics,
	    r.data, r.len);
	ck_assert_mem_eq(d, want, 32);
	memset(d, 0, 32);
	registry_digest_step_hashed(d, (const uint8_t (*)[32])r.topics,
	    r.ntopics, dh);
	registry_digest_step_hashed(d, (const uint8_t (*)[32])r.topics,
	    r.ntopics, dh);
	ck_assert_mem_eq(d, want, 32);
	free(r.data);
	json_decref(f);
}
END_TEST

/* anchorInstalls' calldata as ethers 6.17.0's Interface.encodeFunctionData
 * encodes it, and the function is in the committed ABI. */
START_TEST(registry_anchor_calldata)
{
	uint8_t root[32], call[REGISTRY_ANCHOR_CALL_LEN], *want;
	json_t *abi = load_abi(), *e;
	const char *why, *name;
	size_t i, n;
	int found = 0;

	memset(root, 0xab, sizeof(root));
	registry_anchor_call(call, root, 1, 100);
	ck_assert(hex_decode_alloc(&want, &n, "0xea7aac4b"
	    "abababababababababababababababababababababababababababababababab"
	    "0000000000000000000000000000000000000000000000000000000000000001"
	    "0000000000000000000000000000000000000000000000000000000000000064",
	    4096, &why));
	ck_assert_uint_eq(n, sizeof(call));
	ck_assert_mem_eq(call, want, n);
	free(want);
	json_array_foreach(abi, i, e) {
		name = json_string_value(json_object_get(e, "name"));
		if (name != NULL && strcmp(name, "anchorInstalls") == 0 &&
		    json_array_size(json_object_get(e, "inputs")) == 3)
			found = 1;
	}
	ck_assert_msg(found, "anchorInstalls(bytes32,uint64,uint64) is not "
	    "in the ABI");
	json_decref(abi);
}
END_TEST

/* The mapping slots as Solidity places them, keccak256(abi.encode(key,
 * slot)) computed by ethers 6.17.0; and a Device word (vendor in the low
 * 20 bytes, then role, then revoked) read back. */
START_TEST(registry_mapping_slots)
{
	uint8_t dev[20], slot[32], want[32], word[22];
	const char *why;
	int reg, rev;

	ck_assert(hex_decode_fixed(dev, 20,
	    "0x6d186c92faa57a59429336145d7c9eb91564a624", &why));
	registry_slot_device(slot, dev);
	ck_assert(hex_decode_fixed(want, 32, "0x0f6bc1ecf259da3deec49a958d52e13"
	    "04296e446e93ca318b47bf7c28ae873b6", &why));
	ck_assert_mem_eq(slot, want, 32);
	registry_slot_gateway(slot, dev);
	ck_assert(hex_decode_fixed(want, 32, "0x6adadfff087ff7a13068f6a3f8733ef"
	    "f1307e48efefc1be0bc84b2b43e58e336", &why));
	ck_assert_mem_eq(slot, want, 32);
	word[0] = 1;			/* revoked */
	word[1] = 2;			/* role */
	memcpy(word + 2, dev, 20);	/* vendor */
	ck_assert(registry_device_word(&reg, &rev, word, 22));
	ck_assert(reg && rev);
	ck_assert(registry_device_word(&reg, &rev, word + 1, 21));
	ck_assert(reg && !rev);
	ck_assert(registry_device_word(&reg, &rev, word, 0));
	ck_assert(!reg && !rev);
	memset(word + 2, 0, 20);	/* no vendor: never registered */
	ck_assert(registry_device_word(&reg, &rev, word, 22));
	ck_assert(!reg && rev);
	ck_assert(!registry_device_word(&reg, &rev, slot, 33));
}
END_TEST

/* Each event's statement runs on the state tables and binds only the
 * event's own arguments and the block; a license id is kept as an integer
 * and one past SQLite's integers is refused, not aliased. */
START_TEST(registry_apply_statements)
{
	json_t *f = tu_json("registry/logs.json");
	struct registry_sql_value v;
	struct registry_event ev;
	struct raw_log r;
	sqlite3_stmt *st;
	const char *why, *name;
	sqlite3 *db;
	size_t k;
	int i;

	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE meta (key TEXT "
	    "PRIMARY KEY, value ANY) STRICT", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, registry_tables_sql, NULL, NULL, NULL)
	    == SQLITE_OK, "%s", sqlite3_errmsg(db));
	ck_assert_msg(sqlite3_exec(db, registry_tables_added_sql, NULL, NULL,
	    NULL) == SQLITE_OK, "%s", sqlite3_errmsg(db));
	for (k = 0; k < REG_KIND_COUNT; k++) {
		ck_assert_msg(sqlite3_prepare_v2(db, registry_apply_sql[k], -1,
		    &st, NULL) == SQLITE_OK, "%s: %s", registry_defs[k].name,
		    sqlite3_errmsg(db));
		for (i = 1; i <= sqlite3_bind_parameter_count(st); i++)
			if ((name = sqlite3_bind_parameter_name(st, i)) != NULL)
				ck_assert_msg(i == REGISTRY_SQL_BLOCK ||
				    (size_t)i <= registry_defs[k].nargs,
				    "%s binds %s", registry_defs[k].name, name);
		sqlite3_finalize(st);
	}
	ck_assert_int_eq(sqlite3_exec(db, registry_clear_sql, NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	first_of(&r, f, "LicenseIssued");
	ck_assert(registry_decode(&ev, (const uint8_t (*)[32])r.topics,
	    r.ntopics, r.data, r.len, &why));
	ck_assert(registry_sql_arg(&v, &ev, 0, &why));
	ck_assert_ptr_null(v.text);
	ck_assert_int_eq(v.num, (int64_t)registry_u64(&ev, 0));
	ck_assert(registry_sql_arg(&v, &ev, 1, &why));	/* the device */
	ck_assert_uint_eq(strlen(v.text), 42);
	free(v.text);
	ev.v[0].word[24] = 0x80;	/* INT64_MAX + 1 and up */
	ck_assert(!registry_sql_arg(&v, &ev, 0, &why));
	ck_assert_str_eq(why, "license id out of range");
	ev.v[0].word[24] = 0;
	ev.v[0].word[0] = 1;
	ck_assert(!registry_sql_arg(&v, &ev, 0, &why));
	free(r.data);
	json_decref(f);
}
END_TEST

static Suite *
registry_suite(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("registry");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, registry_table_matches_abi);
	tcase_add_test(tc, registry_decodes_captured_logs);
	tcase_add_test(tc, registry_alterations);
	tcase_add_test(tc, registry_malformed_cases);
	tcase_add_test(tc, registry_any_string_bytes);
	tcase_add_test(tc, registry_text_escapes);
	tcase_add_test(tc, registry_args_text_is_jansson_dump);
	tcase_add_test(tc, registry_digest_rule);
	tcase_add_test(tc, registry_apply_statements);
	tcase_add_test(tc, registry_anchor_calldata);
	tcase_add_test(tc, registry_mapping_slots);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(registry_suite());
}
