/* fuzz_install: the gateway's reader of install reports (POST
 * /v1/installs) on arbitrary bytes.  Decoding alone and decoding with the
 * signature check must agree on what is well formed, no input may pass as
 * signed by a key the fuzzer does not hold, and what decodes is exactly
 * what lgv_install_sign writes for those fields (one layout: the report
 * stored, and its leaf, say what the gateway read). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "verify/lgv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The public key of the secret key 2 (2*G), compressed; the seeds are
 * signed with the key 3. */
static const uint8_t pub[33] = { 0x02, 0xc6, 0x04, 0x7f, 0x94, 0x41, 0xed,
    0x7d, 0x6d, 0x30, 0x45, 0x40, 0x6e, 0x95, 0xc0, 0x7c, 0xd8, 0x5c, 0x77,
    0x8e, 0x4b, 0x8c, 0xef, 0x3c, 0xa7, 0xab, 0xac, 0x09, 0xb9, 0x5c, 0x70,
    0x9e, 0xe5 };

/* The secret key 3, which signed the seeds. */
static const uint8_t seckey[32] = { [31] = 3 };

/* Signs d afresh: everything but the signature must be the input's. */
static void
same_payload(const struct lgv_install *d, const uint8_t *data, size_t size)
{
	uint8_t out[LGV_INSTALL_MAX];
	size_t n;

	if (lgv_install_sign(out, sizeof(out), &n, d, seckey) != LGV_OK ||
	    n != size || memcmp(out, data, n - 64) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lgv_install d, v;
	enum lgv_result rd = lgv_install_decode(&d, data, size);
	enum lgv_result rv = lgv_install_verify(&v, data, size, pub,
	    sizeof(pub));

	if ((rd == LGV_OK) != (rv != LGV_MALFORMED && rv != LGV_BAD_ALG))
		abort();
	if (rd == LGV_OK && (d.nonce_len < LGV_INSTALL_NONCE_MIN ||
	    d.nonce_len > LGV_NONCE_MAX))
		abort();
	if (rv == LGV_OK)
		abort();
	if (rd == LGV_OK)
		same_payload(&d, data, size);
	return 0;
}
