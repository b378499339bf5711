/* lgv.c: a strict reader of exactly one CBOR layout.  Anything not written
 * the way the gateway writes it (shortest heads, definite lengths, keys in
 * canonical order, no extra bytes) is malformed. */
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_preallocated.h>

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

/* The protected header must be exactly {1: -47} or {1: -7} (*alg says
 * which); another algorithm is named as such. */
static enum lgv_result
rd_protected(const uint8_t *p, size_t n, int *alg)
{
	struct rd r = { p, n, 0, 0 };
	unsigned m;
	uint64_t v;

	if (!rd_expect(&r, 5, 1) || !rd_expect(&r, 0, 1) ||
	    !rd_head(&r, &m, &v) || (m != 0 && m != 1) || r.off != n)
		return LGV_MALFORMED;
	*alg = m == 1 && v == 46 ? LGV_ALG_ES256K : 0;
#ifndef LGV_NO_ES256
	if (m == 1 && v == 6)
		*alg = LGV_ALG_ES256;
#endif
	return *alg != 0 ? LGV_OK : LGV_BAD_ALG;
}

const uint8_t lgv_profile[LGV_PROFILE_LEN] = { 0x69, 0xc3, 0x99, 0xfc,
    0xf5, 0xdb, 0x96, 0xb2, 0xae, 0xc5, 0x8b, 0xf4, 0x88, 0xb8, 0xa7, 0x9a,
    0x8b, 0xec, 0x6a };

/* The eat_profile claim, key 265: 1 when it names lgv_profile, 0 for
 * another profile (r->bad stays clear when that is well formed). */
static int
rd_profile(struct rd *r)
{
	const uint8_t *p;
	size_t n;

	return rd_expect(r, 0, 265) && rd_bytes(r, &p, &n, 1, 64) &&
	    n == LGV_PROFILE_LEN && memcmp(p, lgv_profile, n) == 0;
}

/* Returns 0 when the token names another profile: what follows it may be
 * laid out otherwise and is not read. */
static int
rd_claims(struct rd *r, struct lgv_token *t)
{
	const uint8_t *p;
	unsigned m = 8;
	uint64_t key = 0;

	rd_expect(r, 5, 6);
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
	if (!rd_profile(r))
		return 0;
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
	return 1;
}

struct parts {
	const uint8_t *prot, *payload, *sig;
	size_t prot_len, payload_len, sig_len;
	int alg;
};

/* Zeroes without memset, which a freestanding device may not have. */
static void
zero(void *p, size_t n)
{
	volatile uint8_t *b = p;

	while (n-- > 0)
		*b++ = 0;
}

/* The COSE_Sign1 envelope, tag 18, with the protected header {1: -47} or
 * {1: -7}, an empty unprotected map and a 64-byte signature, and nothing
 * after it. */
static enum lgv_result
rd_envelope(struct parts *pt, const uint8_t *p, size_t len, size_t max)
{
	struct rd r = { p, len, 0, 0 };
	enum lgv_result pr;

	if (len > max || !rd_expect(&r, 6, 18) || !rd_expect(&r, 4, 4) ||
	    !rd_bytes(&r, &pt->prot, &pt->prot_len, 1, 16))
		return LGV_MALFORMED;
	if ((pr = rd_protected(pt->prot, pt->prot_len, &pt->alg)) != LGV_OK)
		return pr;
	if (!rd_expect(&r, 5, 0) ||
	    !rd_bytes(&r, &pt->payload, &pt->payload_len, 1, max) ||
	    !rd_bytes(&r, &pt->sig, &pt->sig_len, 64, 64) || r.off != len)
		return LGV_MALFORMED;
	return LGV_OK;
}

/* A reader of the envelope's payload. */
static void
rd_payload(struct rd *c, const struct parts *pt)
{
	c->p = pt->payload;
	c->len = pt->payload_len;
	c->off = 0;
	c->bad = 0;
}

static enum lgv_result
rd_token(struct parts *pt, struct lgv_token *t, const uint8_t *tok,
    size_t len)
{
	struct rd c;
	enum lgv_result r;

	zero(t, sizeof(*t));
	if ((r = rd_envelope(pt, tok, len, LGV_TOKEN_MAX)) != LGV_OK)
		return r;
	t->alg = pt->alg;
	rd_payload(&c, pt);
	if (!rd_claims(&c, t))
		return c.bad ? LGV_MALFORMED : LGV_BAD_PROFILE;
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

/* A public key of 33 or 65 bytes, or the 64-byte X||Y the registry also
 * accepts for devices. */
static int
parse_key(secp256k1_pubkey *pub, const uint8_t *key, size_t len)
{
	const secp256k1_context *ctx = secp256k1_context_static;
	uint8_t full[65];

	if (len == 64) {
		full[0] = 0x04;
		memcpy(full + 1, key, 64);
		return secp256k1_ec_pubkey_parse(ctx, pub, full, sizeof(full));
	}
	return len != 0 && secp256k1_ec_pubkey_parse(ctx, pub, key, len);
}

#ifndef LGV_NO_ES256
/* ES256: the integrator's P-256 verify, given a SEC1 key (a 64-byte X||Y
 * gets its 0x04); any s that verifies is accepted, as COSE allows. */
static enum lgv_result
check_p256(const struct parts *pt, const uint8_t *key, size_t keylen)
{
	uint8_t full[65], digest[32];

	if (key == NULL || (keylen != 33 && keylen != 64 && keylen != 65))
		return LGV_BAD_KEY;
	if (keylen == 64) {
		full[0] = 0x04;
		memcpy(full + 1, key, 64);
		key = full;
		keylen = 65;
	}
	if (!sig_digest(digest, pt) ||
	    lgv_p256_verify(key, keylen, digest, pt->sig) != 1)
		return LGV_BAD_SIGNATURE;
	return LGV_OK;
}
#endif

static enum lgv_result
check_signature(const struct parts *pt, const uint8_t *key, size_t keylen)
{
	const secp256k1_context *ctx = secp256k1_context_static;
	secp256k1_ecdsa_signature sig;
	secp256k1_pubkey pub;
	uint8_t digest[32];

#ifndef LGV_NO_ES256
	if (pt->alg == LGV_ALG_ES256)
		return check_p256(pt, key, keylen);
#endif
	if (key == NULL || !parse_key(&pub, key, keylen))
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

/* What the device pinned beyond its own name and nonce: the image it
 * runs, the chain and the registry. */
static enum lgv_result
check_pins(const struct lgv_token *t, const struct lgv_expect *e)
{
	if (e->firmware != NULL && memcmp(t->firmware, e->firmware, 32) != 0)
		return LGV_WRONG_FIRMWARE;
	if (e->has_chain_id && t->chain_id != e->chain_id)
		return LGV_WRONG_CHAIN;
	if (e->registry != NULL && memcmp(t->registry, e->registry, 20) != 0)
		return LGV_WRONG_REGISTRY;
	return LGV_OK;
}

/* iat not ahead of the device's clock beyond the skew, and exp - iat
 * within the maximum lifetime (an exp before iat is no lifetime at all). */
static enum lgv_result
check_lifetime(const struct lgv_token *t, const struct lgv_expect *e)
{
	uint64_t max = e->max_lifetime ? e->max_lifetime :
	    LGV_DEFAULT_MAX_LIFETIME;
	uint64_t skew = e->skew ? e->skew : LGV_DEFAULT_SKEW;

	if (t->iat > e->now && t->iat - e->now > skew)
		return LGV_NOT_YET;
	if (t->exp < t->iat || t->exp - t->iat > max)
		return LGV_TOO_LONG;
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
	if (pt.alg != (e->gateway_alg != 0 ? e->gateway_alg : LGV_ALG_ES256K))
		return LGV_BAD_ALG;
	if ((r = check_signature(&pt, e->gateway_key,
	    e->gateway_key_len)) != LGV_OK)
		return r;
	if (e->device != NULL && memcmp(out->sub, e->device, 20) != 0)
		return LGV_WRONG_DEVICE;
	if (e->nonce != NULL && (out->nonce_len != e->nonce_len ||
	    memcmp(out->nonce, e->nonce, e->nonce_len) != 0))
		return LGV_WRONG_NONCE;
	if ((r = check_pins(out, e)) != LGV_OK)
		return r;
	if (out->exp <= e->now)
		return LGV_EXPIRED;
	if ((r = check_lifetime(out, e)) != LGV_OK)
		return r;
	if (out->block_number < e->min_block)
		return LGV_ROLLBACK;
	/* Last, so that a refusal is named only once all else holds. */
	return out->verdict == 0 ? LGV_OK : LGV_DENIED;
}

/* The claims a device signs in both its requests and its install
 * reports, which begin their payload: a map of nclaims, then {2: device,
 * 3: gateway, 6: iat, 10: nonce (nonce_min..LGV_NONCE_MAX bytes),
 * -65538: firmware}. */
struct rd_signed {
	uint8_t *device, *gateway, *nonce, *firmware;
	uint64_t *iat;
	size_t *nonce_len;
};

static void
rd_signed_claims(struct rd *r, const struct rd_signed *q, uint64_t nclaims,
    size_t nonce_min)
{
	const uint8_t *p;

	rd_expect(r, 5, nclaims);
	rd_expect(r, 0, 2);
	rd_fixed(r, q->device, 20);
	rd_expect(r, 0, 3);
	rd_fixed(r, q->gateway, 20);
	rd_expect(r, 0, 6);
	rd_uint(r, q->iat);
	rd_expect(r, 0, 10);
	if (rd_bytes(r, &p, q->nonce_len, nonce_min, LGV_NONCE_MAX))
		memcpy(q->nonce, p, *q->nonce_len);
	rd_expect(r, 1, 65537);
	rd_fixed(r, q->firmware, 32);
}

/* The request payload: the signed claims and nothing more. */
static void
rd_request(struct rd *r, struct lgv_request *q)
{
	const struct rd_signed c = { q->device, q->gateway, q->nonce,
	    q->firmware, &q->iat, &q->nonce_len };

	rd_signed_claims(r, &c, 5, LGV_REQUEST_NONCE_MIN);
}

/* The envelope of a signed request or report (at most max bytes) into pt,
 * and c set to read its payload. */
static enum lgv_result
rd_signed_open(struct parts *pt, struct rd *c, const uint8_t *in,
    size_t len, size_t max)
{
	enum lgv_result r;

	if ((r = rd_envelope(pt, in, len, max)) != LGV_OK)
		return r;
	rd_payload(c, pt);
	return LGV_OK;
}

/* LGV_OK when c read its payload whole and well, else LGV_MALFORMED with
 * q (n bytes) zeroed. */
static enum lgv_result
rd_signed_close(const struct rd *c, void *q, size_t n)
{
	if (c->bad || c->off != c->len) {
		zero(q, n);
		return LGV_MALFORMED;
	}
	return LGV_OK;
}

static enum lgv_result
rd_request_all(struct parts *pt, struct lgv_request *q, const uint8_t *req,
    size_t len)
{
	struct rd c;
	enum lgv_result r;

	zero(q, sizeof(*q));
	if ((r = rd_signed_open(pt, &c, req, len, LGV_REQUEST_MAX)) != LGV_OK)
		return r;
	q->alg = pt->alg;
	rd_request(&c, q);
	return rd_signed_close(&c, q, sizeof(*q));
}

enum lgv_result
lgv_request_decode(struct lgv_request *out, const uint8_t *req, size_t len)
{
	struct parts pt;

	return rd_request_all(&pt, out, req, len);
}

enum lgv_result
lgv_request_verify(struct lgv_request *out, const uint8_t *req, size_t len,
    const uint8_t *device_key, size_t device_key_len)
{
	struct parts pt;
	enum lgv_result r;

	if ((r = rd_request_all(&pt, out, req, len)) != LGV_OK)
		return r;
	return check_signature(&pt, device_key, device_key_len);
}

/* Appends a byte string head (lengths below 256 are all a request has). */
static size_t
put_bstr_head(uint8_t *out, size_t n)
{
	if (n < 24) {
		out[0] = (uint8_t)(0x40 | n);
		return 1;
	}
	out[0] = 0x58;
	out[1] = (uint8_t)n;
	return 2;
}

/* Appends an unsigned integer in its shortest head. */
static size_t
put_uint(uint8_t *out, uint64_t v)
{
	size_t n, i;

	if (v < 24) {
		out[0] = (uint8_t)v;
		return 1;
	}
	n = v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffffu ? 4 : 8;
	out[0] = (uint8_t)(24 + (n == 1 ? 0 : n == 2 ? 1 : n == 4 ? 2 : 3));
	for (i = 0; i < n; i++)
		out[1 + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return 1 + n;
}

/* Appends a byte string: its head and its bytes. */
static size_t
put_bstr(uint8_t *out, const uint8_t *p, size_t n)
{
	size_t h = put_bstr_head(out, n);

	memcpy(out + h, p, n);
	return h + n;
}

/* The claims a device signs in both its requests and its install reports
 * (rd_signed_claims reads them), after the head of a map of nclaims. */
struct put_signed_claims_in {
	const uint8_t *device, *gateway, *nonce, *firmware;
	uint64_t iat;
	size_t nonce_len;
};

static size_t
put_signed_claims(uint8_t *out, unsigned nclaims,
    const struct put_signed_claims_in *c)
{
	static const uint8_t fw_key[] = { 0x3a, 0x00, 0x01, 0x00, 0x01 };
	size_t n = 0;

	out[n++] = (uint8_t)(0xa0 | nclaims);
	out[n++] = 0x02;
	n += put_bstr(out + n, c->device, 20);
	out[n++] = 0x03;
	n += put_bstr(out + n, c->gateway, 20);
	out[n++] = 0x06;
	n += put_uint(out + n, c->iat);
	out[n++] = 0x0a;
	n += put_bstr(out + n, c->nonce, c->nonce_len);
	memcpy(out + n, fw_key, sizeof(fw_key));
	n += sizeof(fw_key);
	n += put_bstr(out + n, c->firmware, 32);
	return n;
}

/* Signs digest with a context kept on the stack: the device has no heap. */
static int
sign_digest(uint8_t sig64[64], const uint8_t digest[32],
    const uint8_t seckey[32])
{
	union {
		uint8_t b[1024];
		uint64_t u;
		void *p;
	} mem;
	secp256k1_context *ctx;
	secp256k1_ecdsa_signature sig;
	int ok;

	if (secp256k1_context_preallocated_size(SECP256K1_CONTEXT_NONE) >
	    sizeof(mem))
		return 0;
	ctx = secp256k1_context_preallocated_create(&mem,
	    SECP256K1_CONTEXT_NONE);
	if (ctx == NULL)
		return 0;
	ok = secp256k1_ecdsa_sign(ctx, &sig, digest, seckey, NULL, NULL) &&
	    secp256k1_ecdsa_signature_serialize_compact(ctx, sig64, &sig);
	secp256k1_context_preallocated_destroy(ctx);
	zero(&mem, sizeof(mem));
	return ok;
}

static int
sign_es256k(void *seckey, uint8_t sig[64], const uint8_t digest[32])
{
	return sign_digest(sig, digest, seckey);
}

/* out (cap bytes) gets COSE_Sign1 of payload (n bytes, under 256): head
 * (hlen bytes: the tag, the array, the protected header as a bstr and
 * {}), the payload as a bstr and sign's signature of it.  LGV_OK with
 * *outlen set, LGV_MALFORMED for a small cap, LGV_BAD_KEY when sign
 * fails (out zeroed). */
static enum lgv_result
put_signed(uint8_t *out, size_t cap, size_t *outlen, const uint8_t *head,
    size_t hlen, const uint8_t *payload, size_t n, lgv_sign_fn *sign,
    void *ctx)
{
	size_t total = hlen + 2 + n + 2 + 64;
	uint8_t digest[32];
	struct parts pt;

	if (cap < total)
		return LGV_MALFORMED;
	pt.prot = head + 3;
	pt.prot_len = hlen - 4;
	pt.payload = payload;
	pt.payload_len = n;
	if (!sig_digest(digest, &pt) ||
	    sign(ctx, out + total - 64, digest) != 1) {
		zero(out, total);
		return LGV_BAD_KEY;
	}
	memcpy(out, head, hlen);
	out[hlen] = 0x58;
	out[hlen + 1] = (uint8_t)n;
	memcpy(out + hlen + 2, payload, n);
	out[hlen + 2 + n] = 0x58;
	out[hlen + 3 + n] = 0x40;
	*outlen = total;
	return LGV_OK;
}

enum lgv_result
lgv_request_sign(uint8_t *out, size_t cap, size_t *outlen,
    const struct lgv_request *r, const uint8_t seckey[32])
{
	return lgv_request_sign_with(out, cap, outlen, r, LGV_ALG_ES256K,
	    sign_es256k, (void *)seckey);
}

enum lgv_result
lgv_request_sign_with(uint8_t *out, size_t cap, size_t *outlen,
    const struct lgv_request *r, int alg, lgv_sign_fn *sign, void *ctx)
{
	/* Tag 18, array of 4, the protected header as a bstr, {}. */
	static const uint8_t head_k[] = { 0xd2, 0x84, 0x44, 0xa1, 0x01, 0x38,
	    0x2e, 0xa0 };
	static const uint8_t head_r[] = { 0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26,
	    0xa0 };
	const uint8_t *head = alg == LGV_ALG_ES256 ? head_r : head_k;
	size_t hlen = alg == LGV_ALG_ES256 ? sizeof(head_r) : sizeof(head_k);
	const struct put_signed_claims_in c = { r->device, r->gateway,
	    r->nonce, r->firmware, r->iat, r->nonce_len };
	uint8_t payload[LGV_REQUEST_MAX];

	*outlen = 0;
	if (alg != LGV_ALG_ES256K && alg != LGV_ALG_ES256)
		return LGV_BAD_ALG;
	if (r->nonce_len < LGV_REQUEST_NONCE_MIN || r->nonce_len > LGV_NONCE_MAX)
		return LGV_MALFORMED;
	return put_signed(out, cap, outlen, head, hlen, payload,
	    put_signed_claims(payload, 5, &c), sign, ctx);
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
	case LGV_WRONG_FIRMWARE: return "wrong-firmware";
	case LGV_WRONG_CHAIN: return "wrong-chain";
	case LGV_WRONG_REGISTRY: return "wrong-registry";
	case LGV_TOO_LONG: return "too-long";
	case LGV_NOT_YET: return "not-yet-valid";
	case LGV_DENIED: return "denied";
	case LGV_BAD_PROFILE: return "bad-profile";
	}
	return "unknown";
}

/* Install reports ------------------------------------------------------- */

/* A byte string of exactly 0 or n bytes: absent, or present whole. */
static int
rd_optional(struct rd *r, uint8_t *out, size_t n, int *has)
{
	const uint8_t *p;
	size_t got;

	*has = 0;
	if (!rd_bytes(r, &p, &got, 0, n))
		return 0;
	if (got != 0 && got != n)
		return r->bad = 1, 0;
	if (got == n) {
		memcpy(out, p, n);
		*has = 1;
	}
	return 1;
}

/* The report payload: {2: device, 3: gateway, 6: iat, 10: nonce,
 * -65538: firmware, -65539: [version, replaced, cti, block]}. */
static void
rd_install(struct rd *r, struct lgv_install *q)
{
	const struct rd_signed c = { q->device, q->gateway, q->nonce,
	    q->firmware, &q->iat, &q->nonce_len };

	rd_signed_claims(r, &c, 6, LGV_INSTALL_NONCE_MIN);
	rd_expect(r, 1, 65538);
	rd_expect(r, 4, 4);
	rd_uint(r, &q->version);
	rd_optional(r, q->replaced, 32, &q->has_replaced);
	rd_optional(r, q->cti, 4, &q->has_cti);
	rd_uint(r, &q->block);
}

static enum lgv_result
rd_install_all(struct parts *pt, struct lgv_install *q, const uint8_t *rep,
    size_t len)
{
	struct rd c;
	enum lgv_result r;

	zero(q, sizeof(*q));
	if ((r = rd_signed_open(pt, &c, rep, len, LGV_INSTALL_MAX)) != LGV_OK)
		return r;
	rd_install(&c, q);
	return rd_signed_close(&c, q, sizeof(*q));
}

enum lgv_result
lgv_install_decode(struct lgv_install *out, const uint8_t *rep, size_t len)
{
	struct parts pt;

	return rd_install_all(&pt, out, rep, len);
}

enum lgv_result
lgv_install_verify(struct lgv_install *out, const uint8_t *rep, size_t len,
    const uint8_t *device_key, size_t device_key_len)
{
	struct parts pt;
	enum lgv_result r;

	if ((r = rd_install_all(&pt, out, rep, len)) != LGV_OK)
		return r;
	return check_signature(&pt, device_key, device_key_len);
}

/* The payload of r into out (LGV_INSTALL_MAX bytes is more than enough);
 * returns its length. */
static size_t
put_install(uint8_t *out, const struct lgv_install *r)
{
	static const uint8_t more_key[] = { 0x3a, 0x00, 0x01, 0x00, 0x02,
	    0x84 };
	const struct put_signed_claims_in c = { r->device, r->gateway,
	    r->nonce, r->firmware, r->iat, r->nonce_len };
	size_t n = put_signed_claims(out, 6, &c);

	memcpy(out + n, more_key, sizeof(more_key));
	n += sizeof(more_key);
	n += put_uint(out + n, r->version);
	n += put_bstr(out + n, r->replaced, r->has_replaced ? 32 : 0);
	n += put_bstr(out + n, r->cti, r->has_cti ? 4 : 0);
	n += put_uint(out + n, r->block);
	return n;
}

enum lgv_result
lgv_install_sign(uint8_t *out, size_t cap, size_t *outlen,
    const struct lgv_install *r, const uint8_t seckey[32])
{
	/* Tag 18, array of 4, the protected header {1: -47} as a bstr, {}. */
	static const uint8_t head[] = { 0xd2, 0x84, 0x44, 0xa1, 0x01, 0x38,
	    0x2e, 0xa0 };
	uint8_t payload[LGV_INSTALL_MAX];

	*outlen = 0;
	if (r->nonce_len < LGV_INSTALL_NONCE_MIN || r->nonce_len > LGV_NONCE_MAX)
		return LGV_MALFORMED;
	return put_signed(out, cap, outlen, head, sizeof(head), payload,
	    put_install(payload, r), sign_es256k, (void *)seckey);
}
