/* es256k.c: the Cortex-M image that verifies licgated's tokens with
 * lgv_verify (libsecp256k1 cross-built, sha256.c), checks each result is
 * the one the host verifier gave, and prints the stack each call used.
 * Exit 0 when every result matched. */
#include "board.h"
#include "vectors.h"
#include "verify/lgv.h"

void secp256k1_default_illegal_callback_fn(const char *str, void *data);
void secp256k1_default_error_callback_fn(const char *str, void *data);

/* libsecp256k1 built with USE_EXTERNAL_DEFAULT_CALLBACKS: no stdio. */
void
secp256k1_default_illegal_callback_fn(const char *str, void *data)
{
	(void)data;
	board_puts("secp256k1 illegal argument: ");
	board_puts(str);
	board_exit(98);
}

void
secp256k1_default_error_callback_fn(const char *str, void *data)
{
	(void)data;
	board_puts("secp256k1 error: ");
	board_puts(str);
	board_exit(98);
}

static int
es256k_same(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b)
		a++, b++;
	return *a == *b;
}

/* noinline: its frame (the token and the claims a device keeps) is part of
 * what the stack meter counts. */
__attribute__((noinline)) static const char *
es256k_verify(const struct vec_token *v)
{
	struct lgv_token t;

	return lgv_result_name(lgv_verify(&t, v->token, v->len, &vec_expect));
}

int
main(void)
{
	size_t i, used, peak = 0;
	uintptr_t mark;
	const char *got;
	int fail = 0;

	for (i = 0; i < vec_ntokens; i++) {
		board_stack_paint();
		mark = board_sp();
		got = es256k_verify(&vec_tokens[i]);
		used = board_stack_used(mark);
		peak = used > peak ? used : peak;
		board_puts(vec_tokens[i].name);
		board_puts(": ");
		board_puts(got);
		board_puts(es256k_same(got, vec_tokens[i].want) ? " (as the host)\n" :
		    " (NOT as the host)\n");
		fail |= !es256k_same(got, vec_tokens[i].want);
	}
	board_putkv("stack", (uint32_t)peak);
	return fail;
}
