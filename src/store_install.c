/* store_install.c: the devices' install reports (licgate-token(7), INSTALL
 * REPORTS): written in batches by licgated's one install writer, each
 * numbered in order of commit, kept with the exact bytes the device signed
 * and the Merkle leaf later anchoring commits to; read back by licgatectl
 * installs. */
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

/* Binds the optional columns: NULL where the report has nothing. */
static void
bind_optional(sqlite3_stmt *st, const struct store_install *r)
{
	if (r->has_replaced)
		store_bind_hex(st, 4, r->replaced, 32);
	if (r->has_cti)
		store_bind_hex(st, 5, r->cti, 4);
	if (r->block != 0)
		store_bind_u64(st, 6, r->block);
}

/* Inserts r unless its (device, nonce) is stored already (r->duplicate
 * then; the same bytes sent again have the same device and nonce, so the
 * leaf needs no index of its own, whose random keys would cost each
 * commit a page per report); r->seq is its number.  Returns 0 with err
 * on a database error. */
static int
insert_one(struct store *s, struct store_install *r, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	uint8_t leaf[32];

	if (!store_prepare(s, &st, "INSERT INTO installs (device, firmware, "
	    "version, replaced, attestation_cti, attestation_block, nonce, "
	    "reported_at, received_at, leaf, report) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT DO NOTHING", err, errsz))
		return 0;
	merkle_leaf(leaf, r->report, r->report_len);
	store_bind_hex(st, 1, r->device, 20);
	store_bind_hex(st, 2, r->firmware, 32);
	store_bind_u64(st, 3, r->version);
	bind_optional(st, r);
	store_bind_hex(st, 7, r->nonce, r->nonce_len);
	store_bind_u64(st, 8, r->reported_at);
	store_bind_u64(st, 9, r->received_at);
	store_bind_hex(st, 10, leaf, 32);
	sqlite3_bind_blob(st, 11, r->report, (int)r->report_len,
	    SQLITE_TRANSIENT);
	if (!store_run(s, st, err, errsz))
		return 0;
	r->duplicate = sqlite3_changes(s->db) == 0;
	r->seq = r->duplicate ? 0 : (uint64_t)sqlite3_last_insert_rowid(s->db);
	return 1;
}

int
store_installs_add(struct store *s, struct store_install *rows, size_t n,
    char *err, size_t errsz)
{
	size_t i;

	if (!store_exec(s, "BEGIN IMMEDIATE", err, errsz))
		return 0;
	for (i = 0; i < n; i++)
		if (!insert_one(s, &rows[i], err, errsz))
			goto fail;
	if (!store_exec(s, "COMMIT", err, errsz))
		goto fail;
	return 1;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	for (i = 0; i < n; i++)
		rows[i].seq = 0;
	return 0;
}

/* A text column, or NULL for SQL NULL. */
static const char *
column_text(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL :
	    (const char *)sqlite3_column_text(st, i);
}

/* The caller's callback and its argument, for store_each_since. */
struct install_cb {
	int (*fn)(void *, const struct store_install_row *);
	void *arg;
};

static int
install_row(sqlite3_stmt *st, void *arg)
{
	const struct install_cb *cb = arg;
	struct store_install_row r;

	r.seq = (uint64_t)sqlite3_column_int64(st, 0);
	r.device = column_text(st, 1);
	r.firmware = column_text(st, 2);
	r.version = (uint64_t)sqlite3_column_int64(st, 3);
	r.replaced = column_text(st, 4);
	r.cti = column_text(st, 5);
	r.block = (uint64_t)sqlite3_column_int64(st, 6);
	r.reported_at = column_text(st, 7);
	r.received_at = column_text(st, 8);
	r.leaf = column_text(st, 9);
	return cb->fn(cb->arg, &r);
}

int
store_installs(struct store *s, uint64_t since,
    int (*fn)(void *, const struct store_install_row *), void *arg,
    char *err, size_t errsz)
{
	struct install_cb cb = { fn, arg };

	return store_each_since(s, "SELECT seq, device, firmware, version, "
	    "replaced, attestation_cti, coalesce(attestation_block, 0), "
	    "reported_at, received_at, leaf FROM v_installs WHERE seq >= ?1 "
	    "ORDER BY seq", since, install_row, &cb, err, errsz);
}

/* Column i as exactly n bytes of 0x hex. */
static int
column_fixed(uint8_t *out, size_t n, sqlite3_stmt *st, int i)
{
	const char *why, *t = column_text(st, i);

	return t != NULL && hex_decode_fixed(out, n, t, &why);
}

int
store_install_get(struct store *s, uint64_t seq, uint8_t **report,
    size_t *len, uint8_t leaf[32], int *found, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc, n;

	*report = NULL;
	*len = 0;
	*found = 0;
	if (!store_prepare(s, &st, "SELECT report, leaf FROM installs "
	    "WHERE seq = ?1", err, errsz))
		return 0;
	store_bind_u64(st, 1, seq);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = sqlite3_column_bytes(st, 0);
		*report = xmalloc(n > 0 ? (size_t)n : 1);
		memcpy(*report, sqlite3_column_blob(st, 0), (size_t)n);
		*len = (size_t)n;
		*found = column_fixed(leaf, 32, st, 1);
	}
	store_done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(err, errsz, "reading a report", s->db);
	if (rc == SQLITE_ROW && !*found) {
		snprintf(err, errsz, "report %llu: its leaf is not 32 bytes of "
		    "hex", (unsigned long long)seq);
		free(*report);
		*report = NULL;
		return 0;
	}
	return 1;
}

int
store_install_leaves(struct store *s, uint64_t first, uint64_t n,
    uint8_t (*leaves)[32], int *complete, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	uint64_t k = 0;
	int rc;

	*complete = 0;
	if (!store_prepare(s, &st, "SELECT seq, leaf FROM installs WHERE seq "
	    ">= ?1 AND seq < ?1 + ?2 ORDER BY seq", err, errsz))
		return 0;
	store_bind_u64(st, 1, first);
	store_bind_u64(st, 2, n);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < n &&
	    (uint64_t)sqlite3_column_int64(st, 0) == first + k &&
	    column_fixed(leaves[k], 32, st, 1))
		k++;
	store_done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(err, errsz, "reading leaves", s->db);
	*complete = k == n;
	return 1;
}

/* One row of store_install_anchors' query. */
static int
anchor_row(struct store_install_anchor *a, sqlite3_stmt *st)
{
	a->first_seq = (uint64_t)sqlite3_column_int64(st, 2);
	a->count = (uint64_t)sqlite3_column_int64(st, 3);
	a->block_number = (uint64_t)sqlite3_column_int64(st, 4);
	a->tx_index = (uint64_t)sqlite3_column_int64(st, 6);
	a->log_index = (uint64_t)sqlite3_column_int64(st, 7);
	return column_fixed(a->gateway, 20, st, 0) &&
	    column_fixed(a->root, 32, st, 1) &&
	    column_fixed(a->block_hash, 32, st, 5);
}

/* The anchors table keeps a batch's first anchor; its log is the first
 * InstallsAnchored event of that block with the same gateway and root. */
int
store_install_anchors(struct store *s, uint64_t seq, const uint8_t *gateway,
    struct store_install_anchor *out, size_t max, size_t *n, char *err,
    size_t errsz)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE;

	*n = 0;
	if (!store_prepare(s, &st, "SELECT a.gateway, a.root, a.first_seq, "
	    "a.count, a.block, e.block_hash, e.tx_index, e.log_index "
	    "FROM anchors a JOIN events e ON e.seq = (SELECT min(seq) FROM "
	    "events WHERE block_number = a.block AND kind = 'InstallsAnchored' "
	    "AND json_extract(args, '$.gateway') = a.gateway "
	    "AND json_extract(args, '$.root') = a.root) "
	    "WHERE ?1 >= a.first_seq AND ?1 < a.first_seq + a.count "
	    "ORDER BY a.gateway IS ?2 DESC, a.block, e.log_index",
	    err, errsz))
		return 0;
	store_bind_u64(st, 1, seq);
	if (gateway != NULL)
		store_bind_hex(st, 2, gateway, 20);
	else
		sqlite3_bind_null(st, 2);
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (anchor_row(&out[*n], st))
			(*n)++;
	store_done(s, st);
	if (*n < max && rc != SQLITE_DONE)
		return store_fail(err, errsz, "reading anchors", s->db);
	return 1;
}

/* The batch's transaction hash, when the file has anchor_batches (made by
 * the licgated that anchors; an older file has none). */
static int
batch_tx(struct store *s, uint64_t batch, int *has_tx, uint8_t tx_hash[32],
    char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc, has;

	*has_tx = 0;
	if (!store_has_table(s, "anchor_batches", &has, err, errsz))
		return 0;
	if (!has)
		return 1;
	if (!store_prepare(s, &st, "SELECT tx_hash FROM anchor_batches WHERE "
	    "batch = ?1", err, errsz))
		return 0;
	store_bind_u64(st, 1, batch);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*has_tx = column_fixed(tx_hash, 32, st, 0);
	store_done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(err, errsz, "reading a batch", s->db);
	return 1;
}

int
store_install_batch(struct store *s, uint64_t seq, uint64_t *batch,
    int *has_tx, uint8_t tx_hash[32], char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc;

	*batch = 0;
	*has_tx = 0;
	if (!store_prepare(s, &st, "SELECT coalesce(batch, 0) FROM installs "
	    "WHERE seq = ?1", err, errsz))
		return 0;
	store_bind_u64(st, 1, seq);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*batch = (uint64_t)sqlite3_column_int64(st, 0);
	store_done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(err, errsz, "reading a report", s->db);
	return *batch == 0 || batch_tx(s, *batch, has_tx, tx_hash, err, errsz);
}
