/* receipts.h: a block's receipts from eth_getBlockReceipts JSON or from raw
 * consensus bytes, their encoding, blooms and trie root. */
#ifndef LICGATE_RECEIPTS_H
#define LICGATE_RECEIPTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "chain/bloom.h"
#include "chain/jsonv.h"
#include "chain/rlp.h"

#define RECEIPTS_MAX 65536		/* receipts per block */
#define RECEIPT_MAX_LOGS 65536		/* logs per receipt */
#define LOG_MAX_TOPICS 4
#define LOG_MAX_DATA (1u << 20)		/* bytes of data per log */

/* Where the RPC answer says an item sits; each member only when present.
 * None of it is committed to by the receipts root, so it is cross-checked
 * against the verified block and the item's real position. */
struct rpc_pos {
	int has_block_hash, has_block_number, has_tx_index, has_log_index;
	uint8_t block_hash[32];
	uint64_t block_number;
	uint64_t tx_index;
	uint64_t log_index;
};

struct log_entry {
	uint8_t address[20];
	uint8_t topics[LOG_MAX_TOPICS][32];
	size_t ntopics;
	uint8_t *data;			/* owned */
	size_t data_len;
	struct rpc_pos pos;
};

struct receipt {
	uint8_t type;			/* 0 legacy, 1..4 typed */
	int has_root;			/* pre-Byzantium: post-state root, no status */
	uint8_t root[32];
	uint64_t status;
	uint64_t cumulative_gas;
	uint8_t bloom[BLOOM_BYTES];
	struct log_entry *logs;		/* owned, in block order */
	size_t nlogs;
	struct rpc_pos pos;
	int has_gas_used;		/* the RPC's per-transaction gasUsed */
	uint64_t gas_used;
};

struct receipts {
	struct receipt *r;		/* owned; index = transaction index */
	size_t n;
};

/* Reads an eth_getBlockReceipts answer (a JSON array).  Fails with e->path
 * under path.  On success the caller frees out with receipts_free. */
int receipts_from_json(struct receipts *out, const json_t *arr,
    const char *path, struct jerr *e) __attribute__((warn_unused_result));

/* The same from the answer's JSON text (len bytes, no NUL needed), read in
 * place: what the follower uses on every block. */
int receipts_from_text(struct receipts *out, const char *text, size_t len,
    const char *path, struct jerr *e) __attribute__((warn_unused_result));

/* Reads debug_getRawReceipts answers: an array of 0x consensus encodings. */
int receipts_from_raw(struct receipts *out, const json_t *arr,
    const char *path, struct jerr *e) __attribute__((warn_unused_result));

void receipts_free(struct receipts *rs);

/* Appends the consensus encoding (type byte, then the RLP list) to b. */
void receipt_encode(struct rlp_buf *b, const struct receipt *r);

/* The receipts trie root. */
void receipts_root(uint8_t out[32], const struct receipts *rs);

/* The bloom of r's logs, computed from them. */
void receipt_bloom(uint8_t out[BLOOM_BYTES], const struct receipt *r);

#endif
