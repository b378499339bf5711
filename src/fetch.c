/* fetch.c: the follower's fetch pool: JSON-RPC batches on several
 * connections at once, answers read where they arrive, items taken in
 * order.  See fetch.h. */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "xmalloc.h"

/* One JSON-RPC batch of a fetch: the calls for nums[first..first+m), and
 * the items read from their answers (nread of them, in order). */
struct fetch_job {
	struct rpc_client *rpc;
	const struct fetch_ops *ops;
	void *arg;
	const uint64_t *nums;
	size_t first, m;
	unsigned char *items;		/* max_per_call * item_size bytes */
	size_t nread;
	uint64_t planned, bytes;	/* weight planned, answer bytes read */
	uint64_t calls, halved;
	int ok;
	char msg[1024];			/* why not ok */
};

/* Asks for items first..first+m-1 of j and reads their answers; an answer
 * over the client's cap is asked again in halves: only a single block's
 * can be too large. */
static int
fetch_range(struct fetch_job *j, size_t first, size_t m)
{
	const struct fetch_ops *o = j->ops;
	struct rpc_span res[FETCH_MAX_PER_CALL];
	struct rpc_error e;
	char *body = NULL;
	size_t k;
	int ok = 1;

	j->calls++;
	if (!o->ask(j->rpc, &body, res, j->nums + first, m, &e)) {
		free(body);
		/* Too large, or the node refused one of the calls: halves,
		 * so that only one block's answer can be too large and an
		 * error names the block it is about. */
		if ((e.code == RPC_TOO_LARGE || e.answer) && m > 1) {
			j->halved++;
			return fetch_range(j, first, m / 2) &&
			    fetch_range(j, first + m / 2, m - m / 2);
		}
		snprintf(j->msg, sizeof(j->msg), "%s of block %" PRIu64
		    ": %.400s%s", o->what, j->nums[first], e.msg,
		    e.code == RPC_TOO_LARGE ? " (the answer for this one "
		    "block alone: raise rpc.max_response_size)" : "");
		return 0;
	}
	for (k = 0; ok && k < m; k++) {
		j->bytes += res[k].len;
		ok = o->read(j->arg, first + k, res[k].p, res[k].len,
		    j->items + j->nread * o->item_size, j->msg, sizeof(j->msg));
		j->nread += ok;
	}
	free(body);
	return ok;
}

static void *
fetch_job_run(void *arg)
{
	struct fetch_job *j = arg;

	j->nread = 0;
	j->ok = fetch_range(j, j->first, j->m);
	return NULL;
}

/* Starts job (in a thread when one can be made, else right here). */
static int
fetch_job_start(struct fetch_job *j, pthread_t *th)
{
	if (pthread_create(th, NULL, fetch_job_run, j) == 0)
		return 1;
	fetch_job_run(j);
	return 0;
}

/* Gives take() the items job read, in order, then reports its failure if
 * it failed; items not taken are dropped. */
static int
fetch_job_take(struct fetch_job *j, char *msg, size_t msgsz)
{
	const struct fetch_ops *o = j->ops;
	size_t k;
	int ok = 1;

	for (k = 0; k < j->nread; k++) {
		void *item = j->items + k * o->item_size;

		if (ok)
			ok = o->take(j->arg, j->first + k, item, msg, msgsz);
		else
			o->drop(item);
	}
	j->nread = 0;
	if (ok && !j->ok) {
		snprintf(msg, msgsz, "%s", j->msg);
		ok = 0;
	}
	return ok;
}

/* The pool's plan: how heavy answers turn out against their weight.  The
 * heaviest ratio seen is kept, not the mean, and a batch weighs at most
 * twice the heaviest one answered: the first blocks may be light for their
 * weight (a contract's deployment uses much gas and logs little) and those
 * after them heavy, and a wrong guess must cost a small answer first, not
 * one at the size cap. */
struct fetch_plan {
	double ratio;			/* answer bytes per unit of weight */
	int has_ratio;
	uint64_t answered;		/* the heaviest batch answered */
};

/* Learns from a job taken: its answers against its weight. */
static void
fetch_plan_learn(struct fetch_plan *p, const struct fetch_job *j)
{
	double r;

	if (j->planned == 0 || j->nread < j->m)
		return;
	r = (double)j->bytes / (double)j->planned;
	if (!p->has_ratio || r > p->ratio)
		p->ratio = r;
	p->has_ratio = 1;
	if (j->planned > p->answered)
		p->answered = j->planned;
}

/* The weight of item i as the answers so far say it is: weight() may be
 * far above (or below) what answers weigh. */
static uint64_t
planned_weight(const struct fetch_ops *o, void *arg,
    const struct fetch_plan *p, size_t i)
{
	uint64_t w = o->weight(arg, i);

	return p->has_ratio ? (uint64_t)((double)w * p->ratio) + 1 : w;
}

/* Sets job j to the next items from *next: as many as fit the planned
 * weight of one answer and twice the heaviest batch answered, at least
 * one, at most max_per_call. */
static void
fetch_plan_job(struct fetch_job *j, const struct fetch_plan *p,
    size_t *next, size_t n)
{
	const struct fetch_ops *o = j->ops;
	uint64_t expect = 0, w, raw;

	if (j->items == NULL)
		j->items = xreallocarray(NULL, o->max_per_call, o->item_size);
	j->first = *next;
	j->m = 0;
	j->planned = 0;
	j->bytes = 0;
	while (*next < n && j->m < o->max_per_call) {
		w = raw = 0;
		if (o->weight != NULL) {
			w = planned_weight(o, j->arg, p, *next);
			raw = o->weight(j->arg, *next);
		}
		if (j->m > 0 && (expect + w > FETCH_CALL_BYTES ||
		    (o->weight != NULL && j->planned + raw > 2 * p->answered)))
			break;
		expect += w;
		j->planned += raw;
		j->m++;
		(*next)++;
	}
}

/* Batch i goes to connection i % K and lives in job i % 2K, so a
 * connection is handed its next batch as soon as it has answered, while
 * the caller still takes what came. */
int
fetch_each(struct rpc_client *const *conns, size_t nconns,
    const struct fetch_ops *o, void *arg, const uint64_t *nums, size_t n,
    struct fetch_stats *stats, char *msg, size_t msgsz)
{
	struct fetch_job job[2 * FETCH_MAX_CONNECTIONS];
	pthread_t th[2 * FETCH_MAX_CONNECTIONS];
	int threaded[2 * FETCH_MAX_CONNECTIONS], ok = 1;
	struct fetch_plan plan = { 0, 0, 0 };	/* nothing answered yet */
	size_t nj, next = 0, c, d, k;

	if (nconns > FETCH_MAX_CONNECTIONS)
		nconns = FETCH_MAX_CONNECTIONS;
	nj = 2 * nconns;
	memset(job, 0, sizeof(job));
	memset(threaded, 0, sizeof(threaded));
	for (c = 0; c < nj; c++) {
		job[c].rpc = conns[c % nconns];
		job[c].ops = o;
		job[c].arg = arg;
		job[c].nums = nums;
	}
	for (c = 0; c < nconns && next < n; c++) {
		fetch_plan_job(&job[c], &plan, &next, n);
		threaded[c] = fetch_job_start(&job[c], &th[c]);
	}
	for (c = 0; ok && job[c].m > 0; c = (c + 1) % nj) {
		if (threaded[c])
			pthread_join(th[c], NULL);
		threaded[c] = 0;
		fetch_plan_learn(&plan, &job[c]);
		if (stats != NULL) {
			stats->calls += job[c].calls;
			stats->halved += job[c].halved;
		}
		job[c].calls = job[c].halved = 0;
		d = (c + nconns) % nj;		/* the same connection */
		if (next < n) {
			fetch_plan_job(&job[d], &plan, &next, n);
			threaded[d] = fetch_job_start(&job[d], &th[d]);
		}
		ok = fetch_job_take(&job[c], msg, msgsz);
		job[c].m = 0;
	}
	for (c = 0; c < nj; c++) {
		if (threaded[c])
			pthread_join(th[c], NULL);
		for (k = 0; k < job[c].nread; k++)
			o->drop(job[c].items + k * o->item_size);
		free(job[c].items);
	}
	return ok;
}
