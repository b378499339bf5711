/* blockcheck.c: the receipts of a block against its header.  Only the trie
 * root is proof; the rest catches an RPC answer that is inconsistent in a
 * way the root alone would report less clearly, or not at all (positions). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "chain/blockcheck.h"
#include "chain/hex.h"

/* An RPC position claim against the truth; 0 with msg on a lie. */
static int
check_pos(const struct rpc_pos *p, const char *what,
    const struct receipts_claim *c, uint64_t tx, uint64_t log, char *msg,
    size_t msgsz)
{
	const char *bad = NULL;

	if (p->has_block_hash && memcmp(p->block_hash, c->hash, 32) != 0)
		bad = "blockHash is not this block's hash";
	else if (p->has_block_number && p->block_number != c->number)
		bad = "blockNumber is not this block's number";
	else if (p->has_tx_index && p->tx_index != tx)
		bad = "transactionIndex is not its position in the block";
	else if (p->has_log_index && p->log_index != log)
		bad = "logIndex is not its position in the block";
	if (bad != NULL)
		snprintf(msg, msgsz, "%s: %s", what, bad);
	return bad == NULL;
}

/* Per-receipt checks; *log_index counts logs across the block. */
static int
check_receipt(const struct receipt *r, size_t i,
    const struct receipts_claim *c, uint64_t prev_gas, uint64_t *log_index,
    char *msg, size_t msgsz)
{
	uint8_t bloom[BLOOM_BYTES];
	char what[64];
	size_t k;

	receipt_bloom(bloom, r);
	if (memcmp(bloom, r->bloom, BLOOM_BYTES) != 0) {
		snprintf(msg, msgsz, "receipt %zu: logsBloom does not match "
		    "its logs", i);
		return 0;
	}
	snprintf(what, sizeof(what), "receipt %zu", i);
	if (!check_pos(&r->pos, what, c, i, 0, msg, msgsz))
		return 0;
	for (k = 0; k < r->nlogs; k++, (*log_index)++) {
		snprintf(what, sizeof(what), "receipt %zu log %zu", i, k);
		if (!check_pos(&r->logs[k].pos, what, c, i, *log_index, msg,
		    msgsz))
			return 0;
	}
	if (r->cumulative_gas < prev_gas) {
		snprintf(msg, msgsz, "receipt %zu: cumulativeGasUsed "
		    "decreases", i);
		return 0;
	}
	if (r->has_gas_used && r->gas_used != r->cumulative_gas - prev_gas) {
		snprintf(msg, msgsz, "receipt %zu: gasUsed %" PRIu64 " is not "
		    "the step in cumulativeGasUsed (%" PRIu64 ")", i,
		    r->gas_used, r->cumulative_gas - prev_gas);
		return 0;
	}
	return 1;
}

void
receipts_claim_of(struct receipts_claim *c, const struct header *h,
    const uint8_t hash[32])
{
	c->number = h->number;
	memcpy(c->hash, hash, 32);
	memcpy(c->receipts_root, h->receipts_root, 32);
	memcpy(c->bloom, h->bloom, BLOOM_BYTES);
	c->gas_used = h->gas_used;
}

int
blockcheck_receipts(const struct receipts *rs, const struct receipts_claim *c,
    char *msg, size_t msgsz)
{
	uint8_t root[32], bloom[BLOOM_BYTES] = { 0 };
	uint64_t gas = 0, log_index = 0;
	char a[67], b[67];
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (!check_receipt(&rs->r[i], i, c, gas, &log_index, msg, msgsz))
			return 0;
		gas = rs->r[i].cumulative_gas;
		bloom_or(bloom, rs->r[i].bloom);
	}
	receipts_root(root, rs);
	if (memcmp(root, c->receipts_root, 32) != 0) {
		snprintf(msg, msgsz, "receiptsRoot mismatch: computed %s, "
		    "header has %s", hex_encode(a, root, 32),
		    hex_encode(b, c->receipts_root, 32));
		return 0;
	}
	if (memcmp(bloom, c->bloom, BLOOM_BYTES) != 0) {
		snprintf(msg, msgsz, "header logsBloom is not the OR of the "
		    "receipt blooms");
		return 0;
	}
	if (gas != c->gas_used) {
		snprintf(msg, msgsz, "gasUsed mismatch: receipts add up to %"
		    PRIu64 ", header has %" PRIu64, gas, c->gas_used);
		return 0;
	}
	return 1;
}
