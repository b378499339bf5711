/* sig.c: every use of libsecp256k1 goes through here, with one shared
 * context created once. */
#include "config.h"

#include <pthread.h>
#include <string.h>
#include <sys/random.h>

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
	memset(seed, 0, sizeof(seed));
}

static secp256k1_context *
sig_context(void)
{
	pthread_once(&sig_once, sig_ctx_create);
	return sig_ctx;
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
	    NULL, NULL)) {
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
