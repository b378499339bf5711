/* qbft.c: Besu's QBFT and IBFT 2.0 header rules.  The two encodings of
 * extraData differ in the round (a scalar in QBFT, 4 fixed bytes in IBFT
 * 2.0) and so in what the hashes cover: QBFT hashes [vanity, validators,
 * vote, round, []] for the commit seals and [.., vote, 0, []] for the block
 * hash; IBFT 2.0 drops the seals item, and the round too for the block
 * hash.  Votes follow Besu's tally: a subject is added or dropped once more
 * than half of the validators' proposers voted so, and the votes start
 * afresh at each epoch. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "chain/rlp.h"
#include "chain/sig.h"
#include "engine/bytes.h"
#include "engine/engine.h"
#include "engine/qbft.h"
#include "xmalloc.h"

/* Besu's BFT mixHash: the text "ctical byzantine fault tolerance", the
 * last 32 bytes of "practical byzantine fault tolerance". */
static const uint8_t bft_mix_hash[32] =
    "\x63\x74\x69\x63\x61\x6c\x20\x62\x79\x7a\x61\x6e\x74\x69\x6e\x65"
    "\x20\x66\x61\x75\x6c\x74\x20\x74\x6f\x6c\x65\x72\x61\x6e\x63\x65";

size_t
qbft_quorum(size_t n)
{
	return (2 * n + 2) / 3;
}

static int
decode_addresses(uint8_t (*out)[20], size_t *n, const struct rlp_item *list,
    const char **why)
{
	struct rlp_item it;
	const uint8_t *p = list->payload;
	size_t left = list->len;

	*n = 0;
	while (rlp_next(&it, &p, &left, why)) {
		if (it.is_list || it.len != 20) {
			*why = "qbft: a validator is not a 20-byte address";
			return 0;
		}
		if (*n == QBFT_MAX_VALIDATORS) {
			*why = "qbft: more validators than this build follows (64)";
			return 0;
		}
		memcpy(out[(*n)++], it.payload, 20);
	}
	return *why == NULL;
}

/* No vote (0x80 or 0xc0), or [subject, 0xff add | 0x00 or empty drop]. */
static int
decode_vote(struct qbft_extra *x, const struct rlp_item *v, const char **why)
{
	struct rlp_item f[2];
	size_t n;

	x->has_vote = 0;
	if (v->len == 0)
		return 1;
	if (!v->is_list || !rlp_list(f, 2, &n, v, why) || n != 2 ||
	    f[0].is_list || f[0].len != 20 || f[1].is_list || f[1].len > 1 ||
	    (f[1].len == 1 && f[1].payload[0] != 0x00 &&
	    f[1].payload[0] != 0xff)) {
		*why = "qbft: the vote is not [address, 0xff or 0x00]";
		return 0;
	}
	x->has_vote = 1;
	memcpy(x->vote_subject, f[0].payload, 20);
	x->vote_add = f[1].len == 1 && f[1].payload[0] == 0xff;
	return 1;
}

/* A scalar (no leading zero), or IBFT 2.0's 4 bytes with a leading zero. */
static int
decode_round(struct qbft_extra *x, const struct rlp_item *r, const char **why)
{
	size_t i;

	x->round = 0;
	x->round_fixed = r->len == 4 && r->payload[0] == 0;
	if (r->is_list || r->len > 4 ||
	    (!x->round_fixed && r->len > 0 && r->payload[0] == 0)) {
		*why = "qbft: the round is not a scalar or 4 bytes";
		return 0;
	}
	for (i = 0; i < r->len; i++)
		x->round = x->round << 8 | r->payload[i];
	return 1;
}

static int
decode_seals(struct qbft_extra *x, const struct rlp_item *list,
    const char **why)
{
	struct rlp_item it;
	const uint8_t *p = list->payload;
	size_t left = list->len;

	x->nseals = 0;
	while (rlp_next(&it, &p, &left, why)) {
		if (it.is_list || it.len != 65) {
			*why = "qbft: a commit seal is not 65 bytes";
			return 0;
		}
		if (x->nseals == QBFT_MAX_VALIDATORS) {
			*why = "qbft: more commit seals than validators can give";
			return 0;
		}
		memcpy(x->seals[x->nseals++], it.payload, 65);
	}
	return *why == NULL;
}

int
qbft_extra_decode(struct qbft_extra *x, const uint8_t *extra, size_t len,
    const char **why)
{
	struct rlp_item top, f[5];
	size_t n, i;

	memset(x, 0, sizeof(*x));
	if (!rlp_decode(&top, extra, len, why) || !top.is_list ||
	    !rlp_list(f, 5, &n, &top, why) || n != 5) {
		*why = "qbft: extraData is not an RLP list of 5 items";
		goto fail;
	}
	if (f[0].is_list || f[0].len != 32) {
		*why = "qbft: the vanity is not 32 bytes";
		goto fail;
	}
	if (!f[1].is_list || !f[4].is_list) {
		*why = "qbft: validators and seals must be lists";
		goto fail;
	}
	if (!decode_addresses(x->validators, &x->nvalidators, &f[1], why) ||
	    !decode_vote(x, &f[2], why) || !decode_round(x, &f[3], why) ||
	    !decode_seals(x, &f[4], why))
		goto fail;
	for (i = 0; i < 4; i++) {
		x->raw[i] = f[i].raw;
		x->raw_len[i] = f[i].raw_len;
	}
	return 1;
fail:
	memset(x, 0, sizeof(*x));
	return 0;
}

/* Hashes h with its decoded extraData x re-encoded without the seals;
 * with_round 0 zeroes (QBFT) or drops (IBFT 2.0) the round. */
static void
hash_extra(uint8_t out[32], const struct header *h,
    const struct qbft_extra *x, int with_round)
{
	static _Thread_local struct header bare;
	struct rlp_buf b;
	size_t mark, i;

	rlp_buf_init(&b);
	mark = rlp_list_begin(&b);
	for (i = 0; i < 3; i++)
		rlp_put_raw(&b, x->raw[i], x->raw_len[i]);
	if (with_round)
		rlp_put_raw(&b, x->raw[3], x->raw_len[3]);
	else if (!x->round_fixed)
		rlp_put_uint(&b, 0);
	if (!x->round_fixed)
		rlp_list_end(&b, rlp_list_begin(&b));
	rlp_list_end(&b, mark);
	bare = *h;
	memcpy(bare.extra, b.data, b.len);	/* never longer than before */
	bare.extra_len = b.len;
	rlp_buf_free(&b);
	header_hash(out, &bare);
}

static int
hash_without_seals(uint8_t out[32], const struct header *h, int with_round,
    const char **why)
{
	static _Thread_local struct qbft_extra x;

	memset(out, 0, 32);
	if (!qbft_extra_decode(&x, h->extra, h->extra_len, why))
		return 0;
	hash_extra(out, h, &x, with_round);
	return 1;
}

int
qbft_seal_hash(uint8_t out[32], const struct header *h, const char **why)
{
	return hash_without_seals(out, h, 1, why);
}

int
qbft_block_hash(uint8_t out[32], const struct header *h, const char **why)
{
	return hash_without_seals(out, h, 0, why);
}

/* The signers of x's seals over h's commit-seal hash. */
static int
recover_seals(uint8_t (*out)[20], size_t *n, const struct header *h,
    const struct qbft_extra *x, const char **why)
{
	uint8_t hash[32];
	size_t i;

	*n = 0;
	hash_extra(hash, h, x, 1);
	for (i = 0; i < x->nseals; i++)
		if (!sig_recover(out[i], hash, x->seals[i], 0)) {
			*why = "qbft: a commit seal does not recover to a signer";
			return 0;
		}
	*n = x->nseals;
	return 1;
}

int
qbft_committers(uint8_t (*out)[20], size_t *n, const struct header *h,
    const char **why)
{
	static _Thread_local struct qbft_extra x;

	*n = 0;
	return qbft_extra_decode(&x, h->extra, h->extra_len, why) &&
	    recover_seals(out, n, h, &x, why);
}

static int
is_validator(const struct qbft_snap *s, const uint8_t a[20], size_t *at)
{
	size_t i;

	for (i = 0; i < s->nvalidators; i++)
		if (memcmp(s->validators[i], a, 20) == 0) {
			if (at != NULL)
				*at = i;
			return 1;
		}
	return 0;
}

/* Sorted, no duplicate: the order Besu keeps and writes. */
static int
sorted_set(const uint8_t (*v)[20], size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (memcmp(v[i - 1], v[i], 20) >= 0)
			return 0;
	return 1;
}

int
qbft_snap_init(struct qbft_snap *s, const struct header *h, uint64_t epoch,
    const uint8_t (*validators)[20], size_t n, const char **why)
{
	static _Thread_local struct qbft_extra x;

	memset(s, 0, sizeof(*s));
	if (epoch == 0) {
		*why = "the QBFT epoch must be at least 1";
		return 0;
	}
	if (!qbft_extra_decode(&x, h->extra, h->extra_len, why) ||
	    !qbft_block_hash(s->hash, h, why))
		return 0;
	if (x.nvalidators == 0 || !sorted_set(
	    (const uint8_t (*)[20])x.validators, x.nvalidators)) {
		*why = "qbft: the checkpoint's validator list is empty or not "
		    "sorted";
		return 0;
	}
	if (n > 0 && (n != x.nvalidators ||
	    memcmp(validators, x.validators, 20 * n) != 0)) {
		*why = "the validators given (chain.signers) differ from "
		    "those the block lists";
		return 0;
	}
	s->epoch = epoch;
	s->number = h->number;
	memcpy(s->validators, x.validators, sizeof(x.validators));
	s->nvalidators = x.nvalidators;
	return 1;
}

static int
check_fields(const struct qbft_snap *s, const struct header *h,
    const struct qbft_extra *x, const char **why)
{
	if (h->mix_hash_len != 32 || memcmp(h->mix_hash, bft_mix_hash, 32) != 0) {
		*why = "qbft: mixHash is not the BFT constant";
		return 0;
	}
	if (h->difficulty_len != 1 || h->difficulty[0] != 1) {
		*why = "qbft: difficulty is not 1";
		return 0;
	}
	if (x->nvalidators != s->nvalidators ||
	    memcmp(x->validators, s->validators, 20 * s->nvalidators) != 0) {
		*why = "qbft: the validator list in extraData is not the current "
		    "set in order";
		return 0;
	}
	if (!is_validator(s, h->coinbase, NULL)) {
		*why = "qbft: the proposer (miner) is not a validator";
		return 0;
	}
	return 1;
}

/* Enough distinct committers, every one a validator of the parent's set. */
static int
check_seals(const struct qbft_snap *s, const struct header *h,
    const struct qbft_extra *x, uint8_t (*who)[20], size_t *n,
    const char **why)
{
	size_t i, k;

	if (!recover_seals(who, n, h, x, why))
		return 0;
	for (i = 0; i < *n; i++) {
		if (!is_validator(s, who[i], NULL)) {
			*why = "qbft: a commit seal is not a current validator's";
			return 0;
		}
		for (k = 0; k < i; k++)
			if (memcmp(who[k], who[i], 20) == 0) {
				*why = "qbft: a validator's commit seal appears twice";
				return 0;
			}
	}
	if (*n < qbft_quorum(s->nvalidators)) {
		*why = "qbft: fewer commit seals than ceil(2N/3) validators";
		return 0;
	}
	return 1;
}

static size_t
count_votes(const struct qbft_snap *s, const uint8_t subject[20], int add)
{
	size_t i, n = 0;

	for (i = 0; i < s->nvotes; i++)
		n += memcmp(s->votes[i].subject, subject, 20) == 0 &&
		    s->votes[i].add == add;
	return n;
}

static void
drop_votes(struct qbft_snap *s, const uint8_t *subject,
    const uint8_t *proposer)
{
	size_t i, k = 0;

	for (i = 0; i < s->nvotes; i++) {
		if ((subject != NULL &&
		    memcmp(s->votes[i].subject, subject, 20) == 0) ||
		    (proposer != NULL &&
		    memcmp(s->votes[i].proposer, proposer, 20) == 0))
			continue;
		s->votes[k++] = s->votes[i];
	}
	s->nvotes = k;
}

/* Besu's tally: a proposer's vote on a subject replaces its earlier one;
 * at n/2 + 1 votes the subject joins or leaves and its votes go. */
static int
apply_vote(struct qbft_snap *s, const uint8_t proposer[20],
    const uint8_t subject[20], int add, const char **why)
{
	size_t i, at, limit = s->nvalidators / 2 + 1;

	for (i = 0; i < s->nvotes; i++)
		if (memcmp(s->votes[i].proposer, proposer, 20) == 0 &&
		    memcmp(s->votes[i].subject, subject, 20) == 0)
			break;
	if (i == s->nvotes && s->nvotes == QBFT_MAX_VOTES) {
		*why = "qbft: more pending votes than this build follows (256)";
		return 0;
	}
	if (i == s->nvotes)
		s->nvotes++;
	memcpy(s->votes[i].proposer, proposer, 20);
	memcpy(s->votes[i].subject, subject, 20);
	s->votes[i].add = add;
	if (count_votes(s, subject, 1) >= limit && !is_validator(s, subject,
	    NULL)) {
		if (s->nvalidators == QBFT_MAX_VALIDATORS) {
			*why = "qbft: more validators than this build follows (64)";
			return 0;
		}
		for (i = s->nvalidators; i > 0 &&
		    memcmp(s->validators[i - 1], subject, 20) > 0; i--)
			memcpy(s->validators[i], s->validators[i - 1], 20);
		memcpy(s->validators[i], subject, 20);
		s->nvalidators++;
		drop_votes(s, subject, NULL);
	} else if (count_votes(s, subject, 0) >= limit) {
		if (is_validator(s, subject, &at)) {
			if (s->nvalidators == 1) {
				*why = "qbft: a vote would remove the last validator";
				return 0;
			}
			memmove(s->validators[at], s->validators[at + 1],
			    20 * (s->nvalidators - at - 1));
			s->nvalidators--;
		}
		drop_votes(s, subject, subject);
	} else if (count_votes(s, subject, 1) >= limit)
		drop_votes(s, subject, NULL);
	return 1;
}

int
qbft_snap_apply(struct qbft_snap *s, const struct header *h,
    uint8_t (*committers)[20], size_t *ncommitters, const char **why)
{
	static _Thread_local struct qbft_snap next;
	static _Thread_local struct qbft_extra x;
	static _Thread_local uint8_t who[QBFT_MAX_VALIDATORS][20];
	size_t n;

	if (h->number != s->number + 1) {
		*why = "not the block after the snapshot";
		return 0;
	}
	if (!qbft_extra_decode(&x, h->extra, h->extra_len, why) ||
	    !check_fields(s, h, &x, why) ||
	    !check_seals(s, h, &x, who, &n, why))
		return 0;
	next = *s;
	/* The block before an epoch block ends the votes; its own vote
	 * is not counted. */
	if ((h->number + 1) % s->epoch == 0)
		next.nvotes = 0;
	else if (x.has_vote && !apply_vote(&next, h->coinbase, x.vote_subject,
	    x.vote_add, why))
		return 0;
	next.number = h->number;
	hash_extra(next.hash, h, &x, 0);
	*s = next;
	if (committers != NULL)
		memcpy(committers, who, 20 * n);
	if (ncommitters != NULL)
		*ncommitters = n;
	return 1;
}

/* encoding ---------------------------------------------------------------- */

size_t
qbft_snap_encode(uint8_t *out, const struct qbft_snap *s)
{
	uint8_t *p = out;
	size_t i;

	p = bytes_put_u64(p, s->epoch);
	p = bytes_put_u64(p, s->number);
	memcpy(p, s->hash, 32), p += 32;
	*p++ = (uint8_t)(s->nvalidators >> 8), *p++ = (uint8_t)s->nvalidators;
	memcpy(p, s->validators, 20 * s->nvalidators), p += 20 * s->nvalidators;
	*p++ = (uint8_t)(s->nvotes >> 8), *p++ = (uint8_t)s->nvotes;
	for (i = 0; i < s->nvotes; i++) {
		memcpy(p, s->votes[i].proposer, 20), p += 20;
		memcpy(p, s->votes[i].subject, 20), p += 20;
		*p++ = (uint8_t)(s->votes[i].add != 0);
	}
	return (size_t)(p - out);
}

int
qbft_snap_decode(struct qbft_snap *s, const uint8_t *in, size_t len,
    const char **why)
{
	const uint8_t *p = in, *end = in + len;
	size_t i;

	memset(s, 0, sizeof(*s));
	*why = "not a QBFT snapshot of this build";
	if (len < 50)
		return 0;
	p = bytes_get_u64(&s->epoch, p);
	p = bytes_get_u64(&s->number, p);
	memcpy(s->hash, p, 32), p += 32;
	s->nvalidators = (size_t)p[0] << 8 | p[1], p += 2;
	if (s->epoch == 0 || s->nvalidators == 0 ||
	    s->nvalidators > QBFT_MAX_VALIDATORS ||
	    (size_t)(end - p) < 20 * s->nvalidators + 2)
		goto fail;
	memcpy(s->validators, p, 20 * s->nvalidators), p += 20 * s->nvalidators;
	if (!sorted_set((const uint8_t (*)[20])s->validators, s->nvalidators))
		goto fail;
	s->nvotes = (size_t)p[0] << 8 | p[1], p += 2;
	if (s->nvotes > QBFT_MAX_VOTES || (size_t)(end - p) != 41 * s->nvotes)
		goto fail;
	for (i = 0; i < s->nvotes; i++) {
		memcpy(s->votes[i].proposer, p, 20), p += 20;
		memcpy(s->votes[i].subject, p, 20), p += 20;
		if (*p > 1)
			goto fail;
		s->votes[i].add = *p++;
	}
	return 1;
fail:
	memset(s, 0, sizeof(*s));
	return 0;
}

/* the engine ---------------------------------------------------------------- */

struct qbft_engine {
	struct qbft_snap snap;		/* after the last verified header */
	int has;
};

_Static_assert(QBFT_SNAP_MAX <= ENGINE_STATE_MAX, "a snapshot fits");

static struct qbft_engine *
qbft_state(struct engine *e)
{
	if (e->state == NULL)
		e->state = xcalloc(1, sizeof(struct qbft_engine));
	return e->state;
}

static int
qbft_verify(struct engine *e, const struct header *h,
    const struct header *parent, const char **why)
{
	struct qbft_engine *q = qbft_state(e);
	uint64_t epoch = e->conf.epoch ? e->conf.epoch : QBFT_EPOCH_DEFAULT;

	if (parent == NULL) {
		q->has = qbft_snap_init(&q->snap, h, epoch, e->conf.signers,
		    e->conf.nsigners, why);
		return q->has;
	}
	if (!q->has || q->snap.number != parent->number) {
		*why = "qbft: no validator snapshot at the parent block";
		return 0;
	}
	return qbft_snap_apply(&q->snap, h, NULL, NULL, why);
}

static int
qbft_hash(struct engine *e, uint8_t out[32], const struct header *h,
    const char **why)
{
	(void)e;
	return qbft_block_hash(out, h, why);
}

static size_t
qbft_save(struct engine *e, uint8_t *out, size_t cap)
{
	struct qbft_engine *q = qbft_state(e);

	if (!q->has || cap < QBFT_SNAP_MAX)
		return 0;
	return qbft_snap_encode(out, &q->snap);
}

static int
qbft_load(struct engine *e, const uint8_t *in, size_t len, const char **why)
{
	struct qbft_engine *q = qbft_state(e);

	q->has = qbft_snap_decode(&q->snap, in, len, why);
	return q->has;
}

static void
qbft_destroy(struct engine *e)
{
	free(e->state);
	e->state = NULL;
}

const struct engine_ops engine_qbft_ops = {
	.name = "qbft", .finality = ENGINE_FINAL_INSTANT,
	.verify = qbft_verify, .hash = qbft_hash, .save = qbft_save,
	.load = qbft_load, .destroy = qbft_destroy
};
