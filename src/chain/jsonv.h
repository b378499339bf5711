/* jsonv.h: reading JSON-RPC objects field by field with strict hex rules,
 * reporting the JSON path of the first bad field ("$.header.stateRoot"). */
#ifndef LICGATE_JSONV_H
#define LICGATE_JSONV_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Where and why reading failed.  path is a JSONPath-like string. */
struct jerr {
	char path[256];
	const char *why;
};

/* Records path + "." + key (or path alone when key is NULL) and why in e;
 * returns 0 so callers can "return jerr_set(...)". */
int jerr_set(struct jerr *e, const char *path, const char *key,
    const char *why);

/* Writes "path[i]" / "path.key" into out (size outsz); returns out. */
char *jpath_index(char *out, size_t outsz, const char *path, size_t i);
char *jpath_key(char *out, size_t outsz, const char *path, const char *key);

/* Each reads obj[key] (which must exist and be a string) into out.
 * Return 1, or 0 with e filled. */
int jv_fixed(uint8_t *out, size_t len, const json_t *obj, const char *path,
    const char *key, struct jerr *e) __attribute__((warn_unused_result));
int jv_u64(uint64_t *out, const json_t *obj, const char *path,
    const char *key, struct jerr *e) __attribute__((warn_unused_result));
/* A quantity as minimal big-endian bytes, at most cap bytes. */
int jv_quantity(uint8_t *out, size_t cap, size_t *outlen, const json_t *obj,
    const char *path, const char *key, struct jerr *e)
    __attribute__((warn_unused_result));
/* Data of any length up to maxlen, into a new buffer the caller frees. */
int jv_bytes(uint8_t **out, size_t *outlen, size_t maxlen, const json_t *obj,
    const char *path, const char *key, struct jerr *e)
    __attribute__((warn_unused_result));
/* Data of any length up to cap, into out. */
int jv_data(uint8_t *out, size_t cap, size_t *outlen, const json_t *obj,
    const char *path, const char *key, struct jerr *e)
    __attribute__((warn_unused_result));
/* An array member, checked to be an array; *arr borrowed from obj. */
int jv_array(json_t **arr, const json_t *obj, const char *path,
    const char *key, struct jerr *e) __attribute__((warn_unused_result));

#endif
