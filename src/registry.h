/* registry.h: what the LicenseRegistry contract means to a gateway, in
 * one place: its events (the only input a gateway believes) and a strict
 * decoder for their ABI encoding, the digest it keeps of them and the
 * storage slots that hold it, and what each event does to the state
 * tables (which the store runs).  Changing the contract changes this
 * module and its test. */
#ifndef LICGATE_REGISTRY_H
#define LICGATE_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define REGISTRY_MAX_ARGS 8
#define REGISTRY_MAX_TEXT 256		/* bytes in a name, label or uri */
#define REGISTRY_MAX_PUBKEY 65		/* bytes in a device public key */
#define REGISTRY_MAX_DATA 4096		/* bytes of log data */

enum registry_kind {
	REG_ADMIN_TRANSFERRED,
	REG_VENDOR_ADDED,
	REG_VENDOR_REMOVED,
	REG_GATEWAY_AUTHORIZED,
	REG_GATEWAY_WITHDRAWN,
	REG_DEVICE_REGISTERED,
	REG_DEVICE_ROLE_CHANGED,
	REG_DEVICE_REVOKED,
	REG_FIRMWARE_REGISTERED,
	REG_FIRMWARE_REVOKED,
	REG_FLOOR_RAISED,
	REG_LICENSE_ISSUED,
	REG_LICENSE_RENEWED,
	REG_LICENSE_REVOKED,
	REG_INSTALLS_ANCHORED,
	REG_KIND_COUNT
};

enum abi_type {
	ABI_ADDRESS, ABI_UINT8, ABI_UINT32, ABI_UINT64, ABI_UINT256,
	ABI_BYTES32, ABI_BYTES, ABI_STRING
};

struct registry_arg {
	const char *name;
	enum abi_type type;
	int indexed;
};

/* One row of the event table. */
struct registry_def {
	enum registry_kind kind;
	const char *name;
	const char *signature;		/* canonical, e.g. "VendorRemoved(address)" */
	const char *topic0;		/* keccak256(signature), 0x hex */
	struct registry_arg args[REGISTRY_MAX_ARGS];
	size_t nargs;
};

/* A decoded argument: static values as their 32-byte word (addresses in the
 * last 20 bytes, integers big-endian); bytes and strings point into the log
 * data they were decoded from. */
struct registry_value {
	uint8_t word[32];
	const uint8_t *ptr;
	size_t len;
};

struct registry_event {
	const struct registry_def *def;
	struct registry_value v[REGISTRY_MAX_ARGS];	/* in declaration order */
};

/* The table, REG_KIND_COUNT rows indexed by kind. */
extern const struct registry_def registry_defs[REG_KIND_COUNT];

/* Decodes a registry log.  Rejects an unknown topic0, a topic count that
 * does not fit the event, non-zero padding in topics or words, data that is
 * short, long, or whose offsets are not where a canonical encoder puts them,
 * lengths past the end, non-zero tail padding and values over the caps (the
 * contract's own).  Strings are bytes, as the contract takes them: any
 * content is accepted (see registry_text).  ev borrows data.  Returns 1, or
 * 0 with *why. */
int registry_decode(struct registry_event *ev, const uint8_t (*topics)[32],
    size_t ntopics, const uint8_t *data, size_t len, const char **why)
    __attribute__((warn_unused_result));

/* Typed reads of argument i (which must have the matching type). */
uint64_t registry_u64(const struct registry_event *ev, size_t i);
const uint8_t *registry_addr(const struct registry_event *ev, size_t i);

/* A registry string (a name, label or uri: any bytes) as text, the one
 * form in which gateways show and store it: well-formed UTF-8 printable
 * characters as they are, a backslash as two, and every other byte (C0
 * controls, DEL, each byte of a C1 control, each byte that is not part of
 * well-formed UTF-8) as \xHH in lowercase hex.  The text is valid UTF-8
 * without NUL or control characters, and the bytes can be read back from
 * it.  out holds REGISTRY_TEXT_SIZE(n) bytes; returns the length written
 * before the terminating NUL. */
#define REGISTRY_TEXT_SIZE(n) (4 * (n) + 1)
size_t registry_text(char *out, const uint8_t *p, size_t n);

/* The same into a new string the caller frees; *len (if not NULL) gets
 * its length. */
char *registry_text_alloc(const uint8_t *p, size_t n, size_t *len);

/* The arguments as a JSON object: addresses, bytes32, bytes and uint256 as
 * lowercase 0x hex, smaller integers as numbers, strings as registry_text.
 * New reference for the caller. */
json_t *registry_args_json(const struct registry_event *ev);

/* The same object as text, byte for byte what jansson's json_dumps gives
 * for it with JSON_COMPACT | JSON_SORT_KEYS, written without building it
 * (the follower stores one per event).  The caller frees it. */
char *registry_args_text(const struct registry_event *ev);

/* The calldata of anchorInstalls(root, firstSeq, count), the call an
 * authorised gateway makes to anchor a batch of install reports:
 * the function's selector and three ABI words. */
#define REGISTRY_ANCHOR_CALL_LEN 100
void registry_anchor_call(uint8_t out[REGISTRY_ANCHOR_CALL_LEN],
    const uint8_t root[32], uint64_t first_seq, uint64_t count);

/* The contract's storage slots of eventCount and eventDigest (its first
 * two state variables: LicenseRegistry.sol says nothing may move them),
 * as eth_getProof keys. */
extern const uint8_t registry_slot_count[32];
extern const uint8_t registry_slot_digest[32];

/* The storage slot of devices[device] (a Device struct in one word:
 * vendor in the low 20 bytes, then role, then revoked) and of
 * isGateway[gateway] (1 while authorised), as eth_getProof keys: the
 * contract's mappings in slots 6 and 5, keyed as Solidity keys a mapping
 * (keccak256 of the key and the slot, each as a word). */
void registry_slot_device(uint8_t out[32], const uint8_t device[20]);
void registry_slot_gateway(uint8_t out[32], const uint8_t gateway[20]);

/* A devices[] word read back (value: minimal big-endian, as eth_getProof
 * gives it, len <= 32): *registered when its vendor is not zero (the
 * contract's own test), *revoked its flag.  Returns 0 for a value longer
 * than 32 bytes. */
int registry_device_word(int *registered, int *revoked, const uint8_t *value,
    size_t len) __attribute__((warn_unused_result));

/* The digest the contract keeps of its own logs (eventDigest), folded
 * over them in emission order from 32 zero bytes:
 * d = keccak256(d || topics || keccak256(data)). */
void registry_digest_step(uint8_t d[32], const uint8_t (*topics)[32],
    size_t ntopics, const uint8_t *data, size_t len);
/* The same with keccak256(data) already known. */
void registry_digest_step_hashed(uint8_t d[32], const uint8_t (*topics)[32],
    size_t ntopics, const uint8_t data_hash[32]);

/* What the events do to a gateway's state.  The store runs these
 * statements and owns the rest of the database (meta, blocks, events). */

/* The state tables (vendors, gateways, devices, firmware, floors,
 * licenses, anchors), their indexes and views, as SQL statements; the
 * empty state's tables. */
extern const char registry_tables_sql[];
/* The tables added since the first schema, each created only if missing:
 * run on every open for writing, so that an older file gains them. */
extern const char registry_tables_added_sql[];
/* Empties them: the state made from no event (the admin is meta's row
 * "admin"). */
extern const char registry_clear_sql[];

/* One statement per event kind, applying it to the state tables:
 * argument k binds as registry_sql_arg gives it to ?k+1, the block
 * number to ?REGISTRY_SQL_BLOCK. */
#define REGISTRY_SQL_BLOCK 9
extern const char *const registry_apply_sql[REG_KIND_COUNT];

/* An argument as the state tables keep it: text (owned, 0x hex or
 * registry_text) when text is not NULL, else the integer num. */
struct registry_sql_value {
	char *text;
	int64_t num;
};

/* Argument k of ev as the state tables keep it: addresses, bytes32, bytes
 * and uint256 as lowercase 0x hex, license ids and smaller integers as
 * integers (those past INT64_MAX as INT64_MAX), strings as registry_text.
 * Refuses a license id that does not fit an SQLite integer.  The caller
 * frees out->text.  Returns 1, or 0 with *why. */
int registry_sql_arg(struct registry_sql_value *out,
    const struct registry_event *ev, size_t k, const char **why)
    __attribute__((warn_unused_result));

/* The state as the test harness's `registry.mjs dump` shows it (licgatectl
 * dump): for each member, an SQL query giving the key and then the
 * columns, and each column's field name and form.  A column list whose
 * first name is NULL maps keys to plain values; the table ends with a
 * NULL member. */
enum registry_dump_as {
	REGISTRY_AS_TEXT, REGISTRY_AS_INT, REGISTRY_AS_BOOL,
	REGISTRY_AS_SHORT_HEX		/* ethers' toBeHex of a 0x word */
};
struct registry_dump_col {
	const char *name;
	enum registry_dump_as as;
};
struct registry_dump_table {
	const char *member;
	const char *sql;
	struct registry_dump_col cols[9];	/* NULL name ends the list */
};
extern const struct registry_dump_table registry_dump_tables[];

#endif
