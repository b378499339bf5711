/* ctl_installs.c: `licgatectl installs`: the install reports devices sent
 * (POST /v1/installs), from the gateway's database opened read-only. */
#include "config.h"

#include <stdio.h>

#include "ctl.h"
#include "ctl_util.h"
#include "store.h"

/* A JSON string, or null for a NULL column. */
static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* One report: a line, or an element of arr. */
static int
installs_one(void *arg, const struct store_install_row *r)
{
	json_t *arr = arg;

	if (arr == NULL) {
		printf("%6llu  %s  %s  firmware %s  version %llu%s%s\n",
		    (unsigned long long)r->seq, r->received_at, r->device,
		    r->firmware, (unsigned long long)r->version,
		    r->replaced != NULL ? "  replaced " : "  first install",
		    r->replaced != NULL ? r->replaced : "");
		return 1;
	}
	json_array_append_new(arr, json_pack("{sI ss ss sI so so so ss ss ss}",
	    "seq", (json_int_t)r->seq,
	    "device", r->device,
	    "firmware", r->firmware,
	    "version", (json_int_t)r->version,
	    "replaced", str_or_null(r->replaced),
	    "attestation_cti", str_or_null(r->cti),
	    "attestation_block", r->block != 0 ?
	    json_integer((json_int_t)r->block) : json_null(),
	    "reported_at", r->reported_at,
	    "received_at", r->received_at,
	    "leaf", r->leaf));
	return 1;
}

static int
installs_list(struct store *s, uint64_t since, json_t *arr, char *err,
    size_t errsz)
{
	return store_installs(s, since, installs_one, arr, err, errsz);
}

static int
installs_run(const struct ctl_verb *self, int argc, char **argv)
{
	return ctl_db_list(self, argc, argv, installs_list);
}

const struct ctl_verb ctl_verb_installs = {
	.name = "installs",
	.usage = "[-c FILE | --db PATH] [--since SEQ] [--json]",
	.summary = "the install reports devices sent, in order",
	.run = installs_run,
};
