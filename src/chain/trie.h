/* trie.h: Merkle-Patricia trie roots, as Ethereum commits to transactions,
 * receipts, state and storage. */
#ifndef LICGATE_TRIE_H
#define LICGATE_TRIE_H

#include <stddef.h>
#include <stdint.h>

/* Root of the empty trie: keccak256(rlp("")). */
extern const uint8_t trie_empty_root[32];

/* A key/value map whose root can be computed.  Keys and values are copied. */
struct trie;

struct trie *trie_new(void);
void trie_free(struct trie *t);

/* Sets key to value; an empty value deletes the key (as in ethereum/tests). */
void trie_put(struct trie *t, const uint8_t *key, size_t klen,
    const uint8_t *val, size_t vlen);

/* Writes the root hash of the current contents. */
void trie_root(struct trie *t, uint8_t out[32]);

/* Root of the trie mapping rlp(i) to vals[i] for i < n: the layout of a
 * block's transactions and receipts tries. */
void trie_ordered_root(uint8_t out[32], const uint8_t *const *vals,
    const size_t *lens, size_t n);

#endif
