/* proof.h: EIP-1186 (eth_getProof) verification: an account against a state
 * root, storage slots against the account's storage root, with proofs of
 * absence as well as presence. */
#ifndef LICGATE_PROOF_H
#define LICGATE_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "chain/jsonv.h"

#define PROOF_MAX_NODES 64		/* nodes in one proof */
#define PROOF_MAX_NODE 1024		/* bytes in one node */
#define PROOF_MAX_SLOTS 256		/* storage proofs in one answer */

/* A proof: the RLP nodes from the root down. */
struct proof_nodes {
	uint8_t *node[PROOF_MAX_NODES];	/* owned */
	size_t len[PROOF_MAX_NODES];
	size_t n;
};

struct storage_proof {
	uint8_t key[32];		/* the slot, left-padded */
	uint8_t value[32];		/* claimed value, minimal big-endian */
	size_t value_len;		/* 0 for zero */
	struct proof_nodes nodes;
};

/* An eth_getProof answer. */
struct eth_proof {
	uint8_t address[20];
	uint64_t nonce;
	uint8_t balance[32];		/* minimal big-endian */
	size_t balance_len;
	uint8_t storage_hash[32];
	uint8_t code_hash[32];
	struct proof_nodes account;
	struct storage_proof *slots;	/* owned */
	size_t nslots;
};

/* Looks key (the 32-byte hashed path) up in the trie with root, using only
 * the given nodes, which must all be used.  On success *found says whether
 * the key is present and *val and *vlen give its value inside the nodes.
 * Returns 0 with *why for a proof that does not hold together. */
int proof_lookup(const uint8_t **val, size_t *vlen, int *found,
    const uint8_t root[32], const uint8_t key[32],
    const struct proof_nodes *nodes, const char **why)
    __attribute__((warn_unused_result));

/* Verifies the account claims of p against state_root: present and equal
 * to rlp([nonce, balance, storageHash, codeHash]), or absent and empty.
 * *exists tells which.  Returns 0 with *why on any mismatch. */
int proof_verify_account(int *exists, const struct eth_proof *p,
    const uint8_t state_root[32], const char **why)
    __attribute__((warn_unused_result));

/* Verifies one storage proof against storage_root: a non-zero value present,
 * a zero value absent.  *exists tells which. */
int proof_verify_slot(int *exists, const struct storage_proof *s,
    const uint8_t storage_root[32], const char **why)
    __attribute__((warn_unused_result));

/* Reads an eth_getProof result; storage keys may be unpadded quantities
 * ("0x0") or 32-byte data.  The caller frees p with proof_free. */
int proof_from_json(struct eth_proof *p, const json_t *obj, const char *path,
    struct jerr *e) __attribute__((warn_unused_result));

void proof_free(struct eth_proof *p);

#endif
