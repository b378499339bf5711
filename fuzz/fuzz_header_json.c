/* fuzz_header_json: block JSON from an untrusted node through the header and
 * receipts readers (the receipts also read in place from the raw text, as
 * the follower does), and header RLP through header_from_rlp.  Whatever is
 * accepted must encode, and RLP that decodes must re-encode identically. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chain/header.h"
#include "chain/jscan.h"
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

/* The "receipts" member of a top-level object, read straight from the
 * bytes by receipts_from_text. */
static void
fuzz_receipts_text(const uint8_t *data, size_t size)
{
	struct receipts rs;
	struct jscan s;
	struct jerr e;
	const char *k, *v;
	size_t kl, vl;
	uint8_t root[32];

	js_init(&s, (const char *)data, size);
	if (!js_object(&s))
		return;
	while (js_member(&s, &k, &kl)) {
		if (!js_skip(&s, &v, &vl))
			return;
		if (js_key_is(k, kl, "receipts") &&
		    receipts_from_text(&rs, v, vl, "$", &e)) {
			receipts_root(root, &rs);
			receipts_free(&rs);
		}
	}
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
	fuzz_receipts_text(data, size);
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
