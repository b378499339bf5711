/* fuzz_header_json: block JSON from an untrusted node through the header and
 * receipts readers, and header RLP through header_from_rlp.  Whatever is
 * accepted must encode, and RLP that decodes must re-encode identically. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chain/header.h"
#include "chain/receipts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_rlp_header(const uint8_t *data, size_t size)
{
	static struct header h;
	struct rlp_buf b;
	const char *why;

	if (!header_from_rlp(&h, data, size, &why))
		return;
	rlp_buf_init(&b);
	header_encode(&b, &h);
	if (b.len != size || memcmp(b.data, data, size) != 0)
		abort();
	rlp_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct header h;
	struct receipts rs;
	struct jerr e;
	uint8_t hash[32];
	json_t *j;

	fuzz_rlp_header(data, size);
	if ((j = json_loadb((const char *)data, size, 0, NULL)) == NULL)
		return 0;
	if (header_from_json(&h, json_is_object(json_object_get(j, "header")) ?
	    json_object_get(j, "header") : j, "$", &e))
		header_hash(hash, &h);
	if (receipts_from_json(&rs, json_object_get(j, "receipts"), "$", &e)) {
		receipts_root(hash, &rs);
		receipts_free(&rs);
	}
	json_decref(j);
	return 0;
}
