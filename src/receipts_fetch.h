/* receipts_fetch.h: the receipts of blocks from any node.  Nodes that do not
 * serve eth_getBlockReceipts (GoQuorum and geth before 1.13, Besu before
 * 23.7.2, ganache, Hardhat) are asked eth_getBlockByNumber(n, false) for
 * each block's transaction hashes, then eth_getTransactionReceipt for each
 * of them, in JSON-RPC batches; the answer is the same text either way.
 * Nothing is believed here: the caller checks the receipts against the
 * verified header's receiptsRoot. */
#ifndef LICGATE_RECEIPTS_FETCH_H
#define LICGATE_RECEIPTS_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "rpc.h"

#define RECEIPTS_FETCH_PER_BATCH 100	/* calls per JSON-RPC batch */
#define RECEIPTS_FETCH_MAX_TXS 65536	/* transactions per block */

/* Like rpc_batch_text for eth_getBlockReceipts of blocks nums[0..n):
 * spans[i] is the text of block nums[i]'s receipts array, inside *body,
 * which the caller frees (NULL on failure).  An endpoint that answers it
 * does not serve eth_getBlockReceipts is noted on c (rpc_client_set_lacks),
 * logged once, and from then on asked for each transaction's receipt; the
 * arrays are then assembled in transaction order, and a receipt the node
 * does not have is an error naming the block and the transaction.  The
 * body is at most what eth_getBlockReceipts would have answered, plus a
 * comma between receipts.  Returns 1, or 0 with err. */
int receipts_fetch_text(struct rpc_client *c, char **body,
    struct rpc_span *spans, const uint64_t *nums, size_t n,
    struct rpc_error *err) __attribute__((warn_unused_result));

/* 1 when err is a node saying that it does not serve the method asked:
 * JSON-RPC's -32601 (geth, GoQuorum, Besu, Erigon, Nethermind, Hardhat's
 * "not found"), -32004 (Hardhat's and EIP-1474's "method not supported"),
 * and ganache 7's -32700 (its parse-error code) with geth's words "does not
 * exist/is not available". */
int receipts_fetch_unserved(const struct rpc_error *err);

/* Reads the transaction hashes of an eth_getBlockByNumber(num, false)
 * answer (text, len bytes): its number must be num and "transactions" an
 * array of at most RECEIPTS_FETCH_MAX_TXS 32-byte 0x-hex hashes.  On
 * success *hashes (caller frees; NULL when there are none) holds *n of
 * them in order.  Returns 1, or 0 with *why.  Exposed for fuzzing. */
int receipts_fetch_hashes(uint8_t (**hashes)[32], size_t *n,
    const char *text, size_t len, uint64_t num, const char **why)
    __attribute__((warn_unused_result));

#endif
