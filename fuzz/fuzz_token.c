/* fuzz_token: the device verifier on arbitrary bytes.  Whatever decodes
 * must verify against no key but the one that signed it: here every input
 * is checked against a fixed key of the curve its header names (ES256K or
 * ES256, es256.cose among the seeds), so a token that passes must carry
 * that key's signature, which the fuzzer cannot forge; under the other
 * curve's pin it is bad-alg. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "verify/lgv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t pub[33] = { 0x02, 0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc,
    0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95, 0xce, 0x87, 0x0b, 0x07, 0x02, 0x9b,
    0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8,
    0x17, 0x98 };

/* P-256's generator, compressed: the key 1 on that curve.  The seeds are
 * signed with the key 2, on the curve each names. */
static const uint8_t pub_p256[33] = { 0x03, 0x6b, 0x17, 0xd1, 0xf2, 0xe1,
    0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2, 0x77,
    0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8,
    0x98, 0xc2, 0x96 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lgv_expect e = { .gateway_key = pub,
	    .gateway_key_len = sizeof(pub) };
	struct lgv_token t;
	enum lgv_result d = lgv_decode(&t, data, size), v;
	int es256 = d == LGV_OK && t.alg == LGV_ALG_ES256;

	/* The pin of the other curve: a token that decodes is bad-alg. */
	e.gateway_alg = es256 ? LGV_ALG_ES256K : LGV_ALG_ES256;
	if (d == LGV_OK && lgv_verify(&t, data, size, &e) != LGV_BAD_ALG)
		abort();
	e.gateway_alg = es256 ? LGV_ALG_ES256 : LGV_ALG_ES256K;
	e.gateway_key = es256 ? pub_p256 : pub;
	v = lgv_verify(&t, data, size, &e);

	/* Decoding and verifying agree on what is well formed, and on a
	 * token of another profile. */
	if ((d == LGV_OK) != (v != LGV_MALFORMED && v != LGV_BAD_ALG &&
	    v != LGV_BAD_PROFILE) || (d == LGV_BAD_PROFILE) !=
	    (v == LGV_BAD_PROFILE))
		abort();
	/* Nobody here holds the key of 1*G: every check after the
	 * signature's (LGV_OK, LGV_DENIED, expired, ...) is out of reach. */
	if (v != LGV_MALFORMED && v != LGV_BAD_ALG && v != LGV_BAD_SIGNATURE &&
	    v != LGV_BAD_PROFILE)
		abort();
	return 0;
}
