/* key.h: a signing key file (the gateway's, or a device's for licgatectl
 * request), readable by its owner only.  A secp256k1 key (ES256K) is 64
 * hex digits and a newline, as it always was; a P-256 key (ES256) is the
 * line "p256" and then the same.  The type travels as the COSE algorithm
 * that signs with it: LGV_ALG_ES256K or LGV_ALG_ES256 (verify/lgv.h). */
#ifndef LICGATE_KEY_H
#define LICGATE_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "verify/lgv.h"

#define KEY_FILE_LEN 65
#define KEY_P256_MARK "p256\n"
#define KEY_FILE_MAX (sizeof(KEY_P256_MARK) - 1 + KEY_FILE_LEN)

/* Reads the key at path as file_read_secret does (no symbolic link, owner
 * only, checked on the descriptor read), and its type into *alg.
 * Returns 1, or 0 with one line in err naming the file and the problem;
 * seckey is zeroed on failure. */
int key_load(uint8_t seckey[32], int *alg, const char *path, char *err,
    size_t errsz) __attribute__((warn_unused_result));

struct conf;

/* key_load of the configuration's key.file, refused unless its type is
 * the one attestation.alg names (err names both): a gateway never signs
 * with another algorithm than its devices pinned. */
int key_load_conf(uint8_t seckey[32], int *alg, const struct conf *c,
    char *err, size_t errsz) __attribute__((warn_unused_result));

/* The text of a key file for seckey of type alg into out (KEY_FILE_MAX + 1
 * bytes, NUL-terminated); returns its length. */
size_t key_format(char out[KEY_FILE_MAX + 1], int alg,
    const uint8_t seckey[32]);

/* A fresh secret key for alg from getrandom(2); 0 (zeroed) without
 * randomness or for an unknown alg. */
int key_generate(uint8_t seckey[32], int alg)
    __attribute__((warn_unused_result));

/* The public key of seckey on alg's curve, compressed (33) or uncompressed
 * (65) by publen; 0 (zeroed) for an invalid key or alg. */
int key_pubkey(uint8_t *pub, size_t publen, int alg, const uint8_t seckey[32])
    __attribute__((warn_unused_result));

/* The address of a public key (33, 64 or 65 bytes) on alg's curve: the
 * last 20 bytes of keccak256 of its 64-byte X||Y, for either curve (the
 * registry authorises gateways and knows devices by it).  0 when pub is
 * not a point of that curve. */
int key_pubkey_address(uint8_t addr[20], int alg, const uint8_t *pub,
    size_t publen) __attribute__((warn_unused_result));

/* Signs hash with seckey: ES256K deterministic with a low S, ES256
 * deterministic (RFC 6979).  sig is r||s; 0 (zeroed) on failure. */
int key_sign(uint8_t sig[64], int alg, const uint8_t hash[32],
    const uint8_t seckey[32]) __attribute__((warn_unused_result));

/* "ES256K", "ES256", or NULL for another alg; key_alg_parse is the
 * reverse, case-insensitive (0 for an unknown name). */
const char *key_alg_name(int alg);
int key_alg_parse(const char *name);

#endif
