/* bench/primitives: Keccak-256 against nettle's SHA3-256 on the same bytes
 * (the same permutation underneath, so the ratio shows our absorb and padding
 * overhead), the time to rebuild a real 301-receipt receiptsRoot, and seal
 * checks per second (a Clique block's whole check, a QBFT commit seal)
 * against the raw secp256k1_ecdsa_recover rate beneath them. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nettle/sha3.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "chain/hash.h"
#include "chain/header.h"
#include "chain/receipts.h"
#include "engine/clique.h"
#include "engine/qbft.h"
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

static int
load_header(struct header *h, const char *dir, const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel);
	json_t *j = json_load_file(path, 0, NULL);
	struct jerr e;
	int ok = j != NULL && header_from_json(h, json_object_get(j, "header"),
	    "$.header", &e);

	if (!ok)
		fprintf(stderr, "bench/primitives: cannot read %s\n", path);
	json_decref(j);
	free(path);
	return ok;
}

/* Raw recoveries per second: the library alone, on a parsed signature. */
static double
recover_rate(const uint8_t hash[32], const uint8_t seal[65], int n)
{
	secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	secp256k1_ecdsa_recoverable_signature sig;
	secp256k1_pubkey pub;
	double t0;
	int i;

	if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig,
	    seal, seal[64]))
		abort();
	t0 = now();
	for (i = 0; i < n; i++)
		if (!secp256k1_ecdsa_recover(ctx, &pub, &sig, hash))
			abort();
	t0 = now() - t0;
	secp256k1_context_destroy(ctx);
	return n / t0;
}

/* Whole Clique seal checks per second: seal hash (RLP and Keccak of the
 * header), recovery, address, membership, turn, recents, votes. */
static double
clique_rate(const struct clique_snap *base, const struct header *h, int n)
{
	static struct clique_snap s;
	const char *why;
	double t0 = now();
	int i;

	for (i = 0; i < n; i++) {
		s = *base;
		if (!clique_snap_apply(&s, h, NULL, &why))
			abort();
	}
	return n / (now() - t0);
}

/* QBFT commit seals checked per second (the hash is made once a block). */
static double
qbft_rate(const struct header *h, int n, size_t *per_block)
{
	static uint8_t who[QBFT_MAX_VALIDATORS][20];
	const char *why;
	double t0 = now();
	int i;

	for (i = 0; i < n; i++)
		if (!qbft_committers(who, per_block, h, &why))
			abort();
	return n * (double)*per_block / (now() - t0);
}

static int
bench_seals(const char *dir)
{
	static struct header rk2, rk3, qb;
	static struct clique_snap base;
	double raw[RUNS], cl[RUNS], qr[RUNS], rawq[RUNS];
	uint8_t hash[32], listed[3][20];
	struct qbft_extra x;
	const char *why;
	size_t per = 0;
	int r;

	if (!load_header(&rk2, dir, "clique/rinkeby_2.json") ||
	    !load_header(&rk3, dir, "clique/rinkeby_3.json") ||
	    !load_header(&qb, dir, "qbft/besu_qbft_7528.json"))
		return 1;
	/* Rinkeby's three genesis signers, as block 2 leaves them. */
	memcpy(listed[0], "\x42\xeb\x76\x8f\x22\x44\xc8\x81\x1c\x63\x72\x9a"
	    "\x21\xa3\x56\x97\x31\x53\x5f\x06", 20);
	memcpy(listed[1], "\x7f\xfc\x57\x83\x9b\x00\x20\x6d\x1a\xd2\x0c\x69"
	    "\xa1\x98\x1b\x48\x9f\x77\x20\x31", 20);
	memcpy(listed[2], "\xb2\x79\x18\x2d\x99\xe6\x57\x03\xf0\x07\x6e\x48"
	    "\x12\x65\x3a\xab\x85\xfc\xa0\xf0", 20);
	if (!clique_snap_init(&base, &rk2, CLIQUE_EPOCH_DEFAULT,
	    (const uint8_t (*)[20])listed, 3, &why) ||
	    !clique_seal_hash(hash, &rk3) ||
	    !qbft_extra_decode(&x, qb.extra, qb.extra_len, &why)) {
		fprintf(stderr, "bench/primitives: seal setup failed\n");
		return 1;
	}
	for (r = 0; r < RUNS; r++) {
		raw[r] = recover_rate(hash, rk3.extra + rk3.extra_len - 65, 4000);
		cl[r] = clique_rate(&base, &rk3, 4000);
		rawq[r] = recover_rate(hash, x.seals[0], 4000);
		qr[r] = qbft_rate(&qb, 1500, &per);
	}
	printf("secp256k1_ecdsa_recover      %9.0f /s (raw library)\n",
	    median(raw));
	printf("Clique block seal checks     %9.0f /s  ratio %.3f (goal >= 0.8)\n",
	    median(cl), median(cl) / median(raw));
	printf("QBFT commit seals checked    %9.0f /s  ratio %.3f (goal >= 0.8; "
	    "%zu seals a block)\n", median(qr), median(qr) / median(rawq), per);
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
	return rc != 0 ? rc : bench_seals(dir ? dir : "tests/data");
}
