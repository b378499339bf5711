/* tokens.c: see tokens.h; and the default callbacks libsecp256k1 (built
 * with USE_EXTERNAL_DEFAULT_CALLBACKS: no stdio) calls on a misuse. */
#include "board.h"
#include "tokens.h"
#include "verify/lgv.h"

void secp256k1_default_illegal_callback_fn(const char *str, void *data);
void secp256k1_default_error_callback_fn(const char *str, void *data);

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
tokens_same(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b)
		a++, b++;
	return *a == *b;
}

/* noinline: its frame (the token and the claims a device keeps) is part of
 * what the stack meter counts. */
__attribute__((noinline)) static const char *
tokens_verify(const struct vec_token *v, const struct lgv_expect *e)
{
	struct lgv_token t;

	return lgv_result_name(lgv_verify(&t, v->token, v->len, e));
}

int
tokens_check(const struct vec_token *v, size_t n, const struct lgv_expect *e)
{
	size_t i, used, peak = 0;
	uintptr_t mark;
	const char *got;
	int fail = 0;

	for (i = 0; i < n; i++) {
		board_stack_paint();
		mark = board_sp();
		got = tokens_verify(&v[i], e);
		used = board_stack_used(mark);
		peak = used > peak ? used : peak;
		board_puts(v[i].name);
		board_puts(": ");
		board_puts(got);
		board_puts(tokens_same(got, v[i].want) ? " (as the host)\n" :
		    " (NOT as the host)\n");
		fail |= !tokens_same(got, v[i].want);
	}
	board_putkv("stack", (uint32_t)peak);
	return fail;
}
