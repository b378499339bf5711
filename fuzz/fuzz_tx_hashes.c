/* fuzz_tx_hashes: eth_getBlockByNumber(n, false) answers from an untrusted
 * node through the transaction hash list reader of receipts_fetch (block
 * 7, the number the seeds carry). */
#include "config.h"

#include <stdlib.h>

#include "receipts_fetch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t (*h)[32];
	const char *why;
	size_t n;

	if (receipts_fetch_hashes(&h, &n, (const char *)data, size, 7, &why))
		free(h);
	return 0;
}
