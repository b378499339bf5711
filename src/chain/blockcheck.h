/* blockcheck.h: does a block's receipt set belong to its verified header? */
#ifndef LICGATE_BLOCKCHECK_H
#define LICGATE_BLOCKCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "chain/bloom.h"
#include "chain/header.h"
#include "chain/receipts.h"

/* What a verified header says about its block's receipts: all a follower
 * keeps of it to check them, a tenth of a whole header. */
struct receipts_claim {
	uint64_t number;
	uint8_t hash[32];
	uint8_t receipts_root[32];
	uint8_t bloom[BLOOM_BYTES];
	uint64_t gas_used;
};

/* The claim of header h, whose hash is hash. */
void receipts_claim_of(struct receipts_claim *c, const struct header *h,
    const uint8_t hash[32]);

/* Checks rs against claim c: every receipt's bloom against its logs, the
 * RPC's position claims (block hash and number, transaction and log index)
 * against the real positions, cumulative gas rising by each gasUsed, the
 * trie root against receiptsRoot, the header's bloom as the OR of the
 * receipts', and the total gas.  Returns 1, or 0 with one line in msg
 * saying what did not hold. */
int blockcheck_receipts(const struct receipts *rs,
    const struct receipts_claim *c, char *msg, size_t msgsz)
    __attribute__((warn_unused_result));

#endif
