/* daemon_anchor.c: anchoring install reports on chain (licgated(8),
 * ANCHORING INSTALL REPORTS).  One thread, with its own RPC client and
 * database connection, forms a batch of the waiting reports once
 * anchor.interval has passed or anchor.max_pending wait, signs the
 * registry's anchorInstalls call with the gateway's key, keeps the signed
 * transaction, then sends it.  One batch is in flight at a time, so that
 * its nonce is the only one of ours that matters.  A batch is anchored
 * only when the follower has verified its InstallsAnchored event in a
 * final block; until then the kept bytes are what a restart sends again,
 * and a transaction not mined after anchor.resend_after is signed again
 * with the same nonce and a higher fee, so that at most one lands. */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/hex.h"
#include "chain/tx.h"
#include "daemon.h"
#include "log.h"
#include "registry.h"
#include "verify/lgv.h"

/* What the loop reads of the configuration: copied under the lock, since
 * SIGHUP rewrites the configuration meanwhile. */
struct anchor_opts {
	uint64_t interval, max_pending, max_batch, resend_after, poll;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;		/* stop */
	int running, stop;
	pthread_t thread;
	struct daemon *d;
	struct store *db;		/* the loop's own connection */
	struct rpc_client *rpc;		/* the loop's own client */
	struct rpc_client *next_rpc;	/* a reload's, taken at the next tick */
	struct anchor_opts opts;
	/* The loop's alone: */
	int resent;			/* the kept transaction was sent by
					 * this run (a restart sends it again) */
	uint64_t next_check;		/* a mined anchor: when to ask again */
	char error[512];		/* the error noted last ("" none) */
} anchor = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
};

static uint64_t
now_s(void)
{
	return (uint64_t)time(NULL);
}

/* errors ------------------------------------------------------------- */

/* Keeps msg as the anchoring's error (status, /metrics), logging it
 * once while it lasts. */
static void __attribute__((format(printf, 2, 3)))
anchor_error(int no_funds, const char *fmt, ...)
{
	char msg[512], err[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (strcmp(msg, anchor.error) == 0)
		return;
	snprintf(anchor.error, sizeof(anchor.error), "%s", msg);
	if (!store_anchor_set_error(anchor.db, msg, no_funds, now_s(), err,
	    sizeof(err)))
		log_warnx("anchor: %s", err);
	log_warnx("anchor: %s", msg);
}

static void
anchor_clear_error(void)
{
	char err[256];

	if (anchor.error[0] == '\0')
		return;
	if (!store_anchor_set_error(anchor.db, NULL, 0, 0, err, sizeof(err)))
		log_warnx("anchor: %s", err);
	anchor.error[0] = '\0';
}

/* Whether a node's refusal says the account cannot pay. */
static int
no_funds_answer(const char *msg)
{
	return strcasestr(msg, "insufficient funds") != NULL ||
	    strcasestr(msg, "exceeds balance") != NULL;
}

/* the node ------------------------------------------------------------ */

/* Calls method and reads its result, a quantity, into *v. */
static int
node_u64(uint64_t *v, const char *method, json_t *params,
    struct rpc_error *e)
{
	const char *why;
	json_t *r;
	int ok;

	if (!rpc_call(anchor.rpc, &r, method, params, e))
		return 0;
	ok = json_is_string(r) && hex_quantity_u64(v, json_string_value(r),
	    &why);
	if (!ok)
		snprintf(e->msg, sizeof(e->msg), "%s: not a quantity", method);
	json_decref(r);
	return ok;
}

/* This gateway's address as 0x text. */
static const char *
gw_hex(char out[43])
{
	return hex_encode(out, anchor.d->address, 20);
}

/* The next nonce of ours at tag ("latest" or "pending"). */
static int
node_nonce(uint64_t *n, const char *tag, struct rpc_error *e)
{
	char a[43];

	return node_u64(n, "eth_getTransactionCount", json_pack("[ss]",
	    gw_hex(a), tag), e);
}

/* The latest header's number and base fee (*has_base 0 before London). */
static int
node_latest(uint64_t *number, int *has_base, uint64_t *base,
    struct rpc_error *e)
{
	const char *why, *n, *b;
	json_t *r;
	int ok;

	if (!rpc_call(anchor.rpc, &r, "eth_getBlockByNumber",
	    json_pack("[sb]", "latest", 0), e))
		return 0;
	n = json_string_value(json_object_get(r, "number"));
	b = json_string_value(json_object_get(r, "baseFeePerGas"));
	*has_base = b != NULL;
	ok = n != NULL && hex_quantity_u64(number, n, &why) &&
	    (b == NULL || hex_quantity_u64(base, b, &why));
	if (!ok)
		snprintf(e->msg, sizeof(e->msg), "eth_getBlockByNumber latest: "
		    "no number or base fee");
	json_decref(r);
	return ok;
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* The fees the chain wants now: EIP-1559 where the latest header has a
 * base fee (twice it, plus the node's tip, so that six full blocks in a
 * row do not price it out), else legacy at eth_gasPrice.  Zero is a
 * fee like any other (consortium chains). */
static int
node_fees(struct store_anchor_tx *t, uint64_t *head, struct rpc_error *e)
{
	uint64_t base = 0, price;
	int has_base;

	if (!node_latest(head, &has_base, &base, e) ||
	    !node_u64(&price, "eth_gasPrice", NULL, e))
		return 0;
	if (!has_base) {
		t->type = TX_LEGACY;
		t->gas_price = price;
		return 1;
	}
	t->type = TX_EIP1559;
	/* Nodes without eth_maxPriorityFeePerGas: the tip in eth_gasPrice. */
	if (!node_u64(&t->max_priority_fee, "eth_maxPriorityFeePerGas", NULL,
	    e))
		t->max_priority_fee = price > base ? price - base : 0;
	t->max_fee = sat_add(sat_add(base, base), t->max_priority_fee);
	return 1;
}

/* A fee 12.5 % higher, rounded up: the least raise geth and Besu take
 * for a replacement.  Zero stays zero (a chain without fees). */
static uint64_t
bump(uint64_t fee)
{
	return sat_add(fee, fee / 8 + (fee % 8 != 0));
}

/* The fee per gas t offers at most: its gas price, or its max fee. */
static uint64_t
tx_fee(const struct store_anchor_tx *t)
{
	return t->type == TX_LEGACY ? t->gas_price : t->max_fee;
}

/* t's fees: at least prev's raised by 12.5 %, at least the chain's now. */
static void
bump_fees(struct store_anchor_tx *t, const struct store_anchor_tx *prev)
{
	if (t->type != prev->type)
		return;		/* the chain changed its kind: a fresh fee */
	if (bump(prev->gas_price) > t->gas_price)
		t->gas_price = bump(prev->gas_price);
	if (bump(prev->max_fee) > t->max_fee)
		t->max_fee = bump(prev->max_fee);
	if (bump(prev->max_priority_fee) > t->max_priority_fee)
		t->max_priority_fee = bump(prev->max_priority_fee);
	if (t->max_priority_fee > t->max_fee)
		t->max_fee = t->max_priority_fee;
}

/* The call's gas as the node estimates it, a quarter more for the state
 * changing before it is mined.  A revert (the registry refuses this
 * gateway) is the node's answer in e. */
static int
node_gas(uint64_t *gas, const uint8_t *data, size_t len, struct rpc_error *e)
{
	char a[43], r[43], *hex = hex_encode_alloc(data, len);
	int ok;

	ok = node_u64(gas, "eth_estimateGas", json_pack("[{ssssss}]",
	    "from", gw_hex(a), "to", hex_encode(r, anchor.d->conf.registry, 20),
	    "data", hex), e);
	free(hex);
	if (ok)
		*gas = sat_add(*gas, *gas / 4);
	return ok;
}

/* Whether our balance pays gas at the transaction's highest fee; *need
 * and *have in wei for the message (have capped at 2^128 - 1). */
static int
node_funded(int *funded, const struct store_anchor_tx *t,
    unsigned __int128 *need, unsigned __int128 *have, struct rpc_error *e)
{
	uint8_t be[16];
	const char *why;
	char a[43];
	size_t len, i;
	json_t *r;

	*need = (unsigned __int128)t->gas_limit * (t->type == TX_LEGACY ?
	    t->gas_price : t->max_fee);
	if (!rpc_call(anchor.rpc, &r, "eth_getBalance", json_pack("[ss]",
	    gw_hex(a), "latest"), e))
		return 0;
	*have = 0;
	if (!json_is_string(r) || !hex_quantity_be(be, sizeof(be), &len,
	    json_string_value(r), &why)) {
		/* More than 16 bytes of wei is more than any fee. */
		*funded = json_is_string(r) && strlen(json_string_value(r)) > 34;
		*have = ~(unsigned __int128)0;
		json_decref(r);
		return 1;
	}
	json_decref(r);
	for (i = 0; i < len; i++)
		*have = *have << 8 | be[i];
	*funded = *have >= *need;
	return 1;
}

/* A 128-bit amount in decimal, into out. */
static const char *
u128_dec(char out[48], unsigned __int128 v)
{
	char *p = out + 47;

	*p = '\0';
	do {
		*--p = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v != 0);
	return p;
}

/* the batch in flight ------------------------------------------------- */

/* Whether a node's refusal says it has the transaction already (geth,
 * Besu, anvil word it each their way). */
static int
known_answer(const char *msg)
{
	return strcasestr(msg, "already known") != NULL ||
	    strcasestr(msg, "already imported") != NULL ||
	    strcasestr(msg, "known transaction") != NULL;
}

/* Sends b's kept transaction.  Returns 1 when the node has it (took it,
 * or knew it already). */
static int
send_tx(const struct store_anchor_batch *b)
{
	struct rpc_error e;
	char hex[67], err[256], *raw;
	json_t *r;
	int ok;

	raw = hex_encode_alloc(b->tx.raw, b->tx.raw_len);
	ok = rpc_call(anchor.rpc, &r, "eth_sendRawTransaction",
	    json_pack("[s]", raw), &e);
	free(raw);
	if (ok)
		json_decref(r);
	else if (e.answer && strcasestr(e.msg, "nonce too low") != NULL) {
		/* Mined already (ours, or another of this nonce): the next
		 * look after anchor.resend_after tells which. */
		log_debug("anchor: batch %" PRIu64 ": %s", b->id, e.msg);
		anchor.resent = 1;
		return 0;
	} else if (!e.answer || !known_answer(e.msg)) {
		anchor.resent = 0;	/* the same bytes, next tick */
		anchor_error(e.answer && no_funds_answer(e.msg), "the node "
		    "refused the anchor of batch %" PRIu64 ": %s", b->id, e.msg);
		return 0;
	}
	anchor.resent = 1;
	if (!store_anchor_sent(anchor.db, b->id, now_s(), err, sizeof(err)))
		log_warnx("anchor: %s", err);
	log_info("anchor: batch %" PRIu64 " (reports %" PRIu64 "..%" PRIu64
	    ") sent: transaction %s, nonce %" PRIu64 ", fee %" PRIu64 " wei/gas",
	    b->id, b->first_seq, b->first_seq + b->count - 1,
	    hex_encode(hex, b->tx.hash, 32), b->tx.nonce,
	    tx_fee(&b->tx));
	anchor_clear_error();
	return 1;
}

/* Signs t, the anchor of b, into t's raw bytes and hash. */
static int
sign_tx(struct store_anchor_tx *t, const struct store_anchor_batch *b)
{
	uint8_t call[REGISTRY_ANCHOR_CALL_LEN], *raw;
	const char *why;
	struct tx x;
	size_t len;

	registry_anchor_call(call, b->root, b->first_seq, b->count);
	memset(&x, 0, sizeof(x));
	x.type = t->type == TX_LEGACY ? TX_LEGACY : TX_EIP1559;
	x.chain_id = anchor.d->conf.chain_id;
	x.nonce = t->nonce;
	x.gas_limit = t->gas_limit;
	x.gas_price = t->gas_price;
	x.max_fee = t->max_fee;
	x.max_priority_fee = t->max_priority_fee;
	memcpy(x.to, anchor.d->conf.registry, 20);
	x.data = call;
	x.data_len = sizeof(call);
	if (!tx_sign(&raw, &len, t->hash, &x, anchor.d->seckey, &why)) {
		anchor_error(0, "cannot sign the anchor: %s", why);
		return 0;
	}
	if (len > sizeof(t->raw)) {
		free(raw);
		anchor_error(0, "the signed anchor is %zu bytes", len);
		return 0;
	}
	memcpy(t->raw, raw, len);
	t->raw_len = len;
	free(raw);
	return 1;
}

/* The fields of b's next transaction: the chain's fees (prev's raised
 * when it replaces prev, whose nonce it takes), gas, and a balance that
 * pays for them.  Returns 1, or 0 with the error noted. */
static int
tx_fields(struct store_anchor_tx *t, struct store_anchor_batch *b,
    const struct store_anchor_tx *prev)
{
	uint8_t call[REGISTRY_ANCHOR_CALL_LEN];
	unsigned __int128 need, have;
	char n1[48], n2[48];
	struct rpc_error e;
	uint64_t head;
	int funded;

	registry_anchor_call(call, b->root, b->first_seq, b->count);
	memset(t, 0, sizeof(*t));
	if (!node_fees(t, &head, &e) ||
	    (prev == NULL && !node_nonce(&t->nonce, "pending", &e))) {
		anchor_error(0, "asking the node for fees and nonce: %s", e.msg);
		return 0;
	}
	if (prev != NULL) {
		t->nonce = prev->nonce;
		bump_fees(t, prev);
		if (tx_fee(t) == 0) {
			/* No fee to raise (a chain without fees): prev
			 * again, not a new gas estimate, since a node takes
			 * another transaction of this nonce only for a
			 * higher fee. */
			log_info("anchor: batch %" PRIu64 ": no fee to raise "
			    "(the chain asks none): the same transaction "
			    "again", b->id);
			*t = *prev;
			return 1;
		}
	}
	if (!node_gas(&t->gas_limit, call, sizeof(call), &e)) {
		anchor_error(e.answer && no_funds_answer(e.msg), "the registry "
		    "refuses to anchor batch %" PRIu64 " (eth_estimateGas): %s",
		    b->id, e.msg);
		return 0;
	}
	if (!node_funded(&funded, t, &need, &have, &e)) {
		anchor_error(0, "eth_getBalance: %s", e.msg);
		return 0;
	}
	if (!funded) {
		anchor_error(1, "no funds: the gateway's account holds %s wei, "
		    "the anchor of batch %" PRIu64 " may cost %s wei; reports "
		    "are kept until it is funded", u128_dec(n1, have), b->id,
		    u128_dec(n2, need));
		return 0;
	}
	if (b->since_block == 0)
		b->since_block = head;
	return 1;
}

/* Signs b's anchor (replacing prev, or with a fresh nonce when prev is
 * NULL), keeps it, then sends it. */
static void
sign_and_send(struct store_anchor_batch *b, const struct store_anchor_tx *prev)
{
	struct store_anchor_tx t;
	char err[256];

	if (!tx_fields(&t, b, prev) || !sign_tx(&t, b))
		return;
	b->tx = t;
	b->has_tx = 1;
	/* Kept before it is sent: whatever happens next, a restart knows
	 * this transaction and sends these bytes, not others. */
	if (!store_anchor_set_tx(anchor.db, b, err, sizeof(err))) {
		anchor_error(0, "keeping the signed anchor: %s", err);
		return;
	}
	send_tx(b);
}

/* Whether the node has an InstallsAnchored of b's root by this gateway
 * since b's transaction was first signed.  The node is not trusted: this
 * only says whether to wait for the follower or to send again, and a
 * second anchor of a root costs gas but changes nothing. */
static int
node_has_anchor(int *has, const struct store_anchor_batch *b,
    struct rpc_error *e)
{
	char reg[43], gw[67], root[67], from[19];
	uint8_t word[32] = { 0 };
	json_t *r;

	memcpy(word + 12, anchor.d->address, 20);
	if (!rpc_call(anchor.rpc, &r, "eth_getLogs", json_pack("[{sssss[sss]}]",
	    "address", hex_encode(reg, anchor.d->conf.registry, 20),
	    "fromBlock", hex_format_u64(from, b->since_block),
	    "topics", registry_defs[REG_INSTALLS_ANCHORED].topic0,
	    hex_encode(gw, word, 32), hex_encode(root, b->root, 32)), e))
		return 0;
	*has = json_is_array(r) && json_array_size(r) > 0;
	json_decref(r);
	return 1;
}

/* b's transaction was sent anchor.resend_after ago and is not verified:
 * mined and waiting for its confirmations, or to be sent again. */
static void
stale(struct store_anchor_batch *b, const struct anchor_opts *o)
{
	struct rpc_error e;
	uint64_t latest;
	int has;

	if (!node_nonce(&latest, "latest", &e)) {
		anchor_error(0, "eth_getTransactionCount: %s", e.msg);
		return;
	}
	if (latest <= b->tx.nonce) {
		/* Not mined: stuck for its fee, dropped, or its block gone
		 * in a reorg.  The same nonce with a higher fee (or, on a
		 * chain without fees, the same transaction): whichever
		 * version is mined, only one is. */
		log_info("anchor: batch %" PRIu64 " not mined after %" PRIu64
		    " s: sending it again%s", b->id, o->resend_after,
		    tx_fee(&b->tx) == 0 ? "" : " with a higher fee");
		sign_and_send(b, &b->tx);
		return;
	}
	if (!node_has_anchor(&has, b, &e)) {
		anchor_error(0, "eth_getLogs: %s", e.msg);
		return;
	}
	if (has) {
		/* Mined; the follower marks it once it is final. */
		anchor.next_check = now_s() + o->resend_after;
		return;
	}
	log_warnx("anchor: nonce %" PRIu64 " of batch %" PRIu64 " was used by "
	    "another transaction, and the chain has no anchor of its root: "
	    "anchoring it again with a new nonce", b->tx.nonce, b->id);
	sign_and_send(b, NULL);
}

/* Whether this gateway may anchor now: a secp256k1 key the registry
 * authorises.  Notes why not. */
static int
may_send(void)
{
	int state = daemon_web_gw_state(anchor.d);

	if (anchor.d->alg != LGV_ALG_ES256K) {
		anchor_error(0, "the gateway's key is a P-256 key "
		    "(attestation.alg = ES256), which cannot sign a transaction: "
		    "install reports are kept, not anchored");
		return 0;
	}
	if (state == STORE_GW_WITHDRAWN)
		anchor_error(0, "the registry withdrew this gateway's key: "
		    "install reports are kept, not anchored");
	else if (state == STORE_GW_NONE)
		anchor_error(0, "the registry has not authorised this gateway's "
		    "key: install reports are kept, not anchored until it does");
	return state == STORE_GW_AUTHORISED;
}

/* The follower verified b's anchor at block, final: b and its reports
 * are anchored. */
static void
mark_anchored(const struct store_anchor_batch *b, uint64_t block)
{
	char err[256], hex[67];

	if (!store_anchor_mark(anchor.db, b->id, block, now_s(), err,
	    sizeof(err))) {
		anchor_error(0, "%s", err);
		return;
	}
	log_info("anchor: batch %" PRIu64 " (reports %" PRIu64 "..%" PRIu64
	    ", root %s) anchored at block %" PRIu64, b->id, b->first_seq,
	    b->first_seq + b->count - 1, hex_encode(hex, b->root, 32), block);
	anchor.next_check = 0;
	anchor_clear_error();
}

/* The batch in flight: anchored once verified, else sent (again) when
 * its time has come. */
static void
in_flight(struct store_anchor_batch *b, const struct anchor_opts *o)
{
	char err[256];
	uint64_t block, now = now_s();
	int found;

	if (!store_anchor_verified(anchor.db, anchor.d->address, b, &found,
	    &block, err, sizeof(err))) {
		anchor_error(0, "%s", err);
		return;
	}
	if (found) {
		mark_anchored(b, block);
		return;
	}
	if (!may_send())
		return;
	if (!b->has_tx)
		sign_and_send(b, NULL);
	else if (!anchor.resent)
		send_tx(b);	/* after a restart: the same bytes */
	else if (now >= b->sent_at + o->resend_after &&
	    now >= anchor.next_check)
		stale(b, o);
}

/* Whether waiting reports are due: max_pending of them, or the oldest
 * has waited anchor.interval. */
static int
due(const struct anchor_opts *o)
{
	uint64_t n, oldest;
	char err[256];

	if (!store_anchor_pending(anchor.db, &n, &oldest, err, sizeof(err))) {
		anchor_error(0, "%s", err);
		return 0;
	}
	return n > 0 && (n >= o->max_pending ||
	    now_s() >= sat_add(oldest, o->interval));
}

static void
tick(const struct anchor_opts *o)
{
	struct store_anchor_batch b;
	char err[256], hex[67];
	int found;

	if (!store_anchor_open(anchor.db, &b, &found, err, sizeof(err))) {
		anchor_error(0, "%s", err);
		return;
	}
	if (found) {
		in_flight(&b, o);
		return;
	}
	if (o->interval == 0 || !due(o) || !may_send())
		return;
	if (!store_anchor_form(anchor.db, o->max_batch, now_s(), &b, &found,
	    err, sizeof(err))) {
		anchor_error(0, "forming a batch: %s", err);
		return;
	}
	if (!found)
		return;
	log_info("anchor: batch %" PRIu64 " formed: reports %" PRIu64 "..%"
	    PRIu64 ", root %s", b.id, b.first_seq, b.first_seq + b.count - 1,
	    hex_encode(hex, b.root, 32));
	anchor.resent = 1;	/* nothing kept to send again */
	in_flight(&b, o);
}

/* thread ------------------------------------------------------------- */

/* Takes the reload's client and options; with the lock held. */
static void
take_reload(struct anchor_opts *o)
{
	if (anchor.next_rpc != NULL) {
		rpc_client_free(anchor.rpc);
		anchor.rpc = anchor.next_rpc;
		anchor.next_rpc = NULL;
	}
	*o = anchor.opts;
}

static void *
anchor_main(void *arg)
{
	struct anchor_opts o;
	struct timespec ts;

	(void)arg;
	pthread_mutex_lock(&anchor.lock);
	while (!anchor.stop) {
		take_reload(&o);
		pthread_mutex_unlock(&anchor.lock);
		tick(&o);
		pthread_mutex_lock(&anchor.lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)o.poll;
		while (!anchor.stop && pthread_cond_timedwait(&anchor.wake,
		    &anchor.lock, &ts) == 0)
			;
	}
	pthread_mutex_unlock(&anchor.lock);
	return NULL;
}

/* The options from d's configuration; with the lock held. */
static void
opts_from_conf(const struct daemon *d)
{
	anchor.opts.interval = d->conf.anchor_interval;
	anchor.opts.max_pending = d->conf.anchor_max_pending;
	anchor.opts.max_batch = d->conf.anchor_max_batch;
	anchor.opts.resend_after = d->conf.anchor_resend_after;
	anchor.opts.poll = d->conf.poll_interval;
}

int
daemon_anchor_start(struct daemon *d, char *err, size_t errsz)
{
	if (!store_open(&anchor.db, d->conf.db_path, &d->id, err, errsz))
		return 0;
	if ((anchor.rpc = rpc_client_clone(d->rpc)) == NULL) {
		snprintf(err, errsz, "anchor: cannot make an RPC connection");
		goto fail;
	}
	anchor.d = d;
	anchor.stop = 0;
	anchor.resent = 0;
	anchor.error[0] = '\0';
	opts_from_conf(d);
	if (pthread_create(&anchor.thread, NULL, anchor_main, NULL) != 0) {
		snprintf(err, errsz, "anchor: cannot start a thread");
		goto fail;
	}
	anchor.running = 1;
	return 1;
fail:
	rpc_client_free(anchor.rpc);
	anchor.rpc = NULL;
	store_close(anchor.db);
	anchor.db = NULL;
	return 0;
}

void
daemon_anchor_reload(struct daemon *d)
{
	struct rpc_client *c = rpc_client_clone(d->rpc);

	pthread_mutex_lock(&anchor.lock);
	opts_from_conf(d);
	if (c != NULL) {
		rpc_client_free(anchor.next_rpc);
		anchor.next_rpc = c;
	}
	pthread_mutex_unlock(&anchor.lock);
}

void
daemon_anchor_stop(void)
{
	if (!anchor.running)
		return;
	pthread_mutex_lock(&anchor.lock);
	anchor.stop = 1;
	pthread_cond_signal(&anchor.wake);
	pthread_mutex_unlock(&anchor.lock);
	pthread_join(anchor.thread, NULL);
	anchor.running = 0;
	rpc_client_free(anchor.rpc);
	rpc_client_free(anchor.next_rpc);
	anchor.rpc = anchor.next_rpc = NULL;
	store_close(anchor.db);
	anchor.db = NULL;
}
