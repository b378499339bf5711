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

#endif
