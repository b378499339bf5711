/* fetchfloor.c: the least a verifying follower must download, fetched the
 * way licgated fetches it and nothing more done with it: the headers of
 * blocks FROM..TO and the receipts of the blocks holding the registry's
 * logs, through licgated's own fetch pool (src/fetch.c) on CONNS
 * connections, with no check, no storage and no proof.  bench/busy.sh
 * prints it beside licgated's time: the distance left between them is
 * licgated's, the rest is the data a receipt weighs more than a log.
 *   fetchfloor URL REGISTRY FROM TO [CONNS]
 * prints "blocks N receipts M seconds S bytes B" */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/hex.h"
#include "chain/loghint.h"
#include "fetch.h"
#include "rpc.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t bytes;

static int
ask_headers(struct rpc_client *c, char **body, struct rpc_span *spans,
    const uint64_t *nums, size_t m, struct rpc_error *err)
{
	return rpc_batch_blocks(c, body, spans, "eth_getBlockByNumber", nums,
	    m, err);
}

static int
ask_receipts(struct rpc_client *c, char **body, struct rpc_span *spans,
    const uint64_t *nums, size_t m, struct rpc_error *err)
{
	return rpc_batch_blocks(c, body, spans, "eth_getBlockReceipts", nums,
	    m, err);
}

static int
count(void *arg, size_t i, const char *res, size_t len, void *item,
    char *msg, size_t msgsz)
{
	(void)arg, (void)i, (void)res, (void)item, (void)msg, (void)msgsz;
	__atomic_add_fetch(&bytes, len, __ATOMIC_RELAXED);
	return 1;
}

static int
take(void *arg, size_t i, void *item, char *msg, size_t msgsz)
{
	(void)arg, (void)i, (void)item, (void)msg, (void)msgsz;
	return 1;
}

static void
drop(void *item)
{
	(void)item;
}

/* The blocks holding the registry's logs (not timed: licgated finds them
 * in the blooms it already has). */
static uint64_t *
event_blocks(struct rpc_client *c, const char *registry, uint64_t from,
    uint64_t to, size_t *n)
{
	const char *method = "eth_getLogs", *why;
	struct loghint_block *h;
	struct rpc_span span;
	struct rpc_error e;
	uint8_t addr[20];
	uint64_t *out;
	char qa[19], qb[19], *body = NULL;
	json_t *params;
	size_t i;

	params = json_pack("[{s:s, s:s, s:s}]", "address", registry,
	    "fromBlock", hex_format_u64(qa, from), "toBlock",
	    hex_format_u64(qb, to));
	if (!hex_decode_fixed(addr, 20, registry, &why) ||
	    !rpc_batch_text(c, &body, &span, &method, &params, 1, &e) ||
	    !loghint_read(&h, n, span.p, span.len, addr, from, to, &why)) {
		fprintf(stderr, "fetchfloor: eth_getLogs failed\n");
		exit(1);
	}
	free(body);
	out = calloc(*n ? *n : 1, sizeof(*out));
	for (i = 0; i < *n; i++)
		out[i] = h[i].number;
	free(h);
	return out;
}

int
main(int argc, char **argv)
{
	struct rpc_options o = { 5000, 60000, 256u << 20, 0, 100, 1000, NULL };
	struct fetch_ops hops = { .what = "header", .max_per_call = 100,
	    .item_size = 1, .ask = ask_headers, .read = count, .take = take,
	    .drop = drop };
	struct fetch_ops rops = { .what = "receipts", .max_per_call = 64,
	    .item_size = 1, .ask = ask_receipts, .read = count, .take = take,
	    .drop = drop };
	struct rpc_client *c[FETCH_MAX_CONNECTIONS];
	uint64_t from, to, *nums, *ev;
	size_t conns, i, nev;
	const char *why, *url;
	char msg[512];
	double t0;

	if (argc < 5) {
		fprintf(stderr, "usage: fetchfloor URL REGISTRY FROM TO [CONNS]\n");
		return 2;
	}
	url = argv[1];
	from = strtoull(argv[3], NULL, 10);
	to = strtoull(argv[4], NULL, 10);
	conns = argc > 5 ? strtoull(argv[5], NULL, 10) : 3;
	if (conns < 1 || conns > FETCH_MAX_CONNECTIONS || to < from ||
	    !rpc_client_new(&c[0], &url, 1, &o, &why)) {
		fprintf(stderr, "fetchfloor: bad arguments\n");
		return 2;
	}
	for (i = 1; i < conns; i++)
		c[i] = rpc_client_clone(c[0]);
	ev = event_blocks(c[0], argv[2], from, to, &nev);
	nums = calloc(to - from + 1, sizeof(*nums));
	for (i = 0; i <= to - from; i++)
		nums[i] = from + i;
	t0 = now();
	if (!fetch_each(c, conns, &hops, NULL, nums, to - from + 1, NULL, msg,
	    sizeof(msg)) ||
	    !fetch_each(c, conns, &rops, NULL, ev, nev, NULL, msg,
	    sizeof(msg))) {
		fprintf(stderr, "fetchfloor: %s\n", msg);
		return 1;
	}
	printf("blocks %" PRIu64 " receipts %zu seconds %.3f bytes %" PRIu64
	    "\n", to - from + 1, nev, now() - t0, bytes);
	for (i = 0; i < conns; i++)
		rpc_client_free(c[i]);
	free(nums);
	free(ev);
	return 0;
}
