/* bench/primitives: Keccak-256 against nettle's SHA3-256 on the same bytes
 * (the same permutation underneath, so the ratio shows our absorb and padding
 * overhead), and the time to rebuild a real 301-receipt receiptsRoot. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nettle/sha3.h>

#include "chain/hash.h"
#include "chain/header.h"
#include "chain/receipts.h"
#include "xmalloc.h"

#define RUNS 7

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v)
{
	qsort(v, RUNS, sizeof(*v), dcmp);
	return v[RUNS / 2];
}

/* Hashes msglen-byte messages until about total bytes; returns MB/s. */
static double
rate(int keccak, const uint8_t *buf, size_t msglen, size_t total)
{
	struct sha3_256_ctx s;
	uint8_t out[32];
	size_t done;
	double t0 = now(), dt;

	for (done = 0; done < total; done += msglen) {
		if (keccak)
			keccak256(out, buf, msglen);
		else {
			sha3_256_init(&s);
			sha3_256_update(&s, msglen, buf);
			sha3_256_digest(&s, sizeof(out), out);
		}
	}
	dt = now() - t0;
	return done / dt / 1e6;
}

static void
bench_hashes(void)
{
	static const size_t sizes[] = { 64, 1024, 1 << 20 };
	uint8_t *buf = xmalloc(1 << 20);
	double k[RUNS], s[RUNS], km, sm;
	size_t i;
	int r;

	for (i = 0; i < (1 << 20); i++)
		buf[i] = (uint8_t)(i * 31);
	printf("%-10s %14s %14s %8s\n", "message", "keccak256 MB/s",
	    "sha3_256 MB/s", "ratio");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (r = 0; r < RUNS; r++) {
			k[r] = rate(1, buf, sizes[i], 64u << 20);
			s[r] = rate(0, buf, sizes[i], 64u << 20);
		}
		km = median(k);
		sm = median(s);
		printf("%-10zu %14.1f %14.1f %8.3f\n", sizes[i], km, sm, km / sm);
	}
	free(buf);
}

static int
bench_receipts(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);
	struct header h;
	struct receipts rs;
	struct jerr e;
	uint8_t root[32];
	double t[RUNS], p[RUNS], t0;
	int r, i;

	if (j == NULL) {
		fprintf(stderr, "bench/primitives: %s: %s\n", path, err.text);
		return 1;
	}
	if (!header_from_json(&h, json_object_get(j, "header"), "$.header", &e)) {
		fprintf(stderr, "bench/primitives: %s: %s\n", e.path, e.why);
		return 1;
	}
	for (r = 0; r < RUNS; r++) {
		t0 = now();
		for (i = 0; i < 20; i++) {
			if (!receipts_from_json(&rs, json_object_get(j, "receipts"),
			    "$.receipts", &e))
				return 1;
			if (i < 19)
				receipts_free(&rs);
		}
		p[r] = (now() - t0) / 20;
		t0 = now();
		for (i = 0; i < 20; i++)
			receipts_root(root, &rs);
		t[r] = (now() - t0) / 20;
		if (memcmp(root, h.receipts_root, 32) != 0) {
			fprintf(stderr, "bench/primitives: receiptsRoot mismatch\n");
			return 1;
		}
		receipts_free(&rs);
	}
	printf("receiptsRoot of block %llu (%zu receipts): %.3f ms "
	    "(+ %.3f ms to read them from parsed JSON), median of %d\n",
	    (unsigned long long)h.number, (size_t)json_array_size(json_object_get(j,
	    "receipts")), median(t) * 1e3, median(p) * 1e3, RUNS);
	json_decref(j);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *dir = getenv("LICGATE_TESTDATA");
	char *path;
	int rc;

	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: bench/primitives [RECEIPTS.json]\n  default: "
		    "$LICGATE_TESTDATA/receipts/mainnet_22869878_prague.json\n");
		return 0;
	}
	path = argc > 1 ? xstrdup(argv[1]) : xasprintf("%s/receipts/"
	    "mainnet_22869878_prague.json", dir ? dir : "tests/data");
	bench_hashes();
	rc = bench_receipts(path);
	free(path);
	return rc;
}
