/* signrate.c: the raw libsecp256k1 signing rate on this machine, the
 * yardstick of nonce attestations in bench/serve.sh: SHA-256 and one ECDSA
 * signature per iteration, made by the library with its default RFC 6979
 * nonces, for about two seconds on THREADS threads at once (default: one
 * per CPU, as licgated's http.threads = 0).  Then, on one thread, the same
 * through licgated's sig_sign, which makes the same signatures with the
 * nonce hashed by nettle.  Prints the raw rate of all threads together and
 * of one, and sig_sign's.  Usage: signrate [THREADS] */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "chain/hash.h"
#include "chain/sig.h"

#define MAX_THREADS 64

struct worker {
	pthread_t t;
	int raw;
	unsigned long n;
	double secs;
	int failed;
};

static secp256k1_context *ctx;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
sign_raw(uint8_t sig[64], const uint8_t h[32], const uint8_t key[32])
{
	secp256k1_ecdsa_recoverable_signature rs;
	int recid;

	if (!secp256k1_ecdsa_sign_recoverable(ctx, &rs, h, key, NULL, NULL))
		return 0;
	secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, sig,
	    &recid, &rs);
	return 1;
}

static void *
sign_loop(void *arg)
{
	struct worker *w = arg;
	uint8_t key[32] = { [31] = 7 }, msg[200], h[32], sig[64];
	double t0 = now(), t = t0;

	memset(msg, 0x5a, sizeof(msg));
	do {
		msg[0] = (uint8_t)w->n;
		sha256(h, msg, sizeof(msg));
		if (!(w->raw ? sign_raw(sig, h, key) : sig_sign(sig, NULL, h,
		    key))) {
			w->failed = 1;
			break;
		}
		w->n++;
	} while ((w->n & 255) != 0 || (t = now()) - t0 < 2.0);
	w->secs = t - t0;
	return NULL;
}

int
main(int argc, char **argv)
{
	static struct worker w[MAX_THREADS];
	long threads = argc > 1 ? atol(argv[1]) : sysconf(_SC_NPROCESSORS_ONLN);
	uint8_t seed[32] = { 1 };
	struct worker one = { .raw = 0 };
	double total = 0;
	long i;

	if (threads < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "usage: signrate [THREADS 1..%d]\n", MAX_THREADS);
		return 2;
	}
	ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN);
	if (ctx == NULL || !secp256k1_context_randomize(ctx, seed))
		return 1;
	for (i = 0; i < threads; i++) {
		w[i].raw = 1;
		if (pthread_create(&w[i].t, NULL, sign_loop, &w[i]) != 0)
			return 1;
	}
	for (i = 0; i < threads; i++) {
		pthread_join(w[i].t, NULL);
		if (w[i].failed)
			return 1;
		total += w[i].n / w[i].secs;
	}
	sign_loop(&one);
	if (one.failed)
		return 1;
	printf("signs_per_s %.0f threads %ld per_thread %.0f sig_sign %.0f\n",
	    total, threads, total / threads, one.n / one.secs);
	secp256k1_context_destroy(ctx);
	return 0;
}
