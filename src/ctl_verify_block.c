/* ctl_verify_block.c: `licgatectl verify-block FILE`: does this block (and
 * its receipts) verify, without trusting whoever produced the file? */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/blockcheck.h"
#include "chain/hash.h"
#include "chain/header.h"
#include "chain/hex.h"
#include "chain/receipts.h"
#include "ctl.h"
#include "ctl_util.h"
#include "xmalloc.h"

struct block_input {
	struct header h;
	struct receipts rs;
	int has_receipts;
	int has_block_hash;		/* a top-level "blockHash" to check too */
	uint8_t block_hash[32];
};

/* Reads the three shapes the verb accepts; returns CTL_OK or CTL_BADINPUT
 * with the JSON path printed. */
static int
block_read(struct block_input *in, const json_t *j, const char *file)
{
	struct jerr e = { "", NULL };
	const char *why = NULL;
	uint8_t *raw = NULL;
	size_t len;
	int ok;

	if (json_object_get(j, "rawHeader") != NULL) {
		ok = jv_bytes(&raw, &len, 1 << 20, j, "$", "rawHeader", &e);
		if (ok && !header_from_rlp(&in->h, raw, len, &why))
			ok = jerr_set(&e, "$", "rawHeader", why);
		free(raw);
		if (ok && json_object_get(j, "rawReceipts") != NULL) {
			in->has_receipts = 1;
			ok = receipts_from_raw(&in->rs, json_object_get(j,
			    "rawReceipts"), "$.rawReceipts", &e);
		}
	} else if (json_object_get(j, "header") != NULL) {
		ok = header_from_json(&in->h, json_object_get(j, "header"),
		    "$.header", &e);
		if (ok && json_object_get(j, "receipts") != NULL) {
			in->has_receipts = 1;
			ok = receipts_from_json(&in->rs, json_object_get(j,
			    "receipts"), "$.receipts", &e);
		}
		if (ok && json_is_string(json_object_get(j, "blockHash"))) {
			in->has_block_hash = 1;
			ok = jv_fixed(in->block_hash, 32, j, "$", "blockHash", &e);
		}
	} else
		ok = header_from_json(&in->h, j, "$", &e);
	if (!ok)
		return ctl_bad_json(file, &e);
	return CTL_OK;
}

static int
mismatch(const char *what, const uint8_t *got, const uint8_t *want, size_t n,
    const char *whose)
{
	char a[2 * 256 + 3], b[2 * 256 + 3];

	printf("%s mismatch: computed %s, %s %s\n", what, hex_encode(a, got, n),
	    whose, hex_encode(b, want, n));
	return CTL_MISMATCH;
}

static int
check_receipts(const struct block_input *in, const uint8_t hash[32])
{
	struct receipts_claim c;
	char msg[512];

	receipts_claim_of(&c, &in->h, hash);
	if (!blockcheck_receipts(&in->rs, &c, msg, sizeof(msg))) {
		printf("%s\n", msg);
		return CTL_MISMATCH;
	}
	return CTL_OK;
}

static int
verify_block(const struct block_input *in)
{
	uint8_t hash[32];
	char hex[67];
	int rc;

	header_hash(hash, &in->h);
	if (in->h.has_claimed_hash && memcmp(hash, in->h.claimed_hash, 32) != 0)
		return mismatch("hash", hash, in->h.claimed_hash, 32,
		    "header says");
	if (in->has_block_hash && memcmp(hash, in->block_hash, 32) != 0)
		return mismatch("hash", hash, in->block_hash, 32,
		    "blockHash says");
	if (in->has_receipts && (rc = check_receipts(in, hash)) != CTL_OK)
		return rc;
	if (in->has_receipts)
		printf("ok %s (%zu receipts, receiptsRoot and blooms verified)\n",
		    hex_encode(hex, hash, 32), in->rs.n);
	else
		printf("ok %s\n", hex_encode(hex, hash, 32));
	return CTL_OK;
}

static int
verify_block_run(const struct ctl_verb *self, int argc, char **argv)
{
	struct block_input *in;
	json_t *j;
	int rc;

	if (argc != 2)
		return ctl_usage(self);
	if ((rc = ctl_load_json(&j, argv[1])) != CTL_OK)
		return rc;
	in = xcalloc(1, sizeof(*in));
	if ((rc = block_read(in, j, argv[1])) == CTL_OK)
		rc = verify_block(in);
	receipts_free(&in->rs);
	free(in);
	json_decref(j);
	return rc;
}

const struct ctl_verb ctl_verb_verify_block = {
	.name = "verify-block",
	.usage = "FILE",
	.summary = "check a block's hash, and its receipts root and blooms if given",
	.run = verify_block_run,
};
