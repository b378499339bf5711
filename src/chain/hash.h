/* hash.h: Keccak-256 (Ethereum's, with the original 0x01 padding) and SHA-256. */
#ifndef LICGATE_HASH_H
#define LICGATE_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/sha3.h>

#define KECCAK256_RATE 136

/* Incremental Keccak-256 on nettle's Keccak-f[1600]. */
struct keccak_ctx {
	struct sha3_state state;
	uint8_t block[KECCAK256_RATE];
	size_t used;
};

void keccak256_init(struct keccak_ctx *ctx);
void keccak256_update(struct keccak_ctx *ctx, const void *data, size_t len);
/* Writes the digest and leaves ctx unusable until keccak256_init. */
void keccak256_final(struct keccak_ctx *ctx, uint8_t out[32]);

/* One-shot Keccak-256 of len bytes. */
void keccak256(uint8_t out[32], const void *data, size_t len);

/* One-shot SHA-256 (nettle). */
void sha256(uint8_t out[32], const void *data, size_t len);

#endif
