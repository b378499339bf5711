/* check_clique.c: Clique (EIP-225) on real Görli and Rinkeby headers (seal
 * hashes and signers as published, Rinkeby's first blocks followed from its
 * genesis signers), every one-byte change of a sealed header refused, and
 * the rules a real chain rarely shows (votes, the recent-signer window,
 * in-turn difficulty, epoch lists) on headers sealed here with test keys. */
#include "config.h"

#include <string.h>

#include "chain/hex.h"
#include "chain/sig.h"
#include "engine/clique.h"
#include "testutil.h"

static void
load(struct header *h, json_t **j, const char *rel)
{
	struct jerr e;

	*j = tu_json(rel);
	ck_assert_msg(header_from_json(h, json_object_get(*j, "header"), "$",
	    &e), "%s: %s: %s", rel, e.path, e.why);
}

static void
hex_fixed(uint8_t *out, size_t n, const char *s)
{
	const char *why;

	ck_assert_msg(hex_decode_fixed(out, n, s, &why), "%s: %s", s, why);
}

static const char *const fixtures[] = {
	"clique/goerli_1.json", "clique/goerli_1539938.json",
	"clique/goerli_1555415.json", "clique/goerli_1692767.json",
	"clique/goerli_1876353.json", "clique/goerli_2055211.json",
	"clique/goerli_2298526.json", "clique/goerli_3234562.json",
	"clique/rinkeby_1.json", "clique/rinkeby_2.json",
	"clique/rinkeby_3.json", "clique/rinkeby_4.json",
	"clique/rinkeby_5.json", "clique/rinkeby_269.json",
};

/* Every published seal hash and signer is reproduced. */
START_TEST(clique_real_seals)
{
	uint8_t hash[32], want[32], signer[20], who[20];
	const char *why;
	struct header h;
	json_t *j;
	size_t i;

	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		load(&h, &j, fixtures[i]);
		ck_assert(clique_seal_hash(hash, &h));
		hex_fixed(want, 32, json_string_value(json_object_get(j,
		    "expectedSealHash")));
		ck_assert_msg(memcmp(hash, want, 32) == 0, "%s", fixtures[i]);
		ck_assert_msg(clique_signer(signer, &h, &why), "%s: %s",
		    fixtures[i], why);
		hex_fixed(who, 20, json_string_value(json_object_get(j,
		    "expectedSigner")));
		ck_assert_msg(memcmp(signer, who, 20) == 0, "%s", fixtures[i]);
		json_decref(j);
	}
}
END_TEST

/* Rinkeby's genesis snapshot: its signers from the genesis extraData. */
static void
rinkeby_genesis(struct clique_snap *s)
{
	json_t *g = tu_json("clique/genesis_signers.json");
	json_t *r = json_object_get(g, "rinkeby");
	static struct header h;
	const char *why;
	uint8_t *extra;
	size_t n;

	memset(&h, 0, sizeof(h));
	extra = tu_hex(json_string_value(json_object_get(r,
	    "genesisExtraData")), &n);
	memcpy(h.extra, extra, n);
	h.extra_len = n;
	free(extra);
	ck_assert_msg(clique_snap_init(s, &h, CLIQUE_EPOCH_DEFAULT, NULL, 0,
	    &why), "%s", why);
	ck_assert_uint_eq(s->nsigners, 3);
	hex_fixed(s->hash, 32, json_string_value(json_object_get(r,
	    "genesisHash")));
	json_decref(g);
}

/* Rinkeby 1..5 from genesis: each in turn, each by the expected signer,
 * each linked to the one before. */
START_TEST(clique_rinkeby_follows)
{
	static struct clique_snap s;
	uint8_t signer[20], want[20];
	char rel[64];
	const char *why;
	struct header h;
	json_t *j;
	int n;

	rinkeby_genesis(&s);
	for (n = 1; n <= 5; n++) {
		snprintf(rel, sizeof(rel), "clique/rinkeby_%d.json", n);
		load(&h, &j, rel);
		ck_assert(memcmp(h.parent_hash, s.hash, 32) == 0);
		ck_assert_msg(clique_snap_apply(&s, &h, signer, &why), "%s: %s",
		    rel, why);
		hex_fixed(want, 20, json_string_value(json_object_get(j,
		    "expectedSigner")));
		ck_assert(memcmp(signer, want, 20) == 0);
		ck_assert(memcmp(s.hash, h.claimed_hash, 32) == 0);
		json_decref(j);
	}
	ck_assert_uint_eq(s.number, 5);
	ck_assert_uint_eq(s.nrecents, 2);	/* 3 signers: a window of 2 */
}
END_TEST

/* Every one-byte change of rinkeby_3's RLP is refused after rinkeby_2. */
START_TEST(clique_every_byte_matters)
{
	static struct clique_snap s, base;
	struct header h, hm;
	const char *why;
	uint8_t *rlp;
	size_t n, i, refused = 0;
	json_t *j;

	rinkeby_genesis(&base);
	load(&h, &j, "clique/rinkeby_1.json");
	ck_assert(clique_snap_apply(&base, &h, NULL, &why));
	json_decref(j);
	load(&h, &j, "clique/rinkeby_2.json");
	ck_assert(clique_snap_apply(&base, &h, NULL, &why));
	json_decref(j);
	load(&h, &j, "clique/rinkeby_3.json");
	rlp = tu_hex(json_string_value(json_object_get(j, "headerRlp")), &n);
	ck_assert(header_from_rlp(&hm, rlp, n, &why));
	s = base;
	ck_assert_msg(clique_snap_apply(&s, &hm, NULL, &why), "%s", why);
	for (i = 0; i < n; i++) {
		rlp[i] ^= 0x01;
		s = base;
		if (!header_from_rlp(&hm, rlp, n, &why) ||
		    !clique_snap_apply(&s, &hm, NULL, &why)) {
			refused++;
			ck_assert(s.number == base.number);
		}
		rlp[i] ^= 0x01;
	}
	ck_assert_uint_eq(refused, n);
	free(rlp);
	json_decref(j);
}
END_TEST

/* Test signers: keys 1..4, sorted by address into keys[]. */
static uint8_t keys[4][32], addrs[4][20];

static void
make_keys(void)
{
	uint8_t pub[33], t[32], a[20];
	size_t i, k;

	for (i = 0; i < 4; i++) {
		memset(keys[i], 0, 32);
		keys[i][31] = (uint8_t)(i + 1);
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

/* The block after s sealed by signer k, with difficulty diff, voting
 * for candidate (NULL: none) to be added (auth) or dropped. */
static void
sealed(struct header *h, const struct clique_snap *s, size_t k, int diff,
    const uint8_t *candidate, int auth)
{
	uint8_t hash[32], sig[64];
	int recid;

	memset(h, 0, sizeof(*h));
	memcpy(h->parent_hash, s->hash, 32);
	hex_fixed(h->uncles_hash, 32, "0x1dcc4de8dec75d7aab85b567b6ccd41ad31245"
	    "1b948a7413f0a142fd40d49347");
	h->number = s->number + 1;
	h->difficulty[0] = (uint8_t)diff;
	h->difficulty_len = 1;
	h->gas_limit = 30000000;
	h->timestamp = 1700000000 + h->number;
	h->mix_hash_len = 32;
	h->nonce_len = 8;
	h->layout = HEADER_LONDON;	/* a base fee: London rules */
	h->base_fee[0] = 7;
	h->base_fee_len = 1;
	if (candidate != NULL) {
		memcpy(h->coinbase, candidate, 20);
		memset(h->nonce, auth ? 0xff : 0x00, 8);
	}
	h->extra_len = CLIQUE_VANITY + CLIQUE_SEAL;
	if (h->number % s->epoch == 0) {
		memcpy(h->extra + CLIQUE_VANITY, s->signers, 20 * s->nsigners);
		h->extra_len += 20 * s->nsigners;
	}
	ck_assert(clique_seal_hash(hash, h));
	ck_assert(sig_sign(sig, &recid, hash, keys[k]));
	memcpy(h->extra + h->extra_len - CLIQUE_SEAL, sig, 64);
	h->extra[h->extra_len - 1] = (uint8_t)recid;
}

/* A chain of our own: signers 0..2 of keys[], epoch 10. */
static void
own_chain(struct clique_snap *s)
{
	struct header g;
	const char *why;

	make_keys();
	memset(&g, 0, sizeof(g));
	g.extra_len = CLIQUE_VANITY + 3 * 20 + CLIQUE_SEAL;
	memcpy(g.extra + CLIQUE_VANITY, addrs, 3 * 20);
	ck_assert_msg(clique_snap_init(s, &g, 10, NULL, 0, &why), "%s", why);
}

/* apply, expecting refusal with a why containing want. */
static void
refused(struct clique_snap *s, const struct header *h, const char *want)
{
	struct clique_snap before = *s;
	const char *why = "";

	ck_assert_msg(!clique_snap_apply(s, h, NULL, &why), "accepted: %s",
	    want);
	ck_assert_msg(strstr(why, want) != NULL, "%s, not %s", why, want);
	ck_assert(memcmp(&before, s, sizeof(before)) == 0);
}

START_TEST(clique_rules)
{
	static struct clique_snap s;
	struct header h;
	const char *why;

	own_chain(&s);
	/* Block 1: signer 1 is in turn (1 % 3). */
	sealed(&h, &s, 1, 1, NULL, 0);
	refused(&s, &h, "in-turn signer with difficulty 1");
	sealed(&h, &s, 0, 2, NULL, 0);
	refused(&s, &h, "out-of-turn signer with difficulty 2");
	sealed(&h, &s, 3, 1, NULL, 0);
	refused(&s, &h, "not a signer");
	sealed(&h, &s, 1, 2, NULL, 0);
	ck_assert_msg(clique_snap_apply(&s, &h, NULL, &why), "%s", why);
	/* Block 2: signer 1 again, inside the window of 3/2 + 1 = 2. */
	sealed(&h, &s, 1, 1, NULL, 0);
	refused(&s, &h, "sealed one of the last");
	sealed(&h, &s, 2, 2, NULL, 0);
	ck_assert_msg(clique_snap_apply(&s, &h, NULL, &why), "%s", why);
	/* Block 3: signer 1 may seal again (block 1 left the window). */
	sealed(&h, &s, 1, 1, NULL, 0);
	ck_assert_msg(clique_snap_apply(&s, &h, NULL, &why), "%s", why);
	/* Malformed fields. */
	sealed(&h, &s, 0, 1, NULL, 0);
	h.mix_hash[3] = 1;
	refused(&s, &h, "mixHash is not zero");
	sealed(&h, &s, 0, 1, NULL, 0);
	h.nonce[0] = 0x01;
	refused(&s, &h, "nonce is neither");
	sealed(&h, &s, 0, 1, NULL, 0);
	h.uncles_hash[0] ^= 1;
	refused(&s, &h, "no uncles");
	sealed(&h, &s, 0, 1, NULL, 0);
	h.difficulty[0] = 3;
	refused(&s, &h, "difficulty is neither");
	sealed(&h, &s, 0, 1, NULL, 0);
	h.extra_len = 40;
	refused(&s, &h, "extraData shorter");
}
END_TEST

START_TEST(clique_votes_and_epochs)
{
	static struct clique_snap s;
	static uint8_t enc[CLIQUE_SNAP_MAX], enc2[CLIQUE_SNAP_MAX];
	static struct clique_snap back;
	struct header h;
	const char *why;
	size_t n;

	own_chain(&s);
	/* Signers 1 and 2 vote keys[3] in (2 of 3 > 3/2): it joins. */
	sealed(&h, &s, 1, 2, addrs[3], 1);		/* block 1 */
	ck_assert_msg(clique_snap_apply(&s, &h, NULL, &why), "%s", why);
	ck_assert(!clique_is_signer(&s, addrs[3], NULL));
	ck_assert_uint_eq(s.nvotes, 1);
	sealed(&h, &s, 2, 2, addrs[3], 1);		/* block 2 */
	ck_assert_msg(clique_snap_apply(&s, &h, NULL, &why), "%s", why);
	ck_assert(clique_is_signer(&s, addrs[3], NULL));
	ck_assert_uint_eq(s.nsigners, 4);
	ck_assert_uint_eq(s.nvotes, 0);
	/* A vote to drop, then the snapshot survives encoding. */
	sealed(&h, &s, 3, 2, addrs[0], 0);		/* block 3: 3 % 4 */
	ck_assert_msg(clique_snap_apply(&s, &h, NULL, &why), "%s", why);
	n = clique_snap_encode(enc, &s);
	ck_assert(clique_snap_decode(&back, enc, n, &why));
	ck_assert_uint_eq(clique_snap_encode(enc2, &back), n);
	ck_assert(memcmp(enc, enc2, n) == 0);
	ck_assert_uint_eq(back.nsigners, 4);
	ck_assert_uint_eq(back.nvotes, 1);
	ck_assert(back.votes[0].authorize == 0);
	ck_assert(!clique_snap_decode(&back, enc, n - 1, &why));
	enc[8 + 8 + 32 + 1] = 0x41;		/* more signers than bytes */
	ck_assert(!clique_snap_decode(&back, enc, n, &why));
	/* Blocks 4..9 pass without votes, then epoch block 10. */
	while (s.number < 9) {
		size_t k = (s.number + 1) % s.nsigners;
		sealed(&h, &s, k, 2, NULL, 0);
		ck_assert_msg(clique_snap_apply(&s, &h, NULL, &why), "%s", why);
	}
	ck_assert_uint_eq(s.nvotes, 1);
	sealed(&h, &s, 2, 2, addrs[1], 1);
	refused(&s, &h, "a vote on an epoch block");
	sealed(&h, &s, 2, 2, NULL, 0);
	h.extra[CLIQUE_VANITY] ^= 1;			/* the list, re-sealed */
	{
		uint8_t hash[32], sig[64];
		int recid;

		ck_assert(clique_seal_hash(hash, &h));
		ck_assert(sig_sign(sig, &recid, hash, keys[2]));
		memcpy(h.extra + h.extra_len - CLIQUE_SEAL, sig, 64);
		h.extra[h.extra_len - 1] = (uint8_t)recid;
	}
	refused(&s, &h, "signer list differs");
	sealed(&h, &s, 2, 2, NULL, 0);
	ck_assert_msg(clique_snap_apply(&s, &h, NULL, &why), "%s", why);
	ck_assert_uint_eq(s.nvotes, 0);			/* reset at the epoch */
	/* Outside an epoch block no signer list may appear. */
	sealed(&h, &s, 3, 2, NULL, 0);
	h.extra_len += 20;
	refused(&s, &h, "signer list in extraData outside an epoch block");
}
END_TEST

/* A checkpoint that is not an epoch block needs the signers given. */
START_TEST(clique_checkpoint_signers)
{
	static struct clique_snap s;
	struct header h;
	const char *why;
	json_t *j;

	load(&h, &j, "clique/rinkeby_3.json");
	ck_assert(!clique_snap_init(&s, &h, CLIQUE_EPOCH_DEFAULT, NULL, 0,
	    &why));
	ck_assert(strstr(why, "chain.signers") != NULL);
	json_decref(j);
	make_keys();
	memset(&h, 0, sizeof(h));
	h.extra_len = CLIQUE_VANITY + 2 * 20 + CLIQUE_SEAL;
	memcpy(h.extra + CLIQUE_VANITY, addrs, 2 * 20);
	ck_assert(!clique_snap_init(&s, &h, 10, (const uint8_t (*)[20])addrs,
	    3, &why));
	ck_assert(strstr(why, "differ from those the block lists") != NULL);
	ck_assert(clique_snap_init(&s, &h, 10, (const uint8_t (*)[20])addrs,
	    2, &why));
	ck_assert(clique_snap_init(&s, &h, 10, NULL, 0, &why));
	ck_assert_uint_eq(s.nsigners, 2);
}
END_TEST

static Suite *
clique_suite(void)
{
	Suite *s = suite_create("clique");
	TCase *tc = tcase_create("clique");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, clique_real_seals);
	tcase_add_test(tc, clique_rinkeby_follows);
	tcase_add_test(tc, clique_every_byte_matters);
	tcase_add_test(tc, clique_rules);
	tcase_add_test(tc, clique_votes_and_epochs);
	tcase_add_test(tc, clique_checkpoint_signers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(clique_suite());
}
