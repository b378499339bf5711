/* bytes.h: the big-endian integers of the engines' saved states. */
#ifndef LICGATE_ENGINE_BYTES_H
#define LICGATE_ENGINE_BYTES_H

#include <stdint.h>

/* Writes v as 8 bytes at p; returns the byte after them. */
static inline uint8_t *
bytes_put_u64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--)
		*p++ = (uint8_t)(v >> (8 * i));
	return p;
}

/* Reads 8 bytes at p into *v; returns the byte after them. */
static inline const uint8_t *
bytes_get_u64(uint64_t *v, const uint8_t *p)
{
	int i;

	*v = 0;
	for (i = 0; i < 8; i++)
		*v = *v << 8 | *p++;
	return p;
}

#endif
