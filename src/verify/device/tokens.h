/* tokens.h: the loop both token images (es256k.c, es256.c) run: each
 * token verified with lgv_verify under the pins, its result compared with
 * the host verifier's, and the peak stack a verification used. */
#ifndef TOKENS_H
#define TOKENS_H

#include <stddef.h>

#include "vectors.h"

/* Verifies v[0..n) under e, printing "NAME: RESULT (as the host)" or
 * "(NOT as the host)" for each and then "stack N"; returns 0 when every
 * result was the host's. */
int tokens_check(const struct vec_token *v, size_t n,
    const struct lgv_expect *e);

#endif
