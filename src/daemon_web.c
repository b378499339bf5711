/* daemon_web.c: what the HTTP threads share with the follower: each
 * thread's read-only database connection (SQLite connections are not
 * shared between threads here, so neither the follower's batches nor
 * other threads wait), the commit generation, the options SIGHUP changes,
 * the registry's word on this gateway's key and the sync health. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon.h"
#include "xmalloc.h"

#define MAX_READERS 80		/* http.threads (64) and MHD's own */

struct daemon_web {
	unsigned long id;		/* tells this server from earlier ones */
	pthread_mutex_t lock;		/* guards readers */
	struct store *readers[MAX_READERS];
	size_t nreaders;
	char *db_path;
	atomic_ulong generation;	/* bumped by every commit */
	/* What SIGHUP may change, read by every HTTP thread. */
	_Atomic uint64_t ttl, max_staleness;
	atomic_ulong sync_errors;
	atomic_int caught_up;
	atomic_int gw_state;		/* enum store_gw_state */
	_Atomic uint64_t gw_block;
};

static atomic_ulong server_ids;

void
daemon_web_start(struct daemon *d)
{
	d->web = xcalloc(1, sizeof(*d->web));
	d->web->id = atomic_fetch_add(&server_ids, 1) + 1;
	atomic_store(&d->web->gw_state, -1);	/* unknown until read */
	pthread_mutex_init(&d->web->lock, NULL);
	d->web->db_path = xstrdup(d->conf.db_path);
	daemon_web_reload(d);
}

void
daemon_web_free(struct daemon *d)
{
	for (size_t i = 0; i < d->web->nreaders; i++)
		store_close(d->web->readers[i]);
	pthread_mutex_destroy(&d->web->lock);
	free(d->web->db_path);
	free(d->web);
	d->web = NULL;
}

void
daemon_web_invalidate(struct daemon *d)
{
	atomic_fetch_add(&d->web->generation, 1);
}

void
daemon_web_sync_error(struct daemon *d)
{
	atomic_fetch_add(&d->web->sync_errors, 1);
	atomic_store(&d->web->caught_up, 0);
}

void
daemon_web_caught_up(struct daemon *d)
{
	atomic_store(&d->web->caught_up, 1);
}

int
daemon_web_is_caught_up(struct daemon *d)
{
	return atomic_load(&d->web->caught_up);
}

unsigned long
daemon_web_sync_errors(struct daemon *d)
{
	return atomic_load(&d->web->sync_errors);
}

void
daemon_web_reload(struct daemon *d)
{
	atomic_store(&d->web->ttl, d->conf.attestation_ttl);
	atomic_store(&d->web->max_staleness, d->conf.max_staleness);
	daemon_web_invalidate(d);
}

uint64_t
daemon_web_ttl(struct daemon *d)
{
	return atomic_load(&d->web->ttl);
}

uint64_t
daemon_web_max_staleness(struct daemon *d)
{
	return atomic_load(&d->web->max_staleness);
}

/* The calling thread's reader, and which server it belongs to. */
static _Thread_local struct {
	unsigned long server;
	struct store *ro;
} reader;

struct store *
daemon_web_store(struct daemon *d, char *err, size_t errsz)
{
	struct daemon_web *w = d->web;
	struct store *ro;

	if (reader.server == w->id)
		return reader.ro;
	pthread_mutex_lock(&w->lock);
	if (w->nreaders == MAX_READERS) {
		pthread_mutex_unlock(&w->lock);
		snprintf(err, errsz, "more HTTP threads than database readers");
		return NULL;
	}
	if (!store_open_ro(&ro, w->db_path, NULL, err, errsz)) {
		pthread_mutex_unlock(&w->lock);
		return NULL;
	}
	w->readers[w->nreaders++] = ro;
	pthread_mutex_unlock(&w->lock);
	reader.server = w->id;
	reader.ro = ro;
	return ro;
}

int
daemon_web_gateway(struct daemon *d, int state, uint64_t block)
{
	int old = atomic_exchange(&d->web->gw_state, state);
	uint64_t was = atomic_exchange(&d->web->gw_block, block);

	return old != state || was != block;
}

int
daemon_web_gw_state(struct daemon *d)
{
	return atomic_load(&d->web->gw_state);
}

int
daemon_web_withdrawn(struct daemon *d)
{
	return atomic_load(&d->web->gw_state) == STORE_GW_WITHDRAWN;
}

unsigned long
daemon_web_generation(struct daemon *d)
{
	return atomic_load(&d->web->generation);
}
