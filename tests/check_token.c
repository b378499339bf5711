/* check_token.c: attestations from token_sign read back by the device
 * verifier (src/verify/), and every refusal the verifier owes a device. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>

#include "chain/hash.h"
#include "chain/p256.h"
#include "chain/sig.h"
#include "testutil.h"
#include "token.h"
#include "verify/lgv.h"

static const uint8_t gw_key[32] = { [31] = 0x11 };
static const uint8_t other_key[32] = { [31] = 0x22 };

static void
claims(struct token_claims *c, size_t nonce_len)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	memset(c->sub, 0xb2, 20);
	c->iat = 1795560000;
	c->exp = 1795560300;
	for (i = 0; i < nonce_len; i++)
		c->nonce[i] = (uint8_t)(0x40 + i);
	c->nonce_len = nonce_len;
	memset(c->cti, 0xc3, 4);
	c->verdict = 0;
	memset(c->firmware, 0xf4, 32);
	c->firmware_version = 1002;
	c->license_id = 4711;
	c->license_expiry = 1800000000;
	c->max_version = 2000;
	c->chain_id = 31337;
	memset(c->registry, 0x55, 20);
	c->block_number = 123456;
	memset(c->block_hash, 0x66, TOKEN_BLOCK_HASH_LEN);
}

static size_t
mint(uint8_t *tok, const struct token_claims *c, const uint8_t key[32])
{
	size_t len;

	ck_assert(token_sign(tok, TOKEN_MAX, &len, c, LGV_ALG_ES256K, key));
	return len;
}

static void
pubkey(uint8_t pub[33], const uint8_t key[32])
{
	ck_assert(sig_pubkey_create(pub, 33, key));
}

/* What a device that asked with c's nonce expects. */
static void
expect(struct lgv_expect *e, const uint8_t pub[33],
    const struct token_claims *c)
{
	memset(e, 0, sizeof(*e));
	e->gateway_key = pub;
	e->gateway_key_len = 33;
	e->device = c->sub;
	e->nonce = c->nonce_len ? c->nonce : NULL;
	e->nonce_len = c->nonce_len;
	e->now = c->iat + 10;
	e->min_block = c->block_number;
}

START_TEST(round_trip)
{
	uint8_t tok[TOKEN_MAX], pub[33];
	struct token_claims c;
	struct lgv_expect e;
	struct lgv_token t;
	size_t len;

	claims(&c, 16);
	len = mint(tok, &c, gw_key);
	pubkey(pub, gw_key);
	expect(&e, pub, &c);
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_OK);
	ck_assert_mem_eq(t.sub, c.sub, 20);
	ck_assert_uint_eq(t.iat, c.iat);
	ck_assert_uint_eq(t.exp, c.exp);
	ck_assert_uint_eq(t.nonce_len, 16);
	ck_assert_mem_eq(t.nonce, c.nonce, 16);
	ck_assert(!t.has_cti);
	ck_assert_mem_eq(t.firmware, c.firmware, 32);
	ck_assert_uint_eq(t.firmware_version, 1002);
	ck_assert_uint_eq(t.license_id, 4711);
	ck_assert_uint_eq(t.license_expiry, 1800000000);
	ck_assert_uint_eq(t.max_version, 2000);
	ck_assert_uint_eq(t.chain_id, 31337);
	ck_assert_mem_eq(t.registry, c.registry, 20);
	ck_assert_uint_eq(t.block_number, 123456);
	ck_assert_mem_eq(t.block_hash, c.block_hash, 16);
}
END_TEST

START_TEST(no_nonce_has_cti)
{
	uint8_t tok[TOKEN_MAX], pub[33];
	struct token_claims c;
	struct lgv_expect e;
	struct lgv_token t;
	size_t len;

	claims(&c, 0);
	len = mint(tok, &c, gw_key);
	pubkey(pub, gw_key);
	expect(&e, pub, &c);
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_OK);
	ck_assert(t.has_cti);
	ck_assert_mem_eq(t.cti, c.cti, 4);
	ck_assert_uint_eq(t.nonce_len, 0);
}
END_TEST

/* The eat_profile claim as every token carries it: key 265, then the OID
 * 2.25.44664012622358054492267278949943539306 (licgate-token(7)) as a
 * 19-byte string, worked out by hand from the dotted form: 2.25 is
 * 2 * 40 + 25 = 0x69, the UUID's 128 bits go in base 128. */
static const uint8_t profile_claim[] = { 0x19, 0x01, 0x09, 0x53, 0x69,
    0xc3, 0x99, 0xfc, 0xf5, 0xdb, 0x96, 0xb2, 0xae, 0xc5, 0x8b, 0xf4, 0x88,
    0xb8, 0xa7, 0x9a, 0x8b, 0xec, 0x6a };

/* Where needle starts in hay; fails the test when it is not there. */
static size_t
find(const uint8_t *hay, size_t n, const uint8_t *needle, size_t k)
{
	size_t i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return i;
	ck_abort_msg("not found");
	return 0;
}

/* Size with realistic values (versions and ids above 255, a 16-byte
 * nonce) stays within 256 bytes; a 32-byte nonce adds 17 (16 and a
 * longer head). */
START_TEST(size_limit)
{
	uint8_t tok[TOKEN_MAX];
	struct token_claims c;
	size_t n16, n32, n0;

	claims(&c, 16);
	n16 = mint(tok, &c, gw_key);
	claims(&c, 32);
	n32 = mint(tok, &c, gw_key);
	claims(&c, 0);
	n0 = mint(tok, &c, gw_key);
	ck_assert_uint_le(n16, 256);
	ck_assert_uint_eq(n32, n16 + 17);
	ck_assert_uint_lt(n0, n16);
	/* The same license on a long-lived public chain (Sepolia's chain
	 * id, block 30 million) still fits; licgate-token(7) says what each
	 * field past 16 bits costs. */
	claims(&c, 16);
	c.chain_id = 11155111;
	c.block_number = 30000000;
	ck_assert_uint_le(mint(tok, &c, gw_key), 256);
}
END_TEST

/* The eat_profile bytes are the OID licgate-token(7) names: the dotted
 * form's number after 2.25, in base 128, computed here by long division
 * of its decimal digits. */
START_TEST(profile_oid)
{
	char digits[64];
	uint8_t groups[24], oid[LGV_PROFILE_LEN + 1];
	size_t n = 0, k = 0, i;

	ck_assert(strncmp(TOKEN_PROFILE_TEXT, "2.25.", 5) == 0);
	strcpy(digits, TOKEN_PROFILE_TEXT + 5);
	while (strcmp(digits, "0") != 0 && digits[0] != '\0') {
		unsigned rem = 0;
		char *q = digits;

		for (i = 0; digits[i] != '\0'; i++) {
			unsigned v = rem * 10 + (unsigned)(digits[i] - '0');
			if (q != digits || v / 128 != 0)
				*q++ = (char)('0' + v / 128);
			rem = v % 128;
		}
		*q = '\0';
		ck_assert_uint_lt(n, sizeof(groups));
		groups[n++] = (uint8_t)rem;
		if (q == digits)
			break;
	}
	oid[k++] = 2 * 40 + 25;
	while (n-- > 0)
		oid[k++] = (uint8_t)(groups[n] | (n > 0 ? 0x80 : 0));
	ck_assert_uint_eq(k, LGV_PROFILE_LEN);
	ck_assert_mem_eq(oid, lgv_profile, LGV_PROFILE_LEN);
	ck_assert_mem_eq(profile_claim + 4, lgv_profile, LGV_PROFILE_LEN);
}
END_TEST

/* The layout starts as COSE_Sign1 must: tag 18, an array of 4, the
 * protected header {1: -47} as a byte string, an empty map. */
START_TEST(layout)
{
	static const uint8_t start[] = { 0xd2, 0x84, 0x44, 0xa1, 0x01, 0x38,
	    0x2e, 0xa0, 0x58 };
	uint8_t tok[TOKEN_MAX];
	struct token_claims c;
	size_t len;

	claims(&c, 16);
	len = mint(tok, &c, gw_key);
	ck_assert_mem_eq(tok, start, sizeof(start));
	/* ... names its profile ... */
	find(tok, len, profile_claim, sizeof(profile_claim));
	/* ... and ends with a 64-byte signature. */
	ck_assert_uint_eq(tok[len - 66], 0x58);
	ck_assert_uint_eq(tok[len - 65], 0x40);
}
END_TEST

START_TEST(every_byte_changed)
{
	uint8_t tok[TOKEN_MAX], pub[33];
	struct token_claims c;
	struct lgv_expect e;
	struct lgv_token t;
	size_t len, i;
	int bit;

	claims(&c, 16);
	len = mint(tok, &c, gw_key);
	pubkey(pub, gw_key);
	expect(&e, pub, &c);
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit += 7) {
			tok[i] ^= (uint8_t)(1 << bit);
			ck_assert_msg(lgv_verify(&t, tok, len, &e) != LGV_OK,
			    "byte %zu bit %d changed and still accepted", i,
			    bit);
			tok[i] ^= (uint8_t)(1 << bit);
		}
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_OK);
}
END_TEST

START_TEST(refusals)
{
	uint8_t tok[TOKEN_MAX + 1], pub[33], other[33];
	uint8_t dev[20], nonce[16];
	struct token_claims c;
	struct lgv_expect e;
	struct lgv_token t;
	size_t len;

	claims(&c, 16);
	len = mint(tok, &c, gw_key);
	pubkey(pub, gw_key);
	pubkey(other, other_key);
	expect(&e, other, &c);
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_BAD_SIGNATURE);
	expect(&e, pub, &c);
	memset(dev, 0xb3, 20);
	e.device = dev;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_WRONG_DEVICE);
	expect(&e, pub, &c);
	memcpy(nonce, c.nonce, 16);
	nonce[15] ^= 1;
	e.nonce = nonce;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_WRONG_NONCE);
	expect(&e, pub, &c);
	e.now = c.exp;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_EXPIRED);
	e.now = c.exp - 1;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_OK);
	e.min_block = c.block_number + 1;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_ROLLBACK);
	expect(&e, pub, &c);
	tok[len] = 0x00;
	ck_assert_int_eq(lgv_verify(&t, tok, len + 1, &e), LGV_MALFORMED);
	ck_assert_int_eq(lgv_verify(&t, tok, len - 1, &e), LGV_MALFORMED);
	e.gateway_key_len = 32;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_BAD_KEY);
}
END_TEST

/* What a device pins beside its name and nonce: a token for another image,
 * chain or registry is refused, each by name; unpinned, it is not checked. */
START_TEST(pins)
{
	uint8_t tok[TOKEN_MAX], pub[33], other[32];
	struct token_claims c;
	struct lgv_expect e;
	struct lgv_token t;
	size_t len;

	claims(&c, 16);
	len = mint(tok, &c, gw_key);
	pubkey(pub, gw_key);
	expect(&e, pub, &c);
	e.firmware = c.firmware;
	e.has_chain_id = 1;
	e.chain_id = c.chain_id;
	e.registry = c.registry;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_OK);
	memcpy(other, c.firmware, 32);
	other[31] ^= 1;
	e.firmware = other;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_WRONG_FIRMWARE);
	e.firmware = c.firmware;
	e.chain_id = 1;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_WRONG_CHAIN);
	e.chain_id = c.chain_id;
	memcpy(other, c.registry, 20);
	other[0] ^= 0x80;
	e.registry = other;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_WRONG_REGISTRY);
	e.registry = NULL;
	e.has_chain_id = 0;
	e.firmware = NULL;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_OK);
}
END_TEST

/* exp - iat within the maximum lifetime (0: a day, not unlimited) and iat
 * not ahead of the device's clock beyond the skew (0: 300 s). */
START_TEST(lifetime)
{
	uint8_t tok[TOKEN_MAX], pub[33];
	struct token_claims c;
	struct lgv_expect e;
	struct lgv_token t;
	size_t len;

	pubkey(pub, gw_key);
	claims(&c, 16);
	c.exp = c.iat + LGV_DEFAULT_MAX_LIFETIME;
	len = mint(tok, &c, gw_key);
	expect(&e, pub, &c);
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_OK);
	c.exp++;
	len = mint(tok, &c, gw_key);
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_TOO_LONG);
	e.max_lifetime = LGV_DEFAULT_MAX_LIFETIME + 1;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_OK);
	claims(&c, 16);
	len = mint(tok, &c, gw_key);
	e.max_lifetime = 299;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_TOO_LONG);
	e.max_lifetime = 300;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_OK);
	/* a token from the future: the device's clock is behind */
	e.now = c.iat - LGV_DEFAULT_SKEW;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_OK);
	e.now--;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_NOT_YET);
	e.skew = LGV_DEFAULT_SKEW + 1;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_OK);
	e.skew = 10;
	e.now = c.iat - 11;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_NOT_YET);
}
END_TEST

/* Every refusal verdict the gateway signs is LGV_DENIED, with the verdict
 * in out, and only once all else holds: a refusal for another image is
 * wrong-firmware first. */
START_TEST(denied)
{
	uint8_t tok[TOKEN_MAX], pub[33], other[32];
	struct token_claims c;
	struct lgv_expect e;
	struct lgv_token t;
	size_t len;
	unsigned v;

	pubkey(pub, gw_key);
	for (v = 1; v <= 10; v++) {
		claims(&c, 16);
		c.verdict = v;
		len = mint(tok, &c, gw_key);
		expect(&e, pub, &c);
		e.firmware = c.firmware;
		ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_DENIED);
		ck_assert_uint_eq(t.verdict, v);
		memset(other, 0x99, 32);
		e.firmware = other;
		ck_assert_int_eq(lgv_verify(&t, tok, len, &e),
		    LGV_WRONG_FIRMWARE);
		e.firmware = c.firmware;
		e.now = c.exp;
		ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_EXPIRED);
	}
}
END_TEST

/* The results are appended, never renumbered: a device may store them. */
START_TEST(result_names)
{
	static const char *const names[] = { "ok", "malformed", "bad-alg",
	    "bad-key", "bad-signature", "wrong-device", "wrong-nonce",
	    "expired", "rollback", "wrong-firmware", "wrong-chain",
	    "wrong-registry", "too-long", "not-yet-valid", "denied",
	    "bad-profile" };
	size_t i;

	ck_assert_int_eq(LGV_ROLLBACK, 8);
	ck_assert_int_eq(LGV_DENIED, 14);
	ck_assert_int_eq(LGV_BAD_PROFILE, 15);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ck_assert_str_eq(lgv_result_name((enum lgv_result)i), names[i]);
}
END_TEST

/* n - s: the same signature in its high-S form is refused. */
START_TEST(high_s)
{
	static const uint8_t n[32] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
		0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41 };
	uint8_t tok[TOKEN_MAX], pub[33];
	struct token_claims c;
	struct lgv_expect e;
	struct lgv_token t;
	size_t len;

	claims(&c, 16);
	len = mint(tok, &c, gw_key);
	pubkey(pub, gw_key);
	expect(&e, pub, &c);
	tu_negate(tok + len - 32, n);
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_BAD_SIGNATURE);
}
END_TEST

/* Re-signs a hand-altered payload so that only the layout is wrong. */
static size_t
resign(uint8_t *tok, const uint8_t *prot, size_t prot_len,
    const uint8_t *payload, size_t plen, const uint8_t key[32])
{
	uint8_t tbs[512], digest[32], sig[64];
	size_t n = 0, k = 0;

	tbs[n++] = 0x84;
	tbs[n++] = 0x6a;
	memcpy(tbs + n, "Signature1", 10);
	n += 10;
	tbs[n++] = (uint8_t)(0x40 | prot_len);
	memcpy(tbs + n, prot, prot_len);
	n += prot_len;
	tbs[n++] = 0x40;
	tbs[n++] = 0x58;
	tbs[n++] = (uint8_t)plen;
	memcpy(tbs + n, payload, plen);
	n += plen;
	sha256(digest, tbs, n);
	ck_assert(sig_sign(sig, NULL, digest, key));
	tok[k++] = 0xd2;
	tok[k++] = 0x84;
	tok[k++] = (uint8_t)(0x40 | prot_len);
	memcpy(tok + k, prot, prot_len);
	k += prot_len;
	tok[k++] = 0xa0;
	tok[k++] = 0x58;
	tok[k++] = (uint8_t)plen;
	memcpy(tok + k, payload, plen);
	k += plen;
	tok[k++] = 0x58;
	tok[k++] = 0x40;
	memcpy(tok + k, sig, 64);
	return k + 64;
}

START_TEST(layout_refusals)
{
	static const uint8_t es256k[] = { 0xa1, 0x01, 0x38, 0x2e };
	static const uint8_t es256[] = { 0xa1, 0x01, 0x26 };
	uint8_t tok[512], payload[TOKEN_MAX], p2[TOKEN_MAX + 8], pub[33];
	struct token_claims c;
	struct lgv_expect e;
	struct lgv_token t;
	size_t plen, len;

	claims(&c, 16);
	plen = token_encode_claims(payload, sizeof(payload), &c);
	pubkey(pub, gw_key);
	expect(&e, pub, &c);
	len = resign(tok, es256k, sizeof(es256k), payload, plen, gw_key);
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_OK);
	/* alg -7 (ES256) instead of -47 */
	len = resign(tok, es256, sizeof(es256), payload, plen, gw_key);
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_BAD_ALG);
	/* iat (key 6, value 1795560000 = 1a 6b 05 ..) as a non-minimal
	 * 8-byte integer */
	{
		size_t at = 1 + 22 + 6, k;
		ck_assert_uint_eq(payload[at], 0x06);
		ck_assert_uint_eq(payload[at + 1], 0x1a);
		memcpy(p2, payload, at + 1);
		p2[at + 1] = 0x1b;
		memset(p2 + at + 2, 0, 4);
		memcpy(p2 + at + 6, payload + at + 2, plen - at - 2);
		k = plen + 4;
		len = resign(tok, es256k, sizeof(es256k), p2, k, gw_key);
		ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_MALFORMED);
	}
	/* keys out of order: exp (4) where sub (2) belongs */
	memcpy(p2, payload, plen);
	p2[1] = 0x04;
	len = resign(tok, es256k, sizeof(es256k), p2, plen, gw_key);
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_MALFORMED);
	/* another eat_profile: the last byte of the OID changed */
	{
		size_t at = find(payload, plen, profile_claim,
		    sizeof(profile_claim));
		memcpy(p2, payload, plen);
		p2[at + sizeof(profile_claim) - 1] ^= 0x01;
		len = resign(tok, es256k, sizeof(es256k), p2, plen, gw_key);
		ck_assert_int_eq(lgv_verify(&t, tok, len, &e),
		    LGV_BAD_PROFILE);
		ck_assert_int_eq(lgv_decode(&t, tok, len), LGV_BAD_PROFILE);
	}
	/* an indefinite-length map */
	memcpy(p2, payload, plen);
	p2[0] = 0xbf;
	len = resign(tok, es256k, sizeof(es256k), p2, plen, gw_key);
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_MALFORMED);
	/* trailing bytes inside the payload */
	memcpy(p2, payload, plen);
	p2[plen] = 0x00;
	len = resign(tok, es256k, sizeof(es256k), p2, plen + 1, gw_key);
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_MALFORMED);
}
END_TEST

/* Device requests (POST /v1/attestation): signed by lgv_request_sign as a
 * device would, read back as the gateway does. */
static const uint8_t dev_key[32] = { [31] = 0x33 };

static void
request(struct lgv_request *r, size_t nonce_len)
{
	uint8_t pub[33];
	size_t i;

	memset(r, 0, sizeof(*r));
	pubkey(pub, dev_key);
	ck_assert(sig_pubkey_to_address(r->device, pub, sizeof(pub)));
	memset(r->firmware, 0xf4, 32);
	memset(r->gateway, 0xa1, 20);
	r->iat = 1795560000;
	for (i = 0; i < nonce_len; i++)
		r->nonce[i] = (uint8_t)(0x70 + i);
	r->nonce_len = nonce_len;
}

static size_t
sign_request(uint8_t *out, const struct lgv_request *r)
{
	size_t len;

	ck_assert_int_eq(lgv_request_sign(out, LGV_REQUEST_MAX, &len, r,
	    dev_key), LGV_OK);
	return len;
}

START_TEST(request_round_trip)
{
	static const uint8_t envelope[] = { 0xd2, 0x84, 0x44, 0xa1, 0x01, 0x38,
	    0x2e, 0xa0, 0x58 };
	uint8_t req[LGV_REQUEST_MAX], pub33[33], pub65[65];
	struct lgv_request r, got;
	size_t len, nlen = (size_t)_i;

	request(&r, nlen);
	len = sign_request(req, &r);
	ck_assert_mem_eq(req, envelope, sizeof(envelope));
	/* 28 for the gateway (3: 20 bytes) and the time (6: 4-byte uint) */
	ck_assert_uint_eq(len, 10 + 63 + 28 + (nlen < 24 ? 1 : 2) + nlen + 2 +
	    64);
	ck_assert_int_eq(lgv_request_decode(&got, req, len), LGV_OK);
	ck_assert_mem_eq(got.device, r.device, 20);
	ck_assert_mem_eq(got.gateway, r.gateway, 20);
	ck_assert_uint_eq(got.iat, r.iat);
	ck_assert_mem_eq(got.firmware, r.firmware, 32);
	ck_assert_uint_eq(got.nonce_len, nlen);
	ck_assert_mem_eq(got.nonce, r.nonce, nlen);
	/* the registry takes a device key as 33, 64 or 65 bytes */
	pubkey(pub33, dev_key);
	ck_assert(sig_pubkey_create(pub65, sizeof(pub65), dev_key));
	ck_assert_int_eq(lgv_request_verify(&got, req, len, pub33, 33), LGV_OK);
	ck_assert_int_eq(lgv_request_verify(&got, req, len, pub65, 65), LGV_OK);
	ck_assert_int_eq(lgv_request_verify(&got, req, len, pub65 + 1, 64),
	    LGV_OK);
}
END_TEST

/* The time goes in its shortest form, from 0 to 2^64 - 1, and reads back. */
START_TEST(request_times)
{
	static const uint64_t times[] = { 0, 23, 24, 255, 256, 65535, 65536,
	    0xffffffffu, 0x100000000ull, UINT64_MAX };
	uint8_t req[LGV_REQUEST_MAX];
	struct lgv_request r, got;
	size_t i, len;

	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		request(&r, LGV_NONCE_MAX);
		r.iat = times[i];
		len = sign_request(req, &r);
		ck_assert_int_eq(lgv_request_decode(&got, req, len), LGV_OK);
		ck_assert_uint_eq(got.iat, times[i]);
	}
}
END_TEST

START_TEST(request_every_byte_changed)
{
	uint8_t req[LGV_REQUEST_MAX], pub[33];
	struct lgv_request r, got;
	size_t len, i;

	request(&r, 16);
	len = sign_request(req, &r);
	pubkey(pub, dev_key);
	for (i = 0; i < len; i++) {
		req[i] ^= 0x01;
		ck_assert_int_ne(lgv_request_verify(&got, req, len, pub, 33),
		    LGV_OK);
		req[i] ^= 0x01;
	}
	ck_assert_int_eq(lgv_request_verify(&got, req, len, pub, 33), LGV_OK);
}
END_TEST

START_TEST(request_refusals)
{
	static const uint8_t zero_key[32];
	uint8_t req[LGV_REQUEST_MAX + 1], tok[TOKEN_MAX], pub[33], other[33];
	struct token_claims c;
	struct lgv_request r, got;
	size_t len, tlen;

	pubkey(pub, dev_key);
	pubkey(other, other_key);
	request(&r, 7);
	ck_assert_int_eq(lgv_request_sign(req, sizeof(req), &len, &r, dev_key),
	    LGV_MALFORMED);
	request(&r, 8);
	ck_assert_int_eq(lgv_request_sign(req, 100, &len, &r, dev_key),
	    LGV_MALFORMED);
	ck_assert_int_eq(lgv_request_sign(req, sizeof(req), &len, &r,
	    zero_key), LGV_BAD_KEY);
	len = sign_request(req, &r);
	ck_assert_int_eq(lgv_request_verify(&got, req, len, other, 33),
	    LGV_BAD_SIGNATURE);
	ck_assert_int_eq(lgv_request_verify(&got, req, len, pub, 32),
	    LGV_BAD_KEY);
	ck_assert_int_eq(lgv_request_verify(&got, req, len, NULL, 0),
	    LGV_BAD_KEY);
	req[len] = 0x00;
	ck_assert_int_eq(lgv_request_decode(&got, req, len + 1), LGV_MALFORMED);
	ck_assert_int_eq(lgv_request_decode(&got, req, len - 1), LGV_MALFORMED);
	/* an attestation is not a request, even though both are COSE */
	claims(&c, 16);
	tlen = mint(tok, &c, dev_key);
	ck_assert_int_eq(lgv_request_decode(&got, tok, tlen), LGV_MALFORMED);
}
END_TEST

START_TEST(request_layout_refusals)
{
	static const uint8_t es256k[] = { 0xa1, 0x01, 0x38, 0x2e };
	static const uint8_t es256[] = { 0xa1, 0x01, 0x26 };
	static const uint8_t eddsa[] = { 0xa1, 0x01, 0x27 };
	uint8_t req[LGV_REQUEST_MAX], out[512], p2[128], pub[33];
	struct lgv_request r, got;
	size_t len, plen, n;

	request(&r, 16);
	len = sign_request(req, &r);
	pubkey(pub, dev_key);
	plen = req[9];
	memcpy(p2, req + 10, plen);
	n = resign(out, es256k, sizeof(es256k), p2, plen, dev_key);
	ck_assert_uint_eq(n, len);
	ck_assert_mem_eq(out, req, len);
	n = resign(out, eddsa, sizeof(eddsa), p2, plen, dev_key);
	ck_assert_int_eq(lgv_request_verify(&got, out, n, pub, 33), LGV_BAD_ALG);
	/* a request saying ES256 is checked on P-256: a secp256k1
	 * signature under it is no signature */
	n = resign(out, es256, sizeof(es256), p2, plen, dev_key);
	ck_assert_int_eq(lgv_request_verify(&got, out, n, pub, 33),
	    LGV_BAD_SIGNATURE);
	/* keys out of canonical order: nonce (10) before device (2) */
	p2[1] = 0x0a;
	n = resign(out, es256k, sizeof(es256k), p2, plen, dev_key);
	ck_assert_int_eq(lgv_request_verify(&got, out, n, pub, 33),
	    LGV_MALFORMED);
	/* a fourth entry the gateway does not know */
	memcpy(p2, req + 10, plen);
	p2[0] = 0xa6;
	p2[plen] = 0x0b;
	p2[plen + 1] = 0x00;
	n = resign(out, es256k, sizeof(es256k), p2, plen + 2, dev_key);
	ck_assert_int_eq(lgv_request_verify(&got, out, n, pub, 33),
	    LGV_MALFORMED);
}
END_TEST

/* ES256 (P-256) ------------------------------------------------------- */

/* RFC 6979 appendix A.2.5: P-256, SHA-256, the messages "sample" and
 * "test": the nonce k and the signature, both exactly the RFC's. */
START_TEST(rfc6979_p256)
{
	static const char *const x_hex = "0xc9afa9d845ba75166b5c215767b1d6934e"
	    "50c3db36e89b127b8a622b120f6721";
	static const char *const u_hex = "0x0460fed4ba255a9d31c961eb74c6356d68"
	    "c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2"
	    "f1b20c2d7e9f5177a3c294d4462299";
	static const struct { const char *msg, *k, *rs; } v[] = {
		{ "sample",
		  "0xa6e3c57dd01abe90086538398355dd4c3b17aa873382b0f24d6129493d8aad60",
		  "0xefd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
		  "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8" },
		{ "test",
		  "0xd16b6ae827f17175e040871a1c7ec3500192c4c92677336ec2537acaee0008e0",
		  "0xf1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367"
		  "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083" },
	};
	uint8_t h[32], k[32], sig[64], pub[65], c33[33], *x, *u, *want_k,
	    *want_rs;
	size_t n, i;

	x = tu_hex(x_hex, &n);
	u = tu_hex(u_hex, &n);
	ck_assert(p256_pubkey_create(pub, 65, x));
	ck_assert_mem_eq(pub, u, 65);
	/* Uy is odd: 03 || Ux, and 02 || Ux is the other point. */
	ck_assert(p256_pubkey_create(c33, 33, x));
	ck_assert_uint_eq(c33[0], 0x03);
	ck_assert_mem_eq(c33 + 1, u + 1, 32);
	for (i = 0; i < 2; i++) {
		sha256(h, v[i].msg, strlen(v[i].msg));
		want_k = tu_hex(v[i].k, &n);
		want_rs = tu_hex(v[i].rs, &n);
		p256_nonce_rfc6979(k, x, h, 0);
		ck_assert_mem_eq(k, want_k, 32);
		ck_assert(p256_sign(sig, h, x));
		ck_assert_mem_eq(sig, want_rs, 64);
		ck_assert(p256_verify(sig, h, u, 65));
		ck_assert(p256_verify(sig, h, u + 1, 64));
		c33[0] = 0x03;
		ck_assert(p256_verify(sig, h, c33, 33));
		c33[0] = 0x02;
		ck_assert(!p256_verify(sig, h, c33, 33));
		sig[63] ^= 1;
		ck_assert(!p256_verify(sig, h, u, 65));
		free(want_k);
		free(want_rs);
	}
	free(x);
	free(u);
}
END_TEST

static size_t
mint256(uint8_t *tok, const struct token_claims *c, const uint8_t key[32])
{
	size_t len;

	ck_assert(token_sign(tok, TOKEN_MAX, &len, c, LGV_ALG_ES256, key));
	return len;
}

/* An ES256 token: {1: -7}, read back whole with the P-256 key pinned, at
 * most 256 bytes with a 16-byte nonce, one byte shorter than ES256K's. */
START_TEST(es256_round_trip)
{
	static const uint8_t start[] = { 0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26,
	    0xa0, 0x58 };
	uint8_t tok[TOKEN_MAX], tok_k[TOKEN_MAX], pub[33], pub65[65];
	struct token_claims c;
	struct lgv_expect e;
	struct lgv_token t;
	size_t len;

	claims(&c, 16);
	len = mint256(tok, &c, gw_key);
	ck_assert_mem_eq(tok, start, sizeof(start));
	ck_assert_uint_le(len, 256);
	ck_assert_uint_eq(len + 1, mint(tok_k, &c, gw_key));
	ck_assert(p256_pubkey_create(pub, 33, gw_key));
	ck_assert(p256_pubkey_create(pub65, 65, gw_key));
	expect(&e, pub, &c);
	e.gateway_alg = LGV_ALG_ES256;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_OK);
	ck_assert_int_eq(t.alg, LGV_ALG_ES256);
	ck_assert_mem_eq(t.sub, c.sub, 20);
	ck_assert_uint_eq(t.block_number, 123456);
	e.gateway_key = pub65;
	e.gateway_key_len = 65;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_OK);
	/* Deterministic: the same claims give the same bytes. */
	ck_assert_uint_eq(mint256(tok_k, &c, gw_key), len);
	ck_assert_mem_eq(tok_k, tok, len);
	/* Another key's signature. */
	ck_assert(p256_pubkey_create(pub, 33, other_key));
	e.gateway_key = pub;
	e.gateway_key_len = 33;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_BAD_SIGNATURE);
}
END_TEST

START_TEST(es256_every_byte_changed)
{
	uint8_t tok[TOKEN_MAX], pub[33];
	struct token_claims c;
	struct lgv_expect e;
	struct lgv_token t;
	size_t len, i;

	claims(&c, 16);
	len = mint256(tok, &c, gw_key);
	ck_assert(p256_pubkey_create(pub, 33, gw_key));
	expect(&e, pub, &c);
	e.gateway_alg = LGV_ALG_ES256;
	for (i = 0; i < len; i++) {
		tok[i] ^= 0x01;
		ck_assert_msg(lgv_verify(&t, tok, len, &e) != LGV_OK,
		    "byte %zu changed and still accepted", i);
		tok[i] ^= 0x01;
	}
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_OK);
}
END_TEST

/* The device pins the curve with the key; the token never chooses it. */
START_TEST(es256_pinned_curve)
{
	uint8_t tok[TOKEN_MAX], pub_r[33], pub_k[33];
	struct token_claims c;
	struct lgv_expect e;
	struct lgv_token t;
	size_t len;

	claims(&c, 16);
	ck_assert(p256_pubkey_create(pub_r, 33, gw_key));
	pubkey(pub_k, gw_key);
	len = mint256(tok, &c, gw_key);
	expect(&e, pub_r, &c);		/* gateway_alg 0: ES256K */
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_BAD_ALG);
	ck_assert_int_eq(t.alg, LGV_ALG_ES256);
	e.gateway_alg = LGV_ALG_ES256K;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_BAD_ALG);
	len = mint(tok, &c, gw_key);
	expect(&e, pub_k, &c);
	e.gateway_alg = LGV_ALG_ES256;
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_BAD_ALG);
	/* lgv_decode reads both and says which. */
	ck_assert_int_eq(lgv_decode(&t, tok, len), LGV_OK);
	ck_assert_int_eq(t.alg, LGV_ALG_ES256K);
}
END_TEST

/* COSE does not ask ES256 for a low S: n - s verifies too. */
START_TEST(es256_high_s)
{
	static const uint8_t n[32] = {
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
		0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51 };
	uint8_t tok[TOKEN_MAX], pub[33];
	struct token_claims c;
	struct lgv_expect e;
	struct lgv_token t;
	size_t len;

	claims(&c, 16);
	len = mint256(tok, &c, gw_key);
	ck_assert(p256_pubkey_create(pub, 33, gw_key));
	expect(&e, pub, &c);
	e.gateway_alg = LGV_ALG_ES256;
	tu_negate(tok + len - 32, n);
	ck_assert_int_eq(lgv_verify(&t, tok, len, &e), LGV_OK);
}
END_TEST

static int
sign_p256_cb(void *key, uint8_t sig[64], const uint8_t digest[32])
{
	return p256_sign(sig, digest, key);
}

/* A P-256 device's request: {1: -7}, checked on P-256 whatever form the
 * registry holds its key in, and never on secp256k1. */
START_TEST(es256_request)
{
	static const uint8_t envelope[] = { 0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26,
	    0xa0, 0x58 };
	uint8_t req[LGV_REQUEST_MAX], pub33[33], pub65[65], k33[33];
	struct lgv_request r, got;
	size_t len;

	request(&r, 16);
	ck_assert(p256_pubkey_create(pub65, 65, dev_key));
	ck_assert(p256_pubkey_to_address(r.device, pub65, 65));
	ck_assert_int_eq(lgv_request_sign_with(req, sizeof(req), &len, &r,
	    LGV_ALG_ES256, sign_p256_cb, (void *)dev_key), LGV_OK);
	ck_assert_mem_eq(req, envelope, sizeof(envelope));
	ck_assert_int_eq(lgv_request_decode(&got, req, len), LGV_OK);
	ck_assert_int_eq(got.alg, LGV_ALG_ES256);
	ck_assert_mem_eq(got.device, r.device, 20);
	ck_assert(p256_pubkey_create(pub33, 33, dev_key));
	ck_assert_int_eq(lgv_request_verify(&got, req, len, pub33, 33), LGV_OK);
	ck_assert_int_eq(lgv_request_verify(&got, req, len, pub65, 65), LGV_OK);
	ck_assert_int_eq(lgv_request_verify(&got, req, len, pub65 + 1, 64),
	    LGV_OK);
	pubkey(k33, dev_key);
	ck_assert_int_ne(lgv_request_verify(&got, req, len, k33, 33), LGV_OK);
	req[len - 1] ^= 1;
	ck_assert_int_eq(lgv_request_verify(&got, req, len, pub65, 65),
	    LGV_BAD_SIGNATURE);
	ck_assert_int_eq(lgv_request_sign_with(req, sizeof(req), &len, &r, -8,
	    sign_p256_cb, (void *)dev_key), LGV_BAD_ALG);
}
END_TEST

/* Install reports (POST /v1/installs): signed by lgv_install_sign as a
 * device would, read back as the gateway does. */
static void
report(struct lgv_install *r, int first)
{
	uint8_t pub[33];
	size_t i;

	memset(r, 0, sizeof(*r));
	pubkey(pub, dev_key);
	ck_assert(sig_pubkey_to_address(r->device, pub, sizeof(pub)));
	memset(r->gateway, 0xa1, 20);
	r->iat = 1795560000;
	for (i = 0; i < 16; i++)
		r->nonce[i] = (uint8_t)(0x70 + i);
	r->nonce_len = 16;
	memset(r->firmware, 0xf4, 32);
	r->version = 14;
	if (!first) {
		r->has_replaced = 1;
		memset(r->replaced, 0xe3, 32);
		r->has_cti = 1;
		memcpy(r->cti, "\x01\x02\x03\x04", 4);
		r->block = 300;
	}
}

static size_t
sign_report(uint8_t *out, const struct lgv_install *r)
{
	size_t len;

	ck_assert_int_eq(lgv_install_sign(out, LGV_INSTALL_MAX, &len, r,
	    dev_key), LGV_OK);
	return len;
}

/* A first install (no replaced image, no attestation named) and an update
 * read back field by field; the update's last claim is the array
 * [14, h'e3..', h'01020304', 300] at the end of the payload. */
START_TEST(install_round_trip)
{
	static const uint8_t tail[] = { 0x3a, 0x00, 0x01, 0x00, 0x02, 0x84,
	    0x0e, 0x58, 0x20 };
	static const uint8_t first_tail[] = { 0x84, 0x0e, 0x40, 0x40, 0x00 };
	uint8_t rep[LGV_INSTALL_MAX], pub[65];
	struct lgv_install r, got;
	size_t len;

	ck_assert(sig_pubkey_create(pub, sizeof(pub), dev_key));
	report(&r, 1);
	len = sign_report(rep, &r);
	ck_assert_mem_eq(rep + len - 66 - sizeof(first_tail), first_tail,
	    sizeof(first_tail));
	ck_assert_int_eq(lgv_install_verify(&got, rep, len, pub, 65), LGV_OK);
	ck_assert(!got.has_replaced && !got.has_cti && got.block == 0);
	ck_assert_uint_eq(got.version, 14);
	report(&r, 0);
	len = sign_report(rep, &r);
	ck_assert_uint_eq(len, 8 + 2 + 1 + 22 + 22 + 6 + 18 + 5 + 34 + 6 + 1 +
	    34 + 5 + 3 + 2 + 64);
	ck_assert_mem_eq(rep + 10 + 1 + 22 + 22 + 6 + 18 + 5 + 34, tail,
	    sizeof(tail));
	ck_assert_int_eq(lgv_install_decode(&got, rep, len), LGV_OK);
	ck_assert_mem_eq(got.device, r.device, 20);
	ck_assert_mem_eq(got.gateway, r.gateway, 20);
	ck_assert_uint_eq(got.iat, r.iat);
	ck_assert_mem_eq(got.nonce, r.nonce, 16);
	ck_assert_mem_eq(got.firmware, r.firmware, 32);
	ck_assert(got.has_replaced && got.has_cti);
	ck_assert_mem_eq(got.replaced, r.replaced, 32);
	ck_assert_mem_eq(got.cti, r.cti, 4);
	ck_assert_uint_eq(got.block, 300);
	ck_assert_int_eq(lgv_install_verify(&got, rep, len, pub + 1, 64),
	    LGV_OK);
}
END_TEST

START_TEST(install_every_byte_changed)
{
	uint8_t rep[LGV_INSTALL_MAX], pub[33];
	struct lgv_install r, got;
	size_t len, i;

	report(&r, 0);
	len = sign_report(rep, &r);
	pubkey(pub, dev_key);
	for (i = 0; i < len; i++) {
		rep[i] ^= 0x01;
		ck_assert_int_ne(lgv_install_verify(&got, rep, len, pub, 33),
		    LGV_OK);
		rep[i] ^= 0x01;
	}
	ck_assert_int_eq(lgv_install_verify(&got, rep, len, pub, 33), LGV_OK);
}
END_TEST

START_TEST(install_refusals)
{
	static const uint8_t zero_key[32];
	static const uint8_t es256k[] = { 0xa1, 0x01, 0x38, 0x2e };
	uint8_t rep[LGV_INSTALL_MAX + 1], req[LGV_REQUEST_MAX], pub[33],
	    other[33], p2[256], out[512];
	struct lgv_install r, got;
	struct lgv_request q, gotq;
	size_t len, n, plen;

	pubkey(pub, dev_key);
	pubkey(other, other_key);
	report(&r, 0);
	r.nonce_len = 7;
	ck_assert_int_eq(lgv_install_sign(rep, sizeof(rep), &len, &r, dev_key),
	    LGV_MALFORMED);
	report(&r, 0);
	ck_assert_int_eq(lgv_install_sign(rep, 200, &len, &r, dev_key),
	    LGV_MALFORMED);
	ck_assert_int_eq(lgv_install_sign(rep, sizeof(rep), &len, &r,
	    zero_key), LGV_BAD_KEY);
	len = sign_report(rep, &r);
	ck_assert_int_eq(lgv_install_verify(&got, rep, len, other, 33),
	    LGV_BAD_SIGNATURE);
	ck_assert_int_eq(lgv_install_verify(&got, rep, len, NULL, 0),
	    LGV_BAD_KEY);
	rep[len] = 0x00;
	ck_assert_int_eq(lgv_install_decode(&got, rep, len + 1), LGV_MALFORMED);
	ck_assert_int_eq(lgv_install_decode(&got, rep, len - 1), LGV_MALFORMED);
	/* a request is not a report, nor a report a request */
	request(&q, 16);
	n = sign_request(req, &q);
	ck_assert_int_eq(lgv_install_decode(&got, req, n), LGV_MALFORMED);
	ck_assert_int_eq(lgv_request_decode(&gotq, rep, len), LGV_MALFORMED);
	/* a replaced image of 31 bytes, correctly signed: neither absent nor
	 * whole */
	plen = rep[9];
	memcpy(p2, rep + 10, plen);
	n = resign(out, es256k, sizeof(es256k), p2, plen, dev_key);
	ck_assert_int_eq(lgv_install_verify(&got, out, n, pub, 33), LGV_OK);
	p2[plen - 41] = 0x1f;
	memmove(p2 + plen - 9, p2 + plen - 8, 8);
	n = resign(out, es256k, sizeof(es256k), p2, plen - 1, dev_key);
	ck_assert_int_eq(lgv_install_verify(&got, out, n, pub, 33),
	    LGV_MALFORMED);
	ck_assert(!got.has_replaced && got.version == 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("token");
	TCase *tc = tcase_create("token");

	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, no_nonce_has_cti);
	tcase_add_test(tc, size_limit);
	tcase_add_test(tc, profile_oid);
	tcase_add_test(tc, layout);
	tcase_add_test(tc, every_byte_changed);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, pins);
	tcase_add_test(tc, lifetime);
	tcase_add_test(tc, denied);
	tcase_add_test(tc, result_names);
	tcase_add_test(tc, request_times);
	tcase_add_test(tc, high_s);
	tcase_add_test(tc, layout_refusals);
	tcase_add_loop_test(tc, request_round_trip, LGV_REQUEST_NONCE_MIN,
	    LGV_NONCE_MAX + 1);
	tcase_add_test(tc, request_every_byte_changed);
	tcase_add_test(tc, request_refusals);
	tcase_add_test(tc, request_layout_refusals);
	tcase_add_test(tc, rfc6979_p256);
	tcase_add_test(tc, es256_round_trip);
	tcase_add_test(tc, es256_every_byte_changed);
	tcase_add_test(tc, es256_pinned_curve);
	tcase_add_test(tc, es256_high_s);
	tcase_add_test(tc, es256_request);
	tcase_add_test(tc, install_round_trip);
	tcase_add_test(tc, install_every_byte_changed);
	tcase_add_test(tc, install_refusals);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
