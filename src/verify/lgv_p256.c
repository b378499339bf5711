/* lgv_p256.c: the P-256 verify lgv.c asks its integrator for (ES256
 * tokens), here nettle's (through chain/p256.h), for licgatectl, licgated
 * and the tests. */
#include "config.h"

#include "chain/p256.h"
#include "verify/lgv.h"

int
lgv_p256_verify(const uint8_t *pub, size_t publen, const uint8_t hash[32],
    const uint8_t sig[64])
{
	if (publen != 33 && publen != 65)
		return 0;
	return p256_verify(sig, hash, pub, publen);
}
