/* bloom.h: the 2048-bit logs bloom of headers and receipts. */
#ifndef LICGATE_BLOOM_H
#define LICGATE_BLOOM_H

#include <stddef.h>
#include <stdint.h>

#define BLOOM_BYTES 256

/* Sets the three bits keccak256(data) selects. */
void bloom_add(uint8_t bloom[BLOOM_BYTES], const uint8_t *data, size_t len);

/* 1 when all three bits of data are set: the bloom may contain it.  0 means
 * it certainly does not (no log with that address or topic). */
int bloom_may_contain(const uint8_t bloom[BLOOM_BYTES], const uint8_t *data,
    size_t len);

/* out |= in. */
void bloom_or(uint8_t out[BLOOM_BYTES], const uint8_t in[BLOOM_BYTES]);

#endif
