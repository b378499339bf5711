/* sig.h: secp256k1 as Ethereum uses it, over libsecp256k1. */
#ifndef LICGATE_SIG_H
#define LICGATE_SIG_H

#include <stddef.h>
#include <stdint.h>

/* Ethereum address (last 20 bytes of keccak256 of the 64-byte X||Y) of a
 * public key given compressed (33), raw (64) or uncompressed (65, 0x04...).
 * Returns 0 for any other length or a point not on the curve. */
int sig_pubkey_to_address(uint8_t addr[20], const uint8_t *pub, size_t publen)
    __attribute__((warn_unused_result));

/* Serializes the public key of seckey, compressed (33 bytes) or
 * uncompressed (65 bytes) by outlen; returns 0 for an invalid key. */
int sig_pubkey_create(uint8_t *pub, size_t publen, const uint8_t seckey[32])
    __attribute__((warn_unused_result));

/* Recovers the signer's address from a 65-byte r||s||v signature over hash;
 * v may be 0/1 or 27/28.  With require_low_s, an s above n/2 is refused. */
int sig_recover(uint8_t addr[20], const uint8_t hash[32], const uint8_t sig[65],
    int require_low_s) __attribute__((warn_unused_result));

/* Signs hash deterministically (RFC 6979); sig is r||s with low S, *recid the
 * recovery id (0 or 1) when recid is not NULL.  Zeroes sig on failure. */
int sig_sign(uint8_t sig[64], int *recid, const uint8_t hash[32],
    const uint8_t seckey[32]) __attribute__((warn_unused_result));

/* RFC 6979 nonces exactly as libsecp256k1's secp256k1_nonce_function_rfc6979
 * makes them (same arguments and results), hashed with nettle: sig_sign's
 * nonce function.  Always returns 1. */
int sig_nonce_rfc6979(unsigned char *nonce32, const unsigned char *msg32,
    const unsigned char *key32, const unsigned char *algo16, void *data,
    unsigned int counter);

/* Verifies a 64-byte r||s signature over hash against a public key (33, 64 or
 * 65 bytes).  A high-S signature is rejected. */
int sig_verify(const uint8_t sig[64], const uint8_t hash[32],
    const uint8_t *pub, size_t publen) __attribute__((warn_unused_result));

/* Fills seckey with a fresh valid key from getrandom(2). */
int sig_keygen(uint8_t seckey[32]) __attribute__((warn_unused_result));

#endif
