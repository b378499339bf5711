/* fuzz_rpc_response: answer bodies from an untrusted node through the single
 * and batch parsers (ids 1 and 1..3). */
#include "config.h"

#include "rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_error err;
	json_t *r, *res[3];
	int i;

	if (rpc_parse_single(&r, (const char *)data, size, 1, &err))
		json_decref(r);
	if (rpc_parse_batch(res, (const char *)data, size, 1, 3, &err))
		for (i = 0; i < 3; i++)
			json_decref(res[i]);
	return 0;
}
