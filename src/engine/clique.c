/* clique.c: the rules of EIP-225 in the order geth's consensus/clique
 * checks them, applied to a snapshot that is plain data.  Nothing here
 * trusts the node: every sealer is recovered from the seal itself. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "chain/hash.h"
#include "chain/sig.h"
#include "engine/bytes.h"
#include "engine/clique.h"
#include "engine/engine.h"
#include "xmalloc.h"

/* keccak256(rlp([])): the only uncle hash a Clique block may carry. */
static const uint8_t empty_uncles[32] = {
	0x1d, 0xcc, 0x4d, 0xe8, 0xde, 0xc7, 0x5d, 0x7a, 0xab, 0x85, 0xb5, 0x67,
	0xb6, 0xcc, 0xd4, 0x1a, 0xd3, 0x12, 0x45, 0x1b, 0x94, 0x8a, 0x74, 0x13,
	0xf0, 0xa1, 0x42, 0xfd, 0x40, 0xd4, 0x93, 0x47
};

static int
all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

int
clique_seal_hash(uint8_t out[32], const struct header *h)
{
	static _Thread_local struct header unsealed;

	memset(out, 0, 32);
	if (h->extra_len < CLIQUE_VANITY + CLIQUE_SEAL)
		return 0;
	unsealed = *h;
	unsealed.extra_len -= CLIQUE_SEAL;
	header_hash(out, &unsealed);
	return 1;
}

int
clique_signer(uint8_t addr[20], const struct header *h, const char **why)
{
	uint8_t hash[32];

	memset(addr, 0, 20);
	if (!clique_seal_hash(hash, h)) {
		*why = "extraData shorter than 32 bytes of vanity and a 65-byte "
		    "seal";
		return 0;
	}
	/* geth recovers seals without the low-S rule of transactions. */
	if (!sig_recover(addr, hash, h->extra + h->extra_len - CLIQUE_SEAL, 0)) {
		*why = "the seal does not recover to a signer";
		return 0;
	}
	return 1;
}

int
clique_extra_signers(uint8_t (*out)[20], size_t *n, const struct header *h,
    const char **why)
{
	size_t len;

	*n = 0;
	if (h->extra_len < CLIQUE_VANITY + CLIQUE_SEAL) {
		*why = "extraData shorter than 32 bytes of vanity and a 65-byte "
		    "seal";
		return 0;
	}
	len = h->extra_len - CLIQUE_VANITY - CLIQUE_SEAL;
	if (len % 20 != 0) {
		*why = "the signer list in extraData is not a whole number of "
		    "addresses";
		return 0;
	}
	if (len / 20 > CLIQUE_MAX_SIGNERS) {
		*why = "more signers than this build follows (64)";
		return 0;
	}
	*n = len / 20;
	memcpy(out, h->extra + CLIQUE_VANITY, len);
	return 1;
}

int
clique_is_signer(const struct clique_snap *s, const uint8_t addr[20],
    size_t *at)
{
	size_t i;

	for (i = 0; i < s->nsigners; i++)
		if (memcmp(s->signers[i], addr, 20) == 0) {
			if (at != NULL)
				*at = i;
			return 1;
		}
	return 0;
}

/* Adds addr to the sorted signer list (it is not there yet). */
static int
signer_add(struct clique_snap *s, const uint8_t addr[20])
{
	size_t i = s->nsigners;

	if (s->nsigners == CLIQUE_MAX_SIGNERS)
		return 0;
	while (i > 0 && memcmp(s->signers[i - 1], addr, 20) > 0) {
		memcpy(s->signers[i], s->signers[i - 1], 20);
		i--;
	}
	memcpy(s->signers[i], addr, 20);
	s->nsigners++;
	return 1;
}

static void
signer_drop(struct clique_snap *s, size_t at)
{
	memmove(s->signers[at], s->signers[at + 1],
	    (s->nsigners - at - 1) * 20);
	s->nsigners--;
}

/* Sorts and refuses duplicates, as geth's snapshot keeps a set. */
static int
signers_set(struct clique_snap *s, const uint8_t (*list)[20], size_t n,
    const char **why)
{
	size_t i;

	s->nsigners = 0;
	if (n == 0) {
		*why = "the signer set is empty";
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (clique_is_signer(s, list[i], NULL)) {
			*why = "the signer set names an address twice";
			return 0;
		}
		if (!signer_add(s, list[i])) {
			*why = "more signers than this build follows (64)";
			return 0;
		}
	}
	return 1;
}

static void
recent_drop_block(struct clique_snap *s, uint64_t block)
{
	size_t i;

	for (i = 0; i < s->nrecents; i++)
		if (s->recents[i].block == block) {
			s->recents[i] = s->recents[--s->nrecents];
			return;
		}
}

/* The window closes behind the signers: block number - limit may sign
 * again from block number on. */
static void
recents_expire(struct clique_snap *s, uint64_t number)
{
	uint64_t limit = s->nsigners / 2 + 1;

	if (number >= limit)
		recent_drop_block(s, number - limit);
}

static int
recently_signed(const struct clique_snap *s, const uint8_t addr[20])
{
	size_t i;

	for (i = 0; i < s->nrecents; i++)
		if (memcmp(s->recents[i].signer, addr, 20) == 0)
			return 1;
	return 0;
}

int
clique_snap_init(struct clique_snap *s, const struct header *h,
    uint64_t epoch, const uint8_t (*signers)[20], size_t n, const char **why)
{
	uint8_t listed[CLIQUE_MAX_SIGNERS][20], sealer[20];
	struct clique_snap cmp;
	size_t nlisted = 0;
	int at_epoch;

	memset(s, 0, sizeof(*s));
	if (epoch == 0) {
		*why = "the Clique epoch must be at least 1";
		return 0;
	}
	s->epoch = epoch;
	s->number = h->number;
	header_hash(s->hash, h);
	at_epoch = h->number % epoch == 0;
	if (at_epoch && !clique_extra_signers(listed, &nlisted, h, why))
		return 0;
	if (n == 0 && !at_epoch) {
		*why = "the checkpoint is not an epoch block, so it lists no "
		    "signers: give them in chain.signers";
		return 0;
	}
	if (!signers_set(s, n > 0 ? signers : (const uint8_t (*)[20])listed,
	    n > 0 ? n : nlisted, why))
		return 0;
	if (n > 0 && at_epoch) {
		memset(&cmp, 0, sizeof(cmp));
		if (!signers_set(&cmp, (const uint8_t (*)[20])listed, nlisted,
		    why) || cmp.nsigners != s->nsigners ||
		    memcmp(cmp.signers, s->signers, 20 * s->nsigners) != 0) {
			*why = "the signers given (chain.signers) differ "
			    "from those the block lists";
			return 0;
		}
	}
	/* A sealed checkpoint (not a genesis) has signed its own block. */
	if (h->number > 0 && clique_signer(sealer, h, why) &&
	    clique_is_signer(s, sealer, NULL)) {
		s->recents[0].block = h->number;
		memcpy(s->recents[0].signer, sealer, 20);
		s->nrecents = 1;
	}
	return 1;
}

int
clique_check_fields(const struct header *h, uint64_t epoch, const char **why)
{
	static const uint8_t zero[20];
	int checkpoint = epoch > 0 && h->number % epoch == 0;

	if (h->extra_len < CLIQUE_VANITY + CLIQUE_SEAL) {
		*why = "extraData shorter than 32 bytes of vanity and a 65-byte "
		    "seal";
		return 0;
	}
	if (!checkpoint && h->extra_len != CLIQUE_VANITY + CLIQUE_SEAL) {
		*why = "signer list in extraData outside an epoch block";
		return 0;
	}
	if (checkpoint && (memcmp(h->coinbase, zero, 20) != 0 ||
	    !all_bytes(h->nonce, h->nonce_len, 0))) {
		*why = "a vote on an epoch block (miner and nonce must be zero)";
		return 0;
	}
	if (h->nonce_len != 8 || (!all_bytes(h->nonce, 8, 0) &&
	    !all_bytes(h->nonce, 8, 0xff))) {
		*why = "nonce is neither 0x00..00 nor 0xff..ff (not a vote)";
		return 0;
	}
	if (h->mix_hash_len != 32 || !all_bytes(h->mix_hash, 32, 0)) {
		*why = "mixHash is not zero";
		return 0;
	}
	if (memcmp(h->uncles_hash, empty_uncles, 32) != 0) {
		*why = "a Clique block has no uncles (sha3Uncles is not the empty "
		    "list's hash)";
		return 0;
	}
	if (h->difficulty_len != 1 || (h->difficulty[0] != 1 &&
	    h->difficulty[0] != 2)) {
		*why = "difficulty is neither 1 (out of turn) nor 2 (in turn)";
		return 0;
	}
	return 1;
}

/* Seal checks against the snapshot (geth's verifySeal). */
static int
check_sealer(const struct clique_snap *s, const struct header *h,
    const uint8_t signer[20], const char **why)
{
	size_t at;
	int inturn;

	if (!clique_is_signer(s, signer, &at)) {
		*why = "sealed by an address that is not a signer";
		return 0;
	}
	if (recently_signed(s, signer)) {
		*why = "the signer sealed one of the last len(signers)/2 blocks";
		return 0;
	}
	inturn = h->number % s->nsigners == at;
	if (h->difficulty[0] != (inturn ? 2 : 1)) {
		*why = inturn ? "in-turn signer with difficulty 1 (must be 2)" :
		    "out-of-turn signer with difficulty 2 (must be 1)";
		return 0;
	}
	return 1;
}

static void
vote_remove(struct clique_snap *s, size_t i)
{
	memmove(&s->votes[i], &s->votes[i + 1],
	    (s->nvotes - i - 1) * sizeof(s->votes[0]));
	s->nvotes--;
}

static size_t
tally(const struct clique_snap *s, const uint8_t candidate[20])
{
	size_t i, n = 0;

	for (i = 0; i < s->nvotes; i++)
		n += memcmp(s->votes[i].candidate, candidate, 20) == 0;
	return n;
}

/* A vote counts when it would change something: add a non-signer, drop
 * a signer. */
static int
vote_cast(struct clique_snap *s, const uint8_t signer[20],
    const struct header *h, int authorize, const char **why)
{
	struct clique_vote *v;
	size_t i;

	for (i = 0; i < s->nvotes; i++)
		if (memcmp(s->votes[i].signer, signer, 20) == 0 &&
		    memcmp(s->votes[i].candidate, h->coinbase, 20) == 0) {
			vote_remove(s, i);
			break;
		}
	if (clique_is_signer(s, h->coinbase, NULL) == authorize)
		return 1;
	if (s->nvotes == CLIQUE_MAX_VOTES) {
		*why = "more pending Clique votes than this build follows (256)";
		return 0;
	}
	v = &s->votes[s->nvotes++];
	memcpy(v->signer, signer, 20);
	memcpy(v->candidate, h->coinbase, 20);
	v->block = h->number;
	v->authorize = authorize;
	return 1;
}

/* Applies a vote that passed: the candidate joins or leaves, and every
 * vote about it (and, when it leaves, every vote it cast) is dropped. */
static int
vote_pass(struct clique_snap *s, const uint8_t candidate[20], int authorize,
    uint64_t number, const char **why)
{
	size_t i, at;

	if (authorize && !signer_add(s, candidate)) {
		*why = "more signers than this build follows (64)";
		return 0;
	}
	if (!authorize && clique_is_signer(s, candidate, &at)) {
		if (s->nsigners == 1) {
			*why = "a vote would remove the last signer";
			return 0;
		}
		signer_drop(s, at);
		recents_expire(s, number);
		for (i = s->nvotes; i-- > 0;)
			if (memcmp(s->votes[i].signer, candidate, 20) == 0)
				vote_remove(s, i);
	}
	for (i = s->nvotes; i-- > 0;)
		if (memcmp(s->votes[i].candidate, candidate, 20) == 0)
			vote_remove(s, i);
	return 1;
}

static int
apply_vote(struct clique_snap *s, const struct header *h,
    const uint8_t signer[20], const char **why)
{
	int authorize = h->nonce[0] == 0xff;
	uint8_t candidate[20];

	if (!vote_cast(s, signer, h, authorize, why))
		return 0;
	memcpy(candidate, h->coinbase, 20);
	if (tally(s, candidate) > s->nsigners / 2)
		return vote_pass(s, candidate, authorize, h->number, why);
	return 1;
}

/* An epoch block lists exactly the signers of the snapshot. */
static int
check_epoch_list(const struct clique_snap *s, const struct header *h,
    const char **why)
{
	uint8_t listed[CLIQUE_MAX_SIGNERS][20];
	size_t n;

	if (!clique_extra_signers(listed, &n, h, why))
		return 0;
	if (n != s->nsigners || memcmp(listed, s->signers, 20 * n) != 0) {
		*why = "the epoch block's signer list differs from the signers "
		    "the votes left";
		return 0;
	}
	return 1;
}

int
clique_snap_apply(struct clique_snap *s, const struct header *h,
    uint8_t signer[20], const char **why)
{
	static _Thread_local struct clique_snap next;
	int checkpoint = h->number % s->epoch == 0;
	uint8_t sealer[20];

	if (h->number != s->number + 1) {
		*why = "not the block after the snapshot";
		return 0;
	}
	if (!clique_check_fields(h, s->epoch, why) ||
	    (checkpoint && !check_epoch_list(s, h, why)) ||
	    !clique_signer(sealer, h, why))
		return 0;
	next = *s;
	if (checkpoint)
		next.nvotes = 0;
	recents_expire(&next, h->number);
	if (!check_sealer(&next, h, sealer, why))
		return 0;
	next.recents[next.nrecents].block = h->number;
	memcpy(next.recents[next.nrecents++].signer, sealer, 20);
	if (!apply_vote(&next, h, sealer, why))
		return 0;
	next.number = h->number;
	header_hash(next.hash, h);
	*s = next;
	if (signer != NULL)
		memcpy(signer, sealer, 20);
	return 1;
}

/* encoding ---------------------------------------------------------------- */

size_t
clique_snap_encode(uint8_t *out, const struct clique_snap *s)
{
	uint8_t *p = out;
	size_t i;

	p = bytes_put_u64(p, s->epoch);
	p = bytes_put_u64(p, s->number);
	memcpy(p, s->hash, 32), p += 32;
	*p++ = (uint8_t)(s->nsigners >> 8), *p++ = (uint8_t)s->nsigners;
	memcpy(p, s->signers, 20 * s->nsigners), p += 20 * s->nsigners;
	*p++ = (uint8_t)(s->nrecents >> 8), *p++ = (uint8_t)s->nrecents;
	for (i = 0; i < s->nrecents; i++) {
		p = bytes_put_u64(p, s->recents[i].block);
		memcpy(p, s->recents[i].signer, 20), p += 20;
	}
	*p++ = (uint8_t)(s->nvotes >> 8), *p++ = (uint8_t)s->nvotes;
	for (i = 0; i < s->nvotes; i++) {
		memcpy(p, s->votes[i].signer, 20), p += 20;
		memcpy(p, s->votes[i].candidate, 20), p += 20;
		p = bytes_put_u64(p, s->votes[i].block);
		*p++ = (uint8_t)(s->votes[i].authorize != 0);
	}
	return (size_t)(p - out);
}

/* A count of n items of size each, within max, that fits before end. */
static int
get_count(size_t *n, const uint8_t **p, const uint8_t *end, size_t size,
    size_t max)
{
	if (end - *p < 2)
		return 0;
	*n = (size_t)(*p)[0] << 8 | (*p)[1];
	*p += 2;
	return *n <= max && (size_t)(end - *p) >= *n * size;
}

int
clique_snap_decode(struct clique_snap *s, const uint8_t *in, size_t len,
    const char **why)
{
	const uint8_t *p = in, *end = in + len;
	size_t i;

	memset(s, 0, sizeof(*s));
	*why = "not a Clique snapshot of this build";
	if (len < 48)
		return 0;
	p = bytes_get_u64(&s->epoch, p);
	p = bytes_get_u64(&s->number, p);
	memcpy(s->hash, p, 32), p += 32;
	if (s->epoch == 0 ||
	    !get_count(&s->nsigners, &p, end, 20, CLIQUE_MAX_SIGNERS))
		goto fail;
	memcpy(s->signers, p, 20 * s->nsigners), p += 20 * s->nsigners;
	for (i = 1; i < s->nsigners; i++)
		if (memcmp(s->signers[i - 1], s->signers[i], 20) >= 0)
			goto fail;
	if (s->nsigners == 0 ||
	    !get_count(&s->nrecents, &p, end, 28, CLIQUE_MAX_RECENTS))
		goto fail;
	for (i = 0; i < s->nrecents; i++) {
		p = bytes_get_u64(&s->recents[i].block, p);
		memcpy(s->recents[i].signer, p, 20), p += 20;
	}
	if (!get_count(&s->nvotes, &p, end, 49, CLIQUE_MAX_VOTES))
		goto fail;
	for (i = 0; i < s->nvotes; i++) {
		memcpy(s->votes[i].signer, p, 20), p += 20;
		memcpy(s->votes[i].candidate, p, 20), p += 20;
		p = bytes_get_u64(&s->votes[i].block, p);
		if (*p > 1)
			goto fail;
		s->votes[i].authorize = *p++;
	}
	if (p != end)
		goto fail;
	return 1;
fail:
	memset(s, 0, sizeof(*s));
	return 0;
}

/* the engine ---------------------------------------------------------------- */

struct clique_engine {
	struct clique_snap snap;	/* after the last verified header */
	int has;
};

_Static_assert(CLIQUE_SNAP_MAX <= ENGINE_STATE_MAX, "a snapshot fits");

static struct clique_engine *
clique_state(struct engine *e)
{
	if (e->state == NULL)
		e->state = xcalloc(1, sizeof(struct clique_engine));
	return e->state;
}

static int
clique_verify(struct engine *e, const struct header *h,
    const struct header *parent, const char **why)
{
	struct clique_engine *c = clique_state(e);
	uint64_t epoch = e->conf.epoch ? e->conf.epoch : CLIQUE_EPOCH_DEFAULT;

	if (parent == NULL) {
		c->has = clique_snap_init(&c->snap, h, epoch, e->conf.signers,
		    e->conf.nsigners, why);
		return c->has;
	}
	if (!c->has || c->snap.number != parent->number) {
		*why = "clique: no signer snapshot at the parent block";
		return 0;
	}
	return clique_snap_apply(&c->snap, h, NULL, why);
}

static size_t
clique_save(struct engine *e, uint8_t *out, size_t cap)
{
	struct clique_engine *c = clique_state(e);

	if (!c->has || cap < CLIQUE_SNAP_MAX)
		return 0;
	return clique_snap_encode(out, &c->snap);
}

static int
clique_load(struct engine *e, const uint8_t *in, size_t len, const char **why)
{
	struct clique_engine *c = clique_state(e);

	c->has = clique_snap_decode(&c->snap, in, len, why);
	return c->has;
}

static void
clique_destroy(struct engine *e)
{
	free(e->state);
	e->state = NULL;
}

const struct engine_ops engine_clique_ops = {
	.name = "clique", .finality = ENGINE_FINAL_CONFIRMATIONS,
	.verify = clique_verify, .save = clique_save, .load = clique_load,
	.destroy = clique_destroy
};
