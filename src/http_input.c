/* http_input.c: query and path checks of the HTTP API.  Nothing here knows
 * libmicrohttpd. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/hex.h"
#include "http_input.h"
#include "verify/lgv.h"
#include "xmalloc.h"

int
http_query_check(const struct http_query *q, const char *const *allowed,
    struct http_reply *rep)
{
	size_t i, j, k;

	if (q->overflow) {
		http_reply_error(rep, 400, "too-many-parameters", "more than %d "
		    "query parameters", HTTP_QUERY_MAX);
		return 0;
	}
	for (i = 0; i < q->n; i++) {
		for (k = 0; allowed[k] != NULL; k++)
			if (strcmp(allowed[k], q->key[i]) == 0)
				break;
		if (allowed[k] == NULL) {
			http_reply_error(rep, 400, "unknown-parameter",
			    "unknown query parameter '%.64s'", q->key[i]);
			return 0;
		}
		for (j = 0; j < i; j++)
			if (strcmp(q->key[j], q->key[i]) == 0) {
				http_reply_error(rep, 400, "duplicate-parameter",
				    "parameter '%s' given more than once",
				    allowed[k]);
				return 0;
			}
	}
	return 1;
}

/* The value of key: NULL when key is absent, "" when it has no '='. */
static const char *
query_value(const struct http_query *q, const char *key)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		if (strcmp(q->key[i], key) == 0)
			return q->value[i] != NULL ? q->value[i] : "";
	return NULL;
}

/* A required 0x-hex parameter of exactly len bytes. */
static int
param_fixed(uint8_t *out, size_t len, const struct http_query *q,
    const char *name, const char *code, struct http_reply *rep)
{
	const char *v = query_value(q, name), *why;

	if (v == NULL || *v == '\0') {
		http_reply_error(rep, 400, "missing-parameter",
		    "parameter '%s' is required", name);
		return 0;
	}
	if (!hex_decode_fixed(out, len, v, &why)) {
		http_reply_error(rep, 400, code, "%s: %s (want 0x and %zu hex "
		    "digits)", name, why, 2 * len);
		return 0;
	}
	return 1;
}

/* The optional nonce: HTTP_NONCE_MIN..MAX bytes of hex, 0x optional. */
static int
param_nonce(struct http_attest *a, const struct http_query *q,
    struct http_reply *rep)
{
	const char *v = query_value(q, "nonce"), *why;
	int ok;

	if (v == NULL)
		return 1;
	ok = hex_decode_bare(a->nonce, sizeof(a->nonce), &a->nonce_len, v,
	    &why);
	if (ok && a->nonce_len < HTTP_NONCE_MIN) {
		ok = 0;
		why = "nonce too short";
	}
	if (!ok) {
		a->nonce_len = 0;
		http_reply_error(rep, 400, "bad-nonce", "nonce: %s (want %d to %d "
		    "bytes of hex)", why, HTTP_NONCE_MIN, HTTP_NONCE_MAX);
	}
	return ok;
}

int
http_query_attest(struct http_attest *a, const struct http_query *q,
    struct http_reply *rep)
{
	memset(a, 0, sizeof(*a));
	return param_fixed(a->device, 20, q, "device", "bad-device", rep) &&
	    param_fixed(a->firmware, 32, q, "firmware", "bad-firmware", rep) &&
	    param_nonce(a, q, rep);
}

int
http_parse_license_id(uint64_t *id, const char *s)
{
	const char *why;
	char *end;

	if (strncmp(s, "0x", 2) == 0)
		return hex_quantity_u64(id, s, &why);
	if (*s < '1' || *s > '9' || strlen(s) > 19)
		return 0;
	errno = 0;
	*id = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

int
http_input_cose(const char *content_type, size_t len, struct http_reply *rep)
{
	if (content_type == NULL ||
	    strncmp(content_type, "application/cose", 16) != 0) {
		http_reply_error(rep, 415, "unsupported-media-type",
		    "POST a COSE_Sign1 report as application/cose");
		return 0;
	}
	if (len == 0) {
		http_reply_error(rep, 400, "bad-request", "empty request body");
		return 0;
	}
	/* Checked here, before the body reaches the decoder, whatever
	 * http.max_body_size allows other routes. */
	if (len > LGV_INSTALL_MAX) {
		http_reply_error(rep, 413, "body-too-large", "an install report "
		    "is at most %d bytes", LGV_INSTALL_MAX);
		return 0;
	}
	return 1;
}
