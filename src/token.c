/* token.c: a small deterministic CBOR writer (shortest heads, definite
 * lengths, map keys in the order their encodings sort) and COSE_Sign1. */
#include "config.h"

#include <string.h>

#include "chain/hash.h"
#include "chain/hex.h"
#include "key.h"
#include "token.h"
#include "verdict.h"

/* A bounded output buffer; overflow is remembered, not written. */
struct cbuf {
	uint8_t *p;
	size_t cap, len;
	int overflow;
};

static void
put(struct cbuf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->overflow || n > b->cap - b->len) {
		b->overflow = 1;
		return;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* A head: major type and argument in the shortest form. */
static void
head(struct cbuf *b, unsigned major, uint64_t v)
{
	uint8_t h[9];
	size_t n, i;

	h[0] = (uint8_t)(major << 5);
	if (v < 24) {
		h[0] |= (uint8_t)v;
		n = 1;
	} else {
		n = v <= 0xff ? 2 : v <= 0xffff ? 3 : v <= 0xffffffffu ? 5 : 9;
		h[0] |= (uint8_t)(n == 2 ? 24 : n == 3 ? 25 : n == 5 ? 26 : 27);
		for (i = 1; i < n; i++)
			h[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	}
	put(b, h, n);
}

static void
uint_(struct cbuf *b, uint64_t v)
{
	head(b, 0, v);
}

static void
int_(struct cbuf *b, int64_t v)
{
	if (v >= 0)
		head(b, 0, (uint64_t)v);
	else
		head(b, 1, (uint64_t)(-1 - v));
}

static void
bytes(struct cbuf *b, const uint8_t *p, size_t n)
{
	head(b, 2, n);
	put(b, p, n);
}

static void
text(struct cbuf *b, const char *s)
{
	head(b, 3, strlen(s));
	put(b, s, strlen(s));
}

size_t
token_encode_claims(uint8_t *out, size_t cap, const struct token_claims *c)
{
	struct cbuf b = { out, cap, 0, 0 };

	/* Six claims, keys in the order of their encodings: 2 4 6, 7 or 10,
	 * 265 (19 0109), -65537 (3a 00010000). */
	head(&b, 5, 6);
	uint_(&b, TOKEN_KEY_SUB);
	bytes(&b, c->sub, 20);
	uint_(&b, TOKEN_KEY_EXP);
	uint_(&b, c->exp);
	uint_(&b, TOKEN_KEY_IAT);
	uint_(&b, c->iat);
	if (c->nonce_len == 0) {
		uint_(&b, TOKEN_KEY_CTI);
		bytes(&b, c->cti, TOKEN_CTI_LEN);
	} else {
		uint_(&b, TOKEN_KEY_NONCE);
		bytes(&b, c->nonce, c->nonce_len);
	}
	uint_(&b, TOKEN_KEY_PROFILE);
	bytes(&b, lgv_profile, LGV_PROFILE_LEN);
	int_(&b, TOKEN_KEY_LICGATE);
	head(&b, 4, TOKEN_LICGATE_FIELDS);
	uint_(&b, c->verdict);
	bytes(&b, c->firmware, 32);
	uint_(&b, c->firmware_version);
	uint_(&b, c->license_id);
	uint_(&b, c->license_expiry);
	uint_(&b, c->max_version);
	uint_(&b, c->chain_id);
	bytes(&b, c->registry, 20);
	uint_(&b, c->block_number);
	bytes(&b, c->block_hash, TOKEN_BLOCK_HASH_LEN);
	return b.overflow ? 0 : b.len;
}

/* The protected headers: the bstr-wrapped maps {1: -47} and {1: -7}. */
static const uint8_t token_protected_es256k[] = { 0xa1, 0x01, 0x38, 0x2e };
static const uint8_t token_protected_es256[] = { 0xa1, 0x01, 0x26 };

int
token_sign(uint8_t *out, size_t cap, size_t *outlen,
    const struct token_claims *c, int alg, const uint8_t seckey[32])
{
	uint8_t payload[TOKEN_MAX], tbs[TOKEN_MAX + 64], digest[32], sig[64];
	struct cbuf s = { tbs, sizeof(tbs), 0, 0 };
	struct cbuf b = { out, cap, 0, 0 };
	const uint8_t *token_protected = alg == LGV_ALG_ES256 ?
	    token_protected_es256 : token_protected_es256k;
	size_t plen, hlen = alg == LGV_ALG_ES256 ?
	    sizeof(token_protected_es256) : sizeof(token_protected_es256k);

	*outlen = 0;
	if ((plen = token_encode_claims(payload, sizeof(payload), c)) == 0)
		return 0;
	/* Sig_structure = ["Signature1", protected, external_aad h'', payload] */
	head(&s, 4, 4);
	text(&s, "Signature1");
	bytes(&s, token_protected, hlen);
	bytes(&s, NULL, 0);
	bytes(&s, payload, plen);
	if (s.overflow)
		return 0;
	sha256(digest, tbs, s.len);
	if (!key_sign(sig, alg, digest, seckey))
		return 0;
	head(&b, 6, 18);
	head(&b, 4, 4);
	bytes(&b, token_protected, hlen);
	head(&b, 5, 0);
	bytes(&b, payload, plen);
	bytes(&b, sig, 64);
	if (b.overflow)
		return 0;
	*outlen = b.len;
	return 1;
}

static void
put_hex(json_t *o, const char *key, const uint8_t *p, size_t n)
{
	char h[2 * 32 + 3];

	json_object_set_new(o, key, json_string(hex_encode(h, p, n)));
}

static void
put_u64(json_t *o, const char *key, uint64_t v)
{
	json_object_set_new(o, key, json_integer((json_int_t)v));
}

json_t *
token_claims_json(const struct token_claims *c)
{
	const char *v = c->verdict < VERDICT_COUNT ?
	    verdict_name((enum verdict)c->verdict) : NULL;
	json_t *o = json_object();

	json_object_set_new(o, "verdict", json_string(v != NULL ? v :
	    "unknown"));
	json_object_set_new(o, "eat_profile", json_string(TOKEN_PROFILE_TEXT));
	put_hex(o, "sub", c->sub, 20);
	put_u64(o, "iat", c->iat);
	put_u64(o, "exp", c->exp);
	if (c->nonce_len > 0)
		put_hex(o, "nonce", c->nonce, c->nonce_len);
	else
		put_hex(o, "cti", c->cti, TOKEN_CTI_LEN);
	put_hex(o, "firmware", c->firmware, 32);
	put_u64(o, "firmware_version", c->firmware_version);
	put_u64(o, "license_id", c->license_id);
	put_u64(o, "license_expiry", c->license_expiry);
	put_u64(o, "max_version", c->max_version);
	put_u64(o, "chain_id", c->chain_id);
	put_hex(o, "registry", c->registry, 20);
	put_u64(o, "block_number", c->block_number);
	put_hex(o, "block_hash_prefix", c->block_hash, TOKEN_BLOCK_HASH_LEN);
	return o;
}
