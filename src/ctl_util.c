/* ctl_util.c: input handling shared by licgatectl verbs. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>

#include "ctl.h"
#include "ctl_util.h"
#include "file.h"

int
ctl_load_json(json_t **out, const char *file)
{
	json_error_t err;
	uint8_t *buf;
	size_t len;
	const char *why;

	*out = NULL;
	if (!file_read(&buf, &len, file, CTL_MAX_FILE, &why)) {
		fprintf(stderr, "licgatectl: %s: %s\n", file, why);
		return CTL_BADINPUT;
	}
	*out = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &err);
	free(buf);
	if (*out == NULL) {
		fprintf(stderr, "licgatectl: %s:%d:%d: not valid JSON: %s\n", file,
		    err.line, err.column, err.text);
		return CTL_BADINPUT;
	}
	return CTL_OK;
}

int
ctl_bad_json(const char *file, const struct jerr *e)
{
	fprintf(stderr, "licgatectl: %s: %s: %s\n", file, e->path, e->why);
	return CTL_BADINPUT;
}

const char *
ctl_iso(char buf[32], uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "%" PRIu64, t);
	return buf;
}
