/* signrate.c: the raw libsecp256k1 signing rate on this machine, the
 * yardstick of nonce attestations in bench/serve.sh: SHA-256 and one ECDSA
 * signature per iteration for about two seconds, on THREADS threads at once
 * (default: one per CPU, as licgated's http.threads = 0).  Prints the rate
 * of all threads together and of one.  Usage: signrate [THREADS] */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chain/hash.h"
#include "chain/sig.h"

#define MAX_THREADS 64

struct worker {
	pthread_t t;
	unsigned long n;
	double secs;
	int failed;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
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
		if (!sig_sign(sig, NULL, h, key)) {
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
	double total = 0;
	long i;

	if (threads < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "usage: signrate [THREADS 1..%d]\n", MAX_THREADS);
		return 2;
	}
	for (i = 0; i < threads; i++)
		if (pthread_create(&w[i].t, NULL, sign_loop, &w[i]) != 0)
			return 1;
	for (i = 0; i < threads; i++) {
		pthread_join(w[i].t, NULL);
		if (w[i].failed)
			return 1;
		total += w[i].n / w[i].secs;
	}
	printf("signs_per_s %.0f threads %ld per_thread %.0f\n", total, threads,
	    total / threads);
	return 0;
}
