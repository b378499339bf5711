/* http_reply.c: filling the answers of the HTTP API.  See http_reply.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_reply.h"
#include "xmalloc.h"

void
http_reply_bytes(struct http_reply *rep, int status, const char *ctype,
    const uint8_t *p, size_t n)
{
	free(rep->body);
	rep->status = status;
	rep->content_type = ctype;
	rep->body = xmalloc(n + 1);
	memcpy(rep->body, p, n);
	rep->len = n;
}

void
http_reply_json(struct http_reply *rep, int status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(j);
	if (s == NULL) {
		http_reply_error(rep, 500, "internal", "cannot encode JSON");
		return;
	}
	free(rep->body);
	rep->status = status;
	rep->content_type = "application/json";
	rep->body = s;
	rep->len = strlen(s);
}

void
http_reply_error(struct http_reply *rep, int status, const char *code,
    const char *fmt, ...)
{
	char msg[256], *c;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Messages quote the client's bytes, which need not be UTF-8 or
	 * printable: JSON must stay JSON. */
	for (c = msg; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			*c = '?';
	http_reply_json(rep, status, json_pack("{s:s, s:s}", "error", code,
	    "message", msg));
}

void
http_reply_refused(struct http_reply *rep)
{
	http_reply_error(rep, 403, "forbidden", "request refused");
}
