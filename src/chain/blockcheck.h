/* blockcheck.h: does a block's receipt set belong to its verified header? */
#ifndef LICGATE_BLOCKCHECK_H
#define LICGATE_BLOCKCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "chain/header.h"
#include "chain/receipts.h"

/* Checks rs against h, whose hash is hash: every receipt's bloom against its
 * logs, the RPC's position claims (block hash and number, transaction and
 * log index) against the real positions, cumulative gas rising by each
 * gasUsed, the trie root against receiptsRoot, the header's bloom as the
 * OR of the receipts', and the total gas.  Returns 1, or 0 with one line in
 * msg saying what did not hold. */
int blockcheck_receipts(const struct receipts *rs, const struct header *h,
    const uint8_t hash[32], char *msg, size_t msgsz)
    __attribute__((warn_unused_result));

#endif
