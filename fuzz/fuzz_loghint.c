/* fuzz_loghint: eth_getLogs answers from an untrusted node through the
 * reader of the follower's hint of which blocks hold registry logs. */
#include "config.h"

#include <stdlib.h>

#include "chain/loghint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t address[20] = { [19] = 1 };
	struct loghint_block *b;
	const char *why;
	size_t n;

	if (loghint_read(&b, &n, (const char *)data, size, address, 0,
	    UINT64_MAX, &why))
		free(b);
	return 0;
}
