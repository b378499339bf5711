/* store.c: the SQLite cache: opening, the schema the store owns (meta,
 * blocks, events, engine_state; the state tables are the registry's),
 * meta, the cursor and transactions.  Every write happens inside a
 * transaction the caller opened with store_begin (or one
 * store_rewind/store_rebuild open themselves); the cursor lives in meta,
 * inside the same transaction. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "chain/hex.h"
#include "registry.h"
#include "store.h"
#include "store_int.h"
#include "xmalloc.h"

static const char store_schema[] =
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY, value ANY) STRICT;"
	"CREATE TABLE blocks ("
	"  number INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE,"
	"  parent_hash TEXT NOT NULL, state_root TEXT NOT NULL,"
	"  timestamp INTEGER NOT NULL, events INTEGER NOT NULL) STRICT;"
	"CREATE TABLE events ("
	"  seq INTEGER PRIMARY KEY, block_number INTEGER NOT NULL,"
	"  block_hash TEXT NOT NULL, tx_index INTEGER NOT NULL,"
	"  log_index INTEGER NOT NULL, kind TEXT NOT NULL,"
	"  args TEXT NOT NULL, topics TEXT NOT NULL, data TEXT NOT NULL,"
	"  digest TEXT NOT NULL, UNIQUE (block_number, log_index)) STRICT;"
	"CREATE VIEW v_events AS SELECT e.seq, e.block_number,"
	"  strftime('%Y-%m-%dT%H:%M:%SZ', b.timestamp, 'unixepoch') AS time,"
	"  e.tx_index, e.log_index, e.kind, e.args,"
	"  e.block_number <= (SELECT value FROM meta WHERE key = 'applied_number')"
	"  AS effective FROM events e JOIN blocks b ON b.number = e.block_number;"
	"CREATE VIEW v_status AS SELECT"
	"  (SELECT value FROM meta WHERE key = 'head_number') AS head_number,"
	"  (SELECT strftime('%Y-%m-%dT%H:%M:%SZ', value, 'unixepoch') FROM meta"
	"  WHERE key = 'head_time') AS head_time,"
	"  (SELECT value FROM meta WHERE key = 'applied_number') AS applied_number,"
	"  (SELECT value FROM meta WHERE key = 'event_count') AS event_count,"
	"  (SELECT value FROM meta WHERE key = 'last_error') AS last_error;";

/* The consensus engine's state after each block of the reorg window (and
 * the head): bytes only the engine reads. */
static const char store_engine_schema[] =
	"CREATE TABLE IF NOT EXISTS engine_state ("
	"  number INTEGER PRIMARY KEY, data BLOB NOT NULL) STRICT;";

/* statements --------------------------------------------------------- */

int
store_fail(char *err, size_t errsz, const char *what, sqlite3 *db)
{
	snprintf(err, errsz, "%s: %s", what,
	    db != NULL ? sqlite3_errmsg(db) : "out of memory");
	return 0;
}

int
store_exec(struct store *s, const char *sql, char *err, size_t errsz)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(err, errsz, "database", s->db);
	return 1;
}

/* A statement for sql, from the cache when it was prepared before; give it
 * back with store_done(). */
int
store_prepare(struct store *s, sqlite3_stmt **st, const char *sql, char *err,
    size_t errsz)
{
	size_t i;

	for (i = 0; i < s->nstmts; i++)
		if (strcmp(s->stmts[i].sql, sql) == 0) {
			*st = s->stmts[i].st;
			return 1;
		}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL) != SQLITE_OK)
		return store_fail(err, errsz, "database", s->db);
	if (s->nstmts < STORE_STMTS) {
		s->stmts[s->nstmts].sql = xstrdup(sql);
		s->stmts[s->nstmts++].st = *st;
	}
	return 1;
}

/* Ends a statement's use: reset (ending its read) or finalize. */
void
store_done(struct store *s, sqlite3_stmt *st)
{
	size_t i;

	for (i = 0; i < s->nstmts; i++)
		if (s->stmts[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	sqlite3_finalize(st);
}

/* Steps a statement that returns no rows, then gives it back. */
int
store_run(struct store *s, sqlite3_stmt *st, char *err, size_t errsz)
{
	int rc = sqlite3_step(st);

	store_done(s, st);
	if (rc != SQLITE_DONE)
		return store_fail(err, errsz, "database", s->db);
	return 1;
}

void
store_bind_hex(sqlite3_stmt *st, int i, const uint8_t *p, size_t n)
{
	char *h = hex_encode_alloc(p, n);

	sqlite3_bind_text(st, i, h, -1, free);
}

/* SQLite integers are signed: larger values (a "forever" version or time)
 * are kept as the largest one, which compares the same way. */
void
store_bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
	sqlite3_bind_int64(st, i, v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

/* meta --------------------------------------------------------------- */

/* The statement that sets meta.key, key bound; ?2 is the value. */
static int
meta_setter(struct store *s, sqlite3_stmt **st, const char *key, char *err,
    size_t errsz)
{
	if (!store_prepare(s, st,
	    "INSERT OR REPLACE INTO meta VALUES (?1, ?2)", err, errsz))
		return 0;
	sqlite3_bind_text(*st, 1, key, -1, SQLITE_STATIC);
	return 1;
}

int
store_meta_set_int(struct store *s, const char *key, uint64_t v, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;

	if (!meta_setter(s, &st, key, err, errsz))
		return 0;
	store_bind_u64(st, 2, v);
	return store_run(s, st, err, errsz);
}

static int
meta_set_hex(struct store *s, const char *key, const uint8_t *p, size_t n,
    char *err, size_t errsz)
{
	sqlite3_stmt *st;

	if (!meta_setter(s, &st, key, err, errsz))
		return 0;
	store_bind_hex(st, 2, p, n);
	return store_run(s, st, err, errsz);
}

static int
meta_set_text(struct store *s, const char *key, const char *v, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;

	if (!meta_setter(s, &st, key, err, errsz))
		return 0;
	sqlite3_bind_text(st, 2, v, -1, SQLITE_TRANSIENT);
	return store_run(s, st, err, errsz);
}

/* Reads meta.key: *found, and the value as integer and/or text. */
int
store_meta_get(struct store *s, const char *key, int *found, uint64_t *num,
    char *text, size_t textsz, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc;

	*found = 0;
	if (!store_prepare(s, &st, "SELECT value FROM meta WHERE key = ?1", err,
	    errsz))
		return 0;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = 1;
		if (num != NULL)
			*num = (uint64_t)sqlite3_column_int64(st, 0);
		if (text != NULL) {
			const unsigned char *t = sqlite3_column_text(st, 0);
			snprintf(text, textsz, "%s", t != NULL ?
			    (const char *)t : "");
		}
	}
	store_done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(err, errsz, "database", s->db);
	return 1;
}

int
store_meta_get_hex(struct store *s, const char *key, int *found, uint8_t *out,
    size_t n, char *err, size_t errsz)
{
	char text[2 * 32 + 3];
	const char *why;

	if (!store_meta_get(s, key, found, NULL, text, sizeof(text), err,
	    errsz))
		return 0;
	if (*found && !hex_decode_fixed(out, n, text, &why)) {
		snprintf(err, errsz, "database: meta %s: %s", key, why);
		return 0;
	}
	return 1;
}

/* opening ------------------------------------------------------------ */

int
store_query_int(struct store *s, const char *sql, int64_t *v, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;
	int rc;

	if (!store_prepare(s, &st, sql, err, errsz))
		return 0;
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	store_done(s, st);
	if (rc != SQLITE_ROW)
		return store_fail(err, errsz, "database", s->db);
	return 1;
}

/* Is this our database, of a schema this build reads?  *fresh is set for
 * an empty file. */
static int
check_kind(struct store *s, const char *path, int *fresh, int64_t *version,
    char *err, size_t errsz)
{
	int64_t app, ver, ntables;

	if (!store_query_int(s, "PRAGMA application_id", &app, err, errsz) ||
	    !store_query_int(s, "PRAGMA user_version", &ver, err, errsz) ||
	    !store_query_int(s, "SELECT count(*) FROM sqlite_master", &ntables,
	    err, errsz))
		return 0;
	*fresh = app == 0 && ntables == 0;
	*version = ver;
	if (*fresh)
		return 1;
	if (app != STORE_APPLICATION_ID) {
		snprintf(err, errsz, "%s: not a licgate database "
		    "(application_id 0x%08" PRIx64 ")", path, (uint64_t)app);
		return 0;
	}
	if (ver > STORE_SCHEMA_VERSION) {
		snprintf(err, errsz, "%s: schema version %" PRId64 " was made "
		    "by a newer licgate; this one reads version %d", path, ver,
		    STORE_SCHEMA_VERSION);
		return 0;
	}
	if (ver < 1) {
		snprintf(err, errsz, "%s: licgate database without a schema "
		    "version", path);
		return 0;
	}
	return 1;
}

static int
create_schema(struct store *s, const struct store_identity *id, char *err,
    size_t errsz)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d;"
	    "PRAGMA user_version = %d;", STORE_APPLICATION_ID,
	    STORE_SCHEMA_VERSION);
	if (!store_exec(s, "BEGIN IMMEDIATE", err, errsz))
		return 0;
	if (!store_exec(s, store_schema, err, errsz) ||
	    !store_exec(s, registry_tables_sql, err, errsz) ||
	    !store_exec(s, sql, err, errsz) ||
	    !store_meta_set_int(s, "schema_version", STORE_SCHEMA_VERSION, err,
	    errsz) ||
	    !store_meta_set_int(s, "chain_id", id->chain_id, err, errsz) ||
	    !meta_set_hex(s, "registry", id->registry, 20, err, errsz) ||
	    !store_meta_set_int(s, "checkpoint_number", id->checkpoint_number,
	    err, errsz) ||
	    !meta_set_hex(s, "checkpoint_hash", id->checkpoint_hash, 32, err,
	    errsz) ||
	    !store_meta_set_int(s, "event_count", 0, err, errsz) ||
	    !meta_set_hex(s, "event_digest", (const uint8_t[32]){ 0 }, 32,
	    err, errsz) ||
	    !store_exec(s, "COMMIT", err, errsz)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	return 1;
}

static int
read_identity(struct store *s, struct store_identity *id, char *err,
    size_t errsz)
{
	int f1, f2, f3, f4;

	memset(id, 0, sizeof(*id));
	if (!store_meta_get(s, "chain_id", &f1, &id->chain_id, NULL, 0, err,
	    errsz) ||
	    !store_meta_get_hex(s, "registry", &f2, id->registry, 20, err,
	    errsz) ||
	    !store_meta_get(s, "checkpoint_number", &f3, &id->checkpoint_number,
	    NULL, 0, err, errsz) ||
	    !store_meta_get_hex(s, "checkpoint_hash", &f4, id->checkpoint_hash,
	    32, err, errsz))
		return 0;
	if (!f1 || !f2 || !f3 || !f4) {
		snprintf(err, errsz, "database: meta lacks the chain identity");
		return 0;
	}
	return 1;
}

/* Names the first identity field that differs from the configuration. */
static int
check_identity(struct store *s, const char *path,
    const struct store_identity *want, char *err, size_t errsz)
{
	struct store_identity have;
	char a[67], b[67];

	if (!read_identity(s, &have, err, errsz))
		return 0;
	if (have.chain_id != want->chain_id) {
		snprintf(err, errsz, "%s was made for chain id %" PRIu64
		    ", the configuration says %" PRIu64, path, have.chain_id,
		    want->chain_id);
		return 0;
	}
	if (memcmp(have.registry, want->registry, 20) != 0) {
		snprintf(err, errsz, "%s was made for registry %s, the "
		    "configuration says %s", path,
		    hex_encode(a, have.registry, 20),
		    hex_encode(b, want->registry, 20));
		return 0;
	}
	if (have.checkpoint_number != want->checkpoint_number ||
	    memcmp(have.checkpoint_hash, want->checkpoint_hash, 32) != 0) {
		snprintf(err, errsz, "%s was made from checkpoint %" PRIu64
		    " %s, the configuration says %" PRIu64 " %s", path,
		    have.checkpoint_number,
		    hex_encode(a, have.checkpoint_hash, 32),
		    want->checkpoint_number,
		    hex_encode(b, want->checkpoint_hash, 32));
		return 0;
	}
	return 1;
}

static int
open_db(struct store **out, const char *path, int flags, char *err,
    size_t errsz)
{
	struct store *s = xcalloc(1, sizeof(*s));

	*out = NULL;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", path, s->db != NULL ?
		    sqlite3_errmsg(s->db) : "out of memory");
		store_close(s);
		return 0;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	*out = s;
	return 1;
}

int
store_open(struct store **out, const char *path,
    const struct store_identity *id, char *err, size_t errsz)
{
	struct store *s;
	int64_t version;
	int fresh;

	if (!open_db(&s, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	    err, errsz))
		return 0;
	if (!check_kind(s, path, &fresh, &version, err, errsz))
		goto fail;
	/* Checkpoints every 64 MiB of log rather than every 4: a batch of a
	 * catch-up writes megabytes, and each checkpoint would copy it into
	 * the database again within the batch's commit.  The log is cut back
	 * to 64 MiB after each. */
	if (!store_exec(s,
	    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 16384;"
	    "PRAGMA journal_size_limit = 67108864", err, errsz))
		goto fail;
	if (fresh && !create_schema(s, id, err, errsz))
		goto fail;
	/* Engine snapshots came after schema 1; an older file gains the
	 * table on its first open for writing. */
	if (!store_exec(s, store_engine_schema, err, errsz))
		goto fail;
	if (!fresh && !check_identity(s, path, id, err, errsz))
		goto fail;
	if (!fresh && version < STORE_SCHEMA_VERSION &&
	    !store_migrate(s, path, err, errsz))
		goto fail;
	*out = s;
	return 1;
fail:
	store_close(s);
	*out = NULL;
	return 0;
}

int
store_open_ro(struct store **out, const char *path,
    struct store_identity *id, char *err, size_t errsz)
{
	struct store *s;
	struct store_identity tmp;
	int64_t version;
	int fresh;

	if (!open_db(&s, path, SQLITE_OPEN_READONLY, err, errsz))
		return 0;
	s->readonly = 1;
	if (!check_kind(s, path, &fresh, &version, err, errsz))
		goto fail;
	if (fresh) {
		snprintf(err, errsz, "%s: empty database", path);
		goto fail;
	}
	if (!read_identity(s, id != NULL ? id : &tmp, err, errsz))
		goto fail;
	*out = s;
	return 1;
fail:
	store_close(s);
	*out = NULL;
	return 0;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->in_tx)
		store_abort(s);
	while (s->nstmts > 0) {
		s->nstmts--;
		sqlite3_finalize(s->stmts[s->nstmts].st);
		free(s->stmts[s->nstmts].sql);
	}
	sqlite3_close(s->db);
	free(s);
}

/* cursor ------------------------------------------------------------- */

int
store_read_cursor(struct store *s, struct store_cursor *c, char *err,
    size_t errsz)
{
	char proved[8];
	int f, fh;

	memset(c, 0, sizeof(*c));
	if (!store_meta_get(s, "head_number", &c->has_head, &c->head_number,
	    NULL, 0, err, errsz) ||
	    !store_meta_get_hex(s, "head_hash", &fh, c->head_hash, 32, err,
	    errsz) ||
	    !store_meta_get(s, "head_time", &f, &c->head_time, NULL, 0, err,
	    errsz) ||
	    !store_meta_get(s, "applied_number", &c->has_applied,
	    &c->applied_number, NULL, 0, err, errsz) ||
	    !store_meta_get(s, "applied_time", &f, &c->applied_time, NULL, 0,
	    err, errsz) ||
	    !store_meta_get(s, "event_count", &f, &c->event_count, NULL, 0, err,
	    errsz) ||
	    !store_meta_get_hex(s, "event_digest", &f, c->event_digest, 32, err,
	    errsz) ||
	    !store_meta_get(s, "proved_number", &c->has_proved,
	    &c->proved_number, proved, sizeof(proved), err, errsz))
		return 0;
	if (c->has_head && !fh) {
		snprintf(err, errsz, "database: meta has a head without hash");
		return 0;
	}
	/* "none" before the first proof; no key at all in a file of a
	 * licgated that proved every batch it committed. */
	if (c->has_proved && strcmp(proved, "none") == 0)
		c->has_proved = 0;
	else if (!c->has_proved && c->has_head) {
		c->has_proved = 1;
		c->proved_number = c->head_number;
	}
	return 1;
}

int
store_cursor(struct store *s, struct store_cursor *c, char *err, size_t errsz)
{
	if (s->in_tx) {
		*c = s->cur;
		return 1;
	}
	return store_read_cursor(s, c, err, errsz);
}

/* Steps st, a query of at most one row, and gives it back: with a row,
 * *found is set, column 0 is read into *num (when num is not NULL) and
 * column col decoded as 32 bytes of hex into out, a bad value named by
 * what in err.  Returns 1, or 0 with err. */
static int
one_row_hex(struct store *s, sqlite3_stmt *st, int col, uint8_t out[32],
    uint64_t *num, int *found, const char *what, char *err, size_t errsz)
{
	const char *why;
	int rc, ok = 1;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = 1;
		if (num != NULL)
			*num = (uint64_t)sqlite3_column_int64(st, 0);
		if (!hex_decode_fixed(out, 32,
		    (const char *)sqlite3_column_text(st, col), &why)) {
			snprintf(err, errsz, "database: %s: %s", what, why);
			ok = 0;
		}
	} else if (rc != SQLITE_DONE)
		ok = store_fail(err, errsz, "database", s->db);
	store_done(s, st);
	return ok;
}

int
store_block_hash(struct store *s, uint64_t number, uint8_t hash[32],
    int *found, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	char what[32];

	*found = 0;
	if (!store_prepare(s, &st, "SELECT hash FROM blocks WHERE number = ?1",
	    err, errsz))
		return 0;
	store_bind_u64(st, 1, number);
	snprintf(what, sizeof(what), "block %" PRIu64, number);
	return one_row_hex(s, st, 0, hash, NULL, found, what, err, errsz);
}

int
store_digest_at(struct store *s, uint64_t number, uint64_t *count,
    uint8_t digest[32], char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int found = 0;

	*count = 0;
	memset(digest, 0, 32);
	if (!store_prepare(s, &st, "SELECT seq, digest FROM events WHERE "
	    "block_number <= ?1 ORDER BY seq DESC LIMIT 1", err, errsz))
		return 0;
	store_bind_u64(st, 1, number);
	return one_row_hex(s, st, 1, digest, count, &found, "event digest",
	    err, errsz);
}

int
store_pending(struct store *s, uint64_t *n, char *err, size_t errsz)
{
	struct store_cursor c;
	uint64_t proved_count;
	uint8_t d[32];

	*n = 0;
	if (!store_cursor(s, &c, err, errsz))
		return 0;
	if (!c.has_proved) {
		*n = c.event_count;
		return 1;
	}
	if (!store_digest_at(s, c.proved_number, &proved_count, d, err,
	    errsz))
		return 0;
	*n = c.event_count - proved_count;
	return 1;
}

/* batches ------------------------------------------------------------ */

/* The events stored beyond the applied block: those of the window. */
static int
count_unapplied(struct store *s, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc, ok;

	if (!store_prepare(s, &st, "SELECT count(*) FROM events WHERE "
	    "block_number > ?1", err, errsz))
		return 0;
	sqlite3_bind_int64(st, 1, s->cur.has_applied ?
	    (int64_t)s->cur.applied_number : -1);
	rc = sqlite3_step(st);
	s->unapplied = rc == SQLITE_ROW ?
	    (uint64_t)sqlite3_column_int64(st, 0) : 0;
	ok = rc == SQLITE_ROW || store_fail(err, errsz, "database", s->db);
	store_done(s, st);
	return ok;
}

int
store_begin(struct store *s, char *err, size_t errsz)
{
	if (s->in_tx) {
		snprintf(err, errsz, "database: a batch is already open");
		return 0;
	}
	if (!store_exec(s, "BEGIN IMMEDIATE", err, errsz))
		return 0;
	s->in_tx = 1;
	if (!store_read_cursor(s, &s->cur, err, errsz) ||
	    !count_unapplied(s, err, errsz)) {
		store_abort(s);
		return 0;
	}
	return 1;
}

void
store_abort(struct store *s)
{
	if (!s->in_tx)
		return;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
}

static int
write_cursor(struct store *s, char *err, size_t errsz)
{
	const struct store_cursor *c = &s->cur;

	if (c->has_head && (!store_meta_set_int(s, "head_number",
	    c->head_number, err, errsz) ||
	    !meta_set_hex(s, "head_hash", c->head_hash, 32, err, errsz) ||
	    !store_meta_set_int(s, "head_time", c->head_time, err, errsz)))
		return 0;
	if (c->has_applied && (!store_meta_set_int(s, "applied_number",
	    c->applied_number, err, errsz) ||
	    !store_meta_set_int(s, "applied_time", c->applied_time, err,
	    errsz)))
		return 0;
	if (c->has_head && !(c->has_proved ?
	    store_meta_set_int(s, "proved_number", c->proved_number, err,
	    errsz) :
	    meta_set_text(s, "proved_number", "none", err, errsz)))
		return 0;
	return store_meta_set_int(s, "event_count", c->event_count, err,
	    errsz) &&
	    meta_set_hex(s, "event_digest", c->event_digest, 32, err, errsz);
}

int
store_commit(struct store *s, char *err, size_t errsz)
{
	if (!s->in_tx) {
		snprintf(err, errsz, "database: no batch is open");
		return 0;
	}
	if (!write_cursor(s, err, errsz) ||
	    !store_exec(s, "COMMIT", err, errsz)) {
		store_abort(s);
		return 0;
	}
	s->in_tx = 0;
	return 1;
}

/* notes for status --------------------------------------------------- */

int
store_set_error(struct store *s, const char *msg, uint64_t now, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;

	if (msg == NULL)
		return store_exec(s, "DELETE FROM meta WHERE key IN "
		    "('last_error', 'last_error_time')", err, errsz);
	if (!store_prepare(s, &st, "INSERT OR REPLACE INTO meta VALUES "
	    "('last_error', ?1)", err, errsz))
		return 0;
	sqlite3_bind_text(st, 1, msg, -1, SQLITE_STATIC);
	return store_run(s, st, err, errsz) &&
	    store_meta_set_int(s, "last_error_time", now, err, errsz);
}

int
store_note_sync(struct store *s, uint64_t node_head, uint64_t now, char *err,
    size_t errsz)
{
	if (!store_exec(s, "BEGIN IMMEDIATE", err, errsz))
		return 0;
	if (!store_meta_set_int(s, "node_head", node_head, err, errsz) ||
	    !store_meta_set_int(s, "checked_at", now, err, errsz) ||
	    !store_exec(s, "COMMIT", err, errsz)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	return 1;
}

int
store_note_gateway(struct store *s, const uint8_t address[20],
    const char *engine, int node_is_trusted, char *err, size_t errsz)
{
	if (!store_exec(s, "BEGIN IMMEDIATE", err, errsz))
		return 0;
	if (!meta_set_hex(s, "gateway", address, 20, err, errsz) ||
	    !meta_set_text(s, "engine", engine, err, errsz) ||
	    !store_meta_set_int(s, "node_is_trusted", node_is_trusted != 0, err,
	    errsz) ||
	    !store_exec(s, "COMMIT", err, errsz)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	return 1;
}
