/* replay.c: open addressing over a fixed table, the hash keyed with a
 * secret drawn at creation so that no device can aim its nonces at one
 * run of slots.  A live entry is never moved or overwritten: a request
 * whose run of REPLAY_PROBES slots holds only live entries is REPLAY_FULL,
 * so the table can fail to serve but never accept a replay. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "replay.h"
#include "xmalloc.h"

#define REPLAY_PROBES 64

struct replay_slot {
	uint8_t device[20];
	uint8_t nonce[REPLAY_NONCE_MAX];
	uint8_t nonce_len;		/* 0: never used */
	uint64_t until;			/* live while now <= until */
};

struct replay {
	pthread_mutex_t lock;
	struct replay_slot *slot;
	size_t slots;
	uint32_t seed;
	uint64_t started;
};

struct replay *
replay_new(size_t slots, uint64_t started)
{
	struct replay *r = xcalloc(1, sizeof(*r));

	pthread_mutex_init(&r->lock, NULL);
	r->slots = slots > 0 ? slots : 1;
	r->slot = xcalloc(r->slots, sizeof(*r->slot));
	r->started = started;
	if (getrandom(&r->seed, sizeof(r->seed), 0) != (ssize_t)sizeof(r->seed))
		r->seed = (uint32_t)started;
	return r;
}

void
replay_free(struct replay *r)
{
	if (r == NULL)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->slot);
	free(r);
}

static uint32_t
replay_hash(const struct replay *r, const uint8_t device[20],
    const uint8_t *nonce, size_t nonce_len)
{
	uint32_t h = 2166136261u ^ r->seed;
	size_t i;

	for (i = 0; i < 20; i++)
		h = (h ^ device[i]) * 16777619u;
	for (i = 0; i < nonce_len; i++)
		h = (h ^ nonce[i]) * 16777619u;
	return h;
}

static int
replay_same(const struct replay_slot *s, const uint8_t device[20],
    const uint8_t *nonce, size_t nonce_len)
{
	return s->nonce_len == nonce_len && memcmp(s->device, device, 20) == 0 &&
	    memcmp(s->nonce, nonce, nonce_len) == 0;
}

/* With r->lock held: the whole run is searched for the nonce before a free
 * slot is taken, since an expired slot may come before a live match. */
static enum replay_result
replay_locked(struct replay *r, const uint8_t device[20],
    const uint8_t *nonce, size_t nonce_len, uint64_t now, uint64_t until)
{
	struct replay_slot *s, *free_slot = NULL;
	uint32_t h = replay_hash(r, device, nonce, nonce_len);
	size_t i, probes = r->slots < REPLAY_PROBES ? r->slots : REPLAY_PROBES;

	for (i = 0; i < probes; i++) {
		s = &r->slot[(h + i) % r->slots];
		if (s->nonce_len > 0 && s->until >= now &&
		    replay_same(s, device, nonce, nonce_len))
			return REPLAY_SEEN;
		if (free_slot == NULL && (s->nonce_len == 0 || s->until < now))
			free_slot = s;
	}
	if (free_slot == NULL)
		return REPLAY_FULL;
	memcpy(free_slot->device, device, 20);
	memcpy(free_slot->nonce, nonce, nonce_len);
	free_slot->nonce_len = (uint8_t)nonce_len;
	free_slot->until = until;
	return REPLAY_FRESH;
}

enum replay_result
replay_check(struct replay *r, const uint8_t device[20],
    const uint8_t *nonce, size_t nonce_len, uint64_t iat, uint64_t now,
    uint64_t until)
{
	enum replay_result res;

	if (nonce_len == 0 || nonce_len > REPLAY_NONCE_MAX)
		return REPLAY_SEEN;
	/* An earlier run may have seen it, and its table is gone. */
	if (iat < r->started)
		return REPLAY_SEEN;
	pthread_mutex_lock(&r->lock);
	res = replay_locked(r, device, nonce, nonce_len, now, until);
	pthread_mutex_unlock(&r->lock);
	return res;
}
