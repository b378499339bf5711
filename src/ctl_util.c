/* ctl_util.c: what several licgatectl verbs share: input files, times,
 * key names and the database verbs' options. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chain/hex.h"
#include "chain/p256.h"
#include "chain/sig.h"
#include "conf.h"
#include "ctl.h"
#include "ctl_util.h"
#include "file.h"
#include "key.h"
#include "rpc.h"
#include "xmalloc.h"

int
ctl_load_json(json_t **out, const char *file)
{
	json_error_t err;
	uint8_t *buf;
	size_t len;
	const char *why;

	*out = NULL;
	if (!file_read(&buf, &len, file, CTL_MAX_FILE, &why)) {
		fprintf(stderr, "licgatectl: %s: %s\n", file, why);
		return CTL_BADINPUT;
	}
	*out = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &err);
	free(buf);
	if (*out == NULL) {
		fprintf(stderr, "licgatectl: %s:%d:%d: not valid JSON: %s\n", file,
		    err.line, err.column, err.text);
		return CTL_BADINPUT;
	}
	return CTL_OK;
}

int
ctl_bad_json(const char *file, const struct jerr *e)
{
	fprintf(stderr, "licgatectl: %s: %s: %s\n", file, e->path, e->why);
	return CTL_BADINPUT;
}

int
ctl_parse_gateway(uint8_t gateway[20], const char *arg)
{
	uint8_t key[65];
	const char *why;
	size_t n;

	if (!hex_decode(key, sizeof(key), &n, arg, &why) ||
	    (n != 20 && n != 33 && n != 65) ||
	    (n != 20 && !sig_pubkey_to_address(gateway, key, n) &&
	    (n != 65 || !p256_pubkey_to_address(gateway, key, n)))) {
		fprintf(stderr, "licgatectl: --gateway %s: not 0x and an address "
		    "(20 bytes) or a public key (33 or 65 bytes)\n", arg);
		return 0;
	}
	if (n == 20)
		memcpy(gateway, key, 20);
	return 1;
}

int
ctl_parse_u64(uint64_t *v, const char *opt, const char *arg)
{
	char *end;

	errno = 0;
	*v = strtoull(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0) {
		fprintf(stderr, "licgatectl: %s %s: not a number\n", opt, arg);
		return 0;
	}
	return 1;
}

int
ctl_write_binary(const char *path, const uint8_t *p, size_t n,
    const char *what)
{
	FILE *f;

	if (path == NULL && isatty(fileno(stdout))) {
		fprintf(stderr, "licgatectl: %s: not writing binary to a "
		    "terminal (use -o FILE or a pipe)\n", what);
		return CTL_BADINPUT;
	}
	if ((f = path != NULL ? fopen(path, "wb") : stdout) == NULL) {
		fprintf(stderr, "licgatectl: %s: %s\n", path, strerror(errno));
		return CTL_BADINPUT;
	}
	if (fwrite(p, 1, n, f) != n || (path != NULL ? fclose(f) :
	    fflush(f)) != 0) {
		fprintf(stderr, "licgatectl: %s: %s\n", path != NULL ? path :
		    "stdout", strerror(errno));
		return CTL_BADINPUT;
	}
	return CTL_OK;
}

const char *
ctl_iso(char buf[32], uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "%" PRIu64, t);
	return buf;
}

int
ctl_key_names(char addr_hex[43], char pub_hex[69], int alg,
    const uint8_t seckey[32])
{
	uint8_t pub[33], addr[20];

	if (!key_pubkey(pub, sizeof(pub), alg, seckey) ||
	    !key_pubkey_address(addr, alg, pub, sizeof(pub)))
		return 0;
	hex_encode(addr_hex, addr, 20);
	hex_encode(pub_hex, pub, sizeof(pub));
	return 1;
}

int
ctl_rpc_open(struct rpc_client **c, const char *url, const char *verb)
{
	const struct rpc_options opt = { 5000, 30000, 64u << 20, 2, 200,
	    2000, NULL };
	const char *why;

	if (!rpc_client_new(c, &url, 1, &opt, &why)) {
		fprintf(stderr, "licgatectl: %s: --rpc: %s\n", verb, why);
		return 0;
	}
	return 1;
}

/* Parses -c FILE, --db PATH, --json and (for events) --since N. */
static int
db_args(struct ctl_db_opts *o, int argc, char **argv, int with_since)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "since", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int ch;

	memset(o, 0, sizeof(*o));
	o->conf = CTL_DEFAULT_CONF;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1)
		switch (ch) {
		case 'c': o->conf = optarg; break;
		case 'D': o->db = optarg; break;
		case 'j': o->json = 1; break;
		case 's':
			if (!with_since)
				return 0;
			o->since = strtoull(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || *optarg == '-') {
				fprintf(stderr, "licgatectl: --since %s: not a "
				    "block number\n", optarg);
				return 0;
			}
			o->has_since = 1;
			break;
		case 'h': return -1;
		default: return 0;
		}
	return optind == argc;
}

int
ctl_db_open(struct store **s, struct store_identity *id, const char *db,
    const char *conf, char **rpc_url)
{
	struct conf c;
	char err[1024];
	int ok;

	if (rpc_url != NULL)
		*rpc_url = NULL;
	if (db != NULL)
		ok = store_open_ro(s, db, id, err, sizeof(err));
	else if (!conf_load(&c, conf, err, sizeof(err)))
		ok = 0;
	else {
		ok = store_open_ro(s, c.db_path, id, err, sizeof(err));
		if (ok && rpc_url != NULL && c.rpc_nurl > 0)
			*rpc_url = xstrdup(c.rpc_url[0]);
		conf_free(&c);
	}
	if (!ok)
		fprintf(stderr, "licgatectl: %s\n", err);
	return ok;
}

int
ctl_db_verb(struct store **s, struct store_identity *id,
    struct ctl_db_opts *o, const struct ctl_verb *self, int with_since,
    int argc, char **argv, int *rc)
{
	int r;

	if ((r = db_args(o, argc, argv, with_since)) != 1) {
		*rc = r < 0 ? ctl_verb_help(self) : ctl_usage(self);
		return 0;
	}
	if (!ctl_db_open(s, id, o->db, o->conf, NULL)) {
		*rc = CTL_BADINPUT;
		return 0;
	}
	return 1;
}

int
ctl_db_list(const struct ctl_verb *self, int argc, char **argv,
    ctl_list_fn *list)
{
	struct ctl_db_opts o;
	struct store *s;
	json_t *arr = NULL;
	char err[512];
	int rc;

	if (!ctl_db_verb(&s, NULL, &o, self, 1, argc, argv, &rc))
		return rc;
	if (o.json)
		arr = json_array();
	if (!list(s, o.has_since ? o.since : 0, arr, err, sizeof(err))) {
		fprintf(stderr, "licgatectl: %s\n", err);
		json_decref(arr);
		store_close(s);
		return CTL_BADINPUT;
	}
	if (o.json) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(arr);
	}
	store_close(s);
	return CTL_OK;
}
