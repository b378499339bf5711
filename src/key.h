/* key.h: the gateway's signing key file: 64 hex digits and a newline,
 * readable by its owner only. */
#ifndef LICGATE_KEY_H
#define LICGATE_KEY_H

#include <stddef.h>
#include <stdint.h>

#define KEY_FILE_LEN 65

/* Reads the key at path as file_read_secret does (no symbolic link, owner
 * only, checked on the descriptor read).
 * Returns 1, or 0 with one line in err naming the file and the problem;
 * seckey is zeroed on failure. */
int key_load(uint8_t seckey[32], const char *path, char *err, size_t errsz)
    __attribute__((warn_unused_result));

#endif
