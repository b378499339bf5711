/* ctl_verify_seal.c: `licgatectl verify-seal FILE --engine clique|qbft
 * [--signers A,B,...] [--epoch N]`: checks one header's seal the way
 * licgated's engine would, and names the sealer or the committers.
 * Without --signers the set is the one the header itself lists (a Clique
 * epoch block, every QBFT block), which proves only that the seals match
 * that list; a Clique block outside an epoch names its signer unchecked. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/hex.h"
#include "ctl.h"
#include "ctl_util.h"
#include "engine/clique.h"
#include "engine/qbft.h"

struct seal_opts {
	const char *file;
	const char *engine;
	uint8_t signers[QBFT_MAX_VALIDATORS][20];
	size_t nsigners;
	uint64_t epoch;
};

/* Ascending, the order both engines keep their sets in. */
static void
sort_addrs(uint8_t (*a)[20], size_t n)
{
	uint8_t t[20];
	size_t i, k;

	for (i = 1; i < n; i++)
		for (k = i; k > 0 && memcmp(a[k - 1], a[k], 20) > 0; k--) {
			memcpy(t, a[k], 20);
			memcpy(a[k], a[k - 1], 20);
			memcpy(a[k - 1], t, 20);
		}
}

static int
seal_args(struct seal_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "engine", required_argument, NULL, 'e' },
		{ "signers", required_argument, NULL, 's' },
		{ "epoch", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const char *why;
	char *end;
	int ch;

	memset(o, 0, sizeof(*o));
	o->epoch = CLIQUE_EPOCH_DEFAULT;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		switch (ch) {
		case 'e':
			o->engine = optarg;
			break;
		case 's':
			if (!hex_addr_list(o->signers, QBFT_MAX_VALIDATORS,
			    &o->nsigners, optarg, &why)) {
				fprintf(stderr, "licgatectl: --signers: %s\n", why);
				return 0;
			}
			break;
		case 'p':
			o->epoch = strtoull(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->epoch == 0) {
				fprintf(stderr, "licgatectl: --epoch: '%s' is not "
				    "a positive number\n", optarg);
				return 0;
			}
			break;
		default:
			return 0;
		}
	sort_addrs(o->signers, o->nsigners);
	if (optind != argc - 1 || o->engine == NULL ||
	    (strcmp(o->engine, "clique") != 0 && strcmp(o->engine, "qbft") != 0))
		return 0;
	o->file = argv[optind];
	return 1;
}

/* The header: a block as eth_getBlockByNumber gives it, or {"header"}. */
static int
seal_read(struct header *h, const char *file)
{
	struct jerr e = { "", NULL };
	json_t *j, *obj;
	int rc;

	if ((rc = ctl_load_json(&j, file)) != CTL_OK)
		return rc;
	obj = json_is_object(json_object_get(j, "header")) ?
	    json_object_get(j, "header") : j;
	rc = header_from_json(h, obj, obj == j ? "$" : "$.header", &e) ?
	    CTL_OK : ctl_bad_json(file, &e);
	json_decref(j);
	return rc;
}

static int
refuse(const char *what, const char *why)
{
	printf("refused: %s: %s\n", what, why);
	return CTL_MISMATCH;
}

/* The claimed hash, when the file has one, must be the engine's hash. */
static int
check_hash(const struct header *h, const uint8_t hash[32])
{
	char a[67], b[67];

	if (h->has_claimed_hash && memcmp(hash, h->claimed_hash, 32) != 0) {
		printf("refused: hash mismatch: computed %s, header says %s\n",
		    hex_encode(a, hash, 32), hex_encode(b, h->claimed_hash, 32));
		return CTL_MISMATCH;
	}
	return CTL_OK;
}

static void
print_list(const char *label, const uint8_t (*a)[20], size_t n)
{
	char hex[67];
	size_t i;

	printf("%s", label);
	for (i = 0; i < n; i++)
		printf("%s%s", i ? ", " : " ", hex_encode(hex, a[i], 20));
	printf("\n");
}

static int
seal_clique(const struct header *h, const struct seal_opts *o)
{
	static struct clique_snap s;
	uint8_t hash[32], signer[20], listed[CLIQUE_MAX_SIGNERS][20];
	const char *why;
	char hex[67];
	size_t n;
	int rc;

	header_hash(hash, h);
	if ((rc = check_hash(h, hash)) != CTL_OK)
		return rc;
	if (!clique_check_fields(h, o->epoch, &why))
		return refuse("clique", why);
	if (!clique_signer(signer, h, &why))
		return refuse("clique", why);
	printf("block %" PRIu64 " %s\n", h->number, hex_encode(hex, hash, 32));
	printf("signer %s\n", hex_encode(hex, signer, 20));
	if (h->number % o->epoch == 0 && clique_extra_signers(listed, &n, h,
	    &why))
		print_list("lists", (const uint8_t (*)[20])listed, n);
	if (o->nsigners == 0 && h->number % o->epoch != 0) {
		printf("signer set not checked (give --signers)\n");
		return CTL_OK;
	}
	/* The rules of the snapshot before the block: membership, turn, an
	 * epoch block's list (recent signers need the blocks before it). */
	memset(&s, 0, sizeof(s));
	if (!clique_snap_init(&s, h, o->epoch,
	    (const uint8_t (*)[20])o->signers, o->nsigners, &why))
		return refuse("clique", why);
	s.number = h->number - 1;
	s.nrecents = 0;
	if (!clique_snap_apply(&s, h, signer, &why))
		return refuse("clique", why);
	printf("ok: sealed %s by a signer of %zu\n", h->difficulty[0] == 2 ?
	    "in turn" : "out of turn", s.nsigners);
	return CTL_OK;
}

static int
seal_qbft(const struct header *h, const struct seal_opts *o)
{
	static uint8_t who[QBFT_MAX_VALIDATORS][20];
	static struct qbft_extra x;
	static struct qbft_snap s;
	uint8_t hash[32];
	const char *why;
	char hex[67];
	size_t n;
	int rc;

	if (!qbft_block_hash(hash, h, &why) ||
	    !qbft_extra_decode(&x, h->extra, h->extra_len, &why))
		return refuse("qbft", why);
	if ((rc = check_hash(h, hash)) != CTL_OK)
		return rc;
	printf("block %" PRIu64 " %s (round %" PRIu32 "%s)\n", h->number,
	    hex_encode(hex, hash, 32), x.round, x.round_fixed ?
	    ", IBFT 2.0 encoding" : "");
	printf("proposer %s\n", hex_encode(hex, h->coinbase, 20));
	if (qbft_committers(who, &n, h, &why))
		print_list("committers", (const uint8_t (*)[20])who, n);
	if (!qbft_snap_init(&s, h, o->epoch, (const uint8_t (*)[20])o->signers,
	    o->nsigners, &why))
		return refuse("qbft", why);
	if (o->nsigners == 0)
		printf("validators as the header lists them (give --signers to "
		    "check against a set you trust)\n");
	s.number = h->number - 1;
	if (!qbft_snap_apply(&s, h, who, &n, &why))
		return refuse("qbft", why);
	printf("ok: %zu of %zu validators committed (%zu needed)\n", n,
	    s.nvalidators, qbft_quorum(s.nvalidators));
	return CTL_OK;
}

static int
verify_seal_run(const struct ctl_verb *self, int argc, char **argv)
{
	static struct header h;
	struct seal_opts o;
	int rc;

	if (!seal_args(&o, argc, argv))
		return ctl_usage(self);
	if ((rc = seal_read(&h, o.file)) != CTL_OK)
		return rc;
	return strcmp(o.engine, "clique") == 0 ? seal_clique(&h, &o) :
	    seal_qbft(&h, &o);
}

const struct ctl_verb ctl_verb_verify_seal = {
	.name = "verify-seal",
	.usage = "FILE --engine clique|qbft "
	    "[--signers A,B,...] [--epoch N]",
	.summary = "check a Clique or QBFT header's seal and name its signers",
	.run = verify_seal_run,
};
