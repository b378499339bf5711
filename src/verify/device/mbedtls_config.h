/* mbedtls_config.h: Mbed TLS 2.28 (Debian 12) cut to what verifying a
 * P-256 ECDSA signature needs on a Cortex-M: bignum, ECP with secp256r1
 * only and its fast reduction, ECDSA (which insists on the ASN.1 modules;
 * the raw r, s verify does not use them and the linker drops them), and a
 * heap in a static buffer.  No RNG: verification uses only public values. */
#ifndef P256_MBEDTLS_CONFIG_H
#define P256_MBEDTLS_CONFIG_H

#define MBEDTLS_HAVE_ASM
#define MBEDTLS_NO_UDBL_DIVISION
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
/* A corrupted heap stops the device (a fault ends the harness's run). */
#define MBEDTLS_PLATFORM_EXIT_MACRO(code) __builtin_trap()
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_NO_INTERNAL_RNG
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C

/* Small tables: a window of 2 and no precomputed multiples of G. */
#define MBEDTLS_MPI_MAX_SIZE 32
#define MBEDTLS_ECP_MAX_BITS 256
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0

#include "mbedtls/check_config.h"

#endif
