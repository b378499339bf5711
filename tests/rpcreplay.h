/* rpcreplay.h: a JSON-RPC node for the follower's unit tests, on
 * 127.0.0.1, that answers single calls and batches from answers recorded
 * from anvil (tests/data/follow/record.mjs): two branches forking at one
 * block.  A test sets the head and the branch, makes it lie about one block
 * or refuse a method, and counts the calls, as Unbound's testcode/replay.c
 * scripts a resolver's upstreams. */
#ifndef LICGATE_RPCREPLAY_H
#define LICGATE_RPCREPLAY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* What the node changes in its answers about one block. */
enum rpcreplay_lie {
	RPCREPLAY_HONEST,
	RPCREPLAY_LOG_DATA,	/* a registry log's data, one byte flipped */
	RPCREPLAY_DROP_LOG,	/* a registry log left out of its receipt */
	RPCREPLAY_HEADER_ROOT,	/* the header's stateRoot, one byte flipped */
	RPCREPLAY_PROOF_NODE,	/* a node of the account proof altered */
	RPCREPLAY_STALE_PROOF,	/* the proof of the block before it */
	RPCREPLAY_HINT_HIDE,	/* eth_getLogs leaves its logs out */
	RPCREPLAY_OTHER_BRANCH	/* the other branch's block at its height */
};

struct rpcreplay;

/* Starts serving rec (tests/data/follow/chain.json, parsed; a reference is
 * taken, and it is never changed) on a free port, at the head of branch
 * "a".  Fails the test if it cannot.  Freed by rpcreplay_stop. */
struct rpcreplay *rpcreplay_start(json_t *rec);
void rpcreplay_stop(struct rpcreplay *r);

/* "http://127.0.0.1:PORT/", owned by r. */
const char *rpcreplay_url(const struct rpcreplay *r);

/* The recording (borrowed): chainId, registry, fork and branches.a/.b,
 * each with from, head, blocks[] {header, receipts, proof}, logs, count,
 * digest and dump. */
const json_t *rpcreplay_recording(const struct rpcreplay *r);

/* Serves branch 'a' or 'b' (b shares a's blocks up to the fork) with its
 * head at head, which the branch must have. */
void rpcreplay_set_chain(struct rpcreplay *r, char branch, uint64_t head);

/* Lies as lie says about block number (RPCREPLAY_HONEST: no more). */
void rpcreplay_set_lie(struct rpcreplay *r, enum rpcreplay_lie lie,
    uint64_t number);

/* Answers eth_getProof of blocks below number with the error of a node
 * that keeps no state that old (0: proves every block). */
void rpcreplay_set_pruned(struct rpcreplay *r, uint64_t number);

/* Answers method with "method not found" (NULL: none). */
void rpcreplay_set_refused(struct rpcreplay *r, const char *method);

/* Calls to method so far (each call of a batch counts), and answers that
 * carried a lie. */
unsigned rpcreplay_calls(struct rpcreplay *r, const char *method);
unsigned rpcreplay_lies(struct rpcreplay *r);

/* The recorded answers of block number on the branch (borrowed; NULL when
 * the branch does not have it). */
const json_t *rpcreplay_block(const struct rpcreplay *r, char branch,
    uint64_t number);

/* The first block above number on the branch whose receipts hold registry
 * logs; 0 when there is none up to its recorded head. */
uint64_t rpcreplay_next_event_block(const struct rpcreplay *r, char branch,
    uint64_t number);

#endif
