/* store_int.h: what store.c, store_open.c, store_apply.c, store_query.c,
 * store_install.c and store_anchor.c share: the handle and its statement
 * helpers.  No other module includes it: the rest of licgate sees only
 * store.h. */
#ifndef LICGATE_STORE_INT_H
#define LICGATE_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "store.h"

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

/* Fills err with "what: " and SQLite's last message on db (out of memory
 * when db is NULL).  Returns 0, for `return store_fail(...)`. */
int store_fail(char *err, size_t errsz, const char *what, sqlite3 *db);

/* Runs statements that return no rows.  Returns 1, or 0 with err. */
int store_exec(struct store *s, const char *sql, char *err, size_t errsz);

/* A statement for sql (the store keeps it, up to STORE_STMTS of them),
 * from the cache when it was prepared before; give it back with
 * store_done.  Returns 1, or 0 with err. */
int store_prepare(struct store *s, sqlite3_stmt **st, const char *sql,
    char *err, size_t errsz);

/* Ends a statement's use: reset (ending its read) or finalize. */
void store_done(struct store *s, sqlite3_stmt *st);

/* Steps a statement that returns no rows, then gives it back.  Returns
 * 1, or 0 with err. */
int store_run(struct store *s, sqlite3_stmt *st, char *err, size_t errsz);

/* Prepares sql, binds since to ?1 and calls row(st, arg) for each row
 * until it returns 0, then gives the statement back.  Returns 1, or 0
 * with err. */
int store_each_since(struct store *s, const char *sql, uint64_t since,
    int (*row)(sqlite3_stmt *st, void *arg), void *arg, char *err,
    size_t errsz);

/* Binds n bytes as lowercase 0x hex text. */
void store_bind_hex(sqlite3_stmt *st, int i, const uint8_t *p, size_t n);

/* Binds v, INT64_MAX for larger values. */
void store_bind_u64(sqlite3_stmt *st, int i, uint64_t v);

/* meta.key = v, in the open transaction.  Returns 1, or 0 with err. */
int store_meta_set_int(struct store *s, const char *key, uint64_t v,
    char *err, size_t errsz);

/* meta.key = n bytes as hex, in the open transaction.  Returns 1, or 0
 * with err. */
int store_meta_set_hex(struct store *s, const char *key, const uint8_t *p,
    size_t n, char *err, size_t errsz);

/* Reads meta.key: *found, and the value as integer (num not NULL) and/or
 * text (text not NULL, at most textsz bytes).  Returns 1, or 0 with err. */
int store_meta_get(struct store *s, const char *key, int *found,
    uint64_t *num, char *text, size_t textsz, char *err, size_t errsz);

/* Reads meta.key as n bytes of hex.  Returns 1, or 0 with err. */
int store_meta_get_hex(struct store *s, const char *key, int *found,
    uint8_t *out, size_t n, char *err, size_t errsz);

/* The first column of the one row sql gives (a pragma, a count).
 * Returns 1, or 0 with err. */
int store_query_int(struct store *s, const char *sql, int64_t *v, char *err,
    size_t errsz);

/* Whether the file has the table name: tables added after schema 2
 * (engine_state, installs, anchor_batches, anchors) are made on the first
 * open for writing, so a file only read since lacks them. */
int store_has_table(struct store *s, const char *name, int *has, char *err,
    size_t errsz) __attribute__((warn_unused_result));

/* The committed cursor, from meta.  Returns 1, or 0 with err. */
int store_read_cursor(struct store *s, struct store_cursor *c, char *err,
    size_t errsz);

/* Brings a schema 1 database at path to this schema, in one transaction.
 * Returns 1, or 0 with err. */
int store_migrate(struct store *s, const char *path, char *err,
    size_t errsz);

/* Status's "anchoring" object into out (store_anchor.c), left out for a
 * file without anchor batches.  Returns 1, or 0 with err. */
int store_anchor_status(struct store *s, json_t *out, char *err,
    size_t errsz);

#endif
