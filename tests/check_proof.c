/* check_proof.c: every real eth_getProof answer verifies, and every lie about
 * it (claims, values, nodes) fails. */
#include "config.h"

#include <string.h>

#include "chain/hash.h"
#include "chain/header.h"
#include "chain/proof.h"
#include "chain/trie.h"
#include "testutil.h"

/* file, account present?, storage slots present, absent */
static const struct {
	const char *file;
	int account;
	size_t present, absent;
} cases[] = {
	{ "proofs/goerli_1539938_storage_empty.json", 1, 0, 1 },
	{ "proofs/goerli_9912897_storage.json", 1, 1, 0 },
	{ "proofs/mainnet_10317807_weth_storage.json", 1, 1, 0 },
	{ "proofs/mainnet_21925176_deposit_contract.json", 1, 1, 0 },
	{ "proofs/mainnet_21925176_eoa.json", 1, 0, 0 },
	{ "proofs/mainnet_6992814_account.json", 1, 0, 0 },
	{ "proofs/mainnet_8040610_storage_multi.json", 1, 7, 2 },
	{ "proofs/mainnet_8798975_absent_account.json", 0, 0, 0 },
	{ "proofs/mainnet_9208025_storage_zero.json", 1, 0, 1 },
	{ "proofs/sepolia_3445383_contract.json", 1, 0, 0 },
	{ "proofs/sepolia_3445383_eoa.json", 1, 0, 0 },
	{ "proofs/testchain_54_storage.json", 1, 1, 0 },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void
load(struct header *h, struct eth_proof *p, const char *file)
{
	json_t *j = tu_json(file);
	struct jerr e;
	uint8_t hash[32];

	ck_assert_msg(header_from_json(h, json_object_get(j, "header"),
	    "$.header", &e), "%s: %s", e.path, e.why);
	header_hash(hash, h);
	ck_assert_mem_eq(hash, h->claimed_hash, 32);
	ck_assert_msg(proof_from_json(p, json_object_get(j, "proof"), "$.proof",
	    &e), "%s: %s: %s", file, e.path, e.why);
	json_decref(j);
}

/* 1 when the account and every slot verify. */
static int
all_verify(const struct eth_proof *p, const uint8_t root[32], int *exists,
    size_t *present)
{
	const char *why;
	size_t i;
	int ex;

	*present = 0;
	if (!proof_verify_account(exists, p, root, &why))
		return 0;
	for (i = 0; i < p->nslots; i++) {
		if (!proof_verify_slot(&ex, &p->slots[i], p->storage_hash, &why))
			return 0;
		*present += ex;
	}
	return 1;
}

START_TEST(proof_real_answers)
{
	static struct header h;
	struct eth_proof p;
	size_t present;
	int exists;

	load(&h, &p, cases[_i].file);
	ck_assert_msg(all_verify(&p, h.state_root, &exists, &present), "%s",
	    cases[_i].file);
	ck_assert_int_eq(exists, cases[_i].account);
	ck_assert_uint_eq(present, cases[_i].present);
	ck_assert_uint_eq(p.nslots - present, cases[_i].absent);
	proof_free(&p);
}
END_TEST

static int
still_verifies(const struct eth_proof *p, const uint8_t root[32])
{
	size_t present;
	int exists;

	return all_verify(p, root, &exists, &present);
}

/* Changed claims: balance, nonce, storageHash, codeHash, address. */
START_TEST(proof_claims_lies)
{
	static struct header h;
	struct eth_proof p;

	load(&h, &p, cases[_i].file);
	if (p.balance_len == 0)
		p.balance[p.balance_len++] = 1;
	else
		p.balance[p.balance_len - 1] ^= 1;
	ck_assert_msg(!still_verifies(&p, h.state_root), "balance: %s", cases[_i].file);
	proof_free(&p);
	load(&h, &p, cases[_i].file);
	p.nonce++;
	ck_assert(!still_verifies(&p, h.state_root));
	p.nonce--;
	p.storage_hash[5] ^= 1;
	ck_assert(!still_verifies(&p, h.state_root));
	p.storage_hash[5] ^= 1;
	p.code_hash[31] ^= 1;
	ck_assert(!still_verifies(&p, h.state_root));
	p.code_hash[31] ^= 1;
	p.address[0] ^= 1;
	ck_assert(!still_verifies(&p, h.state_root));
	p.address[0] ^= 1;
	h.state_root[0] ^= 1;
	ck_assert(!still_verifies(&p, h.state_root));
	h.state_root[0] ^= 1;
	ck_assert(still_verifies(&p, h.state_root));
	proof_free(&p);
}
END_TEST

/* Any changed storage value fails, zero or not. */
START_TEST(proof_value_lies)
{
	static struct header h;
	struct eth_proof p;
	struct storage_proof *s;
	const char *why;
	size_t i;
	int ex;

	load(&h, &p, cases[_i].file);
	for (i = 0; i < p.nslots; i++) {
		s = &p.slots[i];
		if (s->value_len == 0) {
			s->value[0] = 1;
			s->value_len = 1;
			ck_assert(!proof_verify_slot(&ex, s, p.storage_hash, &why));
			ck_assert(strstr(why, "value mismatch") != NULL);
			s->value_len = 0;
		} else {
			s->value[s->value_len - 1] ^= 0x40;
			ck_assert(!proof_verify_slot(&ex, s, p.storage_hash, &why));
			s->value[s->value_len - 1] ^= 0x40;
			s->key[31] ^= 1;	/* another slot */
			ck_assert(!proof_verify_slot(&ex, s, p.storage_hash, &why));
			s->key[31] ^= 1;
		}
		ck_assert(proof_verify_slot(&ex, s, p.storage_hash, &why));
	}
	proof_free(&p);
}
END_TEST

/* A flipped byte in any node, a dropped node, a node from elsewhere. */
static void
node_lies(struct proof_nodes *n, const uint8_t root[32],
    const struct eth_proof *p, int account, size_t slot)
{
	const char *why;
	uint8_t *saved;
	size_t i, pos, len;
	int ex;
	struct storage_proof *s = account ? NULL : &p->slots[slot];

#define VERIFIES() (account ? proof_verify_account(&ex, p, root, &why) : \
	proof_verify_slot(&ex, s, root, &why))
	for (i = 0; i < n->n; i++) {
		for (pos = 0; pos < n->len[i]; pos += 1 + n->len[i] / 5) {
			n->node[i][pos] ^= 0x01;
			ck_assert_msg(!VERIFIES(), "node %zu byte %zu", i, pos);
			n->node[i][pos] ^= 0x01;
		}
	}
	if (n->n == 0)
		return;
	/* Dropping the last node breaks the proof, except for the empty trie,
	 * which needs no node at all. */
	n->n--;
	ck_assert(memcmp(root, trie_empty_root, 32) == 0 ? VERIFIES() : !VERIFIES());
	n->n++;
	saved = n->node[0];		/* a node of another proof */
	len = n->len[0];
	n->node[0] = (uint8_t *)"\xc2\x80\x80";
	n->len[0] = 3;
	ck_assert(!VERIFIES());
	n->node[0] = saved;
	n->len[0] = len;
	ck_assert(VERIFIES());
#undef VERIFIES
}

START_TEST(proof_node_lies)
{
	static struct header h;
	struct eth_proof p;
	size_t i;

	load(&h, &p, cases[_i].file);
	node_lies(&p.account, h.state_root, &p, 1, 0);
	for (i = 0; i < p.nslots; i++)
		node_lies(&p.slots[i].nodes, p.storage_hash, &p, 0, i);
	proof_free(&p);
}
END_TEST

/* An extra unused node is refused even when the rest is right. */
START_TEST(proof_extra_node)
{
	static struct header h;
	struct eth_proof p;
	const char *why;
	int ex;

	load(&h, &p, "proofs/mainnet_6992814_account.json");
	p.account.node[p.account.n] = (uint8_t *)xstrdup("\x80");
	p.account.len[p.account.n++] = 1;
	ck_assert(!proof_verify_account(&ex, &p, h.state_root, &why));
	ck_assert_str_eq(why, "proof: has nodes the walk does not use");
	proof_free(&p);
}
END_TEST

START_TEST(proof_json_errors)
{
	json_t *j = tu_json("proofs/mainnet_8040610_storage_multi.json");
	json_t *pj = json_object_get(j, "proof");
	json_t *s0 = json_array_get(json_object_get(pj, "storageProof"), 0);
	struct eth_proof p;
	struct jerr e;

	/* Unpadded keys are read as slots: 0x0 is slot zero. */
	ck_assert(proof_from_json(&p, pj, "$.proof", &e));
	ck_assert_uint_eq(p.slots[0].key[31], 0);
	proof_free(&p);
	json_object_set_new(s0, "value", json_string("0x00"));
	ck_assert(!proof_from_json(&p, pj, "$.proof", &e));
	ck_assert_str_eq(e.path, "$.proof.storageProof[0].value");
	json_object_set_new(s0, "value", json_string("0x1"));
	json_object_set_new(s0, "key", json_string("0x" "00000000000000000000000000000000"
	    "000000000000000000000000000000000"));
	ck_assert(!proof_from_json(&p, pj, "$.proof", &e));
	ck_assert_str_eq(e.path, "$.proof.storageProof[0].key");
	json_object_set_new(pj, "accountProof", json_string("0x"));
	ck_assert(!proof_from_json(&p, pj, "$.proof", &e));
	ck_assert_str_eq(e.path, "$.proof.accountProof");
	ck_assert_str_eq(e.why, "not an array");
	json_decref(j);
}
END_TEST

static Suite *
proof_suite(void)
{
	Suite *s = suite_create("proof");
	TCase *tc = tcase_create("proof");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, proof_real_answers, 0, NCASES);
	tcase_add_loop_test(tc, proof_claims_lies, 0, NCASES);
	tcase_add_loop_test(tc, proof_value_lies, 0, NCASES);
	tcase_add_loop_test(tc, proof_node_lies, 0, NCASES);
	tcase_add_test(tc, proof_extra_node);
	tcase_add_test(tc, proof_json_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(proof_suite());
}
