/* store.h: the SQLite cache of verified registry state.  WAL, synchronous
 * FULL, STRICT tables; one transaction per verified batch, so a crash at any
 * instant leaves the last committed batch and nothing half-done.  The schema
 * is documented in licgated(8). */
#ifndef LICGATE_STORE_H
#define LICGATE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define STORE_SCHEMA_VERSION 2
#define STORE_APPLICATION_ID 0x4c474154	/* "LGAT" */

struct store;

/* What a database is for; fixed when it is created, checked at every open. */
struct store_identity {
	uint64_t chain_id;
	uint8_t registry[20];
	uint64_t checkpoint_number;
	uint8_t checkpoint_hash[32];
};

/* Where the verified chain stands. */
struct store_cursor {
	int has_head;			/* 0 on an empty database */
	uint64_t head_number;		/* last verified block */
	uint8_t head_hash[32];
	uint64_t head_time;
	int has_applied;
	uint64_t applied_number;	/* state tables hold events up to here */
	uint64_t applied_time;		/* that block's timestamp */
	uint64_t event_count;		/* verified events, pending included */
	uint8_t event_digest[32];	/* the registry's running digest */
	int has_proved;
	uint64_t proved_number;		/* digest proved at this block; the
					 * events above it are pending */
};

/* A verified header, as kept for the reorg window. */
struct store_block {
	uint64_t number;
	uint8_t hash[32];
	uint8_t parent_hash[32];
	uint8_t state_root[32];
	uint64_t timestamp;
};

/* A verified registry log, its position taken from the receipts. */
struct store_event {
	uint64_t block_number;
	uint8_t block_hash[32];
	uint64_t tx_index;
	uint64_t log_index;		/* position in the block */
	const uint8_t (*topics)[32];
	size_t ntopics;
	const uint8_t *data;
	size_t data_len;
	uint64_t block_time;		/* the block's timestamp */
	const uint8_t *data_hash;	/* keccak256(data), or NULL */
};

/* Opens (creating if absent) the database at path for writing.  Refuses a
 * file that is not a licgate database, one of a newer schema, or one made
 * for another chain, registry or checkpoint.  A database of schema 1 is
 * brought to this schema in one transaction (the licenses index added, the
 * state tables and event args written again from the stored events).
 * Returns 1, or 0 with one line in err. */
int store_open(struct store **out, const char *path,
    const struct store_identity *id, char *err, size_t errsz)
    __attribute__((warn_unused_result));

/* Opens an existing database read-only (licgatectl, HTTP readers).  *id is
 * filled from meta when id is not NULL.  A schema 1 database is read as it
 * is (without the index of schema 2, and with the strings of its time)
 * until licgated opens it for writing. */
int store_open_ro(struct store **out, const char *path,
    struct store_identity *id, char *err, size_t errsz)
    __attribute__((warn_unused_result));

void store_close(struct store *s);

/* Reads the cursor (committed state plus any open transaction's). */
int store_cursor(struct store *s, struct store_cursor *c, char *err,
    size_t errsz) __attribute__((warn_unused_result));

/* Hash of the kept block at number; *found says whether it is kept. */
int store_block_hash(struct store *s, uint64_t number, uint8_t hash[32],
    int *found, char *err, size_t errsz) __attribute__((warn_unused_result));

/* A batch: begin, add blocks (ascending) and their events (in block order),
 * set the head, apply what became confirmed, commit.  Anything that fails
 * leaves the transaction open for store_abort. */
int store_begin(struct store *s, char *err, size_t errsz)
    __attribute__((warn_unused_result));
int store_add_block(struct store *s, const struct store_block *b,
    size_t nevents, char *err, size_t errsz)
    __attribute__((warn_unused_result));
/* Decodes the event (refusing what registry_decode refuses), numbers it,
 * and folds it into the cursor's digest.  With final set, and every event
 * stored before it applied already, it is applied to the state tables as
 * decoded and its block becomes the applied block; otherwise it waits for
 * store_apply_through like any other.  Events must come in chain order. */
int store_add_event(struct store *s, const struct store_event *e,
    int final, char *err, size_t errsz) __attribute__((warn_unused_result));
int store_set_head(struct store *s, const struct store_block *b,
    char *err, size_t errsz) __attribute__((warn_unused_result));
/* Applies to the state tables every event of blocks <= number not yet
 * applied, and records number as the applied block. */
int store_apply_through(struct store *s, uint64_t number, char *err,
    size_t errsz) __attribute__((warn_unused_result));
/* Records that the registry's digest was proved at block number (in the
 * open batch): the events up to it are no longer pending. */
void store_set_proved(struct store *s, uint64_t number);
/* The count and digest of the events of blocks <= number. */
int store_digest_at(struct store *s, uint64_t number, uint64_t *count,
    uint8_t digest[32], char *err, size_t errsz)
    __attribute__((warn_unused_result));
/* How many stored events are pending: above the proved block. */
int store_pending(struct store *s, uint64_t *n, char *err, size_t errsz)
    __attribute__((warn_unused_result));
/* Forgets kept headers below number that carried no events, and the
 * engine states below it. */
int store_prune(struct store *s, uint64_t number, char *err, size_t errsz)
    __attribute__((warn_unused_result));
int store_commit(struct store *s, char *err, size_t errsz)
    __attribute__((warn_unused_result));
void store_abort(struct store *s);

/* The consensus engine's saved state after block number: put inside a
 * batch (it is rewound and pruned with the blocks), got with *found 0 when
 * none is kept (copied into out, at most cap bytes). */
int store_engine_put(struct store *s, uint64_t number, const uint8_t *data,
    size_t len, char *err, size_t errsz) __attribute__((warn_unused_result));
int store_engine_get(struct store *s, uint64_t number, uint8_t *out,
    size_t cap, size_t *len, int *found, char *err, size_t errsz)
    __attribute__((warn_unused_result));

/* Drops, in one transaction, the blocks above number and their events;
 * number becomes the head.  Refuses to go below the applied block (that
 * state is final) or to a block that is not kept. */
int store_rewind(struct store *s, uint64_t number, char *err, size_t errsz)
    __attribute__((warn_unused_result));

/* Recomputes the state tables from the applied events alone, in one
 * transaction. */
int store_rebuild(struct store *s, char *err, size_t errsz)
    __attribute__((warn_unused_result));

/* Records (or with msg NULL clears) the follower's last error, with time. */
int store_set_error(struct store *s, const char *msg, uint64_t now,
    char *err, size_t errsz) __attribute__((warn_unused_result));

/* Records the node's head as last seen and when (for status and lag). */
int store_note_sync(struct store *s, uint64_t node_head, uint64_t now,
    char *err, size_t errsz) __attribute__((warn_unused_result));

/* Records, at licgated's start, the address it signs with (meta
 * "gateway"), its chain.engine ("engine") and chain.node_is_trusted
 * ("node_is_trusted"), so that status can say what they mean. */
int store_note_gateway(struct store *s, const uint8_t address[20],
    const char *engine, int node_is_trusted, char *err, size_t errsz)
    __attribute__((warn_unused_result));

/* What the effective state says of a gateway address. */
enum store_gw_state {
	STORE_GW_NONE = 0,		/* never authorised */
	STORE_GW_AUTHORISED = 1,
	STORE_GW_WITHDRAWN = 2
};
struct store_gateway {
	enum store_gw_state state;
	uint64_t block;			/* of the last change; 0 for NONE */
	char label[1040];		/* as stored (escaped text) */
};
int store_gateway(struct store *s, const uint8_t address[20],
    struct store_gateway *out, char *err, size_t errsz)
    __attribute__((warn_unused_result));

/* The registry state (vendors, gateways, devices, firmware, floors,
 * licenses, admin, event count) as JSON in the shape of the test harness's
 * `registry.mjs dump`.  New reference, or NULL with err. */
json_t *store_dump(struct store *s, char *err, size_t errsz);

/* A device as the state tables hold it. */
struct store_device_row {
	int found;
	int revoked;
	uint8_t role;
	uint8_t public_key[65];		/* as registered */
	size_t public_key_len;
};

/* A firmware image as the state tables hold it, with the floor of its
 * (vendor, role) and whether its vendor is still a registry vendor. */
struct store_firmware_row {
	int found;
	uint8_t vendor[20];
	uint64_t version;
	uint8_t role;
	uint64_t end_of_support;	/* unix seconds; 0 = no end */
	int revoked;
	uint64_t min_version;		/* the floor; 0 if none */
	int vendor_active;
};

/* A license as the state tables hold it. */
struct store_license_row {
	uint64_t id;
	int revoked;
	uint8_t vendor[20];
	uint8_t role;
	uint64_t max_version;
	uint64_t not_before;		/* unix seconds, inclusive */
	uint64_t expires_at;		/* exclusive; 0 = no end */
};

/* Everything an attestation needs about (device, firmware) at time now,
 * read in one read transaction so that all of it comes from one commit:
 * the applied block (number, time, hash), the device and firmware rows,
 * and of the device's licenses that cover the firmware (its vendor and
 * role, max_version >= version) the one the verdict rests on, chosen in
 * SQL among all of them (no cap on their number): a valid one, lasting
 * longest, else an expired one, else a revoked one, else one not yet
 * started; the newest among equals.  next_change is the earliest instant
 * after now at which the verdict can change by the clock alone (a covering
 * unrevoked license starting or ending, the end of support), 0 if none.
 * Returns 1, or 0 with err (a database error, or an applied block that is
 * not kept). */
struct store_lookup {
	int has_applied;
	uint64_t applied_number;
	uint64_t applied_time;
	uint8_t applied_hash[32];
	struct store_device_row device;
	struct store_firmware_row firmware;
	struct store_license_row license;	/* valid when nlicenses is 1 */
	size_t nlicenses;		/* 0 or 1 */
	uint64_t next_change;
};
int store_lookup(struct store *s, const uint8_t device[20],
    const uint8_t firmware[32], uint64_t now, struct store_lookup *out,
    char *err, size_t errsz) __attribute__((warn_unused_result));

/* Only the device part of store_lookup; the rest of out is zero. */
int store_lookup_device(struct store *s, const uint8_t device[20],
    struct store_lookup *out, char *err, size_t errsz)
    __attribute__((warn_unused_result));

/* One row of a state table as a JSON object (column names as keys, text as
 * strings, integers as numbers), selected by key; *found says whether it
 * exists.  table is one of "devices", "firmware", "licenses", "gateways". */
json_t *store_row_json(struct store *s, const char *table, const char *key,
    int *found, char *err, size_t errsz);

/* Counts for status: rows of vendors, gateways, devices, firmware,
 * licenses and events, as a JSON object; meta's node_head, checked_at,
 * last_error and last_error_time when present; and "authorisation" (address,
 * state "authorised", "withdrawn" or "not-authorised", label, block) and
 * "engine" (name, node_is_trusted) once licgated has noted them; and
 * "anchoring" (unanchored, batches, anchored_batches, sends, last_block,
 * in_flight, error, error_time, no_funds) when the database has install
 * reports' batches. */
json_t *store_status_json(struct store *s, char *err, size_t errsz);

/* A stored event as licgatectl events shows it; the strings are valid
 * until the callback returns. */
struct store_event_row {
	uint64_t seq;			/* 1 for the registry's first event */
	uint64_t block_number;
	const char *time;		/* its block's time, ISO 8601 UTC */
	uint64_t tx_index;
	uint64_t log_index;
	const char *kind;		/* the event's name */
	const char *args;		/* JSON text, as registry_args_text */
	int effective;			/* applied; 0 while in the window */
};

/* Calls fn(arg, row) for each stored event of blocks >= since, in order,
 * until fn returns 0.  Returns 1, or 0 with err. */
int store_events(struct store *s, uint64_t since,
    int (*fn)(void *, const struct store_event_row *), void *arg, char *err,
    size_t errsz) __attribute__((warn_unused_result));

/* Install reports (store_install.c) ------------------------------------- */

/* One verified report to store.  report (borrowed) is the device's COSE
 * bytes; seq and duplicate are filled by store_installs_add. */
struct store_install {
	uint8_t device[20];
	uint8_t firmware[32];
	uint64_t version;
	int has_replaced;
	uint8_t replaced[32];
	int has_cti;
	uint8_t cti[4];
	uint64_t block;			/* attestation's block; 0: none */
	uint8_t nonce[32];
	size_t nonce_len;
	uint64_t reported_at;		/* the report's iat */
	uint64_t received_at;		/* the gateway's clock */
	const uint8_t *report;
	size_t report_len;
	uint64_t seq;			/* out: its number; 0 if duplicate */
	int duplicate;			/* out: (device, nonce) known */
};

/* Stores rows[0..n) in one transaction (one fsync for all), numbering
 * each; a row whose (device, nonce) is stored already is skipped
 * and marked duplicate, so that a replay is refused across restarts.
 * Returns 1 once committed, or 0 with err and nothing stored. */
int store_installs_add(struct store *s, struct store_install *rows,
    size_t n, char *err, size_t errsz) __attribute__((warn_unused_result));

/* The bytes of report seq (a new buffer the caller frees) and its leaf;
 * *found 0 when there is none.  Returns 1, or 0 with err. */
int store_install_get(struct store *s, uint64_t seq, uint8_t **report,
    size_t *len, uint8_t leaf[32], int *found, char *err, size_t errsz)
    __attribute__((warn_unused_result));

/* The leaves of reports first .. first + n - 1, in order, into leaves
 * (n entries); *complete 0 when one of them is not stored.  Returns 1, or
 * 0 with err. */
int store_install_leaves(struct store *s, uint64_t first, uint64_t n,
    uint8_t (*leaves)[32], int *complete, char *err, size_t errsz)
    __attribute__((warn_unused_result));

/* Where report seq stands in licgated's anchoring: its batch
 * (installs.batch; *batch 0 before one is formed) and, in a file that
 * keeps the batches' transactions (anchor_batches), the hash of the last
 * one signed for it (*has_tx).  Returns 1, or 0 with err. */
int store_install_batch(struct store *s, uint64_t seq, uint64_t *batch,
    int *has_tx, uint8_t tx_hash[32], char *err, size_t errsz)
    __attribute__((warn_unused_result));

/* A verified, final anchor (the anchors table) of a batch holding a
 * report, with where its InstallsAnchored log is (the events table). */
struct store_install_anchor {
	uint8_t gateway[20];
	uint8_t root[32];
	uint64_t first_seq, count;
	uint64_t block_number;
	uint8_t block_hash[32];
	uint64_t tx_index, log_index;
};

/* The anchors whose batch holds seq, those of gateway first (NULL: no
 * preference), then by block: at most max into out, *n of them (a batch's
 * first_seq counts in its own gateway's sequence, so the caller checks
 * which one the report is really in).  Returns 1, or 0 with err. */
int store_install_anchors(struct store *s, uint64_t seq,
    const uint8_t *gateway, struct store_install_anchor *out, size_t max,
    size_t *n, char *err, size_t errsz) __attribute__((warn_unused_result));

/* A stored report as licgatectl installs shows it (v_installs); the
 * strings are hex or ISO 8601 UTC, valid until the callback returns;
 * replaced and cti are NULL when the report has none. */
struct store_install_row {
	uint64_t seq;
	const char *device, *firmware;
	uint64_t version;
	const char *replaced, *cti;
	uint64_t block;			/* 0: none */
	const char *reported_at, *received_at;
	const char *leaf;
};

/* Calls fn(arg, row) for each stored report with seq >= since, in order,
 * until fn returns 0.  Returns 1, or 0 with err. */
int store_installs(struct store *s, uint64_t since,
    int (*fn)(void *, const struct store_install_row *), void *arg,
    char *err, size_t errsz) __attribute__((warn_unused_result));

/* Anchoring install reports (store_anchor.c) ----------------------------- */

/* A signed anchoring transaction holds 100 bytes of call data and its
 * fields; this is room to spare. */
#define STORE_ANCHOR_RAW_MAX 512

/* The transaction that anchors a batch, kept before it is sent. */
struct store_anchor_tx {
	int type;			/* 0 legacy, 2 EIP-1559 */
	uint64_t nonce;
	uint64_t gas_limit;
	uint64_t gas_price;		/* legacy */
	uint64_t max_fee;		/* EIP-1559 */
	uint64_t max_priority_fee;	/* EIP-1559 */
	uint8_t hash[32];
	uint8_t raw[STORE_ANCHOR_RAW_MAX];
	size_t raw_len;
};

/* A batch: reports first_seq .. first_seq + count - 1 and their root. */
struct store_anchor_batch {
	uint64_t id;
	uint64_t first_seq;
	uint64_t count;
	uint8_t root[32];
	int has_tx;			/* tx signed and kept */
	struct store_anchor_tx tx;
	uint64_t since_block;		/* node head when tx was signed */
	uint64_t sends;			/* times the node took a send */
	uint64_t sent_at;		/* last send; 0: never */
};

/* The reports not in a batch yet: how many, and when the oldest came
 * (0 when none).  Returns 1, or 0 with err. */
int store_anchor_pending(struct store *s, uint64_t *n, uint64_t *oldest,
    char *err, size_t errsz) __attribute__((warn_unused_result));

/* Forms, in one transaction, the next batch of at most max reports:
 * those after the last batch, in seq order, without a gap; sets their
 * installs.batch.  *formed is 0 when no report waits.  Returns 1, or 0
 * with err and nothing changed. */
int store_anchor_form(struct store *s, uint64_t max, uint64_t now,
    struct store_anchor_batch *b, int *formed, char *err, size_t errsz)
    __attribute__((warn_unused_result));

/* The oldest batch not anchored yet (*found 0 when none).  Returns 1, or
 * 0 with err. */
int store_anchor_open(struct store *s, struct store_anchor_batch *b,
    int *found, char *err, size_t errsz) __attribute__((warn_unused_result));

/* Keeps b->tx (signed, not sent yet) and b->since_block as the batch's
 * transaction, replacing any earlier one.  Returns 1 once committed. */
int store_anchor_set_tx(struct store *s, const struct store_anchor_batch *b,
    char *err, size_t errsz) __attribute__((warn_unused_result));

/* The node took the batch's transaction at now (sends + 1, sent_at). */
int store_anchor_sent(struct store *s, uint64_t id, uint64_t now, char *err,
    size_t errsz) __attribute__((warn_unused_result));

/* Whether the verified, final state holds gateway's anchor of b (root,
 * first_seq and count); *block is its block.  Returns 1, or 0 with err. */
int store_anchor_verified(struct store *s, const uint8_t gateway[20],
    const struct store_anchor_batch *b, int *found, uint64_t *block,
    char *err, size_t errsz) __attribute__((warn_unused_result));

/* Marks batch id and its reports anchored at block, in one transaction. */
int store_anchor_mark(struct store *s, uint64_t id, uint64_t block,
    uint64_t now, char *err, size_t errsz)
    __attribute__((warn_unused_result));

/* Records (msg NULL: clears) the anchoring's error, with time and
 * whether it is a lack of funds (meta anchor_error, anchor_error_time,
 * anchor_no_funds). */
int store_anchor_set_error(struct store *s, const char *msg, int no_funds,
    uint64_t now, char *err, size_t errsz)
    __attribute__((warn_unused_result));

#endif
