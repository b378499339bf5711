/* fuzz_registry: the event decoder on arbitrary logs.  Input: one byte
 * topic count (0-4), the topics, then the data.  Accepted logs must render,
 * and the args text the store writes must be jansson's dump of them. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t topics[4][32];
	struct registry_event ev;
	const char *why;
	size_t n;
	json_t *j;
	char *want, *got;

	if (size < 1 || (n = data[0] % 5) * 32 > size - 1)
		return 0;
	memcpy(topics, data + 1, n * 32);
	if (!registry_decode(&ev, (const uint8_t (*)[32])topics, n,
	    data + 1 + n * 32, size - 1 - n * 32, &why))
		return 0;
	if ((j = registry_args_json(&ev)) == NULL ||
	    (want = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		abort();
	got = registry_args_text(&ev);
	if (strcmp(got, want) != 0)
		abort();
	free(got);
	free(want);
	json_decref(j);
	return 0;
}
