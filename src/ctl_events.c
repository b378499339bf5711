/* ctl_events.c: `licgatectl events`: the verified audit trail of registry
 * events, from the gateway's database opened read-only. */
#include "config.h"

#include <stdio.h>

#include "ctl.h"
#include "ctl_util.h"
#include "store.h"

/* One event of licgatectl events: a line, or an element of arr. */
static int
events_one(void *arg, const struct store_event_row *r)
{
	json_t *arr = arg;

	if (arr == NULL) {
		printf("%6lld  block %-8lld %s  %-20s %s%s\n",
		    (long long)r->seq, (long long)r->block_number, r->time,
		    r->kind, r->args, r->effective ? "" : "  (pending)");
		return 1;
	}
	json_array_append_new(arr, json_pack("{sI sI ss sI sI ss so sb}",
	    "seq", (json_int_t)r->seq,
	    "block", (json_int_t)r->block_number,
	    "time", r->time,
	    "tx_index", (json_int_t)r->tx_index,
	    "log_index", (json_int_t)r->log_index,
	    "kind", r->kind,
	    "args", json_loads(r->args, 0, NULL),
	    "effective", r->effective));
	return 1;
}

static int
events_list(struct store *s, uint64_t since, json_t *arr, char *err,
    size_t errsz)
{
	return store_events(s, since, events_one, arr, err, errsz);
}

static int
events_run(const struct ctl_verb *self, int argc, char **argv)
{
	return ctl_db_list(self, argc, argv, events_list);
}

const struct ctl_verb ctl_verb_events = {
	.name = "events",
	.usage = "[-c FILE | --db PATH] [--since BLOCK] [--json]",
	.summary = "the verified audit trail of registry events",
	.run = events_run,
};
