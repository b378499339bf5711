/* ctl_install_proof.c: `licgatectl install-proof SEQ`: the proof that
 * report SEQ was anchored on chain (install_proof.h), from the gateway's
 * database opened read-only: its batch found in the anchors table the
 * follower keeps of verified, final InstallsAnchored logs (not in the
 * installs columns licgated's anchoring fills), the batch's leaves read
 * again and their root checked against the anchored one. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/hex.h"
#include "conf.h"
#include "ctl.h"
#include "ctl_util.h"
#include "install_proof.h"
#include "rpc.h"
#include "store.h"
#include "xmalloc.h"

/* Anchors looked at for one report: a batch is anchored once per gateway,
 * and a database follows every gateway's anchors. */
#define IP_MAX_ANCHORS 64
/* The largest batch rebuilt, 32 MiB of leaves: ten times the most
 * licgated puts in one; another gateway's anchor may claim any count. */
#define IP_MAX_BATCH (1u << 20)

struct ip_opts {
	const char *conf;
	const char *db;
	const char *rpc;		/* for the transaction's hash */
	const char *out;
	uint64_t seq;
};

static int
ip_args(struct ip_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'D' },
		{ "rpc", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->conf = CTL_DEFAULT_CONF;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:o:h", longopts, NULL)) != -1)
		switch (ch) {
		case 'c': o->conf = optarg; break;
		case 'D': o->db = optarg; break;
		case 'r': o->rpc = optarg; break;
		case 'o': o->out = optarg; break;
		case 'h': return -1;
		default: return 0;
		}
	if (optind != argc - 1)
		return 0;
	return ctl_parse_u64(&o->seq, "SEQ", argv[optind]) ? 1 : 0;
}

/* Whether anchor a's batch is the one the report (leaf) is in: its
 * leaves all stored, leaf at seq's place and their root a's.  The path
 * goes to p. */
static int
ip_try(struct store *s, const struct store_install_anchor *a, uint64_t seq,
    const uint8_t leaf[32], struct install_proof *p, char *err, size_t errsz)
{
	uint8_t (*leaves)[32], root[32];
	int complete, ok = 0;

	if (a->count == 0 || a->count > IP_MAX_BATCH)
		return 1;
	leaves = xcalloc((size_t)a->count, 32);
	if (!store_install_leaves(s, a->first_seq, a->count, leaves,
	    &complete, err, errsz)) {
		free(leaves);
		return 0;
	}
	if (complete) {
		merkle_root(root, (const uint8_t (*)[32])leaves,
		    (size_t)a->count);
		ok = memcmp(root, a->root, 32) == 0 &&
		    memcmp(leaves[seq - a->first_seq], leaf, 32) == 0;
	}
	if (ok)
		p->npath = merkle_path(p->path, (const uint8_t (*)[32])leaves,
		    (size_t)a->count, (size_t)(seq - a->first_seq));
	free(leaves);
	return ok ? 2 : 1;
}

/* Says that report seq is not anchored yet, and how far licgated's
 * anchoring has taken it.  Returns CTL_MISMATCH, or CTL_BADINPUT on a
 * database error. */
static int
ip_not_yet(struct store *s, uint64_t seq)
{
	uint8_t tx[32];
	char err[512], hex[67];
	uint64_t batch;
	int has_tx;

	if (!store_install_batch(s, seq, &batch, &has_tx, tx, err,
	    sizeof(err))) {
		fprintf(stderr, "licgatectl: %s\n", err);
		return CTL_BADINPUT;
	}
	fprintf(stderr, "licgatectl: report %" PRIu64 " is not anchored yet "
	    "(no verified, final InstallsAnchored log of a batch holding it)",
	    seq);
	if (batch == 0)
		fprintf(stderr, "; it waits for a batch\n");
	else if (!has_tx)
		fprintf(stderr, "; it is in batch %" PRIu64 ", not sent yet\n",
		    batch);
	else
		fprintf(stderr, "; it is in batch %" PRIu64 ", sent in tx %s\n",
		    batch, hex_encode(hex, tx, 32));
	return CTL_MISMATCH;
}

/* Fills p's batch and anchor from the first anchor that holds the
 * report, the report's own gateway's first.  Returns CTL_OK,
 * CTL_MISMATCH when none does, or CTL_BADINPUT on a database error. */
static int
ip_find(struct store *s, struct install_proof *p, const uint8_t leaf[32],
    const uint8_t gateway[20])
{
	static struct store_install_anchor a[IP_MAX_ANCHORS];
	char err[512];
	size_t n, i;
	int r;

	if (!store_install_anchors(s, p->seq, gateway, a, IP_MAX_ANCHORS, &n,
	    err, sizeof(err)))
		goto fail;
	for (i = 0; i < n; i++) {
		if ((r = ip_try(s, &a[i], p->seq, leaf, p, err,
		    sizeof(err))) == 0)
			goto fail;
		if (r == 1)
			continue;
		memcpy(p->gateway, a[i].gateway, 20);
		memcpy(p->root, a[i].root, 32);
		p->first_seq = a[i].first_seq;
		p->count = a[i].count;
		p->leaf_index = p->seq - a[i].first_seq;
		p->block_number = a[i].block_number;
		memcpy(p->block_hash, a[i].block_hash, 32);
		p->tx_index = a[i].tx_index;
		p->log_index = a[i].log_index;
		return CTL_OK;
	}
	return ip_not_yet(s, p->seq);
fail:
	fprintf(stderr, "licgatectl: %s\n", err);
	return CTL_BADINPUT;
}

/* The report's bytes, and the device's key as the verified state holds
 * it (the verifier checks it against the device's address). */
static int
ip_report(struct store *s, struct install_proof *p, uint8_t leaf[32],
    struct lgv_install *r)
{
	static struct store_lookup l;
	char err[512];
	uint8_t *rep;
	size_t len;
	int found;

	if (!store_install_get(s, p->seq, &rep, &len, leaf, &found, err,
	    sizeof(err))) {
		fprintf(stderr, "licgatectl: %s\n", err);
		return CTL_BADINPUT;
	}
	if (!found) {
		fprintf(stderr, "licgatectl: no report %" PRIu64 "\n", p->seq);
		return CTL_BADINPUT;
	}
	if (len > sizeof(p->report) || lgv_install_decode(r, rep, len) !=
	    LGV_OK) {
		free(rep);
		fprintf(stderr, "licgatectl: report %" PRIu64 ": its stored "
		    "bytes do not decode\n", p->seq);
		return CTL_BADINPUT;
	}
	memcpy(p->report, rep, len);
	p->report_len = len;
	free(rep);
	if (!store_lookup_device(s, r->device, &l, err, sizeof(err)) ||
	    !l.device.found) {
		fprintf(stderr, "licgatectl: report %" PRIu64 ": its device is "
		    "not in the verified state\n", p->seq);
		return CTL_BADINPUT;
	}
	memcpy(p->device_key, l.device.public_key, l.device.public_key_len);
	p->device_key_len = l.device.public_key_len;
	return CTL_OK;
}

/* The anchoring transaction's hash, as the node lists the block's
 * transactions: informational (verify-install relies on the receipts).
 * Without a node, or when its block is another, the file says null. */
static void
ip_tx_hash(struct install_proof *p, const char *url)
{
	struct rpc_client *c;
	struct rpc_error err;
	json_t *blk = NULL, *tx;
	uint8_t hash[32];
	const char *why;
	char num[19];

	if (url == NULL || !ctl_rpc_open(&c, url, "install-proof"))
		return;
	if (!rpc_call(c, &blk, "eth_getBlockByNumber", json_pack("[sb]",
	    hex_format_u64(num, p->block_number), 0), &err))
		fprintf(stderr, "licgatectl: install-proof: %s (tx_hash left "
		    "null)\n", err.msg);
	else if (!json_is_string(json_object_get(blk, "hash")) ||
	    !hex_decode_fixed(hash, 32, json_string_value(json_object_get(blk,
	    "hash")), &why) || memcmp(hash, p->block_hash, 32) != 0)
		fprintf(stderr, "licgatectl: install-proof: the node's block "
		    "%" PRIu64 " is another (tx_hash left null)\n",
		    p->block_number);
	else if ((tx = json_array_get(json_object_get(blk, "transactions"),
	    (size_t)p->tx_index)) != NULL && json_is_string(tx) &&
	    hex_decode_fixed(p->tx_hash, 32, json_string_value(tx), &why))
		p->has_tx_hash = 1;
	json_decref(blk);
	rpc_client_free(c);
}

static int
ip_write(const struct install_proof *p, const char *path)
{
	json_t *j = install_proof_to_json(p);
	char *text = json_dumps(j, JSON_INDENT(2));
	size_t n = strlen(text);
	int rc;

	text[n] = '\n';		/* over the NUL: the file ends in a newline */
	rc = path == NULL && fwrite(text, 1, n + 1, stdout) == n + 1 ?
	    CTL_OK : path == NULL ? CTL_BADINPUT :
	    ctl_write_binary(path, (const uint8_t *)text, n + 1, "proof");
	free(text);
	json_decref(j);
	return rc;
}

static int
install_proof_run(const struct ctl_verb *self, int argc, char **argv)
{
	static struct install_proof p;
	struct store_identity id;
	struct lgv_install r;
	struct ip_opts o;
	struct store *s;
	uint8_t leaf[32];
	char *url = NULL;
	int rc;

	if ((rc = ip_args(&o, argc, argv)) != 1)
		return rc < 0 ? ctl_verb_help(self) : ctl_usage(self);
	if (!ctl_db_open(&s, &id, o.db, o.conf, o.rpc == NULL ? &url : NULL))
		return CTL_BADINPUT;
	if (o.rpc == NULL)
		o.rpc = url;
	memset(&p, 0, sizeof(p));
	p.seq = o.seq;
	p.chain_id = id.chain_id;
	memcpy(p.registry, id.registry, 20);
	if ((rc = ip_report(s, &p, leaf, &r)) == CTL_OK &&
	    (rc = ip_find(s, &p, leaf, r.gateway)) == CTL_OK) {
		ip_tx_hash(&p, o.rpc);
		rc = ip_write(&p, o.out);
	}
	store_close(s);
	free(url);
	return rc;
}

const struct ctl_verb ctl_verb_install_proof = {
	.name = "install-proof",
	.usage = "SEQ [-c FILE | --db PATH] [--rpc URL] [-o FILE]",
	.summary = "the proof that an install report was anchored on chain",
	.run = install_proof_run,
};
