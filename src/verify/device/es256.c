/* es256.c: the Cortex-M image that verifies licgated's ES256 tokens with
 * lgv_verify, its P-256 check Mbed TLS's (p256_mbedtls.c), and checks each
 * result is the one the host verifier gave (tokens.c); it also prints
 * what the verifications used of Mbed TLS's heap.  The image holds both
 * curves, as lgv.c asks for libsecp256k1 too.  Exit 0 when every result
 * matched. */
#include "board.h"
#include "tokens.h"

#include "mbedtls/memory_buffer_alloc.h"

#ifndef P256_HEAP
#define P256_HEAP 4096
#endif
static unsigned char es256_heap[P256_HEAP];

/* The allocator's first header sits at the start of the buffer; what lies
 * after it is painted so that the highest byte written can be found. */
#define ES256_HEAP_HEAD 64

int
main(void)
{
	int fail;

	mbedtls_memory_buffer_alloc_init(es256_heap, sizeof(es256_heap));
	board_paint(es256_heap + ES256_HEAP_HEAD,
	    sizeof(es256_heap) - ES256_HEAP_HEAD);
	fail = tokens_check(vec_tokens_es256, vec_ntokens_es256,
	    &vec_expect_es256);
	board_putkv("heap", (uint32_t)(ES256_HEAP_HEAD + board_touched(
	    es256_heap + ES256_HEAP_HEAD, sizeof(es256_heap) -
	    ES256_HEAP_HEAD)));
	board_putkv("heap_buffer", (uint32_t)sizeof(es256_heap));
	return fail;
}
