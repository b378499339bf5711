/* p256.c: every use of P-256 goes through here.  nettle signs and
 * verifies; what nettle lacks is written here and kept small: RFC 6979
 * nonces (nettle's ecdsa_sign asks a random function for k, so this one
 * gives the RFC's HMAC-DRBG output instead), and the SEC1 point
 * decompression a 33-byte key needs. */
#include "config.h"

#include <string.h>
#include <sys/random.h>

#include <nettle/dsa.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#include <nettle/hmac.h>

#include "chain/hash.h"
#include "chain/p256.h"

/* The group order n, big-endian. */
static const uint8_t p256_n[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51
};
static const char p256_p_hex[] =
    "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
static const char p256_b_hex[] =
    "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b";

static const struct ecc_curve *
p256_curve(void)
{
	return nettle_get_secp_256r1();
}

/* Clears an mpz that held a secret, wiping its limbs first. */
static void
p256_mpz_wipe(mpz_t z)
{
	size_t n = mpz_size(z);

	if (n > 0)
		explicit_bzero(mpz_limbs_modify(z, n), n * sizeof(mp_limb_t));
	mpz_clear(z);
}

/* z as exactly 32 big-endian bytes; 0 when it does not fit. */
static int
p256_put32(uint8_t out[32], const mpz_t z)
{
	size_t n = (mpz_sizeinbase(z, 2) + 7) / 8;

	memset(out, 0, 32);
	if (mpz_sgn(z) < 0 || n > 32)
		return 0;
	if (mpz_sgn(z) != 0)
		mpz_export(out + 32 - n, NULL, 1, 1, 0, 0, z);
	return 1;
}

/* The HMAC-DRBG of RFC 6979 section 3.2, for qlen = hlen = 256. */
struct p256_drbg {
	uint8_t k[32], v[32];
	int started;
};

/* out = HMAC_K(V [|| sep || seed]); sep < 0 means V alone. */
static void
p256_hmac(uint8_t out[32], const struct p256_drbg *d, int sep,
    const uint8_t *seed, size_t seedlen)
{
	struct hmac_sha256_ctx h;
	uint8_t s = (uint8_t)sep;

	hmac_sha256_set_key(&h, 32, d->k);
	hmac_sha256_update(&h, 32, d->v);
	if (sep >= 0)
		hmac_sha256_update(&h, 1, &s);
	if (seedlen > 0)
		hmac_sha256_update(&h, seedlen, seed);
	hmac_sha256_digest(&h, 32, out);
	explicit_bzero(&h, sizeof(h));
}

/* Steps b to f: seeded with int2octets(x) || bits2octets(h1), where
 * bits2octets reduces the hash mod n once (a 256-bit hash is below 2n). */
static void
p256_drbg_init(struct p256_drbg *d, const uint8_t x[32],
    const uint8_t h1[32])
{
	uint8_t seed[64];
	int i, borrow = 0, t;

	memcpy(seed, x, 32);
	memcpy(seed + 32, h1, 32);
	if (memcmp(h1, p256_n, 32) >= 0)
		for (i = 31; i >= 0; i--) {
			t = h1[i] - p256_n[i] - borrow;
			borrow = t < 0;
			seed[32 + i] = (uint8_t)(t + (borrow ? 256 : 0));
		}
	memset(d->v, 0x01, 32);
	memset(d->k, 0x00, 32);
	p256_hmac(d->k, d, 0x00, seed, 64);
	p256_hmac(d->v, d, -1, NULL, 0);
	p256_hmac(d->k, d, 0x01, seed, 64);
	p256_hmac(d->v, d, -1, NULL, 0);
	d->started = 0;
	explicit_bzero(seed, sizeof(seed));
}

/* Step h: the next candidate; after the first, K and V move on first
 * (h.3), as the RFC does for a candidate out of range. */
static void
p256_drbg_next(struct p256_drbg *d, uint8_t out[32])
{
	if (d->started) {
		p256_hmac(d->k, d, 0x00, NULL, 0);
		p256_hmac(d->v, d, -1, NULL, 0);
	}
	d->started = 1;
	p256_hmac(d->v, d, -1, NULL, 0);
	memcpy(out, d->v, 32);
}

/* nettle's random function for ecdsa_sign: it reads 32 bytes as a
 * big-endian k and asks again while k is not in 1..n-1, which is RFC
 * 6979's loop (check_token.c's A.2.5 vectors hold it to that). */
static void
p256_drbg_random(void *ctx, size_t length, uint8_t *dst)
{
	uint8_t t[32];
	size_t n;

	while (length > 0) {
		p256_drbg_next(ctx, t);
		n = length < 32 ? length : 32;
		memcpy(dst, t, n);
		dst += n;
		length -= n;
	}
	explicit_bzero(t, sizeof(t));
}

static int
p256_in_range(const uint8_t k[32])
{
	static const uint8_t zero[32];

	return memcmp(k, zero, 32) != 0 && memcmp(k, p256_n, 32) < 0;
}

void
p256_nonce_rfc6979(uint8_t k[32], const uint8_t seckey[32],
    const uint8_t hash[32], unsigned counter)
{
	struct p256_drbg d;
	unsigned found = 0;

	p256_drbg_init(&d, seckey, hash);
	for (;;) {
		p256_drbg_next(&d, k);
		if (p256_in_range(k) && found++ == counter)
			break;
	}
	explicit_bzero(&d, sizeof(d));
}

/* y of the point with this x and y's parity (SEC1 2.3.4); p = 3 mod 4,
 * so the square root is a power.  0 when x is on no point. */
static int
p256_decompress(mpz_t y, const mpz_t x, int odd)
{
	mpz_t p, rhs, e;
	int ok;

	mpz_init_set_str(p, p256_p_hex, 16);
	mpz_init_set_str(rhs, p256_b_hex, 16);
	mpz_init(e);
	mpz_powm_ui(e, x, 3, p);		/* rhs = x^3 - 3x + b */
	mpz_add(rhs, rhs, e);
	mpz_submul_ui(rhs, x, 3);
	mpz_mod(rhs, rhs, p);
	mpz_add_ui(e, p, 1);
	mpz_fdiv_q_2exp(e, e, 2);
	mpz_powm(y, rhs, e, p);
	mpz_powm_ui(e, y, 2, p);
	ok = mpz_cmp(x, p) < 0 && mpz_cmp(e, rhs) == 0;
	if (ok && mpz_sgn(y) != 0 && (mpz_odd_p(y) != 0) != odd)
		mpz_sub(y, p, y);
	ok = ok && (mpz_odd_p(y) != 0) == odd;
	mpz_clear(p);
	mpz_clear(rhs);
	mpz_clear(e);
	return ok;
}

/* Parses 33/65-byte SEC1 keys and 64-byte raw X||Y keys into pt, which
 * the caller initialised; nettle checks the point is on the curve. */
static int
p256_point(struct ecc_point *pt, const uint8_t *pub, size_t publen)
{
	const uint8_t *xy = pub + 1;
	mpz_t x, y;
	int ok = 1;

	if (publen == 64)
		xy = pub;
	else if (publen == 65)
		ok = pub[0] == 0x04;
	else if (publen == 33)
		ok = pub[0] == 0x02 || pub[0] == 0x03;
	else
		return 0;
	mpz_init(x);
	mpz_init(y);
	mpz_import(x, 32, 1, 1, 0, 0, xy);
	if (ok && publen == 33)
		ok = p256_decompress(y, x, pub[0] == 0x03);
	else
		mpz_import(y, 32, 1, 1, 0, 0, xy + 32);
	ok = ok && ecc_point_set(pt, x, y);
	mpz_clear(x);
	mpz_clear(y);
	return ok;
}

/* The secret key as nettle's scalar; 0 outside 1..n-1. */
static int
p256_scalar(struct ecc_scalar *s, const uint8_t seckey[32])
{
	mpz_t x;
	int ok;

	mpz_init(x);
	mpz_import(x, 32, 1, 1, 0, 0, seckey);
	ok = ecc_scalar_set(s, x);
	p256_mpz_wipe(x);
	return ok;
}

static void
p256_scalar_wipe(struct ecc_scalar *s)
{
	explicit_bzero(s->p, (size_t)ecc_size(s->ecc) * sizeof(mp_limb_t));
	ecc_scalar_clear(s);
}

/* X||Y of the public key of seckey; 0 for an invalid key. */
static int
p256_xy(uint8_t xy[64], const uint8_t seckey[32])
{
	struct ecc_scalar s;
	struct ecc_point pt;
	mpz_t x, y;
	int ok;

	ecc_scalar_init(&s, p256_curve());
	ecc_point_init(&pt, p256_curve());
	mpz_init(x);
	mpz_init(y);
	if ((ok = p256_scalar(&s, seckey))) {
		ecc_point_mul_g(&pt, &s);
		ecc_point_get(&pt, x, y);
		ok = p256_put32(xy, x) && p256_put32(xy + 32, y);
	}
	mpz_clear(x);
	mpz_clear(y);
	ecc_point_clear(&pt);
	p256_scalar_wipe(&s);
	return ok;
}

int
p256_pubkey_create(uint8_t *pub, size_t publen, const uint8_t seckey[32])
{
	uint8_t xy[64];

	memset(pub, 0, publen);
	if ((publen != 33 && publen != 65) || !p256_xy(xy, seckey))
		return 0;
	if (publen == 65) {
		pub[0] = 0x04;
		memcpy(pub + 1, xy, 64);
	} else {
		pub[0] = (uint8_t)(0x02 | (xy[63] & 1));
		memcpy(pub + 1, xy, 32);
	}
	return 1;
}

int
p256_pubkey_to_address(uint8_t addr[20], const uint8_t *pub, size_t publen)
{
	struct ecc_point pt;
	uint8_t xy[64], h[32];
	mpz_t x, y;
	int ok;

	memset(addr, 0, 20);
	ecc_point_init(&pt, p256_curve());
	mpz_init(x);
	mpz_init(y);
	if ((ok = p256_point(&pt, pub, publen))) {
		ecc_point_get(&pt, x, y);
		ok = p256_put32(xy, x) && p256_put32(xy + 32, y);
	}
	if (ok) {
		keccak256(h, xy, 64);
		memcpy(addr, h + 12, 20);
	}
	mpz_clear(x);
	mpz_clear(y);
	ecc_point_clear(&pt);
	return ok;
}

int
p256_sign(uint8_t sig[64], const uint8_t hash[32], const uint8_t seckey[32])
{
	struct dsa_signature s;
	struct ecc_scalar key;
	struct p256_drbg d;
	int ok;

	memset(sig, 0, 64);
	ecc_scalar_init(&key, p256_curve());
	dsa_signature_init(&s);
	if ((ok = p256_scalar(&key, seckey))) {
		p256_drbg_init(&d, seckey, hash);
		ecdsa_sign(&key, &d, p256_drbg_random, 32, hash, &s);
		explicit_bzero(&d, sizeof(d));
		ok = p256_put32(sig, s.r) && p256_put32(sig + 32, s.s);
	}
	if (!ok)
		memset(sig, 0, 64);
	dsa_signature_clear(&s);
	p256_scalar_wipe(&key);
	return ok;
}

int
p256_verify(const uint8_t sig[64], const uint8_t hash[32], const uint8_t *pub,
    size_t publen)
{
	struct dsa_signature s;
	struct ecc_point pt;
	int ok;

	ecc_point_init(&pt, p256_curve());
	dsa_signature_init(&s);
	if ((ok = p256_point(&pt, pub, publen))) {
		mpz_import(s.r, 32, 1, 1, 0, 0, sig);
		mpz_import(s.s, 32, 1, 1, 0, 0, sig + 32);
		/* nettle refuses r or s outside 1..n-1 itself. */
		ok = ecdsa_verify(&pt, 32, hash, &s);
	}
	dsa_signature_clear(&s);
	ecc_point_clear(&pt);
	return ok;
}

int
p256_keygen(uint8_t seckey[32])
{
	int tries;

	for (tries = 0; tries < 16; tries++) {
		if (getrandom(seckey, 32, 0) != 32)
			break;
		if (p256_in_range(seckey))
			return 1;
	}
	memset(seckey, 0, 32);
	return 0;
}
