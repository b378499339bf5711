/* p256_none.c: lgv_p256_verify for a device that trusts only ES256K
 * gateways, linked into the ES256K image when lgv.c asks for the hook: it
 * refuses every P-256 signature, so the figures stay those of secp256k1. */
#include <stddef.h>
#include <stdint.h>

int lgv_p256_verify(const uint8_t *pub, size_t publen, const uint8_t hash[32],
    const uint8_t sig[64]);

int
lgv_p256_verify(const uint8_t *pub, size_t publen, const uint8_t hash[32],
    const uint8_t sig[64])
{
	(void)pub, (void)publen, (void)hash, (void)sig;
	return 0;
}
