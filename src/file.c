/* file.c: whole-file reads for tools and tests. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "log.h"
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
	/* What was read may be a secret put at the wrong path. */
	explicit_bzero(buf, len < cap ? len : cap);
	free(buf);
	return 0;
}

/* The checks of file_read_secret, on the descriptor that will be read, so
 * that the file cannot be swapped between the check and the read. */
static int
secret_fd_ok(int fd, const char *path, size_t cap, char *err, size_t errsz)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return errf(err, errsz, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return errf(err, errsz, "%s: not a regular file", path);
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return errf(err, errsz, "%s: owned by uid %u, not by "
		    "this user (uid %u) or root; run: chown %u %s", path,
		    (unsigned)st.st_uid, (unsigned)geteuid(),
		    (unsigned)geteuid(), path);
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return errf(err, errsz, "%s: mode %04o lets group or "
		    "others read or write it; run: chmod 600 %s", path,
		    (unsigned)(st.st_mode & 07777), path);
	if (st.st_size < 0 || (uint64_t)st.st_size > cap)
		return errf(err, errsz, "%s: file too large (%jd bytes, "
		    "at most %zu)", path, (intmax_t)st.st_size, cap);
	return 1;
}

int
file_read_secret(uint8_t *buf, size_t cap, size_t *len, const char *path,
    char *err, size_t errsz)
{
	ssize_t n;
	int fd, ok = 0;

	*len = 0;
	/* O_NONBLOCK: a FIFO put in the key's place must not hang the
	 * daemon before fstat refuses it. */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		return errf(err, errsz, "%s: %s", path, errno == ELOOP ?
		    "is a symbolic link (not followed for secrets)" :
		    strerror(errno));
	if (!secret_fd_ok(fd, path, cap, err, errsz))
		goto done;
	while (*len < cap) {
		n = read(fd, buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			errf(err, errsz, "%s: %s", path, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	/* A file that grew past cap after fstat is refused, not cut. */
	if (*len == cap && read(fd, (uint8_t[1]){ 0 }, 1) > 0) {
		errf(err, errsz, "%s: file too large (more than %zu "
		    "bytes)", path, cap);
		goto done;
	}
	ok = 1;
done:
	close(fd);
	if (!ok) {
		explicit_bzero(buf, cap);
		*len = 0;
	}
	return ok;
}
