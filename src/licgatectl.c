/* licgatectl: the admin's tool.  Verbs are registered in one table. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "log.h"

static const struct ctl_verb ctl_verbs[] = {
	{ "verify-block", ctl_verify_block, "FILE",
	    "check a block's hash, and its receipts root and blooms if given" },
	{ "verify-proof", ctl_verify_proof, "FILE",
	    "check an eth_getProof answer against a header's state root" },
	{ "verify-seal", ctl_verify_seal, "FILE --engine clique|qbft "
	    "[--signers A,B,...] [--epoch N]",
	    "check a Clique or QBFT header's seal and name its signers" },
	{ "keygen", ctl_keygen, "-o FILE [--force]",
	    "create a gateway signing key (mode 0600) and print its address" },
	{ "key-info", ctl_key_info, "[-k FILE] [-c FILE | --db PATH] [--json]",
	    "a gateway key's address and whether the registry authorises it" },
	{ "request", ctl_request, "-k DEVICEKEY --gateway ADDR|PUBKEY "
	    "--firmware HASH --nonce HEX [--time UNIX] [-o FILE]",
	    "sign an attestation request as a device does (COSE_Sign1)" },
	{ "verify", ctl_verify_token, "TOKENFILE --gateway-key HEX|FILE "
	    "[--device ADDR] [--nonce HEX] [--firmware HASH] [--chain-id N] "
	    "[--registry ADDR] [--max-lifetime SECONDS] [--now UNIX] "
	    "[--min-block N] [--json]",
	    "check an attestation as a device does and print its claims" },
	{ "status", ctl_status, "[-c FILE | --db PATH] [--json]",
	    "the verified head, lag, counts and last error of a gateway" },
	{ "events", ctl_events, "[-c FILE | --db PATH] [--since BLOCK] [--json]",
	    "the verified audit trail of registry events" },
	{ "dump", ctl_dump, "[-c FILE | --db PATH]",
	    "the effective registry state as JSON" },
	{ "init", ctl_init, "--rpc URL --registry ADDR [-o FILE] [--force] "
	    "[--db PATH] [--key PATH] [--checkpoint N] [--epoch N]",
	    "write a new gateway's gateway.conf from what a node says" },
	{ NULL, NULL, NULL, NULL }
};

const struct ctl_verb *
ctl_find(const char *name)
{
	const struct ctl_verb *v;

	for (v = ctl_verbs; v->name != NULL; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

int
ctl_usage(const struct ctl_verb *v)
{
	fprintf(stderr, "usage: licgatectl %s %s\n", v->name, v->usage);
	return CTL_BADINPUT;
}

static void
ctl_help(FILE *f)
{
	const struct ctl_verb *v;

	fprintf(f, "usage: licgatectl [--help | --version] VERB [ARGS]\n\n"
	    "Inspect chain data and the licgate gateway.\n\nVerbs:\n");
	for (v = ctl_verbs; v->name != NULL; v++)
		fprintf(f, "  %-14s %s\n", v->name, v->summary);
	fprintf(f, "\n'licgatectl VERB --help' shows a verb's arguments. "
	    "See licgatectl(8).\nExit status: 0 ok, 1 verification failed, "
	    "2 bad input or usage.\n");
}

int
main(int argc, char **argv)
{
	const struct ctl_verb *v;

	log_init("licgatectl", 1, 0);
	if (argc < 2) {
		ctl_help(stderr);
		return CTL_BADINPUT;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		ctl_help(stdout);
		return CTL_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("licgatectl %s\n", PACKAGE_VERSION);
		return CTL_OK;
	}
	if ((v = ctl_find(argv[1])) == NULL) {
		fprintf(stderr, "licgatectl: unknown verb '%s' "
		    "(licgatectl --help lists them)\n", argv[1]);
		return CTL_BADINPUT;
	}
	if (argc > 2 && (strcmp(argv[2], "--help") == 0 ||
	    strcmp(argv[2], "-h") == 0)) {
		printf("usage: licgatectl %s %s\n  %s\n", v->name, v->usage,
		    v->summary);
		return CTL_OK;
	}
	return v->run(argc - 1, argv + 1);
}
