/* store_anchor.c: the batches licgated anchors install reports in
 * (licgated(8), ANCHORING INSTALL REPORTS).  A batch is formed once, of
 * the reports after the last batch in seq order, and never changes; its
 * signed transaction is kept before it is sent; it is marked anchored
 * only from the verified, final anchors table the follower writes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "chain/hex.h"
#include "merkle.h"
#include "store.h"
#include "store_int.h"
#include "xmalloc.h"

/* The last seq in a batch, 0 before the first batch. */
#define LAST_BATCHED "(SELECT coalesce(max(first_seq + count - 1), 0) " \
	"FROM anchor_batches)"

int
store_anchor_pending(struct store *s, uint64_t *n, uint64_t *oldest,
    char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc;

	*n = *oldest = 0;
	/* Batches take reports in seq order, so the unbatched are a range
	 * of rowids: no index is needed, none slows the writer. */
	if (!store_prepare(s, &st, "SELECT count(*), min(received_at) FROM "
	    "installs WHERE seq > " LAST_BATCHED, err, errsz))
		return 0;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*n = (uint64_t)sqlite3_column_int64(st, 0);
		*oldest = (uint64_t)sqlite3_column_int64(st, 1);
	}
	store_done(s, st);
	if (rc != SQLITE_ROW)
		return store_fail(err, errsz, "database", s->db);
	return 1;
}

/* The leaves of at most max reports after the last batch, from seq
 * *first on without a gap, into leaves (room for max); *n of them. */
static int
form_leaves(struct store *s, uint64_t max, uint8_t (*leaves)[32],
    uint64_t *first, size_t *n, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	const char *why;
	uint64_t seq;
	int rc;

	*n = 0;
	if (!store_prepare(s, &st, "SELECT seq, leaf FROM installs WHERE "
	    "seq > " LAST_BATCHED " ORDER BY seq LIMIT ?1", err, errsz))
		return 0;
	store_bind_u64(st, 1, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = (uint64_t)sqlite3_column_int64(st, 0);
		if (*n == 0)
			*first = seq;
		else if (seq != *first + *n)
			break;	/* first_seq and count must say which */
		if (!hex_decode_fixed(leaves[*n], 32,
		    (const char *)sqlite3_column_text(st, 1), &why)) {
			store_done(s, st);
			snprintf(err, errsz, "install report %llu: leaf: %s",
			    (unsigned long long)seq, why);
			return 0;
		}
		(*n)++;
	}
	store_done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(err, errsz, "database", s->db);
	return 1;
}

/* Inserts b as a new batch and numbers its reports with it. */
static int
form_insert(struct store *s, struct store_anchor_batch *b, uint64_t now,
    char *err, size_t errsz)
{
	sqlite3_stmt *st;

	if (!store_prepare(s, &st, "INSERT INTO anchor_batches (first_seq, "
	    "count, root, state, formed_at) VALUES (?1, ?2, ?3, 'formed', ?4)",
	    err, errsz))
		return 0;
	store_bind_u64(st, 1, b->first_seq);
	store_bind_u64(st, 2, b->count);
	store_bind_hex(st, 3, b->root, 32);
	store_bind_u64(st, 4, now);
	if (!store_run(s, st, err, errsz))
		return 0;
	b->id = (uint64_t)sqlite3_last_insert_rowid(s->db);
	if (!store_prepare(s, &st, "UPDATE installs SET batch = ?1 WHERE seq "
	    "BETWEEN ?2 AND ?3", err, errsz))
		return 0;
	store_bind_u64(st, 1, b->id);
	store_bind_u64(st, 2, b->first_seq);
	store_bind_u64(st, 3, b->first_seq + b->count - 1);
	return store_run(s, st, err, errsz);
}

int
store_anchor_form(struct store *s, uint64_t max, uint64_t now,
    struct store_anchor_batch *b, int *formed, char *err, size_t errsz)
{
	uint8_t (*leaves)[32] = xcalloc(max > 0 ? max : 1, 32);
	size_t n;

	memset(b, 0, sizeof(*b));
	*formed = 0;
	if (!store_exec(s, "BEGIN IMMEDIATE", err, errsz)) {
		free(leaves);
		return 0;
	}
	if (!form_leaves(s, max, leaves, &b->first_seq, &n, err, errsz))
		goto fail;
	if (n > 0) {
		b->count = n;
		merkle_root(b->root, (const uint8_t (*)[32])leaves, n);
		if (!form_insert(s, b, now, err, errsz))
			goto fail;
	}
	if (!store_exec(s, "COMMIT", err, errsz))
		goto fail;
	*formed = n > 0;
	free(leaves);
	return 1;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	memset(b, 0, sizeof(*b));
	free(leaves);
	return 0;
}

/* The kept transaction of a batch row (columns 4 on, NULL until signed). */
static int
read_tx(sqlite3_stmt *st, struct store_anchor_batch *b)
{
	struct store_anchor_tx *t = &b->tx;
	const char *why;
	int len;

	if (sqlite3_column_type(st, 4) == SQLITE_NULL)
		return 1;
	t->type = sqlite3_column_int(st, 4);
	t->nonce = (uint64_t)sqlite3_column_int64(st, 5);
	t->gas_limit = (uint64_t)sqlite3_column_int64(st, 6);
	t->gas_price = (uint64_t)sqlite3_column_int64(st, 7);
	t->max_fee = (uint64_t)sqlite3_column_int64(st, 8);
	t->max_priority_fee = (uint64_t)sqlite3_column_int64(st, 9);
	len = sqlite3_column_bytes(st, 11);
	if (len <= 0 || (size_t)len > sizeof(t->raw) ||
	    !hex_decode_fixed(t->hash, 32,
	    (const char *)sqlite3_column_text(st, 10), &why))
		return 0;
	memcpy(t->raw, sqlite3_column_blob(st, 11), (size_t)len);
	t->raw_len = (size_t)len;
	b->since_block = (uint64_t)sqlite3_column_int64(st, 12);
	b->has_tx = 1;
	return 1;
}

/* A batch row as SELECTed by store_anchor_open. */
static int
read_batch(sqlite3_stmt *st, struct store_anchor_batch *b)
{
	const char *why;

	b->id = (uint64_t)sqlite3_column_int64(st, 0);
	b->first_seq = (uint64_t)sqlite3_column_int64(st, 1);
	b->count = (uint64_t)sqlite3_column_int64(st, 2);
	if (!hex_decode_fixed(b->root, 32,
	    (const char *)sqlite3_column_text(st, 3), &why))
		return 0;
	b->sends = (uint64_t)sqlite3_column_int64(st, 13);
	b->sent_at = (uint64_t)sqlite3_column_int64(st, 14);
	return read_tx(st, b);
}

int
store_anchor_open(struct store *s, struct store_anchor_batch *b, int *found,
    char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc, ok = 1;

	memset(b, 0, sizeof(*b));
	*found = 0;
	if (!store_prepare(s, &st, "SELECT batch, first_seq, count, root, "
	    "tx_type, nonce, gas_limit, gas_price, max_fee, max_priority_fee, "
	    "tx_hash, raw_tx, since_block, sends, coalesce(sent_at, 0) "
	    "FROM anchor_batches WHERE state != 'anchored' ORDER BY batch "
	    "LIMIT 1", err, errsz))
		return 0;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(ok = read_batch(st, b)))
			snprintf(err, errsz, "anchor batch %lld: unreadable row",
			    (long long)sqlite3_column_int64(st, 0));
		*found = ok;
	} else if (rc != SQLITE_DONE)
		ok = store_fail(err, errsz, "database", s->db);
	store_done(s, st);
	return ok;
}

int
store_anchor_set_tx(struct store *s, const struct store_anchor_batch *b,
    char *err, size_t errsz)
{
	const struct store_anchor_tx *t = &b->tx;
	sqlite3_stmt *st;

	if (!store_prepare(s, &st, "UPDATE anchor_batches SET state = "
	    "'signed', tx_type = ?2, nonce = ?3, gas_limit = ?4, gas_price = "
	    "?5, max_fee = ?6, max_priority_fee = ?7, tx_hash = ?8, raw_tx = "
	    "?9, since_block = ?10 WHERE batch = ?1", err, errsz))
		return 0;
	store_bind_u64(st, 1, b->id);
	sqlite3_bind_int(st, 2, t->type);
	store_bind_u64(st, 3, t->nonce);
	store_bind_u64(st, 4, t->gas_limit);
	store_bind_u64(st, 5, t->gas_price);
	store_bind_u64(st, 6, t->max_fee);
	store_bind_u64(st, 7, t->max_priority_fee);
	store_bind_hex(st, 8, t->hash, 32);
	sqlite3_bind_blob(st, 9, t->raw, (int)t->raw_len, SQLITE_TRANSIENT);
	store_bind_u64(st, 10, b->since_block);
	return store_run(s, st, err, errsz);
}

int
store_anchor_sent(struct store *s, uint64_t id, uint64_t now, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;

	if (!store_prepare(s, &st, "UPDATE anchor_batches SET state = 'sent', "
	    "sends = sends + 1, sent_at = ?2 WHERE batch = ?1", err, errsz))
		return 0;
	store_bind_u64(st, 1, id);
	store_bind_u64(st, 2, now);
	return store_run(s, st, err, errsz);
}

int
store_anchor_verified(struct store *s, const uint8_t gateway[20],
    const struct store_anchor_batch *b, int *found, uint64_t *block,
    char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc;

	*found = 0;
	*block = 0;
	if (!store_prepare(s, &st, "SELECT block FROM anchors WHERE gateway = "
	    "?1 AND root = ?2 AND first_seq = ?3 AND count = ?4", err, errsz))
		return 0;
	store_bind_hex(st, 1, gateway, 20);
	store_bind_hex(st, 2, b->root, 32);
	store_bind_u64(st, 3, b->first_seq);
	store_bind_u64(st, 4, b->count);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*found = 1;
		*block = (uint64_t)sqlite3_column_int64(st, 0);
	}
	store_done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(err, errsz, "database", s->db);
	return 1;
}

int
store_anchor_mark(struct store *s, uint64_t id, uint64_t block, uint64_t now,
    char *err, size_t errsz)
{
	sqlite3_stmt *st;

	if (!store_exec(s, "BEGIN IMMEDIATE", err, errsz))
		return 0;
	if (!store_prepare(s, &st, "UPDATE anchor_batches SET state = "
	    "'anchored', block = ?2, anchored_at = ?3 WHERE batch = ?1", err,
	    errsz))
		goto fail;
	store_bind_u64(st, 1, id);
	store_bind_u64(st, 2, block);
	store_bind_u64(st, 3, now);
	if (!store_run(s, st, err, errsz) ||
	    !store_prepare(s, &st, "UPDATE installs SET anchor_block = ?2 "
	    "WHERE batch = ?1", err, errsz))
		goto fail;
	store_bind_u64(st, 1, id);
	store_bind_u64(st, 2, block);
	if (!store_run(s, st, err, errsz) ||
	    !store_exec(s, "COMMIT", err, errsz))
		goto fail;
	return 1;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return 0;
}

int
store_anchor_set_error(struct store *s, const char *msg, int no_funds,
    uint64_t now, char *err, size_t errsz)
{
	sqlite3_stmt *st;

	if (msg == NULL)
		return store_exec(s, "DELETE FROM meta WHERE key IN "
		    "('anchor_error', 'anchor_error_time', 'anchor_no_funds')",
		    err, errsz);
	if (!store_exec(s, "BEGIN IMMEDIATE", err, errsz))
		return 0;
	if (!store_prepare(s, &st, "INSERT OR REPLACE INTO meta VALUES "
	    "('anchor_error', ?1)", err, errsz))
		goto fail;
	sqlite3_bind_text(st, 1, msg, -1, SQLITE_STATIC);
	if (!store_run(s, st, err, errsz) ||
	    !store_meta_set_int(s, "anchor_error_time", now, err, errsz) ||
	    !store_meta_set_int(s, "anchor_no_funds", no_funds != 0, err,
	    errsz) ||
	    !store_exec(s, "COMMIT", err, errsz))
		goto fail;
	return 1;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return 0;
}

/* status ------------------------------------------------------------- */

/* The batch in flight, as status shows it; NULL when none. */
static json_t *
status_in_flight(struct store *s, char *err, size_t errsz, int *ok)
{
	struct store_anchor_batch b;
	char hex[67];
	json_t *o;
	int found;

	*ok = store_anchor_open(s, &b, &found, err, errsz);
	if (!*ok || !found)
		return json_null();
	o = json_pack("{s:I, s:I, s:I, s:s, s:I}", "batch", (json_int_t)b.id,
	    "first_seq", (json_int_t)b.first_seq, "count", (json_int_t)b.count,
	    "root", hex_encode(hex, b.root, 32), "sends", (json_int_t)b.sends);
	if (b.has_tx) {
		json_object_set_new(o, "nonce", json_integer((json_int_t)
		    b.tx.nonce));
		json_object_set_new(o, "tx_hash", json_string(hex_encode(hex,
		    b.tx.hash, 32)));
	}
	if (b.sent_at != 0)
		json_object_set_new(o, "sent_at", json_integer((json_int_t)
		    b.sent_at));
	return o;
}

/* meta's anchor_* keys into o: error, error_time, no_funds. */
static int
status_error(struct store *s, json_t *o, char *err, size_t errsz)
{
	char msg[1024];
	uint64_t t, nf;
	int f1, f2, f3;

	if (!store_meta_get(s, "anchor_error", &f1, NULL, msg, sizeof(msg), err,
	    errsz) ||
	    !store_meta_get(s, "anchor_error_time", &f2, &t, NULL, 0, err,
	    errsz) ||
	    !store_meta_get(s, "anchor_no_funds", &f3, &nf, NULL, 0, err,
	    errsz))
		return 0;
	json_object_set_new(o, "error", f1 ? json_string(msg) : json_null());
	if (f1 && f2)
		json_object_set_new(o, "error_time", json_integer((json_int_t)t));
	json_object_set_new(o, "no_funds", json_boolean(f1 && f3 && nf));
	return 1;
}

int
store_anchor_status(struct store *s, json_t *out, char *err, size_t errsz)
{
	static const char *const q[][2] = {
		{ "unanchored", "SELECT count(*) FROM installs WHERE seq > "
		  "(SELECT coalesce(max(first_seq + count - 1), 0) FROM "
		  "anchor_batches WHERE state = 'anchored')" },
		{ "batches", "SELECT count(*) FROM anchor_batches" },
		{ "anchored_batches", "SELECT count(*) FROM anchor_batches "
		  "WHERE state = 'anchored'" },
		{ "sends", "SELECT coalesce(sum(sends), 0) FROM anchor_batches" },
		{ "last_block", "SELECT coalesce(max(block), 0) FROM "
		  "anchor_batches" },
	};
	json_t *o;
	int64_t v;
	size_t i;
	int ok, has;

	if (!store_has_table(s, "anchor_batches", &has, err, errsz))
		return 0;
	if (!has)
		return 1;	/* a file licgated has not opened since */
	o = json_object();
	json_object_set_new(out, "anchoring", o);
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		if (!store_query_int(s, q[i][1], &v, err, errsz))
			return 0;
		json_object_set_new(o, q[i][0], json_integer(v));
	}
	json_object_set_new(o, "in_flight", status_in_flight(s, err, errsz,
	    &ok));
	return ok && status_error(s, o, err, errsz);
}
