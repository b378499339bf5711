/* getlogs.c: the baseline of bench/sync.sh: download a registry's logs with
 * plain eth_getLogs over the same HTTP client licgated uses, in ranges of
 * RANGE blocks, with no verification and no storage.
 *   getlogs URL REGISTRY FROM TO [RANGE]   prints "logs N seconds S" */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "chain/hex.h"
#include "rpc.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct rpc_options o = { 5000, 60000, 256u << 20, 0, 100, 1000, NULL };
	struct rpc_client *c;
	struct rpc_error e;
	const char *why, *url;
	uint64_t from, to, range, b, n = 0;
	char qa[19], qb[19];
	json_t *r;
	double t0;

	if (argc < 5) {
		fprintf(stderr, "usage: getlogs URL REGISTRY FROM TO [RANGE]\n");
		return 2;
	}
	url = argv[1];
	from = strtoull(argv[3], NULL, 10);
	to = strtoull(argv[4], NULL, 10);
	range = argc > 5 ? strtoull(argv[5], NULL, 10) : 500;
	if (!rpc_client_new(&c, &url, 1, &o, &why)) {
		fprintf(stderr, "getlogs: %s\n", why);
		return 2;
	}
	t0 = now();
	for (b = from; b <= to; b += range) {
		uint64_t end = b + range - 1 > to ? to : b + range - 1;
		if (!rpc_call(c, &r, "eth_getLogs", json_pack("[{s:s, s:s, s:s}]",
		    "address", argv[2], "fromBlock", hex_format_u64(qa, b),
		    "toBlock", hex_format_u64(qb, end)), &e)) {
			fprintf(stderr, "getlogs: %s\n", e.msg);
			return 1;
		}
		n += json_array_size(r);
		json_decref(r);
	}
	printf("logs %" PRIu64 " seconds %.3f\n", n, now() - t0);
	rpc_client_free(c);
	return 0;
}
