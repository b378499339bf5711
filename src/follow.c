/* follow.c: one batch at a time, nothing committed before it is verified.
 * The order inside a step is: the node's head; headers from our head to the
 * batch's end (our head first, to notice a reorg); receipts of the blocks
 * whose bloom may hold the registry; the registry's two digest slots proved
 * at the batch's last block; then one store transaction. */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/blockcheck.h"
#include "chain/bloom.h"
#include "chain/hex.h"
#include "chain/proof.h"
#include "chain/receipts.h"
#include "follow.h"
#include "log.h"
#include "xmalloc.h"

#define FOLLOW_HEADERS_PER_CALL 100	/* headers per JSON-RPC batch */
#define FOLLOW_RECEIPTS_PER_CALL 16	/* blocks of receipts per batch */

struct follower {
	struct follow_params p;
	struct rpc_client *rpc;
	struct rpc_client *rpc_proof;	/* for the proof, asked in parallel */
	void (*on_commit)(void *);
	void *on_commit_arg;
	struct engine *eng;
	struct store *st;
	struct ahead *ahead;		/* NULL until a batch is prepared ahead */
};

/* A registry log of a verified block, with its position from the receipts;
 * the rest of the receipts is dropped once they are verified, so a batch
 * holds its headers and its events, not its receipts. */
struct fevent {
	uint64_t tx_index, log_index;
	struct log_entry log;		/* owns its data */
};

/* A verified block of the batch: what the follower needs of its header
 * (not the whole of it: a batch of whole headers would weigh ten times as
 * much) and the registry logs found in it. */
struct fblock {
	struct receipts_claim c;	/* number, hash, receiptsRoot, bloom */
	uint8_t parent_hash[32];
	uint8_t state_root[32];
	uint64_t timestamp;
	struct fevent *ev;
	size_t nevents;
};

/* A batch verified (headers, receipts, proof) but not yet committed. */
struct prepared {
	struct fblock *b;		/* b[from..n) is the batch */
	size_t from, n;
	uint64_t count;			/* the proved eventCount and digest */
	uint8_t digest[32];
	size_t receipts;		/* blocks whose receipts were fetched */
	int ok;
	char msg[1024];
};

/* The next batch, prepared in a thread while the current one commits: the
 * node serves it while SQLite writes. */
struct ahead {
	pthread_t th;
	int running;			/* th to join */
	int ready;			/* p holds a batch */
	uint64_t last_number;		/* the block it continues from */
	uint8_t last_hash[32];
	uint64_t node_head;
	struct prepared p;
};

struct follower *
follow_new(const struct follow_params *p, struct rpc_client *rpc,
    struct rpc_client *rpc_proof, struct engine *eng, struct store *st)
{
	struct follower *f = xcalloc(1, sizeof(*f));

	f->p = *p;
	f->rpc = rpc;
	f->rpc_proof = rpc_proof;
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
	return f->eng->ops->finality == ENGINE_FINAL_INSTANT ? 0 :
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
header_read(struct header *h, uint8_t hash[32], const char *r, size_t len,
    uint64_t n, char *msg, size_t msgsz)
{
	struct jerr e = { "", NULL };
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
	header_hash(hash, h);
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

/* Calls method for each block number in nums[0..n), per_call calls to a
 * JSON-RPC batch, and hands the text of answer i to take(); stops at the
 * first failure.  eth_getBlockByNumber also gets its "no transactions" flag. */
typedef int (*take_fn)(void *arg, size_t i, const char *res, size_t len,
    char *msg, size_t msgsz);

#define FOLLOW_MAX_PER_CALL 100

/* One JSON-RPC batch of a fetch: calls first..first+m-1 of nums. */
struct fetch_job {
	struct rpc_client *rpc;
	const char *method;
	const uint64_t *nums;
	size_t first, m;
	char *body;
	struct rpc_span res[FOLLOW_MAX_PER_CALL];
	struct rpc_error e;
	int ok;
};

static void *
fetch_job_run(void *arg)
{
	struct fetch_job *j = arg;
	const char *methods[FOLLOW_MAX_PER_CALL];
	json_t *params[FOLLOW_MAX_PER_CALL];
	int headers = strcmp(j->method, "eth_getBlockByNumber") == 0;
	char q[19];
	size_t k;

	for (k = 0; k < j->m; k++) {
		methods[k] = j->method;
		hex_format_u64(q, j->nums[j->first + k]);
		params[k] = headers ? json_pack("[sb]", q, 0) : json_pack("[s]", q);
	}
	j->ok = rpc_batch_text(j->rpc, &j->body, j->res, methods, params, j->m,
	    &j->e);
	return NULL;
}

/* Starts job (in a thread when one can be made, else right here). */
static int
fetch_job_start(struct fetch_job *j, pthread_t *th)
{
	if (pthread_create(th, NULL, fetch_job_run, j) == 0)
		return 1;
	fetch_job_run(j);
	return 0;
}

static int
fetch_each(struct follower *f, const char *method, const uint64_t *nums,
    size_t n, size_t per_call, take_fn take, void *arg, char *msg,
    size_t msgsz)
{
	/* The next batch is on its way while this one is read: the node and
	 * the reading overlap.  One batch at a time uses f->rpc. */
	struct fetch_job job[2];
	pthread_t th[2];
	int threaded[2] = { 0, 0 }, ok = 1;
	size_t i, k, c = 0;

	if (n == 0)
		return 1;
	memset(job, 0, sizeof(job));
	for (k = 0; k < 2; k++) {
		job[k].rpc = f->rpc;
		job[k].method = method;
		job[k].nums = nums;
	}
	job[0].m = n < per_call ? n : per_call;
	threaded[0] = fetch_job_start(&job[0], &th[0]);
	for (i = 0; i < n; i += job[c].m, c ^= 1) {
		struct fetch_job *j = &job[c], *next = &job[c ^ 1];

		if (threaded[c])
			pthread_join(th[c], NULL);
		threaded[c] = 0;
		if (j->ok && ok && i + j->m < n) {
			next->first = i + j->m;
			next->m = n - next->first < per_call ?
			    n - next->first : per_call;
			threaded[c ^ 1] = fetch_job_start(next, &th[c ^ 1]);
		}
		if (ok && !j->ok) {
			snprintf(msg, msgsz, "%s of block %" PRIu64 ": %.400s",
			    strcmp(method, "eth_getBlockByNumber") == 0 ?
			    "header" : "receipts", nums[i], j->e.msg);
			ok = 0;
		}
		for (k = 0; k < j->m && ok; k++)
			ok = take(arg, i + k, j->res[k].p, j->res[k].len, msg,
			    msgsz);
		free(j->body);
		j->body = NULL;
		if (!ok) {
			if (threaded[c ^ 1])
				pthread_join(th[c ^ 1], NULL);
			free(next->body);
			break;
		}
	}
	return ok;
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
	enum hcheck check;
	struct header *prev, *cur;	/* whole headers, two at a time */
};

/* Reads header i, checks it against header i-1 as asked and keeps what
 * the follower needs of it in out[i]. */
static int
take_header(void *arg, size_t i, const char *res, size_t len, char *msg,
    size_t msgsz)
{
	struct take_hs *t = arg;
	struct fblock *b = &t->out[i];
	struct follower *f = t->f;
	struct header *h = t->cur;
	uint8_t hash[32];
	char x[67], y[67];
	const char *why;

	if (!header_read(h, hash, res, len, b->c.number, msg, msgsz))
		return 0;
	if (i == 0 && t->check == HC_CHECKPOINT) {
		if (memcmp(hash, f->p.checkpoint_hash, 32) != 0) {
			snprintf(msg, msgsz, "checkpoint block %" PRIu64 " has "
			    "hash %s on the node, chain.checkpoint_hash is %s",
			    h->number, hex_encode(x, hash, 32),
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
	receipts_claim_of(&b->c, h, hash);
	memcpy(b->parent_hash, h->parent_hash, 32);
	memcpy(b->state_root, h->state_root, 32);
	b->timestamp = h->timestamp;
	t->cur = t->prev;
	t->prev = h;
	return 1;
}

/* Fetches headers first..first+n-1 into out[], each checked against its
 * own hash claim and, as check asks, against the one before. */
static int
fetch_headers(struct follower *f, struct fblock *out, uint64_t first,
    size_t n, enum hcheck check, char *msg, size_t msgsz)
{
	struct take_hs t = { f, out, check, NULL, NULL };
	uint64_t *nums = xreallocarray(NULL, n, sizeof(*nums));
	size_t i;
	int ok;

	t.prev = xmalloc(sizeof(*t.prev));
	t.cur = xmalloc(sizeof(*t.cur));
	for (i = 0; i < n; i++)
		out[i].c.number = nums[i] = first + i;	/* the number asked */
	ok = fetch_each(f, "eth_getBlockByNumber", nums, n,
	    FOLLOW_HEADERS_PER_CALL, take_header, &t, msg, msgsz);
	free(t.prev);
	free(t.cur);
	free(nums);
	return ok;
}

/* receipts ------------------------------------------------------------- */

static int
is_registry_log(const struct follower *f, const struct log_entry *l)
{
	return memcmp(l->address, f->p.registry, 20) == 0;
}

static void
free_events(struct fblock *b)
{
	size_t i;

	for (i = 0; i < b->nevents; i++)
		free(b->ev[i].log.data);
	free(b->ev);
	b->ev = NULL;
	b->nevents = 0;
}

/* Moves the registry's logs out of verified receipts into b->ev. */
static void
keep_events(const struct follower *f, struct fblock *b, struct receipts *rs)
{
	uint64_t li = 0;
	size_t i, k, n = 0;

	free_events(b);
	for (i = 0; i < rs->n; i++)
		for (k = 0; k < rs->r[i].nlogs; k++)
			n += is_registry_log(f, &rs->r[i].logs[k]);
	b->ev = n > 0 ? xreallocarray(NULL, n, sizeof(*b->ev)) : NULL;
	b->nevents = 0;
	for (i = 0; i < rs->n; i++)
		for (k = 0; k < rs->r[i].nlogs; k++, li++) {
			struct log_entry *l = &rs->r[i].logs[k];

			if (!is_registry_log(f, l))
				continue;
			b->ev[b->nevents].tx_index = i;
			b->ev[b->nevents].log_index = li;
			b->ev[b->nevents].log = *l;
			b->nevents++;
			l->data = NULL;		/* now b's */
		}
}

/* Reads a block's receipts from the answer's text, checks them against
 * its header and keeps its registry events. */
static int
receipts_read(const struct follower *f, struct fblock *b, const char *r,
    size_t len, char *msg, size_t msgsz)
{
	struct jerr e = { "", NULL };
	struct receipts rs;
	char tmp[512];
	int ok;

	while (len > 0 && (*r == ' ' || *r == '\t' || *r == '\r' || *r == '\n')) {
		r++;
		len--;
	}
	if (len == 0 || *r != '[') {
		snprintf(msg, msgsz, "block %" PRIu64 ": the node has no "
		    "receipts for it", b->c.number);
		return 0;
	}
	if (!receipts_from_text(&rs, r, len, "$", &e)) {
		snprintf(msg, msgsz, "block %" PRIu64 ": bad receipts: %s: %s",
		    b->c.number, e.path, e.why);
		return 0;
	}
	ok = blockcheck_receipts(&rs, &b->c, msg, msgsz);
	if (ok)
		keep_events(f, b, &rs);
	else {
		snprintf(tmp, sizeof(tmp), "block %" PRIu64 ": %s",
		    b->c.number, msg);
		snprintf(msg, msgsz, "%s", tmp);
	}
	receipts_free(&rs);
	return ok;
}

struct take_rs {
	const struct follower *f;
	struct fblock *b;
	const size_t *idx;
};

static int
take_receipts(void *arg, size_t i, const char *res, size_t len, char *msg,
    size_t msgsz)
{
	struct take_rs *t = arg;

	return receipts_read(t->f, &t->b[t->idx[i]], res, len, msg, msgsz);
}

/* Fetches and checks the receipts of the blocks listed in idx[0..n). */
static int
fetch_receipts(struct follower *f, struct fblock *b, const size_t *idx,
    size_t n, char *msg, size_t msgsz)
{
	struct take_rs t = { f, b, idx };
	uint64_t *nums = xreallocarray(NULL, n ? n : 1, sizeof(*nums));
	size_t i;
	int ok;

	for (i = 0; i < n; i++)
		nums[i] = b[idx[i]].c.number;
	ok = fetch_each(f, "eth_getBlockReceipts", nums, n,
	    FOLLOW_RECEIPTS_PER_CALL, take_receipts, &t, msg, msgsz);
	free(nums);
	return ok;
}

/* The digest proof ------------------------------------------------------ */

/* eth_getProof of slots 0 (eventCount) and 1 (eventDigest) at block h,
 * verified against h's stateRoot; absent account or slots read as zero. */
static int
prove_digest(struct follower *f, struct rpc_client *rpc,
    const struct fblock *b, uint64_t *count, uint8_t digest[32], char *msg,
    size_t msgsz)
{
	static const char slot0[] = "0x0000000000000000000000000000000000000000000000000000000000000000";
	static const char slot1[] = "0x0000000000000000000000000000000000000000000000000000000000000001";
	struct eth_proof p;
	struct jerr je = { "", NULL };
	struct rpc_error e;
	char addr[43], q[19];
	const char *why;
	json_t *r;
	int exists, slot_exists, ok = 0;
	size_t i;

	*count = 0;
	memset(digest, 0, 32);
	if (!rpc_call(rpc, &r, "eth_getProof", json_pack("[s[ss]s]",
	    hex_encode(addr, f->p.registry, 20), slot0, slot1,
	    hex_format_u64(q, b->c.number)), &e)) {
		snprintf(msg, msgsz, "registry proof at block %" PRIu64 ": %.400s",
		    b->c.number, e.msg);
		return 0;
	}
	memset(&p, 0, sizeof(p));
	if (!proof_from_json(&p, r, "$", &je)) {
		snprintf(msg, msgsz, "registry proof at block %" PRIu64
		    ": %s: %s", b->c.number, je.path, je.why);
		goto done;
	}
	if (memcmp(p.address, f->p.registry, 20) != 0 || p.nslots != 2 ||
	    p.slots[0].key[31] != 0 || p.slots[1].key[31] != 1) {
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

/* Adds the block's registry logs, with the positions the receipts give. */
static int
add_events(struct follower *f, const struct fblock *b, char *msg,
    size_t msgsz)
{
	struct store_event e;
	size_t i;

	for (i = 0; i < b->nevents; i++) {
		const struct log_entry *l = &b->ev[i].log;

		e.block_number = b->c.number;
		memcpy(e.block_hash, b->c.hash, 32);
		e.tx_index = b->ev[i].tx_index;
		e.log_index = b->ev[i].log_index;
		e.topics = (const uint8_t (*)[32])l->topics;
		e.ntopics = l->ntopics;
		e.data = l->data;
		e.data_len = l->data_len;
		if (!store_add_event(f->st, &e, msg, msgsz))
			return 0;
	}
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

/* Writes b[from..n) in one transaction; b[n-1] becomes the head. */
static int
commit_batch(struct follower *f, struct fblock *b, size_t from, size_t n,
    uint64_t count, const uint8_t digest[32], char *msg, size_t msgsz)
{
	const struct fblock *last = &b[n - 1];
	uint64_t conf = confirmations(f);
	struct store_block row;
	size_t i;

	if (!store_begin(f->st, msg, msgsz))
		return 0;
	for (i = from; i < n; i++) {
		if (b[i].nevents == 0 && b[i].c.number + conf < last->c.number)
			continue;	/* outside the window, nothing in it */
		block_row(&row, &b[i]);
		if (!store_add_block(f->st, &row, b[i].nevents, msg, msgsz) ||
		    !add_events(f, &b[i], msg, msgsz))
			goto fail;
	}
	block_row(&row, last);
	if (!store_set_head(f->st, &row, msg, msgsz) ||
	    !digest_agrees(f, last->c.number, count, digest, msg, msgsz))
		goto fail;
	if (last->c.number >= f->p.checkpoint_number + conf &&
	    (!store_apply_through(f->st, last->c.number - conf, msg, msgsz) ||
	    !store_prune(f->st, last->c.number - conf, msg, msgsz)))
		goto fail;
	/* Caches built on the state are dropped just before the commit and
	 * again just after, so none survives it. */
	commit_hook(f);
	if (!store_commit(f->st, msg, msgsz))
		return 0;
	commit_hook(f);
	return 1;
fail:
	store_abort(f->st);
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
};

static void *
proof_thread(void *arg)
{
	struct proof_job *j = arg;

	j->ok = prove_digest(j->f, j->f->rpc_proof, j->b, &j->count, j->digest,
	    j->msg, sizeof(j->msg));
	return NULL;
}

/* Fetches and verifies the receipts of b[from..n) (headers already
 * verified) and proves the registry's digest at b[n-1], into pr. */
static void
prepare_batch(struct follower *f, struct fblock *b, size_t from, size_t n,
    struct prepared *pr)
{
	struct proof_job job = { f, &b[n - 1], 0, { 0 }, "", 0 };
	size_t i, *idx = xreallocarray(NULL, n, sizeof(*idx)), m = 0;
	pthread_t th;
	int ok, threaded;

	pr->b = b;
	pr->from = from;
	pr->n = n;
	threaded = f->rpc_proof != NULL &&
	    pthread_create(&th, NULL, proof_thread, &job) == 0;
	for (i = from; i < n; i++)
		if (bloom_may_contain(b[i].c.bloom, f->p.registry, 20))
			idx[m++] = i;
	ok = fetch_receipts(f, b, idx, m, pr->msg, sizeof(pr->msg));
	free(idx);
	if (threaded)
		pthread_join(th, NULL);
	else
		job.ok = prove_digest(f, f->rpc, job.b, &job.count, job.digest,
		    job.msg, sizeof(job.msg));
	if (ok && !job.ok) {
		snprintf(pr->msg, sizeof(pr->msg), "%s", job.msg);
		ok = 0;
	}
	pr->count = job.count;
	memcpy(pr->digest, job.digest, 32);
	pr->receipts = m;
	pr->ok = ok;
}

static void
free_blocks(struct fblock *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free_events(&b[i]);
	free(b);
}

/* Preparing ahead ------------------------------------------------------- */

static void *
ahead_run(void *arg)
{
	struct follower *f = arg;
	struct ahead *a = f->ahead;
	uint64_t n = a->node_head - a->last_number;
	struct fblock *b;

	if (n > f->p.batch_size)
		n = f->p.batch_size;
	b = xcalloc((size_t)n + 1, sizeof(*b));
	a->p.b = b;
	a->p.from = 1;
	a->p.n = (size_t)n + 1;
	/* Block 0 again, so that block 1 is checked against it whole. */
	if (!fetch_headers(f, b, a->last_number, (size_t)n + 1, HC_CHAIN,
	    a->p.msg, sizeof(a->p.msg)) ||
	    memcmp(b[0].c.hash, a->last_hash, 32) != 0) {
		a->p.ok = 0;
		return NULL;
	}
	prepare_batch(f, b, 1, (size_t)n + 1, &a->p);
	return NULL;
}

/* Starts preparing the batch after last, up to node_head, in a thread. */
static void
ahead_start(struct follower *f, const struct fblock *last, uint64_t node_head)
{
	struct ahead *a;

	if (f->ahead == NULL)
		f->ahead = xcalloc(1, sizeof(*f->ahead));
	a = f->ahead;
	if (a->running || a->ready || last->c.number >= node_head)
		return;
	a->last_number = last->c.number;
	memcpy(a->last_hash, last->c.hash, 32);
	a->node_head = node_head;
	memset(&a->p, 0, sizeof(a->p));
	a->running = pthread_create(&a->th, NULL, ahead_run, f) == 0;
	a->ready = a->running;
}

static void
ahead_join(struct follower *f)
{
	if (f->ahead != NULL && f->ahead->running) {
		pthread_join(f->ahead->th, NULL);
		f->ahead->running = 0;
	}
}

/* Drops a prepared batch that will not be committed; the engine forgets
 * what it learnt from its headers. */
static void
ahead_discard(struct follower *f)
{
	struct ahead *a = f->ahead;

	ahead_join(f);
	if (a == NULL || !a->ready)
		return;
	if (a->p.b != NULL)
		free_blocks(a->p.b, a->p.n);
	memset(&a->p, 0, sizeof(a->p));
	a->ready = 0;
	engine_rewind(f->eng, a->last_number);
}

/* Takes the prepared batch when it continues our head cur, lies within the
 * node's chain as seen now (head nh) and was verified; 1 with *pr. */
static int
ahead_take(struct follower *f, const struct store_cursor *cur, uint64_t nh,
    struct prepared *pr)
{
	struct ahead *a = f->ahead;

	ahead_join(f);
	if (a == NULL || !a->ready || !a->p.ok ||
	    a->last_number != cur->head_number ||
	    memcmp(a->last_hash, cur->head_hash, 32) != 0 ||
	    a->p.b[a->p.n - 1].c.number > nh) {
		ahead_discard(f);
		return 0;
	}
	*pr = a->p;
	memset(&a->p, 0, sizeof(a->p));
	a->ready = 0;
	return 1;
}

void
follow_free(struct follower *f)
{
	if (f == NULL)
		return;
	ahead_discard(f);
	free(f->ahead);
	free(f);
}

void
follow_set_rpc(struct follower *f, struct rpc_client *rpc,
    struct rpc_client *rpc_proof)
{
	ahead_discard(f);		/* it may be using the old clients */
	f->rpc = rpc;
	f->rpc_proof = rpc_proof;
}

/* Commits a prepared batch; the next one is prepared meanwhile when the
 * node has more. */
static int
commit_prepared(struct follower *f, const struct prepared *pr,
    struct follow_stats *stats, char *msg, size_t msgsz)
{
	struct fblock *b = pr->b;
	size_t i;

	if (!pr->ok) {
		snprintf(msg, msgsz, "%s", pr->msg);
		return 0;
	}
	for (i = pr->from; i < pr->n; i++)
		stats->events += b[i].nevents;
	ahead_start(f, &b[pr->n - 1], stats->node_head);
	if (!commit_batch(f, b, pr->from, pr->n, pr->count, pr->digest, msg,
	    msgsz)) {
		stats->events = 0;
		ahead_discard(f);
		return 0;
	}
	stats->blocks = pr->n - pr->from;
	stats->receipts = pr->receipts;
	stats->head = b[pr->n - 1].c.number;
	return 1;
}

/* Verifies receipts and the digest of b[from..n) (headers already
 * verified) and commits them. */
static int
ingest(struct follower *f, struct fblock *b, size_t from, size_t n,
    struct follow_stats *stats, char *msg, size_t msgsz)
{
	struct prepared pr;

	memset(&pr, 0, sizeof(pr));
	prepare_batch(f, b, from, n, &pr);
	return commit_prepared(f, &pr, stats, msg, msgsz);
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
	free_blocks(b, (size_t)n + 1);
	if (!ok)
		return FOLLOW_RETRY;
	return stats->head == nh ? FOLLOW_CAUGHT_UP : FOLLOW_PROGRESS;
}

/* The node's chain no longer contains our head: find the highest kept
 * block it still has and roll back to it, within the window only. */
static enum follow_status
reorg(struct follower *f, const struct store_cursor *cur, uint64_t nh,
    struct follow_stats *stats, char *msg, size_t msgsz)
{
	uint64_t lo = cur->has_applied ? cur->applied_number :
	    f->p.checkpoint_number;
	uint64_t hi = nh < cur->head_number ? nh : cur->head_number, k;
	uint8_t mine[32];
	struct fblock *b;
	size_t n;
	int found;

	if (hi < lo) {
		snprintf(msg, msgsz, "the node's head %" PRIu64 " is below our "
		    "final block %" PRIu64 "; waiting for it", nh, lo);
		return FOLLOW_RETRY;
	}
	n = (size_t)(hi - lo + 1);
	b = xcalloc(n, sizeof(*b));
	if (!fetch_headers(f, b, lo, n, HC_HASHES, msg, msgsz)) {
		free_blocks(b, n);
		return FOLLOW_RETRY;
	}
	for (k = hi + 1; k-- > lo;) {
		if (!store_block_hash(f->st, k, mine, &found, msg, msgsz)) {
			free_blocks(b, n);
			return FOLLOW_RETRY;
		}
		if (found && memcmp(mine, b[k - lo].c.hash, 32) == 0)
			break;
		if (k == lo) {
			free_blocks(b, n);
			snprintf(msg, msgsz, "reorg deeper than the confirmation "
			    "window: the node's chain leaves ours at or below "
			    "final block %" PRIu64 " (chain.confirmations = %"
			    PRIu64 "); not following it", lo, confirmations(f));
			return FOLLOW_HALT;
		}
	}
	free_blocks(b, n);
	commit_hook(f);
	if (!store_rewind(f->st, k, msg, msgsz))
		return FOLLOW_RETRY;
	commit_hook(f);
	engine_rewind(f->eng, k);
	stats->head = k;
	log_warnx("reorg: rolled back blocks %" PRIu64 "..%" PRIu64
	    " to follow the node's new branch", k + 1, cur->head_number);
	return FOLLOW_PROGRESS;
}

enum follow_status
follow_step(struct follower *f, struct follow_stats *stats, char *msg,
    size_t msgsz)
{
	struct store_cursor cur;
	struct prepared pr;
	struct fblock *b;
	uint64_t nh, n;
	enum follow_status rc = FOLLOW_RETRY;

	memset(stats, 0, sizeof(*stats));
	msg[0] = '\0';
	ahead_join(f);			/* f->rpc is ours again */
	if (!store_cursor(f->st, &cur, msg, msgsz) ||
	    !node_head(f, &nh, msg, msgsz)) {
		ahead_discard(f);
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
		ahead_discard(f);
		return from_checkpoint(f, nh, stats, msg, msgsz);
	}
	if (nh < cur.head_number) {
		ahead_discard(f);
		return reorg(f, &cur, nh, stats, msg, msgsz);
	}
	if (ahead_take(f, &cur, nh, &pr)) {
		if (commit_prepared(f, &pr, stats, msg, msgsz))
			rc = stats->head == nh ? FOLLOW_CAUGHT_UP :
			    FOLLOW_PROGRESS;
		free_blocks(pr.b, pr.n);
		return rc;
	}
	n = nh - cur.head_number;
	if (n > f->p.batch_size)
		n = f->p.batch_size;
	b = xcalloc((size_t)n + 1, sizeof(*b));
	if (!fetch_headers(f, b, cur.head_number, (size_t)n + 1, HC_CHAIN, msg,
	    msgsz))
		goto done;
	if (memcmp(b[0].c.hash, cur.head_hash, 32) != 0) {
		rc = reorg(f, &cur, nh, stats, msg, msgsz);
		goto done;
	}
	if (n == 0)
		rc = FOLLOW_CAUGHT_UP;
	else if (ingest(f, b, 1, (size_t)n + 1, stats, msg, msgsz))
		rc = stats->head == nh ? FOLLOW_CAUGHT_UP : FOLLOW_PROGRESS;
done:
	free_blocks(b, (size_t)n + 1);
	return rc;
}
