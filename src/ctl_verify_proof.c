/* ctl_verify_proof.c: `licgatectl verify-proof FILE`: does an eth_getProof
 * answer hold against the state root of a header that hashes right? */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/header.h"
#include "chain/hex.h"
#include "chain/proof.h"
#include "ctl.h"
#include "ctl_util.h"
#include "xmalloc.h"

static int
check_slots(const struct eth_proof *p, size_t *present)
{
	const char *why;
	char key[67];
	size_t i;
	int exists;

	*present = 0;
	for (i = 0; i < p->nslots; i++) {
		if (!proof_verify_slot(&exists, &p->slots[i], p->storage_hash,
		    &why)) {
			printf("storage proof %zu (key %s): %s\n", i,
			    hex_encode(key, p->slots[i].key, 32), why);
			return CTL_MISMATCH;
		}
		*present += exists;
	}
	return CTL_OK;
}

static int
verify_proof(const struct header *h, const struct eth_proof *p)
{
	uint8_t hash[32];
	char a[67], b[67];
	const char *why;
	size_t present;
	int exists, rc;

	header_hash(hash, h);
	if (h->has_claimed_hash && memcmp(hash, h->claimed_hash, 32) != 0) {
		printf("header hash mismatch: computed %s, header says %s\n",
		    hex_encode(a, hash, 32), hex_encode(b, h->claimed_hash, 32));
		return CTL_MISMATCH;
	}
	if (!proof_verify_account(&exists, p, h->state_root, &why)) {
		printf("account proof: %s\n", why);
		return CTL_MISMATCH;
	}
	if ((rc = check_slots(p, &present)) != CTL_OK)
		return rc;
	printf("ok %s account %s, %zu storage slots (%zu present, %zu absent) "
	    "at block %llu\n", hex_encode(a, p->address, 20),
	    exists ? "present" : "absent", p->nslots, present,
	    p->nslots - present, (unsigned long long)h->number);
	return CTL_OK;
}

static int
verify_proof_run(const struct ctl_verb *self, int argc, char **argv)
{
	struct header *h = xmalloc(sizeof(*h));
	struct eth_proof p;
	struct jerr e;
	json_t *j;
	int rc;

	memset(&p, 0, sizeof(p));
	if (argc != 2) {
		free(h);
		return ctl_usage(self);
	}
	if ((rc = ctl_load_json(&j, argv[1])) != CTL_OK) {
		free(h);
		return rc;
	}
	if (!header_from_json(h, json_object_get(j, "header"), "$.header", &e) ||
	    !proof_from_json(&p, json_object_get(j, "proof"), "$.proof", &e))
		rc = ctl_bad_json(argv[1], &e);
	else
		rc = verify_proof(h, &p);
	proof_free(&p);
	free(h);
	json_decref(j);
	return rc;
}

const struct ctl_verb ctl_verb_verify_proof = {
	.name = "verify-proof",
	.usage = "FILE",
	.summary = "check an eth_getProof answer against a header's state root",
	.run = verify_proof_run,
};
