/* ctl_util.h: what several licgatectl verbs share. */
#ifndef LICGATE_CTL_UTIL_H
#define LICGATE_CTL_UTIL_H

#include <stdint.h>

#include <jansson.h>

#include "chain/jsonv.h"

/* Largest input file a verb reads. */
#define CTL_MAX_FILE (64u << 20)

/* Loads FILE as JSON into *out (caller decrefs); on failure prints why and
 * returns CTL_BADINPUT. */
int ctl_load_json(json_t **out, const char *file);

/* Prints "FILE: PATH: WHY" to stderr; returns CTL_BADINPUT. */
int ctl_bad_json(const char *file, const struct jerr *e);

/* Writes unix time t as "2026-11-24T22:20:54Z" into buf; returns buf. */
const char *ctl_iso(char buf[32], uint64_t t);

#endif
