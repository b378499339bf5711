/* http_reply.h: the answers of the HTTP API as backends fill them, and the
 * helpers that fill them.  Nothing here knows libmicrohttpd, so the input
 * checks and their fuzz target use it without the server. */
#ifndef LICGATE_HTTP_REPLY_H
#define LICGATE_HTTP_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* An answer: body is malloc'd and handed to http, which frees it. */
struct http_reply {
	int status;
	const char *content_type;
	char *body;
	size_t len;
};

/* Reply helpers for backends.  http_reply_json steals j. */
void http_reply_json(struct http_reply *rep, int status, json_t *j);
void http_reply_bytes(struct http_reply *rep, int status, const char *ctype,
    const uint8_t *p, size_t n);
/* {"error": code, "message": ...}: code is a stable token such as
 * "bad-device" or "not-found" that scripts may match; message is for people. */
void http_reply_error(struct http_reply *rep, int status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The one 403 every refusal that must not say why shares, byte for byte
 * (an unknown device, a bad signature, a device lookup with
 * require_device_auth). */
void http_reply_refused(struct http_reply *rep);

#endif
