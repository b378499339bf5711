/* key.c: reading the key file without leaving copies of it around. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "chain/hex.h"
#include "chain/sig.h"
#include "conf.h"
#include "file.h"
#include "key.h"

int
key_load(uint8_t seckey[32], const char *path, char *err, size_t errsz)
{
	char text[KEY_FILE_LEN + 3];
	uint8_t buf[256] = { 0 };
	const char *why;
	size_t len;
	int ok;

	memset(seckey, 0, 32);
	if (!file_read_secret(buf, sizeof(buf), &len, path, err, errsz))
		return 0;
	snprintf(text, sizeof(text), "0x%.*s", 64, (char *)buf);
	ok = (len == KEY_FILE_LEN && buf[64] == '\n') &&
	    hex_decode_fixed(seckey, 32, text, &why) &&
	    sig_pubkey_create((uint8_t[33]){ 0 }, 33, seckey);
	/* explicit_bzero: a memset before return may be dropped. */
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(text, sizeof(text));
	if (!ok) {
		memset(seckey, 0, 32);
		snprintf(err, errsz, "%s: not a licgate key file (64 hex digits "
		    "and a newline, a valid secp256k1 key)", path);
	}
	return ok;
}
