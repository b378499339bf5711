/* ctl_verify_token.c: `licgatectl verify TOKEN`: checks an attestation the
 * way a device does, with the device verifier's own code (src/verify/), and
 * prints its claims. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "chain/hex.h"
#include "chain/sig.h"
#include "ctl.h"
#include "ctl_util.h"
#include "file.h"
#include "key.h"
#include "token.h"
#include "verdict.h"
#include "verify/lgv.h"

struct vopts {
	uint8_t key[65];
	size_t key_len;
	int alg;		/* --alg, or the key file's; 0: ES256K */
	int key_alg;		/* the curve a --gateway-key file named */
	uint8_t device[20];
	int has_device;
	uint8_t nonce[LGV_NONCE_MAX];
	size_t nonce_len;
	int has_nonce;
	uint64_t now;
	uint64_t min_block;
	uint8_t firmware[32];
	int has_firmware;
	uint64_t chain_id;
	int has_chain_id;
	uint8_t registry[20];
	int has_registry;
	uint64_t max_lifetime;
	int json;
};

/* A token file holds the raw COSE bytes, or them as 0x hex text. */
static int
read_token(uint8_t *out, size_t *len, const char *path)
{
	const char *why;
	uint8_t *buf;
	size_t n;
	int ok = 1;

	if (!file_read(&buf, &n, path, 4 * LGV_TOKEN_MAX, &why)) {
		fprintf(stderr, "licgatectl: %s: %s\n", path, why);
		return 0;
	}
	/* Only hex text has line ends to drop: a binary token may well end
	 * in a 0x0a or 0x0d byte of its signature. */
	if (n > 2 && buf[0] == '0' && buf[1] == 'x') {
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			n--;
		buf[n] = '\0';
		ok = hex_decode(out, LGV_TOKEN_MAX, len, (char *)buf, &why);
	} else if (n <= LGV_TOKEN_MAX) {
		memcpy(out, buf, n);
		*len = n;
	} else {
		ok = 0;
		why = "longer than any licgate token";
	}
	if (!ok)
		fprintf(stderr, "licgatectl: %s: %s\n", path, why);
	free(buf);
	return ok;
}

/* A licgate key file given to --gateway-key: its public key and curve. */
static int
read_secret_key(struct vopts *o, const char *path)
{
	uint8_t seckey[32];
	char msg[512];
	int ok;

	if (!key_load(seckey, &o->key_alg, path, msg, sizeof(msg))) {
		fprintf(stderr, "licgatectl: --gateway-key %s\n", msg);
		return 0;
	}
	ok = key_pubkey(o->key, 65, o->key_alg, seckey);
	o->key_len = 65;
	explicit_bzero(seckey, sizeof(seckey));
	return ok;
}

/* --gateway-key: hex (33 or 65 bytes), or a file holding that hex, after
 * a first line "p256" for a P-256 key as in key files, or a licgate key
 * file itself (licgatectl keygen's), whose public key is taken. */
static int
read_key(struct vopts *o, const char *arg)
{
	char text[sizeof(KEY_P256_MARK) + 2 * 65 + 8];
	const char *why = "not 0x and 33 or 65 bytes of hex", *hex = text;
	uint8_t *buf = NULL;
	size_t n, m = sizeof(KEY_P256_MARK) - 1;
	int ok;

	if (strncmp(arg, "0x", 2) != 0) {
		if (!file_read(&buf, &n, arg, sizeof(text) - 1, &why)) {
			fprintf(stderr, "licgatectl: --gateway-key %s: %s\n",
			    arg, why);
			return 0;
		}
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
			n--;
		memcpy(text, buf, n);
		text[n] = '\0';
		free(buf);
		o->key_alg = LGV_ALG_ES256K;
		if (strncmp(text, KEY_P256_MARK, m) == 0) {
			o->key_alg = LGV_ALG_ES256;
			hex += m;
		}
		if (strncmp(hex, "0x", 2) != 0)
			return read_secret_key(o, arg);
	} else
		snprintf(text, sizeof(text), "%s", arg);
	ok = hex_decode(o->key, sizeof(o->key), &o->key_len, hex, &why) &&
	    (o->key_len == 33 || o->key_len == 65);
	if (!ok)
		fprintf(stderr, "licgatectl: --gateway-key %s: %s\n", arg, why);
	return ok;
}

static int
parse_u64(uint64_t *v, const char *s, const char *what)
{
	char *end;

	*v = strtoull(s, &end, 10);
	if (*s == '\0' || *s == '-' || *end != '\0') {
		fprintf(stderr, "licgatectl: %s %s: not a number\n", what, s);
		return 0;
	}
	return 1;
}

/* --firmware, --registry: 0x and exactly n bytes of hex. */
static int
parse_fixed(uint8_t *out, size_t n, int *has, const char *arg,
    const char *what)
{
	const char *why;

	if (!hex_decode_fixed(out, n, arg, &why)) {
		fprintf(stderr, "licgatectl: %s %s: %s\n", what, arg, why);
		return 0;
	}
	*has = 1;
	return 1;
}

/* The pins a device sets beside its name and nonce (lgv.h). */
static int
vpin(struct vopts *o, int ch, const char *arg)
{
	switch (ch) {
	case 'f':
		return parse_fixed(o->firmware, 32, &o->has_firmware, arg,
		    "--firmware");
	case 'r':
		return parse_fixed(o->registry, 20, &o->has_registry, arg,
		    "--registry");
	case 'c':
		o->has_chain_id = 1;
		return parse_u64(&o->chain_id, arg, "--chain-id");
	case 'l':
		return parse_u64(&o->max_lifetime, arg, "--max-lifetime");
	}
	return 0;
}

static int
vargs(struct vopts *o, const char **file, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "gateway-key", required_argument, NULL, 'k' },
		{ "alg", required_argument, NULL, 'a' },
		{ "device", required_argument, NULL, 'd' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "now", required_argument, NULL, 't' },
		{ "min-block", required_argument, NULL, 'b' },
		{ "firmware", required_argument, NULL, 'f' },
		{ "chain-id", required_argument, NULL, 'c' },
		{ "registry", required_argument, NULL, 'r' },
		{ "max-lifetime", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *why;
	int ch, has_key = 0;

	memset(o, 0, sizeof(*o));
	o->now = (uint64_t)time(NULL);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		switch (ch) {
		case 'k':
			if (!read_key(o, optarg))
				return 0;
			has_key = 1;
			break;
		case 'd':
			if (!hex_decode_fixed(o->device, 20, optarg, &why)) {
				fprintf(stderr, "licgatectl: --device %s: %s\n",
				    optarg, why);
				return 0;
			}
			o->has_device = 1;
			break;
		case 'n':
			if (!hex_decode_bare(o->nonce, sizeof(o->nonce),
			    &o->nonce_len, optarg, &why)) {
				fprintf(stderr, "licgatectl: --nonce %s: %s\n",
				    optarg, why);
				return 0;
			}
			o->has_nonce = 1;
			break;
		case 't':
			if (!parse_u64(&o->now, optarg, "--now"))
				return 0;
			break;
		case 'b':
			if (!parse_u64(&o->min_block, optarg, "--min-block"))
				return 0;
			break;
		case 'f': case 'c': case 'r': case 'l':
			if (!vpin(o, ch, optarg))
				return 0;
			break;
		case 'a':
			if ((o->alg = key_alg_parse(optarg)) == 0) {
				fprintf(stderr, "licgatectl: --alg %s: not es256k "
				    "or es256\n", optarg);
				return 0;
			}
			break;
		case 'j': o->json = 1; break;
		case 'h': return -1;
		default: return 0;
		}
	if (o->alg != 0 && o->key_alg != 0 && o->alg != o->key_alg) {
		fprintf(stderr, "licgatectl: --alg %s, but --gateway-key is "
		    "a key for %s\n", key_alg_name(o->alg),
		    key_alg_name(o->key_alg));
		return 0;
	}
	if (o->alg == 0)
		o->alg = o->key_alg != 0 ? o->key_alg : LGV_ALG_ES256K;
	if (optind != argc - 1 || !has_key) {
		if (!has_key && optind == argc - 1)
			fprintf(stderr, "licgatectl: --gateway-key is required\n");
		return 0;
	}
	*file = argv[optind];
	return 1;
}

static const char *
vname(uint64_t v)
{
	const char *n = v < VERDICT_COUNT ? verdict_name((enum verdict)v) : NULL;

	return n != NULL ? n : "unknown";
}

/* The verifier's view as the writer's claims, for the shared renderer. */
static json_t *
token_json(const struct lgv_token *t, enum lgv_result r, size_t len,
    const uint8_t *gateway)
{
	struct token_claims c;
	char h[43];
	json_t *o;

	memset(&c, 0, sizeof(c));
	memcpy(c.sub, t->sub, 20);
	c.iat = t->iat;
	c.exp = t->exp;
	memcpy(c.cti, t->cti, sizeof(c.cti));
	memcpy(c.nonce, t->nonce, t->nonce_len);
	c.nonce_len = t->nonce_len;
	c.verdict = t->verdict > 0xffff ? 0xffff : (unsigned)t->verdict;
	memcpy(c.firmware, t->firmware, 32);
	c.firmware_version = t->firmware_version;
	c.license_id = t->license_id;
	c.license_expiry = t->license_expiry;
	c.max_version = t->max_version;
	c.chain_id = t->chain_id;
	memcpy(c.registry, t->registry, 20);
	c.block_number = t->block_number;
	memcpy(c.block_hash, t->block_hash, TOKEN_BLOCK_HASH_LEN);
	o = token_claims_json(&c);
	if (gateway != NULL)
		json_object_set_new(o, "gateway", json_string(hex_encode(h,
		    gateway, 20)));
	if (key_alg_name(t->alg) != NULL)
		json_object_set_new(o, "alg", json_string(key_alg_name(t->alg)));
	json_object_set_new(o, "result", json_string(lgv_result_name(r)));
	json_object_set_new(o, "size", json_integer((json_int_t)len));
	return o;
}

/* gateway: the pinned key's address, which the token itself no longer
 * names (the key is what a device trusts), or NULL. */
static void
token_print(const struct lgv_token *t, enum lgv_result r, size_t len,
    const uint8_t *gateway)
{
	char h[67], a[32], b[32];

	if (r == LGV_OK)
		printf("token      verified (%zu bytes)\n", len);
	else if (r == LGV_DENIED)
		printf("token      DENIED: signed by the gateway, verdict %s "
		    "(%zu bytes)\n", vname(t->verdict), len);
	else
		printf("token      REFUSED: %s (%zu bytes)\n", lgv_result_name(r),
		    len);
	printf("verdict    %s\n", vname(t->verdict));
	printf("alg        %s\n", key_alg_name(t->alg));
	printf("device     %s\n", hex_encode(h, t->sub, 20));
	if (gateway != NULL)
		printf("gateway    %s (the key's address)\n",
		    hex_encode(h, gateway, 20));
	printf("firmware   %s version %" PRIu64 "\n",
	    hex_encode(h, t->firmware, 32), t->firmware_version);
	if (t->license_id != 0)
		printf("license    %" PRIu64 ", expires %s, allows versions up "
		    "to %" PRIu64 "\n", t->license_id, (t->license_expiry == 0 ? "never" : ctl_iso(a, t->license_expiry)),
		    t->max_version);
	else
		printf("license    none\n");
	printf("valid      %s to %s\n", ctl_iso(a, t->iat), ctl_iso(b, t->exp));
	if (t->nonce_len > 0)
		printf("nonce      %s\n", hex_encode(h, t->nonce, t->nonce_len));
	printf("chain      %" PRIu64 ", registry %s\n", t->chain_id,
	    hex_encode(h, t->registry, 20));
	printf("block      %" PRIu64 " (hash %s...)\n", t->block_number,
	    hex_encode(h, t->block_hash, LGV_BLOCK_HASH_LEN));
}

static int
verify_run(const struct ctl_verb *self, int argc, char **argv)
{
	uint8_t tok[LGV_TOKEN_MAX], addr[20];
	const uint8_t *gateway;
	struct lgv_expect e;
	struct lgv_token t;
	enum lgv_result r;
	struct vopts o;
	const char *file;
	size_t len;
	int rc;

	if ((rc = vargs(&o, &file, argc, argv)) != 1)
		return rc < 0 ? ctl_verb_help(self) : ctl_usage(self);
	if (!read_token(tok, &len, file))
		return CTL_BADINPUT;
	memset(&e, 0, sizeof(e));
	e.gateway_key = o.key;
	e.gateway_key_len = o.key_len;
	e.device = o.has_device ? o.device : NULL;
	e.nonce = o.has_nonce ? o.nonce : NULL;
	e.nonce_len = o.nonce_len;
	e.now = o.now;
	e.min_block = o.min_block;
	e.firmware = o.has_firmware ? o.firmware : NULL;
	e.has_chain_id = o.has_chain_id;
	e.chain_id = o.chain_id;
	e.registry = o.has_registry ? o.registry : NULL;
	e.max_lifetime = o.max_lifetime;
	e.gateway_alg = o.alg;
	r = lgv_verify(&t, tok, len, &e);
	if (r == LGV_BAD_KEY) {
		fprintf(stderr, "licgatectl: --gateway-key: not a %s public "
		    "key\n", o.alg == LGV_ALG_ES256 ? "P-256" : "secp256k1");
		return CTL_BADINPUT;
	}
	gateway = key_pubkey_address(addr, o.alg != 0 ? o.alg :
	    LGV_ALG_ES256K, o.key, o.key_len) ? addr : NULL;
	if (o.json) {
		json_t *j = token_json(&t, r, len, gateway);
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else if (r == LGV_MALFORMED || r == LGV_BAD_ALG ||
	    r == LGV_BAD_PROFILE)
		printf("token      REFUSED: %s (%zu bytes)%s%s\n",
		    lgv_result_name(r), len, r == LGV_BAD_ALG &&
		    key_alg_name(t.alg) != NULL ? ": the token is " : "",
		    r == LGV_BAD_ALG && key_alg_name(t.alg) != NULL ?
		    key_alg_name(t.alg) : "");
	else
		token_print(&t, r, len, gateway);
	return r == LGV_OK ? CTL_OK : CTL_MISMATCH;
}

const struct ctl_verb ctl_verb_verify = {
	.name = "verify",
	.usage = "TOKENFILE --gateway-key HEX|FILE [--alg es256k|es256] "
	    "[--device ADDR] [--nonce HEX] [--firmware HASH] [--chain-id N] "
	    "[--registry ADDR] [--max-lifetime SECONDS] [--now UNIX] "
	    "[--min-block N] [--json]",
	.summary = "check an attestation as a device does and print its claims",
	.run = verify_run,
};
