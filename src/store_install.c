/* store_install.c: the devices' install reports (licgate-token(7), INSTALL
 * REPORTS): written in batches by licgated's one install writer, each
 * numbered in order of commit, kept with the exact bytes the device signed
 * and the Merkle leaf later anchoring commits to; read back by licgatectl
 * installs. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "merkle.h"
#include "store.h"
#include "store_int.h"

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
