/* ctl_request.c: `licgatectl request`: signs an attestation request the way
 * a device does, with the device library's own code (src/verify/), for
 * POST /v1/attestation.  The device's key file has the gateway key's
 * format (licgatectl keygen writes both), secp256k1 (ES256K) or P-256
 * (ES256): the request is signed with the key's own algorithm. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chain/hex.h"
#include "chain/p256.h"
#include "chain/sig.h"
#include "ctl.h"
#include "ctl_util.h"
#include "key.h"
#include "verify/lgv.h"

struct ropts {
	const char *key;
	const char *out;
	struct lgv_request rq;
	int has_firmware;
	int has_gateway;
};

static int
parse_nonce(struct lgv_request *rq, const char *arg)
{
	const char *why;

	if (!hex_decode_bare(rq->nonce, sizeof(rq->nonce), &rq->nonce_len, arg,
	    &why)) {
		fprintf(stderr, "licgatectl: --nonce %s: not %d to %d bytes of "
		    "hex\n", arg, LGV_REQUEST_NONCE_MIN, LGV_NONCE_MAX);
		return 0;
	}
	if (rq->nonce_len < LGV_REQUEST_NONCE_MIN) {
		fprintf(stderr, "licgatectl: --nonce %s: %zu bytes, a request "
		    "needs at least %d\n", arg, rq->nonce_len,
		    LGV_REQUEST_NONCE_MIN);
		return 0;
	}
	return 1;
}

static int
request_args(struct ropts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "firmware", required_argument, NULL, 'f' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "time", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char *why;
	int ch;

	memset(o, 0, sizeof(*o));
	o->rq.iat = (uint64_t)time(NULL);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "k:o:", longopts, NULL)) != -1)
		switch (ch) {
		case 'k': o->key = optarg; break;
		case 'o': o->out = optarg; break;
		case 'f':
			if (!hex_decode_fixed(o->rq.firmware, 32, optarg, &why)) {
				fprintf(stderr, "licgatectl: --firmware %s: %s "
				    "(want 0x and 64 hex digits)\n", optarg, why);
				return 0;
			}
			o->has_firmware = 1;
			break;
		case 'n':
			if (!parse_nonce(&o->rq, optarg))
				return 0;
			break;
		case 'g':
			if (!ctl_parse_gateway(o->rq.gateway, optarg))
				return 0;
			o->has_gateway = 1;
			break;
		case 't':
			if (!ctl_parse_u64(&o->rq.iat, "--time", optarg))
				return 0;
			break;
		default: return 0;
		}
	/* Older requests had no gateway: say what is missing. */
	if (optind == argc && !o->has_gateway)
		fprintf(stderr, "licgatectl: --gateway is required (the "
		    "gateway's address, as GET /v1/status names it)\n");
	return optind == argc && o->key != NULL && o->has_firmware &&
	    o->has_gateway && o->rq.nonce_len > 0;
}

/* lgv_request_sign_with's signer for a P-256 device key held in memory. */
static int
sign_p256(void *seckey, uint8_t sig[64], const uint8_t digest[32])
{
	return p256_sign(sig, digest, seckey);
}

static int
request_run(const struct ctl_verb *self, int argc, char **argv)
{
	uint8_t seckey[32], pub[65], req[LGV_REQUEST_MAX];
	struct ropts o;
	char msg[512];
	size_t len;
	int alg;

	if (!request_args(&o, argc, argv))
		return ctl_usage(self);
	if (!key_load(seckey, &alg, o.key, msg, sizeof(msg))) {
		fprintf(stderr, "licgatectl: %s\n", msg);
		return CTL_BADINPUT;
	}
	/* The device is the address of its key, as the registry has it. */
	if (!key_pubkey(pub, sizeof(pub), alg, seckey) ||
	    !key_pubkey_address(o.rq.device, alg, pub, sizeof(pub)) ||
	    (alg == LGV_ALG_ES256 ? lgv_request_sign_with(req, sizeof(req),
	    &len, &o.rq, alg, sign_p256, seckey) : lgv_request_sign(req,
	    sizeof(req), &len, &o.rq, seckey)) != LGV_OK) {
		explicit_bzero(seckey, sizeof(seckey));
		fprintf(stderr, "licgatectl: %s: not a valid %s key\n",
		    o.key, key_alg_name(alg));
		return CTL_BADINPUT;
	}
	explicit_bzero(seckey, sizeof(seckey));
	return ctl_write_binary(o.out, req, len, "request");
}

const struct ctl_verb ctl_verb_request = {
	.name = "request",
	.usage = "-k DEVICEKEY --gateway ADDR|PUBKEY "
	    "--firmware HASH --nonce HEX [--time UNIX] [-o FILE]",
	.summary = "sign an attestation request as a device does (COSE_Sign1)",
	.run = request_run,
};
