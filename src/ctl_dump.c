/* ctl_dump.c: `licgatectl dump`: the effective registry state as JSON,
 * from the gateway's database opened read-only. */
#include "config.h"

#include <stdio.h>

#include "ctl.h"
#include "ctl_util.h"
#include "store.h"

static int
dump_run(const struct ctl_verb *self, int argc, char **argv)
{
	struct ctl_db_opts o;
	struct store *s;
	char err[512];
	json_t *j;
	int rc;

	if (!ctl_db_verb(&s, NULL, &o, self, 0, argc, argv, &rc))
		return rc;
	if ((j = store_dump(s, err, sizeof(err))) == NULL) {
		fprintf(stderr, "licgatectl: %s\n", err);
		store_close(s);
		return CTL_BADINPUT;
	}
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	putchar('\n');
	json_decref(j);
	store_close(s);
	return CTL_OK;
}

const struct ctl_verb ctl_verb_dump = {
	.name = "dump",
	.usage = "[-c FILE | --db PATH]",
	.summary = "the effective registry state as JSON",
	.run = dump_run,
};
