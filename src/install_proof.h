/* install_proof.h: the proof that a device's install report was anchored
 * on chain, as licgatectl install-proof writes it and verify-install reads
 * it (licgatectl(8), INSTALL PROOFS): a JSON file holding the report, its
 * RFC 9162 inclusion path into the batch's root and where the
 * InstallsAnchored log of that root is.  Reading it checks the form only;
 * nothing in it is believed until verify-install has checked it against
 * a chain. */
#ifndef LICGATE_INSTALL_PROOF_H
#define LICGATE_INSTALL_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "chain/jsonv.h"
#include "merkle.h"
#include "verify/lgv.h"

#define INSTALL_PROOF_VERSION 1
#define INSTALL_PROOF_MAX_KEY 65	/* a device key, as registered */

struct install_proof {
	uint64_t chain_id;
	uint8_t registry[20];
	uint8_t gateway[20];		/* whose batch (the log's topic) */
	uint64_t seq;			/* the report's number at that gateway */
	uint8_t report[LGV_INSTALL_MAX];	/* the exact COSE bytes */
	size_t report_len;
	uint8_t device_key[INSTALL_PROOF_MAX_KEY];	/* its signer's key */
	size_t device_key_len;
	uint64_t leaf_index;		/* seq - first_seq */
	uint64_t first_seq, count;	/* the batch */
	uint8_t root[32];
	uint8_t path[MERKLE_MAX_PATH][32];	/* from the leaf up */
	size_t npath;
	uint64_t block_number;		/* the anchoring log's block */
	uint8_t block_hash[32];
	int has_tx_hash;		/* as the node named it; not checked */
	uint8_t tx_hash[32];
	uint64_t tx_index, log_index;	/* log_index: in the block */
};

/* The proof as JSON (new reference). */
json_t *install_proof_to_json(const struct install_proof *p);

/* Reads a proof: every member present with its type (0x hex of the right
 * length, integers from 0 to 2^63 - 1), version INSTALL_PROOF_VERSION,
 * the report and the path within their caps; unknown members are
 * ignored.  Returns 1, or 0 with e naming the first bad member. */
int install_proof_from_json(struct install_proof *p, const json_t *j,
    struct jerr *e) __attribute__((warn_unused_result));

#endif
