/* check_qbft.c: QBFT and IBFT 2.0 extraData and seals: a real Besu QBFT
 * header (commit-seal hash, block hash and committers as published), the
 * QBFT extraData RLP vectors in both encodings, every one-byte change of
 * the real header refused, and the rules on chains sealed here with test
 * validator keys (too few seals, outsiders, repeats, the round, votes). */
#include "config.h"

#include <string.h>

#include "chain/hex.h"
#include "chain/rlp.h"
#include "chain/sig.h"
#include "engine/qbft.h"
#include "testutil.h"

static void
hex_fixed(uint8_t *out, size_t n, const char *s)
{
	const char *why;

	ck_assert_msg(hex_decode_fixed(out, n, s, &why), "%s: %s", s, why);
}

static json_t *
besu(struct header *h)
{
	json_t *j = tu_json("qbft/besu_qbft_7528.json");
	struct jerr e;

	ck_assert_msg(header_from_json(h, json_object_get(j, "header"), "$",
	    &e), "%s: %s", e.path, e.why);
	return j;
}

/* A snapshot at block 7527 holding the validators the header lists. */
static void
besu_parent(struct qbft_snap *s, const json_t *j)
{
	json_t *v = json_object_get(j, "expectedValidators");
	size_t i;

	memset(s, 0, sizeof(*s));
	s->epoch = QBFT_EPOCH_DEFAULT;
	s->number = 7527;
	s->nvalidators = json_array_size(v);
	for (i = 0; i < s->nvalidators; i++)
		hex_fixed(s->validators[i], 20,
		    json_string_value(json_array_get(v, i)));
}

START_TEST(qbft_real_header)
{
	uint8_t hash[32], want[32], who[QBFT_MAX_VALIDATORS][20], a[20];
	static struct qbft_extra x;
	static struct qbft_snap s;
	const char *why;
	struct header h;
	json_t *j = besu(&h), *signers;
	size_t n, i;

	ck_assert_msg(qbft_extra_decode(&x, h.extra, h.extra_len, &why), "%s",
	    why);
	ck_assert_uint_eq(x.nvalidators, 4);
	ck_assert_uint_eq(x.nseals, 3);
	ck_assert_uint_eq(x.round, 1);
	ck_assert(!x.round_fixed && !x.has_vote);
	ck_assert(qbft_seal_hash(hash, &h, &why));
	hex_fixed(want, 32, json_string_value(json_object_get(j,
	    "expectedCommitSealHash")));
	ck_assert(memcmp(hash, want, 32) == 0);
	ck_assert(qbft_block_hash(hash, &h, &why));
	hex_fixed(want, 32, json_string_value(json_object_get(j,
	    "blockHashPerBesuQbftRule")));
	ck_assert(memcmp(hash, want, 32) == 0);
	ck_assert(qbft_committers(who, &n, &h, &why));
	signers = json_object_get(j, "expectedCommitSealSigners");
	ck_assert_uint_eq(n, json_array_size(signers));
	for (i = 0; i < n; i++) {
		hex_fixed(a, 20, json_string_value(json_array_get(signers, i)));
		ck_assert(memcmp(a, who[i], 20) == 0);
	}
	besu_parent(&s, j);
	ck_assert_msg(qbft_snap_apply(&s, &h, who, &n, &why), "%s", why);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(s.number, 7528);
	ck_assert(memcmp(s.hash, want, 32) == 0);
	json_decref(j);
}
END_TEST

START_TEST(qbft_every_byte_matters)
{
	static struct qbft_snap base, s;
	struct header h;
	const char *why;
	uint8_t *rlp;
	size_t n, i, refused = 0;
	json_t *j = besu(&h);

	besu_parent(&base, j);
	rlp = tu_hex(json_string_value(json_object_get(j, "headerRlp")), &n);
	ck_assert(header_from_rlp(&h, rlp, n, &why));
	s = base;
	ck_assert_msg(qbft_snap_apply(&s, &h, NULL, NULL, &why), "%s", why);
	for (i = 0; i < n; i++) {
		rlp[i] ^= 0x01;
		s = base;
		if (!header_from_rlp(&h, rlp, n, &why) ||
		    !qbft_snap_apply(&s, &h, NULL, NULL, &why))
			refused++;
		rlp[i] ^= 0x01;
	}
	ck_assert_uint_eq(refused, n);
	free(rlp);
	json_decref(j);
}
END_TEST

/* The Consensys vectors: 4-byte rounds and 0x80 for no vote. */
START_TEST(qbft_extra_vectors)
{
	json_t *j = tu_json("qbft/qbft_extra_data_rlp_vectors.json"), *c, *d;
	static struct qbft_extra x;
	const char *name, *why;
	uint8_t *rlp, a[20];
	size_t n, i;

	json_object_foreach(j, name, c) {
		d = json_object_get(c, "qbft_extra_data");
		rlp = tu_hex(json_string_value(json_object_get(c, "rlp")), &n);
		ck_assert_msg(qbft_extra_decode(&x, rlp, n, &why), "%s: %s",
		    name, why);
		ck_assert_uint_eq(x.round, (uint32_t)json_integer_value(
		    json_object_get(d, "round")));
		ck_assert(x.round_fixed);
		ck_assert_uint_eq(x.nseals, json_array_size(json_object_get(d,
		    "seals")));
		ck_assert_uint_eq(x.nvalidators, json_array_size(
		    json_object_get(d, "validators")));
		for (i = 0; i < x.nvalidators; i++) {
			hex_fixed(a, 20, json_string_value(json_array_get(
			    json_object_get(d, "validators"), i)));
			ck_assert(memcmp(a, x.validators[i], 20) == 0);
		}
		ck_assert_int_eq(x.has_vote, !json_is_null(json_object_get(d,
		    "vote")));
		if (x.has_vote)
			ck_assert_int_eq(x.vote_add, strcmp(json_string_value(
			    json_object_get(json_object_get(d, "vote"),
			    "voteType")), "0xff") == 0);
		ck_assert(!qbft_extra_decode(&x, rlp, n - 1, &why));
		free(rlp);
	}
	json_decref(j);
}
END_TEST

/* Validator keys 1..4 sorted by address, and an attacker key 9. */
static uint8_t keys[5][32], addrs[5][20];

static void
make_keys(void)
{
	uint8_t pub[33], t[32], a[20];
	size_t i, k;

	for (i = 0; i < 5; i++) {
		memset(keys[i], 0, 32);
		keys[i][31] = (uint8_t)(i < 4 ? i + 1 : 9);
		ck_assert(sig_pubkey_create(pub, 33, keys[i]));
		ck_assert(sig_pubkey_to_address(addrs[i], pub, 33));
	}
	for (i = 1; i < 4; i++)
		for (k = i; k > 0 && memcmp(addrs[k - 1], addrs[k], 20) > 0;
		    k--) {
			memcpy(a, addrs[k], 20), memcpy(addrs[k], addrs[k - 1], 20);
			memcpy(addrs[k - 1], a, 20);
			memcpy(t, keys[k], 32), memcpy(keys[k], keys[k - 1], 32);
			memcpy(keys[k - 1], t, 32);
		}
}

/* extraData for validators v[0..nv), a vote, a round, and seals by the
 * keys sk[0..ns) over the header's commit-seal hash; the seal over round
 * seal_round (normally round). */
struct spec {
	const uint8_t (*v)[20];
	size_t nv;
	const uint8_t *vote;	/* subject, or NULL */
	int add;
	uint32_t round, seal_round;
	const uint8_t *sk[6];
	size_t ns;
};

static void
put_extra(struct header *h, const struct spec *sp, uint32_t round,
    const uint8_t (*seals)[65], size_t ns)
{
	struct rlp_buf b;
	size_t top, m, i;

	rlp_buf_init(&b);
	top = rlp_list_begin(&b);
	rlp_put_bytes(&b, (const uint8_t[32]){ 0 }, 32);
	m = rlp_list_begin(&b);
	for (i = 0; i < sp->nv; i++)
		rlp_put_bytes(&b, sp->v[i], 20);
	rlp_list_end(&b, m);
	m = rlp_list_begin(&b);
	if (sp->vote != NULL) {
		rlp_put_bytes(&b, sp->vote, 20);
		rlp_put_bytes(&b, (const uint8_t[1]){ sp->add ? 0xff : 0x00 },
		    1);
	}
	rlp_list_end(&b, m);
	rlp_put_uint(&b, round);
	m = rlp_list_begin(&b);
	for (i = 0; i < ns; i++)
		rlp_put_bytes(&b, seals[i], 65);
	rlp_list_end(&b, m);
	rlp_list_end(&b, top);
	memcpy(h->extra, b.data, b.len);
	h->extra_len = b.len;
	rlp_buf_free(&b);
}

static void
sealed(struct header *h, const struct qbft_snap *s, const uint8_t *proposer,
    const struct spec *sp)
{
	uint8_t hash[32], sig[64], seals[6][65];
	const char *why;
	size_t i;
	int recid;

	memset(h, 0, sizeof(*h));
	memcpy(h->parent_hash, s->hash, 32);
	h->number = s->number + 1;
	h->difficulty[0] = 1;
	h->difficulty_len = 1;
	h->gas_limit = 30000000;
	h->timestamp = 1700000000 + h->number;
	memcpy(h->coinbase, proposer, 20);
	hex_fixed(h->mix_hash, 32, "0x63746963616c2062797a616e74696e6520666175"
	    "6c7420746f6c6572616e6365");
	h->mix_hash_len = 32;
	h->nonce_len = 8;
	h->layout = HEADER_SHANGHAI;
	put_extra(h, sp, sp->seal_round, NULL, 0);
	ck_assert_msg(qbft_seal_hash(hash, h, &why), "%s", why);
	for (i = 0; i < sp->ns; i++) {
		ck_assert(sig_sign(sig, &recid, hash, sp->sk[i]));
		memcpy(seals[i], sig, 64);
		seals[i][64] = (uint8_t)recid;
	}
	put_extra(h, sp, sp->round, (const uint8_t (*)[65])seals, sp->ns);
}

static void
own_chain(struct qbft_snap *s, uint64_t epoch)
{
	struct spec sp = { (const uint8_t (*)[20])addrs, 4, NULL, 0, 0, 0,
	    { 0 }, 0 };
	struct header g;
	const char *why;

	make_keys();
	sealed(&g, &(struct qbft_snap){ .number = (uint64_t)-1 }, addrs[0], &sp);
	ck_assert_msg(qbft_snap_init(s, &g, epoch, NULL, 0, &why), "%s", why);
	ck_assert_uint_eq(s->nvalidators, 4);
}

static void
refused(struct qbft_snap *s, const struct header *h, const char *want)
{
	static struct qbft_snap before;
	const char *why = "";

	before = *s;
	ck_assert_msg(!qbft_snap_apply(s, h, NULL, NULL, &why), "accepted: %s",
	    want);
	ck_assert_msg(strstr(why, want) != NULL, "%s, not %s", why, want);
	ck_assert(memcmp(&before, s, sizeof(before)) == 0);
}

static void
accepted(struct qbft_snap *s, const struct header *h)
{
	const char *why = "";

	ck_assert_msg(qbft_snap_apply(s, h, NULL, NULL, &why), "%s", why);
}

START_TEST(qbft_rules)
{
	static struct qbft_snap s;
	const uint8_t (*v)[20] = (const uint8_t (*)[20])addrs;
	struct header h;
	struct spec sp;

	own_chain(&s, 100);
	sp = (struct spec){ v, 4, NULL, 0, 0, 0,
	    { keys[0], keys[1], keys[2] }, 3 };
	sealed(&h, &s, addrs[1], &sp);
	accepted(&s, &h);
	ck_assert_uint_eq(qbft_quorum(4), 3);
	sp.ns = 2;					/* 2 of 4 */
	sealed(&h, &s, addrs[1], &sp);
	refused(&s, &h, "fewer commit seals than ceil(2N/3)");
	sp = (struct spec){ v, 4, NULL, 0, 0, 0,
	    { keys[0], keys[1], keys[4] }, 3 };	/* an outsider */
	sealed(&h, &s, addrs[1], &sp);
	refused(&s, &h, "not a current validator's");
	sp = (struct spec){ v, 4, NULL, 0, 0, 0,
	    { keys[0], keys[1], keys[1] }, 3 };	/* a repeat */
	sealed(&h, &s, addrs[1], &sp);
	refused(&s, &h, "appears twice");
	sp = (struct spec){ v, 4, NULL, 0, 2, 1,
	    { keys[0], keys[1], keys[2] }, 3 };	/* sealed round 1, says 2 */
	sealed(&h, &s, addrs[1], &sp);
	refused(&s, &h, "not a current validator's");
	sp.seal_round = 2;
	sealed(&h, &s, addrs[1], &sp);
	accepted(&s, &h);
	sp = (struct spec){ v, 4, NULL, 0, 0, 0,
	    { keys[0], keys[1], keys[2] }, 3 };
	sealed(&h, &s, addrs[4], &sp);			/* outsider proposes */
	refused(&s, &h, "proposer (miner) is not a validator");
	sealed(&h, &s, addrs[0], &sp);
	h.difficulty[0] = 2;
	refused(&s, &h, "difficulty is not 1");
	sealed(&h, &s, addrs[0], &sp);
	h.mix_hash[0] ^= 1;
	refused(&s, &h, "mixHash is not the BFT constant");
	sp.nv = 3;					/* a validator left out */
	sealed(&h, &s, addrs[0], &sp);
	refused(&s, &h, "not the current set in order");
}
END_TEST

/* The attacker is voted in only with 3 of 4 votes (4/2 + 1): its seals
 * count from the block after that, not before. */
START_TEST(qbft_votes)
{
	static struct qbft_snap s, back;
	static uint8_t enc[QBFT_SNAP_MAX], enc2[QBFT_SNAP_MAX];
	static uint8_t v5[5][20];
	const uint8_t (*v)[20] = (const uint8_t (*)[20])addrs;
	struct header h;
	struct spec sp;
	const char *why;
	size_t i, k, n;

	own_chain(&s, 100);
	for (i = 0; i < 2; i++) {			/* 2 votes: not enough */
		sp = (struct spec){ v, 4, addrs[4], 1, 0, 0,
		    { keys[0], keys[1], keys[2] }, 3 };
		sealed(&h, &s, addrs[i], &sp);
		accepted(&s, &h);
	}
	ck_assert_uint_eq(s.nvalidators, 4);
	ck_assert_uint_eq(s.nvotes, 2);
	/* The attacker's seal does not count yet; nor does a list with it. */
	sp = (struct spec){ v, 4, NULL, 0, 0, 0,
	    { keys[0], keys[1], keys[4] }, 3 };
	sealed(&h, &s, addrs[2], &sp);
	refused(&s, &h, "not a current validator's");
	/* The snapshot survives encoding, then the third vote passes. */
	n = qbft_snap_encode(enc, &s);
	ck_assert(qbft_snap_decode(&back, enc, n, &why));
	ck_assert_uint_eq(qbft_snap_encode(enc2, &back), n);
	ck_assert(memcmp(enc, enc2, n) == 0);
	ck_assert(!qbft_snap_decode(&back, enc, n - 1, &why));
	sp = (struct spec){ v, 4, addrs[4], 1, 0, 0,
	    { keys[0], keys[1], keys[2] }, 3 };
	sealed(&h, &s, addrs[2], &sp);
	accepted(&s, &h);
	ck_assert_uint_eq(s.nvalidators, 5);
	ck_assert_uint_eq(s.nvotes, 0);
	/* Now the list has five, sorted, and the attacker's seal counts. */
	for (i = 0, n = 0; i < 5; i++) {
		for (k = n; k > 0 && memcmp(v5[k - 1], addrs[i], 20) > 0; k--)
			memcpy(v5[k], v5[k - 1], 20);
		memcpy(v5[k], addrs[i], 20);
		n++;
	}
	sp = (struct spec){ (const uint8_t (*)[20])v5, 5, NULL, 0, 0, 0,
	    { keys[0], keys[1], keys[4], keys[2] }, 4 };
	sealed(&h, &s, addrs[3], &sp);
	accepted(&s, &h);
	/* The block before an epoch block ends the votes, its own too. */
	own_chain(&s, 4);
	sp = (struct spec){ v, 4, addrs[4], 1, 0, 0,
	    { keys[0], keys[1], keys[2] }, 3 };
	for (i = 0; i < 3; i++) {			/* blocks 1..3 */
		sealed(&h, &s, addrs[i], &sp);
		accepted(&s, &h);
	}
	ck_assert_uint_eq(s.nvalidators, 4);
	ck_assert_uint_eq(s.nvotes, 0);
}
END_TEST

static Suite *
qbft_suite(void)
{
	Suite *s = suite_create("qbft");
	TCase *tc = tcase_create("qbft");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, qbft_real_header);
	tcase_add_test(tc, qbft_every_byte_matters);
	tcase_add_test(tc, qbft_extra_vectors);
	tcase_add_test(tc, qbft_rules);
	tcase_add_test(tc, qbft_votes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(qbft_suite());
}
