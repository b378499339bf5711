/* fuzz_request: the gateway's reader of device requests (POST
 * /v1/attestation) on arbitrary bytes.  Decoding alone and decoding with
 * the signature check must agree on what is well formed, no input may
 * pass as signed by a key the fuzzer does not hold, and what decodes is
 * exactly what lgv_request_sign writes for those fields (one layout: the
 * gateway, the time and the nonce the gateway reads are the signed ones). */
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

/* The same on P-256 (2*G), for ES256 requests: es256.cose among the
 * seeds is signed with P-256's key 3. */
static const uint8_t pub_p256[33] = { 0x03, 0x7c, 0xf2, 0x7b, 0x18, 0x8d,
    0x03, 0x4f, 0x7e, 0x8a, 0x52, 0x38, 0x03, 0x04, 0xb5, 0x1a, 0xc3, 0xc0,
    0x89, 0x69, 0xe2, 0x77, 0xf2, 0x1b, 0x35, 0xa6, 0x0b, 0x48, 0xfc, 0x47,
    0x66, 0x99, 0x78 };

/* The secret key 3, which signed the seeds. */
static const uint8_t seckey[32] = { [31] = 3 };

/* A signer that only fills the signature's place: same_payload compares
 * everything before it. */
static int
sign_zero(void *ctx, uint8_t sig[64], const uint8_t digest[32])
{
	memset(sig, 0, 64);
	return 1;
}

/* Signs d afresh: everything but the signature must be the input's. */
static void
same_payload(const struct lgv_request *d, const uint8_t *data, size_t size)
{
	uint8_t out[LGV_REQUEST_MAX];
	size_t n;

	if ((d->alg == LGV_ALG_ES256 ? lgv_request_sign_with(out,
	    sizeof(out), &n, d, d->alg, sign_zero, NULL) :
	    lgv_request_sign(out, sizeof(out), &n, d, seckey)) != LGV_OK ||
	    n != size || memcmp(out, data, n - 64) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lgv_request d, v;
	enum lgv_result rd = lgv_request_decode(&d, data, size);
	int es256 = rd == LGV_OK && d.alg == LGV_ALG_ES256;
	enum lgv_result rv = lgv_request_verify(&v, data, size,
	    es256 ? pub_p256 : pub, sizeof(pub));

	if ((rd == LGV_OK) != (rv != LGV_MALFORMED && rv != LGV_BAD_ALG))
		abort();
	if (rd == LGV_OK && (d.nonce_len < LGV_REQUEST_NONCE_MIN ||
	    d.nonce_len > LGV_NONCE_MAX))
		abort();
	if (rv == LGV_OK)
		abort();
	if (rd == LGV_OK)
		same_payload(&d, data, size);
	return 0;
}
