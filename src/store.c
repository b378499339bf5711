/* store.c: the SQLite cache.  Every write happens inside a transaction the
 * caller opened with store_begin (or one store_rewind/store_rebuild open
 * themselves); the cursor lives in meta, inside the same transaction. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "chain/hex.h"
#include "chain/jscan.h"
#include "registry.h"
#include "store.h"
#include "xmalloc.h"

#define STORE_STMTS 48

/* Prepared statements are kept for reuse: a sync applies thousands of
 * events with the same few statements. */
struct store_stmt {
	char *sql;
	sqlite3_stmt *st;
};

struct store {
	sqlite3 *db;
	int readonly;
	int in_tx;
	struct store_cursor cur;	/* valid while in_tx */
	uint64_t unapplied;		/* stored events not applied; in_tx */
	struct store_stmt stmts[STORE_STMTS];
	size_t nstmts;
};

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

static int
fail(char *err, size_t errsz, const char *what, sqlite3 *db)
{
	snprintf(err, errsz, "%s: %s", what,
	    db != NULL ? sqlite3_errmsg(db) : "out of memory");
	return 0;
}

static int
exec(struct store *s, const char *sql, char *err, size_t errsz)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(err, errsz, "database", s->db);
	return 1;
}

/* A statement for sql, from the cache when it was prepared before; give it
 * back with done(). */
static int
prepare(struct store *s, sqlite3_stmt **st, const char *sql, char *err,
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
		return fail(err, errsz, "database", s->db);
	if (s->nstmts < STORE_STMTS) {
		s->stmts[s->nstmts].sql = xstrdup(sql);
		s->stmts[s->nstmts++].st = *st;
	}
	return 1;
}

/* Ends a statement's use: reset (ending its read) or finalize. */
static void
done(struct store *s, sqlite3_stmt *st)
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
static int
run(struct store *s, sqlite3_stmt *st, char *err, size_t errsz)
{
	int rc = sqlite3_step(st);

	done(s, st);
	if (rc != SQLITE_DONE)
		return fail(err, errsz, "database", s->db);
	return 1;
}

static void
bind_hex(sqlite3_stmt *st, int i, const uint8_t *p, size_t n)
{
	char *h = hex_encode_alloc(p, n);

	sqlite3_bind_text(st, i, h, -1, free);
}

/* SQLite integers are signed: larger values (a "forever" version or time)
 * are kept as the largest one, which compares the same way. */
static void
bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
	sqlite3_bind_int64(st, i, v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

/* meta ------------------------------------------------------------------ */

static int
meta_set_int(struct store *s, const char *key, uint64_t v, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;

	if (!prepare(s, &st, "INSERT OR REPLACE INTO meta VALUES (?1, ?2)",
	    err, errsz))
		return 0;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	bind_u64(st, 2, v);
	return run(s, st, err, errsz);
}

static int
meta_set_hex(struct store *s, const char *key, const uint8_t *p, size_t n,
    char *err, size_t errsz)
{
	sqlite3_stmt *st;

	if (!prepare(s, &st, "INSERT OR REPLACE INTO meta VALUES (?1, ?2)",
	    err, errsz))
		return 0;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	bind_hex(st, 2, p, n);
	return run(s, st, err, errsz);
}

static int
meta_set_text(struct store *s, const char *key, const char *v, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;

	if (!prepare(s, &st, "INSERT OR REPLACE INTO meta VALUES (?1, ?2)",
	    err, errsz))
		return 0;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v, -1, SQLITE_TRANSIENT);
	return run(s, st, err, errsz);
}

/* Reads meta.key: *found, and the value as integer and/or text. */
static int
meta_get(struct store *s, const char *key, int *found, uint64_t *num,
    char *text, size_t textsz, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc;

	*found = 0;
	if (!prepare(s, &st, "SELECT value FROM meta WHERE key = ?1", err,
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
	done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(err, errsz, "database", s->db);
	return 1;
}

static int
meta_get_hex(struct store *s, const char *key, int *found, uint8_t *out,
    size_t n, char *err, size_t errsz)
{
	char text[2 * 32 + 3];
	const char *why;

	if (!meta_get(s, key, found, NULL, text, sizeof(text), err, errsz))
		return 0;
	if (*found && !hex_decode_fixed(out, n, text, &why)) {
		snprintf(err, errsz, "database: meta %s: %s", key, why);
		return 0;
	}
	return 1;
}

/* opening ---------------------------------------------------------------- */

static int
pragma_int(struct store *s, const char *sql, int64_t *v, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;
	int rc;

	if (!prepare(s, &st, sql, err, errsz))
		return 0;
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	done(s, st);
	if (rc != SQLITE_ROW)
		return fail(err, errsz, "database", s->db);
	return 1;
}

/* Is this our database, of a schema this build reads?  *fresh is set for
 * an empty file. */
static int
check_kind(struct store *s, const char *path, int *fresh, int64_t *version,
    char *err, size_t errsz)
{
	int64_t app, ver, ntables;

	if (!pragma_int(s, "PRAGMA application_id", &app, err, errsz) ||
	    !pragma_int(s, "PRAGMA user_version", &ver, err, errsz) ||
	    !pragma_int(s, "SELECT count(*) FROM sqlite_master", &ntables,
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
	if (!exec(s, "BEGIN IMMEDIATE", err, errsz))
		return 0;
	if (!exec(s, store_schema, err, errsz) ||
	    !exec(s, registry_tables_sql, err, errsz) ||
	    !exec(s, sql, err, errsz) ||
	    !meta_set_int(s, "schema_version", STORE_SCHEMA_VERSION, err,
	    errsz) ||
	    !meta_set_int(s, "chain_id", id->chain_id, err, errsz) ||
	    !meta_set_hex(s, "registry", id->registry, 20, err, errsz) ||
	    !meta_set_int(s, "checkpoint_number", id->checkpoint_number, err,
	    errsz) ||
	    !meta_set_hex(s, "checkpoint_hash", id->checkpoint_hash, 32, err,
	    errsz) ||
	    !meta_set_int(s, "event_count", 0, err, errsz) ||
	    !meta_set_hex(s, "event_digest", (const uint8_t[32]){ 0 }, 32,
	    err, errsz) ||
	    !exec(s, "COMMIT", err, errsz)) {
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
	if (!meta_get(s, "chain_id", &f1, &id->chain_id, NULL, 0, err,
	    errsz) ||
	    !meta_get_hex(s, "registry", &f2, id->registry, 20, err, errsz) ||
	    !meta_get(s, "checkpoint_number", &f3, &id->checkpoint_number,
	    NULL, 0, err, errsz) ||
	    !meta_get_hex(s, "checkpoint_hash", &f4, id->checkpoint_hash, 32,
	    err, errsz))
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

static int migrate(struct store *, const char *, char *, size_t);

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
	if (!exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 16384;"
	    "PRAGMA journal_size_limit = 67108864", err, errsz))
		goto fail;
	if (fresh && !create_schema(s, id, err, errsz))
		goto fail;
	/* Engine snapshots came after schema 1; an older file gains the
	 * table on its first open for writing. */
	if (!exec(s, store_engine_schema, err, errsz))
		goto fail;
	if (!fresh && !check_identity(s, path, id, err, errsz))
		goto fail;
	if (!fresh && version < STORE_SCHEMA_VERSION &&
	    !migrate(s, path, err, errsz))
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

/* cursor ----------------------------------------------------------------- */

static int
read_cursor(struct store *s, struct store_cursor *c, char *err, size_t errsz)
{
	char proved[8];
	int f, fh;

	memset(c, 0, sizeof(*c));
	if (!meta_get(s, "head_number", &c->has_head, &c->head_number, NULL,
	    0, err, errsz) ||
	    !meta_get_hex(s, "head_hash", &fh, c->head_hash, 32, err, errsz) ||
	    !meta_get(s, "head_time", &f, &c->head_time, NULL, 0, err,
	    errsz) ||
	    !meta_get(s, "applied_number", &c->has_applied,
	    &c->applied_number, NULL, 0, err, errsz) ||
	    !meta_get(s, "applied_time", &f, &c->applied_time, NULL, 0, err,
	    errsz) ||
	    !meta_get(s, "event_count", &f, &c->event_count, NULL, 0, err,
	    errsz) ||
	    !meta_get_hex(s, "event_digest", &f, c->event_digest, 32, err,
	    errsz) ||
	    !meta_get(s, "proved_number", &c->has_proved, &c->proved_number,
	    proved, sizeof(proved), err, errsz))
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
	return read_cursor(s, c, err, errsz);
}

int
store_block_hash(struct store *s, uint64_t number, uint8_t hash[32],
    int *found, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	const char *why;
	int rc, ok = 1;

	*found = 0;
	if (!prepare(s, &st, "SELECT hash FROM blocks WHERE number = ?1", err,
	    errsz))
		return 0;
	bind_u64(st, 1, number);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = 1;
		if (!hex_decode_fixed(hash, 32,
		    (const char *)sqlite3_column_text(st, 0), &why)) {
			snprintf(err, errsz, "database: block %" PRIu64
			    ": %s", number, why);
			ok = 0;
		}
	} else if (rc != SQLITE_DONE)
		ok = fail(err, errsz, "database", s->db);
	done(s, st);
	return ok;
}

/* batches ---------------------------------------------------------------- */

/* The events stored beyond the applied block: those of the window. */
static int
count_unapplied(struct store *s, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc, ok;

	if (!prepare(s, &st, "SELECT count(*) FROM events WHERE "
	    "block_number > ?1", err, errsz))
		return 0;
	sqlite3_bind_int64(st, 1, s->cur.has_applied ?
	    (int64_t)s->cur.applied_number : -1);
	rc = sqlite3_step(st);
	s->unapplied = rc == SQLITE_ROW ?
	    (uint64_t)sqlite3_column_int64(st, 0) : 0;
	ok = rc == SQLITE_ROW || fail(err, errsz, "database", s->db);
	done(s, st);
	return ok;
}

int
store_begin(struct store *s, char *err, size_t errsz)
{
	if (s->in_tx) {
		snprintf(err, errsz, "database: a batch is already open");
		return 0;
	}
	if (!exec(s, "BEGIN IMMEDIATE", err, errsz))
		return 0;
	s->in_tx = 1;
	if (!read_cursor(s, &s->cur, err, errsz) ||
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

	if (c->has_head && (!meta_set_int(s, "head_number", c->head_number,
	    err, errsz) ||
	    !meta_set_hex(s, "head_hash", c->head_hash, 32, err, errsz) ||
	    !meta_set_int(s, "head_time", c->head_time, err, errsz)))
		return 0;
	if (c->has_applied && (!meta_set_int(s, "applied_number",
	    c->applied_number, err, errsz) ||
	    !meta_set_int(s, "applied_time", c->applied_time, err, errsz)))
		return 0;
	if (c->has_head && !(c->has_proved ?
	    meta_set_int(s, "proved_number", c->proved_number, err, errsz) :
	    meta_set_text(s, "proved_number", "none", err, errsz)))
		return 0;
	return meta_set_int(s, "event_count", c->event_count, err, errsz) &&
	    meta_set_hex(s, "event_digest", c->event_digest, 32, err, errsz);
}

int
store_commit(struct store *s, char *err, size_t errsz)
{
	if (!s->in_tx) {
		snprintf(err, errsz, "database: no batch is open");
		return 0;
	}
	if (!write_cursor(s, err, errsz) || !exec(s, "COMMIT", err, errsz)) {
		store_abort(s);
		return 0;
	}
	s->in_tx = 0;
	return 1;
}

int
store_add_block(struct store *s, const struct store_block *b, size_t nevents,
    char *err, size_t errsz)
{
	sqlite3_stmt *st;

	if (!prepare(s, &st, "INSERT OR REPLACE INTO blocks VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6)", err, errsz))
		return 0;
	bind_u64(st, 1, b->number);
	bind_hex(st, 2, b->hash, 32);
	bind_hex(st, 3, b->parent_hash, 32);
	bind_hex(st, 4, b->state_root, 32);
	bind_u64(st, 5, b->timestamp);
	bind_u64(st, 6, nevents);
	return run(s, st, err, errsz);
}

int
store_set_head(struct store *s, const struct store_block *b, char *err,
    size_t errsz)
{
	(void)err;
	(void)errsz;
	s->cur.has_head = 1;
	s->cur.head_number = b->number;
	memcpy(s->cur.head_hash, b->hash, 32);
	s->cur.head_time = b->timestamp;
	return 1;
}

/* The topics as a JSON array of 0x hex strings, ["0x…","0x…"]. */
static char *
topics_json(const uint8_t (*topics)[32], size_t n)
{
	char *s = xmalloc(2 + n * 69 + 1), *p = s;
	size_t i;

	*p++ = '[';
	for (i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		*p++ = '"';
		hex_encode(p, topics[i], 32);
		p += 66;
		*p++ = '"';
	}
	*p++ = ']';
	*p = '\0';
	return s;
}

/* Reads topics written by topics_json (at most 4); *n gets their number. */
static int
topics_read(uint8_t (*topics)[32], size_t *n, const char *text,
    const char **why)
{
	struct jscan s;
	const char *str;
	size_t len;

	*n = 0;
	*why = "topics are not a JSON array of 32-byte hex";
	if (text == NULL)
		return 0;
	js_init(&s, text, strlen(text));
	if (!js_array(&s))
		return 0;
	while (js_element(&s)) {
		if (*n == 4 || !js_string(&s, &str, &len) ||
		    !hex_decode_fixed_n(topics[*n], 32, str, len, why))
			return 0;
		(*n)++;
	}
	return s.why == NULL && js_done(&s);
}

static int apply_event(struct store *, const struct registry_event *,
    uint64_t, char *, size_t);

int
store_add_event(struct store *s, const struct store_event *e, int final,
    char *err, size_t errsz)
{
	struct registry_event ev;
	sqlite3_stmt *st;
	const char *why;
	char *args, *topics;

	if (!registry_decode(&ev, e->topics, e->ntopics, e->data, e->data_len,
	    &why)) {
		snprintf(err, errsz, "block %" PRIu64 " log %" PRIu64
		    ": registry log does not decode: %s", e->block_number,
		    e->log_index, why);
		return 0;
	}
	if (!prepare(s, &st, "INSERT INTO events VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", err, errsz))
		return 0;
	if (e->data_hash != NULL)
		registry_digest_step_hashed(s->cur.event_digest, e->topics,
		    e->ntopics, e->data_hash);
	else
		registry_digest_step(s->cur.event_digest, e->topics,
		    e->ntopics, e->data, e->data_len);
	s->cur.event_count++;
	args = registry_args_text(&ev);
	topics = topics_json(e->topics, e->ntopics);
	bind_u64(st, 1, s->cur.event_count);
	bind_u64(st, 2, e->block_number);
	bind_hex(st, 3, e->block_hash, 32);
	bind_u64(st, 4, e->tx_index);
	bind_u64(st, 5, e->log_index);
	sqlite3_bind_text(st, 6, ev.def->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, args, -1, free);
	sqlite3_bind_text(st, 8, topics, -1, free);
	bind_hex(st, 9, e->data, e->data_len);
	bind_hex(st, 10, s->cur.event_digest, 32);
	if (!run(s, st, err, errsz))
		return 0;
	if (!final || s->unapplied > 0) {
		s->unapplied++;
		return 1;
	}
	/* Applied as decoded: reading it back would give the same. */
	if (!apply_event(s, &ev, e->block_number, err, errsz))
		return 0;
	s->cur.has_applied = 1;
	s->cur.applied_number = e->block_number;
	s->cur.applied_time = e->block_time;
	return 1;
}

/* applying events to the state tables ----------------------------------- */

/* Binds argument k of ev as the state tables keep it. */
static int
bind_arg(sqlite3_stmt *st, int i, const struct registry_event *ev, size_t k,
    char *err, size_t errsz)
{
	struct registry_sql_value v;
	const char *why;

	if (!registry_sql_arg(&v, ev, k, &why)) {
		snprintf(err, errsz, "%s: %s", ev->def->name, why);
		return 0;
	}
	if (v.text != NULL)
		sqlite3_bind_text(st, i, v.text, -1, free);
	else
		sqlite3_bind_int64(st, i, v.num);
	return 1;
}

static int
apply_event(struct store *s, const struct registry_event *ev, uint64_t block,
    char *err, size_t errsz)
{
	sqlite3_stmt *st;
	size_t k;
	int n;

	if (!prepare(s, &st, registry_apply_sql[ev->def->kind], err, errsz))
		return 0;
	n = sqlite3_bind_parameter_count(st);
	for (k = 0; k < ev->def->nargs; k++)
		if ((int)k + 1 <= n && !bind_arg(st, (int)k + 1, ev, k, err,
		    errsz)) {
			done(s, st);
			return 0;
		}
	if (n >= REGISTRY_SQL_BLOCK)
		bind_u64(st, REGISTRY_SQL_BLOCK, block);
	return run(s, st, err, errsz);
}

/* Decodes a stored event row (topics JSON, data hex) again and applies it:
 * the state is a function of the stored audit trail and nothing else. */
static int
apply_row(struct store *s, sqlite3_stmt *row, char *err, size_t errsz)
{
	uint8_t topics[4][32], *data = NULL;
	struct registry_event ev;
	uint64_t seq = (uint64_t)sqlite3_column_int64(row, 0);
	uint64_t block = (uint64_t)sqlite3_column_int64(row, 1);
	const char *why;
	size_t n, len;
	int ok = 0;

	if (!topics_read(topics, &n, (const char *)sqlite3_column_text(row, 2),
	    &why))
		goto fail;
	if (!hex_decode_alloc(&data, &len,
	    (const char *)sqlite3_column_text(row, 3), REGISTRY_MAX_DATA, &why) ||
	    !registry_decode(&ev, (const uint8_t (*)[32])topics, n, data, len,
	    &why))
		goto fail;
	ok = apply_event(s, &ev, block, err, errsz);
	free(data);
	return ok;
fail:
	snprintf(err, errsz, "database: event %" PRIu64 ": %s", seq, why);
	free(data);
	return 0;
}

/* Applies stored events with from < block_number <= to, in order. */
static int
apply_range(struct store *s, int has_from, uint64_t from, uint64_t to,
    uint64_t *napplied, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc, ok = 1;

	if (!prepare(s, &st, "SELECT seq, block_number, topics, data "
	    "FROM events WHERE block_number > ?1 AND block_number <= ?2 "
	    "ORDER BY seq", err, errsz))
		return 0;
	sqlite3_bind_int64(st, 1, has_from ? (int64_t)from : -1);
	bind_u64(st, 2, to);
	while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW &&
	    (ok = apply_row(s, st, err, errsz)))
		(*napplied)++;
	if (ok && rc != SQLITE_DONE)
		ok = fail(err, errsz, "database", s->db);
	done(s, st);
	return ok;
}

static int
block_time(struct store *s, uint64_t number, uint64_t *t, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;
	int rc;

	if (!prepare(s, &st, "SELECT timestamp FROM blocks WHERE number = ?1",
	    err, errsz))
		return 0;
	bind_u64(st, 1, number);
	rc = sqlite3_step(st);
	*t = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	done(s, st);
	if (rc != SQLITE_ROW) {
		snprintf(err, errsz, "database: block %" PRIu64 " is not kept",
		    number);
		return 0;
	}
	return 1;
}

int
store_apply_through(struct store *s, uint64_t number, char *err,
    size_t errsz)
{
	struct store_cursor *c = &s->cur;
	uint64_t n = 0;

	if (c->has_applied && number <= c->applied_number)
		return 1;
	if (!apply_range(s, c->has_applied, c->applied_number, number, &n, err,
	    errsz) || !block_time(s, number, &c->applied_time, err, errsz))
		return 0;
	s->unapplied -= n < s->unapplied ? n : s->unapplied;
	c->has_applied = 1;
	c->applied_number = number;
	return 1;
}

void
store_set_proved(struct store *s, uint64_t number)
{
	s->cur.has_proved = 1;
	s->cur.proved_number = number;
}

int
store_digest_at(struct store *s, uint64_t number, uint64_t *count,
    uint8_t digest[32], char *err, size_t errsz)
{
	sqlite3_stmt *st;
	const char *why;
	int rc, ok = 1;

	*count = 0;
	memset(digest, 0, 32);
	if (!prepare(s, &st, "SELECT seq, digest FROM events WHERE "
	    "block_number <= ?1 ORDER BY seq DESC LIMIT 1", err, errsz))
		return 0;
	bind_u64(st, 1, number);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*count = (uint64_t)sqlite3_column_int64(st, 0);
		if (!hex_decode_fixed(digest, 32,
		    (const char *)sqlite3_column_text(st, 1), &why)) {
			snprintf(err, errsz, "database: event digest: %s", why);
			ok = 0;
		}
	} else if (rc != SQLITE_DONE)
		ok = fail(err, errsz, "database", s->db);
	done(s, st);
	return ok;
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

int
store_prune(struct store *s, uint64_t number, char *err, size_t errsz)
{
	sqlite3_stmt *st;

	if (!prepare(s, &st, "DELETE FROM blocks WHERE number < ?1 AND "
	    "events = 0 AND number != ?2 AND number != ?3", err, errsz))
		return 0;
	bind_u64(st, 1, number);
	bind_u64(st, 2, s->cur.applied_number);
	bind_u64(st, 3, s->cur.proved_number);
	if (!run(s, st, err, errsz))
		return 0;
	/* A reorg never goes below the applied block: older states go. */
	if (!prepare(s, &st, "DELETE FROM engine_state WHERE number < ?1",
	    err, errsz))
		return 0;
	bind_u64(st, 1, s->cur.has_applied && s->cur.applied_number < number ?
	    s->cur.applied_number : number);
	return run(s, st, err, errsz);
}

int
store_engine_put(struct store *s, uint64_t number, const uint8_t *data,
    size_t len, char *err, size_t errsz)
{
	sqlite3_stmt *st;

	if (!prepare(s, &st, "INSERT OR REPLACE INTO engine_state VALUES "
	    "(?1, ?2)", err, errsz))
		return 0;
	bind_u64(st, 1, number);
	sqlite3_bind_blob(st, 2, data, (int)len, SQLITE_TRANSIENT);
	return run(s, st, err, errsz);
}

int
store_engine_get(struct store *s, uint64_t number, uint8_t *out, size_t cap,
    size_t *len, int *found, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int64_t has;
	int rc, ok = 1;

	*len = 0;
	*found = 0;
	/* A file no licgated of this version has written to lacks it. */
	if (!pragma_int(s, "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'engine_state'", &has, err, errsz))
		return 0;
	if (!has)
		return 1;
	if (!prepare(s, &st, "SELECT data FROM engine_state WHERE number = ?1",
	    err, errsz))
		return 0;
	bind_u64(st, 1, number);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		if (*len > cap) {
			snprintf(err, errsz, "database: engine state of block %"
			    PRIu64 " is larger than any engine writes", number);
			ok = 0;
		} else {
			memcpy(out, sqlite3_column_blob(st, 0), *len);
			*found = 1;
		}
	} else if (rc != SQLITE_DONE)
		ok = fail(err, errsz, "database", s->db);
	done(s, st);
	return ok;
}

/* Restores the digest and count of the last event left after a rewind. */
static int
cursor_from_events(struct store *s, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	const char *why;
	int rc, ok = 1;

	if (!prepare(s, &st, "SELECT seq, digest FROM events ORDER BY seq "
	    "DESC LIMIT 1", err, errsz))
		return 0;
	rc = sqlite3_step(st);
	memset(s->cur.event_digest, 0, 32);
	s->cur.event_count = 0;
	if (rc == SQLITE_ROW) {
		s->cur.event_count = (uint64_t)sqlite3_column_int64(st, 0);
		if (!hex_decode_fixed(s->cur.event_digest, 32,
		    (const char *)sqlite3_column_text(st, 1), &why)) {
			snprintf(err, errsz, "database: event digest: %s", why);
			ok = 0;
		}
	} else if (rc != SQLITE_DONE)
		ok = fail(err, errsz, "database", s->db);
	done(s, st);
	return ok;
}

static int
delete_above(struct store *s, const char *sql, uint64_t number, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;

	if (!prepare(s, &st, sql, err, errsz))
		return 0;
	bind_u64(st, 1, number);
	return run(s, st, err, errsz);
}

int
store_rewind(struct store *s, uint64_t number, char *err, size_t errsz)
{
	struct store_block b;
	int found;

	if (!store_begin(s, err, errsz))
		return 0;
	if (s->cur.has_applied && number < s->cur.applied_number) {
		snprintf(err, errsz, "cannot roll back to block %" PRIu64
		    ": block %" PRIu64 " is already final", number,
		    s->cur.applied_number);
		goto fail;
	}
	memset(&b, 0, sizeof(b));
	b.number = number;
	if (!store_block_hash(s, number, b.hash, &found, err, errsz))
		goto fail;
	if (!found) {
		snprintf(err, errsz, "cannot roll back to block %" PRIu64
		    ": it is not kept", number);
		goto fail;
	}
	if (!block_time(s, number, &b.timestamp, err, errsz) ||
	    !delete_above(s, "DELETE FROM events WHERE block_number > ?1",
	    number, err, errsz) ||
	    !delete_above(s, "DELETE FROM blocks WHERE number > ?1", number,
	    err, errsz) ||
	    !delete_above(s, "DELETE FROM engine_state WHERE number > ?1",
	    number, err, errsz) ||
	    !cursor_from_events(s, err, errsz) ||
	    !store_set_head(s, &b, err, errsz))
		goto fail;
	/* The events left were proved with those above: their digest is a
	 * prefix of the one proved. */
	if (s->cur.has_proved && s->cur.proved_number > number)
		s->cur.proved_number = number;
	return store_commit(s, err, errsz);
fail:
	store_abort(s);
	return 0;
}

/* The state tables from the applied events alone, inside the open batch. */
static int
rebuild_tables(struct store *s, char *err, size_t errsz)
{
	uint64_t n = 0;

	if (!exec(s, registry_clear_sql, err, errsz))
		return 0;
	return !s->cur.has_applied || apply_range(s, 0, 0,
	    s->cur.applied_number, &n, err, errsz);
}

int
store_rebuild(struct store *s, char *err, size_t errsz)
{
	if (!store_begin(s, err, errsz))
		return 0;
	if (!rebuild_tables(s, err, errsz))
		goto fail;
	return store_commit(s, err, errsz);
fail:
	store_abort(s);
	return 0;
}

/* Writes events.args again from each stored event's topics and data. */
static int
rewrite_args(struct store *s, char *err, size_t errsz)
{
	uint8_t topics[4][32], *data = NULL;
	struct registry_event ev;
	sqlite3_stmt *st, *up;
	const char *why = NULL;
	size_t n, len;
	int rc, ok = 1;

	if (!prepare(s, &st, "SELECT seq, topics, data FROM events", err,
	    errsz))
		return 0;
	while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!topics_read(topics, &n, (const char *)
		    sqlite3_column_text(st, 1), &why) ||
		    !hex_decode_alloc(&data, &len, (const char *)
		    sqlite3_column_text(st, 2), REGISTRY_MAX_DATA, &why) ||
		    !registry_decode(&ev, (const uint8_t (*)[32])topics, n,
		    data, len, &why)) {
			snprintf(err, errsz, "database: event %lld: %s",
			    (long long)sqlite3_column_int64(st, 0), why);
			ok = 0;
		} else if ((ok = prepare(s, &up, "UPDATE events SET args = ?2 "
		    "WHERE seq = ?1", err, errsz))) {
			sqlite3_bind_int64(up, 1, sqlite3_column_int64(st, 0));
			sqlite3_bind_text(up, 2, registry_args_text(&ev), -1,
			    free);
			ok = run(s, up, err, errsz);
		}
		free(data);
		data = NULL;
	}
	if (ok && rc != SQLITE_DONE)
		ok = fail(err, errsz, "database", s->db);
	done(s, st);
	return ok;
}

/* Schema 1 to 2, in one transaction: the index that picks a device's
 * licenses for a firmware, and registry strings as registry_text (schema
 * 1 kept them as they came) in events.args and the state tables. */
static int
migrate(struct store *s, const char *path, char *err, size_t errsz)
{
	char sql[64], why[256];

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    STORE_SCHEMA_VERSION);
	if (!store_begin(s, err, errsz))
		return 0;
	if (!exec(s, "CREATE INDEX IF NOT EXISTS licenses_pick ON licenses "
	    "(device, vendor, role)", err, errsz) ||
	    !exec(s, sql, err, errsz) ||
	    !meta_set_int(s, "schema_version", STORE_SCHEMA_VERSION, err,
	    errsz) ||
	    !rewrite_args(s, err, errsz) || !rebuild_tables(s, err, errsz))
		goto fail;
	return store_commit(s, err, errsz);
fail:
	store_abort(s);
	snprintf(why, sizeof(why), "%s", err);
	snprintf(err, errsz, "%s: upgrading schema 1 to %d: %s", path,
	    STORE_SCHEMA_VERSION, why);
	return 0;
}

int
store_set_error(struct store *s, const char *msg, uint64_t now, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;

	if (msg == NULL)
		return exec(s, "DELETE FROM meta WHERE key IN "
		    "('last_error', 'last_error_time')", err, errsz);
	if (!prepare(s, &st, "INSERT OR REPLACE INTO meta VALUES "
	    "('last_error', ?1)", err, errsz))
		return 0;
	sqlite3_bind_text(st, 1, msg, -1, SQLITE_STATIC);
	return run(s, st, err, errsz) &&
	    meta_set_int(s, "last_error_time", now, err, errsz);
}

/* dump ------------------------------------------------------------------- */

/* ethers' toBeHex: the shortest even-length hex of a number, 0x00 for 0. */
static json_t *
short_hex(const char *hex64)
{
	const char *p = hex64 + 2;
	char out[67];

	while (p[0] == '0' && p[1] == '0' && p[2] != '\0')
		p += 2;
	snprintf(out, sizeof(out), "0x%s", p);
	return json_string(out);
}

static json_t *
dump_value(sqlite3_stmt *st, int i, enum registry_dump_as as)
{
	switch (as) {
	case REGISTRY_AS_INT:
		return json_integer(sqlite3_column_int64(st, i));
	case REGISTRY_AS_BOOL:
		return json_boolean(sqlite3_column_int64(st, i) != 0);
	case REGISTRY_AS_SHORT_HEX:
		return short_hex((const char *)sqlite3_column_text(st, i));
	case REGISTRY_AS_TEXT:
		break;
	}
	return json_string((const char *)sqlite3_column_text(st, i));
}

/* One table as an object keyed by its first column; a table whose only
 * column has no name maps keys to plain values (floors). */
static json_t *
dump_table(struct store *s, const struct registry_dump_table *t, char *err,
    size_t errsz)
{
	json_t *obj = json_object(), *row;
	sqlite3_stmt *st;
	const struct registry_dump_col *c;
	int rc, i;

	if (!prepare(s, &st, t->sql, err, errsz)) {
		json_decref(obj);
		return NULL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		if (t->cols[0].name == NULL) {
			json_object_set_new(obj, key,
			    dump_value(st, 1, t->cols[0].as));
			continue;
		}
		row = json_object();
		for (c = t->cols, i = 1; c->name != NULL; c++, i++)
			json_object_set_new(row, c->name,
			    dump_value(st, i, c->as));
		json_object_set_new(obj, key, row);
	}
	done(s, st);
	if (rc != SQLITE_DONE) {
		json_decref(obj);
		fail(err, errsz, "database", s->db);
		return NULL;
	}
	return obj;
}

json_t *
store_dump(struct store *s, char *err, size_t errsz)
{
	const struct registry_dump_table *d;
	json_t *out = json_object(), *t;
	char admin[64];
	int found;
	int64_t n;

	if (!meta_get(s, "admin", &found, NULL, admin, sizeof(admin), err,
	    errsz))
		goto fail;
	json_object_set_new(out, "admin", found ? json_string(admin) :
	    json_null());
	for (d = registry_dump_tables; d->member != NULL; d++) {
		if ((t = dump_table(s, d, err, errsz)) == NULL)
			goto fail;
		json_object_set_new(out, d->member, t);
	}
	if (!pragma_int(s, "SELECT count(*) FROM events WHERE block_number <= "
	    "coalesce((SELECT value FROM meta WHERE key = 'applied_number'), "
	    "-1)", &n, err, errsz))
		goto fail;
	json_object_set_new(out, "events", json_integer(n));
	return out;
fail:
	json_decref(out);
	return NULL;
}

int
store_note_sync(struct store *s, uint64_t node_head, uint64_t now, char *err,
    size_t errsz)
{
	if (!exec(s, "BEGIN IMMEDIATE", err, errsz))
		return 0;
	if (!meta_set_int(s, "node_head", node_head, err, errsz) ||
	    !meta_set_int(s, "checked_at", now, err, errsz) ||
	    !exec(s, "COMMIT", err, errsz)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	return 1;
}

int
store_note_gateway(struct store *s, const uint8_t address[20],
    const char *engine, int node_is_trusted, char *err, size_t errsz)
{
	if (!exec(s, "BEGIN IMMEDIATE", err, errsz))
		return 0;
	if (!meta_set_hex(s, "gateway", address, 20, err, errsz) ||
	    !meta_set_text(s, "engine", engine, err, errsz) ||
	    !meta_set_int(s, "node_is_trusted", node_is_trusted != 0, err,
	    errsz) ||
	    !exec(s, "COMMIT", err, errsz)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	return 1;
}

int
store_gateway(struct store *s, const uint8_t address[20],
    struct store_gateway *out, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc, ok = 1;

	memset(out, 0, sizeof(*out));
	if (!prepare(s, &st, "SELECT active, updated_block, label FROM "
	    "gateways WHERE address = ?1", err, errsz))
		return 0;
	bind_hex(st, 1, address, 20);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->state = sqlite3_column_int(st, 0) ? STORE_GW_AUTHORISED :
		    STORE_GW_WITHDRAWN;
		out->block = (uint64_t)sqlite3_column_int64(st, 1);
		snprintf(out->label, sizeof(out->label), "%s",
		    (const char *)sqlite3_column_text(st, 2));
	} else if (rc != SQLITE_DONE)
		ok = fail(err, errsz, "database", s->db);
	done(s, st);
	return ok;
}

/* status's "engine": the consensus rules licgated last ran with. */
static int
status_engine(struct store *s, json_t *out, char *err, size_t errsz)
{
	char name[32];
	uint64_t trusted = 0;
	int found, f2;

	if (!meta_get(s, "engine", &found, NULL, name, sizeof(name), err,
	    errsz) || !meta_get(s, "node_is_trusted", &f2, &trusted, NULL, 0,
	    err, errsz))
		return 0;
	if (found)
		json_object_set_new(out, "engine", json_pack("{s:s, s:b}",
		    "name", name, "node_is_trusted", (int)(trusted != 0)));
	return 1;
}

/* status's "gateway": the address licgated signs with and what the
 * verified state says of it. */
static int
status_gateway(struct store *s, json_t *out, char *err, size_t errsz)
{
	static const char *const states[] = { "not-authorised",
	    "authorised", "withdrawn" };
	struct store_gateway g;
	uint8_t addr[20];
	char hex[43];
	int found;
	json_t *o;

	if (!meta_get_hex(s, "gateway", &found, addr, 20, err, errsz))
		return 0;
	if (!found)
		return 1;
	if (!store_gateway(s, addr, &g, err, errsz))
		return 0;
	o = json_pack("{s:s, s:s}", "address", hex_encode(hex, addr, 20),
	    "state", states[g.state]);
	if (g.state != STORE_GW_NONE) {
		json_object_set_new(o, "label", json_string(g.label));
		json_object_set_new(o, "block", json_integer((json_int_t)g.block));
	}
	json_object_set_new(out, "authorisation", o);
	return 1;
}

/* reads for the HTTP side -------------------------------------------------- */

static int
col_hex(uint8_t *out, size_t cap, size_t *len, sqlite3_stmt *st, int i)
{
	const char *why;
	size_t n;

	if (!hex_decode(out, cap, &n, (const char *)sqlite3_column_text(st, i),
	    &why))
		return 0;
	if (len != NULL)
		*len = n;
	else if (n != cap)
		return 0;
	return 1;
}

static int
lookup_device(struct store *s, const uint8_t dev[20], struct store_lookup *o,
    char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc, ok = 1;

	if (!prepare(s, &st, "SELECT role, revoked, public_key FROM devices "
	    "WHERE address = ?1", err, errsz))
		return 0;
	bind_hex(st, 1, dev, 20);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o->device.found = 1;
		o->device.role = (uint8_t)sqlite3_column_int(st, 0);
		o->device.revoked = sqlite3_column_int(st, 1) != 0;
		if (!col_hex(o->device.public_key,
		    sizeof(o->device.public_key), &o->device.public_key_len,
		    st, 2))
			o->device.public_key_len = 0;
	} else if (rc != SQLITE_DONE)
		ok = fail(err, errsz, "database", s->db);
	done(s, st);
	return ok;
}

static int
lookup_firmware(struct store *s, const uint8_t fw[32], struct store_lookup *o,
    char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc, ok = 1;

	if (!prepare(s, &st, "SELECT f.vendor, f.version, f.role, f.revoked, "
	    "coalesce(fl.min_version, 0), f.end_of_support, "
	    "coalesce(v.active, 0) FROM firmware f LEFT JOIN floors fl "
	    "ON fl.vendor = f.vendor AND fl.role = f.role "
	    "LEFT JOIN vendors v ON v.address = f.vendor "
	    "WHERE f.image_hash = ?1", err, errsz))
		return 0;
	bind_hex(st, 1, fw, 32);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o->firmware.found = col_hex(o->firmware.vendor, 20, NULL, st,
		    0);
		o->firmware.version = (uint64_t)sqlite3_column_int64(st, 1);
		o->firmware.role = (uint8_t)sqlite3_column_int(st, 2);
		o->firmware.revoked = sqlite3_column_int(st, 3) != 0;
		o->firmware.min_version = (uint64_t)sqlite3_column_int64(st, 4);
		o->firmware.end_of_support =
		    (uint64_t)sqlite3_column_int64(st, 5);
		o->firmware.vendor_active = sqlite3_column_int(st, 6) != 0;
	} else if (rc != SQLITE_DONE)
		ok = fail(err, errsz, "database", s->db);
	done(s, st);
	return ok;
}

/* Binds what selects the licenses covering the firmware: ?1 device,
 * ?2 vendor, ?3 role, ?4 version, ?5 now. */
static void
bind_covering(sqlite3_stmt *st, const uint8_t dev[20],
    const struct store_firmware_row *fw, uint64_t now)
{
	bind_hex(st, 1, dev, 20);
	bind_hex(st, 2, fw->vendor, 20);
	sqlite3_bind_int(st, 3, fw->role);
	bind_u64(st, 4, fw->version);
	bind_u64(st, 5, now);
}

/* The covering license verdict_decide would pick among all of them, by
 * its ranking (valid 3, expired 2, revoked 1, not started 0; among valid ones
 * the longest lasting, no end first), the newest among equals. */
static int
lookup_license(struct store *s, const uint8_t dev[20], uint64_t now,
    struct store_lookup *o, char *err, size_t errsz)
{
	struct store_license_row *l = &o->license;
	sqlite3_stmt *st;
	int rc;

	if (!prepare(s, &st, "SELECT id, vendor, role, max_version, "
	    "not_before, expires_at, revoked, CASE WHEN revoked THEN 1 "
	    "WHEN expires_at != 0 AND expires_at <= ?5 THEN 2 "
	    "WHEN not_before > ?5 THEN 0 ELSE 3 END AS r FROM licenses "
	    "WHERE device = ?1 AND vendor = ?2 AND role = ?3 AND "
	    "max_version >= ?4 ORDER BY r DESC, "
	    "(r = 3 AND expires_at = 0) DESC, "
	    "CASE WHEN r = 3 THEN expires_at END DESC, id DESC LIMIT 1",
	    err, errsz))
		return 0;
	bind_covering(st, dev, &o->firmware, now);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    col_hex(l->vendor, 20, NULL, st, 1)) {
		l->id = (uint64_t)sqlite3_column_int64(st, 0);
		l->role = (uint8_t)sqlite3_column_int(st, 2);
		l->max_version = (uint64_t)sqlite3_column_int64(st, 3);
		l->not_before = (uint64_t)sqlite3_column_int64(st, 4);
		l->expires_at = (uint64_t)sqlite3_column_int64(st, 5);
		l->revoked = sqlite3_column_int(st, 6) != 0;
		o->nlicenses = 1;
	}
	done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(err, errsz, "database", s->db);
	return 1;
}

/* Keeps t in *next when it is after now and before *next (0: none yet). */
static void
earliest(uint64_t *next, uint64_t t, uint64_t now)
{
	if (t > now && (*next == 0 || t < *next))
		*next = t;
}

/* When the verdict can next change by the clock: a covering unrevoked
 * license starting or ending, or the firmware's end of support. */
static int
lookup_next_change(struct store *s, const uint8_t dev[20], uint64_t now,
    struct store_lookup *o, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc;

	earliest(&o->next_change, o->firmware.end_of_support, now);
	if (!prepare(s, &st, "SELECT min(CASE WHEN not_before > ?5 THEN "
	    "not_before END), min(CASE WHEN expires_at > ?5 THEN expires_at "
	    "END) FROM licenses WHERE device = ?1 AND vendor = ?2 AND "
	    "role = ?3 AND max_version >= ?4 AND revoked = 0", err, errsz))
		return 0;
	bind_covering(st, dev, &o->firmware, now);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		earliest(&o->next_change,
		    (uint64_t)sqlite3_column_int64(st, 0), now);
		earliest(&o->next_change,
		    (uint64_t)sqlite3_column_int64(st, 1), now);
	}
	done(s, st);
	if (rc != SQLITE_ROW)
		return fail(err, errsz, "database", s->db);
	return 1;
}

/* The applied block's number, time and hash. */
static int
lookup_applied(struct store *s, struct store_lookup *o, char *err,
    size_t errsz)
{
	struct store_cursor c;
	int found;

	if (!read_cursor(s, &c, err, errsz))
		return 0;
	if (!(o->has_applied = c.has_applied))
		return 1;
	o->applied_number = c.applied_number;
	o->applied_time = c.applied_time;
	if (!store_block_hash(s, c.applied_number, o->applied_hash, &found,
	    err, errsz))
		return 0;
	if (!found) {
		snprintf(err, errsz, "database: the applied block %" PRIu64
		    " is not kept", c.applied_number);
		return 0;
	}
	return 1;
}

int
store_lookup(struct store *s, const uint8_t device[20],
    const uint8_t firmware[32], uint64_t now, struct store_lookup *out,
    char *err, size_t errsz)
{
	int ok;

	memset(out, 0, sizeof(*out));
	if (!exec(s, "BEGIN", err, errsz))
		return 0;
	ok = lookup_applied(s, out, err, errsz) &&
	    lookup_device(s, device, out, err, errsz) &&
	    lookup_firmware(s, firmware, out, err, errsz) &&
	    (!out->firmware.found ||
	    (lookup_license(s, device, now, out, err, errsz) &&
	    lookup_next_change(s, device, now, out, err, errsz)));
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	return ok;
}

int
store_lookup_device(struct store *s, const uint8_t device[20],
    struct store_lookup *out, char *err, size_t errsz)
{
	memset(out, 0, sizeof(*out));
	return lookup_device(s, device, out, err, errsz);
}

static json_t *
column_json(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_NULL:
		return json_null();
	default:
		return json_string((const char *)sqlite3_column_text(st, i));
	}
}

json_t *
store_row_json(struct store *s, const char *table, const char *key,
    int *found, char *err, size_t errsz)
{
	static const char *const sql[][2] = {
		{ "devices", "SELECT * FROM devices WHERE address = ?1" },
		{ "gateways", "SELECT * FROM gateways WHERE address = ?1" },
		{ "firmware", "SELECT * FROM firmware WHERE image_hash = ?1" },
		{ "licenses", "SELECT * FROM licenses WHERE id = CAST(?1 AS "
		    "INTEGER)" },
	};
	sqlite3_stmt *st;
	json_t *obj = NULL;
	size_t i;
	int rc, k;

	*found = 0;
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
		if (strcmp(sql[i][0], table) == 0)
			break;
	if (i == sizeof(sql) / sizeof(sql[0])) {
		snprintf(err, errsz, "no table %s", table);
		return NULL;
	}
	if (!prepare(s, &st, sql[i][1], err, errsz))
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = 1;
		obj = json_object();
		for (k = 0; k < sqlite3_column_count(st); k++)
			json_object_set_new(obj, sqlite3_column_name(st, k),
			    column_json(st, k));
	} else if (rc == SQLITE_DONE)
		obj = json_object();
	else
		fail(err, errsz, "database", s->db);
	done(s, st);
	return obj;
}

int
store_events(struct store *s, uint64_t since,
    int (*fn)(void *, const struct store_event_row *), void *arg, char *err,
    size_t errsz)
{
	struct store_event_row r;
	sqlite3_stmt *st;
	int rc;

	if (!prepare(s, &st, "SELECT seq, block_number, coalesce(time, ''), "
	    "tx_index, log_index, kind, args, effective FROM v_events "
	    "WHERE block_number >= ?1 ORDER BY seq", err, errsz))
		return 0;
	bind_u64(st, 1, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.seq = (uint64_t)sqlite3_column_int64(st, 0);
		r.block_number = (uint64_t)sqlite3_column_int64(st, 1);
		r.time = (const char *)sqlite3_column_text(st, 2);
		r.tx_index = (uint64_t)sqlite3_column_int64(st, 3);
		r.log_index = (uint64_t)sqlite3_column_int64(st, 4);
		r.kind = (const char *)sqlite3_column_text(st, 5);
		r.args = (const char *)sqlite3_column_text(st, 6);
		r.effective = sqlite3_column_int(st, 7) != 0;
		if (!fn(arg, &r))
			break;
	}
	done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(err, errsz, "database", s->db);
	return 1;
}

/* Where the registry's digest was last proved, and what waits above it. */
static int
status_proved(struct store *s, json_t *out, char *err, size_t errsz)
{
	struct store_cursor c;
	uint64_t pending;

	if (!store_cursor(s, &c, err, errsz) ||
	    !store_pending(s, &pending, err, errsz))
		return 0;
	json_object_set_new(out, "proved_block", c.has_proved ?
	    json_integer((json_int_t)c.proved_number) : json_null());
	json_object_set_new(out, "pending_events",
	    json_integer((json_int_t)pending));
	return 1;
}

json_t *
store_status_json(struct store *s, char *err, size_t errsz)
{
	static const char *const tables[] = { "vendors", "gateways",
	    "devices", "firmware", "licenses", "events" };
	static const char *const keys[] = { "node_head", "checked_at",
	    "last_error", "last_error_time" };
	json_t *out = json_object(), *counts = json_object();
	sqlite3_stmt *st;
	char sql[64];
	size_t i;
	int64_t n;

	json_object_set_new(out, "counts", counts);
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s",
		    tables[i]);
		if (!pragma_int(s, sql, &n, err, errsz))
			goto fail;
		json_object_set_new(counts, tables[i], json_integer(n));
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!prepare(s, &st, "SELECT value FROM meta WHERE key = ?1",
		    err, errsz))
			goto fail;
		sqlite3_bind_text(st, 1, keys[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			json_object_set_new(out, keys[i], column_json(st, 0));
		done(s, st);
	}
	if (!status_gateway(s, out, err, errsz) ||
	    !status_engine(s, out, err, errsz) ||
	    !status_proved(s, out, err, errsz))
		goto fail;
	return out;
fail:
	json_decref(out);
	return NULL;
}
