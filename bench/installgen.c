/* installgen.c: install reports for bench/installs.sh, signed the way a
 * device signs them (lgv_install_sign), each with its own nonce, round
 * robin over the device keys given, dated now.  Writes them to OUT as one
 * report after another, each after its length in two bytes (big endian),
 * for the load generator to send each once.
 * Usage: installgen OUT COUNT GATEWAY FIRMWARE KEYHEX... */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/hex.h"
#include "chain/sig.h"
#include "verify/lgv.h"

#define MAX_KEYS 64

struct dev {
	uint8_t seckey[32];
	uint8_t address[20];
};

static int
load_dev(struct dev *d, const char *hex)
{
	uint8_t pub[33];
	const char *why;

	return hex_decode_fixed(d->seckey, 32, hex, &why) &&
	    sig_pubkey_create(pub, sizeof(pub), d->seckey) &&
	    sig_pubkey_to_address(d->address, pub, sizeof(pub));
}

/* Writes report i, by device d, to f. */
static int
put_report(FILE *f, const struct dev *d, struct lgv_install *r, uint64_t i)
{
	uint8_t out[LGV_INSTALL_MAX], len[2];
	size_t n;
	int k;

	memcpy(r->device, d->address, 20);
	for (k = 0; k < 8; k++)
		r->nonce[k] = (uint8_t)(i >> (56 - 8 * k));
	if (lgv_install_sign(out, sizeof(out), &n, r, d->seckey) != LGV_OK)
		return 0;
	len[0] = (uint8_t)(n >> 8);
	len[1] = (uint8_t)n;
	return fwrite(len, 1, 2, f) == 2 && fwrite(out, 1, n, f) == n;
}

int
main(int argc, char **argv)
{
	static struct dev devs[MAX_KEYS];
	struct lgv_install r;
	const char *why;
	struct timespec ts;
	uint64_t i, count, ns;
	int ndev, k;
	FILE *f;

	if (argc < 6 || argc - 5 > MAX_KEYS) {
		fprintf(stderr, "usage: installgen OUT COUNT GATEWAY FIRMWARE "
		    "KEYHEX...\n");
		return 2;
	}
	memset(&r, 0, sizeof(r));
	count = strtoull(argv[2], NULL, 10);
	if (!hex_decode_fixed(r.gateway, 20, argv[3], &why) ||
	    !hex_decode_fixed(r.firmware, 32, argv[4], &why)) {
		fprintf(stderr, "installgen: bad gateway or firmware\n");
		return 2;
	}
	for (ndev = 0, k = 5; k < argc; k++, ndev++)
		if (!load_dev(&devs[ndev], argv[k])) {
			fprintf(stderr, "installgen: bad key %s\n", argv[k]);
			return 2;
		}
	r.iat = (uint64_t)time(NULL);
	r.version = 7;
	r.block = 1;
	/* The clock in nanoseconds in the last 8 bytes: one run's nonces
	 * never meet another's. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	r.nonce_len = 16;
	for (k = 8; k < 16; k++)
		r.nonce[k] = (uint8_t)(ns >> (8 * (k - 8)));
	if ((f = fopen(argv[1], "wb")) == NULL) {
		perror(argv[1]);
		return 2;
	}
	for (i = 0; i < count; i++)
		if (!put_report(f, &devs[i % (uint64_t)ndev], &r, i)) {
			fprintf(stderr, "installgen: cannot write report %llu\n",
			    (unsigned long long)i);
			return 2;
		}
	return fclose(f) == 0 ? 0 : 2;
}
