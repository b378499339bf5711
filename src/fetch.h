/* fetch.h: the follower's fetch pool.  It asks the node for one thing per
 * block number (a header, a block's receipts) in JSON-RPC batches spread
 * over several connections, reads each answer on the thread that fetched
 * it and hands what it read to the caller in block order.  Batches are
 * sized by the bytes their answers are expected to weigh, and one whose
 * answer is over the client's cap is asked again in halves, down to a
 * single block. */
#ifndef LICGATE_FETCH_H
#define LICGATE_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "rpc.h"

#define FETCH_MAX_CONNECTIONS 8
#define FETCH_MAX_PER_CALL 100
#define FETCH_CALL_BYTES (2u << 20)	/* an answer's planned weight */

/* How fetch_each asks and reads:
 * ask() sends the calls for nums[0..m) as one JSON-RPC batch: spans[k] is
 * the text of the answer for nums[k], inside *body (freed by the pool);
 * weight(), when not NULL, says how many bytes the answer for item i may
 * weigh, so that a batch is planned to about FETCH_CALL_BYTES; read() turns
 * the text of answer i into an item of item_size bytes on the thread that
 * fetched it; take() gets the items in order on the caller's thread and
 * owns them; drop() frees an item take() will not see (after a failure). */
struct fetch_ops {
	const char *what;		/* for messages: "header", "receipts" */
	size_t max_per_call;		/* <= FETCH_MAX_PER_CALL */
	size_t item_size;
	int (*ask)(struct rpc_client *c, char **body, struct rpc_span *spans,
	    const uint64_t *nums, size_t m, struct rpc_error *err);
	uint64_t (*weight)(void *arg, size_t i);
	int (*read)(void *arg, size_t i, const char *res, size_t len,
	    void *item, char *msg, size_t msgsz);
	int (*take)(void *arg, size_t i, void *item, char *msg, size_t msgsz);
	void (*drop)(void *item);
};

/* What a fetch cost, added to by fetch_each. */
struct fetch_stats {
	uint64_t calls;			/* JSON-RPC batches sent */
	uint64_t halved;		/* batches asked again in halves */
};

/* Asks for each block number in nums[0..n) over conns[0..nconns) (at most
 * FETCH_MAX_CONNECTIONS; borrowed) and hands what o->read() made of answer
 * i to o->take() in order; stops at the first failure, with msg.  Each
 * connection always has a batch on its way while the caller takes what
 * came.  stats may be NULL. */
int fetch_each(struct rpc_client *const *conns, size_t nconns,
    const struct fetch_ops *o, void *arg, const uint64_t *nums, size_t n,
    struct fetch_stats *stats, char *msg, size_t msgsz)
    __attribute__((warn_unused_result));

#endif
