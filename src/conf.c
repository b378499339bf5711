/* conf.c: options are rows of one table; parsing, defaults, the example
 * file all come from it. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "chain/hex.h"
#include "conf.h"
#include "log.h"
#include "rpc.h"
#include "xmalloc.h"

enum opt_type {
	T_STRING, T_PATH, T_BOOL, T_UINT, T_DURATION, T_SIZE, T_ENUM,
	T_URL, T_ADDRESS, T_ADDRLIST, T_HASH, T_LISTEN
};

#define REQUIRED 1
#define REPEATABLE 2
#define RELOAD 4		/* SIGHUP applies it; otherwise a restart */

struct opt {
	const char *name;
	enum opt_type type;
	size_t off;
	const char *def;		/* NULL: no default */
	uint64_t min, max;		/* numbers, durations, sizes */
	const char *allowed;		/* T_ENUM: "a|b|c" */
	int flags;
	const char *help;
};

#define O(f) offsetof(struct conf, f)

static const struct opt opts[] = {
	{ .name = "rpc.url", .type = T_URL, .off = O(rpc_url),
	    .flags = REQUIRED | REPEATABLE | RELOAD,
	    .help = "JSON-RPC endpoint (http or https); repeat for failover" },
	{ .name = "rpc.bearer_token_file", .type = T_PATH, .off = O(rpc_bearer_file),
	    .flags = RELOAD,
	    .help = "file holding a bearer token for hosted endpoints (mode 0600)" },
	{ .name = "rpc.timeout", .type = T_DURATION, .off = O(rpc_timeout),
	    .def = "10s", .min = 1, .max = 600, .flags = RELOAD,
	    .help = "limit on one RPC request" },
	{ .name = "rpc.connect_timeout", .type = T_DURATION, .off = O(rpc_connect_timeout),
	    .def = "5s", .min = 1, .max = 120, .flags = RELOAD,
	    .help = "limit on connecting to an endpoint" },
	{ .name = "rpc.max_response_size", .type = T_SIZE, .off = O(rpc_max_response),
	    .def = "16M", .min = 65536, .max = 1ULL << 30, .flags = RELOAD,
	    .help = "larger answers are refused (a node cannot exhaust memory)" },
	{ .name = "rpc.retries", .type = T_UINT, .off = O(rpc_retries),
	    .def = "3", .min = 0, .max = 20, .flags = RELOAD,
	    .help = "further attempts, over the endpoints in turn, with backoff" },
	{ .name = "chain.id", .type = T_UINT, .off = O(chain_id),
	    .min = 1, .max = UINT64_MAX, .flags = REQUIRED,
	    .help = "chain id; the nodes' eth_chainId must match it" },
	{ .name = "chain.engine", .type = T_ENUM, .off = O(chain_engine),
	    .def = "none", .allowed = "none|clique|qbft|quorum",
	    .help = "consensus rules checked on headers (none: local development chains)" },
	{ .name = "chain.checkpoint_number", .type = T_UINT, .off = O(checkpoint_number),
	    .min = 0, .max = UINT64_MAX, .flags = REQUIRED,
	    .help = "number of the trusted block everything is linked back to" },
	{ .name = "chain.checkpoint_hash", .type = T_HASH, .off = O(checkpoint_hash),
	    .flags = REQUIRED,
	    .help = "hash of that block" },
	{ .name = "chain.confirmations", .type = T_UINT, .off = O(confirmations),
	    .def = "12", .min = 0, .max = 10000,
	    .help = "blocks on top before a change takes effect (the reorg window)" },
	{ .name = "chain.signers", .type = T_ADDRLIST, .off = O(chain_signers),
	    .help = "clique, qbft: the signers or validators at a checkpoint that lists none" },
	{ .name = "chain.epoch", .type = T_UINT, .off = O(chain_epoch),
	    .def = "30000", .min = 1, .max = UINT64_MAX,
	    .help = "clique, qbft: blocks per epoch (votes reset, Clique lists its signers)" },
	{ .name = "chain.node_is_trusted", .type = T_BOOL, .off = O(node_is_trusted),
	    .def = "no",
	    .help = "engine none on a chain id other than 31337 or 1337: the node can lie" },
	{ .name = "quorum.min_agree", .type = T_UINT, .off = O(quorum_min_agree),
	    .def = "2", .min = 1, .max = CONF_MAX_URLS,
	    .help = "quorum engine: endpoints that must report the same finalized hash" },
	{ .name = "registry.address", .type = T_ADDRESS, .off = O(registry),
	    .flags = REQUIRED,
	    .help = "address of the LicenseRegistry contract" },
	{ .name = "sync.batch_size", .type = T_UINT, .off = O(batch_size),
	    .def = "5000", .min = 1, .max = 100000, .flags = RELOAD,
	    .help = "blocks verified and committed per batch, with one digest proof" },
	{ .name = "sync.connections", .type = T_UINT, .off = O(sync_connections),
	    .def = "3", .min = 1, .max = CONF_MAX_SYNC_CONNECTIONS, .flags = RELOAD,
	    .help = "connections fetching headers and receipts at once (the proof has one more)" },
	{ .name = "sync.poll_interval", .type = T_DURATION, .off = O(poll_interval),
	    .def = "2s", .min = 1, .max = 3600, .flags = RELOAD,
	    .help = "pause between looks at the chain head once caught up" },
	{ .name = "db.path", .type = T_PATH, .off = O(db_path),
	    .def = "/var/lib/licgate/gateway.db",
	    .help = "the SQLite cache of verified state" },
	{ .name = "http.listen", .type = T_LISTEN, .off = O(http_listen),
	    .def = "127.0.0.1",
	    .help = "address the HTTP API listens on (an IPv4 or IPv6 literal)" },
	{ .name = "http.port", .type = T_UINT, .off = O(http_port),
	    .def = "8477", .min = 0, .max = 65535,
	    .help = "port of the HTTP API (0: any free port, logged at start)" },
	{ .name = "http.max_connections", .type = T_UINT, .off = O(http_max_connections),
	    .def = "1024", .min = 1, .max = 65536,
	    .help = "connections served at once; more wait in the kernel" },
	{ .name = "http.max_body_size", .type = T_SIZE, .off = O(http_max_body),
	    .def = "4k", .min = 256, .max = 1 << 20,
	    .help = "largest device-signed request accepted" },
	{ .name = "http.threads", .type = T_UINT, .off = O(http_threads),
	    .def = "0", .min = 0, .max = 64,
	    .help = "threads serving the HTTP API and signing tokens (0: one per CPU)" },
	{ .name = "http.request_timeout", .type = T_DURATION, .off = O(http_request_timeout),
	    .def = "10s", .min = 1, .max = 600,
	    .help = "idle connections are closed after this (slow clients)" },
	{ .name = "key.file", .type = T_PATH, .off = O(key_file),
	    .def = "/etc/licgate/gateway.key",
	    .help = "the gateway's signing key (owner only, mode 0600, no symlink)" },
	{ .name = "attestation.alg", .type = T_ENUM, .off = O(attestation_alg),
	    .def = "ES256K", .allowed = "ES256K|ES256",
	    .help = "the tokens' COSE algorithm; key.file must be a key of its curve" },
	{ .name = "attestation.ttl", .type = T_DURATION, .off = O(attestation_ttl),
	    .def = "5m", .min = 1, .max = 86400 * 7, .flags = RELOAD,
	    .help = "lifetime of an attestation (a valid one never past its license's end)" },
	{ .name = "attestation.max_staleness", .type = T_DURATION, .off = O(max_staleness),
	    .def = "1h", .min = 1, .max = 86400 * 365, .flags = RELOAD,
	    .help = "older verified state makes every verdict 'stale'" },
	{ .name = "attestation.require_device_auth", .type = T_BOOL, .off = O(require_device_auth),
	    .def = "no",
	    .help = "answer only device-signed requests (POST /v1/attestation)" },
	{ .name = "attestation.request_window", .type = T_DURATION, .off = O(request_window),
	    .def = "60s", .min = 1, .max = 3600,
	    .help = "a signed request's time may be this far from the gateway's clock" },
	{ .name = "anchor.interval", .type = T_DURATION, .off = O(anchor_interval),
	    .def = "10m", .min = 0, .max = 86400 * 30, .flags = RELOAD,
	    .help = "anchor waiting install reports on chain this often (0: never)" },
	{ .name = "anchor.max_pending", .type = T_UINT, .off = O(anchor_max_pending),
	    .def = "1000", .min = 1, .max = 100000, .flags = RELOAD,
	    .help = "anchor at once when this many reports wait" },
	{ .name = "anchor.max_batch", .type = T_UINT, .off = O(anchor_max_batch),
	    .def = "10000", .min = 1, .max = 100000, .flags = RELOAD,
	    .help = "most reports one anchoring transaction covers" },
	{ .name = "anchor.resend_after", .type = T_DURATION, .off = O(anchor_resend_after),
	    .def = "3m", .min = 1, .max = 86400, .flags = RELOAD,
	    .help = "an anchor not mined by then is sent again, its fee 12.5% higher" },
	{ .name = "log.verbose", .type = T_BOOL, .off = O(log_verbose),
	    .def = "no", .flags = RELOAD,
	    .help = "log debugging detail" },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

#define CONFIG_MAX_LINE 4096
#define CONFIG_MAX_FILE (1 << 20)

static void *
field(struct conf *c, const struct opt *o)
{
	return (char *)c + o->off;
}

/* Digits with an optional unit suffix; *mult from the suffix table. */
static int
parse_scaled(uint64_t *out, const char *v, const char *units,
    const uint64_t *mults)
{
	char *end;
	const char *u;

	if (!isdigit((unsigned char)v[0]))
		return 0;
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (errno != 0)
		return 0;
	if (*end == '\0')
		return 1;
	if (end[1] != '\0' || (u = strchr(units, *end)) == NULL)
		return 0;
	if (*out > UINT64_MAX / mults[u - units])
		return 0;
	*out *= mults[u - units];
	return 1;
}

/* Whether v is one of the words of allowed ("a|b|c"), whole: ES256 is
 * not ES256K. */
static int
enum_allowed(const char *allowed, const char *v)
{
	size_t len = strlen(v), n;
	const char *p = allowed;

	for (;;) {
		n = strcspn(p, "|");
		if (len > 0 && n == len && strncmp(p, v, n) == 0)
			return 1;
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

/* Parses v for o into the config; returns 1, or 0 with msg. */
static int
set_value(struct conf *c, const struct opt *o, const char *v, char *msg,
    size_t msgsz)
{
	static const uint64_t dur[] = { 1, 60, 3600, 86400 };
	static const uint64_t size[] = { 1024, 1024 * 1024, 1024 * 1024 * 1024 };
	void *f = field(c, o);
	uint64_t n = 0;
	const char *why;
	uint8_t tmp[16];
	int ok = 1;

	switch (o->type) {
	case T_STRING:
	case T_PATH:
		if (*v == '\0')
			return errf(msg, msgsz, "%s: empty value", o->name);
		free(*(char **)f);
		*(char **)f = xstrdup(v);
		return 1;
	case T_BOOL:
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
			*(int *)f = 1;
		else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
			*(int *)f = 0;
		else
			return errf(msg, msgsz, "%s: '%s' is not yes or no", o->name, v);
		return 1;
	case T_UINT:
		ok = parse_scaled(&n, v, "", NULL);
		break;
	case T_DURATION:
		ok = parse_scaled(&n, v, "smhd", dur);
		break;
	case T_SIZE:
		ok = parse_scaled(&n, v, "kMG", size);
		break;
	case T_ENUM: {
		if (!enum_allowed(o->allowed, v))
			return errf(msg, msgsz, "%s: '%s' is not one of %s", o->name,
			    v, o->allowed);
		free(*(char **)f);
		*(char **)f = xstrdup(v);
		return 1;
	}
	case T_URL: {
		char **urls = f;
		size_t *count = &c->rpc_nurl;
		char shown[256];
		if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
			return errf(msg, msgsz, "%s: '%s' is not an http or https URL",
			    o->name, rpc_redact(shown, sizeof(shown), v));
		if (*count == CONF_MAX_URLS)
			return errf(msg, msgsz, "%s: more than %d endpoints", o->name,
			    CONF_MAX_URLS);
		urls[(*count)++] = xstrdup(v);
		return 1;
	}
	case T_ADDRESS:
		if (!hex_decode_fixed(f, 20, v, &why))
			return errf(msg, msgsz, "%s: '%s': %s (want 0x and 40 hex "
			    "digits)", o->name, v, why);
		return 1;
	case T_ADDRLIST: {
		struct conf_addrs *a = f;
		if (!hex_addr_list(a->a, CONF_MAX_SIGNERS, &a->n, v, &why))
			return errf(msg, msgsz, "%s: '%s': %s (want 0x addresses "
			    "separated by commas, at most %d)", o->name, v, why,
			    CONF_MAX_SIGNERS);
		return 1;
	}
	case T_HASH:
		if (!hex_decode_fixed(f, 32, v, &why))
			return errf(msg, msgsz, "%s: '%s': %s (want 0x and 64 hex "
			    "digits)", o->name, v, why);
		return 1;
	case T_LISTEN:
		if (inet_pton(AF_INET, v, tmp) != 1 && inet_pton(AF_INET6, v, tmp) != 1)
			return errf(msg, msgsz, "%s: '%s' is not an IPv4 or IPv6 "
			    "address", o->name, v);
		free(*(char **)f);
		*(char **)f = xstrdup(v);
		return 1;
	}
	if (!ok)
		return errf(msg, msgsz, "%s: '%s' is not a %s", o->name, v,
		    o->type == T_UINT ? "whole number" : o->type == T_DURATION ?
		    "duration (like 30s, 5m, 2h, 7d)" : "size (like 64k, 16M)");
	if (n < o->min || n > o->max)
		return errf(msg, msgsz, "%s: %s is out of range (%llu to %llu)",
		    o->name, v, (unsigned long long)o->min,
		    (unsigned long long)o->max);
	*(uint64_t *)f = n;
	return 1;
}

/* Edit distance, for "did you mean". */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, cur, d[128];

	if (lb >= sizeof(d) / sizeof(d[0]))
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		prev = d[0];
		d[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = d[j];
			d[j] = a[i - 1] == b[j - 1] ? prev :
			    1 + (prev < d[j - 1] ? (prev < d[j] ? prev : d[j]) :
			    (d[j - 1] < d[j] ? d[j - 1] : d[j]));
			prev = cur;
		}
	}
	return d[lb];
}

static const struct opt *
find_opt(const char *name, const char **suggest)
{
	size_t i, best = SIZE_MAX, dist;

	*suggest = NULL;
	for (i = 0; i < NOPTS; i++) {
		if (strcmp(opts[i].name, name) == 0)
			return &opts[i];
		if ((dist = distance(name, opts[i].name)) < best) {
			best = dist;
			*suggest = opts[i].name;
		}
	}
	if (best > 3)
		*suggest = NULL;
	return NULL;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Splits "key = value # comment" in place; handles a quoted value.
 * Returns 1 (with *key NULL for a blank line), or 0 with msg. */
static int
split_line(char *line, char **key, char **val, char *msg, size_t msgsz)
{
	char *eq, *v, *end;

	*key = *val = NULL;
	line = trim(line);
	if (*line == '\0' || *line == '#')
		return 1;
	if ((eq = strchr(line, '=')) == NULL)
		return errf(msg, msgsz, "expected 'option = value'");
	*eq = '\0';
	*key = trim(line);
	v = trim(eq + 1);
	if (*v == '"') {
		if ((end = strchr(v + 1, '"')) == NULL)
			return errf(msg, msgsz, "%s: unterminated quote", *key);
		*end = '\0';
		if (*trim(end + 1) != '\0' && *trim(end + 1) != '#')
			return errf(msg, msgsz, "%s: text after the closing quote", *key);
		*val = v + 1;
		return 1;
	}
	if ((end = strchr(v, '#')) != NULL)
		*end = '\0';
	*val = trim(v);
	if (**key == '\0')
		return errf(msg, msgsz, "missing option name before '='");
	return 1;
}

static int
apply_defaults(struct conf *c, char *err, size_t errsz)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NOPTS; i++)
		if (opts[i].def != NULL && !set_value(c, &opts[i], opts[i].def,
		    err, errsz))
			return 0;
	return 1;
}

/* Handles one line; seen[] holds the line each option was first set on. */
static int
config_line(struct conf *c, char *line, unsigned lineno, unsigned *seen,
    const char *file, char *err, size_t errsz)
{
	char msg[512];
	const char *suggest;
	const struct opt *o;
	char *key, *val;

	if (!split_line(line, &key, &val, msg, sizeof(msg)))
		return errf(err, errsz, "%s:%u: %s", file, lineno, msg);
	if (key == NULL)
		return 1;
	if ((o = find_opt(key, &suggest)) == NULL)
		return errf(err, errsz, "%s:%u: unknown option '%s'%s%s%s", file,
		    lineno, key, suggest ? " (did you mean '" : "",
		    suggest ? suggest : "", suggest ? "'?)" : "");
	if (seen[o - opts] && !(o->flags & REPEATABLE))
		return errf(err, errsz, "%s:%u: %s given twice (first on line %u)",
		    file, lineno, key, seen[o - opts]);
	if (!seen[o - opts])
		seen[o - opts] = lineno;
	if (!set_value(c, o, val, msg, sizeof(msg)))
		return errf(err, errsz, "%s:%u: %s", file, lineno, msg);
	return 1;
}

/* The line an option was set on, or 0 for its default. */
static unsigned
line_of(const unsigned *seen, const char *name)
{
	const char *suggest;
	const struct opt *o = find_opt(name, &suggest);

	return o != NULL ? seen[o - opts] : 0;
}

static int
at_line(char *err, size_t errsz, const char *file, unsigned line,
    const char *msg)
{
	if (line > 0)
		return errf(err, errsz, "%s:%u: %s", file, line, msg);
	return errf(err, errsz, "%s: %s", file, msg);
}

/* Engine none checks no consensus: any node could serve a chain of its
 * own.  It is for development chains, or for a node the admin vouches for
 * in so many words. */
static int
check_engine(const struct conf *c, const unsigned *seen, const char *file,
    char *err, size_t errsz)
{
	int none = strcmp(c->chain_engine, "none") == 0;

	if (none && c->chain_id != 31337 && c->chain_id != 1337 &&
	    !c->node_is_trusted)
		return at_line(err, errsz, file, line_of(seen, "chain.engine"),
		    "chain.engine = none checks no consensus, so any RPC node "
		    "could serve a chain of its own: use clique, qbft or "
		    "quorum, or say chain.node_is_trusted = yes (development "
		    "chains 31337 and 1337 need neither)");
	if (c->chain_signers.n > 0 && strcmp(c->chain_engine, "clique") != 0 &&
	    strcmp(c->chain_engine, "qbft") != 0)
		return at_line(err, errsz, file, line_of(seen, "chain.signers"),
		    "chain.signers is for chain.engine = clique or qbft");
	return 1;
}

int
conf_load(struct conf *c, const char *file, char *err, size_t errsz)
{
	unsigned seen[NOPTS] = { 0 }, lineno = 0;
	char line[CONFIG_MAX_LINE + 2];
	size_t i, total = 0;
	FILE *f;

	if (!apply_defaults(c, err, errsz))
		return 0;
	if ((f = fopen(file, "r")) == NULL) {
		errf(err, errsz, "%s: %s", file, strerror(errno));
		goto fail;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		total += strlen(line);
		if (strlen(line) > CONFIG_MAX_LINE || total > CONFIG_MAX_FILE) {
			errf(err, errsz, "%s:%u: line or file too long", file, lineno);
			goto fail_close;
		}
		if (!config_line(c, line, lineno, seen, file, err, errsz))
			goto fail_close;
	}
	fclose(f);
	for (i = 0; i < NOPTS; i++)
		if ((opts[i].flags & REQUIRED) && !seen[i]) {
			errf(err, errsz, "%s: missing required option %s", file,
			    opts[i].name);
			goto fail;
		}
	if (!check_engine(c, seen, file, err, errsz))
		goto fail;
	return 1;
fail_close:
	fclose(f);
fail:
	conf_free(c);
	return 0;
}

/* How many bytes of struct conf an option's value takes. */
static size_t
field_size(const struct opt *o)
{
	switch (o->type) {
	case T_STRING:
	case T_PATH:
	case T_ENUM:
	case T_LISTEN:
		return sizeof(char *);
	case T_BOOL:
		return sizeof(int);
	case T_UINT:
	case T_DURATION:
	case T_SIZE:
		return sizeof(uint64_t);
	case T_ADDRESS:
		return 20;
	case T_HASH:
		return 32;
	case T_ADDRLIST:
		return sizeof(struct conf_addrs);
	case T_URL:
		return sizeof(((struct conf *)NULL)->rpc_url);
	}
	return 0;
}

static int
same_text(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Whether option o has the same value in a and b. */
static int
same_value(struct conf *a, struct conf *b, const struct opt *o)
{
	const void *x = field(a, o), *y = field(b, o);
	const struct conf_addrs *p = x, *q = y;
	size_t i;

	switch (o->type) {
	case T_STRING:
	case T_PATH:
	case T_ENUM:
	case T_LISTEN:
		return same_text(*(char *const *)x, *(char *const *)y);
	case T_URL:
		if (a->rpc_nurl != b->rpc_nurl)
			return 0;
		for (i = 0; i < a->rpc_nurl; i++)
			if (!same_text(a->rpc_url[i], b->rpc_url[i]))
				return 0;
		return 1;
	case T_ADDRLIST:
		return p->n == q->n && memcmp(p->a, q->a, p->n * 20) == 0;
	default:
		return memcmp(x, y, field_size(o)) == 0;
	}
}

/* Exchanges option o's values between a and b. */
static void
swap_value(struct conf *a, struct conf *b, const struct opt *o)
{
	unsigned char tmp[sizeof(struct conf_addrs)];
	size_t n = field_size(o), k;

	memcpy(tmp, field(a, o), n);
	memcpy(field(a, o), field(b, o), n);
	memcpy(field(b, o), tmp, n);
	if (o->type == T_URL) {
		k = a->rpc_nurl;
		a->rpc_nurl = b->rpc_nurl;
		b->rpc_nurl = k;
	}
}

size_t
conf_reload(struct conf *run, struct conf *next, const char **restart,
    size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < NOPTS; i++) {
		if (same_value(run, next, &opts[i]))
			continue;
		if (opts[i].flags & RELOAD)
			swap_value(run, next, &opts[i]);
		else if (n < max)
			restart[n++] = opts[i].name;
	}
	return n;
}

int
conf_reloadable(const char *name)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (strcmp(opts[i].name, name) == 0)
			return (opts[i].flags & RELOAD) != 0;
	return 0;
}

void
conf_free(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->rpc_nurl; i++)
		free(c->rpc_url[i]);
	free(c->rpc_bearer_file);
	free(c->chain_engine);
	free(c->db_path);
	free(c->http_listen);
	free(c->key_file);
	free(c->attestation_alg);
	memset(c, 0, sizeof(*c));
}

/* An option's help line, as gateway.conf.example has it. */
static void
print_help(FILE *out, const struct opt *o)
{
	fprintf(out, "\n# %s%s%s%s\n", o->help,
	    o->flags & REQUIRED ? " (required)" : "",
	    o->flags & REPEATABLE ? " (repeatable)" : "",
	    o->flags & RELOAD ? " (reload)" : "");
}

static void
print_default(FILE *out, const struct opt *o)
{
	if (o->def != NULL)
		fprintf(out, "#%s = %s\n", o->name, o->def);
	else
		fprintf(out, "#%s =\n", o->name);
}

void
conf_print_example(FILE *out)
{
	size_t i;

	fprintf(out, "# gateway.conf: the licgate gateway's configuration.\n"
	    "# Every option is listed with its default; required ones have none.\n"
	    "# A change to an option marked (reload) takes effect on SIGHUP; to\n"
	    "# any other, at the next start.\n"
	    "# Generated from the option table in src/conf.c; do not edit by hand.\n");
	for (i = 0; i < NOPTS; i++) {
		print_help(out, &opts[i]);
		print_default(out, &opts[i]);
	}
}

#define CONF_COMMENT_WIDTH 76

/* Text as comment lines: one or more per line of it, broken at spaces to
 * stay within CONF_COMMENT_WIDTH columns where a word allows. */
static void
print_comment(FILE *out, const char *text)
{
	size_t len, cut;

	while (text != NULL && *text != '\0') {
		len = strcspn(text, "\n");
		cut = len;
		if (len > CONF_COMMENT_WIDTH) {
			for (cut = CONF_COMMENT_WIDTH; cut > 0 && text[cut] != ' ';
			    cut--)
				;
			if (cut == 0)
				cut = len;
		}
		fprintf(out, "# %.*s\n", (int)cut, text);
		text += cut;
		if (*text == ' ' || *text == '\n')
			text++;
	}
}

/* The settings for option o, or its default when there are none. */
static void
print_settings(FILE *out, const struct opt *o,
    const struct conf_setting *set, size_t n)
{
	size_t i;
	int any = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(set[i].name, o->name) != 0)
			continue;
		print_comment(out, set[i].why);
		fprintf(out, "%s%s =%s%s\n", set[i].commented ? "#" : "",
		    o->name, set[i].value != NULL ? " " : "",
		    set[i].value != NULL ? set[i].value : "");
		any = 1;
	}
	if (!any)
		print_default(out, o);
}

int
conf_print(FILE *out, const char *header, const struct conf_setting *set,
    size_t n, char *err, size_t errsz)
{
	const char *suggest;
	size_t i;

	for (i = 0; i < n; i++)
		if (find_opt(set[i].name, &suggest) == NULL)
			return errf(err, errsz, "no option %s", set[i].name);
	print_comment(out, header);
	for (i = 0; i < NOPTS; i++) {
		print_help(out, &opts[i]);
		print_settings(out, &opts[i], set, n);
	}
	return 1;
}
