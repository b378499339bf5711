/* ctl_init.c: `licgatectl init --rpc URL --registry ADDR [-o FILE]
 * [--force] [--db PATH] [--key PATH] [--checkpoint N] [--epoch N]`: the
 * configuration of a new gateway, from what one node says.  It finds the
 * registry's deployment block (a binary search on eth_getCode), reads the
 * chain id, guesses the consensus engine from the checkpoint's header and
 * writes gateway.conf with that block as the checkpoint.  Nothing here is
 * verified: the admin confirms the checkpoint hash from a second source,
 * and licgated checks everything else against it. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain/hex.h"
#include "conf.h"
#include "ctl.h"
#include "engine/clique.h"
#include "engine/engine.h"
#include "engine/qbft.h"
#include "registry.h"
#include "rpc.h"

#define INIT_MAX_SETTINGS 16

struct init_opts {
	const char *rpc;
	char addr[43];			/* --registry, lowercase 0x hex */
	const char *out;		/* -o FILE, or NULL for stdout */
	const char *db;			/* --db PATH */
	const char *key;		/* --key PATH */
	int force;
	int has_checkpoint;		/* --checkpoint N */
	uint64_t checkpoint;
	int has_epoch;			/* --epoch N */
	uint64_t epoch;
};

/* What the node said. */
struct init_found {
	uint64_t chain_id;
	uint64_t head;
	uint64_t deployed;		/* first block with code, or --checkpoint */
	int by_logs;			/* deployed found by eth_getLogs */
	uint64_t checkpoint;		/* deployed, or its epoch block */
	uint8_t hash[32];		/* the checkpoint's */
	const char *engine;		/* none, clique, qbft */
	uint8_t signers[QBFT_MAX_VALIDATORS][20];	/* the checkpoint lists */
	size_t nsigners;
	int signers_unknown;		/* clique without a listed set */
};

static int __attribute__((format(printf, 1, 2)))
fail_init(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "licgatectl: init: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return CTL_MISMATCH;
}

static int
parse_u64(uint64_t *out, const char *s, const char *what)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0) {
		fprintf(stderr, "licgatectl: init: %s: '%s' is not a block "
		    "number\n", what, s);
		return 0;
	}
	return 1;
}

static int
init_option(struct init_opts *o, int ch)
{
	uint8_t a[20];
	const char *why;

	switch (ch) {
	case 'r': o->rpc = optarg; return 1;
	case 'o': o->out = optarg; return 1;
	case 'f': o->force = 1; return 1;
	case 'D': o->db = optarg; return 1;
	case 'k': o->key = optarg; return 1;
	case 'c':
		o->has_checkpoint = 1;
		return parse_u64(&o->checkpoint, optarg, "--checkpoint");
	case 'e':
		o->has_epoch = 1;
		return parse_u64(&o->epoch, optarg, "--epoch") && o->epoch > 0;
	case 'a':
		if (!hex_decode_fixed(a, 20, optarg, &why)) {
			fprintf(stderr, "licgatectl: init: --registry: '%s': %s "
			    "(want 0x and 40 hex digits)\n", optarg, why);
			return 0;
		}
		hex_encode(o->addr, a, 20);
		return 1;
	}
	return 0;
}

static int
init_args(struct init_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rpc", required_argument, NULL, 'r' },
		{ "registry", required_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "db", required_argument, NULL, 'D' },
		{ "key", required_argument, NULL, 'k' },
		{ "checkpoint", required_argument, NULL, 'c' },
		{ "epoch", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->epoch = CLIQUE_EPOCH_DEFAULT;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1)
		if (!init_option(o, ch))
			return 0;
	return optind == argc && o->rpc != NULL && o->addr[0] != '\0';
}

/* node ------------------------------------------------------------------ */

/* A method whose answer is one quantity (eth_chainId, eth_blockNumber). */
static int
node_quantity(struct rpc_client *c, uint64_t *out, const char *method)
{
	struct rpc_error err;
	const char *why = "not a string";
	json_t *r;
	int ok;

	if (!rpc_call(c, &r, method, NULL, &err)) {
		fail_init("%s", err.msg);
		return 0;
	}
	ok = json_is_string(r) && hex_quantity_u64(out, json_string_value(r),
	    &why);
	json_decref(r);
	if (!ok)
		fail_init("%s: the answer is no quantity: %s", method, why);
	return ok;
}

/* Whether the registry has code at block n: 1 with *has, or 0 with msg;
 * *nostate is then 1 when the node answered with an error of its own (it
 * keeps no state for n) rather than failing to answer. */
static int
code_at(struct rpc_client *c, const struct init_opts *o, uint64_t n,
    int *has, int *nostate, char *msg, size_t msgsz)
{
	struct rpc_error err;
	const char *s;
	char q[19];
	json_t *r;

	*has = *nostate = 0;
	if (!rpc_call(c, &r, "eth_getCode", json_pack("[s, s]", o->addr,
	    hex_format_u64(q, n)), &err)) {
		*nostate = err.answer;
		snprintf(msg, msgsz, "%s", err.msg);
		return 0;
	}
	s = json_is_string(r) ? json_string_value(r) : "";
	if (strncmp(s, "0x", 2) != 0) {
		snprintf(msg, msgsz, "eth_getCode at block %" PRIu64 ": the "
		    "answer is no hex data", n);
		json_decref(r);
		return 0;
	}
	*has = s[2] != '\0';
	json_decref(r);
	return 1;
}

/* The block of the registry's constructor event (AdminTransferred from
 * the zero address) in 0..to, by eth_getLogs: receipts, which a pruned
 * node still keeps.  1 with *found, or 0 with msg. */
static int
constructor_block(struct rpc_client *c, const struct init_opts *o,
    uint64_t to, uint64_t *block, int *found, char *msg, size_t msgsz)
{
	static const char zero[] = "0x0000000000000000000000000000000000000000"
	    "000000000000000000000000";
	struct rpc_error err;
	const char *why = "";
	uint64_t n;
	json_t *r, *l;
	char q[19];
	size_t i;

	*found = 0;
	if (!rpc_call(c, &r, "eth_getLogs", json_pack("[{s:s, s:s, s:s, "
	    "s:[s, s]}]", "address", o->addr, "fromBlock", "0x0", "toBlock",
	    hex_format_u64(q, to), "topics",
	    registry_defs[REG_ADMIN_TRANSFERRED].topic0, zero), &err)) {
		snprintf(msg, msgsz, "%s", err.msg);
		return 0;
	}
	json_array_foreach(r, i, l) {
		if (!json_is_string(json_object_get(l, "blockNumber")) ||
		    !hex_quantity_u64(&n, json_string_value(json_object_get(l,
		    "blockNumber")), &why)) {
			snprintf(msg, msgsz, "eth_getLogs: a log without a block "
			    "number %s", why);
			json_decref(r);
			return 0;
		}
		if (!*found || n < *block)
			*block = n;
		*found = 1;
	}
	json_decref(r);
	return 1;
}

/* The node keeps no state for block n: the deployment block comes from
 * the constructor's event instead, or from the admin. */
static int
no_state(struct rpc_client *c, const struct init_opts *o,
    struct init_found *f, uint64_t n, const char *nostate)
{
	char msg[600] = "eth_getLogs finds no constructor event";
	int found = 0;

	fprintf(stderr, "licgatectl: init: the node keeps no state for block "
	    "%" PRIu64 " (a pruned node: %s); looking for the registry's "
	    "constructor event with eth_getLogs instead\n", n, nostate);
	if (constructor_block(c, o, f->head, &f->deployed, &found, msg,
	    sizeof(msg)) && found) {
		f->by_logs = 1;
		fprintf(stderr, "licgatectl: init:   block %" PRIu64 ": "
		    "AdminTransferred from the zero address\n", f->deployed);
		return CTL_OK;
	}
	return fail_init("%s, so the node cannot tell where the registry was "
	    "deployed.  Give its deployment block, or any block before it, "
	    "with --checkpoint N: the block number of its deployment "
	    "transaction's receipt, from a block explorer or an archive node",
	    msg);
}

/* The first block with the registry's code, which the head has: about
 * log2(head) calls, each shown on stderr. */
static int
find_deployment(struct rpc_client *c, const struct init_opts *o,
    struct init_found *f)
{
	uint64_t lo = 0, hi = f->head, mid;
	char msg[600];
	int has, nostate;

	fprintf(stderr, "licgatectl: init: looking for the block that "
	    "deployed %s in 0..%" PRIu64 "\n", o->addr, f->head);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (!code_at(c, o, mid, &has, &nostate, msg, sizeof(msg)))
			return nostate ? no_state(c, o, f, mid, msg) :
			    fail_init("%s", msg);
		fprintf(stderr, "licgatectl: init:   block %" PRIu64 ": %s\n",
		    mid, has ? "code" : "no code");
		if (has)
			hi = mid;
		else
			lo = mid + 1;
	}
	f->deployed = lo;
	return CTL_OK;
}

/* check_given on a pruned node: no constructor event before the
 * checkpoint, where the node's logs can tell. */
static int
given_by_logs(struct rpc_client *c, const struct init_opts *o)
{
	uint64_t n, before = o->checkpoint - 1;
	char msg[600];
	int found;

	if (!constructor_block(c, o, before, &n, &found, msg, sizeof(msg))) {
		fprintf(stderr, "licgatectl: init: the node keeps no state for "
		    "block %" PRIu64 " and eth_getLogs failed (%s): whether the "
		    "registry was deployed before the checkpoint is not checked; "
		    "make sure it was not (licgated would stop at its first "
		    "digest proof)\n", before, msg);
		return CTL_OK;
	}
	if (found)
		return fail_init("the registry was deployed at block %" PRIu64
		    " (its constructor's event): a checkpoint after it misses "
		    "its first events (give that block or an earlier one)", n);
	return CTL_OK;
}

/* --checkpoint N: a block at or before the deployment.  A checkpoint
 * after it would miss the registry's first events (licgated would stop at
 * the first digest proof); that is checked where the node can tell. */
static int
check_given(struct rpc_client *c, const struct init_opts *o,
    struct init_found *f)
{
	char msg[600], num[24];
	int has, nostate;

	if (o->checkpoint > f->head) {
		return fail_init("--checkpoint %" PRIu64 " is above the node's "
		    "head %" PRIu64, o->checkpoint, f->head);
	}
	f->deployed = o->checkpoint;
	if (o->checkpoint == 0)
		return CTL_OK;
	snprintf(num, sizeof(num), "%" PRIu64, o->checkpoint - 1);
	if (code_at(c, o, o->checkpoint - 1, &has, &nostate, msg, sizeof(msg))) {
		if (has)
			return fail_init("the registry has code at block %s "
			    "already: a checkpoint after its deployment misses "
			    "its first events (give its deployment block or an "
			    "earlier one)", num);
		return CTL_OK;
	}
	if (!nostate)
		return fail_init("%s", msg);
	return given_by_logs(c, o);
}

/* Block n's header, as the node gives it. */
static int
header_at(struct rpc_client *c, struct header *h, uint64_t n)
{
	struct jerr e = { "", NULL };
	struct rpc_error err;
	char q[19], num[24];
	json_t *r;
	int ok;

	snprintf(num, sizeof(num), "%" PRIu64, n);
	if (!rpc_call(c, &r, "eth_getBlockByNumber", json_pack("[s, b]",
	    hex_format_u64(q, n), 0), &err))
		return fail_init("%s", err.msg);
	if (!json_is_object(r)) {
		json_decref(r);
		return fail_init("the node has no block %s", num);
	}
	ok = header_from_json(h, r, "$", &e);
	json_decref(r);
	if (!ok)
		return fail_init("block %s: %s", num, e.why);
	return CTL_OK;
}

/* checkpoint ------------------------------------------------------------ */

/* The set an epoch block of engine lists; 0 when it lists none. */
static int
listed_set(struct init_found *f, const struct header *h, const char *engine)
{
	static struct qbft_extra x;
	const char *why;

	if (strcmp(engine_recognise(h), engine) != 0)
		return 0;
	if (strcmp(engine, "clique") == 0)
		return clique_extra_signers(f->signers, &f->nsigners, h, &why) &&
		    f->nsigners > 0;
	if (!qbft_extra_decode(&x, h->extra, h->extra_len, &why))
		return 0;
	memcpy(f->signers, x.validators, sizeof(x.validators));
	f->nsigners = x.nvalidators;
	return f->nsigners > 0;
}

/* Under clique and qbft the checkpoint moves back to the epoch block at or
 * before the deployment: it lists the signers (the set licgated starts
 * from) and no vote before it counts.  Where that block lists none (an
 * epoch other than --epoch), clique's set is left for the admin to fill. */
static int
epoch_block(struct rpc_client *c, const struct init_opts *o,
    struct init_found *f, struct header *h)
{
	static struct header e;
	uint64_t n = f->deployed - f->deployed % o->epoch;
	int rc, clique = strcmp(f->engine, "clique") == 0;

	if (strcmp(f->engine, "none") == 0)
		return CTL_OK;
	/* A Clique block that lists signers is an epoch block already. */
	if (n != f->deployed && !(clique && listed_set(f, h, f->engine))) {
		if ((rc = header_at(c, &e, n)) != CTL_OK)
			return rc;
		if (listed_set(f, &e, f->engine)) {
			*h = e;
			f->checkpoint = n;
			return CTL_OK;
		}
	}
	f->signers_unknown = !listed_set(f, h, f->engine) && clique;
	return CTL_OK;
}

/* The checkpoint's hash by the engine's rule; it must be what the node
 * says the block's hash is. */
static int
checkpoint_hash(struct init_found *f, const struct header *h)
{
	struct engine *e;
	char a[67], b[67];
	const char *why;
	int ok;

	if (!engine_create(&e, f->engine, NULL, &why))
		return fail_init("%s", why);
	ok = engine_hash(e, f->hash, h, &why);
	engine_destroy(e);
	if (!ok)
		return fail_init("the checkpoint's hash: %s", why);
	if (h->has_claimed_hash && memcmp(h->claimed_hash, f->hash, 32) != 0)
		return fail_init("the node says the checkpoint's hash is %s; its "
		    "header hashes to %s", hex_encode(a, h->claimed_hash, 32),
		    hex_encode(b, f->hash, 32));
	return CTL_OK;
}

static int
find_checkpoint(struct rpc_client *c, const struct init_opts *o,
    struct init_found *f)
{
	static struct header h;
	int rc;

	if ((rc = header_at(c, &h, f->deployed)) != CTL_OK)
		return rc;
	f->engine = engine_recognise(&h);
	f->checkpoint = f->deployed;
	if ((rc = epoch_block(c, o, f, &h)) != CTL_OK)
		return rc;
	return checkpoint_hash(f, &h);
}

/* The chain id, the head, the deployment block and the checkpoint. */
static int
init_probe(struct rpc_client *c, const struct init_opts *o,
    struct init_found *f)
{
	char msg[600];
	int has, nostate, rc;

	if (!node_quantity(c, &f->chain_id, "eth_chainId") ||
	    !node_quantity(c, &f->head, "eth_blockNumber"))
		return CTL_MISMATCH;
	if (!code_at(c, o, f->head, &has, &nostate, msg, sizeof(msg)))
		return fail_init("%s", msg);
	if (!has)
		return fail_init("no contract at %s on this chain (chain id %"
		    PRIu64 ": eth_getCode at its head %" PRIu64 " is empty)",
		    o->addr, f->chain_id, f->head);
	rc = o->has_checkpoint ? check_given(c, o, f) :
	    find_deployment(c, o, f);
	return rc == CTL_OK ? find_checkpoint(c, o, f) : rc;
}

/* the file -------------------------------------------------------------- */

/* The text of the settings (conf_setting points into it). */
struct init_text {
	char id[24], number[24], hash[67], epoch[24];
	char engine_why[512], cp_why[4096], reg_why[128];
	char list[QBFT_MAX_VALIDATORS * 44];
	struct conf_setting set[INIT_MAX_SETTINGS];
	size_t n;
};

static void
add(struct init_text *t, const char *name, const char *value,
    const char *why, int commented)
{
	struct conf_setting s = { name, value, why, commented };

	if (t->n < INIT_MAX_SETTINGS)
		t->set[t->n++] = s;
}

/* "0xa, 0xb, ..." of the set the checkpoint lists. */
static const char *
signer_list(struct init_text *t, const struct init_found *f)
{
	char hex[43];
	size_t i;

	t->list[0] = '\0';
	for (i = 0; i < f->nsigners; i++) {
		if (i > 0)
			strcat(t->list, ", ");
		strcat(t->list, hex_encode(hex, f->signers[i], 20));
	}
	return t->list;
}

static void
engine_why(struct init_text *t, const struct init_found *f)
{
	const char *what = strcmp(f->engine, "clique") == 0 ?
	    "its extraData holds a Clique seal; difficulty and mixHash are "
	    "Clique's" : strcmp(f->engine, "qbft") == 0 ? "its extraData is "
	    "BFT extra data and its hash the BFT block hash" : "it has neither "
	    "Clique's nor QBFT's fields, so no consensus is checked";
	int dev = f->chain_id == 31337 || f->chain_id == 1337;

	snprintf(t->engine_why, sizeof(t->engine_why), "recognised from block "
	    "%" PRIu64 "'s header: %s%s", f->deployed, what,
	    strcmp(f->engine, "none") == 0 && dev ? " (allowed on a "
	    "development chain's id)" : "");
}

static void
checkpoint_why(struct init_text *t, const struct init_opts *o,
    const struct init_found *f)
{
	char base[256];

	if (o->has_checkpoint)
		snprintf(base, sizeof(base), "given with --checkpoint");
	else if (f->by_logs)
		snprintf(base, sizeof(base), "block %" PRIu64 " deployed the "
		    "registry (its constructor's AdminTransferred event, by "
		    "eth_getLogs: the node keeps no state that old)", f->deployed);
	else
		snprintf(base, sizeof(base), "block %" PRIu64 " deployed the "
		    "registry (the first block with its code, found by a binary "
		    "search on eth_getCode)", f->deployed);
	if (f->checkpoint != f->deployed)
		snprintf(t->cp_why, sizeof(t->cp_why), "the %s epoch block at "
		    "or before block %" PRIu64 " (%s)", f->engine, f->deployed,
		    base);
	else
		snprintf(t->cp_why, sizeof(t->cp_why), "%s.\nlicgated reads the "
		    "checkpoint block's own receipts: the events of the "
		    "deployment (the constructor's AdminTransferred) are kept",
		    base);
	if (f->nsigners > 0)
		snprintf(t->cp_why + strlen(t->cp_why), sizeof(t->cp_why) -
		    strlen(t->cp_why), "\nIt lists the %s licgated starts from: "
		    "%s", strcmp(f->engine, "clique") == 0 ? "signers" :
		    "validators", signer_list(t, f));
}

static void
engine_advice(struct init_text *t, const struct init_opts *o,
    const struct init_found *f)
{
	if (f->signers_unknown)
		add(t, "chain.signers", NULL, "FILL IN: the Clique signers at "
		    "the checkpoint.  Its epoch block (number % chain.epoch == "
		    "0) lists them in extraData, but init found no list at the "
		    "epoch block before it: give --epoch if the chain's epoch "
		    "is not the one below, or take the set from the "
		    "consortium's operator", 1);
	if (o->has_epoch)
		add(t, "chain.epoch", t->epoch, "given with --epoch", 0);
	if (strcmp(f->engine, "none") == 0 && f->chain_id != 31337 &&
	    f->chain_id != 1337)
		add(t, "chain.node_is_trusted", "yes", "CHOOSE: licgated refuses "
		    "engine none on this chain until you either set chain.engine "
		    "= quorum with several independent rpc.url (a public "
		    "proof-of-stake chain), or say here that you trust this node "
		    "completely", 1);
}

static void
init_settings(struct init_text *t, const struct init_opts *o,
    const struct init_found *f)
{
	snprintf(t->id, sizeof(t->id), "%" PRIu64, f->chain_id);
	snprintf(t->number, sizeof(t->number), "%" PRIu64, f->checkpoint);
	snprintf(t->epoch, sizeof(t->epoch), "%" PRIu64, o->epoch);
	snprintf(t->reg_why, sizeof(t->reg_why), "given with --registry; its "
	    "code is there at block %" PRIu64, f->head);
	hex_encode(t->hash, f->hash, 32);
	engine_why(t, f);
	checkpoint_why(t, o, f);
	add(t, "rpc.url", o->rpc, "given with --rpc", 0);
	add(t, "chain.id", t->id, "eth_chainId of that endpoint", 0);
	add(t, "chain.engine", f->engine, t->engine_why, 0);
	add(t, "chain.checkpoint_number", t->number, t->cp_why, 0);
	add(t, "chain.checkpoint_hash", t->hash, "that block's hash as the "
	    "node gave it and as its header hashes.\nCONFIRM IT FROM A SECOND "
	    "SOURCE (a block explorer, another node, the consortium's "
	    "operator): it is the one thing the gateway trusts", 0);
	engine_advice(t, o, f);
	add(t, "registry.address", o->addr, t->reg_why, 0);
	if (o->db != NULL)
		add(t, "db.path", o->db, "given with --db", 0);
	if (o->key != NULL)
		add(t, "key.file", o->key, "given with --key", 0);
}

static int
print_conf(FILE *fp, const struct init_opts *o, const struct init_found *f)
{
	static struct init_text t;
	char header[512], shown[256], err[256];

	memset(&t, 0, sizeof(t));
	init_settings(&t, o, f);
	snprintf(header, sizeof(header), "gateway.conf: the licgate gateway's "
	    "configuration, written by licgatectl init from %s at its block "
	    "%" PRIu64 ".\nEvery option is listed; those init did not set are "
	    "commented out at their default.  See gateway.conf(5).",
	    rpc_redact(shown, sizeof(shown), o->rpc), f->head);
	if (!conf_print(fp, header, t.set, t.n, err, sizeof(err)))
		return fail_init("%s", err);
	return CTL_OK;
}

/* -o FILE: written to a temporary file beside it and moved into place,
 * so that a crash leaves the old file or the new one, never half of one;
 * without --force, link() refuses to replace a file that appeared since. */
static int
write_conf(const struct init_opts *o, const struct init_found *f)
{
	char tmp[PATH_MAX];
	FILE *fp = NULL;
	int fd, rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", o->out) >=
	    sizeof(tmp))
		return fail_init("%s: path too long", o->out);
	if ((fd = mkstemp(tmp)) < 0)
		return fail_init("%s: %s", tmp, strerror(errno));
	if (fchmod(fd, 0644) != 0 || (fp = fdopen(fd, "w")) == NULL) {
		rc = fail_init("%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if ((rc = print_conf(fp, o, f)) != CTL_OK)
		goto fail;
	if (fflush(fp) != 0 || fsync(fd) != 0) {
		rc = fail_init("%s: %s", tmp, strerror(errno));
		goto fail;
	}
	fclose(fp);
	fp = NULL;
	if (o->force ? rename(tmp, o->out) != 0 : link(tmp, o->out) != 0) {
		rc = errno == EEXIST ? (fail_init("%s exists (use --force to "
		    "replace it)", o->out), CTL_BADINPUT) : fail_init("%s: %s",
		    o->out, strerror(errno));
		goto fail;
	}
	if (!o->force)
		unlink(tmp);
	return CTL_OK;
fail:
	if (fp != NULL)
		fclose(fp);
	else if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rc == CTL_OK ? CTL_MISMATCH : rc;
}

/* What the admin must know: the checkpoint, and that its hash needs a
 * second source. */
static void
init_report(FILE *fp, const struct init_opts *o, const struct init_found *f)
{
	char hex[67];

	if (o->out != NULL)
		fprintf(fp, "wrote %s (mode 0644)\n", o->out);
	fprintf(fp, "chain id    %" PRIu64 "\n", f->chain_id);
	fprintf(fp, "registry    %s, %s block %" PRIu64 "\n", o->addr,
	    o->has_checkpoint ? "deployed at or after" : "deployed at",
	    f->deployed);
	fprintf(fp, "engine      %s\n", f->engine);
	fprintf(fp, "checkpoint  block %" PRIu64 " %s\n", f->checkpoint,
	    hex_encode(hex, f->hash, 32));
	fprintf(fp, "\nCONFIRM THE CHECKPOINT HASH FROM A SECOND SOURCE before "
	    "starting licgated:\na block explorer, another node or the "
	    "consortium's operator must show block\n%" PRIu64 " with hash %s.\n"
	    "It is the one thing the gateway trusts; this node alone could "
	    "have made it up.\n", f->checkpoint, hex);
	if (f->signers_unknown)
		fprintf(fp, "\nINCOMPLETE: fill in chain.signers (the Clique "
		    "signers at block %" PRIu64 ") before starting licgated.\n",
		    f->checkpoint);
	if (strcmp(f->engine, "none") == 0 && f->chain_id != 31337 &&
	    f->chain_id != 1337)
		fprintf(fp, "\nINCOMPLETE: engine none on chain %" PRIu64 ": "
		    "choose chain.engine = quorum or chain.node_is_trusted = yes "
		    "(see the file).\n", f->chain_id);
}

static int
init_connect(struct rpc_client **c, const char *url)
{
	const struct rpc_options opt = { 5000, 30000, 16u << 20, 2, 200,
	    2000, NULL };
	const char *why;

	if (!rpc_client_new(c, &url, 1, &opt, &why)) {
		fprintf(stderr, "licgatectl: init: --rpc: %s\n", why);
		return CTL_BADINPUT;
	}
	return CTL_OK;
}

static int
init_run(const struct ctl_verb *self, int argc, char **argv)
{
	static struct init_found f;
	struct rpc_client *c;
	struct init_opts o;
	struct stat st;
	int rc;

	if (!init_args(&o, argc, argv))
		return ctl_usage(self);
	/* Refused before the search, and again when the file is put in place. */
	if (o.out != NULL && !o.force && lstat(o.out, &st) == 0) {
		fprintf(stderr, "licgatectl: init: %s exists (use --force to "
		    "replace it)\n", o.out);
		return CTL_BADINPUT;
	}
	if ((rc = init_connect(&c, o.rpc)) != CTL_OK)
		return rc;
	memset(&f, 0, sizeof(f));
	rc = init_probe(c, &o, &f);
	rpc_client_free(c);
	if (rc != CTL_OK)
		return rc;
	rc = o.out != NULL ? write_conf(&o, &f) : print_conf(stdout, &o, &f);
	if (rc == CTL_OK)
		init_report(o.out != NULL ? stdout : stderr, &o, &f);
	return rc;
}

const struct ctl_verb ctl_verb_init = {
	.name = "init",
	.usage = "--rpc URL --registry ADDR [-o FILE] [--force] "
	    "[--db PATH] [--key PATH] [--checkpoint N] [--epoch N]",
	.summary = "write a new gateway's gateway.conf from what a node says",
	.run = init_run,
};
