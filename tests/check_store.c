/* check_store.c: the SQLite cache with the registry logs captured from
 * anvil (tests/data/registry/logs.json): batches, digest, confirmation,
 * rewind, rebuild from events, and refusal of foreign databases. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "chain/hash.h"
#include "chain/hex.h"
#include "merkle.h"
#include "registry.h"
#include "store.h"
#include "testutil.h"
#include "verdict.h"
#include "verdict_store.h"

struct tlog {
	uint64_t block;
	uint64_t log_index;
	uint8_t topics[4][32];
	size_t ntopics;
	uint8_t *data;
	size_t len;
};

static struct tlog logs[128];
static size_t nlogs;
static char last_admin[43];	/* newAdmin of the last AdminTransferred */
static char dbpath[256];
static struct store_identity ident = { .chain_id = 31337,
    .checkpoint_number = 0 };

static void
load_logs(void)
{
	json_t *j = tu_json("registry/logs.json"), *a, *l, *t;
	const char *why;
	size_t i, k;

	ck_assert(hex_decode_fixed(ident.registry, 20,
	    json_string_value(json_object_get(j, "registry")), &why));
	a = json_object_get(j, "logs");
	nlogs = json_array_size(a);
	ck_assert_uint_le(nlogs, 128);
	json_array_foreach(a, i, l) {
		logs[i].block = json_integer_value(json_object_get(l,
		    "blockNumber"));
		logs[i].log_index = json_integer_value(json_object_get(l,
		    "logIndex"));
		t = json_object_get(l, "topics");
		logs[i].ntopics = json_array_size(t);
		for (k = 0; k < logs[i].ntopics; k++)
			ck_assert(hex_decode_fixed(logs[i].topics[k], 32,
			    json_string_value(json_array_get(t, k)), &why));
		if (strcmp(json_string_value(json_object_get(l, "event")),
		    "AdminTransferred") == 0)
			snprintf(last_admin, sizeof(last_admin), "%s",
			    json_string_value(json_object_get(json_object_get(l,
			    "args"), "newAdmin")));
		logs[i].data = tu_hex(json_string_value(json_object_get(l,
		    "data")), &logs[i].len);
	}
	json_decref(j);
}

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dbpath, sizeof(dbpath), "%s/check_store.%ld.db",
	    tmp != NULL ? tmp : "/tmp", (long)getpid());
	unlink(dbpath);
	if (nlogs == 0)
		load_logs();
}

static void
teardown(void)
{
	char p[300];

	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
}

static void
fake_block(struct store_block *b, uint64_t n)
{
	memset(b, 0, sizeof(*b));
	b->number = n;
	b->hash[0] = 0xb0;
	b->hash[31] = (uint8_t)n;
	b->hash[30] = (uint8_t)(n >> 8);
	b->parent_hash[0] = 0xb0;
	b->parent_hash[31] = (uint8_t)(n - 1);
	b->parent_hash[30] = (uint8_t)((n - 1) >> 8);
	b->timestamp = 1700000000 + n;
}

/* Stores blocks first..last with their logs in one batch and applies
 * events through block apply; with final, the events of blocks up to apply
 * are handed in as final (applied as they are added when nothing before
 * them waits). */
static void
ingest_as(struct store *s, uint64_t first, uint64_t last, uint64_t apply,
    int final)
{
	struct store_block b;
	struct store_event e;
	char err[256];
	uint64_t n;
	size_t i, k;

	ck_assert_msg(store_begin(s, err, sizeof(err)), "%s", err);
	for (n = first; n <= last; n++) {
		fake_block(&b, n);
		for (i = 0, k = 0; i < nlogs; i++)
			k += logs[i].block == n;
		ck_assert_msg(store_add_block(s, &b, k, err, sizeof(err)),
		    "%s", err);
		for (i = 0; i < nlogs; i++) {
			if (logs[i].block != n)
				continue;
			memset(&e, 0, sizeof(e));
			e.block_number = n;
			memcpy(e.block_hash, b.hash, 32);
			e.log_index = logs[i].log_index;
			e.topics = (const uint8_t (*)[32])logs[i].topics;
			e.ntopics = logs[i].ntopics;
			e.data = logs[i].data;
			e.data_len = logs[i].len;
			e.block_time = b.timestamp;
			ck_assert_msg(store_add_event(s, &e, final && n <= apply,
			    err, sizeof(err)), "%s", err);
		}
		ck_assert(store_set_head(s, &b, err, sizeof(err)));
	}
	ck_assert_msg(store_apply_through(s, apply, err, sizeof(err)), "%s",
	    err);
	ck_assert_msg(store_commit(s, err, sizeof(err)), "%s", err);
}

static void
ingest(struct store *s, uint64_t first, uint64_t last, uint64_t apply)
{
	ingest_as(s, first, last, apply, 0);
}

static uint64_t
last_block(void)
{
	return logs[nlogs - 1].block;
}

/* The digest the contract would hold after the first k logs. */
static void
digest_of(uint8_t d[32], size_t k)
{
	size_t i;

	memset(d, 0, 32);
	for (i = 0; i < k; i++)
		registry_digest_step(d, (const uint8_t (*)[32])logs[i].topics,
		    logs[i].ntopics, logs[i].data, logs[i].len);
}

static struct store *
open_new(void)
{
	struct store *s;
	char err[256];

	ck_assert_msg(store_open(&s, dbpath, &ident, err, sizeof(err)), "%s",
	    err);
	return s;
}

START_TEST(test_batch_cursor_and_counts)
{
	struct store *s = open_new();
	struct store_cursor c;
	uint8_t d[32];
	char err[256];
	json_t *dump;

	ingest(s, 1, last_block(), last_block());
	ck_assert(store_cursor(s, &c, err, sizeof(err)));
	ck_assert(c.has_head);
	ck_assert_uint_eq(c.head_number, last_block());
	ck_assert_uint_eq(c.event_count, nlogs);
	digest_of(d, nlogs);
	ck_assert_mem_eq(c.event_digest, d, 32);
	ck_assert_uint_eq(c.applied_number, last_block());
	dump = store_dump(s, err, sizeof(err));
	ck_assert_msg(dump != NULL, "%s", err);
	ck_assert_int_eq(json_integer_value(json_object_get(dump, "events")),
	    (json_int_t)nlogs);
	ck_assert_str_eq(json_string_value(json_object_get(dump, "admin")),
	    last_admin);
	ck_assert_uint_gt(json_object_size(json_object_get(dump, "licenses")),
	    0);
	json_decref(dump);
	store_close(s);
}
END_TEST

/* State applied in many small steps equals the state rebuilt from the
 * events table alone. */
START_TEST(test_rebuild_equals_incremental)
{
	struct store *s = open_new();
	json_t *a, *b, *v;
	const char *key;
	char err[256];
	uint64_t n;

	for (n = 1; n <= last_block(); n++)
		ingest(s, n, n, n > 2 ? n - 2 : 1);
	ingest(s, last_block() + 1, last_block() + 2, last_block());
	a = store_dump(s, err, sizeof(err));
	ck_assert(store_rebuild(s, err, sizeof(err)));
	b = store_dump(s, err, sizeof(err));
	ck_assert_msg(json_equal(a, b), "rebuild differs");
	ck_assert_int_eq(json_integer_value(json_object_get(b, "events")),
	    (json_int_t)nlogs);
	/* capture-logs.mjs anchors one batch, reports 1..100. */
	ck_assert_uint_eq(json_object_size(json_object_get(b, "anchors")), 1);
	json_object_foreach(json_object_get(b, "anchors"), key, v) {
		ck_assert_int_eq(json_integer_value(json_object_get(v,
		    "firstSeq")), 1);
		ck_assert_int_eq(json_integer_value(json_object_get(v,
		    "count")), 100);
	}
	json_decref(a);
	json_decref(b);
	store_close(s);
}
END_TEST

/* Final events applied as they are added (the follower's way) give the
 * state that applying them from their rows gives, window or not. */
START_TEST(test_final_events_applied_as_added)
{
	struct store *s;
	json_t *a, *b;
	char err[256];
	uint64_t n;
	int final;

	/* Batches of three blocks, the last of each left in the window:
	 * the next batch's first block finds it waiting. */
	for (final = 0; final < 2; final++) {
		teardown();
		s = open_new();
		for (n = 1; n <= last_block(); n += 3)
			ingest_as(s, n, n + 2, n + 1, final);
		ingest_as(s, n, n, n, final);
		b = store_dump(s, err, sizeof(err));
		ck_assert_msg(b != NULL, "%s", err);
		if (final == 0)
			a = b;
		store_close(s);
	}
	ck_assert_msg(json_equal(a, b), "state differs when events are "
	    "applied as they are added");
	ck_assert_int_eq(json_integer_value(json_object_get(b, "events")),
	    (json_int_t)nlogs);
	json_decref(a);
	json_decref(b);
}
END_TEST

/* Pending events (above the applied block) are stored but not effective. */
START_TEST(test_pending_not_applied)
{
	struct store *s = open_new();
	json_t *dump;
	char err[256];
	uint64_t half = logs[nlogs / 2].block;
	size_t k;

	ingest(s, 1, last_block(), half);
	for (k = 0; logs[k].block <= half; k++)
		;
	dump = store_dump(s, err, sizeof(err));
	ck_assert_int_eq(json_integer_value(json_object_get(dump, "events")),
	    (json_int_t)k);
	json_decref(dump);
	store_close(s);
}
END_TEST

/* Rewinding drops exactly the blocks above the fork point, restores the
 * digest of what is left, and refuses to touch final state. */
START_TEST(test_rewind)
{
	struct store *s = open_new();
	struct store_cursor c;
	uint64_t half = logs[nlogs / 2].block, last = last_block();
	uint8_t d[32];
	char err[256];
	size_t k;
	int found;

	ingest(s, 1, half, half);
	ingest(s, half + 1, last, half);
	ck_assert(!store_rewind(s, half - 1, err, sizeof(err)));
	ck_assert_msg(strstr(err, "already final") != NULL, "%s", err);
	ck_assert_msg(store_rewind(s, half, err, sizeof(err)), "%s", err);
	ck_assert(store_cursor(s, &c, err, sizeof(err)));
	for (k = 0; k < nlogs && logs[k].block <= half; k++)
		;
	ck_assert_uint_eq(c.event_count, k);
	digest_of(d, k);
	ck_assert_mem_eq(c.event_digest, d, 32);
	ck_assert_uint_eq(c.head_number, half);
	ck_assert(store_block_hash(s, half + 1, d, &found, err, sizeof(err)));
	ck_assert(!found);
	/* The same blocks again give the same result as the first time. */
	ingest(s, half + 1, last, last);
	ck_assert(store_cursor(s, &c, err, sizeof(err)));
	ck_assert_uint_eq(c.event_count, nlogs);
	digest_of(d, nlogs);
	ck_assert_mem_eq(c.event_digest, d, 32);
	store_close(s);
}
END_TEST

/* An aborted batch leaves nothing behind. */
START_TEST(test_abort_leaves_nothing)
{
	struct store *s = open_new();
	struct store_cursor c;
	struct store_block b;
	char err[256];

	ingest(s, 1, 3, 3);
	ck_assert(store_begin(s, err, sizeof(err)));
	fake_block(&b, 4);
	ck_assert(store_add_block(s, &b, 0, err, sizeof(err)));
	ck_assert(store_set_head(s, &b, err, sizeof(err)));
	store_abort(s);
	ck_assert(store_cursor(s, &c, err, sizeof(err)));
	ck_assert_uint_eq(c.head_number, 3);
	ck_assert(store_block_hash(s, 4, b.hash, &c.has_head, err,
	    sizeof(err)));
	ck_assert(!c.has_head);
	store_close(s);
}
END_TEST

/* A log that does not decode is refused and names its block and index. */
START_TEST(test_bad_event_refused)
{
	struct store *s = open_new();
	struct store_event e;
	char err[256];
	uint8_t data[3] = { 1, 2, 3 };

	ck_assert(store_begin(s, err, sizeof(err)));
	memset(&e, 0, sizeof(e));
	e.block_number = 7;
	e.log_index = 2;
	e.topics = (const uint8_t (*)[32])logs[1].topics;
	e.ntopics = logs[1].ntopics;
	e.data = data;
	e.data_len = sizeof(data);
	ck_assert(!store_add_event(s, &e, 0, err, sizeof(err)));
	ck_assert_msg(strstr(err, "block 7 log 2") != NULL, "%s", err);
	store_abort(s);
	store_close(s);
}
END_TEST

START_TEST(test_identity_refused)
{
	struct store *s = open_new();
	struct store_identity other = ident;
	char err[256];

	store_close(s);
	other.chain_id = 1;
	ck_assert(!store_open(&s, dbpath, &other, err, sizeof(err)));
	ck_assert_msg(strstr(err, "chain id 31337") != NULL, "%s", err);
	other = ident;
	other.registry[3] ^= 1;
	ck_assert(!store_open(&s, dbpath, &other, err, sizeof(err)));
	ck_assert_msg(strstr(err, "registry") != NULL, "%s", err);
	other = ident;
	other.checkpoint_hash[0] = 1;
	ck_assert(!store_open(&s, dbpath, &other, err, sizeof(err)));
	ck_assert_msg(strstr(err, "checkpoint") != NULL, "%s", err);
	ck_assert_msg(store_open(&s, dbpath, &ident, err, sizeof(err)), "%s",
	    err);
	store_close(s);
}
END_TEST

static void
raw_sql(const char *sql)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* The file as SQLite itself reads it, beside the store. */
static sqlite3 *
raw_open(void)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	return db;
}

/* Collects what store_events hands over. */
struct seen {
	size_t n, effective;
	uint64_t first_block, last_seq;
	char first_kind[32];
};

static int
see_event(void *arg, const struct store_event_row *r)
{
	struct seen *w = arg;

	if (w->n++ == 0) {
		w->first_block = r->block_number;
		snprintf(w->first_kind, sizeof(w->first_kind), "%s", r->kind);
	}
	ck_assert_uint_gt(r->seq, w->last_seq);
	w->last_seq = r->seq;
	ck_assert_uint_eq(strlen(r->time), 20);	/* 2026-12-01T00:00:00Z */
	ck_assert(r->args[0] == '{');
	w->effective += r->effective;
	return 1;
}

/* licgatectl events: every event in order from a block on, the applied
 * ones effective, those of the window not yet. */
START_TEST(test_events_listed)
{
	struct store *s = open_new();
	struct seen w;
	char err[256];

	ingest(s, 1, last_block(), logs[nlogs / 2].block);
	memset(&w, 0, sizeof(w));
	ck_assert_msg(store_events(s, 0, see_event, &w, err, sizeof(err)),
	    "%s", err);
	ck_assert_uint_eq(w.n, nlogs);
	ck_assert_uint_eq(w.last_seq, nlogs);
	ck_assert_str_eq(w.first_kind, "AdminTransferred");
	ck_assert_uint_gt(w.effective, 0);
	ck_assert_uint_lt(w.effective, nlogs);
	memset(&w, 0, sizeof(w));
	ck_assert(store_events(s, logs[nlogs - 1].block, see_event, &w, err,
	    sizeof(err)));
	ck_assert_uint_ge(w.n, 1);
	ck_assert_uint_eq(w.first_block, logs[nlogs - 1].block);
	ck_assert_uint_eq(w.effective, 0);
	store_close(s);
}
END_TEST

START_TEST(test_foreign_refused)
{
	struct store *s;
	char err[256];

	raw_sql("CREATE TABLE t (x)");
	ck_assert(!store_open(&s, dbpath, &ident, err, sizeof(err)));
	ck_assert_msg(strstr(err, "not a licgate database") != NULL, "%s",
	    err);
}
END_TEST

START_TEST(test_newer_schema_refused)
{
	struct store *s = open_new();
	char err[256];

	store_close(s);
	raw_sql("PRAGMA user_version = 99");
	ck_assert(!store_open(&s, dbpath, &ident, err, sizeof(err)));
	ck_assert_msg(strstr(err, "newer licgate") != NULL, "%s", err);
	ck_assert(!store_open_ro(&s, dbpath, NULL, err, sizeof(err)));
}
END_TEST

START_TEST(test_readonly_and_views)
{
	struct store *s = open_new(), *r;
	struct store_identity got;
	sqlite3_stmt *st;
	sqlite3 *db;
	char err[256];

	ingest(s, 1, last_block(), last_block());
	store_close(s);
	ck_assert_msg(store_open_ro(&r, dbpath, &got, err, sizeof(err)), "%s",
	    err);
	ck_assert_uint_eq(got.chain_id, 31337);
	/* A reader cannot write: rebuilding would empty the tables. */
	ck_assert(!store_rebuild(r, err, sizeof(err)));
	store_close(r);
	db = raw_open();
	ck_assert_int_eq(sqlite3_prepare_v2(db,
	    "SELECT count(*) FROM v_licenses WHERE status = 'revoked' AND "
	    "not_before LIKE '____-__-__T__:__:__Z'", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_gt(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
}
END_TEST


/* Synthetic registry logs, for the lookups: each one is one event of its
 * own block, handed in final. */
struct synth {
	struct store *s;
	uint64_t block;
};

static void
put_word(uint8_t w[32], uint64_t v)
{
	int k;

	memset(w, 0, 32);
	for (k = 0; k < 8; k++)
		w[31 - k] = (uint8_t)(v >> (8 * k));
}

static void
addr_word(uint8_t w[32], char who)
{
	memset(w, 0, 32);
	memset(w + 12, who, 20);
}

/* Emits event kind: topics[1..] as given, then data of nwords static
 * words and, when text is not NULL, a trailing dynamic value of len bytes
 * (its offset word last among the static ones, as solc puts it when it is
 * the last argument). */
static void
synth_emit(struct synth *y, enum registry_kind kind, uint8_t (*tp)[32],
    size_t nt, const uint64_t *words, size_t nwords, const void *text,
    size_t len)
{
	uint8_t topics[4][32], data[1024];
	struct store_block b;
	struct store_event e;
	const char *why;
	char err[256];
	size_t i, n = 0;

	ck_assert(hex_decode_fixed(topics[0], 32, registry_defs[kind].topic0,
	    &why));
	for (i = 0; i < nt; i++)
		memcpy(topics[i + 1], tp[i], 32);
	for (i = 0; i < nwords; i++, n += 32)
		put_word(data + n, words[i]);
	if (text != NULL) {
		put_word(data + n, 32 * (nwords + 1));
		put_word(data + n + 32, len);
		memset(data + n + 64, 0, (len + 31) / 32 * 32);
		memcpy(data + n + 64, text, len);
		n += 64 + (len + 31) / 32 * 32;
	}
	fake_block(&b, ++y->block);
	memset(&e, 0, sizeof(e));
	e.block_number = b.number;
	memcpy(e.block_hash, b.hash, 32);
	e.topics = (const uint8_t (*)[32])topics;
	e.ntopics = nt + 1;
	e.data = data;
	e.data_len = n;
	e.block_time = b.timestamp;
	ck_assert(store_add_block(y->s, &b, 1, err, sizeof(err)));
	ck_assert_msg(store_add_event(y->s, &e, 1, err, sizeof(err)), "%s",
	    err);
	ck_assert(store_set_head(y->s, &b, err, sizeof(err)));
}

static void
synth_vendor(struct synth *y, char who, const char *name, size_t len)
{
	uint8_t t[1][32];

	addr_word(t[0], who);
	synth_emit(y, REG_VENDOR_ADDED, t, 1, NULL, 0, name, len);
}

static void
synth_vendor_removed(struct synth *y, char who)
{
	uint8_t t[1][32];

	addr_word(t[0], who);
	synth_emit(y, REG_VENDOR_REMOVED, t, 1, NULL, 0, NULL, 0);
}

/* Device 'D' of vendor who, role 1; firmware 'F' of vendor who, version 5,
 * role 1, ending at eos. */
static void
synth_device_firmware(struct synth *y, char who, uint64_t eos)
{
	static const uint8_t key[33] = { 0x02, 1, 2, 3 };
	uint8_t t[2][32];
	uint64_t w[4] = { 1 };

	addr_word(t[0], 'D');
	addr_word(t[1], who);
	synth_emit(y, REG_DEVICE_REGISTERED, t, 2, w, 1, key, sizeof(key));
	memset(t[0], 'F', 32);
	w[0] = 5, w[1] = 1, w[2] = eos;
	synth_emit(y, REG_FIRMWARE_REGISTERED, t, 2, w, 3, "u", 1);
}

/* License id for device 'D' from vendor who: role 1, max version 10. */
static void
synth_license(struct synth *y, uint64_t id, char who, uint64_t nb,
    uint64_t exp)
{
	uint8_t t[3][32];
	uint64_t w[5] = { 1, 10, nb, exp, 0 };

	put_word(t[0], id);
	addr_word(t[1], 'D');
	addr_word(t[2], who);
	synth_emit(y, REG_LICENSE_ISSUED, t, 3, w, 5, NULL, 0);
}

static void
synth_license_revoked(struct synth *y, uint64_t id)
{
	uint8_t t[1][32];
	uint64_t w[1] = { 1 };

	put_word(t[0], id);
	synth_emit(y, REG_LICENSE_REVOKED, t, 1, w, 1, NULL, 0);
}

static void
lookup_now(struct store *s, uint64_t now, struct store_lookup *lk)
{
	uint8_t dev[20], fw[32];
	char err[256];

	memset(dev, 'D', 20);
	memset(fw, 'F', 32);
	ck_assert_msg(store_lookup(s, dev, fw, now, lk, err, sizeof(err)),
	    "%s", err);
}

static enum verdict
verdict_now(struct store *s, uint64_t now, struct store_lookup *lk)
{
	struct verdict_license lic;
	struct verdict_input in;
	struct verdict_result vr;

	lookup_now(s, now, lk);
	memset(&in, 0, sizeof(in));
	verdict_store_input(&in, &lic, lk);
	in.now = now;
	in.state_time = now;
	in.max_staleness = 3600;
	verdict_decide(&vr, &in);
	return vr.verdict;
}

#define NOW 1800000000ULL

/* Another vendor's licenses, however many, do not hide the valid one; of
 * the covering licenses the lookup picks verdict_decide's. */
START_TEST(test_lookup_every_license)
{
	struct store *s = open_new();
	struct synth y = { s, 0 };
	struct store_lookup lk;
	char err[256];
	uint64_t id;

	ck_assert(store_begin(s, err, sizeof(err)));
	synth_vendor(&y, 'A', "a", 1);
	synth_vendor(&y, 'B', "b", 1);
	synth_device_firmware(&y, 'A', 0);
	synth_license(&y, 1, 'A', 0, NOW + 1000);
	for (id = 2; id < 302; id++)
		synth_license(&y, id, 'B', 0, 0);
	ck_assert_msg(store_commit(s, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(verdict_now(s, NOW, &lk), VERDICT_VALID);
	ck_assert_uint_eq(lk.license.id, 1);
	ck_assert_uint_eq(lk.next_change, NOW + 1000);
	ck_assert(lk.has_applied);
	ck_assert_uint_eq(lk.applied_number, y.block);
	ck_assert_uint_eq(lk.applied_hash[31], (uint8_t)y.block);
	ck_assert_uint_eq(lk.applied_hash[0], 0xb0);
	ck_assert_int_eq(verdict_now(s, NOW + 1000, &lk),
	    VERDICT_LICENSE_EXPIRED);
	/* Ranking: no end beats an end, valid beats expired and revoked,
	 * a licence not yet started counts only as a boundary. */
	ck_assert(store_begin(s, err, sizeof(err)));
	synth_license(&y, 302, 'A', 0, NOW - 1);
	synth_license(&y, 303, 'A', 0, 0);
	synth_license(&y, 304, 'A', 0, NOW + 5000);
	synth_license(&y, 305, 'A', NOW + 50, 0);
	synth_license(&y, 306, 'A', 0, NOW + 20);
	synth_license_revoked(&y, 306);
	ck_assert_msg(store_commit(s, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(verdict_now(s, NOW, &lk), VERDICT_VALID);
	ck_assert_uint_eq(lk.license.id, 303);
	ck_assert_uint_eq(lk.next_change, NOW + 50);
	ck_assert(store_begin(s, err, sizeof(err)));
	synth_license_revoked(&y, 303);
	ck_assert_msg(store_commit(s, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(verdict_now(s, NOW, &lk), VERDICT_VALID);
	ck_assert_uint_eq(lk.license.id, 304);
	ck_assert_int_eq(verdict_now(s, NOW + 6000, &lk), VERDICT_VALID);
	ck_assert_uint_eq(lk.license.id, 305);
	store_close(s);
}
END_TEST

/* The firmware's end of support and its vendor's removal reach the
 * verdict; adding the vendor again restores it, under its new name. */
START_TEST(test_lookup_support_and_vendor)
{
	struct store *s = open_new();
	struct synth y = { s, 0 };
	struct store_lookup lk;
	char err[256];
	json_t *d;

	ck_assert(store_begin(s, err, sizeof(err)));
	synth_vendor(&y, 'A', "a\0b", 3);
	synth_device_firmware(&y, 'A', NOW + 10);
	synth_license(&y, 1, 'A', 0, 0);
	ck_assert_msg(store_commit(s, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(verdict_now(s, NOW + 9, &lk), VERDICT_VALID);
	ck_assert_uint_eq(lk.next_change, NOW + 10);
	ck_assert_int_eq(verdict_now(s, NOW + 10, &lk),
	    VERDICT_END_OF_SUPPORT);
	ck_assert_uint_eq(lk.next_change, 0);
	ck_assert(store_begin(s, err, sizeof(err)));
	synth_vendor_removed(&y, 'A');
	ck_assert_msg(store_commit(s, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(verdict_now(s, NOW, &lk), VERDICT_VENDOR_REMOVED);
	ck_assert(store_begin(s, err, sizeof(err)));
	synth_vendor(&y, 'A', "\xff\xfe\x00\x01", 4);
	ck_assert_msg(store_commit(s, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(verdict_now(s, NOW, &lk), VERDICT_VALID);
	d = store_dump(s, err, sizeof(err));
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(d, "vendors"),
	    "0x4141414141414141414141414141414141414141"), "name")),
	    "\\xff\\xfe\\x00\\x01");
	json_decref(d);
	store_close(s);
}
END_TEST

/* A schema 1 database (strings as they came, no licenses_pick) is read
 * as it is, and brought to schema 2 when opened for writing. */
START_TEST(test_schema1_upgraded)
{
	struct store *s = open_new(), *r;
	struct synth y = { s, 0 };
	struct store_lookup lk;
	sqlite3_stmt *st;
	sqlite3 *db;
	char err[256];

	ck_assert(store_begin(s, err, sizeof(err)));
	synth_vendor(&y, 'A', "back\\slash\x01", 11);
	synth_device_firmware(&y, 'A', 0);
	synth_license(&y, 1, 'A', 0, 0);
	ck_assert_msg(store_commit(s, err, sizeof(err)), "%s", err);
	store_close(s);
	raw_sql("DROP INDEX licenses_pick; PRAGMA user_version = 1;"
	    "UPDATE meta SET value = 1 WHERE key = 'schema_version';"
	    "UPDATE vendors SET name = 'old';"
	    "UPDATE events SET args = 'old'");
	ck_assert_msg(store_open_ro(&r, dbpath, NULL, err, sizeof(err)), "%s",
	    err);
	ck_assert_int_eq(verdict_now(r, NOW, &lk), VERDICT_VALID);
	store_close(r);
	s = open_new();
	db = raw_open();
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT "
	    "(SELECT name FROM vendors), (SELECT count(*) FROM events WHERE "
	    "args = 'old'), (SELECT count(*) FROM sqlite_master WHERE name = "
	    "'licenses_pick'), (SELECT value FROM meta WHERE key = "
	    "'schema_version')", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0),
	    "back\\\\slash\\x01");
	ck_assert_int_eq(sqlite3_column_int(st, 1), 0);
	ck_assert_int_eq(sqlite3_column_int(st, 2), 1);
	ck_assert_int_eq(sqlite3_column_int(st, 3), STORE_SCHEMA_VERSION);
	sqlite3_finalize(st);
	sqlite3_close(db);
	ck_assert_int_eq(verdict_now(s, NOW, &lk), VERDICT_VALID);
	store_close(s);
}
END_TEST

/* A file made before the anchors table (licgatectl reading it before
 * licgated's next start) dumps no anchors rather than failing, and gains
 * the table and its view when opened for writing. */
START_TEST(test_anchors_table_added)
{
	struct store *s = open_new(), *r;
	sqlite3_stmt *st;
	sqlite3 *db;
	char err[256];
	json_t *d;

	store_close(s);
	raw_sql("DROP VIEW v_anchors; DROP TABLE anchors");
	ck_assert_msg(store_open_ro(&r, dbpath, NULL, err, sizeof(err)), "%s",
	    err);
	ck_assert_msg((d = store_dump(r, err, sizeof(err))) != NULL, "%s", err);
	ck_assert(json_is_object(json_object_get(d, "anchors")));
	ck_assert_uint_eq(json_object_size(json_object_get(d, "anchors")), 0);
	json_decref(d);
	store_close(r);
	s = open_new();
	store_close(s);
	db = raw_open();
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
	    "sqlite_master WHERE name IN ('anchors', 'v_anchors')", -1, &st,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 2);
	sqlite3_finalize(st);
	sqlite3_close(db);
}
END_TEST

/* Install reports: numbered in commit order across batches and reopens,
 * one (device, nonce) stored once whatever batch it comes in, the leaf
 * SHA-256(0x00 || bytes) (RFC 9162), and a file made before the table
 * gains it. */
static void
install_row(struct store_install *r, uint8_t dev, uint8_t nonce,
    const uint8_t *bytes, size_t len)
{
	memset(r, 0, sizeof(*r));
	memset(r->device, dev, 20);
	memset(r->firmware, 0xf1, 32);
	r->version = 3;
	memset(r->nonce, nonce, 8);
	r->nonce_len = 8;
	r->reported_at = NOW;
	r->received_at = NOW + 1;
	r->report = bytes;
	r->report_len = len;
}

static int
count_row(void *arg, const struct store_install_row *r)
{
	uint64_t *n = arg;

	ck_assert_uint_eq(r->seq, *n + 1);
	ck_assert_ptr_null(r->replaced);
	ck_assert_str_eq(r->reported_at, "2027-01-15T08:00:00Z");
	(*n)++;
	return 1;
}

START_TEST(test_installs)
{
	static const uint8_t bytes[] = { 0xd2, 0x84, 0x01 };
	struct store_install rows[3];
	struct store *s;
	sqlite3_stmt *st;
	sqlite3 *db;
	uint8_t leaf[32], pre[4] = { 0x00, 0xd2, 0x84, 0x01 };
	char err[256], hex[67];
	uint64_t n = 0;

	s = open_new();
	store_close(s);
	/* as a file from before install reports */
	raw_sql("DROP VIEW v_installs; DROP TABLE installs");
	s = open_new();
	install_row(&rows[0], 1, 1, bytes, sizeof(bytes));
	install_row(&rows[1], 2, 1, bytes, sizeof(bytes));
	install_row(&rows[2], 1, 1, bytes, sizeof(bytes));
	ck_assert_msg(store_installs_add(s, rows, 3, err, sizeof(err)), "%s",
	    err);
	ck_assert(rows[0].seq == 1 && !rows[0].duplicate);
	ck_assert(rows[1].seq == 2 && !rows[1].duplicate);
	ck_assert(rows[2].seq == 0 && rows[2].duplicate);
	store_close(s);
	s = open_new();
	install_row(&rows[0], 2, 1, bytes, sizeof(bytes));
	install_row(&rows[1], 2, 2, bytes, sizeof(bytes));
	ck_assert_msg(store_installs_add(s, rows, 2, err, sizeof(err)), "%s",
	    err);
	ck_assert(rows[0].duplicate && rows[1].seq == 3);
	ck_assert(store_installs(s, 0, count_row, &n, err, sizeof(err)));
	ck_assert_uint_eq(n, 3);
	store_close(s);
	sha256(leaf, pre, sizeof(pre));
	hex_encode(hex, leaf, 32);
	db = raw_open();
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(DISTINCT leaf), "
	    "min(leaf), hex(min(report)) FROM installs", -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), hex);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 2), "D28401");
	sqlite3_finalize(st);
	sqlite3_close(db);
}
END_TEST

/* Anchor batches: formed of the reports after the last batch in seq
 * order, at most max, with the RFC 9162 root of their leaves; the signed
 * transaction kept across a reopen (a restart sends the same bytes);
 * anchored only when the anchors table holds the same root, first seq
 * and count; status counts what waits and keeps the error. */
static void
add_reports(struct store *s, size_t n, uint8_t (*bytes)[4],
    uint8_t (*leaves)[32])
{
	struct store_install r;
	char err[256];
	size_t i;

	for (i = 0; i < n; i++) {
		memcpy(bytes[i], (uint8_t[4]){ 0xd2, 0x84, 0x01, (uint8_t)i },
		    4);
		merkle_leaf(leaves[i], bytes[i], 4);
		install_row(&r, 1, (uint8_t)(i + 1), bytes[i], 4);
		ck_assert_msg(store_installs_add(s, &r, 1, err, sizeof(err)),
		    "%s", err);
		ck_assert_uint_eq(r.seq, i + 1);
	}
}

static json_t *
anchoring(struct store *s)
{
	char err[256];
	json_t *o = store_status_json(s, err, sizeof(err)), *a;

	ck_assert_msg(o != NULL, "%s", err);
	a = json_incref(json_object_get(o, "anchoring"));
	json_decref(o);
	ck_assert_ptr_nonnull(a);
	return a;
}

/* The one text value sql gives, as SQLite itself reads the file. */
static const char *
raw_text(const char *sql, char *out, size_t outsz)
{
	sqlite3 *db = raw_open();
	sqlite3_stmt *st;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, outsz, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static void
keep_tx(struct store *s, struct store_anchor_batch *b)
{
	char err[256];

	b->has_tx = 1;
	b->tx.type = 2;
	b->tx.nonce = 7;
	b->tx.gas_limit = 47000;
	b->tx.max_fee = 2000000000;
	b->tx.max_priority_fee = 1;
	memset(b->tx.hash, 0xab, 32);
	memset(b->tx.raw, 0x5c, 120);
	b->tx.raw_len = 120;
	b->since_block = 40;
	ck_assert_msg(store_anchor_set_tx(s, b, err, sizeof(err)), "%s", err);
}

START_TEST(test_anchor_batches)
{
	static const uint8_t gw[20] = { [19] = 0x99 };
	uint8_t bytes[25][4], leaves[25][32], root[32];
	struct store_anchor_batch b, c;
	char err[256], sql[256], hex[67];
	uint64_t n, oldest, block;
	struct store *s = open_new();
	int found;
	json_t *a;

	add_reports(s, 25, bytes, leaves);
	ck_assert(store_anchor_pending(s, &n, &oldest, err, sizeof(err)));
	ck_assert(n == 25 && oldest == NOW + 1);
	ck_assert_msg(store_anchor_form(s, 10, NOW + 5, &b, &found, err,
	    sizeof(err)), "%s", err);
	merkle_root(root, (const uint8_t (*)[32])leaves, 10);
	ck_assert(found && b.id == 1 && b.first_seq == 1 && b.count == 10);
	ck_assert_mem_eq(b.root, root, 32);
	ck_assert(store_anchor_pending(s, &n, &oldest, err, sizeof(err)));
	ck_assert_uint_eq(n, 15);
	keep_tx(s, &b);
	ck_assert(store_anchor_sent(s, b.id, NOW + 6, err, sizeof(err)));
	store_close(s);
	s = open_new();
	ck_assert(store_anchor_open(s, &c, &found, err, sizeof(err)) && found);
	ck_assert(c.id == 1 && c.has_tx && c.tx.nonce == 7 &&
	    c.tx.raw_len == 120 && c.tx.max_fee == 2000000000 &&
	    c.sends == 1 && c.sent_at == NOW + 6 && c.since_block == 40);
	ck_assert_mem_eq(c.tx.raw, b.tx.raw, 120);
	ck_assert_mem_eq(c.tx.hash, b.tx.hash, 32);
	ck_assert(store_anchor_verified(s, gw, &c, &found, &block, err,
	    sizeof(err)) && !found);
	/* Another count for the same root is not this batch's anchor. */
	snprintf(sql, sizeof(sql), "INSERT INTO anchors VALUES ('%s', '%s', "
	    "1, 9, 77)", "0x0000000000000000000000000000000000000099",
	    hex_encode(hex, root, 32));
	raw_sql(sql);
	ck_assert(store_anchor_verified(s, gw, &c, &found, &block, err,
	    sizeof(err)) && !found);
	raw_sql("UPDATE anchors SET count = 10");
	ck_assert(store_anchor_verified(s, gw, &c, &found, &block, err,
	    sizeof(err)) && found && block == 77);
	ck_assert(store_anchor_mark(s, c.id, 77, NOW + 9, err, sizeof(err)));
	ck_assert(store_anchor_open(s, &c, &found, err, sizeof(err)) &&
	    !found);
	ck_assert_msg(store_anchor_form(s, 100, NOW + 10, &b, &found, err,
	    sizeof(err)), "%s", err);
	merkle_root(root, (const uint8_t (*)[32])leaves + 10, 15);
	ck_assert(found && b.id == 2 && b.first_seq == 11 && b.count == 15);
	ck_assert_mem_eq(b.root, root, 32);
	ck_assert(store_anchor_form(s, 100, NOW + 10, &c, &found, err,
	    sizeof(err)) && !found);
	ck_assert(store_anchor_set_error(s, "no funds: 0 wei", 1, NOW + 11,
	    err, sizeof(err)));
	a = anchoring(s);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "unanchored")),
	    15);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "batches")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(a,
	    "anchored_batches")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "last_block")),
	    77);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(a,
	    "in_flight"), "first_seq")), 11);
	ck_assert_str_eq(json_string_value(json_object_get(a, "error")),
	    "no funds: 0 wei");
	ck_assert(json_is_true(json_object_get(a, "no_funds")));
	json_decref(a);
	ck_assert(store_anchor_set_error(s, NULL, 0, 0, err, sizeof(err)));
	a = anchoring(s);
	ck_assert(json_is_null(json_object_get(a, "error")) &&
	    json_is_false(json_object_get(a, "no_funds")));
	json_decref(a);
	store_close(s);
	ck_assert_str_eq(raw_text("SELECT count(*) || ' ' || min(seq) || ' ' "
	    "|| max(seq) FROM installs WHERE batch = 1 AND anchor_block = 77",
	    sql, sizeof(sql)), "10 1 10");
	ck_assert_str_eq(raw_text("SELECT count(*) FROM installs WHERE batch "
	    "= 2 AND anchor_block IS NULL", sql, sizeof(sql)), "15");
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_batch_cursor_and_counts);
	tcase_add_test(tc, test_rebuild_equals_incremental);
	tcase_add_test(tc, test_final_events_applied_as_added);
	tcase_add_test(tc, test_pending_not_applied);
	tcase_add_test(tc, test_rewind);
	tcase_add_test(tc, test_abort_leaves_nothing);
	tcase_add_test(tc, test_bad_event_refused);
	tcase_add_test(tc, test_identity_refused);
	tcase_add_test(tc, test_foreign_refused);
	tcase_add_test(tc, test_newer_schema_refused);
	tcase_add_test(tc, test_readonly_and_views);
	tcase_add_test(tc, test_events_listed);
	tcase_add_test(tc, test_lookup_every_license);
	tcase_add_test(tc, test_lookup_support_and_vendor);
	tcase_add_test(tc, test_schema1_upgraded);
	tcase_add_test(tc, test_anchors_table_added);
	tcase_add_test(tc, test_installs);
	tcase_add_test(tc, test_anchor_batches);
	suite_add_tcase(su, tc);
	return tu_run(su);
}
