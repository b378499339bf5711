/* fuzz_token: the device verifier on arbitrary bytes.  Whatever decodes
 * must verify against no key but the one that signed it: here every input
 * is checked against a fixed key, so a token that passes must carry that
 * key's signature, which the fuzzer cannot forge. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "verify/lgv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t pub[33] = { 0x02, 0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc,
    0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95, 0xce, 0x87, 0x0b, 0x07, 0x02, 0x9b,
    0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8,
    0x17, 0x98 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lgv_expect e = { .gateway_key = pub,
	    .gateway_key_len = sizeof(pub) };
	struct lgv_token t;
	enum lgv_result d = lgv_decode(&t, data, size);
	enum lgv_result v = lgv_verify(&t, data, size, &e);

	/* Decoding and verifying agree on what is well formed. */
	if ((d == LGV_OK) != (v != LGV_MALFORMED && v != LGV_BAD_ALG))
		abort();
	/* Nobody here holds the key of 1*G: every check after the
	 * signature's (LGV_OK, LGV_DENIED, expired, ...) is out of reach. */
	if (v != LGV_MALFORMED && v != LGV_BAD_ALG && v != LGV_BAD_SIGNATURE)
		abort();
	return 0;
}
