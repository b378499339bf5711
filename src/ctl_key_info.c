/* ctl_key_info.c: `licgatectl key-info`: a gateway key's address and
 * whether the registry authorises it, as the gateway's verified state
 * says. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "chain/hex.h"
#include "conf.h"
#include "ctl.h"
#include "ctl_util.h"
#include "key.h"
#include "store.h"

/* Reads a key file after checking its mode; returns CTL_OK or an exit code. */
static int
key_read(uint8_t seckey[32], int *alg, const char *path)
{
	char msg[512];

	if (!key_load(seckey, alg, path, msg, sizeof(msg))) {
		fprintf(stderr, "licgatectl: %s\n", msg);
		return CTL_BADINPUT;
	}
	return CTL_OK;
}

struct key_info_opts {
	const char *key;	/* -k FILE */
	const char *conf;	/* -c FILE */
	const char *db;		/* --db PATH */
	int json;
};

static int
key_info_args(struct key_info_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "k:c:", longopts, NULL)) != -1)
		switch (ch) {
		case 'k': o->key = optarg; break;
		case 'c': o->conf = optarg; break;
		case 'D': o->db = optarg; break;
		case 'j': o->json = 1; break;
		default: return 0;
		}
	return optind == argc;
}

/* The gateway's row in the verified state, with the verified block it is
 * as of; *found 0 when the registry never authorised it.  NULL with err. */
static json_t *
gateway_row(const char *db, const char *addr, int *found, char *err,
    size_t errsz)
{
	struct store_cursor cur;
	struct store *s;
	json_t *row;

	if (!store_open_ro(&s, db, NULL, err, errsz))
		return NULL;
	if (!store_cursor(s, &cur, err, errsz) ||
	    (row = store_row_json(s, "gateways", addr, found, err,
	    errsz)) == NULL) {
		store_close(s);
		return NULL;
	}
	store_close(s);
	if (cur.has_applied)
		json_object_set_new(row, "as_of_block",
		    json_integer((json_int_t)cur.applied_number));
	return row;
}

static void
print_authorisation(const json_t *row, int found)
{
	json_int_t at = json_integer_value(json_object_get(row, "updated_block"));
	json_int_t asof = json_integer_value(json_object_get(row,
	    "as_of_block"));

	if (!found)
		printf("registry   not authorised (never, as of block %"
		    JSON_INTEGER_FORMAT ")\n", asof);
	else if (json_integer_value(json_object_get(row, "active")) == 0)
		printf("registry   not authorised (withdrawn at block %"
		    JSON_INTEGER_FORMAT ", as of block %" JSON_INTEGER_FORMAT
		    ")\n", at, asof);
	else
		printf("registry   authorised as \"%s\" since block %"
		    JSON_INTEGER_FORMAT " (as of block %" JSON_INTEGER_FORMAT ")\n",
		    json_string_value(json_object_get(row, "label")), at, asof);
}

/* The 65-byte form too: what a P-256 device registers (the registry
 * decompresses a 33-byte key on secp256k1 only). */
static void
put_uncompressed(json_t *o, int alg, const uint8_t seckey[32])
{
	uint8_t pub[65];
	char h[2 * 65 + 3];

	if (key_pubkey(pub, sizeof(pub), alg, seckey))
		json_object_set_new(o, "public_key_uncompressed",
		    json_string(hex_encode(h, pub, sizeof(pub))));
}

/* Prints the key and, when a database is known, whether the registry
 * authorises it.  Exit 1 when it does not. */
static int
key_info_report(int alg, const uint8_t seckey[32], const char *db, int json)
{
	char addr[43], pub[69], err[1024];
	json_t *row = NULL, *o;
	int found = 0, authorised;

	if (!ctl_key_names(addr, pub, alg, seckey)) {
		fprintf(stderr, "licgatectl: key-info: not a valid %s key\n",
		    key_alg_name(alg));
		return CTL_BADINPUT;
	}
	if (db != NULL && (row = gateway_row(db, addr, &found, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "licgatectl: %s\n", err);
		return CTL_BADINPUT;
	}
	authorised = found && json_integer_value(json_object_get(row,
	    "active")) != 0;
	if (json) {
		o = json_pack("{s:s, s:s, s:s}", "address", addr, "public_key",
		    pub, "alg", key_alg_name(alg));
		put_uncompressed(o, alg, seckey);
		json_object_set_new(o, "authorised", row == NULL ? json_null() :
		    json_boolean(authorised));
		if (found)
			json_object_set(o, "registry", row);
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(o);
	} else {
		printf("address    %s\npublic key %s\nalgorithm  %s\n",
		    addr, pub, key_alg_name(alg));
		if (row == NULL)
			printf("registry   unknown (no database: give -c FILE or "
			    "--db PATH)\n");
		else
			print_authorisation(row, found);
	}
	json_decref(row);
	return row == NULL || authorised ? CTL_OK : CTL_MISMATCH;
}

static int
key_info_run(const struct ctl_verb *self, int argc, char **argv)
{
	struct key_info_opts o;
	uint8_t seckey[32];
	char err[1024];
	struct conf c;
	int rc, have_conf = 0, alg;

	if (!key_info_args(&o, argc, argv))
		return ctl_usage(self);
	/* Without -k, the key and database are the configuration's. */
	memset(&c, 0, sizeof(c));
	if (o.conf != NULL || o.key == NULL) {
		if (!conf_load(&c, o.conf != NULL ? o.conf : CTL_DEFAULT_CONF, err,
		    sizeof(err))) {
			fprintf(stderr, "licgatectl: %s\n", err);
			return CTL_BADINPUT;
		}
		have_conf = 1;
	}
	rc = key_read(seckey, &alg, o.key != NULL ? o.key : c.key_file);
	if (rc == CTL_OK)
		rc = key_info_report(alg, seckey, o.db != NULL ? o.db :
		    have_conf ? c.db_path : NULL, o.json);
	if (have_conf)
		conf_free(&c);
	explicit_bzero(seckey, sizeof(seckey));
	return rc;
}

const struct ctl_verb ctl_verb_key_info = {
	.name = "key-info",
	.usage = "[-k FILE] [-c FILE | --db PATH] [--json]",
	.summary = "a gateway key's address and whether the registry "
	    "authorises it",
	.run = key_info_run,
};
