/* check_replay.c: the table of seen nonces behind signed requests: a
 * nonce is answered once while remembered, forgotten only after its
 * window, a full table refuses instead of forgetting, and threads racing
 * with the same nonce get one answer between them. */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "replay.h"
#include "testutil.h"

#define T0 1795560000u

static const uint8_t dev_a[20] = { 0xaa };
static const uint8_t dev_b[20] = { 0xbb };

static enum replay_result
see(struct replay *r, const uint8_t *dev, uint32_t n, uint64_t now)
{
	uint8_t nonce[16] = { 0 };

	memcpy(nonce, &n, sizeof(n));
	return replay_check(r, dev, nonce, sizeof(nonce), now, now, now + 60);
}

START_TEST(once)
{
	struct replay *r = replay_new(1024, T0);

	ck_assert_int_eq(see(r, dev_a, 1, T0), REPLAY_FRESH);
	ck_assert_int_eq(see(r, dev_a, 1, T0), REPLAY_SEEN);
	ck_assert_int_eq(see(r, dev_b, 1, T0), REPLAY_FRESH);
	ck_assert_int_eq(see(r, dev_a, 2, T0), REPLAY_FRESH);
	replay_free(r);
}
END_TEST

/* Remembered through its window's last second, free again after it. */
START_TEST(window)
{
	struct replay *r = replay_new(1024, T0);
	uint8_t nonce[8] = { 7 };

	ck_assert_int_eq(replay_check(r, dev_a, nonce, 8, T0, T0, T0 + 60),
	    REPLAY_FRESH);
	ck_assert_int_eq(replay_check(r, dev_a, nonce, 8, T0, T0 + 60,
	    T0 + 60), REPLAY_SEEN);
	ck_assert_int_eq(replay_check(r, dev_a, nonce, 8, T0 + 61, T0 + 61,
	    T0 + 121), REPLAY_FRESH);
	replay_free(r);
}
END_TEST

/* An earlier run's nonces are gone: anything signed before the start is
 * taken as seen. */
START_TEST(before_start)
{
	struct replay *r = replay_new(1024, T0);
	uint8_t nonce[8] = { 7 };

	ck_assert_int_eq(replay_check(r, dev_a, nonce, 8, T0 - 1, T0, T0 + 59),
	    REPLAY_SEEN);
	ck_assert_int_eq(replay_check(r, dev_a, nonce, 8, T0, T0, T0 + 60),
	    REPLAY_FRESH);
	replay_free(r);
}
END_TEST

/* Eight slots, eight live nonces: the ninth is refused, and every one of
 * the eight is still known; once their window is over there is room. */
START_TEST(full_fails_safe)
{
	struct replay *r = replay_new(8, T0);
	uint32_t i;

	for (i = 0; i < 8; i++)
		ck_assert_int_eq(see(r, dev_a, i, T0), REPLAY_FRESH);
	ck_assert_int_eq(see(r, dev_a, 8, T0), REPLAY_FULL);
	ck_assert_int_eq(see(r, dev_b, 0, T0 + 60), REPLAY_FULL);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(see(r, dev_a, i, T0 + 60), REPLAY_SEEN);
	ck_assert_int_eq(see(r, dev_a, 8, T0 + 61), REPLAY_FRESH);
	ck_assert_int_eq(see(r, dev_a, 8, T0 + 61), REPLAY_SEEN);
	replay_free(r);
}
END_TEST

struct racer {
	struct replay *r;
	unsigned fresh;
};

static void *
race(void *arg)
{
	struct racer *x = arg;
	uint32_t i;

	for (i = 0; i < 2000; i++)
		if (see(x->r, dev_a, i, T0) == REPLAY_FRESH)
			x->fresh++;
	return NULL;
}

/* Four threads sending the same 2000 nonces: 2000 answers in all. */
START_TEST(threads)
{
	struct racer x[4];
	pthread_t t[4];
	struct replay *r = replay_new(65536, T0);
	unsigned i, total = 0;

	for (i = 0; i < 4; i++) {
		x[i].r = r;
		x[i].fresh = 0;
		ck_assert_int_eq(pthread_create(&t[i], NULL, race, &x[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		total += x[i].fresh;
	}
	ck_assert_uint_eq(total, 2000);
	replay_free(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("replay");

	tcase_add_test(tc, once);
	tcase_add_test(tc, window);
	tcase_add_test(tc, before_start);
	tcase_add_test(tc, full_fails_safe);
	tcase_add_test(tc, threads);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
