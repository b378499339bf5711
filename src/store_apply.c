/* store_apply.c: the write path: blocks and events added in a batch,
 * events applied to the state tables as the registry module says, and
 * what undoes or redoes that (rewind, prune, rebuild, the schema 1
 * migration). */
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
#include "store_int.h"
#include "xmalloc.h"

/* batches ------------------------------------------------------------ */

int
store_add_block(struct store *s, const struct store_block *b, size_t nevents,
    char *err, size_t errsz)
{
	sqlite3_stmt *st;

	if (!store_prepare(s, &st, "INSERT OR REPLACE INTO blocks VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6)", err, errsz))
		return 0;
	store_bind_u64(st, 1, b->number);
	store_bind_hex(st, 2, b->hash, 32);
	store_bind_hex(st, 3, b->parent_hash, 32);
	store_bind_hex(st, 4, b->state_root, 32);
	store_bind_u64(st, 5, b->timestamp);
	store_bind_u64(st, 6, nevents);
	return store_run(s, st, err, errsz);
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
	if (!store_prepare(s, &st, "INSERT INTO events VALUES "
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
	store_bind_u64(st, 1, s->cur.event_count);
	store_bind_u64(st, 2, e->block_number);
	store_bind_hex(st, 3, e->block_hash, 32);
	store_bind_u64(st, 4, e->tx_index);
	store_bind_u64(st, 5, e->log_index);
	sqlite3_bind_text(st, 6, ev.def->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, args, -1, free);
	sqlite3_bind_text(st, 8, topics, -1, free);
	store_bind_hex(st, 9, e->data, e->data_len);
	store_bind_hex(st, 10, s->cur.event_digest, 32);
	if (!store_run(s, st, err, errsz))
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

/* applying events to the state tables -------------------------------- */

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

	if (!store_prepare(s, &st, registry_apply_sql[ev->def->kind], err,
	    errsz))
		return 0;
	n = sqlite3_bind_parameter_count(st);
	for (k = 0; k < ev->def->nargs; k++)
		if ((int)k + 1 <= n && !bind_arg(st, (int)k + 1, ev, k, err,
		    errsz)) {
			store_done(s, st);
			return 0;
		}
	if (n >= REGISTRY_SQL_BLOCK)
		store_bind_u64(st, REGISTRY_SQL_BLOCK, block);
	return store_run(s, st, err, errsz);
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

	if (!store_prepare(s, &st, "SELECT seq, block_number, topics, data "
	    "FROM events WHERE block_number > ?1 AND block_number <= ?2 "
	    "ORDER BY seq", err, errsz))
		return 0;
	sqlite3_bind_int64(st, 1, has_from ? (int64_t)from : -1);
	store_bind_u64(st, 2, to);
	while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW &&
	    (ok = apply_row(s, st, err, errsz)))
		(*napplied)++;
	if (ok && rc != SQLITE_DONE)
		ok = store_fail(err, errsz, "database", s->db);
	store_done(s, st);
	return ok;
}

static int
block_time(struct store *s, uint64_t number, uint64_t *t, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;
	int rc;

	if (!store_prepare(s, &st,
	    "SELECT timestamp FROM blocks WHERE number = ?1", err, errsz))
		return 0;
	store_bind_u64(st, 1, number);
	rc = sqlite3_step(st);
	*t = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	store_done(s, st);
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

/* pruning and rewinding ---------------------------------------------- */

int
store_prune(struct store *s, uint64_t number, char *err, size_t errsz)
{
	sqlite3_stmt *st;

	if (!store_prepare(s, &st, "DELETE FROM blocks WHERE number < ?1 AND "
	    "events = 0 AND number != ?2 AND number != ?3", err, errsz))
		return 0;
	store_bind_u64(st, 1, number);
	store_bind_u64(st, 2, s->cur.applied_number);
	store_bind_u64(st, 3, s->cur.proved_number);
	if (!store_run(s, st, err, errsz))
		return 0;
	/* A reorg never goes below the applied block: older states go. */
	if (!store_prepare(s, &st, "DELETE FROM engine_state WHERE number < ?1",
	    err, errsz))
		return 0;
	store_bind_u64(st, 1, s->cur.has_applied &&
	    s->cur.applied_number < number ? s->cur.applied_number : number);
	return store_run(s, st, err, errsz);
}

int
store_engine_put(struct store *s, uint64_t number, const uint8_t *data,
    size_t len, char *err, size_t errsz)
{
	sqlite3_stmt *st;

	if (!store_prepare(s, &st, "INSERT OR REPLACE INTO engine_state VALUES "
	    "(?1, ?2)", err, errsz))
		return 0;
	store_bind_u64(st, 1, number);
	sqlite3_bind_blob(st, 2, data, (int)len, SQLITE_TRANSIENT);
	return store_run(s, st, err, errsz);
}

int
store_engine_get(struct store *s, uint64_t number, uint8_t *out, size_t cap,
    size_t *len, int *found, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc, has, ok = 1;

	*len = 0;
	*found = 0;
	/* A file no licgated of this version has written to lacks it. */
	if (!store_has_table(s, "engine_state", &has, err, errsz))
		return 0;
	if (!has)
		return 1;
	if (!store_prepare(s, &st,
	    "SELECT data FROM engine_state WHERE number = ?1", err, errsz))
		return 0;
	store_bind_u64(st, 1, number);
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
		ok = store_fail(err, errsz, "database", s->db);
	store_done(s, st);
	return ok;
}

/* Restores the digest and count of the last event left after a rewind. */
static int
cursor_from_events(struct store *s, char *err, size_t errsz)
{
	return store_digest_at(s, UINT64_MAX, &s->cur.event_count,
	    s->cur.event_digest, err, errsz);
}

static int
delete_above(struct store *s, const char *sql, uint64_t number, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;

	if (!store_prepare(s, &st, sql, err, errsz))
		return 0;
	store_bind_u64(st, 1, number);
	return store_run(s, st, err, errsz);
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

/* rebuilding --------------------------------------------------------- */

/* The state tables from the applied events alone, inside the open batch. */
static int
rebuild_tables(struct store *s, char *err, size_t errsz)
{
	uint64_t n = 0;

	if (!store_exec(s, registry_clear_sql, err, errsz))
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

	if (!store_prepare(s, &st, "SELECT seq, topics, data FROM events", err,
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
		} else if ((ok = store_prepare(s, &up,
		    "UPDATE events SET args = ?2 "
		    "WHERE seq = ?1", err, errsz))) {
			sqlite3_bind_int64(up, 1, sqlite3_column_int64(st, 0));
			sqlite3_bind_text(up, 2, registry_args_text(&ev), -1,
			    free);
			ok = store_run(s, up, err, errsz);
		}
		free(data);
		data = NULL;
	}
	if (ok && rc != SQLITE_DONE)
		ok = store_fail(err, errsz, "database", s->db);
	store_done(s, st);
	return ok;
}

/* Schema 1 to 2, in one transaction: the index that picks a device's
 * licenses for a firmware, and registry strings as registry_text (schema
 * 1 kept them as they came) in events.args and the state tables. */
int
store_migrate(struct store *s, const char *path, char *err, size_t errsz)
{
	char sql[64], why[256];

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    STORE_SCHEMA_VERSION);
	if (!store_begin(s, err, errsz))
		return 0;
	if (!store_exec(s,
	    "CREATE INDEX IF NOT EXISTS licenses_pick ON licenses "
	    "(device, vendor, role)", err, errsz) ||
	    !store_exec(s, sql, err, errsz) ||
	    !store_meta_set_int(s, "schema_version", STORE_SCHEMA_VERSION, err,
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
