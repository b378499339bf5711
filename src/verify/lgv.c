/* lgv.c: a strict reader of exactly one CBOR layout.  Anything not written
 * the way the gateway writes it (shortest heads, definite lengths, keys in
 * canonical order, no extra bytes) is malformed. */
#include <string.h>

#include <secp256k1.h>

#include "lgv.h"

struct rd {
	const uint8_t *p;
	size_t len, off;
	int bad;
};

/* Reads a head: major type and argument, refusing indefinite lengths,
 * reserved values and non-shortest forms. */
static int
rd_head(struct rd *r, unsigned *major, uint64_t *v)
{
	uint8_t ib;
	unsigned ai, n, i;

	if (r->bad || r->off >= r->len)
		return r->bad = 1, 0;
	ib = r->p[r->off++];
	*major = ib >> 5;
	ai = ib & 31;
	if (ai < 24) {
		*v = ai;
		return 1;
	}
	if (ai > 27)
		return r->bad = 1, 0;
	n = 1u << (ai - 24);
	if (n > r->len - r->off)
		return r->bad = 1, 0;
	for (*v = 0, i = 0; i < n; i++)
		*v = *v << 8 | r->p[r->off++];
	if ((n == 1 && *v < 24) || (n == 2 && *v <= 0xff) ||
	    (n == 4 && *v <= 0xffff) || (n == 8 && *v <= 0xffffffffu))
		return r->bad = 1, 0;
	return 1;
}

static int
rd_expect(struct rd *r, unsigned major, uint64_t v)
{
	unsigned m;
	uint64_t x;

	if (!rd_head(r, &m, &x) || m != major || x != v)
		return r->bad = 1, 0;
	return 1;
}

static int
rd_uint(struct rd *r, uint64_t *v)
{
	unsigned m;

	if (!rd_head(r, &m, v) || m != 0)
		return r->bad = 1, 0;
	return 1;
}

/* A byte string of min..max bytes; *p points into the token. */
static int
rd_bytes(struct rd *r, const uint8_t **p, size_t *n, size_t min, size_t max)
{
	unsigned m;
	uint64_t v;

	if (!rd_head(r, &m, &v) || m != 2 || v < min || v > max ||
	    v > r->len - r->off)
		return r->bad = 1, 0;
	*p = r->p + r->off;
	*n = (size_t)v;
	r->off += (size_t)v;
	return 1;
}

static int
rd_fixed(struct rd *r, uint8_t *out, size_t n)
{
	const uint8_t *p;
	size_t got;

	if (!rd_bytes(r, &p, &got, n, n))
		return 0;
	memcpy(out, p, n);
	return 1;
}

/* The protected header must be exactly {1: -47}; another algorithm is
 * named as such. */
static enum lgv_result
rd_protected(const uint8_t *p, size_t n)
{
	struct rd r = { p, n, 0, 0 };
	unsigned m;
	uint64_t v;

	if (!rd_expect(&r, 5, 1) || !rd_expect(&r, 0, 1) ||
	    !rd_head(&r, &m, &v) || (m != 0 && m != 1) || r.off != n)
		return LGV_MALFORMED;
	return m == 1 && v == 46 ? LGV_OK : LGV_BAD_ALG;
}

static void
rd_claims(struct rd *r, struct lgv_token *t)
{
	const uint8_t *p;
	unsigned m = 8;
	uint64_t key = 0;

	rd_expect(r, 5, 6);
	rd_expect(r, 0, 1);
	rd_fixed(r, t->iss, 20);
	rd_expect(r, 0, 2);
	rd_fixed(r, t->sub, 20);
	rd_expect(r, 0, 4);
	rd_uint(r, &t->exp);
	rd_expect(r, 0, 6);
	rd_uint(r, &t->iat);
	if (rd_head(r, &m, &key) && m == 0 && key == 7) {
		t->has_cti = 1;
		rd_fixed(r, t->cti, 4);
	} else if (m == 0 && key == 10) {
		if (rd_bytes(r, &p, &t->nonce_len, 1, LGV_NONCE_MAX))
			memcpy(t->nonce, p, t->nonce_len);
	} else
		r->bad = 1;
	rd_expect(r, 1, 65536);
	rd_expect(r, 4, 10);
	rd_uint(r, &t->verdict);
	rd_fixed(r, t->firmware, 32);
	rd_uint(r, &t->firmware_version);
	rd_uint(r, &t->license_id);
	rd_uint(r, &t->license_expiry);
	rd_uint(r, &t->max_version);
	rd_uint(r, &t->chain_id);
	rd_fixed(r, t->registry, 20);
	rd_uint(r, &t->block_number);
	rd_fixed(r, t->block_hash, LGV_BLOCK_HASH_LEN);
}

struct parts {
	const uint8_t *prot, *payload, *sig;
	size_t prot_len, payload_len, sig_len;
};

/* Zeroes without memset, which a freestanding device may not have. */
static void
zero(void *p, size_t n)
{
	volatile uint8_t *b = p;

	while (n-- > 0)
		*b++ = 0;
}

static enum lgv_result
rd_token(struct parts *pt, struct lgv_token *t, const uint8_t *tok,
    size_t len)
{
	struct rd r = { tok, len, 0, 0 }, c;
	enum lgv_result pr;

	zero(t, sizeof(*t));
	if (len > LGV_TOKEN_MAX || !rd_expect(&r, 6, 18) ||
	    !rd_expect(&r, 4, 4) ||
	    !rd_bytes(&r, &pt->prot, &pt->prot_len, 1, 16))
		return LGV_MALFORMED;
	if ((pr = rd_protected(pt->prot, pt->prot_len)) != LGV_OK)
		return pr;
	if (!rd_expect(&r, 5, 0) ||
	    !rd_bytes(&r, &pt->payload, &pt->payload_len, 1, LGV_TOKEN_MAX) ||
	    !rd_bytes(&r, &pt->sig, &pt->sig_len, 64, 64) || r.off != len)
		return LGV_MALFORMED;
	c.p = pt->payload;
	c.len = pt->payload_len;
	c.off = 0;
	c.bad = 0;
	rd_claims(&c, t);
	return c.bad || c.off != c.len ? LGV_MALFORMED : LGV_OK;
}

enum lgv_result
lgv_decode(struct lgv_token *out, const uint8_t *tok, size_t len)
{
	struct parts pt;

	return rd_token(&pt, out, tok, len);
}

/* Sig_structure = ["Signature1", protected, h'', payload], hashed. */
static int
sig_digest(uint8_t digest[32], const struct parts *pt)
{
	static const uint8_t pre[] = { 0x84, 0x6a, 'S', 'i', 'g', 'n', 'a',
	    't', 'u', 'r', 'e', '1' };
	uint8_t buf[LGV_TOKEN_MAX + 32];
	size_t n = 0;

	if (pt->prot_len > 23 || pt->payload_len > LGV_TOKEN_MAX)
		return 0;
	memcpy(buf, pre, sizeof(pre));
	n = sizeof(pre);
	buf[n++] = (uint8_t)(0x40 | pt->prot_len);
	memcpy(buf + n, pt->prot, pt->prot_len);
	n += pt->prot_len;
	buf[n++] = 0x40;
	if (pt->payload_len < 24)
		buf[n++] = (uint8_t)(0x40 | pt->payload_len);
	else if (pt->payload_len < 256) {
		buf[n++] = 0x58;
		buf[n++] = (uint8_t)pt->payload_len;
	} else {
		buf[n++] = 0x59;
		buf[n++] = (uint8_t)(pt->payload_len >> 8);
		buf[n++] = (uint8_t)pt->payload_len;
	}
	memcpy(buf + n, pt->payload, pt->payload_len);
	n += pt->payload_len;
	lgv_sha256(digest, buf, n);
	return 1;
}

static enum lgv_result
check_signature(const struct parts *pt, const struct lgv_expect *e)
{
	const secp256k1_context *ctx = secp256k1_context_static;
	secp256k1_ecdsa_signature sig;
	secp256k1_pubkey pub;
	uint8_t digest[32];

	if (!secp256k1_ec_pubkey_parse(ctx, &pub, e->gateway_key,
	    e->gateway_key_len))
		return LGV_BAD_KEY;
	if (!secp256k1_ecdsa_signature_parse_compact(ctx, &sig, pt->sig) ||
	    !sig_digest(digest, pt))
		return LGV_BAD_SIGNATURE;
	/* verify refuses high-S on its own; normalize tells us explicitly. */
	if (secp256k1_ecdsa_signature_normalize(ctx, NULL, &sig))
		return LGV_BAD_SIGNATURE;
	if (!secp256k1_ecdsa_verify(ctx, &sig, digest, &pub))
		return LGV_BAD_SIGNATURE;
	return LGV_OK;
}

enum lgv_result
lgv_verify(struct lgv_token *out, const uint8_t *tok, size_t len,
    const struct lgv_expect *e)
{
	struct parts pt;
	enum lgv_result r;

	if ((r = rd_token(&pt, out, tok, len)) != LGV_OK)
		return r;
	if ((r = check_signature(&pt, e)) != LGV_OK)
		return r;
	if (e->device != NULL && memcmp(out->sub, e->device, 20) != 0)
		return LGV_WRONG_DEVICE;
	if (e->nonce != NULL && (out->nonce_len != e->nonce_len ||
	    memcmp(out->nonce, e->nonce, e->nonce_len) != 0))
		return LGV_WRONG_NONCE;
	if (out->exp <= e->now)
		return LGV_EXPIRED;
	if (out->block_number < e->min_block)
		return LGV_ROLLBACK;
	return LGV_OK;
}

const char *
lgv_result_name(enum lgv_result r)
{
	switch (r) {
	case LGV_OK: return "ok";
	case LGV_MALFORMED: return "malformed";
	case LGV_BAD_ALG: return "bad-alg";
	case LGV_BAD_KEY: return "bad-key";
	case LGV_BAD_SIGNATURE: return "bad-signature";
	case LGV_WRONG_DEVICE: return "wrong-device";
	case LGV_WRONG_NONCE: return "wrong-nonce";
	case LGV_EXPIRED: return "expired";
	case LGV_ROLLBACK: return "rollback";
	}
	return "unknown";
}
