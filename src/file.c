/* file.c: whole-file reads for tools and tests. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "xmalloc.h"

int
file_read(uint8_t **out, size_t *outlen, const char *path, size_t maxlen,
    const char **why)
{
	FILE *f;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	*out = NULL;
	*outlen = 0;
	if ((f = fopen(path, "rb")) == NULL) {
		*why = strerror(errno);
		return 0;
	}
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len > maxlen) {
			*why = "file too large";
			goto fail;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		*why = strerror(errno);
		goto fail;
	}
	fclose(f);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 1;
fail:
	fclose(f);
	free(buf);
	return 0;
}
