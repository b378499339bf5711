/* rpc.h: JSON-RPC 2.0 over HTTP(S) with libcurl: batches, timeouts, a cap on
 * response size, retries with backoff and jitter, failover between
 * endpoints, waits where a node asks for them (HTTP 429, Retry-After) and
 * batches cut to the size a node accepts.  It moves JSON; checking what the
 * JSON claims is chain/'s job. */
#ifndef LICGATE_RPC_H
#define LICGATE_RPC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define RPC_MAX_ENDPOINTS 16
#define RPC_MAX_BATCH 1000
/* The longest a call waits for throttling endpoints, in all (seconds):
 * a Retry-After beyond it counts as a failure of that endpoint. */
#define RPC_THROTTLE_MAX_S 60

struct rpc_options {
	long connect_timeout_ms;	/* per attempt */
	long timeout_ms;		/* whole request, per attempt */
	size_t max_response;		/* bytes; larger answers are refused */
	unsigned retries;		/* further attempts after the first */
	unsigned backoff_ms;		/* first pause; doubles per attempt */
	unsigned backoff_max_ms;
	const char *bearer_token;	/* Authorization: Bearer, or NULL */
};

/* Why a call failed.  answer is 1 when the node answered with a JSON-RPC
 * error object (code/message from the node): not retried.  With answer 0,
 * code is 0 or one of the RPC_ codes below.  msg names the endpoint
 * (credentials redacted) and the method. */
#define RPC_TOO_LARGE 1		/* an answer over max_response (a batch is
				 * first split down to single calls) */
#define RPC_REFUSED 2		/* a batch refused for its count */
#define RPC_THROTTLED 3		/* HTTP 429 (or error 429), or 503 with
				 * Retry-After, asking for more than
				 * RPC_THROTTLE_MAX_S */
struct rpc_error {
	char msg[512];
	int answer;
	long code;
};

struct rpc_client;

/* Makes a client for urls[0..n) (http or https; user:password@ in a URL is
 * sent as basic auth and never shown).  Returns 1, or 0 with *why. */
int rpc_client_new(struct rpc_client **out, const char *const *urls,
    size_t n, const struct rpc_options *opt, const char **why)
    __attribute__((warn_unused_result));
void rpc_client_free(struct rpc_client *c);

/* A second client to the same endpoints with the same options and its own
 * connection, so that two threads can each ask one.  The endpoints' health
 * starts afresh.  NULL when curl cannot make a handle. */
struct rpc_client *rpc_client_clone(const struct rpc_client *c);

/* Lowers the client's cap on an answer's size to max_response bytes (for
 * an answer whose use is not worth a large download). */
void rpc_client_cap(struct rpc_client *c, size_t max_response);

/* Calls method with params (an array; stolen, may be NULL for []).  On
 * success *result is the answer's "result" (new reference). */
int rpc_call(struct rpc_client *c, json_t **result, const char *method,
    json_t *params, struct rpc_error *err) __attribute__((warn_unused_result));

/* n calls in one request; results[i] answers methods[i] (params stolen).
 * Fails as a whole when any answer is missing, duplicated, unknown or an
 * error object (err says which).  On success the caller owns results[].
 * A batch the node refuses for its size (geth, Besu, HTTP 413, a response
 * over a byte limit) is sent again in smaller parts, in order; the count
 * an endpoint accepts is learned, for this client and its clones. */
int rpc_batch(struct rpc_client *c, json_t **results,
    const char *const *methods, json_t **params, size_t n,
    struct rpc_error *err) __attribute__((warn_unused_result));

/* Methods an endpoint answered that it does not serve, so that callers
 * ask it for something else instead: bits of rpc_client_lacks. */
#define RPC_LACKS_BLOCK_RECEIPTS 0x1u

/* Notes that the endpoint that answered c's last call lacks what (bits).
 * Returns 1 when that is news; *shown is the endpoint's redacted URL,
 * owned by c. */
int rpc_client_set_lacks(struct rpc_client *c, unsigned what,
    const char **shown);

/* What the endpoint c asks first was found to lack (bits; clones inherit
 * what was known when they were made). */
unsigned rpc_client_lacks(const struct rpc_client *c);

/* A piece of an answer body: the raw JSON text of one result. */
struct rpc_span {
	const char *p;
	size_t len;
};

/* Like rpc_batch, but builds no JSON tree: spans[i] is the text of the
 * result answering methods[i], inside *body, which the caller frees (also
 * on failure; it is NULL then).  The envelope has been checked to be JSON;
 * of each result only that its strings end and its brackets balance: the
 * caller's reader of it checks the rest. */
int rpc_batch_text(struct rpc_client *c, char **body, struct rpc_span *spans,
    const char *const *methods, json_t **params, size_t n,
    struct rpc_error *err) __attribute__((warn_unused_result));

/* rpc_batch_text of method once per block number in nums[0..n) (the
 * number as a quantity; eth_getBlockByNumber also gets its "no
 * transactions" flag, false). */
int rpc_batch_blocks(struct rpc_client *c, char **body, struct rpc_span *spans,
    const char *method, const uint64_t *nums, size_t n,
    struct rpc_error *err) __attribute__((warn_unused_result));

/* Writes url into out (size outsz) as it may be shown in logs, errors and
 * status: scheme, host and port only, a user:password@ as ***@ and any
 * path, query or fragment (where hosted endpoints put their API keys) as
 * a trailing slash and three stars; returns out. */
char *rpc_redact(char *out, size_t outsz, const char *url);

/* Parsers of answer bodies, exposed for tests and fuzzing.  ids are the
 * request ids expected (first_id .. first_id + n - 1 for a batch).  On
 * failure err->msg says what was wrong (without the endpoint), and
 * err->answer/code describe a JSON-RPC error object when that was it; or
 * answer 0 and code RPC_THROTTLED when the error says the node limits the
 * rate (code 429), and for a batch RPC_REFUSED or RPC_TOO_LARGE when the
 * node refused it for its count or its answer's bytes. */
int rpc_parse_single(json_t **result, const char *body, size_t len,
    uint64_t id, struct rpc_error *err) __attribute__((warn_unused_result));
int rpc_parse_batch(json_t **results, const char *body, size_t len,
    uint64_t first_id, size_t n, struct rpc_error *err)
    __attribute__((warn_unused_result));
int rpc_parse_batch_text(struct rpc_span *spans, const char *body,
    size_t len, uint64_t first_id, size_t n, struct rpc_error *err)
    __attribute__((warn_unused_result));

/* What every client has done since the start, for /metrics. */
struct rpc_stats {
	uint64_t requests;		/* HTTP requests sent */
	uint64_t received_bytes;	/* answer bodies */
	uint64_t throttled;		/* answers 429, or 503 with Retry-After */
	double throttle_wait_s;		/* time spent waiting as they asked */
	uint64_t batch_limit;		/* one less than the smallest batch an
					 * endpoint refused; 0: none refused */
};

/* Fills *out (thread-safe). */
void rpc_stats_get(struct rpc_stats *out);

#endif
