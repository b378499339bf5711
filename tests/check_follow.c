/* check_follow.c: the follower (src/follow.c) with a real JSON-RPC client,
 * a real SQLite store and engine none, against a node that replays answers
 * recorded from anvil (tests/rpcreplay.c, tests/data/follow): a sync, reorgs
 * inside and below the window, lies about receipts, headers and proofs, a
 * restart and a crash in the middle of a sync, and proofs the node refuses.
 * The cases of tests/reorg.sh, lying.sh and crash.sh, in milliseconds. */
#include "config.h"

#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "engine/engine.h"
#include "follow.h"
#include "rpc.h"
#include "rpcreplay.h"
#include "store.h"
#include "testutil.h"

#define RECORDING "follow/chain.json"
#define MAX_STEPS 64		/* far more than any case needs */

/* Loaded once, before the cases are forked. */
static json_t *recording;

/* One follower and what it borrows. */
struct fx {
	struct rpcreplay *rr;
	struct rpc_client *rpc, *rpc_proof;
	struct engine *eng;
	struct store *st;
	struct follower *f;
	struct follow_params p;
	struct store_identity id;
	char dir[64], db[96];
	char msg[1024];
	struct follow_stats stats;	/* of the last step */
	struct follow_stats sum;	/* of every step */
	sqlite3 *sql;			/* the test's own look at the file */
};

static const json_t *
rec_branch(const struct fx *x, char branch)
{
	char b[2] = { branch, '\0' };

	return json_object_get(json_object_get(rpcreplay_recording(x->rr),
	    "branches"), b);
}

static uint64_t
rec_head(const struct fx *x, char branch)
{
	return json_integer_value(json_object_get(rec_branch(x, branch),
	    "head"));
}

/* The recorded hash of block n on the branch. */
static void
rec_hash(const struct fx *x, char branch, uint64_t n, uint8_t out[32])
{
	const json_t *b = rpcreplay_block(x->rr, branch, n);
	const char *why;

	ck_assert_ptr_nonnull(b);
	ck_assert(hex_decode_fixed(out, 32, json_string_value(json_object_get(
	    json_object_get(b, "header"), "hash")), &why));
}

/* Recorded registry logs of the branch in blocks lo..hi. */
static uint64_t
rec_events_in(const struct fx *x, char branch, uint64_t lo, uint64_t hi)
{
	const json_t *l;
	uint64_t n, k = 0;
	size_t i;

	json_array_foreach(json_object_get(rec_branch(x, branch), "logs"), i,
	    l) {
		n = strtoull(json_string_value(json_object_get(l,
		    "blockNumber")), NULL, 16);
		k += n >= lo && n <= hi;
	}
	return k;
}

static void
fx_open_store(struct fx *x)
{
	ck_assert_msg(store_open(&x->st, x->db, &x->id, x->msg,
	    sizeof(x->msg)), "%s", x->msg);
}

static void
fx_open_follower(struct fx *x)
{
	const char *url = rpcreplay_url(x->rr), *why;
	struct rpc_options o;

	memset(&o, 0, sizeof(o));
	o.connect_timeout_ms = 2000;
	o.timeout_ms = 5000;
	o.max_response = 16u << 20;
	ck_assert_msg(rpc_client_new(&x->rpc, &url, 1, &o, &why), "%s", why);
	ck_assert_ptr_nonnull(x->rpc_proof = rpc_client_clone(x->rpc));
	ck_assert_msg(engine_create(&x->eng, "none", NULL, &why), "%s", why);
	x->f = follow_new(&x->p, x->rpc, x->rpc_proof, x->eng, x->st);
}

/* Where the databases go: memory when the system has it, since every
 * commit syncs the disk (synchronous FULL) and the cases commit hundreds of
 * batches; what is tested is the follower, not the disk. */
static const char *
tmp_dir(void)
{
	if (access("/dev/shm", W_OK) == 0)
		return "/dev/shm";
	return getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
}

/* A follower from the checkpoint (block 0) with a new database. */
static void
fx_init(struct fx *x, uint64_t confirmations, uint64_t batch_size,
    unsigned connections)
{
	const char *why, *reg;

	memset(x, 0, sizeof(*x));
	x->rr = rpcreplay_start(recording);
	reg = json_string_value(json_object_get(rpcreplay_recording(x->rr),
	    "registry"));
	x->id.chain_id = strtoull(json_string_value(json_object_get(
	    rpcreplay_recording(x->rr), "chainId")), NULL, 16);
	ck_assert(hex_decode_fixed(x->id.registry, 20, reg, &why));
	x->id.checkpoint_number = 0;
	rec_hash(x, 'a', 0, x->id.checkpoint_hash);
	x->p.chain_id = x->id.chain_id;
	memcpy(x->p.registry, x->id.registry, 20);
	x->p.checkpoint_number = 0;
	memcpy(x->p.checkpoint_hash, x->id.checkpoint_hash, 32);
	x->p.confirmations = confirmations;
	x->p.batch_size = batch_size;
	x->p.connections = connections;
	snprintf(x->dir, sizeof(x->dir), "%s/check_follow.XXXXXX", tmp_dir());
	ck_assert_ptr_nonnull(mkdtemp(x->dir));
	snprintf(x->db, sizeof(x->db), "%s/gw.db", x->dir);
	fx_open_store(x);
	fx_open_follower(x);
}

/* Frees the follower, its clients and engine, and closes the store: what
 * a stop of licgated leaves is the database alone. */
static void
fx_close(struct fx *x)
{
	sqlite3_close(x->sql);
	x->sql = NULL;
	follow_free(x->f);
	rpc_client_free(x->rpc);
	rpc_client_free(x->rpc_proof);
	engine_destroy(x->eng);
	store_close(x->st);
	x->f = NULL;
	x->rpc = x->rpc_proof = NULL;
	x->eng = NULL;
	x->st = NULL;
}

static void
fx_free(struct fx *x)
{
	char path[128];

	fx_close(x);
	rpcreplay_stop(x->rr);
	snprintf(path, sizeof(path), "%s-wal", x->db);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", x->db);
	unlink(path);
	unlink(x->db);
	rmdir(x->dir);
}

static enum follow_status
fx_step(struct fx *x)
{
	enum follow_status s = follow_step(x->f, &x->stats, x->msg,
	    sizeof(x->msg));

	x->sum.blocks += x->stats.blocks;
	x->sum.events += x->stats.events;
	x->sum.receipts += x->stats.receipts;
	x->sum.proofs_deferred += x->stats.proofs_deferred;
	x->sum.hint_lies += x->stats.hint_lies;
	return s;
}

/* Steps until the follower is caught up; fails the test on anything but
 * progress on the way. */
static void
fx_sync(struct fx *x)
{
	enum follow_status s;
	int i;

	for (i = 0; i < MAX_STEPS; i++) {
		s = fx_step(x);
		if (s == FOLLOW_CAUGHT_UP)
			return;
		ck_assert_msg(s == FOLLOW_PROGRESS, "step %d: status %d: %s",
		    i, (int)s, x->msg);
	}
	ck_abort_msg("not caught up after %d steps", MAX_STEPS);
}

static struct store_cursor
fx_cursor(struct fx *x)
{
	struct store_cursor c;

	ck_assert_msg(store_cursor(x->st, &c, x->msg, sizeof(x->msg)), "%s",
	    x->msg);
	return c;
}

static uint64_t
fx_pending(struct fx *x)
{
	uint64_t n;

	ck_assert_msg(store_pending(x->st, &n, x->msg, sizeof(x->msg)), "%s",
	    x->msg);
	return n;
}

/* The registry state the store serves, as licgatectl dump prints it. */
static json_t *
fx_dump(struct fx *x)
{
	json_t *d = store_dump(x->st, x->msg, sizeof(x->msg));

	ck_assert_msg(d != NULL, "%s", x->msg);
	return d;
}

/* The store holds the branch's chain up to its recorded head exactly: the
 * head's hash, every event (the count and the registry's running digest,
 * which covers each event in order), none pending, and the state a reader
 * of the chain's logs computes. */
static void
assert_equals_chain(struct fx *x, char branch)
{
	const json_t *br = rec_branch(x, branch);
	uint64_t head = rec_head(x, branch);
	struct store_cursor c = fx_cursor(x);
	uint8_t hash[32], digest[32];
	const char *why;
	json_t *d;

	rec_hash(x, branch, head, hash);
	ck_assert(c.has_head);
	ck_assert_uint_eq(c.head_number, head);
	ck_assert_mem_eq(c.head_hash, hash, 32);
	ck_assert_uint_eq(c.event_count, json_integer_value(json_object_get(br,
	    "count")));
	ck_assert(hex_decode_fixed(digest, 32, json_string_value(
	    json_object_get(br, "digest")), &why));
	ck_assert_mem_eq(c.event_digest, digest, 32);
	ck_assert(c.has_proved);
	ck_assert_uint_eq(c.proved_number, head);
	ck_assert_uint_eq(fx_pending(x), 0);
	d = fx_dump(x);
	if (!json_equal(d, json_object_get(br, "dump"))) {
		char *a = json_dumps(d, JSON_COMPACT), *b = json_dumps(
		    json_object_get(br, "dump"), JSON_COMPACT);

		ck_abort_msg("the store's state differs from the chain's:\n"
		    "store %.600s\nchain %.600s", a, b);
	}
	json_decref(d);
}

/* A sync from the checkpoint, in one batch or in many over several
 * connections, ends with the chain's events and state. */
START_TEST(sync_to_head)
{
	static const struct { uint64_t conf, batch; unsigned conns; } c[] = {
		{ 0, 100, 1 }, { 3, 7, 3 } };
	struct fx x;

	fx_init(&x, c[_i].conf, c[_i].batch, c[_i].conns);
	fx_sync(&x);
	assert_equals_chain(&x, 'a');
	ck_assert_uint_eq(x.sum.events, json_integer_value(json_object_get(
	    rec_branch(&x, 'a'), "count")));
	/* Quiet blocks' blooms spare their receipts. */
	ck_assert_uint_lt(x.sum.receipts, rec_head(&x, 'a') + 1);
	fx_free(&x);
}
END_TEST

/* The node's head passes the fork block by three blocks of branch a with
 * events, then the node switches to branch b: inside the window of 3
 * confirmations, a's blocks are rolled back and b's followed; the events
 * of a are gone and b's are served. */
START_TEST(reorg_inside_window)
{
	struct fx x;
	uint64_t fork, top;
	uint8_t mine[32], theirs[32];
	int found;

	fx_init(&x, 3, 16, 2);
	fork = json_integer_value(json_object_get(rpcreplay_recording(x.rr),
	    "fork"));
	top = fork + 3;
	ck_assert_uint_ne(rpcreplay_next_event_block(x.rr, 'a', fork), 0);
	ck_assert_uint_le(rpcreplay_next_event_block(x.rr, 'a', fork), top);
	rpcreplay_set_chain(x.rr, 'a', top);
	fx_sync(&x);
	ck_assert_uint_eq(fx_cursor(&x).head_number, top);
	/* a's events above the fork are stored, not yet confirmed. */
	ck_assert_uint_gt(rec_events_in(&x, 'a', fork + 1, top), 0);
	ck_assert_uint_eq(fx_cursor(&x).event_count, rec_events_in(&x, 'a', 0,
	    top));
	rpcreplay_set_chain(x.rr, 'b', rec_head(&x, 'b'));
	ck_assert_int_eq(fx_step(&x), FOLLOW_PROGRESS);
	/* The first block of b is stored in place of a's. */
	ck_assert(store_block_hash(x.st, fork + 1, mine, &found, x.msg,
	    sizeof(x.msg)));
	rec_hash(&x, 'b', fork + 1, theirs);
	ck_assert(found);
	ck_assert_mem_eq(mine, theirs, 32);
	fx_sync(&x);
	assert_equals_chain(&x, 'b');
	fx_free(&x);
}
END_TEST

/* The node switches to b but still answers with a's block just above the
 * fork: its branch does not link there, so it is refused before anything
 * of ours is rolled back; honest again, the node's branch b is followed. */
START_TEST(reorg_lying_branch_refused)
{
	struct fx x;
	struct store_cursor c0, c1;
	uint64_t fork;

	fx_init(&x, 3, 16, 2);
	fork = json_integer_value(json_object_get(rpcreplay_recording(x.rr),
	    "fork"));
	rpcreplay_set_chain(x.rr, 'a', fork + 3);
	fx_sync(&x);
	c0 = fx_cursor(&x);
	rpcreplay_set_chain(x.rr, 'b', rec_head(&x, 'b'));
	rpcreplay_set_lie(x.rr, RPCREPLAY_OTHER_BRANCH, fork + 1);
	ck_assert_int_eq(fx_step(&x), FOLLOW_RETRY);
	ck_assert_msg(strstr(x.msg, "parentHash does not link") != NULL &&
	    strstr(x.msg, "nothing rolled back") != NULL, "%s", x.msg);
	ck_assert_uint_gt(rpcreplay_lies(x.rr), 0);
	c1 = fx_cursor(&x);
	ck_assert_uint_eq(c1.head_number, c0.head_number);
	ck_assert_mem_eq(c1.head_hash, c0.head_hash, 32);
	ck_assert_uint_eq(c1.event_count, c0.event_count);
	ck_assert_mem_eq(c1.event_digest, c0.event_digest, 32);
	rpcreplay_set_lie(x.rr, RPCREPLAY_HONEST, 0);
	fx_sync(&x);
	assert_equals_chain(&x, 'b');
	fx_free(&x);
}
END_TEST

/* The node switches to b while we are at a's head, twelve blocks past the
 * fork: deeper than the window, so the follower stops, says why, and
 * rolls nothing back, at every later step too. */
START_TEST(reorg_below_window_halts)
{
	struct fx x;
	json_t *before, *after;
	struct store_cursor c0, c1;
	int i;

	fx_init(&x, 3, 16, 2);
	fx_sync(&x);
	assert_equals_chain(&x, 'a');
	c0 = fx_cursor(&x);
	before = fx_dump(&x);
	rpcreplay_set_chain(x.rr, 'b', rec_head(&x, 'b'));
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(fx_step(&x), FOLLOW_HALT);
		ck_assert_msg(strstr(x.msg, "reorg deeper than the confirmation "
		    "window") != NULL, "%s", x.msg);
	}
	c1 = fx_cursor(&x);
	ck_assert_uint_eq(c1.head_number, c0.head_number);
	ck_assert_mem_eq(c1.head_hash, c0.head_hash, 32);
	ck_assert_uint_eq(c1.event_count, c0.event_count);
	after = fx_dump(&x);
	ck_assert(json_equal(before, after));
	json_decref(before);
	json_decref(after);
	assert_equals_chain(&x, 'a');
	fx_free(&x);
}
END_TEST

/* Each lie about the blocks past our head is caught: the step fails with
 * the lie named, nothing is committed; once the node is honest again the
 * follower catches up with the chain. */
static const struct {
	enum rpcreplay_lie lie;
	int proof;		/* about the proof, at the batch's last block */
	const char *want;	/* in the message, after the block's number */
} lies[] = {
	{ RPCREPLAY_LOG_DATA, 0, "receiptsRoot mismatch" },
	{ RPCREPLAY_DROP_LOG, 0, "receipt 0: logsBloom does not match its "
	    "logs" },
	{ RPCREPLAY_HEADER_ROOT, 0, "header does not hash to its hash" },
	{ RPCREPLAY_PROOF_NODE, 1, "account proof against stateRoot" },
	{ RPCREPLAY_STALE_PROOF, 1, "account proof against stateRoot" },
};

START_TEST(lie_refused)
{
	struct fx x;
	uint64_t start = 20, top, target;
	struct store_cursor c0, c1;
	json_t *before, *after;
	char want[256];

	fx_init(&x, 0, 100, 2);
	top = rec_head(&x, 'a');
	rpcreplay_set_chain(x.rr, 'a', start);
	fx_sync(&x);
	c0 = fx_cursor(&x);
	before = fx_dump(&x);
	target = lies[_i].proof ? top :
	    rpcreplay_next_event_block(x.rr, 'a', start);
	ck_assert_uint_ne(target, 0);
	rpcreplay_set_chain(x.rr, 'a', top);
	rpcreplay_set_lie(x.rr, lies[_i].lie, target);
	ck_assert_int_eq(fx_step(&x), FOLLOW_RETRY);
	snprintf(want, sizeof(want), "%sblock %" PRIu64 ": %s",
	    lies[_i].proof ? "registry proof at " : "", target, lies[_i].want);
	ck_assert_msg(strstr(x.msg, want) != NULL, "'%s' does not say '%s'",
	    x.msg, want);
	ck_assert_uint_gt(rpcreplay_lies(x.rr), 0);
	c1 = fx_cursor(&x);
	ck_assert_uint_eq(c1.head_number, c0.head_number);
	ck_assert_uint_eq(c1.event_count, c0.event_count);
	ck_assert_mem_eq(c1.event_digest, c0.event_digest, 32);
	after = fx_dump(&x);
	ck_assert(json_equal(before, after));
	json_decref(after);
	json_decref(before);
	rpcreplay_set_lie(x.rr, RPCREPLAY_HONEST, 0);
	fx_sync(&x);
	assert_equals_chain(&x, 'a');
	fx_free(&x);
}
END_TEST

/* The recorded chain logs nothing but the registry: its blooms are sparse
 * and nearly exact, so the follower does not ask eth_getLogs (the hint
 * would carry the registry's logs a second time), and a node serving a
 * hiding hint fools nobody.  tests/hint_lie.sh has the busy chain whose
 * blooms call for the hint, and the hint caught lying. */
START_TEST(sparse_blooms_no_hint)
{
	struct fx x;

	fx_init(&x, 0, 100, 1);
	rpcreplay_set_lie(x.rr, RPCREPLAY_HINT_HIDE,
	    rpcreplay_next_event_block(x.rr, 'a', 10));
	fx_sync(&x);
	ck_assert_uint_eq(rpcreplay_calls(x.rr, "eth_getLogs"), 0);
	ck_assert_uint_eq(x.sum.hint_lies, 0);
	assert_equals_chain(&x, 'a');
	fx_free(&x);
}
END_TEST

/* Stopped after two batches and started again on the same database, the
 * follower resumes where it stopped and ends where a single run does. */
START_TEST(restart_resumes)
{
	struct fx x;
	uint64_t head;

	fx_init(&x, 2, 8, 2);
	ck_assert_int_eq(fx_step(&x), FOLLOW_PROGRESS);
	ck_assert_int_eq(fx_step(&x), FOLLOW_PROGRESS);
	head = fx_cursor(&x).head_number;
	ck_assert_uint_lt(head, rec_head(&x, 'a'));
	fx_close(&x);
	fx_open_store(&x);
	ck_assert_uint_eq(fx_cursor(&x).head_number, head);
	fx_open_follower(&x);
	fx_sync(&x);
	assert_equals_chain(&x, 'a');
	fx_free(&x);
}
END_TEST

/* A connection of the test's own to the database file, as an admin's
 * sqlite3 would have, read-only. */
static sqlite3 *
fx_sql(struct fx *x)
{
	if (x->sql == NULL)
		ck_assert_int_eq(sqlite3_open_v2(x->db, &x->sql,
		    SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	return x->sql;
}

/* The digest of the last stored event, as text ("" when there is none). */
static void
last_digest(struct fx *x, char out[67])
{
	sqlite3_stmt *q;

	ck_assert_int_eq(sqlite3_prepare_v2(fx_sql(x), "SELECT digest "
	    "FROM events ORDER BY seq DESC LIMIT 1", -1, &q, NULL), SQLITE_OK);
	out[0] = '\0';
	if (sqlite3_step(q) == SQLITE_ROW)
		snprintf(out, 67, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
}

static uint64_t
count_rows(struct fx *x, const char *sql)
{
	sqlite3_stmt *q;
	uint64_t n;

	ck_assert_int_eq(sqlite3_prepare_v2(fx_sql(x), sql, -1, &q,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	n = (uint64_t)sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* The commit hook runs just before and just after each commit: the
 * crash_at'th call kills the process, as kill -9 would. */
static unsigned crash_at, crash_hooks;

static void
crash_hook(void *arg)
{
	(void)arg;
	if (++crash_hooks == crash_at)
		raise(SIGKILL);
}

/* The follower's own process: syncs until it is killed (exit 0 if not). */
static void
crash_child(struct fx *x)
{
	fx_open_store(x);
	fx_open_follower(x);
	follow_set_commit_hook(x->f, crash_hook, NULL);
	for (;;)
		if (follow_step(x->f, &x->stats, x->msg, sizeof(x->msg)) ==
		    FOLLOW_CAUGHT_UP)
			_exit(0);
}

/* As crash.sh's kill -9, at the worst moments: with batches of 8 blocks,
 * the process is killed when the third batch (blocks 17..24) has every
 * event, block and the head written in its open transaction, just before
 * the commit; or just after it.  The database left is whole, its cursor
 * agrees with its events, it holds the committed batches and nothing of
 * the other; a new follower goes on from there to the chain's head. */
static const struct {
	unsigned hook;		/* the crash_hook call that kills */
	uint64_t head;		/* the head the database then has */
} crashes[] = { { 5, 16 }, { 6, 24 } };

START_TEST(crash_mid_sync)
{
	struct fx x;
	struct store_cursor c;
	sqlite3_stmt *q;
	char hex[67], last[67];
	int status;
	pid_t pid;

	fx_init(&x, 2, 8, 2);
	fx_close(&x);
	crash_at = crashes[_i].hook;
	if ((pid = fork()) == 0)
		crash_child(&x);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "the follower was not killed (status %d)", status);
	fx_open_store(&x);
	ck_assert_int_eq(sqlite3_prepare_v2(fx_sql(&x),
	    "PRAGMA integrity_check", -1, &q, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(q, 0), "ok");
	sqlite3_finalize(q);
	c = fx_cursor(&x);
	ck_assert_uint_eq(c.head_number, crashes[_i].head);
	ck_assert_uint_eq(count_rows(&x, "SELECT count(*) FROM events"),
	    c.event_count);
	ck_assert_uint_eq(c.event_count, rec_events_in(&x, 'a', 0,
	    crashes[_i].head));
	last_digest(&x, last);
	ck_assert_str_eq(last, hex_encode(hex, c.event_digest, 32));
	fx_open_follower(&x);
	fx_sync(&x);
	assert_equals_chain(&x, 'a');
	fx_free(&x);
}
END_TEST

/* A node that keeps no state below block 40 refuses the proofs of blocks
 * 11..30: their events are verified and kept pending, not served, the
 * proved block stays 10; the first proof it can give (block 40) proves
 * them all and they are served. */
START_TEST(pruned_proof_pending)
{
	struct fx x;
	struct store_cursor c;
	json_t *before, *after;

	fx_init(&x, 0, 100, 2);
	rpcreplay_set_chain(x.rr, 'a', 10);
	fx_sync(&x);
	c = fx_cursor(&x);
	ck_assert(c.has_proved);
	ck_assert_uint_eq(c.proved_number, 10);
	before = fx_dump(&x);
	rpcreplay_set_pruned(x.rr, 40);
	rpcreplay_set_chain(x.rr, 'a', 30);
	fx_sync(&x);
	c = fx_cursor(&x);
	ck_assert_uint_eq(c.head_number, 30);
	ck_assert_uint_eq(c.proved_number, 10);
	ck_assert_uint_gt(x.sum.proofs_deferred, 0);
	ck_assert_uint_gt(rec_events_in(&x, 'a', 11, 30), 0);
	ck_assert_uint_eq(fx_pending(&x), rec_events_in(&x, 'a', 11, 30));
	after = fx_dump(&x);
	ck_assert_msg(json_equal(before, after), "pending events are served");
	json_decref(after);
	json_decref(before);
	rpcreplay_set_chain(x.rr, 'a', rec_head(&x, 'a'));
	fx_sync(&x);
	assert_equals_chain(&x, 'a');
	fx_free(&x);
}
END_TEST

static Suite *
follow_suite(void)
{
	Suite *s = suite_create("follow");
	TCase *tc = tcase_create("replayed node");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, sync_to_head, 0, 2);
	tcase_add_test(tc, reorg_inside_window);
	tcase_add_test(tc, reorg_lying_branch_refused);
	tcase_add_test(tc, reorg_below_window_halts);
	tcase_add_loop_test(tc, lie_refused, 0,
	    (int)(sizeof(lies) / sizeof(lies[0])));
	tcase_add_test(tc, sparse_blooms_no_hint);
	tcase_add_test(tc, restart_resumes);
	tcase_add_loop_test(tc, crash_mid_sync, 0,
	    (int)(sizeof(crashes) / sizeof(crashes[0])));
	tcase_add_test(tc, pruned_proof_pending);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	const char *dir = getenv("LICGATE_TESTDATA");
	json_error_t e;
	char *path;
	int rc;

	/* Outside a case, where Check's assertions cannot report. */
	if (dir == NULL) {
		fprintf(stderr, "LICGATE_TESTDATA is not set (run via make "
		    "check)\n");
		return EXIT_FAILURE;
	}
	path = xasprintf("%s/%s", dir, RECORDING);
	if ((recording = json_load_file(path, 0, &e)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, e.text);
		free(path);
		return EXIT_FAILURE;
	}
	free(path);
	rc = tu_run(follow_suite());
	json_decref(recording);
	return rc;
}
