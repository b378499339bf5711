/* tx.h: the transactions licgated signs and sends itself (its anchors of
 * install reports): legacy with EIP-155 replay protection, or EIP-1559
 * (type 2, no access list), signed with secp256k1 as Ethereum does. */
#ifndef LICGATE_TX_H
#define LICGATE_TX_H

#include <stddef.h>
#include <stdint.h>

enum tx_type {
	TX_LEGACY = 0,		/* gas_price; v = chain_id * 2 + 35 + parity */
	TX_EIP1559 = 2		/* max_fee, max_priority_fee; y parity */
};

/* A call to contract `to`.  Fees are in wei per gas; data is borrowed. */
struct tx {
	enum tx_type type;
	uint64_t chain_id;
	uint64_t nonce;
	uint64_t gas_limit;
	uint64_t gas_price;		/* TX_LEGACY */
	uint64_t max_fee;		/* TX_EIP1559: maxFeePerGas */
	uint64_t max_priority_fee;	/* TX_EIP1559: maxPriorityFeePerGas */
	uint8_t to[20];
	uint64_t value;
	const uint8_t *data;
	size_t data_len;
};

/* Signs t with seckey (deterministic, RFC 6979, low S) into *raw, the
 * bytes eth_sendRawTransaction takes (*rawlen of them; caller frees), and
 * hash, the transaction's hash (keccak256 of them).  Returns 1, or 0 with
 * *why for an unknown type or an invalid key (*raw is NULL then). */
int tx_sign(uint8_t **raw, size_t *rawlen, uint8_t hash[32],
    const struct tx *t, const uint8_t seckey[32], const char **why)
    __attribute__((warn_unused_result));

#endif
