/* sig.c: every use of libsecp256k1 goes through here, with one shared
 * context created once. */
#include "config.h"

#include <pthread.h>
#include <string.h>
#include <sys/random.h>

#include <nettle/hmac.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "chain/hash.h"
#include "chain/sig.h"
#include "log.h"

static secp256k1_context *sig_ctx;
static pthread_once_t sig_once = PTHREAD_ONCE_INIT;

static void
sig_ctx_create(void)
{
	uint8_t seed[32];

	sig_ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN |
	    SECP256K1_CONTEXT_VERIFY);
	if (sig_ctx == NULL)
		fatalx("secp256k1_context_create failed");
	/* Blinding for side-channel resistance of signing. */
	if (getrandom(seed, sizeof(seed), 0) == sizeof(seed) &&
	    !secp256k1_context_randomize(sig_ctx, seed))
		fatalx("secp256k1_context_randomize failed");
	explicit_bzero(seed, sizeof(seed));
}

static secp256k1_context *
sig_context(void)
{
	pthread_once(&sig_once, sig_ctx_create);
	return sig_ctx;
}

/* HMAC-SHA256 keyed with k over a || b, into out (which may be k). */
static void
hmac2(uint8_t out[32], const uint8_t k[32], const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen)
{
	struct hmac_sha256_ctx h;

	hmac_sha256_set_key(&h, 32, k);
	hmac_sha256_update(&h, alen, a);
	if (blen > 0)
		hmac_sha256_update(&h, blen, b);
	hmac_sha256_digest(&h, 32, out);
	explicit_bzero(&h, sizeof(h));
}

/* The HMAC-DRBG of RFC 6979 section 3.2 steps b to h, seeded as
 * libsecp256k1's own nonce function seeds it (key, message, then the
 * optional 32 bytes of data and 16 of algorithm), giving the same nonces:
 * the k of attempt `counter` is the (counter+1)th output, and an output
 * after the first reseeds with K = HMAC_K(V || 0x00) first (step h.3).
 * Only the hashing differs: nettle's SHA-256 uses the CPU's SHA
 * instructions where it has them, while the library's portable SHA-256
 * spends about a seventh of a signature's time on the 22 compressions of
 * a nonce (bench/signrate prints both signing rates). */
int
sig_nonce_rfc6979(unsigned char *nonce32, const unsigned char *msg32,
    const unsigned char *key32, const unsigned char *algo16, void *data,
    unsigned int counter)
{
	uint8_t seed[32 + 32 + 32 + 16], k[32], v[33];
	size_t n = 64;
	unsigned int i;

	memcpy(seed, key32, 32);
	memcpy(seed + 32, msg32, 32);
	if (data != NULL) {
		memcpy(seed + n, data, 32);
		n += 32;
	}
	if (algo16 != NULL) {
		memcpy(seed + n, algo16, 16);
		n += 16;
	}
	memset(v, 0x01, 32);
	memset(k, 0x00, 32);
	v[32] = 0x00;				/* K = HMAC_K(V || 0x00 || seed) */
	hmac2(k, k, v, 33, seed, n);
	hmac2(v, k, v, 32, NULL, 0);		/* V = HMAC_K(V) */
	v[32] = 0x01;				/* K = HMAC_K(V || 0x01 || seed) */
	hmac2(k, k, v, 33, seed, n);
	hmac2(v, k, v, 32, NULL, 0);
	for (i = 0; i <= counter; i++) {
		if (i > 0) {
			v[32] = 0x00;
			hmac2(k, k, v, 33, NULL, 0);
			hmac2(v, k, v, 32, NULL, 0);
		}
		hmac2(v, k, v, 32, NULL, 0);	/* T = V = HMAC_K(V) */
	}
	memcpy(nonce32, v, 32);
	explicit_bzero(seed, sizeof(seed));
	explicit_bzero(k, sizeof(k));
	explicit_bzero(v, sizeof(v));
	return 1;
}

/* Parses 33/65-byte SEC1 keys and 64-byte raw X||Y keys. */
static int
sig_parse_pubkey(secp256k1_pubkey *pk, const uint8_t *pub, size_t publen)
{
	uint8_t full[65];

	if (publen == 64) {
		full[0] = 0x04;
		memcpy(full + 1, pub, 64);
		pub = full;
		publen = 65;
	}
	if (publen != 33 && publen != 65)
		return 0;
	return secp256k1_ec_pubkey_parse(sig_context(), pk, pub, publen);
}

static void
sig_address_of(uint8_t addr[20], const secp256k1_pubkey *pk)
{
	uint8_t full[65], h[32];
	size_t n = sizeof(full);

	secp256k1_ec_pubkey_serialize(sig_context(), full, &n, pk,
	    SECP256K1_EC_UNCOMPRESSED);
	keccak256(h, full + 1, 64);
	memcpy(addr, h + 12, 20);
}

int
sig_pubkey_to_address(uint8_t addr[20], const uint8_t *pub, size_t publen)
{
	secp256k1_pubkey pk;

	memset(addr, 0, 20);
	if (!sig_parse_pubkey(&pk, pub, publen))
		return 0;
	sig_address_of(addr, &pk);
	return 1;
}

int
sig_pubkey_create(uint8_t *pub, size_t publen, const uint8_t seckey[32])
{
	secp256k1_pubkey pk;
	size_t n = publen;

	if ((publen != 33 && publen != 65) ||
	    !secp256k1_ec_pubkey_create(sig_context(), &pk, seckey)) {
		memset(pub, 0, publen);
		return 0;
	}
	secp256k1_ec_pubkey_serialize(sig_context(), pub, &n, &pk,
	    publen == 33 ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED);
	return 1;
}

int
sig_recover(uint8_t addr[20], const uint8_t hash[32], const uint8_t sig[65],
    int require_low_s)
{
	secp256k1_ecdsa_recoverable_signature rs;
	secp256k1_ecdsa_signature plain;
	secp256k1_pubkey pk;
	int v = sig[64];

	memset(addr, 0, 20);
	if (v >= 27)
		v -= 27;
	if (v != 0 && v != 1)
		return 0;
	if (!secp256k1_ecdsa_recoverable_signature_parse_compact(sig_context(),
	    &rs, sig, v))
		return 0;
	if (require_low_s) {
		secp256k1_ecdsa_recoverable_signature_convert(sig_context(),
		    &plain, &rs);
		/* normalize returns 1 when s was high. */
		if (secp256k1_ecdsa_signature_normalize(sig_context(), NULL,
		    &plain))
			return 0;
	}
	if (!secp256k1_ecdsa_recover(sig_context(), &pk, &rs, hash))
		return 0;
	sig_address_of(addr, &pk);
	return 1;
}

int
sig_sign(uint8_t sig[64], int *recid, const uint8_t hash[32],
    const uint8_t seckey[32])
{
	secp256k1_ecdsa_recoverable_signature rs;
	int id;

	if (!secp256k1_ecdsa_sign_recoverable(sig_context(), &rs, hash, seckey,
	    sig_nonce_rfc6979, NULL)) {
		memset(sig, 0, 64);
		return 0;
	}
	/* libsecp256k1 always produces low-S signatures. */
	secp256k1_ecdsa_recoverable_signature_serialize_compact(sig_context(),
	    sig, &id, &rs);
	if (recid != NULL)
		*recid = id;
	return 1;
}

int
sig_verify(const uint8_t sig[64], const uint8_t hash[32], const uint8_t *pub,
    size_t publen)
{
	secp256k1_ecdsa_signature s;
	secp256k1_pubkey pk;

	if (!sig_parse_pubkey(&pk, pub, publen))
		return 0;
	if (!secp256k1_ecdsa_signature_parse_compact(sig_context(), &s, sig))
		return 0;
	/* secp256k1_ecdsa_verify itself refuses high-S signatures. */
	return secp256k1_ecdsa_verify(sig_context(), &s, hash, &pk);
}

int
sig_keygen(uint8_t seckey[32])
{
	int tries;

	for (tries = 0; tries < 16; tries++) {
		if (getrandom(seckey, 32, 0) != 32)
			break;
		if (secp256k1_ec_seckey_verify(sig_context(), seckey))
			return 1;
	}
	memset(seckey, 0, 32);
	return 0;
}
