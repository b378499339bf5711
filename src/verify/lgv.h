/* lgv.h: the device-side verifier of licgate attestations.  It builds on its
 * own with libsecp256k1, a SHA-256 the integrator provides and, for ES256
 * tokens, a P-256 verify the integrator provides (none with -DLGV_NO_ES256):
 * no heap, no libc beyond memcpy and memcmp, no static state.  Token format:
 * licgate-token(7). */
#ifndef LGV_H
#define LGV_H

#include <stddef.h>
#include <stdint.h>

#define LGV_NONCE_MAX 32
#define LGV_BLOCK_HASH_LEN 16
#define LGV_TOKEN_MAX 400

/* The eat_profile (RFC 9711, claim 265) every token names: licgate's token
 * profile 1, the OID 2.25.44664012622358054492267278949943539306 (a UUID
 * under 2.25, ITU-T X.667, so nobody else has it and no registry need
 * assign it), carried as RFC 9711 carries an OID: its DER content bytes,
 * untagged.  A token of another layout will name another profile. */
#define LGV_PROFILE_LEN 19
extern const uint8_t lgv_profile[LGV_PROFILE_LEN];

/* The COSE algorithms (RFC 9053, RFC 8812) a token or request is signed
 * with: ECDSA with SHA-256 over secp256k1 or over P-256. */
#define LGV_ALG_ES256K (-47)
#define LGV_ALG_ES256 (-7)

/* Why a token was refused; LGV_OK means every check passed. */
enum lgv_result {
	LGV_OK = 0,
	LGV_MALFORMED,		/* not the CBOR layout of a licgate token */
	LGV_BAD_ALG,		/* protected header names another algorithm */
	LGV_BAD_KEY,		/* the pinned gateway key does not parse */
	LGV_BAD_SIGNATURE,	/* wrong key, altered bytes or a high-S signature */
	LGV_WRONG_DEVICE,	/* sub is another device */
	LGV_WRONG_NONCE,	/* eat_nonce missing or different */
	LGV_EXPIRED,		/* exp is not after now */
	LGV_ROLLBACK,		/* block number below the high-water mark */
	/* Appended: the values above never change. */
	LGV_WRONG_FIRMWARE,	/* the token is for another image */
	LGV_WRONG_CHAIN,	/* chain id is not the pinned one */
	LGV_WRONG_REGISTRY,	/* registry is not the pinned one */
	LGV_TOO_LONG,		/* exp - iat is above the maximum lifetime */
	LGV_NOT_YET,		/* iat is in the future beyond the skew */
	LGV_DENIED,		/* correctly signed refusal: verdict in out */
	LGV_BAD_PROFILE		/* eat_profile names another token layout */
};

/* The claims of a token (see licgate-token(7)). */
struct lgv_token {
	uint8_t sub[20];
	uint64_t iat, exp;
	int has_cti;
	uint8_t cti[4];
	uint8_t nonce[LGV_NONCE_MAX];
	size_t nonce_len;
	uint64_t verdict;
	uint8_t firmware[32];
	uint64_t firmware_version, license_id, license_expiry, max_version;
	uint64_t chain_id;
	uint8_t registry[20];
	uint64_t block_number;
	uint8_t block_hash[LGV_BLOCK_HASH_LEN];
	int alg;			/* the protected header's LGV_ALG_* */
};

/* A token may live at most this long (exp - iat) unless the device says
 * otherwise: a day.  Zero cannot mean "unlimited": a device that leaves the
 * field out still refuses a token that a leaked gateway key minted to last
 * for years.  The gateway's attestation.ttl is at most 7 days; a device
 * that trusts a longer setting than a day says so in max_lifetime. */
#define LGV_DEFAULT_MAX_LIFETIME 86400
/* How far iat may lie ahead of the device's clock: clocks drift. */
#define LGV_DEFAULT_SKEW 300

/* What the device expects.  device, nonce, firmware and registry may be
 * NULL, and has_chain_id 0: not checked (a device knows its image and
 * should always pin it).  min_block is the highest block number the device
 * has accepted before.  max_lifetime and skew of 0 mean the defaults
 * above, never "unlimited". */
struct lgv_expect {
	const uint8_t *gateway_key;	/* 33 or 65 bytes, pinned */
	size_t gateway_key_len;
	const uint8_t *device;		/* 20 bytes, or NULL */
	const uint8_t *nonce;
	size_t nonce_len;
	uint64_t now;			/* unix seconds */
	uint64_t min_block;
	const uint8_t *firmware;	/* 32 bytes (SHA-256 of the image), or NULL */
	int has_chain_id;
	uint64_t chain_id;
	const uint8_t *registry;	/* 20 bytes, or NULL */
	uint64_t max_lifetime;		/* seconds; 0 = LGV_DEFAULT_MAX_LIFETIME */
	uint64_t skew;			/* seconds; 0 = LGV_DEFAULT_SKEW */
	/* The curve of gateway_key, pinned with it: LGV_ALG_ES256K (or 0,
	 * the same) or LGV_ALG_ES256.  A token naming another is LGV_BAD_ALG:
	 * the same key bytes may parse on both curves, so the token must
	 * never choose. */
	int gateway_alg;
};

/* Decodes and checks tok.  Returns LGV_OK with *out filled only for a
 * `valid` token (verdict 0) that passes every check; LGV_DENIED with *out
 * filled for a correctly signed refusal (out->verdict says why) that passes
 * every other check; otherwise the first check that failed (out is filled
 * as far as decoding went and must not be trusted). */
enum lgv_result lgv_verify(struct lgv_token *out, const uint8_t *tok,
    size_t len, const struct lgv_expect *e);

/* Decodes without checking the signature or the expectations (for
 * display); LGV_OK or LGV_MALFORMED / LGV_BAD_ALG. */
enum lgv_result lgv_decode(struct lgv_token *out, const uint8_t *tok,
    size_t len);

/* A device's signed request for an attestation (licgate-token(7),
 * REQUESTS): COSE_Sign1 with ES256K or ES256 over {2: device, 3: gateway,
 * 6: iat, 10: nonce, -65538: firmware}, signed with the key the device was
 * registered with.  The gateway's address and the time bind a request to
 * one gateway and a short window, so that a captured one cannot be sent
 * again elsewhere or later. */
#define LGV_REQUEST_NONCE_MIN 8
#define LGV_REQUEST_MAX 224
struct lgv_request {
	uint8_t device[20];
	uint8_t gateway[20];		/* the address of the gateway's key */
	uint64_t iat;			/* unix seconds when the device signed */
	uint8_t firmware[32];
	uint8_t nonce[LGV_NONCE_MAX];
	size_t nonce_len;		/* LGV_REQUEST_NONCE_MIN..LGV_NONCE_MAX */
	int alg;			/* decoded: the protected header's LGV_ALG_* */
};

/* Device side: encodes and signs r with the device's 32-byte secret key
 * into out (cap bytes; LGV_REQUEST_MAX is enough).  Signing is
 * deterministic (RFC 6979) and low-S; no heap, the secp256k1 context lives
 * on the stack.  Returns LGV_OK with *outlen set, LGV_MALFORMED for a bad
 * nonce length or a small cap, LGV_BAD_KEY for an invalid secret key. */
enum lgv_result lgv_request_sign(uint8_t *out, size_t cap, size_t *outlen,
    const struct lgv_request *r, const uint8_t seckey[32]);

/* Signs the 32-byte digest into sig (r then s, 32-byte big-endian each)
 * with the device's key wherever it lives (a secure element, a crypto
 * accelerator, software); ctx is the caller's.  Returns 1, or 0. */
typedef int lgv_sign_fn(void *ctx, uint8_t sig[64], const uint8_t digest[32]);

/* As lgv_request_sign (r->alg is not read), for alg LGV_ALG_ES256K or
 * LGV_ALG_ES256, with the signature made by sign: a P-256 device signs
 * with what it has.  LGV_BAD_ALG for another alg, LGV_BAD_KEY when sign
 * fails. */
enum lgv_result lgv_request_sign_with(uint8_t *out, size_t cap,
    size_t *outlen, const struct lgv_request *r, int alg, lgv_sign_fn *sign,
    void *ctx);

/* Gateway side: decodes req without checking the signature (the device
 * named inside says whose key to check it with).  LGV_OK, LGV_MALFORMED or
 * LGV_BAD_ALG. */
enum lgv_result lgv_request_decode(struct lgv_request *out,
    const uint8_t *req, size_t len);

/* Decodes req and checks its signature against the device's public key
 * (33, 64 or 65 bytes) on the curve the request's protected header names
 * (safe to take from the request: the registered key was made on one
 * curve, and nobody knows a secret key for the same bytes on the other).
 * LGV_OK, or LGV_MALFORMED, LGV_BAD_ALG, LGV_BAD_KEY, LGV_BAD_SIGNATURE
 * (also for a high-S ES256K signature). */
enum lgv_result lgv_request_verify(struct lgv_request *out,
    const uint8_t *req, size_t len, const uint8_t *device_key,
    size_t device_key_len);

/* A stable name for r ("ok", "bad-signature", ...). */
const char *lgv_result_name(enum lgv_result r);

/* Provided by the integrator: SHA-256 of in[0..len). */
void lgv_sha256(uint8_t out[32], const uint8_t *in, size_t len);

/* Provided by the integrator for ES256 tokens: 1 when sig (r then s, 32-byte
 * big-endian each) is a valid ECDSA P-256 signature of hash under pub (65-byte
 * uncompressed or 33-byte compressed SEC1), else 0.  A verifier built with
 * -DLGV_NO_ES256 neither calls nor needs it. */
int lgv_p256_verify(const uint8_t *pub, size_t publen, const uint8_t hash[32],
    const uint8_t sig[64]);

/* Install reports ------------------------------------------------------- */

/* A device's signed report that it installed (or booted) an image
 * (licgate-token(7), INSTALL REPORTS): COSE_Sign1 with ES256K over
 * {2: device, 3: gateway, 6: iat, 10: nonce, -65538: firmware,
 * -65539: [version, replaced, cti, block]}, signed with the key the device
 * was registered with.  Like a request it names the gateway it goes to and
 * when it was signed; its nonce makes each report unique, so that the
 * gateway can refuse the same report twice for as long as it keeps them. */
#define LGV_INSTALL_NONCE_MIN 8
#define LGV_INSTALL_MAX 320
struct lgv_install {
	uint8_t device[20];
	uint8_t gateway[20];		/* the address of the gateway's key */
	uint64_t iat;			/* unix seconds when the device signed */
	uint8_t nonce[LGV_NONCE_MAX];
	size_t nonce_len;		/* LGV_INSTALL_NONCE_MIN..LGV_NONCE_MAX */
	uint8_t firmware[32];		/* SHA-256 of the image installed */
	uint64_t version;		/* its version, as the device knows it */
	int has_replaced;		/* 0: a first install */
	uint8_t replaced[32];		/* the image it replaced */
	int has_cti;			/* the attestation relied on, by cti */
	uint8_t cti[4];
	uint64_t block;			/* ... and/or by block number; 0: none */
};

/* Device side: encodes and signs r with the device's 32-byte secret key
 * into out (cap bytes; LGV_INSTALL_MAX is enough).  Deterministic
 * (RFC 6979), low-S, no heap.  Returns LGV_OK with *outlen set,
 * LGV_MALFORMED for a bad nonce length or a small cap, LGV_BAD_KEY for an
 * invalid secret key. */
enum lgv_result lgv_install_sign(uint8_t *out, size_t cap, size_t *outlen,
    const struct lgv_install *r, const uint8_t seckey[32]);

/* Gateway side: decodes rep without checking the signature.  LGV_OK,
 * LGV_MALFORMED or LGV_BAD_ALG; out is zeroed unless LGV_OK. */
enum lgv_result lgv_install_decode(struct lgv_install *out,
    const uint8_t *rep, size_t len);

/* Decodes rep and checks its signature against the device's public key
 * (33, 64 or 65 bytes).  LGV_OK, or LGV_MALFORMED, LGV_BAD_ALG,
 * LGV_BAD_KEY, LGV_BAD_SIGNATURE (also for a high-S signature). */
enum lgv_result lgv_install_verify(struct lgv_install *out,
    const uint8_t *rep, size_t len, const uint8_t *device_key,
    size_t device_key_len);

#endif
