/* fuzz_query: the HTTP API's query checks on arbitrary query strings,
 * split the way libmicrohttpd splits them ('&' between parameters, the
 * first '=' between key and value).  An accepted attestation query must
 * hold exactly one well-formed device, firmware and (if any) nonce. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "http_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const attest_params[] = { "device", "firmware", "nonce",
    NULL };

static void
split(struct http_query *q, char *s)
{
	char *p, *eq;

	memset(q, 0, sizeof(*q));
	for (p = strtok(s, "&"); p != NULL; p = strtok(NULL, "&")) {
		if (q->n == HTTP_QUERY_MAX) {
			q->overflow = 1;
			return;
		}
		eq = strchr(p, '=');
		if (eq != NULL)
			*eq++ = '\0';
		q->key[q->n] = p;
		q->value[q->n++] = eq;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_reply rep = { 0, NULL, NULL, 0 };
	struct http_attest a;
	struct http_query q;
	uint64_t id;
	char *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	(void)http_parse_license_id(&id, s);
	split(&q, s);
	if (http_query_check(&q, attest_params, &rep) &&
	    http_query_attest(&a, &q, &rep)) {
		if (rep.body != NULL || (a.nonce_len != 0 &&
		    (a.nonce_len < HTTP_NONCE_MIN || a.nonce_len > HTTP_NONCE_MAX)))
			abort();
	} else if (rep.status != 400 || rep.body == NULL)
		abort();	/* every refusal is a 400 with a JSON body */
	free(rep.body);
	free(s);
	return 0;
}
