/* store_open.c: opening a database: is it ours, of a schema this build
 * reads, made for this chain, registry and checkpoint; creating the
 * schema the store owns (meta, blocks, events, engine_state, installs,
 * anchor_batches)
 * beside the registry's state tables; bringing an older schema up to
 * date. */
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

/* The devices' install reports (store_install.c), in the order they were
 * committed, never deleted; batch and anchor_block stay NULL until a
 * report is anchored on chain.  Added after schema 2 the way engine_state
 * was: an older file gains them on its first open for writing. */
static const char store_installs_schema[] =
	"CREATE TABLE IF NOT EXISTS installs ("
	"  seq INTEGER PRIMARY KEY, device TEXT NOT NULL,"
	"  firmware TEXT NOT NULL, version INTEGER NOT NULL, replaced TEXT,"
	"  attestation_cti TEXT, attestation_block INTEGER,"
	"  nonce TEXT NOT NULL, reported_at INTEGER NOT NULL,"
	"  received_at INTEGER NOT NULL, leaf TEXT NOT NULL,"
	"  report BLOB NOT NULL, batch INTEGER, anchor_block INTEGER,"
	"  UNIQUE (device, nonce)) STRICT;"
	"CREATE VIEW IF NOT EXISTS v_installs AS SELECT seq, device, firmware,"
	"  version, replaced, attestation_cti, attestation_block, nonce,"
	"  strftime('%Y-%m-%dT%H:%M:%SZ', reported_at, 'unixepoch')"
	"  AS reported_at,"
	"  strftime('%Y-%m-%dT%H:%M:%SZ', received_at, 'unixepoch')"
	"  AS received_at, leaf, batch, anchor_block FROM installs;";

/* Batches of install reports licgated anchors on chain (store_anchor.c),
 * written ahead: a batch, its root and the signed transaction are
 * committed before the transaction is sent, so that a restart sends the
 * same bytes again rather than another batch.  Added like installs. */
static const char store_anchor_schema[] =
	"CREATE TABLE IF NOT EXISTS anchor_batches ("
	"  batch INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL UNIQUE,"
	"  count INTEGER NOT NULL, root TEXT NOT NULL, state TEXT NOT NULL,"
	"  formed_at INTEGER NOT NULL, tx_type INTEGER, nonce INTEGER,"
	"  gas_limit INTEGER, gas_price INTEGER, max_fee INTEGER,"
	"  max_priority_fee INTEGER, tx_hash TEXT, raw_tx BLOB,"
	"  since_block INTEGER, sends INTEGER NOT NULL DEFAULT 0,"
	"  sent_at INTEGER, anchored_at INTEGER, block INTEGER) STRICT;"
	"CREATE VIEW IF NOT EXISTS v_anchor_batches AS SELECT batch, first_seq,"
	"  first_seq + count - 1 AS last_seq, count, root, state, nonce,"
	"  tx_hash, sends,"
	"  strftime('%Y-%m-%dT%H:%M:%SZ', formed_at, 'unixepoch') AS formed_at,"
	"  strftime('%Y-%m-%dT%H:%M:%SZ', sent_at, 'unixepoch') AS sent_at,"
	"  strftime('%Y-%m-%dT%H:%M:%SZ', anchored_at, 'unixepoch')"
	"  AS anchored_at, block FROM anchor_batches;";

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
	    !store_meta_set_hex(s, "registry", id->registry, 20, err, errsz) ||
	    !store_meta_set_int(s, "checkpoint_number", id->checkpoint_number,
	    err, errsz) ||
	    !store_meta_set_hex(s, "checkpoint_hash", id->checkpoint_hash, 32,
	    err, errsz) ||
	    !store_meta_set_int(s, "event_count", 0, err, errsz) ||
	    !store_meta_set_hex(s, "event_digest", (const uint8_t[32]){ 0 }, 32,
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
	/* Engine snapshots, the registry's anchors, install reports and
	 * their batches came after schema 1; an older file gains their tables on its first open
	 * for writing. */
	if (!store_exec(s, store_engine_schema, err, errsz) ||
	    !store_exec(s, registry_tables_added_sql, err, errsz) ||
	    !store_exec(s, store_installs_schema, err, errsz) ||
	    !store_exec(s, store_anchor_schema, err, errsz))
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
