/* ctl_util.h: what several licgatectl verbs share. */
#ifndef LICGATE_CTL_UTIL_H
#define LICGATE_CTL_UTIL_H

#include <stdint.h>

#include <jansson.h>

#include "chain/jsonv.h"
#include "ctl.h"
#include "store.h"

/* The configuration file verbs read when not given -c. */
#define CTL_DEFAULT_CONF SYSCONFDIR "/licgate/gateway.conf"

/* Largest input file a verb reads. */
#define CTL_MAX_FILE (64u << 20)

/* Loads FILE as JSON into *out (caller decrefs); on failure prints why and
 * returns CTL_BADINPUT. */
int ctl_load_json(json_t **out, const char *file);

/* Prints "FILE: PATH: WHY" to stderr; returns CTL_BADINPUT. */
int ctl_bad_json(const char *file, const struct jerr *e);

/* Writes unix time t as "2026-11-24T22:20:54Z" into buf; returns buf. */
const char *ctl_iso(char buf[32], uint64_t t);

/* Writes the address and compressed public key of seckey, a key of type
 * alg (key.h), as 0x hex; returns 0 when seckey is not a valid key. */
int ctl_key_names(char addr_hex[43], char pub_hex[69], int alg,
    const uint8_t seckey[32]);

/* --gateway ARG of the verbs that sign as a device: the gateway's address
 * (GET /v1/status names it), or its public key (licgatectl key-info
 * prints it), whose address is taken: a 65-byte key on either curve (the
 * address is the same rule on both), a compressed one on secp256k1 (on
 * P-256 its address differs: give the address).  Returns 1, or 0 after
 * saying why. */
int ctl_parse_gateway(uint8_t gateway[20], const char *arg);

/* OPT ARG: a decimal unsigned number.  Returns 1, or 0 after saying why. */
int ctl_parse_u64(uint64_t *v, const char *opt, const char *arg);

/* Writes n bytes of a signed WHAT (a request, a report) to path, or to
 * stdout unless it is a terminal.  Returns CTL_OK, or CTL_BADINPUT after
 * saying why. */
int ctl_write_binary(const char *path, const uint8_t *p, size_t n,
    const char *what);

struct rpc_client;

/* A client for the node at url, for a verb that asks it a few things
 * (timeouts of seconds, answers up to 64 MiB, two retries).  Returns 1,
 * or 0 after saying why. */
int ctl_rpc_open(struct rpc_client **c, const char *url, const char *verb);

/* Opens (read-only) the database at db, or at db.path in the
 * configuration file conf; with rpc_url, a copy of that configuration's
 * first rpc.url goes there (NULL without one; the caller frees it).
 * Returns 1, or 0 having said why on stderr. */
int ctl_db_open(struct store **s, struct store_identity *id, const char *db,
    const char *conf, char **rpc_url) __attribute__((warn_unused_result));

/* The options of the verbs that read a gateway's database. */

struct ctl_db_opts {
	const char *conf;
	const char *db;
	int json;
	int has_since;
	uint64_t since;
};

/* The start of a database verb: parses -c FILE, --db PATH, --json and
 * (with_since) --since N, and opens the database they name read-only.
 * Returns 1 with *s open, or 0 with *rc the verb's exit status: CTL_OK
 * after --help, CTL_BADINPUT after a bad option or a failed open. */
int ctl_db_verb(struct store **s, struct store_identity *id,
    struct ctl_db_opts *o, const struct ctl_verb *self, int with_since,
    int argc, char **argv, int *rc);

/* A listing verb's rows from since on: each into arr, or printed as a
 * line when arr is NULL.  Returns 1, or 0 with err. */
typedef int ctl_list_fn(struct store *s, uint64_t since, json_t *arr,
    char *err, size_t errsz);

/* The body of a listing verb (events, installs): ctl_db_verb's options
 * with --since, then list's rows, as lines or (--json) one JSON array. */
int ctl_db_list(const struct ctl_verb *self, int argc, char **argv,
    ctl_list_fn *list);

#endif
