/* testutil.h: helpers shared by the Check unit tests. */
#ifndef LICGATE_TESTUTIL_H
#define LICGATE_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <check.h>
#include <jansson.h>

#include "chain/hex.h"
#include "xmalloc.h"

/* Path of a file under tests/data (LICGATE_TESTDATA); caller frees. */
static inline char *
tu_path(const char *rel)
{
	const char *dir = getenv("LICGATE_TESTDATA");

	ck_assert_msg(dir != NULL, "LICGATE_TESTDATA is not set (run via make check)");
	return xasprintf("%s/%s", dir, rel);
}

/* Loads a JSON file under tests/data; fails the test if it cannot. */
static inline json_t *
tu_json(const char *rel)
{
	json_error_t err;
	char *p = tu_path(rel);
	json_t *j = json_load_file(p, JSON_ALLOW_NUL, &err);

	ck_assert_msg(j != NULL, "%s: %s", p, err.text);
	free(p);
	return j;
}

/* Decodes 0x-hex into a new buffer; fails the test on bad hex. */
static inline uint8_t *
tu_hex(const char *s, size_t *len)
{
	uint8_t *out;
	const char *why = NULL;

	ck_assert_msg(hex_decode_alloc(&out, len, s, 1 << 24, &why),
	    "bad hex in test data: %s", why);
	return out;
}

/* s = n - s, 32-byte big-endian numbers: a signature's s in its other
 * form (high for low and back), n being the curve's order. */
static inline void
tu_negate(uint8_t s[32], const uint8_t n[32])
{
	int i, borrow = 0, d;

	for (i = 31; i >= 0; i--) {
		d = n[i] - s[i] - borrow;
		borrow = d < 0;
		s[i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
}

/* Runs a suite and returns the process exit status. */
static inline int
tu_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
