/* fuzz_seal: consensus data from an untrusted node: the bytes as a header's
 * RLP through the Clique and QBFT seal readers, as a QBFT extraData, and as
 * the engines' stored snapshots, which must re-encode to what was read. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/clique.h"
#include "engine/qbft.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_header(const uint8_t *data, size_t size)
{
	static struct header h;
	static uint8_t who[QBFT_MAX_VALIDATORS][20];
	static uint8_t listed[CLIQUE_MAX_SIGNERS][20];
	uint8_t hash[32], addr[20];
	const char *why;
	size_t n;

	if (!header_from_rlp(&h, data, size, &why))
		return;
	(void)clique_signer(addr, &h, &why);
	(void)clique_extra_signers(listed, &n, &h, &why);
	if (qbft_seal_hash(hash, &h, &why) && !qbft_block_hash(hash, &h, &why))
		abort();
	(void)qbft_committers(who, &n, &h, &why);
}

static void
fuzz_snapshots(const uint8_t *data, size_t size)
{
	static struct clique_snap c;
	static struct qbft_snap q;
	static uint8_t out[CLIQUE_SNAP_MAX + QBFT_SNAP_MAX];
	const char *why;

	if (clique_snap_decode(&c, data, size, &why) &&
	    (clique_snap_encode(out, &c) != size || memcmp(out, data, size)))
		abort();
	if (qbft_snap_decode(&q, data, size, &why) &&
	    (qbft_snap_encode(out, &q) != size || memcmp(out, data, size)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct qbft_extra x;
	const char *why;

	fuzz_header(data, size);
	fuzz_snapshots(data, size);
	if (qbft_extra_decode(&x, data, size, &why) &&
	    (x.nvalidators > QBFT_MAX_VALIDATORS || x.nseals > QBFT_MAX_VALIDATORS))
		abort();
	return 0;
}
