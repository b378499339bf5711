/* daemon.c: starting, reloading and stopping licgated's parts. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/hex.h"
#include "daemon.h"
#include "file.h"
#include "key.h"
#include "log.h"
#include "xmalloc.h"

/* The bearer token file: one line, owner-only. */
static int
read_bearer(char **out, const char *path, char *err, size_t errsz)
{
	uint8_t buf[4096];
	char msg[512];
	size_t len;

	*out = NULL;
	if (path == NULL)
		return 1;
	if (!file_read_secret(buf, sizeof(buf), &len, path, msg,
	    sizeof(msg))) {
		snprintf(err, errsz, "rpc.bearer_token_file: %s", msg);
		return 0;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len == 0 || memchr(buf, '\n', len) != NULL ||
	    memchr(buf, '\0', len) != NULL) {
		explicit_bzero(buf, sizeof(buf));
		snprintf(err, errsz, "rpc.bearer_token_file: %s: not one line "
		    "of token", path);
		return 0;
	}
	*out = xmalloc(len + 1);
	memcpy(*out, buf, len);
	(*out)[len] = '\0';
	explicit_bzero(buf, sizeof(buf));
	return 1;
}

static int
rpc_from_conf(struct rpc_client **out, const struct conf *c, char *err,
    size_t errsz)
{
	struct rpc_options o;
	const char *why;
	char *bearer;
	int ok;

	memset(&o, 0, sizeof(o));
	o.connect_timeout_ms = (long)c->rpc_connect_timeout * 1000;
	o.timeout_ms = (long)c->rpc_timeout * 1000;
	o.max_response = c->rpc_max_response;
	o.retries = (unsigned)c->rpc_retries;
	o.backoff_ms = 200;
	o.backoff_max_ms = 5000;
	if (!read_bearer(&bearer, c->rpc_bearer_file, err, errsz))
		return 0;
	o.bearer_token = bearer;
	ok = rpc_client_new(out, (const char *const *)c->rpc_url, c->rpc_nurl,
	    &o, &why);
	if (bearer != NULL) {
		explicit_bzero(bearer, strlen(bearer));
		free(bearer);
	}
	if (!ok)
		snprintf(err, errsz, "rpc.url: %s", why);
	return ok;
}

static void
params_from_conf(struct follow_params *p, const struct conf *c)
{
	memset(p, 0, sizeof(*p));
	p->chain_id = c->chain_id;
	memcpy(p->registry, c->registry, 20);
	p->checkpoint_number = c->checkpoint_number;
	memcpy(p->checkpoint_hash, c->checkpoint_hash, 32);
	p->confirmations = c->confirmations;
	p->batch_size = c->batch_size;
	p->connections = (unsigned)c->sync_connections;
}

/* The identity a database must have for c (chain id, registry,
 * checkpoint), for store_open. */
static void
daemon_identity(struct store_identity *id, const struct conf *c)
{
	memset(id, 0, sizeof(*id));
	id->chain_id = c->chain_id;
	memcpy(id->registry, c->registry, 20);
	id->checkpoint_number = c->checkpoint_number;
	memcpy(id->checkpoint_hash, c->checkpoint_hash, 32);
}

static int
load_key(struct daemon *d, char *err, size_t errsz)
{
	uint8_t pub[33];

	if (!key_load_conf(d->seckey, &d->alg, &d->conf, err, errsz))
		return 0;
	if (!key_pubkey(pub, sizeof(pub), d->alg, d->seckey) ||
	    !key_pubkey_address(d->address, d->alg, pub, sizeof(pub))) {
		snprintf(err, errsz, "%s: unusable key", d->conf.key_file);
		return 0;
	}
	return 1;
}

int
daemon_engine(struct engine **out, const struct conf *c, const char *file,
    char *err, size_t errsz)
{
	struct engine_config ec;
	const char *why;

	memset(&ec, 0, sizeof(ec));
	ec.epoch = c->chain_epoch;
	ec.signers = (const uint8_t (*)[20])c->chain_signers.a;
	ec.nsigners = c->chain_signers.n;
	ec.urls = (const char *const *)c->rpc_url;
	ec.nurls = c->rpc_nurl;
	ec.min_agree = c->quorum_min_agree;
	ec.timeout_ms = (long)c->rpc_timeout * 1000;
	ec.connect_timeout_ms = (long)c->rpc_connect_timeout * 1000;
	if (!engine_create(out, c->chain_engine, &ec, &why)) {
		snprintf(err, errsz, "%s: chain.engine: %s", file, why);
		return 0;
	}
	return 1;
}

/* Reads what the effective state says of this gateway's key and tells the
 * HTTP side; says so in the log when it changes.  The follower's thread
 * (or the start) calls it, with the writer's connection. */
static void
gateway_refresh(struct daemon *d)
{
	struct store_gateway g;
	char err[256];

	if (!store_gateway(d->store, d->address, &g, err, sizeof(err))) {
		log_warnx("reading this gateway's authorisation: %s", err);
		return;
	}
	if (!daemon_web_gateway(d, g.state, g.block))
		return;
	if (g.state == STORE_GW_WITHDRAWN)
		log_warnx("the registry withdrew this gateway's key at block "
		    "%llu: attestations and install reports are refused "
		    "until it is authorised again", (unsigned long long)g.block);
	else if (g.state == STORE_GW_AUTHORISED)
		log_info("the registry authorises this gateway's key as \"%s\" "
		    "(block %llu)", g.label, (unsigned long long)g.block);
	else
		log_info("the registry has not authorised this gateway's key; "
		    "devices that pin authorised gateways will refuse its "
		    "attestations");
}

static void
state_changed(void *arg)
{
	struct daemon *d = arg;

	if (d->web != NULL) {
		daemon_web_invalidate(d);
		gateway_refresh(d);
	}
}

int
daemon_start(struct daemon **out, const char *conf_file, int foreground,
    char *err, size_t errsz)
{
	struct daemon *d = xcalloc(1, sizeof(*d));
	struct follow_params fp;
	char addr[43];

	*out = NULL;
	d->conf_file = xstrdup(conf_file);
	if (!conf_load(&d->conf, conf_file, err, errsz))
		goto fail;
	log_init("licgated", foreground, d->conf.log_verbose);
	if (!load_key(d, err, errsz))
		goto fail;
	if (!daemon_engine(&d->eng, &d->conf, conf_file, err, errsz))
		goto fail;
	/* The proof's client is a clone: what one learns of the node (its
	 * batch limit, that it throttles) the other knows. */
	if (!rpc_from_conf(&d->rpc, &d->conf, err, errsz))
		goto fail;
	if ((d->rpc_proof = rpc_client_clone(d->rpc)) == NULL) {
		snprintf(err, errsz, "rpc: cannot make a second connection");
		goto fail;
	}
	/* The node first: an unreachable or foreign node leaves no
	 * database behind. */
	if (!follow_check_chain(d->rpc, d->conf.chain_id, err, errsz))
		goto fail;
	daemon_identity(&d->id, &d->conf);
	if (!store_open(&d->store, d->conf.db_path, &d->id, err, errsz))
		goto fail;
	params_from_conf(&fp, &d->conf);
	d->follower = follow_new(&fp, d->rpc, d->rpc_proof, d->eng, d->store);
	follow_set_commit_hook(d->follower, state_changed, d);
	if (!store_note_gateway(d->store, d->address, d->conf.chain_engine,
	    d->conf.node_is_trusted, err, errsz) ||
	    !daemon_http_start(d, err, errsz))
		goto fail;
	gateway_refresh(d);
	if (!daemon_anchor_start(d, err, errsz))
		goto fail;
	log_info("started: chain %llu, registry %s, database %s",
	    (unsigned long long)d->conf.chain_id,
	    hex_encode(addr, d->conf.registry, 20), d->conf.db_path);
	log_info("gateway address %s, tokens signed %s",
	    hex_encode(addr, d->address, 20), key_alg_name(d->alg));
	if (strcmp(d->conf.chain_engine, "none") == 0)
		log_warnx("chain.engine = none: no consensus is checked, so the "
		    "RPC node could serve a chain of its own%s",
		    d->conf.node_is_trusted ? " (chain.node_is_trusted = yes)" :
		    " (a development chain)");
	*out = d;
	return 1;
fail:
	daemon_stop(d);
	return 0;
}

void
daemon_stop(struct daemon *d)
{
	if (d == NULL)
		return;
	daemon_anchor_stop();
	daemon_http_stop(d);
	follow_free(d->follower);
	store_close(d->store);
	rpc_client_free(d->rpc);
	rpc_client_free(d->rpc_proof);
	engine_destroy(d->eng);
	conf_free(&d->conf);
	explicit_bzero(d->seckey, sizeof(d->seckey));
	free(d->conf_file);
	free(d);
}

void
daemon_reload(struct daemon *d)
{
	const char *restart[CONF_MAX_OPTIONS];
	struct conf n;
	struct rpc_client *rpc, *rpc_proof;
	char err[1024];
	size_t i, nrestart;

	if (!conf_load(&n, d->conf_file, err, sizeof(err))) {
		log_warnx("reload refused, keeping the running configuration: "
		    "%s", err);
		return;
	}
	if (!rpc_from_conf(&rpc, &n, err, sizeof(err))) {
		log_warnx("reload refused: %s", err);
		conf_free(&n);
		return;
	}
	if ((rpc_proof = rpc_client_clone(rpc)) == NULL) {
		log_warnx("reload refused: rpc: cannot make a second "
		    "connection");
		rpc_client_free(rpc);
		conf_free(&n);
		return;
	}
	follow_reload(d->follower, rpc, rpc_proof, n.batch_size,
	    (unsigned)n.sync_connections);
	rpc_client_free(d->rpc);
	rpc_client_free(d->rpc_proof);
	d->rpc = rpc;
	d->rpc_proof = rpc_proof;
	/* The option table says what a reload applies; those values are
	 * swapped into the running configuration, field by field: the HTTP
	 * threads read the rest of it meanwhile, and what they read of these
	 * they take from daemon_web_reload. */
	nrestart = conf_reload(&d->conf, &n, restart, CONF_MAX_OPTIONS);
	for (i = 0; i < nrestart; i++)
		log_warnx("reload: %s changed, which needs a restart: keeping "
		    "the running value", restart[i]);
	conf_free(&n);
	log_set_verbose(d->conf.log_verbose);
	daemon_web_reload(d);
	daemon_anchor_reload(d);
	log_info("reloaded %s", d->conf_file);
}

void
daemon_sync_error(struct daemon *d)
{
	daemon_web_sync_error(d);
}
