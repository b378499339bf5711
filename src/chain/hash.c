/* hash.c: Keccak-256 is SHA3-256 with 0x01 instead of 0x06 as the first
 * padding byte, so it runs on nettle's exported permutation. */
#include "config.h"

#include <string.h>

#include <nettle/sha2.h>

#include "chain/hash.h"

static inline uint64_t
load_le64(const uint8_t *p)
{
	uint64_t v;

#ifdef WORDS_BIGENDIAN
	v = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	    (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
#else
	memcpy(&v, p, 8);
#endif
	return v;
}

/* XORs one rate-sized block into the state and permutes. */
static void
keccak_absorb(struct sha3_state *st, const uint8_t *block)
{
	int i;

	for (i = 0; i < KECCAK256_RATE / 8; i++)
		st->a[i] ^= load_le64(block + 8 * i);
	nettle_sha3_permute(st);
}

void
keccak256_init(struct keccak_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
}

void
keccak256_update(struct keccak_ctx *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t take;

	if (ctx->used) {
		take = KECCAK256_RATE - ctx->used;
		if (take > len)
			take = len;
		memcpy(ctx->block + ctx->used, p, take);
		ctx->used += take;
		p += take;
		len -= take;
		if (ctx->used < KECCAK256_RATE)
			return;
		keccak_absorb(&ctx->state, ctx->block);
		ctx->used = 0;
	}
	for (; len >= KECCAK256_RATE; p += KECCAK256_RATE, len -= KECCAK256_RATE)
		keccak_absorb(&ctx->state, p);
	memcpy(ctx->block, p, len);
	ctx->used = len;
}

void
keccak256_final(struct keccak_ctx *ctx, uint8_t out[32])
{
	int i, j;

	memset(ctx->block + ctx->used, 0, KECCAK256_RATE - ctx->used);
	ctx->block[ctx->used] ^= 0x01;
	ctx->block[KECCAK256_RATE - 1] ^= 0x80;
	keccak_absorb(&ctx->state, ctx->block);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 8; j++)
			out[8 * i + j] = (uint8_t)(ctx->state.a[i] >> (8 * j));
}

void
keccak256(uint8_t out[32], const void *data, size_t len)
{
	struct keccak_ctx ctx;

	keccak256_init(&ctx);
	keccak256_update(&ctx, data, len);
	keccak256_final(&ctx, out);
}

void
sha256(uint8_t out[32], const void *data, size_t len)
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}
