/* file.h: reading whole files with a size cap. */
#ifndef LICGATE_FILE_H
#define LICGATE_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Reads PATH into a new NUL-terminated buffer (*out, freed by the caller) of
 * *outlen bytes.  Fails (returns 0, *out NULL, *why set) when the file cannot
 * be read or holds more than maxlen bytes. */
int file_read(uint8_t **out, size_t *outlen, const char *path, size_t maxlen,
    const char **why) __attribute__((warn_unused_result));

/* Reads the secret file at path (a key, a bearer token) into buf, at most
 * cap bytes, *len set.  Refuses, with one line in err naming the file and
 * the fix: a symbolic link (not followed), anything but a regular file, a
 * file owned by neither this user nor root, one that group or others may
 * read or write, and one larger than cap.  The checks are made on the
 * descriptor that is read.  Returns 1, or 0 with buf wiped. */
int file_read_secret(uint8_t *buf, size_t cap, size_t *len, const char *path,
    char *err, size_t errsz) __attribute__((warn_unused_result));

#endif
