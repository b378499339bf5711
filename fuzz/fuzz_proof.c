/* fuzz_proof: the proof walker on arbitrary nodes.  Input: root (32), key
 * (32), then nodes as [2-byte big-endian length][bytes].  Whatever verifies
 * must start from a node that hashes to the root. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "chain/hash.h"
#include "chain/proof.h"
#include "chain/trie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proof_nodes nodes;
	const uint8_t *val, *root = data, *key = data + 32;
	size_t vlen, off = 64, len;
	uint8_t h[32];
	const char *why;
	int found;

	if (size < 64)
		return 0;
	nodes.n = 0;
	while (off + 2 <= size && nodes.n < PROOF_MAX_NODES) {
		len = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (len > size - off)
			len = size - off;
		nodes.node[nodes.n] = (uint8_t *)(uintptr_t)(data + off);
		nodes.len[nodes.n++] = len;
		off += len;
	}
	if (!proof_lookup(&val, &vlen, &found, root, key, &nodes, &why))
		return 0;
	if (memcmp(root, trie_empty_root, 32) != 0) {
		keccak256(h, nodes.node[0], nodes.len[0]);
		if (nodes.n == 0 || memcmp(h, root, 32) != 0)
			abort();
	}
	return 0;
}
