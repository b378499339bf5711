/* ctl_verify_install.c: `licgatectl verify-install FILE --rpc URL`: checks
 * an install proof (install_proof.h) against a chain the way licgated
 * checks what it follows, trusting neither the file nor the gateway that
 * made it: the report's leaf and path against the batch's root; the
 * anchoring block's header by its hash, its confirmations by their links
 * and, on Clique and QBFT chains, their seals; the InstallsAnchored log in
 * the block's receipts against receiptsRoot; the device's signature with
 * its key, whose address is the device; and, through eth_getProof
 * against the block's stateRoot, that the registry held the device
 * registered and not revoked (and the gateway authorised) at that block. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/blockcheck.h"
#include "chain/hex.h"
#include "chain/proof.h"
#include "chain/sig.h"
#include "conf.h"
#include "ctl.h"
#include "ctl_util.h"
#include "engine/engine.h"
#include "install_proof.h"
#include "receipts_fetch.h"
#include "registry.h"
#include "rpc.h"
#include "xmalloc.h"

/* The most confirmations asked for (headers fetched at once). */
#define VI_MAX_CONFIRMATIONS 4096

struct vi_opts {
	const char *file;
	const char *rpc;
	const char *conf;
	int has_confirmations;
	uint64_t confirmations;
	int json;
};

/* What a run has: the proof, the node, the headers from the anchoring
 * block's parent (when it has one) to its last confirmation. */
struct vi {
	struct vi_opts o;
	struct conf conf;
	int has_conf;
	struct install_proof p;
	struct rpc_client *c;
	struct header *h;		/* h[anchor] is the anchoring block */
	size_t nh, anchor;
	uint8_t hash[32];		/* the anchoring block's, computed */
	json_t *lines;			/* --json: what was verified */
};

/* --json's answer: what was verified, and what was refused (a string,
 * stolen) or null. */
static void
vi_json(struct vi *v, json_t *refused)
{
	json_t *o = json_pack("{sO so}", "verified", v->lines, "refused",
	    refused);

	json_dumpf(o, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(o);
}

/* A line of what was verified, or the first thing that failed: printed,
 * or (--json) kept in v->lines, or for a refusal the answer's "refused". */
static void
vi_sayv(struct vi *v, int refused, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (v->lines == NULL)
		printf("%s%s\n", refused ? "refused: " : "ok ", line);
	else if (refused)
		vi_json(v, json_string(line));
	else
		json_array_append_new(v->lines, json_string(line));
}

/* One thing verified. */
static void __attribute__((format(printf, 2, 3)))
vi_ok(struct vi *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vi_sayv(v, 0, fmt, ap);
	va_end(ap);
}

/* The first thing that failed; returns CTL_MISMATCH. */
static int __attribute__((format(printf, 2, 3)))
vi_refuse(struct vi *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vi_sayv(v, 1, fmt, ap);
	va_end(ap);
	return CTL_MISMATCH;
}

static int
vi_args(struct vi_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rpc", required_argument, NULL, 'r' },
		{ "conf", required_argument, NULL, 'c' },
		{ "confirmations", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1)
		switch (ch) {
		case 'r': o->rpc = optarg; break;
		case 'c': o->conf = optarg; break;
		case 'n':
			if (!ctl_parse_u64(&o->confirmations, "--confirmations",
			    optarg))
				return 0;
			o->has_confirmations = 1;
			break;
		case 'j': o->json = 1; break;
		case 'h': return -1;
		default: return 0;
		}
	if (optind != argc - 1 || o->rpc == NULL ||
	    o->confirmations > VI_MAX_CONFIRMATIONS)
		return 0;
	o->file = argv[optind];
	return 1;
}

/* The file, read strictly. */
static int
vi_read(struct vi *v)
{
	struct jerr e = { "", NULL };
	json_t *j;
	int rc;

	if ((rc = ctl_load_json(&j, v->o.file)) != CTL_OK)
		return rc;
	rc = install_proof_from_json(&v->p, j, &e) ? CTL_OK :
	    ctl_bad_json(v->o.file, &e);
	json_decref(j);
	return rc;
}

/* The report is leaf leaf_index of the batch, and the path leads from it
 * to the root. */
static int
vi_merkle(struct vi *v)
{
	const struct install_proof *p = &v->p;
	uint8_t leaf[32];
	char hex[67], hex2[67];

	if (p->count == 0 || p->seq < p->first_seq ||
	    p->seq - p->first_seq >= p->count ||
	    p->leaf_index != p->seq - p->first_seq)
		return vi_refuse(v, "report %" PRIu64 " is not leaf %" PRIu64
		    " of a batch of %" PRIu64 " from %" PRIu64, p->seq,
		    p->leaf_index, p->count, p->first_seq);
	merkle_leaf(leaf, p->report, p->report_len);
	if (!merkle_verify(p->root, leaf, p->leaf_index, p->count,
	    (const uint8_t (*)[32])p->path, p->npath))
		return vi_refuse(v, "merkle path: the report's leaf %s and "
		    "the path do not lead to root %s", hex_encode(hex, leaf, 32),
		    hex_encode(hex2, p->root, 32));
	vi_ok(v, "merkle path: report %" PRIu64 " is leaf %" PRIu64 " of %"
	    PRIu64 " (reports %" PRIu64 "..%" PRIu64 "), root %s", p->seq,
	    p->leaf_index, p->count, p->first_seq, p->first_seq + p->count - 1,
	    hex_encode(hex, p->root, 32));
	return CTL_OK;
}

/* The registry and chain the proof names: the configuration's when
 * given (else only the file says so), and the node's chain id. */
static int
vi_chain(struct vi *v)
{
	struct rpc_error err;
	const char *why;
	json_t *r = NULL;
	uint64_t id = 0;
	char hex[43];

	if (v->has_conf && memcmp(v->conf.registry, v->p.registry, 20) != 0)
		return vi_refuse(v, "registry: the proof names %s, the "
		    "configuration another", hex_encode(hex, v->p.registry, 20));
	if (v->has_conf && v->conf.chain_id != v->p.chain_id)
		return vi_refuse(v, "chain: the proof names chain %" PRIu64
		    ", the configuration %" PRIu64, v->p.chain_id,
		    v->conf.chain_id);
	if (!rpc_call(v->c, &r, "eth_chainId", NULL, &err))
		return vi_refuse(v, "node: %s", err.msg);
	if (!json_is_string(r) || !hex_quantity_u64(&id, json_string_value(r),
	    &why) || id != v->p.chain_id) {
		json_decref(r);
		return vi_refuse(v, "chain: the node is on chain %" PRIu64
		    ", the proof names %" PRIu64, id, v->p.chain_id);
	}
	json_decref(r);
	vi_ok(v, "registry %s on chain %" PRIu64 "%s",
	    hex_encode(hex, v->p.registry, 20), id, v->has_conf ?
	    " (as configured)" : " (as the proof says: give --conf to pin it)");
	return CTL_OK;
}

/* Headers from the anchoring block's parent to its last confirmation,
 * as the node has them. */
static int
vi_fetch_headers(struct vi *v, uint64_t n)
{
	const char **methods = xcalloc(v->nh, sizeof(*methods));
	json_t **params = xcalloc(v->nh, sizeof(*params));
	json_t **res = xcalloc(v->nh, sizeof(*res));
	uint64_t first = v->p.block_number - v->anchor;
	struct rpc_error err;
	struct jerr e = { "", NULL };
	char num[19];
	size_t i;
	int rc = CTL_OK;

	for (i = 0; i < v->nh; i++) {
		methods[i] = "eth_getBlockByNumber";
		params[i] = json_pack("[sb]", hex_format_u64(num, first + i), 0);
	}
	if (!rpc_batch(v->c, res, methods, params, v->nh, &err)) {
		rc = vi_refuse(v, "node: %s", err.msg);
		goto done;
	}
	for (i = 0; i < v->nh; i++) {
		if (rc == CTL_OK && json_is_null(res[i]))
			rc = vi_refuse(v, "confirmations: the node has no block %"
			    PRIu64 " (%" PRIu64 " confirmations asked)",
			    first + i, n);
		else if (rc == CTL_OK && !header_from_json(&v->h[i], res[i],
		    "$", &e))
			rc = vi_refuse(v, "block %" PRIu64 ": %s: %s", first + i,
			    e.path, e.why);
		json_decref(res[i]);
	}
done:
	free(methods);
	free(params);
	free(res);
	return rc;
}

/* The engine the configuration names (none without one); quorum's
 * witnesses are licgated's business, so only the links are checked. */
static int
vi_engine(struct vi *v, struct engine **e, const char **name)
{
	struct engine_config cfg;
	const char *why;

	memset(&cfg, 0, sizeof(cfg));
	*name = v->has_conf ? v->conf.chain_engine : "none";
	if (strcmp(*name, "quorum") == 0)
		*name = "none";
	if (v->has_conf) {
		cfg.epoch = v->conf.chain_epoch;
		cfg.signers = (const uint8_t (*)[20])v->conf.chain_signers.a;
		cfg.nsigners = v->conf.chain_signers.n;
	}
	if (!engine_create(e, *name, &cfg, &why))
		return vi_refuse(v, "engine %s: %s", *name, why);
	return CTL_OK;
}

/* Each header's hash, its parent's hash in it, and the engine's rules
 * for every header after the first (which the engine starts from). */
static int
vi_link(struct vi *v, struct engine *e)
{
	uint8_t prev[32], hash[32];
	const char *why;
	char a[67], b[67];
	size_t i;

	for (i = 0; i < v->nh; i++) {
		if (!engine_hash(e, hash, &v->h[i], &why))
			return vi_refuse(v, "block %" PRIu64 ": %s",
			    v->h[i].number, why);
		if (i > 0 && memcmp(v->h[i].parent_hash, prev, 32) != 0)
			return vi_refuse(v, "block %" PRIu64 " does not link to "
			    "block %" PRIu64 " %s", v->h[i].number,
			    v->h[i - 1].number, hex_encode(a, prev, 32));
		if (!engine_verify(e, &v->h[i], i > 0 ? &v->h[i - 1] : NULL,
		    &why))
			return vi_refuse(v, "block %" PRIu64 ": %s",
			    v->h[i].number, why);
		memcpy(prev, hash, 32);
		if (i == v->anchor)
			memcpy(v->hash, hash, 32);
	}
	if (memcmp(v->hash, v->p.block_hash, 32) != 0)
		return vi_refuse(v, "anchor block: the node's block %" PRIu64
		    " is %s, the proof names %s", v->p.block_number,
		    hex_encode(a, v->hash, 32), hex_encode(b, v->p.block_hash, 32));
	return CTL_OK;
}

static int
vi_headers(struct vi *v)
{
	struct engine *e = NULL;
	const char *name;
	uint64_t n = v->o.has_confirmations ? v->o.confirmations :
	    v->has_conf ? v->conf.confirmations : 0;
	char hex[67];
	int rc;

	if (n > VI_MAX_CONFIRMATIONS)
		n = VI_MAX_CONFIRMATIONS;
	v->anchor = v->p.block_number > 0;
	v->nh = v->anchor + 1 + (size_t)n;
	v->h = xcalloc(v->nh, sizeof(*v->h));
	if ((rc = vi_fetch_headers(v, n)) != CTL_OK ||
	    (rc = vi_engine(v, &e, &name)) != CTL_OK)
		return rc;
	rc = vi_link(v, e);
	engine_destroy(e);
	if (rc != CTL_OK)
		return rc;
	vi_ok(v, "block %" PRIu64 " %s, followed by %" PRIu64 " linked "
	    "blocks (engine %s%s)", v->p.block_number,
	    hex_encode(hex, v->hash, 32), n, name, strcmp(name, "none") == 0 ?
	    ": hashes and links only" : ": seals checked");
	return CTL_OK;
}

/* The log at block-wide position log_index, and the receipt (its
 * transaction's index) holding it. */
static const struct log_entry *
vi_log_at(const struct receipts *rs, uint64_t log_index, size_t *tx)
{
	uint64_t k = 0;
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (log_index - k < rs->r[i].nlogs) {
			*tx = i;
			return &rs->r[i].logs[log_index - k];
		}
		k += rs->r[i].nlogs;
	}
	return NULL;
}

/* The log is the registry's InstallsAnchored of this gateway, root and
 * batch. */
static int
vi_log_says(struct vi *v, const struct log_entry *l)
{
	struct registry_event ev;
	const char *why;

	if (memcmp(l->address, v->p.registry, 20) != 0)
		return vi_refuse(v, "log %" PRIu64 " is not the registry's",
		    v->p.log_index);
	if (!registry_decode(&ev, (const uint8_t (*)[32])l->topics,
	    l->ntopics, l->data, l->data_len, &why))
		return vi_refuse(v, "log %" PRIu64 ": %s", v->p.log_index, why);
	if (ev.def->kind != REG_INSTALLS_ANCHORED)
		return vi_refuse(v, "log %" PRIu64 " is %s, not InstallsAnchored",
		    v->p.log_index, ev.def->name);
	if (memcmp(registry_addr(&ev, 0), v->p.gateway, 20) != 0)
		return vi_refuse(v, "log %" PRIu64 ": anchored by another "
		    "gateway", v->p.log_index);
	if (memcmp(ev.v[1].word, v->p.root, 32) != 0)
		return vi_refuse(v, "log %" PRIu64 ": anchors another root: "
		    "this root was not anchored there", v->p.log_index);
	if (registry_u64(&ev, 2) != v->p.first_seq ||
	    registry_u64(&ev, 3) != v->p.count)
		return vi_refuse(v, "log %" PRIu64 ": anchors reports %" PRIu64
		    "..%" PRIu64 ", not the proof's batch", v->p.log_index,
		    registry_u64(&ev, 2), registry_u64(&ev, 2) +
		    registry_u64(&ev, 3) - 1);
	return CTL_OK;
}

/* The block's receipts against its receiptsRoot, and the log in them. */
static int
vi_receipts(struct vi *v)
{
	struct receipts rs = { NULL, 0 };
	struct receipts_claim claim;
	const struct log_entry *l;
	struct jerr e = { "", NULL };
	struct rpc_error err;
	struct rpc_span span;
	char *body = NULL, msg[512], hex[43];
	size_t tx = 0;
	int rc;

	if (!receipts_fetch_text(v->c, &body, &span, &v->p.block_number, 1,
	    &err))
		return vi_refuse(v, "receipts: %s", err.msg);
	receipts_claim_of(&claim, &v->h[v->anchor], v->hash);
	if (!receipts_from_text(&rs, span.p, span.len, "$", &e))
		rc = vi_refuse(v, "receipts: %s: %s", e.path, e.why);
	else if (!blockcheck_receipts(&rs, &claim, msg, sizeof(msg)))
		rc = vi_refuse(v, "receipts: %s", msg);
	else if ((l = vi_log_at(&rs, v->p.log_index, &tx)) == NULL ||
	    tx != v->p.tx_index)
		rc = vi_refuse(v, "block %" PRIu64 " has no log %" PRIu64
		    " in transaction %" PRIu64, v->p.block_number,
		    v->p.log_index, v->p.tx_index);
	else if ((rc = vi_log_says(v, l)) == CTL_OK)
		vi_ok(v, "receipts root; log %" PRIu64 " (transaction %" PRIu64
		    "): InstallsAnchored by gateway %s of reports %" PRIu64
		    "..%" PRIu64 " with this root", v->p.log_index, v->p.tx_index,
		    hex_encode(hex, v->p.gateway, 20), v->p.first_seq,
		    v->p.first_seq + v->p.count - 1);
	receipts_free(&rs);
	free(body);
	return rc;
}

/* The report: made for the anchoring gateway, signed with the key whose
 * address is its device. */
static int
vi_report(struct vi *v, struct lgv_install *r)
{
	uint8_t addr[20];
	enum lgv_result res;
	char hex[43], hex2[43];

	if ((res = lgv_install_decode(r, v->p.report, v->p.report_len)) !=
	    LGV_OK)
		return vi_refuse(v, "report: %s", lgv_result_name(res));
	if (memcmp(r->gateway, v->p.gateway, 20) != 0)
		return vi_refuse(v, "report: made for gateway %s, not the "
		    "anchoring one", hex_encode(hex, r->gateway, 20));
	if (!sig_pubkey_to_address(addr, v->p.device_key,
	    v->p.device_key_len) || memcmp(addr, r->device, 20) != 0)
		return vi_refuse(v, "report: device_key is not device %s's key",
		    hex_encode(hex, r->device, 20));
	if ((res = lgv_install_verify(r, v->p.report, v->p.report_len,
	    v->p.device_key, v->p.device_key_len)) != LGV_OK)
		return vi_refuse(v, "report: device %s's signature: %s",
		    hex_encode(hex, r->device, 20), lgv_result_name(res));
	vi_ok(v, "report signed by device %s (the address of its key), for "
	    "gateway %s", hex_encode(hex, r->device, 20),
	    hex_encode(hex2, v->p.gateway, 20));
	return CTL_OK;
}

/* The registry's account and two of its storage slots at the anchoring
 * block: devices[device] and isGateway[gateway]. */
static int
vi_get_proof(struct vi *v, struct eth_proof *pr, const uint8_t dev[20])
{
	uint8_t slot[2][32];
	char a[43], s0[67], s1[67], num[19];
	struct jerr e = { "", NULL };
	struct rpc_error err;
	json_t *res = NULL;
	int ok;

	registry_slot_device(slot[0], dev);
	registry_slot_gateway(slot[1], v->p.gateway);
	if (!rpc_call(v->c, &res, "eth_getProof", json_pack("[s[ss]s]",
	    hex_encode(a, v->p.registry, 20), hex_encode(s0, slot[0], 32),
	    hex_encode(s1, slot[1], 32), hex_format_u64(num,
	    v->p.block_number)), &err))
		return vi_refuse(v, "registry state at block %" PRIu64 ": %s",
		    v->p.block_number, err.msg);
	ok = proof_from_json(pr, res, "$", &e);
	json_decref(res);
	if (!ok)
		return vi_refuse(v, "eth_getProof: %s: %s", e.path, e.why);
	if (memcmp(pr->address, v->p.registry, 20) != 0 || pr->nslots != 2 ||
	    memcmp(pr->slots[0].key, slot[0], 32) != 0 ||
	    memcmp(pr->slots[1].key, slot[1], 32) != 0)
		return vi_refuse(v, "eth_getProof: the node answered for other "
		    "slots");
	return CTL_OK;
}

/* The device as the registry held it at the block, proved against the
 * verified header's stateRoot; and the gateway's authorisation, which
 * the contract checked when it anchored (a gateway withdrawn later in
 * the same block shows as withdrawn: said, not refused). */
static int
vi_state(struct vi *v, const struct lgv_install *r)
{
	struct eth_proof pr;
	const char *why;
	int exists, gw = 0, reg, rev, rc;
	char hex[43];

	memset(&pr, 0, sizeof(pr));
	if ((rc = vi_get_proof(v, &pr, r->device)) != CTL_OK)
		goto done;
	rc = CTL_MISMATCH;
	if (!proof_verify_account(&exists, &pr, v->h[v->anchor].state_root,
	    &why))
		rc = vi_refuse(v, "registry account proof: %s", why);
	else if (!exists)
		rc = vi_refuse(v, "registry account proof: no account at %s "
		    "at block %" PRIu64, hex_encode(hex, v->p.registry, 20),
		    v->p.block_number);
	else if (!proof_verify_slot(&exists, &pr.slots[0], pr.storage_hash,
	    &why) || !proof_verify_slot(&gw, &pr.slots[1], pr.storage_hash,
	    &why) || !registry_device_word(&reg, &rev, pr.slots[0].value,
	    pr.slots[0].value_len))
		rc = vi_refuse(v, "registry storage proof: %s", why);
	else if (!reg || rev)
		rc = vi_refuse(v, "device %s is %s in the registry at block %"
		    PRIu64, hex_encode(hex, r->device, 20), reg ? "revoked" :
		    "not registered", v->p.block_number);
	else {
		vi_ok(v, "device %s registered and not revoked at block %" PRIu64
		    " (storage proof against its stateRoot)", hex_encode(hex,
		    r->device, 20), v->p.block_number);
		vi_ok(v, "gateway %s %s at the end of block %" PRIu64,
		    hex_encode(hex, v->p.gateway, 20), gw ? "authorised" :
		    "no longer authorised (the contract checked it when it "
		    "anchored)", v->p.block_number);
		rc = CTL_OK;
	}
done:
	proof_free(&pr);
	return rc;
}

static int
vi_run(struct vi *v)
{
	struct lgv_install r;
	int rc;

	if ((rc = vi_merkle(v)) != CTL_OK || (rc = vi_chain(v)) != CTL_OK ||
	    (rc = vi_headers(v)) != CTL_OK || (rc = vi_receipts(v)) != CTL_OK ||
	    (rc = vi_report(v, &r)) != CTL_OK || (rc = vi_state(v, &r)) != CTL_OK)
		return rc;
	if (v->lines != NULL)
		vi_json(v, json_null());
	return CTL_OK;
}

/* Reads the configuration, when given, for the registry, chain, engine
 * and confirmations. */
static int
vi_setup(struct vi *v)
{
	char err[1024];
	int rc;

	if (v->o.conf != NULL) {
		if (!conf_load(&v->conf, v->o.conf, err, sizeof(err))) {
			fprintf(stderr, "licgatectl: %s\n", err);
			return CTL_BADINPUT;
		}
		v->has_conf = 1;
	}
	if ((rc = vi_read(v)) != CTL_OK)
		return rc;
	if (!ctl_rpc_open(&v->c, v->o.rpc, "verify-install"))
		return CTL_BADINPUT;
	if (v->o.json)
		v->lines = json_array();
	return CTL_OK;
}

static int
verify_install_run(const struct ctl_verb *self, int argc, char **argv)
{
	struct vi *v = xcalloc(1, sizeof(*v));
	int rc;

	if ((rc = vi_args(&v->o, argc, argv)) != 1)
		rc = rc < 0 ? ctl_verb_help(self) : ctl_usage(self);
	else if ((rc = vi_setup(v)) == CTL_OK)
		rc = vi_run(v);
	if (v->c != NULL)
		rpc_client_free(v->c);
	if (v->has_conf)
		conf_free(&v->conf);
	json_decref(v->lines);
	free(v->h);
	free(v);
	return rc;
}

const struct ctl_verb ctl_verb_verify_install = {
	.name = "verify-install",
	.usage = "FILE --rpc URL [--conf FILE] [--confirmations N] [--json]",
	.summary = "check an install proof against a chain, trusting no gateway",
	.run = verify_install_run,
};
