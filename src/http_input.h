/* http_input.h: what a request to the HTTP API may say, checked without
 * libmicrohttpd: http.c collects the query into a struct http_query and
 * hands it here, and so does fuzz/fuzz_query.c.  Every refusal is a 400
 * with a stable error code (http_reply_error). */
#ifndef LICGATE_HTTP_INPUT_H
#define LICGATE_HTTP_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

/* More query parameters than this are refused outright. */
#define HTTP_QUERY_MAX 16

/* A request's query, as libmicrohttpd split and unescaped it; a value is
 * NULL for a key without '='.  overflow: the request had more parameters. */
struct http_query {
	const char *key[HTTP_QUERY_MAX];
	const char *value[HTTP_QUERY_MAX];
	size_t n;
	int overflow;
};

/* Each key must be one of allowed (NULL-terminated) and appear at most
 * once.  Returns 1, or 0 with rep set (too-many-parameters,
 * unknown-parameter, duplicate-parameter). */
int http_query_check(const struct http_query *q, const char *const *allowed,
    struct http_reply *rep) __attribute__((warn_unused_result));

/* GET /v1/attestation's query, already checked by http_query_check:
 * device (0x + 40 hex) and firmware (0x + 64 hex) are required, nonce
 * (HTTP_NONCE_MIN..MAX bytes of hex, 0x optional) is not.  Returns 1 with a
 * filled, or 0 with rep set (missing-parameter, bad-device, bad-firmware,
 * bad-nonce). */
int http_query_attest(struct http_attest *a, const struct http_query *q,
    struct http_reply *rep) __attribute__((warn_unused_result));

/* A license id in a path: decimal without leading zeros, or a 0x
 * quantity.  Returns 1, or 0. */
int http_parse_license_id(uint64_t *id, const char *s)
    __attribute__((warn_unused_result));

/* A POST body that must be one COSE message: content_type (may be NULL)
 * application/cose, 1..LGV_INSTALL_MAX bytes.  Returns 1, or 0 with rep
 * set (415 unsupported-media-type, 400 bad-request, 413 body-too-large). */
int http_input_cose(const char *content_type, size_t len,
    struct http_reply *rep) __attribute__((warn_unused_result));

#endif
