/* es256k.c: the Cortex-M image that verifies licgated's ES256K tokens
 * with lgv_verify (libsecp256k1 cross-built, sha256.c) and checks each
 * result is the one the host verifier gave (tokens.c).  Exit 0 when every
 * result matched. */
#include "tokens.h"

int
main(void)
{
	return tokens_check(vec_tokens, vec_ntokens, &vec_expect);
}
