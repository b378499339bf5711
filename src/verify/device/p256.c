/* p256.c: the Cortex-M image that checks lgv_p256_verify (p256_mbedtls.c)
 * accepts a P-256 signature made on the host and refuses altered ones, and
 * prints the stack and the heap the verification used.  Exit 0 when every
 * answer was right. */
#include "board.h"
#include "vectors.h"

#include "mbedtls/memory_buffer_alloc.h"

int lgv_p256_verify(const uint8_t *pub, size_t publen, const uint8_t hash[32],
    const uint8_t sig[64]);

/* Mbed TLS's heap; what a verification touches of it is printed, and the
 * size figures count the whole buffer as RAM. */
#ifndef P256_HEAP
#define P256_HEAP 4096
#endif
static unsigned char p256_heap[P256_HEAP];

/* The allocator's first header sits at the start of the buffer; what lies
 * after it is painted so that the highest byte written can be found. */
#define P256_HEAP_HEAD 64

int
main(void)
{
	size_t i, used, peak = 0, heap = 0, h;
	uintptr_t mark;
	int got, fail = 0;

	mbedtls_memory_buffer_alloc_init(p256_heap, sizeof(p256_heap));
	for (i = 0; i < vec_np256; i++) {
		board_paint(p256_heap + P256_HEAP_HEAD,
		    sizeof(p256_heap) - P256_HEAP_HEAD);
		board_stack_paint();
		mark = board_sp();
		got = lgv_p256_verify(vec_p256[i].pub, 65, vec_p256[i].hash,
		    vec_p256[i].sig);
		used = board_stack_used(mark);
		h = P256_HEAP_HEAD + board_touched(p256_heap + P256_HEAP_HEAD,
		    sizeof(p256_heap) - P256_HEAP_HEAD);
		peak = used > peak ? used : peak;
		heap = h > heap ? h : heap;
		board_puts(vec_p256[i].name);
		board_puts(got ? ": valid" : ": refused");
		board_puts(got == vec_p256[i].valid ? " (right)\n" : " (WRONG)\n");
		fail |= got != vec_p256[i].valid;
	}
	board_putkv("stack", (uint32_t)peak);
	board_putkv("heap", (uint32_t)heap);
	board_putkv("heap_buffer", (uint32_t)sizeof(p256_heap));
	return fail;
}
