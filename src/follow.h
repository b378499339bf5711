/* follow.h: the follower.  It moves the verified head forward one batch at a
 * time: headers linked to the checkpoint and checked by the engine, receipts
 * of the blocks whose bloom may hold registry logs checked against
 * receiptsRoot, the registry's eventCount/eventDigest proved against the
 * batch's last stateRoot; only then is the batch committed.  Reorgs inside
 * the confirmation window are rolled back exactly; deeper ones stop it. */
#ifndef LICGATE_FOLLOW_H
#define LICGATE_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "rpc.h"
#include "store.h"

struct follow_params {
	uint64_t chain_id;
	uint8_t registry[20];
	uint64_t checkpoint_number;
	uint8_t checkpoint_hash[32];
	uint64_t confirmations;		/* ignored by instant-finality engines */
	uint64_t batch_size;		/* blocks per committed batch */
	unsigned connections;		/* JSON-RPC batches asked at once */
};

#define FOLLOW_MAX_CONNECTIONS 8

enum follow_status {
	FOLLOW_PROGRESS,	/* a batch was committed or a reorg rolled back */
	FOLLOW_CAUGHT_UP,	/* the verified head is the node's head */
	FOLLOW_RETRY,		/* RPC failure or a lie caught: nothing committed */
	FOLLOW_HALT		/* cannot go on without an operator (deep reorg) */
};

/* What one step did, for progress reports. */
struct follow_stats {
	uint64_t blocks;	/* blocks verified and committed */
	uint64_t events;	/* registry events among them */
	uint64_t receipts;	/* blocks whose receipts were fetched */
	uint64_t proofs_deferred; /* proofs the node had no state for */
	uint64_t hint_lies;	/* eth_getLogs hints the proof caught */
	uint64_t node_head;	/* the node's head as last seen */
	uint64_t head;		/* our verified head after the step */
};

struct follower;

/* Borrows rpc, eng and st (the caller keeps them alive and frees them).
 * rpc_proof, a second client to the same endpoints or NULL, lets the
 * registry proof be asked while the receipts are fetched. */
struct follower *follow_new(const struct follow_params *p,
    struct rpc_client *rpc, struct rpc_client *rpc_proof, struct engine *eng,
    struct store *st);
void follow_free(struct follower *f);

/* fn(arg) runs just before and just after every change to the stored
 * state (on the follower's thread): readers drop what they cached. */
void follow_set_commit_hook(struct follower *f, void (*fn)(void *),
    void *arg);

/* After a configuration reload: replaces the RPC clients (as follow_new
 * takes them) and the batch size and number of connections. */
void follow_reload(struct follower *f, struct rpc_client *rpc,
    struct rpc_client *rpc_proof, uint64_t batch_size, unsigned connections);

/* Asks the node for its chain id; 1 when it equals chain_id, else 0 with
 * msg (unreachable, or the id it has). */
int follow_check_chain(struct rpc_client *rpc, uint64_t chain_id, char *msg,
    size_t msgsz) __attribute__((warn_unused_result));

/* One step.  msg explains RETRY and HALT (and names what was caught). */
enum follow_status follow_step(struct follower *f, struct follow_stats *st,
    char *msg, size_t msgsz);

#endif
