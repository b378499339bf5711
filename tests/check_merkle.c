/* check_merkle.c: the Merkle tree of install reports against RFC 6962's
 * reference roots (the 8-leaf tree of Certificate Transparency's test
 * data), and every inclusion path of trees of 1 to 40 leaves: each
 * verifies, and none does with one bit changed, one hash short, for
 * another leaf or at another index.  (The tree's size is not bound by a
 * path: a leaf of a full left subtree has the same path in the next size
 * up.  It comes from the anchor's count on chain.) */
#include "config.h"

#include <string.h>

#include "merkle.h"
#include "testutil.h"

static const struct { const uint8_t *p; size_t n; } inputs[8] = {
	{ (const uint8_t *)"", 0 },
	{ (const uint8_t *)"\x00", 1 },
	{ (const uint8_t *)"\x10", 1 },
	{ (const uint8_t *)"\x20\x21", 2 },
	{ (const uint8_t *)"\x30\x31", 2 },
	{ (const uint8_t *)"\x40\x41\x42\x43", 4 },
	{ (const uint8_t *)"\x50\x51\x52\x53\x54\x55\x56\x57", 8 },
	{ (const uint8_t *)"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b"
	    "\x6c\x6d\x6e\x6f", 16 },
};

/* The roots of the first 1..8 of those leaves. */
static const char *const roots[8] = {
	"0x6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"0xfac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"0xaeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"0xd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"0x4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"0x76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"0xddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"0x5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

START_TEST(merkle_reference_roots)
{
	uint8_t leaves[8][32], root[32], want[32];
	const char *why;
	size_t n;

	for (n = 0; n < 8; n++)
		merkle_leaf(leaves[n], inputs[n].p, inputs[n].n);
	for (n = 1; n <= 8; n++) {
		merkle_root(root, (const uint8_t (*)[32])leaves, n);
		ck_assert(hex_decode_fixed(want, 32, roots[n - 1], &why));
		ck_assert_msg(memcmp(root, want, 32) == 0, "root of %zu", n);
	}
}
END_TEST

START_TEST(merkle_every_path)
{
	uint8_t leaves[40][32], root[32], path[MERKLE_MAX_PATH][32];
	uint8_t data[2];
	size_t n, m, len, i;

	for (i = 0; i < 40; i++) {
		data[0] = (uint8_t)i;
		data[1] = 0xa5;
		merkle_leaf(leaves[i], data, sizeof(data));
	}
	for (n = 1; n <= 40; n++) {
		merkle_root(root, (const uint8_t (*)[32])leaves, n);
		for (m = 0; m < n; m++) {
			len = merkle_path(path, (const uint8_t (*)[32])leaves,
			    n, m);
			ck_assert(merkle_verify(root, leaves[m], m, n,
			    (const uint8_t (*)[32])path, len));
			ck_assert(!merkle_verify(root, leaves[m], m + 1, n,
			    (const uint8_t (*)[32])path, len));
			ck_assert(!merkle_verify(root, leaves[(m + 1) % n], m,
			    n, (const uint8_t (*)[32])path, len) || n == 1);
			for (i = 0; i < len; i++) {
				path[i][i % 32] ^= 1;
				ck_assert(!merkle_verify(root, leaves[m], m, n,
				    (const uint8_t (*)[32])path, len));
				path[i][i % 32] ^= 1;
			}
			if (len > 0)
				ck_assert(!merkle_verify(root, leaves[m], m, n,
				    (const uint8_t (*)[32])path, len - 1));
		}
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("merkle");
	TCase *tc = tcase_create("rfc9162");

	tcase_add_test(tc, merkle_reference_roots);
	tcase_add_test(tc, merkle_every_path);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
