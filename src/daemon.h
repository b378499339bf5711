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
	int alg;			/* its type: LGV_ALG_ES256K or _ES256 */
	uint8_t address[20];		/* the gateway's address */
	struct rpc_client *rpc;
	struct rpc_client *rpc_proof;	/* the follower's second connection */
	struct engine *eng;
	struct store_identity id;	/* the database's, from conf */
	struct store *store;		/* the follower's (writer) */
	struct follower *follower;
	struct http_server *http;
	struct daemon_web *web;		/* shared with HTTP threads (daemon_web.c) */
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
 * limits, poll interval, batch size, attestation TTL and staleness, the
 * anchor.* options, log verbosity) and says which changed options need a
 * restart. */
void daemon_reload(struct daemon *d);

/* The follower failed a step (counted in /metrics). */
void daemon_sync_error(struct daemon *d);

/* The HTTP server (daemon_http.c): started after daemon_web_start's
 * state, which it starts and frees. */
int daemon_http_start(struct daemon *d, char *err, size_t errsz)
    __attribute__((warn_unused_result));
void daemon_http_stop(struct daemon *d);

/* What the HTTP threads share with the follower (daemon_web.c). */
void daemon_web_start(struct daemon *d);
void daemon_web_free(struct daemon *d);
/* A commit changed the state: bumps the generation cached tokens carry. */
void daemon_web_invalidate(struct daemon *d);
unsigned long daemon_web_generation(struct daemon *d);
/* The follower failed a step, or is caught up with the node. */
void daemon_web_sync_error(struct daemon *d);
void daemon_web_caught_up(struct daemon *d);
int daemon_web_is_caught_up(struct daemon *d);
unsigned long daemon_web_sync_errors(struct daemon *d);
/* Takes the attestation TTL and max staleness from conf; the HTTP threads
 * read them through daemon_web_ttl and _max_staleness, not in conf, which
 * SIGHUP rewrites. */
void daemon_web_reload(struct daemon *d);
uint64_t daemon_web_ttl(struct daemon *d);
uint64_t daemon_web_max_staleness(struct daemon *d);
/* Sets what the registry says of this gateway's key (enum store_gw_state
 * and the block of its last change); returns 1 when that changed. */
int daemon_web_gateway(struct daemon *d, int state, uint64_t block);
/* That state, -1 before it is first read. */
int daemon_web_gw_state(struct daemon *d);
/* Whether the registry has withdrawn this gateway's key: nothing is
 * signed then. */
int daemon_web_withdrawn(struct daemon *d);
/* The calling HTTP thread's own read-only database connection, opened on
 * its first use and closed by daemon_web_free; NULL with err when the
 * database cannot be opened. */
struct store *daemon_web_store(struct daemon *d, char *err, size_t errsz);

/* The attestation (daemon_attest.c). */
/* Notes the start: signed requests from before it are refused, since the
 * seen nonces of an earlier run are gone. */
void daemon_attest_start(void);
/* Frees the token cache and the seen nonces. */
void daemon_attest_free(void);
/* GET/POST /v1/attestation. */
void daemon_attestation(void *arg, const struct http_attest *req,
    struct http_reply *rep);

/* Install reports (daemon_install.c). */
/* Opens the writer's own connection and starts its thread; before the
 * HTTP server.  Returns 1, or 0 with err. */
int daemon_install_start(struct daemon *d, char *err, size_t errsz)
    __attribute__((warn_unused_result));
/* Commits and answers what is queued, stops the writer and closes its
 * connection; before the HTTP server stops.  Reports that come after are
 * refused (503 stopping). */
void daemon_install_stop(void);
/* POST /v1/installs (http_backend.install): body is the device's COSE
 * report; answered through later once stored, or at once if refused. */
void daemon_install(void *arg, const uint8_t *body, size_t len,
    struct http_deferred *later);

/* Anchoring install reports (daemon_anchor.c). */
/* Opens the loop's own connection and RPC client and starts its thread;
 * after the HTTP server (it reads daemon_web_gw_state).  Returns 1, or 0
 * with err. */
int daemon_anchor_start(struct daemon *d, char *err, size_t errsz)
    __attribute__((warn_unused_result));
/* SIGHUP: the anchor.* options and the RPC endpoints, from d. */
void daemon_anchor_reload(struct daemon *d);
/* Stops the loop (after its current step) and closes what it opened;
 * before the HTTP server stops. */
void daemon_anchor_stop(void);

#endif
