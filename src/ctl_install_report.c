/* ctl_install_report.c: `licgatectl install-report`: signs an install
 * report the way a device does, with the device library's own code
 * (src/verify/), for POST /v1/installs (licgate-token(7), INSTALL
 * REPORTS). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "chain/hex.h"
#include "chain/sig.h"
#include "ctl.h"
#include "ctl_util.h"
#include "key.h"
#include "verify/lgv.h"

struct iopts {
	const char *key;
	const char *out;
	struct lgv_install rp;
	int has_firmware, has_gateway, has_version;
};

/* A hash option (--firmware, --replaced): 0x and 64 hex digits. */
static int
parse_hash(uint8_t out[32], const char *opt, const char *arg)
{
	const char *why;

	if (!hex_decode_fixed(out, 32, arg, &why)) {
		fprintf(stderr, "licgatectl: %s %s: %s (want 0x and 64 hex "
		    "digits)\n", opt, arg, why);
		return 0;
	}
	return 1;
}

/* --cti: the 4 bytes of the attestation relied on, as hex. */
static int
parse_cti(struct lgv_install *rp, const char *arg)
{
	const char *why;
	size_t n;

	if (!hex_decode_bare(rp->cti, sizeof(rp->cti), &n, arg, &why) ||
	    n != 4) {
		fprintf(stderr, "licgatectl: --cti %s: not 4 bytes of hex\n",
		    arg);
		return 0;
	}
	rp->has_cti = 1;
	return 1;
}

/* --nonce, else 16 random bytes: each report needs its own. */
static int
parse_nonce(struct lgv_install *rp, const char *arg)
{
	const char *why;

	if (arg == NULL) {
		rp->nonce_len = 16;
		return getrandom(rp->nonce, 16, 0) == 16;
	}
	if (!hex_decode_bare(rp->nonce, sizeof(rp->nonce), &rp->nonce_len, arg,
	    &why) || rp->nonce_len < LGV_INSTALL_NONCE_MIN) {
		fprintf(stderr, "licgatectl: --nonce %s: not %d to %d bytes of "
		    "hex\n", arg, LGV_INSTALL_NONCE_MIN, LGV_NONCE_MAX);
		return 0;
	}
	return 1;
}

/* One option of install-report into o.  Returns 1, or 0 after saying
 * why. */
static int
report_opt(struct iopts *o, int ch, const char *arg, const char **nonce)
{
	switch (ch) {
	case 'k': o->key = arg; return 1;
	case 'o': o->out = arg; return 1;
	case 'n': *nonce = arg; return 1;
	case 'g': return o->has_gateway = ctl_parse_gateway(o->rp.gateway, arg);
	case 'f': return o->has_firmware = parse_hash(o->rp.firmware,
	    "--firmware", arg);
	case 'r': return o->rp.has_replaced = parse_hash(o->rp.replaced,
	    "--replaced", arg);
	case 'v': return o->has_version = ctl_parse_u64(&o->rp.version,
	    "--version", arg);
	case 'c': return parse_cti(&o->rp, arg);
	case 'b': return ctl_parse_u64(&o->rp.block, "--block", arg);
	case 't': return ctl_parse_u64(&o->rp.iat, "--time", arg);
	}
	return 0;
}

static int
report_args(struct iopts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'o' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "firmware", required_argument, NULL, 'f' },
		{ "version", required_argument, NULL, 'v' },
		{ "replaced", required_argument, NULL, 'r' },
		{ "cti", required_argument, NULL, 'c' },
		{ "block", required_argument, NULL, 'b' },
		{ "time", required_argument, NULL, 't' },
		{ "nonce", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	const char *nonce = NULL;
	int ch;

	memset(o, 0, sizeof(*o));
	o->rp.iat = (uint64_t)time(NULL);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "k:o:", longopts, NULL)) != -1)
		if (!report_opt(o, ch, optarg, &nonce))
			return 0;
	return optind == argc && o->key != NULL && o->has_gateway &&
	    o->has_firmware && o->has_version && parse_nonce(&o->rp, nonce);
}

static int
install_report_run(const struct ctl_verb *self, int argc, char **argv)
{
	uint8_t seckey[32], pub[33], rep[LGV_INSTALL_MAX];
	struct iopts o;
	char msg[512];
	size_t len;
	int alg;

	if (!report_args(&o, argc, argv))
		return ctl_usage(self);
	if (!key_load(seckey, &alg, o.key, msg, sizeof(msg))) {
		fprintf(stderr, "licgatectl: %s\n", msg);
		return CTL_BADINPUT;
	}
	if (alg != LGV_ALG_ES256K) {
		explicit_bzero(seckey, sizeof(seckey));
		fprintf(stderr, "licgatectl: %s: a P-256 key: install reports "
		    "are signed with secp256k1 keys (ES256K) only\n", o.key);
		return CTL_BADINPUT;
	}
	/* The device is the address of its key, as the registry has it. */
	if (!sig_pubkey_create(pub, sizeof(pub), seckey) ||
	    !sig_pubkey_to_address(o.rp.device, pub, sizeof(pub)) ||
	    lgv_install_sign(rep, sizeof(rep), &len, &o.rp, seckey) != LGV_OK) {
		explicit_bzero(seckey, sizeof(seckey));
		fprintf(stderr, "licgatectl: %s: not a valid secp256k1 key\n",
		    o.key);
		return CTL_BADINPUT;
	}
	explicit_bzero(seckey, sizeof(seckey));
	return ctl_write_binary(o.out, rep, len, "install-report");
}

const struct ctl_verb ctl_verb_install_report = {
	.name = "install-report",
	.usage = "-k DEVICEKEY --gateway ADDR|PUBKEY --firmware HASH "
	    "--version N [--replaced HASH] [--cti HEX] [--block N] "
	    "[--nonce HEX] [--time UNIX] [-o FILE]",
	.summary = "sign an install report as a device does (COSE_Sign1)",
	.run = install_report_run,
};
