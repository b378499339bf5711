/* replay.h: the nonces each device used lately, so that a signed request
 * is answered once (licgate-token(7), REQUESTS).  A fixed table, safe to
 * use from every HTTP thread at once. */
#ifndef LICGATE_REPLAY_H
#define LICGATE_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#define REPLAY_NONCE_MAX 32

enum replay_result {
	REPLAY_FRESH,		/* not seen: remembered now */
	REPLAY_SEEN,		/* seen and still remembered, or older than the table */
	REPLAY_FULL		/* no room to remember it: refuse, never forget one */
};

struct replay;

/* A table of `slots` entries for requests signed at or after `started`
 * (unix seconds; an earlier run's nonces are gone, so anything signed
 * before is taken as seen).  Freed by replay_free; never NULL. */
struct replay *replay_new(size_t slots, uint64_t started);
void replay_free(struct replay *r);

/* Whether (device, nonce) was seen; a fresh one is kept until `until`
 * (unix seconds, inclusive), when the request's time window ends.  iat is
 * the request's signing time, now the clock.  nonce_len is 1 to
 * REPLAY_NONCE_MAX. */
enum replay_result replay_check(struct replay *r, const uint8_t device[20],
    const uint8_t *nonce, size_t nonce_len, uint64_t iat, uint64_t now,
    uint64_t until);

#endif
