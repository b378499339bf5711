/* jsonv.c: field readers that name the JSON path of what they reject. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "chain/hex.h"
#include "chain/jsonv.h"

int
jerr_set(struct jerr *e, const char *path, const char *key, const char *why)
{
	if (key != NULL)
		jpath_key(e->path, sizeof(e->path), path, key);
	else
		snprintf(e->path, sizeof(e->path), "%s", path);
	e->why = why;
	return 0;
}

char *
jpath_index(char *out, size_t outsz, const char *path, size_t i)
{
	snprintf(out, outsz, "%s[%zu]", path, i);
	return out;
}

char *
jpath_key(char *out, size_t outsz, const char *path, const char *key)
{
	snprintf(out, outsz, "%s.%s", path, key);
	return out;
}

/* The string value of obj[key], or NULL with e filled. */
static const char *
jv_string(const json_t *obj, const char *path, const char *key,
    struct jerr *e)
{
	json_t *v;

	if (!json_is_object(obj)) {
		jerr_set(e, path, NULL, "not an object");
		return NULL;
	}
	if ((v = json_object_get(obj, key)) == NULL) {
		jerr_set(e, path, key, "missing");
		return NULL;
	}
	if (!json_is_string(v)) {
		jerr_set(e, path, key, "not a string");
		return NULL;
	}
	return json_string_value(v);
}

int
jv_fixed(uint8_t *out, size_t len, const json_t *obj, const char *path,
    const char *key, struct jerr *e)
{
	const char *s, *why;

	if ((s = jv_string(obj, path, key, e)) == NULL)
		return 0;
	if (!hex_decode_fixed(out, len, s, &why))
		return jerr_set(e, path, key, why);
	return 1;
}

int
jv_u64(uint64_t *out, const json_t *obj, const char *path, const char *key,
    struct jerr *e)
{
	const char *s, *why;

	*out = 0;
	if ((s = jv_string(obj, path, key, e)) == NULL)
		return 0;
	if (!hex_quantity_u64(out, s, &why))
		return jerr_set(e, path, key, why);
	return 1;
}

int
jv_quantity(uint8_t *out, size_t cap, size_t *outlen, const json_t *obj,
    const char *path, const char *key, struct jerr *e)
{
	const char *s, *why;

	*outlen = 0;
	if ((s = jv_string(obj, path, key, e)) == NULL)
		return 0;
	if (!hex_quantity_be(out, cap, outlen, s, &why))
		return jerr_set(e, path, key, why);
	return 1;
}

int
jv_bytes(uint8_t **out, size_t *outlen, size_t maxlen, const json_t *obj,
    const char *path, const char *key, struct jerr *e)
{
	const char *s, *why;

	*out = NULL;
	*outlen = 0;
	if ((s = jv_string(obj, path, key, e)) == NULL)
		return 0;
	if (!hex_decode_alloc(out, outlen, s, maxlen, &why))
		return jerr_set(e, path, key, why);
	return 1;
}

int
jv_data(uint8_t *out, size_t cap, size_t *outlen, const json_t *obj,
    const char *path, const char *key, struct jerr *e)
{
	const char *s, *why;

	*outlen = 0;
	if ((s = jv_string(obj, path, key, e)) == NULL)
		return 0;
	if (!hex_decode(out, cap, outlen, s, &why))
		return jerr_set(e, path, key, why);
	return 1;
}

int
jv_array(json_t **arr, const json_t *obj, const char *path, const char *key,
    struct jerr *e)
{
	*arr = NULL;
	if (!json_is_object(obj))
		return jerr_set(e, path, NULL, "not an object");
	if ((*arr = json_object_get(obj, key)) == NULL)
		return jerr_set(e, path, key, "missing");
	if (!json_is_array(*arr)) {
		*arr = NULL;
		return jerr_set(e, path, key, "not an array");
	}
	return 1;
}
