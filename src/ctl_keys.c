/* ctl_keys.c: `licgatectl keygen` and `licgatectl key-info`: the gateway's
 * signing key, kept in a file only its owner can read, and whether the
 * registry authorises it as the gateway's verified state says. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain/hex.h"
#include "chain/sig.h"
#include "conf.h"
#include "ctl.h"
#include "file.h"
#include "key.h"
#include "store.h"

#define DEFAULT_CONF SYSCONFDIR "/licgate/gateway.conf"

/* The key's address and compressed public key, as 0x hex. */
static int
key_names(char addr_hex[43], char pub_hex[69], const uint8_t seckey[32])
{
	uint8_t pub[33], addr[20];

	if (!sig_pubkey_create(pub, sizeof(pub), seckey) ||
	    !sig_pubkey_to_address(addr, pub, sizeof(pub)))
		return 0;
	hex_encode(addr_hex, addr, 20);
	hex_encode(pub_hex, pub, sizeof(pub));
	return 1;
}

static void
print_key(const uint8_t seckey[32])
{
	char addr[43], pub[69];

	if (!key_names(addr, pub, seckey))
		return;
	printf("address    %s\n", addr);
	printf("public key %s\n", pub);
}

/* Reads a key file after checking its mode; returns CTL_OK or an exit code. */
static int
key_read(uint8_t seckey[32], const char *path)
{
	char msg[512];

	if (!key_load(seckey, path, msg, sizeof(msg))) {
		fprintf(stderr, "licgatectl: %s\n", msg);
		return CTL_BADINPUT;
	}
	return CTL_OK;
}

int
ctl_keygen(int argc, char **argv)
{
	uint8_t seckey[32];
	char text[KEY_FILE_LEN + 3];
	const char *out = NULL;
	int force = 0, fd, i, flags;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--force") == 0)
			force = 1;
		else
			return ctl_usage(ctl_find("keygen"));
	}
	if (out == NULL)
		return ctl_usage(ctl_find("keygen"));
	if (!sig_keygen(seckey)) {
		fprintf(stderr, "licgatectl: keygen: no randomness available\n");
		return CTL_MISMATCH;
	}
	hex_encode(text, seckey, 32);
	text[66] = '\n';
	/* O_EXCL: never replace a key by accident; 0600 from the start. */
	flags = O_WRONLY | O_CREAT | (force ? O_TRUNC : O_EXCL);
	if ((fd = open(out, flags, 0600)) < 0) {
		fprintf(stderr, "licgatectl: %s: %s%s\n", out, strerror(errno),
		    errno == EEXIST ? " (use --force to replace it)" : "");
		return CTL_BADINPUT;
	}
	if (fchmod(fd, 0600) != 0 || write(fd, text + 2, KEY_FILE_LEN) !=
	    KEY_FILE_LEN || fsync(fd) != 0 || close(fd) != 0) {
		fprintf(stderr, "licgatectl: %s: %s\n", out, strerror(errno));
		unlink(out);
		return CTL_BADINPUT;
	}
	explicit_bzero(text, sizeof(text));
	printf("wrote %s (mode 0600)\n", out);
	print_key(seckey);
	explicit_bzero(seckey, sizeof(seckey));
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

/* Prints the key and, when a database is known, whether the registry
 * authorises it.  Exit 1 when it does not. */
static int
key_info_report(const uint8_t seckey[32], const char *db, int json)
{
	char addr[43], pub[69], err[1024];
	json_t *row = NULL, *o;
	int found = 0, authorised;

	if (!key_names(addr, pub, seckey)) {
		fprintf(stderr, "licgatectl: key-info: not a valid secp256k1 "
		    "key\n");
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
		o = json_pack("{s:s, s:s}", "address", addr, "public_key", pub);
		json_object_set_new(o, "authorised", row == NULL ? json_null() :
		    json_boolean(authorised));
		if (found)
			json_object_set(o, "registry", row);
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(o);
	} else {
		printf("address    %s\npublic key %s\n", addr, pub);
		if (row == NULL)
			printf("registry   unknown (no database: give -c FILE or "
			    "--db PATH)\n");
		else
			print_authorisation(row, found);
	}
	json_decref(row);
	return row == NULL || authorised ? CTL_OK : CTL_MISMATCH;
}

int
ctl_key_info(int argc, char **argv)
{
	struct key_info_opts o;
	uint8_t seckey[32];
	char err[1024];
	struct conf c;
	int rc, have_conf = 0;

	if (!key_info_args(&o, argc, argv))
		return ctl_usage(ctl_find("key-info"));
	/* Without -k, the key and database are the configuration's. */
	memset(&c, 0, sizeof(c));
	if (o.conf != NULL || o.key == NULL) {
		if (!conf_load(&c, o.conf != NULL ? o.conf : DEFAULT_CONF, err,
		    sizeof(err))) {
			fprintf(stderr, "licgatectl: %s\n", err);
			return CTL_BADINPUT;
		}
		have_conf = 1;
	}
	rc = key_read(seckey, o.key != NULL ? o.key : c.key_file);
	if (rc == CTL_OK)
		rc = key_info_report(seckey, o.db != NULL ? o.db :
		    have_conf ? c.db_path : NULL, o.json);
	if (have_conf)
		conf_free(&c);
	explicit_bzero(seckey, sizeof(seckey));
	return rc;
}
