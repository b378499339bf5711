/* store.c: the SQLite cache's core: statements, meta, the cursor,
 * transactions and closing.  Every write happens inside a transaction the
 * caller opened with store_begin (or one store_rewind/store_rebuild open
 * themselves); the cursor lives in meta, inside the same transaction. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "chain/hex.h"
#include "store.h"
#include "store_int.h"
#include "xmalloc.h"

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

int
store_each_since(struct store *s, const char *sql, uint64_t since,
    int (*row)(sqlite3_stmt *st, void *arg), void *arg, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;
	int rc;

	if (!store_prepare(s, &st, sql, err, errsz))
		return 0;
	store_bind_u64(st, 1, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && row(st, arg))
		;
	store_done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(err, errsz, "database", s->db);
	return 1;
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

int
store_has_table(struct store *s, const char *name, int *has, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;
	int rc;

	if (!store_prepare(s, &st, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'table' AND name = ?1", err, errsz))
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*has = rc == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0;
	store_done(s, st);
	if (rc != SQLITE_ROW)
		return store_fail(err, errsz, "database", s->db);
	return 1;
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

int
store_meta_set_hex(struct store *s, const char *key, const uint8_t *p, size_t n,
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
	    !store_meta_set_hex(s, "head_hash", c->head_hash, 32, err, errsz) ||
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
	    store_meta_set_hex(s, "event_digest", c->event_digest, 32, err,
	    errsz);
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
	if (!store_meta_set_hex(s, "gateway", address, 20, err, errsz) ||
	    !meta_set_text(s, "engine", engine, err, errsz) ||
	    !store_meta_set_int(s, "node_is_trusted", node_is_trusted != 0, err,
	    errsz) ||
	    !store_exec(s, "COMMIT", err, errsz)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	return 1;
}
