/* bloom.c: each item sets the bits named by the low 11 bits of the first
 * three byte pairs of its keccak hash (yellow paper, M3:2048). */
#include "config.h"

#include "chain/bloom.h"
#include "chain/hash.h"

static void
bloom_bits(unsigned idx[3], uint8_t mask[3], const uint8_t *data, size_t len)
{
	uint8_t h[32];
	unsigned bit;
	int i;

	keccak256(h, data, len);
	for (i = 0; i < 3; i++) {
		bit = ((unsigned)h[2 * i] << 8 | h[2 * i + 1]) & 2047;
		idx[i] = BLOOM_BYTES - 1 - bit / 8;
		mask[i] = (uint8_t)(1u << (bit % 8));
	}
}

void
bloom_add(uint8_t bloom[BLOOM_BYTES], const uint8_t *data, size_t len)
{
	unsigned idx[3];
	uint8_t mask[3];
	int i;

	bloom_bits(idx, mask, data, len);
	for (i = 0; i < 3; i++)
		bloom[idx[i]] |= mask[i];
}

int
bloom_may_contain(const uint8_t bloom[BLOOM_BYTES], const uint8_t *data,
    size_t len)
{
	unsigned idx[3];
	uint8_t mask[3];
	int i;

	bloom_bits(idx, mask, data, len);
	for (i = 0; i < 3; i++)
		if ((bloom[idx[i]] & mask[i]) == 0)
			return 0;
	return 1;
}

void
bloom_or(uint8_t out[BLOOM_BYTES], const uint8_t in[BLOOM_BYTES])
{
	int i;

	for (i = 0; i < BLOOM_BYTES; i++)
		out[i] |= in[i];
}
