/* token.h: license attestations as COSE_Sign1 (RFC 9052, tag 18) with
 * ES256K (RFC 8812, alg -47) or ES256 (RFC 9053, alg -7): deterministic
 * CBOR (RFC 8949 section 4.2) carrying a CWT claims set (RFC 8392).
 * Every key and value is documented in licgate-token(7).  The device side
 * reads them with src/verify/. */
#ifndef LICGATE_TOKEN_H
#define LICGATE_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define TOKEN_MAX 320			/* bytes; 256 or less in practice */
#define TOKEN_NONCE_MAX 32
#define TOKEN_CTI_LEN 4
#define TOKEN_BLOCK_HASH_LEN 16		/* prefix of the block hash carried */

/* Claim keys.  Standard CWT/EAT keys, then licgate's one private claim,
 * an array (below -65536 as RFC 8392 reserves for private use). */
#define TOKEN_KEY_SUB 2
#define TOKEN_KEY_EXP 4
#define TOKEN_KEY_IAT 6
#define TOKEN_KEY_CTI 7
#define TOKEN_KEY_NONCE 10		/* eat_nonce, RFC 9711 */
#define TOKEN_KEY_PROFILE 265		/* eat_profile, RFC 9711 */
#define TOKEN_KEY_LICGATE (-65537)
#define TOKEN_LICGATE_FIELDS 10

/* The eat_profile every token names (lgv_profile's bytes), dotted. */
#define TOKEN_PROFILE_TEXT "2.25.44664012622358054492267278949943539306"

struct token_claims {
	uint8_t sub[20];		/* device address */
	uint64_t iat;
	uint64_t exp;
	uint8_t cti[TOKEN_CTI_LEN];	/* only in tokens without a nonce */
	uint8_t nonce[TOKEN_NONCE_MAX];
	size_t nonce_len;		/* 0: no eat_nonce, a cti instead */
	/* The licgate claim, in this order in its array: */
	unsigned verdict;		/* enum verdict */
	uint8_t firmware[32];		/* SHA-256 of the image */
	uint64_t firmware_version;	/* 0 when the firmware is unknown */
	uint64_t license_id;		/* 0 when no license applies */
	uint64_t license_expiry;	/* 0: none or no end */
	uint64_t max_version;		/* newest version the license allows */
	uint64_t chain_id;
	uint8_t registry[20];
	uint64_t block_number;		/* the verified block the verdict rests on */
	uint8_t block_hash[TOKEN_BLOCK_HASH_LEN];
};

/* Encodes and signs c with seckey, a key of type alg (LGV_ALG_ES256K or
 * LGV_ALG_ES256, key.h), into out (cap bytes, TOKEN_MAX is enough);
 * *outlen is the token's length.  Returns 1, or 0 (cap too small, bad key
 * or alg). */
int token_sign(uint8_t *out, size_t cap, size_t *outlen,
    const struct token_claims *c, int alg, const uint8_t seckey[32])
    __attribute__((warn_unused_result));

/* The claims readable, as JSON (addresses and hashes as 0x hex, times as
 * unix seconds, the verdict by name).  New reference. */
json_t *token_claims_json(const struct token_claims *c);

/* The payload (the claims set alone) and the Sig_structure digest, for
 * tests and for the independent check. */
size_t token_encode_claims(uint8_t *out, size_t cap,
    const struct token_claims *c);

#endif
