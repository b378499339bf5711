/* header.h: Ethereum block headers from JSON-RPC to RLP to hash, for every
 * fork's layout (15 fields up to Prague's 21). */
#ifndef LICGATE_HEADER_H
#define LICGATE_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "chain/jsonv.h"
#include "chain/rlp.h"

/* Largest extraData accepted: Clique and QBFT carry signer lists and seals. */
#define HEADER_MAX_EXTRA 4096
/* Largest seal field (an Aura signature is 65 bytes). */
#define HEADER_MAX_SEAL 65

/* Field counts of the layouts, by the fork that added the last field. */
enum header_layout {
	HEADER_LEGACY = 15,	/* Frontier .. Berlin */
	HEADER_LONDON = 16,	/* + baseFeePerGas */
	HEADER_SHANGHAI = 17,	/* + withdrawalsRoot */
	HEADER_CANCUN = 20,	/* + blobGasUsed, excessBlobGas, parentBeaconBlockRoot */
	HEADER_PRAGUE = 21	/* + requestsHash */
};

struct header {
	uint8_t parent_hash[32];
	uint8_t uncles_hash[32];	/* sha3Uncles */
	uint8_t coinbase[20];		/* miner */
	uint8_t state_root[32];
	uint8_t tx_root[32];		/* transactionsRoot */
	uint8_t receipts_root[32];
	uint8_t bloom[256];		/* logsBloom */
	uint8_t difficulty[32];		/* minimal big-endian */
	size_t difficulty_len;
	uint64_t number;
	uint64_t gas_limit;
	uint64_t gas_used;
	uint64_t timestamp;
	uint8_t extra[HEADER_MAX_EXTRA];	/* extraData */
	size_t extra_len;
	/* The two seal fields: mixHash and nonce on Ethereum (32 and 8 bytes);
	 * Aura chains put a step and a 65-byte signature there instead. */
	uint8_t mix_hash[HEADER_MAX_SEAL];
	size_t mix_hash_len;
	uint8_t nonce[HEADER_MAX_SEAL];
	size_t nonce_len;
	enum header_layout layout;	/* which of the fields below exist */
	uint8_t base_fee[32];		/* baseFeePerGas, minimal big-endian */
	size_t base_fee_len;
	uint8_t withdrawals_root[32];
	uint64_t blob_gas_used;
	uint64_t excess_blob_gas;
	uint8_t parent_beacon_root[32];	/* parentBeaconBlockRoot */
	uint8_t requests_hash[32];
	uint8_t claimed_hash[32];	/* the JSON "hash", if has_claimed_hash */
	int has_claimed_hash;
};

/* Reads a header from an eth_getBlockByNumber-style object (extra members
 * such as transactions are ignored).  The layout follows from which optional
 * fields are present; a field of a later fork without those of the earlier
 * ones is an error.  Fails with e->path under path (e.g. "$" or "$.header"). */
int header_from_json(struct header *h, const json_t *obj, const char *path,
    struct jerr *e) __attribute__((warn_unused_result));

/* The same from an answer's JSON text (len bytes), read in place: the rest
 * of the block (transactions, uncles, withdrawals) is checked to be JSON
 * and skipped without being built. */
int header_from_text(struct header *h, const char *text, size_t len,
    const char *path, struct jerr *e) __attribute__((warn_unused_result));

/* Appends the header's RLP (all fields of its layout) to b. */
void header_encode(struct rlp_buf *b, const struct header *h);

/* keccak256(rlp(header)). */
void header_hash(uint8_t out[32], const struct header *h);

/* Decodes a header from its RLP (the layout from the field count). */
int header_from_rlp(struct header *h, const uint8_t *rlp, size_t len,
    const char **why) __attribute__((warn_unused_result));

#endif
