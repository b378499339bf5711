/* merkle.c: RFC 9162's Merkle tree hash, inclusion paths and their check
 * (see merkle.h).  Recursion follows the definition: its depth is the
 * tree's, at most 64. */
#include "config.h"

#include <string.h>

#include <nettle/sha2.h>

#include "merkle.h"

void
merkle_leaf(uint8_t out[32], const uint8_t *data, size_t len)
{
	static const uint8_t zero = 0x00;
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, 1, &zero);
	sha256_update(&c, len, data);
	sha256_digest(&c, 32, out);
}

static void
merkle_node(uint8_t out[32], const uint8_t left[32], const uint8_t right[32])
{
	static const uint8_t one = 0x01;
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, 1, &one);
	sha256_update(&c, 32, left);
	sha256_update(&c, 32, right);
	sha256_digest(&c, 32, out);
}

/* The largest power of two below n (n >= 2): the left subtree's size. */
static size_t
split(size_t n)
{
	size_t k = 1;

	while (k < n - k)
		k <<= 1;
	return k;
}

void
merkle_root(uint8_t out[32], const uint8_t (*leaves)[32], size_t n)
{
	uint8_t l[32], r[32];
	size_t k;

	if (n == 1) {
		memcpy(out, leaves[0], 32);
		return;
	}
	k = split(n);
	merkle_root(l, leaves, k);
	merkle_root(r, leaves + k, n - k);
	merkle_node(out, l, r);
}

size_t
merkle_path(uint8_t (*path)[32], const uint8_t (*leaves)[32], size_t n,
    size_t m)
{
	size_t k, len;

	if (n <= 1)
		return 0;
	k = split(n);
	if (m < k) {
		len = merkle_path(path, leaves, k, m);
		merkle_root(path[len], leaves + k, n - k);
	} else {
		len = merkle_path(path, leaves + k, n - k, m - k);
		merkle_root(path[len], leaves, k);
	}
	return len + 1;
}

int
merkle_verify(const uint8_t root[32], const uint8_t leaf[32], uint64_t m,
    uint64_t n, const uint8_t (*path)[32], size_t npath)
{
	uint64_t fn = m, sn;
	uint8_t r[32];
	size_t i;

	if (n == 0 || m >= n)
		return 0;
	sn = n - 1;
	memcpy(r, leaf, 32);
	for (i = 0; i < npath; i++) {
		if (sn == 0)
			return 0;
		if ((fn & 1) || fn == sn) {
			merkle_node(r, path[i], r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else
			merkle_node(r, r, path[i]);
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(r, root, 32) == 0;
}
