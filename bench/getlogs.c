/* getlogs.c: the baseline of bench/sync.sh: download a registry's logs with
 * plain eth_getLogs over the same HTTP client licgated uses, in ranges of
 * RANGE blocks, with no verification and no storage.
 *   getlogs URL REGISTRY FROM TO [RANGE]
 * prints "logs N seconds S bytes B", B the answer bodies' bytes. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Asks eth_getLogs for one range as a batch of one, the call that hands
 * back the answer's body, so that its bytes can be counted; adds the logs
 * to *n and the body's length to *bytes. */
static int
getlogs_range(struct rpc_client *c, const char *registry, uint64_t from,
    uint64_t to, uint64_t *n, uint64_t *bytes)
{
	const char *method = "eth_getLogs";
	struct rpc_span span;
	struct rpc_error e;
	json_error_t je;
	json_t *params, *r;
	char *body = NULL, qa[19], qb[19];

	params = json_pack("[{s:s, s:s, s:s}]", "address", registry,
	    "fromBlock", hex_format_u64(qa, from), "toBlock",
	    hex_format_u64(qb, to));
	if (!rpc_batch_text(c, &body, &span, &method, &params, 1, &e)) {
		fprintf(stderr, "getlogs: %s\n", e.msg);
		free(body);
		return 0;
	}
	*bytes += strlen(body);
	r = json_loadb(span.p, span.len, 0, &je);
	free(body);
	if (!json_is_array(r)) {
		fprintf(stderr, "getlogs: eth_getLogs: not an array\n");
		json_decref(r);
		return 0;
	}
	*n += json_array_size(r);
	json_decref(r);
	return 1;
}

int
main(int argc, char **argv)
{
	struct rpc_options o = { 5000, 60000, 256u << 20, 0, 100, 1000, NULL };
	struct rpc_client *c;
	const char *why, *url;
	uint64_t from, to, range, b, n = 0, bytes = 0;
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
		if (!getlogs_range(c, argv[2], b, end, &n, &bytes))
			return 1;
	}
	printf("logs %" PRIu64 " seconds %.3f bytes %" PRIu64 "\n", n,
	    now() - t0, bytes);
	rpc_client_free(c);
	return 0;
}
