/* p256.h: ECDSA over NIST P-256 (secp256r1) for ES256 (RFC 9053, alg -7),
 * over nettle's hogweed, beside sig.h's secp256k1.  Keys and signatures
 * are bytes as COSE carries them: 32-byte big-endian secret keys, SEC1
 * public keys, r||s of 32 bytes each. */
#ifndef LICGATE_P256_H
#define LICGATE_P256_H

#include <stddef.h>
#include <stdint.h>

/* Serializes the public key of seckey, compressed (33 bytes) or
 * uncompressed (65 bytes) by publen; returns 0 (pub zeroed) for a secret
 * key outside 1..n-1. */
int p256_pubkey_create(uint8_t *pub, size_t publen, const uint8_t seckey[32])
    __attribute__((warn_unused_result));

/* The address the registry knows a P-256 key by, made as Ethereum makes
 * one: the last 20 bytes of keccak256 of the 64-byte X||Y.  pub is
 * compressed (33), raw X||Y (64) or uncompressed (65); returns 0 (addr
 * zeroed) for another length or a point not on P-256. */
int p256_pubkey_to_address(uint8_t addr[20], const uint8_t *pub,
    size_t publen) __attribute__((warn_unused_result));

/* Signs hash deterministically (RFC 6979 with HMAC-SHA-256); sig is r||s.
 * Any s is kept (COSE does not ask ES256 for a low S).  Returns 0 (sig
 * zeroed) for an invalid secret key. */
int p256_sign(uint8_t sig[64], const uint8_t hash[32],
    const uint8_t seckey[32]) __attribute__((warn_unused_result));

/* 1 when sig (r||s) is a valid signature of hash under pub (33, 64 or 65
 * bytes), else 0.  A high S is valid. */
int p256_verify(const uint8_t sig[64], const uint8_t hash[32],
    const uint8_t *pub, size_t publen) __attribute__((warn_unused_result));

/* Fills seckey with a fresh valid key from getrandom(2); 0 (zeroed) when
 * no randomness is available. */
int p256_keygen(uint8_t seckey[32]) __attribute__((warn_unused_result));

/* The nonce k of RFC 6979 section 3.2 for seckey and hash (qlen = hlen =
 * 256), the (counter+1)th candidate in 1..n-1, as p256_sign uses it: for
 * the RFC's test vectors. */
void p256_nonce_rfc6979(uint8_t k[32], const uint8_t seckey[32],
    const uint8_t hash[32], unsigned counter);

#endif
