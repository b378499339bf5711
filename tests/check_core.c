/* check_core.c: hex parsing, Keccak-256, SHA-256, secp256k1 and signed
 * transactions on known answers and real chain data. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "chain/hash.h"
#include "chain/hex.h"
#include "chain/jscan.h"
#include "chain/sig.h"
#include "chain/tx.h"
#include "testutil.h"

static void
assert_hash(const uint8_t h[32], const char *want)
{
	char got[67];

	hex_encode(got, h, 32);
	ck_assert_str_eq(got, want);
}

START_TEST(hex_data_strict)
{
	uint8_t buf[4];
	size_t n;
	const char *why;

	ck_assert(hex_decode(buf, sizeof(buf), &n, "0xdeadBEEF", &why));
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(buf[0], 0xde);
	ck_assert(hex_decode(buf, sizeof(buf), &n, "0x", &why));
	ck_assert_uint_eq(n, 0);
	ck_assert(!hex_decode(buf, sizeof(buf), &n, "deadbeef", &why));
	ck_assert_str_eq(why, "missing 0x prefix");
	ck_assert(!hex_decode(buf, sizeof(buf), &n, "0xabc", &why));
	ck_assert_str_eq(why, "odd number of hex digits");
	ck_assert(!hex_decode(buf, sizeof(buf), &n, "0x0011223344", &why));
	ck_assert_str_eq(why, "hex data too long");
	ck_assert(!hex_decode(buf, sizeof(buf), &n, "0x12g4", &why));
	ck_assert_str_eq(why, "invalid hex digit");
	ck_assert(!hex_decode_fixed(buf, 4, "0x1234", &why));
	ck_assert(!hex_decode(buf, sizeof(buf), &n, NULL, &why));
}
END_TEST

/* Nonces: "0x" optional, and never cut to fit. */
START_TEST(hex_bare)
{
	uint8_t buf[4];
	size_t n;
	const char *why;

	ck_assert(hex_decode_bare(buf, sizeof(buf), &n, "deadbeef", &why));
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(buf[3], 0xef);
	ck_assert(hex_decode_bare(buf, sizeof(buf), &n, "0Xdeadbe", &why));
	ck_assert_uint_eq(n, 3);
	ck_assert(!hex_decode_bare(buf, sizeof(buf), &n, "deadbeef00", &why));
	ck_assert_str_eq(why, "hex data too long");
	ck_assert(!hex_decode_bare(buf, sizeof(buf), &n, "0xdeadbeef00", &why));
	ck_assert(!hex_decode_bare(buf, sizeof(buf), &n, "abc", &why));
	ck_assert(!hex_decode_bare(buf, sizeof(buf), &n, "x0ab", &why));
	ck_assert(!hex_decode_bare(buf, sizeof(buf), &n, NULL, &why));
}
END_TEST

START_TEST(hex_quantities_strict)
{
	uint64_t v;
	uint8_t be[32];
	size_t n;
	const char *why;
	char buf[19];

	ck_assert(hex_quantity_u64(&v, "0x0", &why));
	ck_assert_uint_eq(v, 0);
	ck_assert(hex_quantity_u64(&v, "0x1a", &why));
	ck_assert_uint_eq(v, 26);
	ck_assert(hex_quantity_u64(&v, "0xabc", &why));
	ck_assert_uint_eq(v, 0xabc);
	ck_assert(hex_quantity_u64(&v, "0xffffffffffffffff", &why));
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert(!hex_quantity_u64(&v, "0x10000000000000000", &why));
	ck_assert_str_eq(why, "quantity too large");
	ck_assert(!hex_quantity_u64(&v, "0x", &why));
	ck_assert_str_eq(why, "empty quantity");
	ck_assert(!hex_quantity_u64(&v, "0x0400", &why));
	ck_assert_str_eq(why, "quantity has leading zeros");
	ck_assert(!hex_quantity_u64(&v, "0x00", &why));
	ck_assert(!hex_quantity_u64(&v, "12", &why));
	ck_assert(!hex_quantity_u64(&v, "0x1z", &why));
	ck_assert(hex_quantity_be(be, sizeof(be), &n, "0x0", &why));
	ck_assert_uint_eq(n, 0);
	ck_assert(hex_quantity_be(be, sizeof(be), &n, "0x100", &why));
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(be[0], 1);
	ck_assert_uint_eq(be[1], 0);
	ck_assert_str_eq(hex_format_u64(buf, 0), "0x0");
	ck_assert_str_eq(hex_format_u64(buf, 0xabc), "0xabc");
	ck_assert_str_eq(hex_format_u64(buf, UINT64_MAX), "0xffffffffffffffff");
}
END_TEST

/* The in-place JSON reader: members, raw strings, integers and the text of
 * skipped values, as a receipts answer uses them. */
START_TEST(jscan_reads_in_place)
{
	static const char text[] = " {\"a\" : \"0x01\", \"n\": 18446744073709551615,"
	    " \"neg\": -9223372036854775808, \"skip\": [1, {\"x\": [true, false, null]},"
	    " -0.5e+3, \"\\u00e9\\n\"], \"b\": [] } ";
	struct jscan s;
	const char *k, *v;
	size_t kl, vl;
	uint64_t u = 0;
	int64_t i = 0;
	int members = 0;

	js_init(&s, text, strlen(text));
	ck_assert(js_object(&s));
	while (js_member(&s, &k, &kl)) {
		members++;
		if (js_key_is(k, kl, "a")) {
			ck_assert(js_string(&s, &v, &vl));
			ck_assert_uint_eq(vl, 4);
			ck_assert(memcmp(v, "0x01", 4) == 0);
		} else if (js_key_is(k, kl, "n"))
			ck_assert(js_uint(&s, &u));
		else if (js_key_is(k, kl, "neg"))
			ck_assert(js_int(&s, &i));
		else if (js_key_is(k, kl, "skip")) {
			ck_assert(js_skip(&s, &v, &vl));
			ck_assert_uint_eq(vl, strlen("[1, {\"x\": [true, false, null]},"
			    " -0.5e+3, \"\\u00e9\\n\"]"));
			ck_assert(v[0] == '[' && v[vl - 1] == ']');
		} else {
			ck_assert(js_key_is(k, kl, "b"));
			ck_assert(js_array(&s));
			ck_assert(!js_element(&s));
		}
	}
	ck_assert_ptr_null(s.why);
	ck_assert(js_done(&s));
	ck_assert_int_eq(members, 5);
	ck_assert(u == UINT64_MAX);
	ck_assert(i == INT64_MIN);
}
END_TEST

/* Whatever a node sends is held to JSON's grammar, even where it is only
 * skipped: each of these is refused with a reason, and the good ones pass. */
START_TEST(jscan_grammar)
{
	static const char *const bad[] = {
		"", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{1:2}", "\"a\x01\"",
		"\"\\x\"", "\"\\u12g4\"", "01", "1.", "-", "1e", "tru", "nul",
		"[1", "{\"a\":", "\"abc", "[] []", "[,1]", "'a'", "+1",
	};
	static const char *const good[] = {
		"[]", "{}", "0", "-0", "1.5e-3", "\"\\u00e9\\\"\\/\"", "null",
		" [ { \"a\" : [ ] } , 1 ] ", "true", "false",
	};
	char deep[2 * (JS_MAX_DEPTH + 1) + 1];
	struct jscan s;
	uint64_t u;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		js_init(&s, bad[i], strlen(bad[i]));
		ck_assert_msg(!(js_skip(&s, NULL, NULL) && js_done(&s)),
		    "accepted %s", bad[i]);
		ck_assert_msg(s.why != NULL, "no reason for %s", bad[i]);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		js_init(&s, good[i], strlen(good[i]));
		ck_assert_msg(js_skip(&s, NULL, NULL) && js_done(&s),
		    "refused %s: %s", good[i], s.why);
	}
	/* 64 levels of nesting are read, 65 are not. */
	memset(deep, '[', JS_MAX_DEPTH);
	memset(deep + JS_MAX_DEPTH, ']', JS_MAX_DEPTH);
	js_init(&s, deep, 2 * JS_MAX_DEPTH);
	ck_assert(js_skip(&s, NULL, NULL) && js_done(&s));
	memset(deep, '[', JS_MAX_DEPTH + 1);
	memset(deep + JS_MAX_DEPTH + 1, ']', JS_MAX_DEPTH + 1);
	js_init(&s, deep, 2 * (JS_MAX_DEPTH + 1));
	ck_assert(!js_skip(&s, NULL, NULL));
	ck_assert_str_eq(s.why, "nested too deep");
	/* Integers that do not fit are refused, not wrapped. */
	js_init(&s, "18446744073709551616", 20);
	ck_assert(!js_uint(&s, &u));
	ck_assert_str_eq(s.why, "integer too large");
	js_init(&s, "-1", 2);
	ck_assert(!js_uint(&s, &u));
	js_init(&s, "1.5", 3);
	ck_assert(!js_uint(&s, &u));
}
END_TEST

/* Long strings are read eight bytes at a time: a quote, an escape or a
 * control character is still found wherever it falls in a word. */
START_TEST(jscan_long_strings)
{
	char text[64];
	struct jscan s;
	const char *v;
	size_t k, vl;

	for (k = 1; k < 40; k++) {
		memset(text, 'a', 42);
		text[0] = text[41] = '"';
		text[k] = 0x1f;
		js_init(&s, text, 42);
		ck_assert(!js_string(&s, &v, &vl));
		ck_assert_str_eq(s.why, "control character in a string");
		text[k] = '"';
		js_init(&s, text, 42);
		ck_assert(js_string(&s, &v, &vl));
		ck_assert_uint_eq(vl, k - 1);
		ck_assert(!js_done(&s));
		text[k] = '\\';
		text[k + 1] = 'n';
		js_init(&s, text, 42);
		ck_assert(js_string(&s, &v, &vl));
		ck_assert_uint_eq(vl, 40);
		ck_assert(js_done(&s));
		text[k + 1] = 'x';
		js_init(&s, text, 42);
		ck_assert(!js_string(&s, &v, &vl));
		ck_assert_str_eq(s.why, "bad escape in a string");
	}
	/* Bytes above 0x7f pass as they are. */
	memset(text, 0xe9, 42);
	text[0] = text[41] = '"';
	js_init(&s, text, 42);
	ck_assert(js_string(&s, &v, &vl) && vl == 40);
	/* No closing quote. */
	js_init(&s, text, 41);
	ck_assert(!js_string(&s, &v, &vl));
	ck_assert_str_eq(s.why, "unterminated string");
}
END_TEST

START_TEST(keccak_known_answers)
{
	uint8_t h[32];
	const char *fox = "The quick brown fox jumps over the lazy dog";

	keccak256(h, "", 0);
	assert_hash(h, "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
	keccak256(h, "abc", 3);
	assert_hash(h, "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
	keccak256(h, fox, strlen(fox));
	assert_hash(h, "0x4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
	/* The event signature every ERC-20 uses. */
	keccak256(h, "Transfer(address,address,uint256)", 33);
	assert_hash(h, "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
}
END_TEST

/* Real header RLP (several Keccak blocks each) hashes to the block hash. */
START_TEST(keccak_block_headers)
{
	json_t *index = tu_json("headers/INDEX.json"), *e;
	const char *name;
	uint8_t *rlp, h[32];
	size_t len;
	int count = 0;

	json_object_foreach(index, name, e) {
		rlp = tu_hex(json_string_value(json_object_get(e, "rlp")), &len);
		ck_assert_uint_gt(len, KECCAK256_RATE);
		keccak256(h, rlp, len);
		assert_hash(h, json_string_value(json_object_get(e, "hash")));
		free(rlp);
		count++;
	}
	ck_assert_int_ge(count, 24);
	json_decref(index);
}
END_TEST

/* Feeding the same bytes in pieces of every size gives the same digest. */
START_TEST(keccak_incremental)
{
	uint8_t data[700], one[32], inc[32];
	struct keccak_ctx ctx;
	size_t step, off;

	for (off = 0; off < sizeof(data); off++)
		data[off] = (uint8_t)(off * 7 + 3);
	keccak256(one, data, sizeof(data));
	for (step = 1; step <= 300; step += 7) {
		keccak256_init(&ctx);
		for (off = 0; off < sizeof(data); off += step)
			keccak256_update(&ctx, data + off,
			    off + step > sizeof(data) ? sizeof(data) - off : step);
		keccak256_final(&ctx, inc);
		ck_assert_mem_eq(one, inc, 32);
	}
}
END_TEST

START_TEST(sha256_known_answers)
{
	uint8_t h[32];

	sha256(h, "abc", 3);
	assert_hash(h, "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256(h, "", 0);
	assert_hash(h, "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

static void
assert_addr(const uint8_t a[20], const char *want)
{
	char got[43];

	hex_encode(got, a, 20);
	ck_assert_str_eq(got, want);
}

START_TEST(sig_addresses)
{
	uint8_t key[32] = { 0 }, pub[65], pubc[33], addr[20];
	size_t n;
	const char *why;

	key[31] = 1;
	ck_assert(sig_pubkey_create(pub, 65, key));
	ck_assert(sig_pubkey_to_address(addr, pub, 65));
	assert_addr(addr, "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf");
	ck_assert(sig_pubkey_create(pubc, 33, key));
	ck_assert(sig_pubkey_to_address(addr, pubc, 33));
	assert_addr(addr, "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf");
	ck_assert(sig_pubkey_to_address(addr, pub + 1, 64));
	assert_addr(addr, "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf");
	ck_assert(hex_decode(key, 32, &n,
	    "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318", &why));
	ck_assert(sig_pubkey_create(pub, 65, key));
	ck_assert(sig_pubkey_to_address(addr, pub, 65));
	assert_addr(addr, "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23");
	ck_assert(!sig_pubkey_to_address(addr, pub, 20));
	pub[10] ^= 1;	/* no longer on the curve */
	ck_assert(!sig_pubkey_to_address(addr, pub, 65));
}
END_TEST

/* s' = n - s: the same signature in its high-S form. */
static void
negate_s(uint8_t s[32])
{
	static const uint8_t n[32] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
		0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b,
		0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41 };

	tu_negate(s, n);
}

START_TEST(sig_sign_verify_recover)
{
	uint8_t key[32], pub[33], addr[20], rec[20], hash[32], sig[65];
	int recid;

	ck_assert(sig_keygen(key));
	ck_assert(sig_pubkey_create(pub, 33, key));
	ck_assert(sig_pubkey_to_address(addr, pub, 33));
	sha256(hash, "licgate", 7);
	ck_assert(sig_sign(sig, &recid, hash, key));
	sig[64] = (uint8_t)recid;
	ck_assert(sig_verify(sig, hash, pub, 33));
	ck_assert(sig_recover(rec, hash, sig, 1));
	ck_assert_mem_eq(rec, addr, 20);
	sig[64] = (uint8_t)(recid + 27);
	ck_assert(sig_recover(rec, hash, sig, 1));
	ck_assert_mem_eq(rec, addr, 20);
	/* Another message: verification fails, recovery names someone else. */
	hash[0] ^= 1;
	ck_assert(!sig_verify(sig, hash, pub, 33));
	ck_assert(sig_recover(rec, hash, sig, 1));
	ck_assert_mem_ne(rec, addr, 20);
	hash[0] ^= 1;
	/* The high-S twin is refused where low S is required. */
	negate_s(sig + 32);
	sig[64] = (uint8_t)(recid ^ 1);
	ck_assert(!sig_verify(sig, hash, pub, 33));
	ck_assert(!sig_recover(rec, hash, sig, 1));
	ck_assert(sig_recover(rec, hash, sig, 0));
	ck_assert_mem_eq(rec, addr, 20);
	sig[64] = 2;
	ck_assert(!sig_recover(rec, hash, sig, 0));
}
END_TEST

static void
random_bytes(uint8_t *p, size_t n)
{
	ck_assert_int_eq(getrandom(p, n, 0), (ssize_t)n);
}

/* sig_sign's nonces are libsecp256k1's own: for every seeding the library
 * offers (extra data, algorithm tag, both, neither) and for retries after
 * an unusable k (counter > 0), which no real key and message reach. */
START_TEST(sig_nonce_is_libsecp256k1s)
{
	uint8_t key[32], msg[32], data[32], algo[16], ours[32], theirs[32];
	unsigned int counter;
	int i, form;

	for (i = 0; i < 200; i++) {
		random_bytes(key, 32);
		random_bytes(msg, 32);
		random_bytes(data, 32);
		random_bytes(algo, 16);
		for (form = 0; form < 4; form++)
			for (counter = 0; counter < 4; counter++) {
				void *d = form & 1 ? data : NULL;
				uint8_t *a = form & 2 ? algo : NULL;

				ck_assert(sig_nonce_rfc6979(ours, msg, key,
				    a, d, counter));
				ck_assert(secp256k1_nonce_function_rfc6979(
				    theirs, msg, key, a, d, counter));
				ck_assert_mem_eq(ours, theirs, 32);
			}
	}
	/* The published secp256k1 RFC 6979 vector: key 1, SHA-256 of
	 * "Satoshi Nakamoto". */
	memset(key, 0, 32);
	key[31] = 1;
	sha256(msg, "Satoshi Nakamoto", 16);
	ck_assert(sig_nonce_rfc6979(ours, msg, key, NULL, NULL, 0));
	assert_hash(ours, "0x8f8a276c19f4149656b280621e358cce"
	    "24f5f52542772691ee69063b74f15d15");
}
END_TEST

/* And so its signatures are the library's default ones, bit for bit. */
START_TEST(sig_sign_is_libsecp256k1s)
{
	secp256k1_context *ctx = secp256k1_context_create(
	    SECP256K1_CONTEXT_SIGN);
	secp256k1_ecdsa_recoverable_signature rs;
	uint8_t key[32], hash[32], ours[64], theirs[64];
	int i, recid, id;

	for (i = 0; i < 500; i++) {
		ck_assert(sig_keygen(key));
		random_bytes(hash, 32);
		ck_assert(sig_sign(ours, &recid, hash, key));
		ck_assert(secp256k1_ecdsa_sign_recoverable(ctx, &rs, hash, key,
		    NULL, NULL));
		secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx,
		    theirs, &id, &rs);
		ck_assert_mem_eq(ours, theirs, 64);
		ck_assert_int_eq(recid, id);
	}
	secp256k1_context_destroy(ctx);
}
END_TEST

/* Signs t with EIP-155's example key and compares the raw bytes and the
 * hash with want_raw and want_hash. */
static void
assert_signed(const struct tx *t, const char *want_raw, const char *want_hash)
{
	uint8_t key[32], hash[32], *raw, *want;
	size_t len, wlen;
	const char *why;

	ck_assert(hex_decode_fixed(key, 32, "0x46464646464646464646464646464646"
	    "46464646464646464646464646464646", &why));
	ck_assert(hex_decode_alloc(&want, &wlen, want_raw, 4096, &why));
	ck_assert_msg(tx_sign(&raw, &len, hash, t, key, &why), "%s", why);
	ck_assert_uint_eq(len, wlen);
	ck_assert_mem_eq(raw, want, len);
	assert_hash(hash, want_hash);
	free(raw);
	free(want);
}

/* EIP-155's own example transaction, byte for byte. */
START_TEST(tx_legacy_eip155_example)
{
	struct tx t = { .type = TX_LEGACY, .chain_id = 1, .nonce = 9,
	    .gas_limit = 21000, .gas_price = 20000000000ULL,
	    .value = 1000000000000000000ULL };
	const char *why;

	ck_assert(hex_decode_fixed(t.to, 20,
	    "0x3535353535353535353535353535353535353535", &why));
	assert_signed(&t, "0xf86c098504a817c800825208943535353535353535353535"
	    "353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe5375"
	    "67866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb70330"
	    "4b3800ccf555c9f3dc64214b297fb1966a3b6d83",
	    "0x33469b22e9f636356c4160a87eb19df52b7412e8eac32a4a55ffe88ea8350788");
}
END_TEST

/* An EIP-1559 call as ethers 6.17.0's Wallet.signTransaction signs it
 * (the same key, chain 31337, nonce 7, fees 1 and 3 gwei, 60,000 gas,
 * data 0xdeadbeef00). */
START_TEST(tx_eip1559_as_ethers)
{
	static const uint8_t data[] = { 0xde, 0xad, 0xbe, 0xef, 0x00 };
	struct tx t = { .type = TX_EIP1559, .chain_id = 31337, .nonce = 7,
	    .gas_limit = 60000, .max_priority_fee = 1000000000,
	    .max_fee = 3000000000ULL, .data = data, .data_len = sizeof(data) };
	const char *why;

	ck_assert(hex_decode_fixed(t.to, 20,
	    "0x5fbdb2315678afecb367f032d93f642f64180aa3", &why));
	assert_signed(&t, "0x02f871827a6907843b9aca0084b2d05e0082ea60945fbdb2"
	    "315678afecb367f032d93f642f64180aa38085deadbeef00c001a035170ad916bd"
	    "f2c50c6d47444e4c4d375bbe2e71edcc8d2f15b875e03e97cb4aa03cb960d5a0"
	    "62f343472bfedfadfade6df2aa0a883160dc5a42816eb015d1774e",
	    "0xaf2669b69a8cc5867487cb01a989739463bba227d38ba27a3fdbf63f46b958b4");
}
END_TEST

/* A real Clique seal (Goerli block 1) recovers to the genesis signer. */
START_TEST(sig_recover_goerli_seal)
{
	json_t *j = tu_json("clique/goerli_1.json");
	json_t *hdr = json_object_get(j, "header");
	uint8_t *extra, hash[32], addr[20];
	size_t n;
	const char *why;

	extra = tu_hex(json_string_value(json_object_get(hdr, "extraData")), &n);
	ck_assert_uint_ge(n, 65);
	ck_assert(hex_decode_fixed(hash, 32,
	    json_string_value(json_object_get(j, "expectedSealHash")), &why));
	ck_assert(sig_recover(addr, hash, extra + n - 65, 0));
	assert_addr(addr, json_string_value(json_object_get(j, "expectedSigner")));
	free(extra);
	json_decref(j);
}
END_TEST

static Suite *
core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, hex_data_strict);
	tcase_add_test(tc, hex_bare);
	tcase_add_test(tc, hex_quantities_strict);
	tcase_add_test(tc, jscan_reads_in_place);
	tcase_add_test(tc, jscan_grammar);
	tcase_add_test(tc, jscan_long_strings);
	tcase_add_test(tc, keccak_known_answers);
	tcase_add_test(tc, keccak_block_headers);
	tcase_add_test(tc, keccak_incremental);
	tcase_add_test(tc, sha256_known_answers);
	tcase_add_test(tc, sig_addresses);
	tcase_add_test(tc, sig_sign_verify_recover);
	tcase_add_test(tc, sig_nonce_is_libsecp256k1s);
	tcase_add_test(tc, sig_sign_is_libsecp256k1s);
	tcase_add_test(tc, sig_recover_goerli_seal);
	tcase_add_test(tc, tx_legacy_eip155_example);
	tcase_add_test(tc, tx_eip1559_as_ethers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(core_suite());
}
