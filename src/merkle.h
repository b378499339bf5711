/* merkle.h: the Merkle tree of a batch of devices' install reports, as
 * RFC 9162 (Certificate Transparency 2.0), section 2.1, defines it with
 * SHA-256: leaves hashed as SHA-256(0x00 || report), nodes as
 * SHA-256(0x01 || left || right), the left subtree of n leaves holding the
 * largest power of two below n.  Any RFC 9162 (or RFC 6962) verifier
 * checks licgate's inclusion proofs as they are. */
#ifndef LICGATE_MERKLE_H
#define LICGATE_MERKLE_H

#include <stddef.h>
#include <stdint.h>

/* An inclusion path is at most this long (a tree of 2^64 leaves). */
#define MERKLE_MAX_PATH 64

/* The leaf hash of data. */
void merkle_leaf(uint8_t out[32], const uint8_t *data, size_t len);

/* The root of n >= 1 leaf hashes. */
void merkle_root(uint8_t out[32], const uint8_t (*leaves)[32], size_t n);

/* The inclusion path of leaf m (0-based) of n into path (MERKLE_MAX_PATH
 * entries), from the leaf up; returns its length.  m < n. */
size_t merkle_path(uint8_t (*path)[32], const uint8_t (*leaves)[32],
    size_t n, size_t m);

/* Whether path shows leaf (a leaf hash) at index m of a tree of n leaves
 * whose root is root (RFC 9162, 2.1.3.2).  Returns 1 or 0. */
int merkle_verify(const uint8_t root[32], const uint8_t leaf[32], uint64_t m,
    uint64_t n, const uint8_t (*path)[32], size_t npath);

#endif
