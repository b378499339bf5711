/* conf.h: gateway.conf, every option defined once in a table (name, type,
 * default, range, help); errors as FILE:LINE: message. */
#ifndef LICGATE_CONF_H
#define LICGATE_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONF_MAX_URLS 16
#define CONF_MAX_SYNC_CONNECTIONS 8	/* sync.connections; the follower's own limit */
#define CONF_MAX_SIGNERS 64		/* chain.signers; the engines' own limit */

/* A list of addresses (chain.signers). */
struct conf_addrs {
	uint8_t a[CONF_MAX_SIGNERS][20];
	size_t n;
};

struct conf {
	char *rpc_url[CONF_MAX_URLS];		/* rpc.url, repeatable */
	size_t rpc_nurl;
	char *rpc_bearer_file;			/* rpc.bearer_token_file */
	uint64_t rpc_timeout;			/* seconds */
	uint64_t rpc_connect_timeout;		/* seconds */
	uint64_t rpc_max_response;		/* bytes */
	uint64_t rpc_retries;
	uint64_t chain_id;
	char *chain_engine;			/* none, clique, qbft, quorum */
	uint64_t checkpoint_number;
	uint8_t checkpoint_hash[32];
	uint64_t confirmations;
	struct conf_addrs chain_signers;	/* chain.signers */
	uint64_t chain_epoch;			/* chain.epoch */
	int node_is_trusted;			/* chain.node_is_trusted */
	uint64_t quorum_min_agree;
	uint8_t registry[20];
	uint64_t batch_size;
	uint64_t sync_connections;		/* sync.connections */
	uint64_t poll_interval;			/* seconds */
	char *db_path;
	char *http_listen;
	uint64_t http_port;
	uint64_t http_max_connections;
	uint64_t http_max_body;			/* bytes */
	uint64_t http_request_timeout;		/* seconds */
	uint64_t http_threads;			/* 0: one per CPU */
	char *key_file;
	char *attestation_alg;			/* ES256K, ES256 */
	uint64_t attestation_ttl;		/* seconds */
	uint64_t max_staleness;			/* seconds */
	int require_device_auth;
	uint64_t request_window;		/* seconds */
	uint64_t anchor_interval;		/* seconds; 0: off */
	uint64_t anchor_max_pending;		/* reports */
	uint64_t anchor_max_batch;		/* reports */
	uint64_t anchor_resend_after;		/* seconds */
	int log_verbose;
};

/* Reads FILE into *cfg (defaults first, then the file).  Returns 1, or 0
 * with err holding one line "FILE:LINE: message" (or "FILE: message"). */
int conf_load(struct conf *cfg, const char *file, char *err,
    size_t errsz) __attribute__((warn_unused_result));

/* After a reload: the options the table marks as applied on SIGHUP take
 * next's values in run (their old values go to next, which the caller
 * frees); every other option whose value differs keeps run's, and its name
 * goes to restart[] (at most max; the count of them is returned). */
#define CONF_MAX_OPTIONS 64
size_t conf_reload(struct conf *run, struct conf *next, const char **restart,
    size_t max);
/* 1 when SIGHUP applies option name, 0 when it needs a restart (or is no
 * option). */
int conf_reloadable(const char *name);

/* Frees what conf_load allocated; cfg may be zeroed or loaded. */
void conf_free(struct conf *cfg);

/* Writes gateway.conf.example: every option, its default and its help. */
void conf_print_example(FILE *out);

/* One option set in a configuration conf_print writes. */
struct conf_setting {
	const char *name;	/* an option of the table */
	const char *value;	/* written as it is; NULL for nothing */
	const char *why;	/* where it came from (comment lines), or NULL */
	int commented;		/* written commented out: advice, not a value */
};

/* Writes a configuration in gateway.conf.example's layout: header as
 * comment lines, then every option in table order under its help line,
 * either with the settings of set[0..n) that name it (each after its why)
 * or commented out at its default.  Returns 1, or 0 with err when a
 * setting names no option (nothing written then). */
int conf_print(FILE *out, const char *header, const struct conf_setting *set,
    size_t n, char *err, size_t errsz) __attribute__((warn_unused_result));

#endif
