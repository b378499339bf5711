/* follow.c: one batch at a time, nothing committed before it is verified.
 * The order inside a step is: the node's head; headers from our head to the
 * batch's end (our head first, to notice a reorg); receipts of the blocks
 * whose bloom may hold the registry, their events written into one open
 * store transaction as they verify, while the registry's two digest slots
 * are proved at the batch's last block; the transaction commits only when
 * the proof agrees with what was written. */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/blockcheck.h"
#include "chain/bloom.h"
#include "chain/hash.h"
#include "chain/hex.h"
#include "chain/loghint.h"
#include "chain/proof.h"
#include "chain/receipts.h"
#include "fetch.h"
#include "follow.h"
#include "log.h"
#include "receipts_fetch.h"
#include "registry.h"
#include "xmalloc.h"

#define FOLLOW_HEADERS_PER_CALL 100	/* headers per JSON-RPC batch */
#define FOLLOW_RECEIPTS_PER_CALL 64	/* at most, as their weight allows */
#define FOLLOW_HINT_BYTES (2u << 20)	/* a larger eth_getLogs answer means
					 * a registry busy enough for blooms */
#define FOLLOW_HINT_MIN_BLOCKS 4	/* fewer false matches expected: not
					 * worth a round trip */
#define FOLLOW_HINT_SKIP 8		/* batches without a hint after it
					 * failed, was refused or saved little */

struct follower {
	struct follow_params p;
	struct rpc_client *rpc;
	struct rpc_client *rpc_proof;	/* for the proof, asked in parallel */
	struct rpc_client *fetch[FOLLOW_MAX_CONNECTIONS - 1];	/* clones of rpc */
	size_t nfetch;
	struct rpc_client *conns[FOLLOW_MAX_CONNECTIONS];	/* rpc, fetch[] */
	size_t nconns;
	struct fetch_stats fetched;	/* receipts */
	int deferring;			/* the last proof was refused */
	struct rpc_client *hint;	/* eth_getLogs, capped; NULL: none */
	unsigned hint_skip;		/* batches to go without one */
	void (*on_commit)(void *);
	void *on_commit_arg;
	struct engine *eng;
	struct store *st;
	/* The engine's state at the committed head, to go back to when a
	 * batch fails; valid while has_head_state. */
	uint8_t *head_state;
	size_t head_state_len;
	uint64_t head_state_number;
	int has_head_state;
};

/* A verified block of the batch: what the follower needs of its header
 * (not the whole of it: a batch of whole headers would weigh ten times as
 * much) and how many registry events its receipts held.  The events
 * themselves go to the database as soon as the receipts are verified. */
struct fblock {
	struct receipts_claim c;	/* number, hash, receiptsRoot, bloom */
	uint8_t parent_hash[32];
	uint8_t state_root[32];
	uint64_t timestamp;
	size_t nevents;
	uint8_t *state;			/* the engine's state after it, for */
	size_t state_len;		/* blocks of the reorg window */
};

static void
fblocks_free(struct fblock *b, size_t n)
{
	size_t i;

	for (i = 0; b != NULL && i < n; i++)
		free(b[i].state);
	free(b);
}

/* Takes rpc and rpc_proof and makes the clones that fetch beside rpc. */
static void
set_clients(struct follower *f, struct rpc_client *rpc,
    struct rpc_client *rpc_proof)
{
	size_t i;

	for (i = 0; i < f->nfetch; i++)
		rpc_client_free(f->fetch[i]);
	f->nfetch = 0;
	rpc_client_free(f->hint);
	if ((f->hint = rpc_client_clone(rpc)) != NULL)
		rpc_client_cap(f->hint, FOLLOW_HINT_BYTES);
	f->hint_skip = 0;
	f->rpc = rpc;
	f->rpc_proof = rpc_proof;
	if (f->p.connections > FOLLOW_MAX_CONNECTIONS)
		f->p.connections = FOLLOW_MAX_CONNECTIONS;
	for (i = 0; rpc != NULL && i + 1 < f->p.connections; i++)
		if ((f->fetch[f->nfetch] = rpc_client_clone(rpc)) != NULL)
			f->nfetch++;
	f->conns[0] = rpc;
	for (i = 0; i < f->nfetch; i++)
		f->conns[i + 1] = f->fetch[i];
	f->nconns = 1 + f->nfetch;
}

struct follower *
follow_new(const struct follow_params *p, struct rpc_client *rpc,
    struct rpc_client *rpc_proof, struct engine *eng, struct store *st)
{
	struct follower *f = xcalloc(1, sizeof(*f));

	f->p = *p;
	set_clients(f, rpc, rpc_proof);
	f->eng = eng;
	f->st = st;
	return f;
}

void
follow_set_commit_hook(struct follower *f, void (*fn)(void *), void *arg)
{
	f->on_commit = fn;
	f->on_commit_arg = arg;
}

static uint64_t
confirmations(const struct follower *f)
{
	/* Instant finality, or the head is capped at the finalized block. */
	return f->eng->ops->finality != ENGINE_FINAL_CONFIRMATIONS ? 0 :
	    f->p.confirmations;
}

static int
quantity_result(uint64_t *out, json_t *r, const char *what, char *msg,
    size_t msgsz)
{
	const char *why = "not a string";

	if (!json_is_string(r) || !hex_quantity_u64(out,
	    json_string_value(r), &why)) {
		snprintf(msg, msgsz, "%s: bad answer: %s", what, why);
		return 0;
	}
	return 1;
}

int
follow_check_chain(struct rpc_client *rpc, uint64_t chain_id, char *msg,
    size_t msgsz)
{
	struct rpc_error e;
	json_t *r;
	uint64_t id;
	int ok;

	if (!rpc_call(rpc, &r, "eth_chainId", NULL, &e)) {
		snprintf(msg, msgsz, "%s", e.msg);
		return 0;
	}
	ok = quantity_result(&id, r, "eth_chainId", msg, msgsz);
	json_decref(r);
	if (ok && id != chain_id) {
		snprintf(msg, msgsz, "wrong chain: the node's eth_chainId is %"
		    PRIu64 ", chain.id is %" PRIu64, id, chain_id);
		ok = 0;
	}
	return ok;
}

static int
node_head(struct follower *f, uint64_t *head, char *msg, size_t msgsz)
{
	struct rpc_error e;
	json_t *r;
	int ok;

	if (!rpc_call(f->rpc, &r, "eth_blockNumber", NULL, &e)) {
		snprintf(msg, msgsz, "%s", e.msg);
		return 0;
	}
	ok = quantity_result(head, r, "eth_blockNumber", msg, msgsz);
	json_decref(r);
	return ok;
}

/* headers ------------------------------------------------------------- */

/* Reads the node's header n from the text of its answer (len bytes) and
 * checks its hash claim and number; hash gets the computed hash. */
static int
header_read(struct engine *eng, struct header *h, uint8_t hash[32],
    const char *r, size_t len, uint64_t n, char *msg, size_t msgsz)
{
	struct jerr e = { "", NULL };
	const char *why;
	char a[67], b[67];

	if (len == 4 && memcmp(r, "null", 4) == 0) {
		snprintf(msg, msgsz, "block %" PRIu64 ": the node has no such "
		    "block", n);
		return 0;
	}
	if (!header_from_text(h, r, len, "$", &e)) {
		snprintf(msg, msgsz, "block %" PRIu64 ": bad header: %s: %s",
		    n, e.path, e.why);
		return 0;
	}
	if (!engine_hash(eng, hash, h, &why)) {
		snprintf(msg, msgsz, "block %" PRIu64 ": %s", n, why);
		return 0;
	}
	if (h->number != n) {
		snprintf(msg, msgsz, "block %" PRIu64 ": the node answered "
		    "with block %" PRIu64, n, h->number);
		return 0;
	}
	if (!h->has_claimed_hash || memcmp(hash, h->claimed_hash, 32) != 0) {
		snprintf(msg, msgsz, "block %" PRIu64 ": header does not hash "
		    "to its hash: computed %s, node says %s", n,
		    hex_encode(a, hash, 32), h->has_claimed_hash ?
		    hex_encode(b, h->claimed_hash, 32) : "nothing");
		return 0;
	}
	return 1;
}

/* Asks for the headers of nums[0..m), without their transactions. */
static int
ask_headers(struct rpc_client *c, char **body, struct rpc_span *spans,
    const uint64_t *nums, size_t m, struct rpc_error *err)
{
	return rpc_batch_blocks(c, body, spans, "eth_getBlockByNumber", nums,
	    m, err);
}

/* How fetch_headers checks what it reads. */
enum hcheck {
	HC_HASHES,		/* each header's hash and number only */
	HC_CHAIN,		/* and the parent links and engine rule of 1.. */
	HC_CHECKPOINT		/* and header 0 is the trusted checkpoint */
};

struct take_hs {
	struct follower *f;
	struct fblock *out;
	const uint64_t *nums;		/* the numbers asked */
	enum hcheck check;
	struct header *prev;		/* the header before, whole */
	uint64_t keep_from;		/* engine states kept from here on */
	const uint8_t *first_hash;	/* header 0 must have it, or NULL */
	int diverged;			/* header 0 did not */
};

/* A header read and hashed, waiting to be checked against the one before. */
struct hitem {
	struct header h;
	uint8_t hash[32];
};

static int
read_header(void *arg, size_t i, const char *res, size_t len, void *item,
    char *msg, size_t msgsz)
{
	const struct take_hs *t = arg;
	struct hitem *it = item;

	return header_read(t->f->eng, &it->h, it->hash, res, len, t->nums[i],
	    msg, msgsz);
}

static void
drop_nothing(void *item)
{
	(void)item;
}

/* Keeps the engine's state after b, which is in the reorg window. */
static void
keep_state(struct follower *f, struct fblock *b)
{
	static _Thread_local uint8_t buf[ENGINE_STATE_MAX];
	size_t n;

	if (!engine_has_state(f->eng) ||
	    (n = engine_save(f->eng, buf, sizeof(buf))) == 0)
		return;
	free(b->state);
	b->state = xmalloc(n);
	memcpy(b->state, buf, n);
	b->state_len = n;
}

/* Checks header i against header i-1 as asked and keeps what the follower
 * needs of it in out[i]. */
static int
take_header(void *arg, size_t i, void *item, char *msg, size_t msgsz)
{
	struct take_hs *t = arg;
	struct hitem *it = item;
	struct fblock *b = &t->out[i];
	struct follower *f = t->f;
	const struct header *h = &it->h;
	char x[67], y[67];
	const char *why;

	/* Our head is no longer the node's block at its height: a reorg,
	 * which the caller handles before anything above it is checked. */
	if (i == 0 && t->first_hash != NULL &&
	    memcmp(it->hash, t->first_hash, 32) != 0) {
		t->diverged = 1;
		snprintf(msg, msgsz, "block %" PRIu64 " is not ours on the "
		    "node", h->number);
		return 0;
	}
	if (i == 0 && t->check == HC_CHECKPOINT) {
		if (memcmp(it->hash, f->p.checkpoint_hash, 32) != 0) {
			snprintf(msg, msgsz, "checkpoint block %" PRIu64 " has "
			    "hash %s on the node, chain.checkpoint_hash is %s",
			    h->number, hex_encode(x, it->hash, 32),
			    hex_encode(y, f->p.checkpoint_hash, 32));
			return 0;
		}
		if (!engine_verify(f->eng, h, NULL, &why)) {
			snprintf(msg, msgsz, "checkpoint block %" PRIu64 ": %s",
			    h->number, why);
			return 0;
		}
	}
	if (i > 0 && t->check != HC_HASHES) {
		if (memcmp(h->parent_hash, b[-1].c.hash, 32) != 0) {
			snprintf(msg, msgsz, "block %" PRIu64 ": parentHash "
			    "does not link to block %" PRIu64, h->number,
			    b[-1].c.number);
			return 0;
		}
		if (!engine_verify(f->eng, h, t->prev, &why)) {
			snprintf(msg, msgsz, "block %" PRIu64 ": %s engine "
			    "refuses it: %s", h->number, f->eng->ops->name,
			    why);
			return 0;
		}
	}
	receipts_claim_of(&b->c, h, it->hash);
	memcpy(b->parent_hash, h->parent_hash, 32);
	memcpy(b->state_root, h->state_root, 32);
	b->timestamp = h->timestamp;
	*t->prev = *h;
	if (t->check != HC_HASHES && (i > 0 || t->check == HC_CHECKPOINT) &&
	    h->number >= t->keep_from)
		keep_state(f, b);
	return 1;
}

static const struct fetch_ops header_ops = {
	.what = "header",
	.max_per_call = FOLLOW_HEADERS_PER_CALL,
	.item_size = sizeof(struct hitem),
	.ask = ask_headers,
	.read = read_header,
	.take = take_header,
	.drop = drop_nothing
};

/* Fetches headers first..first+n-1 into out[], each checked against its
 * own hash claim and, as check asks, against the one before. */
static int
fetch_headers_from(struct follower *f, struct fblock *out, uint64_t first,
    size_t n, enum hcheck check, const uint8_t *first_hash, int *diverged,
    char *msg, size_t msgsz)
{
	uint64_t *nums = xreallocarray(NULL, n, sizeof(*nums));
	uint64_t last = first + n - 1, conf = confirmations(f);
	struct take_hs t = { f, out, nums, check, NULL,
	    last > conf ? last - conf : 0, first_hash, 0 };
	size_t i;
	int ok;

	t.prev = xmalloc(sizeof(*t.prev));
	for (i = 0; i < n; i++) {
		nums[i] = first + i;
		out[i].c.number = nums[i];
	}
	ok = fetch_each(f->conns, f->nconns, &header_ops, &t, nums, n, NULL,
	    msg, msgsz);
	free(t.prev);
	free(nums);
	if (diverged != NULL)
		*diverged = t.diverged;
	return ok;
}

static int
fetch_headers(struct follower *f, struct fblock *out, uint64_t first,
    size_t n, enum hcheck check, char *msg, size_t msgsz)
{
	return fetch_headers_from(f, out, first, n, check, NULL, NULL, msg,
	    msgsz);
}

/* receipts ------------------------------------------------------------- */

static int
is_registry_log(const struct follower *f, const struct log_entry *l)
{
	return memcmp(l->address, f->p.registry, 20) == 0;
}

/* Reads a block's receipts from the answer's text into rs and checks them
 * against its header. */
static int
receipts_read(struct receipts *rs, const struct fblock *b, const char *r,
    size_t len, char *msg, size_t msgsz)
{
	struct jerr e = { "", NULL };
	char tmp[512];

	while (len > 0 && (*r == ' ' || *r == '\t' || *r == '\r' || *r == '\n')) {
		r++;
		len--;
	}
	if (len == 0 || *r != '[') {
		snprintf(msg, msgsz, "block %" PRIu64 ": the node has no "
		    "receipts for it", b->c.number);
		return 0;
	}
	if (!receipts_from_text(rs, r, len, "$", &e)) {
		snprintf(msg, msgsz, "block %" PRIu64 ": bad receipts: %s: %s",
		    b->c.number, e.path, e.why);
		return 0;
	}
	if (!blockcheck_receipts(rs, &b->c, msg, msgsz)) {
		snprintf(tmp, sizeof(tmp), "block %" PRIu64 ": %s",
		    b->c.number, msg);
		snprintf(msg, msgsz, "%s", tmp);
		receipts_free(rs);
		return 0;
	}
	return 1;
}

/* A registry log of a verified block, with its position from the receipts;
 * the rest of the receipts is dropped once they are verified. */
struct fevent {
	uint64_t tx_index, log_index;
	struct log_entry log;		/* owns its data */
	uint8_t data_hash[32];		/* for the digest, hashed off the
					 * writing thread */
};

/* What a block's receipts hold for the registry, verified. */
struct ritem {
	struct fevent *ev;
	size_t n;
};

static void
drop_ritem(void *item)
{
	struct ritem *it = item;
	size_t i;

	for (i = 0; i < it->n; i++)
		free(it->ev[i].log.data);
	free(it->ev);
	it->ev = NULL;
	it->n = 0;
}

/* Moves the registry's logs out of verified receipts into it. */
static void
keep_events(const struct follower *f, struct ritem *it, struct receipts *rs)
{
	uint64_t li = 0;
	size_t i, k, n = 0;

	for (i = 0; i < rs->n; i++)
		for (k = 0; k < rs->r[i].nlogs; k++)
			n += is_registry_log(f, &rs->r[i].logs[k]);
	it->ev = n > 0 ? xreallocarray(NULL, n, sizeof(*it->ev)) : NULL;
	it->n = 0;
	for (i = 0; i < rs->n; i++)
		for (k = 0; k < rs->r[i].nlogs; k++, li++) {
			struct log_entry *l = &rs->r[i].logs[k];

			if (!is_registry_log(f, l))
				continue;
			it->ev[it->n].tx_index = i;
			it->ev[it->n].log_index = li;
			it->ev[it->n].log = *l;
			keccak256(it->ev[it->n].data_hash, l->data,
			    l->data_len);
			it->n++;
			l->data = NULL;		/* now it's */
		}
}

struct proof_job;

/* A batch's receipts being taken.  Events are applied as they come up to
 * final, which is known once the proof has answered: blocks that are
 * confirmed, and proved by it or by an earlier one. */
struct take_rs {
	struct follower *f;
	struct fblock *b;
	const size_t *idx;
	struct proof_job *job;
	uint64_t final;		/* blocks up to it are applied at the commit */
	int has_final;
	int decided;		/* final is known */
};

static int proof_wait(struct take_rs *t, char *msg, size_t msgsz);

/* Reads and verifies a block's receipts, in the thread that fetched them. */
static int
read_receipts(void *arg, size_t i, const char *res, size_t len, void *item,
    char *msg, size_t msgsz)
{
	const struct take_rs *t = arg;
	struct receipts rs;

	if (!receipts_read(&rs, &t->b[t->idx[i]], res, len, msg, msgsz))
		return 0;
	keep_events(t->f, item, &rs);
	receipts_free(&rs);
	return 1;
}

static void
block_row(struct store_block *r, const struct fblock *b)
{
	r->number = b->c.number;
	memcpy(r->hash, b->c.hash, 32);
	memcpy(r->parent_hash, b->parent_hash, 32);
	memcpy(r->state_root, b->state_root, 32);
	r->timestamp = b->timestamp;
}

/* Writes a block's registry events into the open transaction, with its
 * row; those final at the batch's commit are applied right away. */
static int
take_receipts(void *arg, size_t i, void *item, char *msg, size_t msgsz)
{
	struct take_rs *t = arg;
	struct fblock *b = &t->b[t->idx[i]];
	struct ritem *it = item;
	struct store_block row;
	struct store_event e;
	size_t k;
	int ok, final;

	if (!proof_wait(t, msg, msgsz)) {
		drop_ritem(it);
		return 0;
	}
	ok = 1;
	final = t->has_final && b->c.number <= t->final;
	b->nevents = it->n;
	if (it->n > 0) {
		block_row(&row, b);
		ok = store_add_block(t->f->st, &row, it->n, msg, msgsz);
	}
	for (k = 0; ok && k < it->n; k++) {
		const struct log_entry *l = &it->ev[k].log;

		e.block_number = b->c.number;
		memcpy(e.block_hash, b->c.hash, 32);
		e.tx_index = it->ev[k].tx_index;
		e.log_index = it->ev[k].log_index;
		e.topics = (const uint8_t (*)[32])l->topics;
		e.ntopics = l->ntopics;
		e.data = l->data;
		e.data_len = l->data_len;
		e.block_time = b->timestamp;
		e.data_hash = it->ev[k].data_hash;
		ok = store_add_event(t->f->st, &e, final, msg, msgsz);
	}
	/* When events of earlier blocks still waited (the last batch's
	 * window), the store kept these waiting too: all are applied now, in
	 * order, from their rows. */
	if (ok && it->n > 0 && final)
		ok = store_apply_through(t->f->st, b->c.number, msg, msgsz);
	drop_ritem(it);
	return ok;
}

/* A block's receipts as JSON weigh less than a byte per unit of gas it
 * used: a log costs at least 375 gas and its text about 330 bytes, a byte
 * of data 8 gas and 2 characters; a receipt without logs about 1 KiB. */
static uint64_t
receipts_weight(void *arg, size_t i)
{
	const struct take_rs *t = arg;

	return t->b[t->idx[i]].c.gas_used + 1024;
}

static const struct fetch_ops receipts_ops = {
	.what = "receipts",
	.max_per_call = FOLLOW_RECEIPTS_PER_CALL,
	.item_size = sizeof(struct ritem),
	/* The same from nodes without eth_getBlockReceipts. */
	.ask = receipts_fetch_text,
	.weight = receipts_weight,
	.read = read_receipts,
	.take = take_receipts,
	.drop = drop_ritem
};

/* Fetches the receipts of the blocks listed in t->idx[0..n) and writes
 * what they hold, as take_receipts says. */
static int
fetch_receipts(struct take_rs *t, size_t n, char *msg, size_t msgsz)
{
	uint64_t *nums = xreallocarray(NULL, n ? n : 1, sizeof(*nums));
	size_t i;
	int ok;

	for (i = 0; i < n; i++)
		nums[i] = t->b[t->idx[i]].c.number;
	ok = fetch_each(t->f->conns, t->f->nconns, &receipts_ops, t, nums, n,
	    &t->f->fetched, msg, msgsz);
	free(nums);
	return ok;
}

/* The digest proof ------------------------------------------------------ */

/* eth_getProof of slots 0 (eventCount) and 1 (eventDigest) at block h,
 * verified against h's stateRoot; absent account or slots read as zero. */
static int
prove_digest(struct follower *f, struct rpc_client *rpc,
    const struct fblock *b, uint64_t *count, uint8_t digest[32],
    int *refused, char *msg, size_t msgsz)
{
	struct eth_proof p;
	struct jerr je = { "", NULL };
	struct rpc_error e;
	char addr[43], q[19], slot0[67], slot1[67];
	const char *why;
	json_t *r;
	int exists, slot_exists, ok = 0;
	size_t i;

	*count = 0;
	*refused = 0;
	memset(digest, 0, 32);
	if (!rpc_call(rpc, &r, "eth_getProof", json_pack("[s[ss]s]",
	    hex_encode(addr, f->p.registry, 20),
	    hex_encode(slot0, registry_slot_count, 32),
	    hex_encode(slot1, registry_slot_digest, 32),
	    hex_format_u64(q, b->c.number)), &e)) {
		*refused = e.answer;
		if (*refused)	/* the node's own words, for the log */
			snprintf(msg, msgsz, "%.400s", e.msg);
		else
			snprintf(msg, msgsz, "registry proof at block %"
			    PRIu64 ": %.400s", b->c.number, e.msg);
		return 0;
	}
	memset(&p, 0, sizeof(p));
	if (!proof_from_json(&p, r, "$", &je)) {
		snprintf(msg, msgsz, "registry proof at block %" PRIu64
		    ": %s: %s", b->c.number, je.path, je.why);
		goto done;
	}
	/* Whole keys: slot 0x100 would pass a look at the last byte. */
	if (memcmp(p.address, f->p.registry, 20) != 0 || p.nslots != 2 ||
	    memcmp(p.slots[0].key, registry_slot_count, 32) != 0 ||
	    memcmp(p.slots[1].key, registry_slot_digest, 32) != 0) {
		snprintf(msg, msgsz, "registry proof at block %" PRIu64
		    ": it is not the proof asked for", b->c.number);
		goto done;
	}
	if (!proof_verify_account(&exists, &p, b->state_root, &why)) {
		snprintf(msg, msgsz, "registry proof at block %" PRIu64
		    ": account proof against stateRoot: %s", b->c.number, why);
		goto done;
	}
	if (!exists) {
		ok = 1;			/* not deployed yet: no events */
		goto done;
	}
	for (i = 0; i < 2; i++)
		if (!proof_verify_slot(&slot_exists, &p.slots[i],
		    p.storage_hash, &why)) {
			snprintf(msg, msgsz, "registry proof at block %" PRIu64
			    ": slot %zu: %s", b->c.number, i, why);
			goto done;
		}
	if (p.slots[0].value_len > 8) {
		snprintf(msg, msgsz, "registry proof at block %" PRIu64
		    ": eventCount does not fit 64 bits", b->c.number);
		goto done;
	}
	for (i = 0; i < p.slots[0].value_len; i++)
		*count = *count << 8 | p.slots[0].value[i];
	memcpy(digest + 32 - p.slots[1].value_len, p.slots[1].value,
	    p.slots[1].value_len);
	ok = 1;
done:
	proof_free(&p);
	json_decref(r);
	return ok;
}

/* committing ------------------------------------------------------------ */

static void
commit_hook(struct follower *f)
{
	if (f->on_commit != NULL)
		f->on_commit(f->on_commit_arg);
}

/* After the events are added: the proved count and digest must be the
 * ones the store computed from them. */
static int
digest_agrees(struct follower *f, uint64_t number, uint64_t count,
    const uint8_t digest[32], char *msg, size_t msgsz)
{
	struct store_cursor c;
	char a[67], b[67];

	if (!store_cursor(f->st, &c, msg, msgsz))
		return 0;
	if (c.event_count == count && memcmp(c.event_digest, digest, 32) == 0)
		return 1;
	snprintf(msg, msgsz, "registry digest mismatch at block %" PRIu64
	    ": the proved state has %" PRIu64 " events (digest %s), the "
	    "verified logs give %" PRIu64 " (digest %s): registry events are "
	    "missing or invented", number, count, hex_encode(a, digest, 32),
	    c.event_count, hex_encode(b, c.event_digest, 32));
	return 0;
}

/* The digest proof, asked on its own connection while the receipts are
 * fetched: the two waits on the node overlap. */
struct proof_job {
	struct follower *f;
	const struct fblock *b;
	uint64_t count;
	uint8_t digest[32];
	char msg[1024];
	int ok;
	int refused;		/* the node answered that it cannot */
	pthread_t th;
	int threaded, waited;
};

static void *
proof_thread(void *arg)
{
	struct proof_job *j = arg;

	j->ok = prove_digest(j->f, j->f->rpc_proof, j->b, &j->count, j->digest,
	    &j->refused, j->msg, sizeof(j->msg));
	return NULL;
}

/* Asks for the proof at the batch's last block on the second connection,
 * while the receipts come on the others. */
static void
proof_start(struct proof_job *j)
{
	j->threaded = j->f->rpc_proof != NULL &&
	    pthread_create(&j->th, NULL, proof_thread, j) == 0;
}

/* The proof's answer, once.  A node that answers that it cannot prove the
 * block (it keeps no state that old: most nodes keep 128 to 1,000 blocks'
 * worth) leaves the batch's events pending, to be proved with a later
 * batch's proof; any other failure fails the batch. */
static int
proof_join(struct proof_job *j, struct follower *f)
{
	if (j->waited)
		return j->ok || j->refused;
	j->waited = 1;
	if (j->threaded)
		pthread_join(j->th, NULL);
	else
		j->ok = prove_digest(f, f->rpc, j->b, &j->count, j->digest,
		    &j->refused, j->msg, sizeof(j->msg));
	return j->ok || j->refused;
}

/* Waits for the proof and sets what the batch applies: blocks that are
 * both confirmed (t->final, set by ingest) and proved. */
static int
proof_wait(struct take_rs *t, char *msg, size_t msgsz)
{
	struct proof_job *j = t->job;
	struct store_cursor c;

	if (t->decided)
		return 1;
	if (!proof_join(j, t->f)) {
		snprintf(msg, msgsz, "%s", j->msg);
		return 0;
	}
	if (!j->ok && t->has_final) {
		if (!store_cursor(t->f->st, &c, msg, msgsz))
			return 0;
		if (!c.has_proved)
			t->has_final = 0;
		else if (c.proved_number < t->final)
			t->final = c.proved_number;
	}
	t->decided = 1;
	return 1;
}

/* The rest of a batch once its events are written: the rows of the window's
 * blocks without events, the head, the proof's agreement, the events that
 * became final applied. */
static int
finish_batch(struct follower *f, struct fblock *b, size_t from, size_t n,
    const struct take_rs *t, const struct proof_job *job, int *mismatch,
    char *msg, size_t msgsz)
{
	const struct fblock *last = &b[n - 1];
	uint64_t conf = confirmations(f);
	struct store_block row;
	size_t i;

	for (i = from; i < n; i++) {
		if (b[i].state != NULL && !store_engine_put(f->st,
		    b[i].c.number, b[i].state, b[i].state_len, msg, msgsz))
			return 0;
		if (b[i].nevents > 0 || b[i].c.number + conf < last->c.number)
			continue;	/* written already, or outside the window */
		block_row(&row, &b[i]);
		if (!store_add_block(f->st, &row, 0, msg, msgsz))
			return 0;
	}
	block_row(&row, last);
	if (!store_set_head(f->st, &row, msg, msgsz))
		return 0;
	if (job->ok) {
		if (!digest_agrees(f, last->c.number, job->count, job->digest,
		    msg, msgsz)) {
			*mismatch = 1;
			return 0;
		}
		store_set_proved(f->st, last->c.number);
	}
	if (!t->has_final)
		return 1;
	return store_apply_through(f->st, t->final, msg, msgsz) &&
	    store_prune(f->st, last->c.number >= conf ?
	    last->c.number - conf : 0, msg, msgsz);
}

/* A proof the node could not give: said once, when it starts. */
static void
note_deferred(struct follower *f, const struct proof_job *j,
    struct follow_stats *stats)
{
	stats->proofs_deferred++;
	if (f->deferring)
		return;
	f->deferring = 1;
	log_warnx("registry proof at block %" PRIu64 " deferred: %s; the "
	    "events from here on stay pending (not served) until the node "
	    "proves a later block", j->b->c.number, j->msg);
}

static void
note_proved(struct follower *f, uint64_t number)
{
	if (!f->deferring)
		return;
	f->deferring = 0;
	log_info("registry proved at block %" PRIu64 ": the pending events "
	    "up to it are proved", number);
}

/* The engine state ----------------------------------------------------- */

/* Remembers the engine's state after b, the new head. */
static void
set_head_state(struct follower *f, const struct fblock *b)
{
	free(f->head_state);
	f->head_state = NULL;
	f->head_state_len = 0;
	f->has_head_state = b->state != NULL;
	f->head_state_number = b->c.number;
	if (b->state != NULL) {
		f->head_state = xmalloc(b->state_len);
		memcpy(f->head_state, b->state, b->state_len);
		f->head_state_len = b->state_len;
	}
}

/* Puts the engine back at the committed head after a failed batch. */
static void
restore_head_state(struct follower *f)
{
	const char *why;

	if (f->has_head_state && !engine_load(f->eng, f->head_state,
	    f->head_state_len, &why))
		log_warnx("engine state at block %" PRIu64 ": %s",
		    f->head_state_number, why);
}

/* Loads the engine's state after block number from the database.  An
 * engine with a state and none kept there cannot go on: 0 with msg. */
static int
load_state_at(struct follower *f, uint64_t number, char *msg, size_t msgsz)
{
	static uint8_t buf[ENGINE_STATE_MAX];
	const char *why;
	size_t len;
	int found;

	if (!engine_has_state(f->eng))
		return 1;
	if (!store_engine_get(f->st, number, buf, sizeof(buf), &len, &found,
	    msg, msgsz))
		return 0;
	if (!found) {
		snprintf(msg, msgsz, "no %s engine state is kept for block %"
		    PRIu64 " (was the database made with another chain.engine?"
		    " start from a new one)", f->eng->ops->name, number);
		return 0;
	}
	if (!engine_load(f->eng, buf, len, &why)) {
		snprintf(msg, msgsz, "engine state of block %" PRIu64 ": %s",
		    number, why);
		return 0;
	}
	free(f->head_state);
	f->head_state = xmalloc(len);
	memcpy(f->head_state, buf, len);
	f->head_state_len = len;
	f->head_state_number = number;
	f->has_head_state = 1;
	return 1;
}

/* The hint ------------------------------------------------------------- */

/* How likely a block's bloom is to match an address that logged nothing
 * in it: each of the address's 3 bits is set with the bloom's density. */
static double
bloom_false_match(const uint8_t bloom[BLOOM_BYTES])
{
	unsigned bits = 0;
	size_t i;
	double d;

	for (i = 0; i < BLOOM_BYTES; i++)
		bits += (unsigned)__builtin_popcount(bloom[i]);
	d = (double)bits / (8.0 * BLOOM_BYTES);
	return d * d * d;
}

/* Whether a batch whose blooms match blocks that may well hold no registry
 * log (expected: false, summed over the matches) should ask eth_getLogs
 * which of them do: not when the blooms are sparse (a registry-heavy chain,
 * where they are nearly exact and the logs a hint would carry weigh as
 * much as the receipts), not while the node refuses it or it saved little
 * lately, and only with no event pending, so that the batch's own proof
 * judges the hint and a lie costs this batch alone. */
static int
hint_wanted(struct follower *f, double false_matches)
{
	struct store_cursor c;
	char msg[256];

	if (f->hint == NULL || false_matches < FOLLOW_HINT_MIN_BLOCKS)
		return 0;
	if (f->hint_skip > 0) {
		f->hint_skip--;
		return 0;
	}
	if (!store_cursor(f->st, &c, msg, sizeof(msg)))
		return 0;
	return !c.has_head || (c.has_proved && c.proved_number == c.head_number);
}

/* Asks eth_getLogs of the registry over b[from..n); *out and *nout as
 * loghint_read gives them.  0 when the node did not give a usable hint. */
static int
hint_ask(struct follower *f, const struct fblock *b, size_t from, size_t n,
    struct loghint_block **out, size_t *nout)
{
	const char *method = "eth_getLogs", *why;
	char q0[19], q1[19], addr[43], *body = NULL;
	struct rpc_span span;
	struct rpc_error e;
	json_t *params;
	int ok;

	params = json_pack("[{ssssss}]", "fromBlock",
	    hex_format_u64(q0, b[from].c.number), "toBlock",
	    hex_format_u64(q1, b[n - 1].c.number), "address",
	    hex_encode(addr, f->p.registry, 20));
	if (!rpc_batch_text(f->hint, &body, &span, &method, &params, 1, &e)) {
		/* Refused, limited, or more logs than a hint is worth. */
		f->hint_skip = FOLLOW_HINT_SKIP;
		free(body);
		return 0;
	}
	ok = loghint_read(out, nout, span.p, span.len, f->p.registry,
	    b[from].c.number, b[n - 1].c.number, &why);
	if (!ok) {
		log_warnx("eth_getLogs of blocks %" PRIu64 "..%" PRIu64
		    ": %s; scanning their blooms", b[from].c.number,
		    b[n - 1].c.number, why);
		f->hint_skip = FOLLOW_HINT_SKIP;
	}
	free(body);
	return ok;
}

/* Narrows idx[0..*m) (the blocks of b whose bloom matched) to those the
 * node's eth_getLogs names; 1 when it did.  A hint that names one of our
 * blocks by another hash is of another branch: not used. */
static int
hint_narrow(struct follower *f, const struct fblock *b, size_t from,
    size_t n, size_t *idx, size_t *m)
{
	struct loghint_block *h;
	size_t nh, i, k = 0, kept = 0;

	if (!hint_ask(f, b, from, n, &h, &nh))
		return 0;
	for (i = 0; i < nh; i++)
		if (memcmp(h[i].hash, b[h[i].number - b[0].c.number].c.hash,
		    32) != 0) {
			free(h);
			return 0;
		}
	/* Both ascend: keep a bloom match the hint names.  A named block
	 * whose bloom cannot hold the registry's logs has none. */
	for (i = 0; i < *m; i++) {
		while (k < nh && h[k].number < b[idx[i]].c.number)
			k++;
		if (k < nh && h[k].number == b[idx[i]].c.number)
			idx[kept++] = idx[i];
	}
	free(h);
	if (2 * kept >= *m)	/* the blooms were nearly exact anyway */
		f->hint_skip = FOLLOW_HINT_SKIP;
	*m = kept;
	return 1;
}

/* Batches -------------------------------------------------------------- */

/* Verifies b[from..n) (headers already verified) and commits it as one
 * transaction, b[n-1] becoming the head.  The receipts of the blocks whose
 * bloom may hold registry logs (or, when use_hint and the node can prove
 * the batch, of those its eth_getLogs names among them) are checked
 * against their receiptsRoot and their registry events written (and
 * applied once final) into the open transaction as they come, while the
 * registry's digest is proved at b[n-1] on the second connection: the
 * node, the checks and SQLite work at once, and the batch's events are
 * never all in memory.  The transaction commits only when the proof agrees
 * with what was written, or, when the node cannot prove b[n-1], with the
 * events left pending; on any failure it is rolled back and nothing of the
 * batch remains.  A hint the proof disagrees with is dropped and the batch
 * verified again from the blooms. */
static int
ingest_batch(struct follower *f, struct fblock *b, size_t from, size_t n,
    int use_hint, struct follow_stats *stats, char *msg, size_t msgsz)
{
	struct proof_job job;
	struct take_rs t = { f, b, NULL, &job, 0, 0, 0 };
	uint64_t conf = confirmations(f), last = b[n - 1].c.number;
	size_t i, m = 0, *idx = xreallocarray(NULL, n, sizeof(*idx));
	int ok = 1, hinted = 0, mismatch = 0;
	double false_matches = 0;

	memset(&job, 0, sizeof(job));
	job.f = f;
	job.b = &b[n - 1];
	proof_start(&job);
	for (i = from; i < n; i++) {
		b[i].nevents = 0;
		if (bloom_may_contain(b[i].c.bloom, f->p.registry, 20)) {
			idx[m++] = i;
			false_matches += bloom_false_match(b[i].c.bloom);
		}
	}
	if (use_hint && hint_wanted(f, false_matches)) {
		if (!proof_join(&job, f)) {
			snprintf(msg, msgsz, "%s", job.msg);
			ok = 0;
		} else if (job.ok)
			hinted = hint_narrow(f, b, from, n, idx, &m);
	}
	t.idx = idx;
	t.has_final = last >= f->p.checkpoint_number + conf;
	t.final = t.has_final ? last - conf : 0;
	ok = ok && store_begin(f->st, msg, msgsz) &&
	    fetch_receipts(&t, m, msg, msgsz) && proof_wait(&t, msg, msgsz);
	free(idx);
	proof_join(&job, f);
	if (ok && !job.ok)
		note_deferred(f, &job, stats);
	if (ok)
		ok = finish_batch(f, b, from, n, &t, &job, &mismatch, msg,
		    msgsz);
	/* Caches built on the state are dropped just before the commit and
	 * again just after, so none survives it. */
	if (ok) {
		commit_hook(f);
		ok = store_commit(f->st, msg, msgsz);
		commit_hook(f);
	}
	if (!ok) {
		store_abort(f->st);
		restore_head_state(f);
		if (!hinted || !mismatch)
			return 0;
		stats->hint_lies++;
		f->hint_skip = FOLLOW_HINT_SKIP;
		log_warnx("eth_getLogs hint hid registry events in blocks %"
		    PRIu64 "..%" PRIu64 "; scanning their blooms",
		    b[from].c.number, last);
		return ingest_batch(f, b, from, n, 0, stats, msg, msgsz);
	}
	set_head_state(f, &b[n - 1]);
	if (job.ok)
		note_proved(f, last);
	for (i = from; i < n; i++)
		stats->events += b[i].nevents;
	stats->blocks = n - from;
	stats->receipts += m;
	stats->head = last;
	return 1;
}

static int
ingest(struct follower *f, struct fblock *b, size_t from, size_t n,
    struct follow_stats *stats, char *msg, size_t msgsz)
{
	return ingest_batch(f, b, from, n, 1, stats, msg, msgsz);
}

void
follow_free(struct follower *f)
{
	if (f == NULL)
		return;
	set_clients(f, NULL, NULL);
	free(f->head_state);
	free(f);
}

void
follow_reload(struct follower *f, struct rpc_client *rpc,
    struct rpc_client *rpc_proof, uint64_t batch_size, unsigned connections)
{
	f->p.batch_size = batch_size;
	f->p.connections = connections;
	set_clients(f, rpc, rpc_proof);
}

/* steps ----------------------------------------------------------------- */

/* The first batch starts at the checkpoint itself.  Its digest is proved
 * at the batch's last block, not at the checkpoint alone: some development
 * chains (anvil) give their genesis header the empty state root although
 * accounts are funded, so no proof verifies against it. */
static enum follow_status
from_checkpoint(struct follower *f, uint64_t nh, struct follow_stats *stats,
    char *msg, size_t msgsz)
{
	uint64_t n = nh - f->p.checkpoint_number;
	struct fblock *b;
	int ok;

	if (n > f->p.batch_size)
		n = f->p.batch_size;
	b = xcalloc((size_t)n + 1, sizeof(*b));
	ok = fetch_headers(f, b, f->p.checkpoint_number, (size_t)n + 1,
	    HC_CHECKPOINT, msg, msgsz) &&
	    ingest(f, b, 0, (size_t)n + 1, stats, msg, msgsz);
	fblocks_free(b, (size_t)n + 1);
	if (!ok)
		return FOLLOW_RETRY;
	return stats->head == nh ? FOLLOW_CAUGHT_UP : FOLLOW_PROGRESS;
}

/* The highest block in lo..hi the node and we agree on, from the node's
 * headers b[0..hi-lo]; 0 when there is none. */
static int
common_block(struct follower *f, const struct fblock *b, uint64_t lo,
    uint64_t hi, uint64_t *k, char *msg, size_t msgsz)
{
	uint8_t mine[32];
	int found;

	for (*k = hi + 1; (*k)-- > lo;) {
		if (!store_block_hash(f->st, *k, mine, &found, msg, msgsz))
			return -1;
		if (found && memcmp(mine, b[*k - lo].c.hash, 32) == 0)
			return 1;
		if (*k == lo)
			break;
	}
	return 0;
}

/* The node's branch from block k (ours too) on: its headers must link to
 * k and pass the engine from k's state before anything of ours goes.
 * Returns the branch (*n blocks, b[0] = k) or NULL with msg. */
static struct fblock *
verified_branch(struct follower *f, uint64_t k, uint64_t nh, size_t *n,
    char *msg, size_t msgsz)
{
	struct fblock *b;
	char tmp[768];

	*n = (size_t)(nh - k > f->p.batch_size ? f->p.batch_size : nh - k) + 1;
	b = xcalloc(*n, sizeof(*b));
	if (load_state_at(f, k, msg, msgsz) &&
	    fetch_headers(f, b, k, *n, HC_CHAIN, msg, msgsz))
		return b;
	fblocks_free(b, *n);
	snprintf(tmp, sizeof(tmp), "%s", msg);
	snprintf(msg, msgsz, "refused the node's branch from block %" PRIu64
	    ": %s; nothing rolled back", k + 1, tmp);
	restore_head_state(f);
	return NULL;
}

/* The node's chain no longer contains our head.  A node that is only
 * behind is waited for; a branch that leaves ours inside the window is
 * verified first (linkage and engine, from the block both share) and only
 * then replaces ours; one that leaves it below the window stops us. */
static enum follow_status
reorg(struct follower *f, const struct store_cursor *cur, uint64_t nh,
    struct follow_stats *stats, char *msg, size_t msgsz)
{
	uint64_t conf = confirmations(f), lo = cur->has_applied ?
	    cur->applied_number : f->p.checkpoint_number;
	uint64_t hi = nh < cur->head_number ? nh : cur->head_number, k;
	struct fblock *b;
	size_t n;
	int rc;

	/* Pending events are not applied: the window still ends at the
	 * confirmations. */
	if (cur->head_number >= lo + conf)
		lo = cur->head_number - conf;
	if (hi < lo) {
		snprintf(msg, msgsz, "the node's head %" PRIu64 " is below our "
		    "final block %" PRIu64 "; waiting for it", nh, lo);
		return FOLLOW_RETRY;
	}
	n = (size_t)(hi - lo + 1);
	b = xcalloc(n, sizeof(*b));
	if (!fetch_headers(f, b, lo, n, HC_HASHES, msg, msgsz)) {
		fblocks_free(b, n);
		return FOLLOW_RETRY;
	}
	rc = common_block(f, b, lo, hi, &k, msg, msgsz);
	fblocks_free(b, n);
	if (rc < 0)
		return FOLLOW_RETRY;
	if (rc == 0) {
		snprintf(msg, msgsz, "reorg deeper than the confirmation "
		    "window: the node's chain leaves ours at or below final "
		    "block %" PRIu64 " (chain.confirmations = %" PRIu64 "); "
		    "not following it", lo, confirmations(f));
		return FOLLOW_HALT;
	}
	if (k == nh) {
		snprintf(msg, msgsz, "the node's head %" PRIu64 " is behind our "
		    "verified head %" PRIu64 "; waiting for it", nh,
		    cur->head_number);
		return FOLLOW_RETRY;
	}
	if ((b = verified_branch(f, k, nh, &n, msg, msgsz)) == NULL)
		return FOLLOW_RETRY;
	commit_hook(f);
	if (!store_rewind(f->st, k, msg, msgsz)) {
		fblocks_free(b, n);
		restore_head_state(f);
		return FOLLOW_RETRY;
	}
	commit_hook(f);
	log_warnx("reorg: rolled back blocks %" PRIu64 "..%" PRIu64
	    " to follow the node's new branch", k + 1, cur->head_number);
	stats->head = k;
	/* The head is k now: a failure below goes back to k's state; the
	 * next step starts from whichever head is committed. */
	rc = load_state_at(f, k, msg, msgsz) &&
	    ingest(f, b, 1, n, stats, msg, msgsz);
	fblocks_free(b, n);
	return rc ? FOLLOW_PROGRESS : FOLLOW_RETRY;
}

enum follow_status
follow_step(struct follower *f, struct follow_stats *stats, char *msg,
    size_t msgsz)
{
	struct store_cursor cur;
	struct fblock *b;
	uint64_t nh, n;
	enum follow_status rc = FOLLOW_RETRY;
	const char *why;
	int diverged = 0;

	memset(stats, 0, sizeof(*stats));
	msg[0] = '\0';
	if (!store_cursor(f->st, &cur, msg, msgsz) ||
	    !node_head(f, &nh, msg, msgsz))
		return FOLLOW_RETRY;
	if (!engine_limit_head(f->eng, &nh, &why)) {
		snprintf(msg, msgsz, "%s", why);
		return FOLLOW_RETRY;
	}
	stats->node_head = nh;
	stats->head = cur.head_number;
	if (!cur.has_head) {
		if (nh < f->p.checkpoint_number) {
			snprintf(msg, msgsz, "the node's head %" PRIu64 " is "
			    "below the checkpoint %" PRIu64, nh,
			    f->p.checkpoint_number);
			return FOLLOW_RETRY;
		}
		return from_checkpoint(f, nh, stats, msg, msgsz);
	}
	/* Every step starts with the engine at the committed head. */
	if (!f->has_head_state || f->head_state_number != cur.head_number) {
		if (!load_state_at(f, cur.head_number, msg, msgsz))
			return FOLLOW_HALT;
	} else
		restore_head_state(f);
	if (nh < cur.head_number)
		return reorg(f, &cur, nh, stats, msg, msgsz);
	n = nh - cur.head_number;
	if (n > f->p.batch_size)
		n = f->p.batch_size;
	b = xcalloc((size_t)n + 1, sizeof(*b));
	if (!fetch_headers_from(f, b, cur.head_number, (size_t)n + 1, HC_CHAIN,
	    cur.head_hash, &diverged, msg, msgsz)) {
		if (diverged)
			rc = reorg(f, &cur, nh, stats, msg, msgsz);
		goto done;
	}
	if (n == 0)
		rc = FOLLOW_CAUGHT_UP;
	else if (ingest(f, b, 1, (size_t)n + 1, stats, msg, msgsz))
		rc = stats->head == nh ? FOLLOW_CAUGHT_UP : FOLLOW_PROGRESS;
done:
	fblocks_free(b, (size_t)n + 1);
	return rc;
}
