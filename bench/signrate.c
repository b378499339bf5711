/* signrate.c: the raw libsecp256k1 signing rate on this machine, the
 * yardstick of nonce attestations in bench/serve.sh: SHA-256 and one ECDSA
 * signature per iteration, one thread, for about two seconds. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chain/hash.h"
#include "chain/sig.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(void)
{
	uint8_t key[32] = { [31] = 7 }, msg[200], h[32], sig[64];
	unsigned long n = 0;
	double t0 = now(), t = t0;

	memset(msg, 0x5a, sizeof(msg));
	do {
		msg[0] = (uint8_t)n;
		sha256(h, msg, sizeof(msg));
		if (!sig_sign(sig, NULL, h, key))
			return 1;
		n++;
	} while ((n & 255) != 0 || (t = now()) - t0 < 2.0);
	printf("signs_per_s %.0f\n", n / (t - t0));
	return 0;
}
