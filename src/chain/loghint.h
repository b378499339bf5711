/* loghint.h: reads an eth_getLogs answer as a hint of which blocks hold a
 * contract's logs.  Nothing in it is believed: the follower only fetches
 * the receipts of the blocks it names, checks them against the headers as
 * always, and the registry's digest proof shows whether it hid a block. */
#ifndef LICGATE_LOGHINT_H
#define LICGATE_LOGHINT_H

#include <stddef.h>
#include <stdint.h>

/* A block the hint names, with the hash the node gave it. */
struct loghint_block {
	uint64_t number;
	uint8_t hash[32];
};

/* Reads the JSON text of an eth_getLogs result (an array of logs) asked
 * for address over blocks from..to.  Every log must be of address, inside
 * the range and not removed, with a blockNumber and blockHash; logs must
 * come in block order.  On success *out (caller frees; NULL when none)
 * holds the *n blocks named, each once, ascending.  Returns 1, or 0 with
 * *why. */
int loghint_read(struct loghint_block **out, size_t *n, const char *text,
    size_t len, const uint8_t address[20], uint64_t from, uint64_t to,
    const char **why) __attribute__((warn_unused_result));

#endif
