/* p256_mbedtls.c: lgv_p256_verify, the P-256 verify a device integrator
 * provides for ES256 tokens, with Mbed TLS (mbedtls_ecdsa_verify, only
 * secp256r1 configured: mbedtls_config.h).  Mbed TLS's numbers live on a
 * heap, here a static buffer given to mbedtls_memory_buffer_alloc by the
 * harness (p256.c). */
#include <stddef.h>
#include <stdint.h>

#include "mbedtls/ecdsa.h"

int lgv_p256_verify(const uint8_t *pub, size_t publen, const uint8_t hash[32],
    const uint8_t sig[64]);

/* Reads pub (65 bytes 04||x||y, or 64 bytes x||y) into q on grp. */
static int
p256_point(mbedtls_ecp_group *grp, mbedtls_ecp_point *q, const uint8_t *pub,
    size_t publen)
{
	uint8_t full[65];
	size_t i;

	if (publen == 64) {
		full[0] = 0x04;
		for (i = 0; i < 64; i++)
			full[i + 1] = pub[i];
		pub = full, publen = 65;
	}
	return publen == 65 &&
	    mbedtls_ecp_point_read_binary(grp, q, pub, publen) == 0 &&
	    mbedtls_ecp_check_pubkey(grp, q) == 0;
}

/* 1 when sig (r || s, big-endian) is hash's signature by pub; 0 for any
 * failure, a key off the curve or the heap running out included. */
int
lgv_p256_verify(const uint8_t *pub, size_t publen, const uint8_t hash[32],
    const uint8_t sig[64])
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	mbedtls_mpi r, s;
	int ok = 0;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) != 0 ||
	    !p256_point(&grp, &q, pub, publen) ||
	    mbedtls_mpi_read_binary(&r, sig, 32) != 0 ||
	    mbedtls_mpi_read_binary(&s, sig + 32, 32) != 0)
		goto fail;
	ok = mbedtls_ecdsa_verify(&grp, hash, 32, &q, &r, &s) == 0;
fail:
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&r);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	return ok;
}
