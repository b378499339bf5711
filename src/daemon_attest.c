/* daemon_attest.c: /v1/attestation: look the pair up in the verified state,
 * decide the verdict, sign it.  Tokens without a nonce are cached per
 * (device, firmware) until the state changes (a commit bumps the
 * generation), half their lifetime has passed, or the state would turn
 * stale; nonce tokens are signed per request. */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <secp256k1.h>

#include "chain/hex.h"
#include "chain/sig.h"
#include "daemon.h"
#include "key.h"
#include "metrics.h"
#include "replay.h"
#include "token.h"
#include "verdict.h"
#include "verdict_store.h"
#include "verify/lgv.h"
#include "xmalloc.h"

#define CACHE_SLOTS 4096

_Static_assert(LGV_NONCE_MAX <= HTTP_NONCE_MAX, "a request nonce fits");

struct cache_slot {
	uint8_t device[20];
	uint8_t firmware[32];
	unsigned long generation;
	uint64_t until;			/* serve while now < until */
	uint64_t valid_until;		/* a valid token's latest exp, or 0 */
	int used;
	size_t len;
	uint8_t token[TOKEN_MAX];
	struct token_claims claims;
};

/* Slots by a hash of (device, firmware), under one lock held only to copy
 * in or out: signing happens outside it, on every HTTP thread at once. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cache_slot *cache;
/* The nonces of signed requests (replay.h), from daemon_attest_start. */
static struct replay *replay;

enum cache_hit { CACHE_MISS, CACHE_CLAIMS, CACHE_TOKEN };

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The pair's slot; with cache_lock held.  FNV-1a of the 52 bytes: a
 * client picks both values, so no hash would keep it from sharing a slot
 * with another pair, and sharing costs only a signature. */
static struct cache_slot *
slot_for(const uint8_t device[20], const uint8_t firmware[32])
{
	uint32_t h = 2166136261u;
	int i;

	if (cache == NULL)
		cache = xcalloc(CACHE_SLOTS, sizeof(*cache));
	for (i = 0; i < 20; i++)
		h = (h ^ device[i]) * 16777619u;
	for (i = 0; i < 32; i++)
		h = (h ^ firmware[i]) * 16777619u;
	return &cache[h % CACHE_SLOTS];
}

static int
slot_holds(const struct cache_slot *s, const struct http_attest *req,
    unsigned long gen)
{
	return s->used && s->generation == gen &&
	    memcmp(s->device, req->device, 20) == 0 &&
	    memcmp(s->firmware, req->firmware, 32) == 0;
}

/* Copies out what the cache has for the request now: the decided claims
 * (for nonce requests too: only the nonce, the times and the signature are
 * new), and for a request without a nonce the token itself. */
static enum cache_hit
cache_get(const struct http_attest *req, unsigned long gen, uint64_t now,
    struct token_claims *c, uint64_t *valid_until, uint8_t tok[TOKEN_MAX],
    size_t *len)
{
	enum cache_hit hit = CACHE_MISS;
	struct cache_slot *s;

	pthread_mutex_lock(&cache_lock);
	s = slot_for(req->device, req->firmware);
	if (slot_holds(s, req, gen) && now < s->until) {
		*c = s->claims;
		*valid_until = s->valid_until;
		hit = CACHE_CLAIMS;
		if (req->nonce_len == 0 && s->len > 0) {
			memcpy(tok, s->token, s->len);
			*len = s->len;
			hit = CACHE_TOKEN;
		}
	}
	pthread_mutex_unlock(&cache_lock);
	return hit;
}

/* Keeps freshly decided claims, valid until `until`. */
static void
cache_put_claims(const struct http_attest *req, unsigned long gen,
    uint64_t until, const struct token_claims *c, uint64_t valid_until)
{
	struct cache_slot *s;

	pthread_mutex_lock(&cache_lock);
	s = slot_for(req->device, req->firmware);
	memcpy(s->device, req->device, 20);
	memcpy(s->firmware, req->firmware, 32);
	s->generation = gen;
	s->until = until;
	s->valid_until = valid_until;
	s->claims = *c;
	s->len = 0;
	s->used = 1;
	pthread_mutex_unlock(&cache_lock);
}

/* Keeps a token without a nonce signed from the slot's claims, unless the
 * slot moved on meanwhile. */
static void
cache_put_token(const struct http_attest *req, unsigned long gen,
    const struct token_claims *c, const uint8_t *tok, size_t len)
{
	struct cache_slot *s;

	pthread_mutex_lock(&cache_lock);
	s = slot_for(req->device, req->firmware);
	if (slot_holds(s, req, gen)) {
		s->claims = *c;
		memcpy(s->token, tok, len);
		s->len = len;
	}
	pthread_mutex_unlock(&cache_lock);
}

void
daemon_attest_free(void)
{
	pthread_mutex_lock(&cache_lock);
	free(cache);
	cache = NULL;
	pthread_mutex_unlock(&cache_lock);
	replay_free(replay);
	replay = NULL;
}

/* iat now, exp after the TTL; a valid token never outlives what it rests
 * on (valid_until: its license's end or its firmware's end of support, 0
 * for neither).  A refusal lives the whole TTL: it vouches for nothing,
 * and a slow device must still be able to read why it was refused. */
static void
set_times(struct daemon *d, struct token_claims *c, uint64_t now,
    uint64_t valid_until)
{
	c->iat = now;
	c->exp = now + daemon_web_ttl(d);
	if (c->verdict == VERDICT_VALID && valid_until != 0 &&
	    valid_until < c->exp)
		c->exp = valid_until > now ? valid_until : now + 1;
}

/* The earlier of two ends, 0 meaning none. */
static uint64_t
earlier(uint64_t a, uint64_t b)
{
	return a == 0 ? b : b == 0 ? a : a < b ? a : b;
}

/* The claims of the verdict on (device, firmware) now, from the
 * verified state: one read of the store, so that the block named in the
 * claims is the one the records come from.  Returns 0 with err on a
 * database error. */
static int
decide(struct daemon *d, const struct http_attest *req,
    struct token_claims *c, uint64_t *state_until, uint64_t *valid_until,
    char *err, size_t errsz)
{
	struct verdict_license lic;
	struct verdict_result vr;
	struct verdict_input in;
	struct store_lookup lk;
	struct store *ro;

	memset(&in, 0, sizeof(in));
	in.now = (uint64_t)time(NULL);
	if ((ro = daemon_web_store(d, err, errsz)) == NULL ||
	    !store_lookup(ro, req->device, req->firmware, in.now, &lk, err,
	    errsz))
		return 0;
	verdict_store_input(&in, &lic, &lk);
	in.max_staleness = daemon_web_max_staleness(d);
	verdict_decide(&vr, &in);
	memset(c, 0, sizeof(*c));
	memcpy(c->sub, req->device, 20);
	c->verdict = vr.verdict;
	memcpy(c->firmware, req->firmware, 32);
	c->firmware_version = lk.firmware.found ? lk.firmware.version : 0;
	if (vr.license != NULL) {
		c->license_id = vr.license->id;
		c->license_expiry = vr.license->expires_at;
		c->max_version = vr.license->max_version;
	}
	*valid_until = earlier(c->license_expiry, lk.firmware.found ?
	    lk.firmware.end_of_support : 0);
	set_times(d, c, in.now, *valid_until);
	c->chain_id = d->conf.chain_id;
	memcpy(c->registry, d->conf.registry, 20);
	c->block_number = lk.has_applied ? lk.applied_number : 0;
	if (lk.has_applied)
		memcpy(c->block_hash, lk.applied_hash, TOKEN_BLOCK_HASH_LEN);
	/* The verdict can change by the clock alone when the state turns
	 * stale, a license starts or ends, or support ends: a cached token
	 * ends there. */
	*state_until = in.state_time + in.max_staleness;
	if (lk.next_change != 0 && lk.next_change < *state_until)
		*state_until = lk.next_change;
	return 1;
}

static void
base64url(char *out, const uint8_t *in, size_t n)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)in[i] << 16 | in[i + 1] << 8 | in[i + 2];
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
		out[o++] = a[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | in[i + 1] << 8;
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
	}
	out[o] = '\0';
}

static void
reply_json(struct http_reply *rep, const struct token_claims *c,
    const uint8_t *tok, size_t len)
{
	char b64[TOKEN_MAX * 2];
	json_t *o = token_claims_json(c);

	base64url(b64, tok, len);
	json_object_set_new(o, "token", json_string(b64));
	http_reply_json(rep, 200, o);
}

static void
reply(struct http_reply *rep, const struct http_attest *req,
    const struct token_claims *c, const uint8_t *tok, size_t len)
{
	metrics_count("licgate_verdicts_total", "verdict",
	    verdict_name((enum verdict)c->verdict), NULL, NULL, 1);
	if (req->want_json)
		reply_json(rep, c, tok, len);
	else
		http_reply_bytes(rep, 200, "application/cose; "
		    "cose-type=\"cose-sign1\"", tok, len);
}

/* A point every request of an unknown device is checked against (the
 * generator, uncompressed, as a registered key may be), so that it costs
 * the work a known device's does and the response time does not tell an
 * outsider which devices are registered. */
static const uint8_t dummy_key[65] = {
	0x04, 0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0, 0x62,
	0x95, 0xce, 0x87, 0x0b, 0x07, 0x02, 0x9b, 0xfc, 0xdb, 0x2d, 0xce, 0x28,
	0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17, 0x98, 0x48, 0x3a, 0xda,
	0x77, 0x26, 0xa3, 0xc4, 0x65, 0x5d, 0xa4, 0xfb, 0xfc, 0x0e, 0x11, 0x08,
	0xa8, 0xfd, 0x17, 0xb4, 0x48, 0xa6, 0x85, 0x54, 0x19, 0x9c, 0x47, 0xd0,
	0x8f, 0xfb, 0x10, 0xd4, 0xb8
};
/* The same for ES256 requests: P-256's generator, uncompressed. */
static const uint8_t dummy_key_p256[65] = {
	0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6,
	0xe5, 0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33,
	0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96, 0x4f, 0xe3, 0x42,
	0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e,
	0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40,
	0x68, 0x37, 0xbf, 0x51, 0xf5
};

/* key (33, 64 or 65 bytes) as 65, at the cost of one square root
 * whatever form it came in: a compressed key needs one to parse, the others
 * go through their compressed form.  Else a device registered with 33
 * bytes would take a few microseconds longer to refuse than the dummy. */
static int
key_uncompressed(uint8_t out[65], const uint8_t *key, size_t keylen)
{
	const secp256k1_context *ctx = secp256k1_context_static;
	secp256k1_pubkey pub;
	uint8_t buf[65];
	size_t n = 33;

	if (keylen == 64) {
		buf[0] = 0x04;
		memcpy(buf + 1, key, 64);
		key = buf;
		keylen = 65;
	}
	if ((keylen != 33 && keylen != 65) ||
	    !secp256k1_ec_pubkey_parse(ctx, &pub, key, keylen))
		return 0;
	if (keylen == 65 && (!secp256k1_ec_pubkey_serialize(ctx, buf, &n, &pub,
	    SECP256K1_EC_COMPRESSED) ||
	    !secp256k1_ec_pubkey_parse(ctx, &pub, buf, 33)))
		return 0;
	n = 65;
	return secp256k1_ec_pubkey_serialize(ctx, out, &n, &pub,
	    SECP256K1_EC_UNCOMPRESSED);
}

/* signed_by for an ES256 request: the registered key's bytes read as a
 * P-256 point (a registered key was made on one curve, and nobody knows
 * a secret key for the same bytes on the other, so the request may say
 * which).  Both checks always run. */
static int
signed_by_p256(const struct http_attest *in, const uint8_t *key,
    size_t keylen, struct lgv_request *q)
{
	uint8_t addr[20];
	int addr_ok, sig_ok;

	addr_ok = key_pubkey_address(addr, LGV_ALG_ES256, key, keylen) &&
	    memcmp(addr, q->device, 20) == 0;
	sig_ok = lgv_request_verify(q, in->signed_req, in->signed_len, key,
	    keylen) == LGV_OK;
	return addr_ok && sig_ok;
}

/* Whether a device-signed request carries the signature of key, whose
 * address must be the device's (the registry derives one from the other,
 * and the gateway checks it again).  Every check always runs, on the dummy
 * key if key is unusable: the work must not depend on which one fails. */
static int
signed_by(const struct http_attest *in, const uint8_t *key, size_t keylen,
    struct lgv_request *q)
{
	uint8_t full[65], addr[20];
	int key_ok, addr_ok, sig_ok;

	if (q->alg == LGV_ALG_ES256)
		return signed_by_p256(in, key, keylen, q);
	if (!(key_ok = key_uncompressed(full, key, keylen)))
		(void)key_uncompressed(full, dummy_key, sizeof(dummy_key));
	addr_ok = sig_pubkey_to_address(addr, full, sizeof(full)) &&
	    memcmp(addr, q->device, 20) == 0;
	sig_ok = lgv_request_verify(q, in->signed_req, in->signed_len, full,
	    sizeof(full)) == LGV_OK;
	return key_ok && addr_ok && sig_ok;
}

/* A refusal that says nothing about why: with require_device_auth an
 * unknown device, a revoked one and a bad signature look alike, to the
 * client and in /metrics (one reason, "unauthenticated"). */
static void
forbid(struct http_reply *rep, const char *reason)
{
	metrics_count("licgate_request_refusals_total", "reason", reason,
	    NULL, NULL, 1);
	http_reply_refused(rep);
}

/* Nonces seen within attestation.request_window: each is remembered until
 * its request's iat + window, after which the time check refuses the
 * request anyway.  Made at start, before any HTTP thread runs. */
#define REPLAY_SLOTS 65536

_Static_assert(LGV_NONCE_MAX <= REPLAY_NONCE_MAX, "a request nonce fits");

void
daemon_attest_start(void)
{
	replay_free(replay);
	replay = replay_new(REPLAY_SLOTS, (uint64_t)time(NULL));
}

/* What binds a signed request to this gateway and to now: its audience is
 * this gateway's address, its iat within attestation.request_window of
 * the clock, and (for a registered device, whose signature was checked)
 * its nonce not seen within the window.  Returns 1, or 0 with rep set. */
static int
bound_here(struct daemon *d, const struct lgv_request *q, int remember,
    struct http_reply *rep)
{
	uint64_t now = (uint64_t)time(NULL), w = d->conf.request_window;
	enum replay_result rr;

	if (memcmp(q->gateway, d->address, 20) != 0) {
		forbid(rep, "wrong-gateway");
		return 0;
	}
	if (q->iat + w < now || q->iat > now + w) {
		forbid(rep, "request-time");
		return 0;
	}
	if (!remember)
		return 1;
	if ((rr = replay_check(replay, q->device, q->nonce, q->nonce_len,
	    q->iat, now, q->iat + w)) == REPLAY_SEEN) {
		forbid(rep, "replay");
		return 0;
	}
	if (rr == REPLAY_FULL) {
		metrics_count("licgate_request_refusals_total", "reason",
		    "replay-cache-full", NULL, NULL, 1);
		http_reply_error(rep, 503, "busy", "too many signed requests "
		    "within attestation.request_window; try again");
		return 0;
	}
	return 1;
}

/* POST /v1/attestation: decodes the device's COSE request into out and
 * checks it.  Returns 1 to go on to the verdict, or 0 with rep set.  A
 * known device's request must carry its signature; an unknown device's
 * cannot, and is answered like a GET (device-unknown) unless the gateway
 * requires device authentication.  Either way the request must be for this
 * gateway and now (bound_here). */
static int
authenticate(struct daemon *d, const struct http_attest *in,
    struct http_attest *out, struct http_reply *rep)
{
	struct store_lookup lk;
	struct store *ro;
	struct lgv_request q;
	enum lgv_result r;
	char err[256];
	int known, ok;

	if ((r = lgv_request_decode(&q, in->signed_req, in->signed_len)) !=
	    LGV_OK) {
		http_reply_error(rep, 400, "bad-request", "not a licgate device "
		    "request (%s; see licgate-token(7))", lgv_result_name(r));
		return 0;
	}
	if ((ro = daemon_web_store(d, err, sizeof(err))) == NULL ||
	    !store_lookup_device(ro, q.device, &lk, err, sizeof(err))) {
		http_reply_error(rep, 500, "database", "%s", err);
		return 0;
	}
	known = lk.device.found && lk.device.public_key_len > 0;
	ok = known ? signed_by(in, lk.device.public_key,
	    lk.device.public_key_len, &q) :
	    signed_by(in, q.alg == LGV_ALG_ES256 ? dummy_key_p256 : dummy_key,
	    sizeof(dummy_key), &q);
	if ((d->conf.require_device_auth && (!known || lk.device.revoked)) ||
	    (lk.device.found && !ok)) {
		forbid(rep, "unauthenticated");
		return 0;
	}
	if (!bound_here(d, &q, known, rep))
		return 0;
	memset(out, 0, sizeof(*out));
	memcpy(out->device, q.device, 20);
	memcpy(out->firmware, q.firmware, 32);
	memcpy(out->nonce, q.nonce, q.nonce_len);
	out->nonce_len = q.nonce_len;
	out->want_json = in->want_json;
	return 1;
}

void
daemon_attestation(void *arg, const struct http_attest *in,
    struct http_reply *rep)
{
	struct daemon *d = arg;
	const struct http_attest *req = in;
	struct http_attest signed_req;
	unsigned long gen = daemon_web_generation(d);
	uint64_t now = (uint64_t)time(NULL), state_until, until, valid_until = 0;
	struct token_claims c;
	enum cache_hit hit;
	uint8_t tok[TOKEN_MAX];
	char err[256];
	size_t len = 0;
	double t0;

	if (daemon_web_withdrawn(d)) {
		http_reply_error(rep, 503, "gateway-withdrawn", "the registry "
		    "has withdrawn this gateway's key; it signs nothing until "
		    "authorised again");
		return;
	}
	if (in->signed_req != NULL) {
		if (!authenticate(d, in, &signed_req, rep))
			return;
		req = &signed_req;
	}
	hit = cache_get(req, gen, now, &c, &valid_until, tok, &len);
	if (hit == CACHE_TOKEN) {
		reply(rep, req, &c, tok, len);
		return;
	}
	if (hit == CACHE_CLAIMS)
		set_times(d, &c, now, valid_until);
	else if (!decide(d, req, &c, &state_until, &valid_until, err,
	    sizeof(err))) {
		http_reply_error(rep, 500, "database", "%s", err);
		return;
	} else {
		until = c.iat + (c.exp - c.iat) / 2;
		cache_put_claims(req, gen, state_until < until ? state_until :
		    until, &c, valid_until);
	}
	if (req->nonce_len > 0) {
		memcpy(c.nonce, req->nonce, req->nonce_len);
		c.nonce_len = req->nonce_len;
	} else if (getrandom(c.cti, sizeof(c.cti), 0) != (ssize_t)sizeof(c.cti))
		memset(c.cti, 0, sizeof(c.cti));
	t0 = mono();
	if (!token_sign(tok, sizeof(tok), &len, &c, d->alg, d->seckey)) {
		http_reply_error(rep, 500, "signing", "could not sign");
		return;
	}
	metrics_observe("licgate_token_sign_seconds", mono() - t0);
	if (req->nonce_len == 0)
		cache_put_token(req, gen, &c, tok, len);
	reply(rep, req, &c, tok, len);
}
