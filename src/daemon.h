/* daemon.h: licgated's parts held together: configuration, key, RPC
 * client, engine, store, follower and HTTP server. */
#ifndef LICGATE_DAEMON_H
#define LICGATE_DAEMON_H

#include <pthread.h>
#include <stdint.h>

#include "conf.h"
#include "engine/engine.h"
#include "follow.h"
#include "http.h"
#include "rpc.h"
#include "store.h"

struct daemon {
	char *conf_file;
	struct conf conf;
	uint8_t seckey[32];
	uint8_t address[20];		/* the gateway's address */
	struct rpc_client *rpc;
	struct rpc_client *rpc_proof;	/* the follower's second connection */
	struct engine *eng;
	struct store *store;		/* the follower's (writer) */
	struct follower *follower;
	struct http_server *http;
	struct daemon_http *web;	/* HTTP-side state (daemon_http.c) */
};

/* Loads the configuration and key, opens the database, checks the node's
 * chain id and starts the HTTP server.  Returns 1, or 0 with one line. */
int daemon_start(struct daemon **out, const char *conf_file, int foreground,
    char *err, size_t errsz) __attribute__((warn_unused_result));
void daemon_stop(struct daemon *d);

/* The engine chain.engine names, with chain.epoch and chain.signers.
 * Returns 1, or 0 with "FILE: chain.engine: why" in err. */
int daemon_engine(struct engine **out, const struct conf *c,
    const char *file, char *err, size_t errsz)
    __attribute__((warn_unused_result));

/* SIGHUP: reloads what can change while running (RPC endpoints and their
 * limits, poll interval, batch size, attestation TTL and staleness, log
 * verbosity) and says which changed options need a restart. */
void daemon_reload(struct daemon *d);

/* The follower failed a step (counted in /metrics). */
void daemon_sync_error(struct daemon *d);

/* The HTTP side (daemon_http.c). */
int daemon_http_start(struct daemon *d, char *err, size_t errsz)
    __attribute__((warn_unused_result));
void daemon_http_stop(struct daemon *d);
void daemon_http_invalidate(struct daemon *d);
void daemon_http_sync_error(struct daemon *d);
void daemon_http_reload(struct daemon *d);
void daemon_http_caught_up(struct daemon *d);
/* The attestation TTL and max staleness as of the last (re)load: the HTTP
 * threads read them here, not in conf, which SIGHUP rewrites. */
uint64_t daemon_http_ttl(struct daemon *d);
uint64_t daemon_http_max_staleness(struct daemon *d);
/* Sets what the registry says of this gateway's key (enum store_gw_state
 * and the block of its last change); returns 1 when that changed. */
int daemon_http_gateway(struct daemon *d, int state, uint64_t block);
/* Whether the registry has withdrawn this gateway's key: nothing is
 * signed then. */
int daemon_http_withdrawn(struct daemon *d);
/* The state generation (bumped by daemon_http_invalidate). */
unsigned long daemon_http_generation(struct daemon *d);
/* Frees the token cache and the seen nonces (daemon_attest.c). */
void daemon_attest_free(void);
/* Notes the start: signed requests from before it are refused, since the
 * seen nonces of an earlier run are gone (daemon_attest.c). */
void daemon_attest_start(void);
/* The calling HTTP thread's own read-only database connection, opened on
 * its first use and closed by daemon_http_stop; NULL with err when the
 * database cannot be opened. */
struct store *daemon_http_store(struct daemon *d, char *err, size_t errsz);
/* GET/POST /v1/attestation (daemon_attest.c). */
void daemon_attestation(void *arg, const struct http_attest *req,
    struct http_reply *rep);

#endif
