/* http.h: the local HTTP API on libmicrohttpd.  http.c owns transport,
 * routing, parameter checks, limits and error replies; what the answers say
 * comes from a backend the daemon supplies. */
#ifndef LICGATE_HTTP_H
#define LICGATE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "http_reply.h"

#define HTTP_NONCE_MIN 8
#define HTTP_NONCE_MAX 32

struct http_config {
	const char *listen;		/* IPv4/IPv6 literal, e.g. "127.0.0.1" */
	uint16_t port;			/* 0 picks a free port (tests) */
	unsigned max_connections;
	size_t max_body;		/* POST body cap, bytes */
	unsigned request_timeout;	/* seconds of inactivity before a close */
	unsigned per_ip_connections;	/* 0 = no per-client cap */
	int require_device_auth;	/* refuse GET /v1/attestation */
	unsigned threads;		/* serving threads; 0 or 1: one */
};


/* One attestation request.  For GET the parameters are parsed and checked;
 * for POST, signed/signed_len hold the device's COSE request and the backend
 * verifies it and fills device/firmware/nonce itself. */
struct http_attest {
	uint8_t device[20];
	uint8_t firmware[32];
	uint8_t nonce[HTTP_NONCE_MAX];
	size_t nonce_len;		/* 0 = no nonce */
	int want_json;			/* Accept: application/json */
	const uint8_t *signed_req;	/* POST only */
	size_t signed_len;
};

/* A request whose answer comes later (http_backend.install). */
struct http_deferred;

/* Answers the request later stands for with rep (its body is taken), and
 * lets its connection go on; from any thread, once.  Every deferred
 * request must be answered before http_stop. */
void http_deferred_reply(struct http_deferred *later, struct http_reply *rep);

/* What the daemon provides.  Each handler fills rep (http_reply.h);
 * ready returns 1, or 0 with *why.  metrics refreshes gauges before a
 * /metrics render (may be NULL).  Handlers run on the server's threads,
 * several at once when http_config.threads > 1. */
struct http_backend {
	void *arg;
	void (*attestation)(void *arg, const struct http_attest *req,
	    struct http_reply *rep);
	void (*status)(void *arg, struct http_reply *rep);
	void (*device)(void *arg, const uint8_t addr[20], struct http_reply *rep);
	void (*firmware)(void *arg, const uint8_t hash[32], struct http_reply *rep);
	void (*license)(void *arg, uint64_t id, struct http_reply *rep);
	int (*ready)(void *arg, const char **why);
	void (*metrics)(void *arg);
	/* POST /v1/installs: body (len bytes, checked by http_input_cose,
	 * valid until the answer) is a device's install report.  The
	 * connection waits, holding no thread, until the backend answers
	 * through http_deferred_reply(later), exactly once, now or later
	 * from any thread.  May be NULL (404). */
	void (*install)(void *arg, const uint8_t *body, size_t len,
	    struct http_deferred *later);
};

struct http_server;

/* Starts listening; returns 1 with *out set, or 0 with *why (static text or
 * strerror) when the address is bad or the port cannot be bound. */
int http_start(struct http_server **out, const struct http_config *cfg,
    const struct http_backend *be, const char **why)
    __attribute__((warn_unused_result));

/* The bound port (useful after asking for port 0). */
uint16_t http_port(const struct http_server *s);

/* Stops accepting, closes every connection and frees s. */
void http_stop(struct http_server *s);


#endif
