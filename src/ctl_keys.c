/* ctl_keys.c: `licgatectl keygen` and `licgatectl key-info`: the gateway's
 * signing key, kept in a file only its owner can read. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain/hex.h"
#include "chain/sig.h"
#include "conf.h"
#include "ctl.h"
#include "file.h"
#include "key.h"

static void
print_key(const uint8_t seckey[32])
{
	uint8_t pub[33], addr[20];
	char hex[2 * 33 + 3];

	if (!sig_pubkey_create(pub, sizeof(pub), seckey) ||
	    !sig_pubkey_to_address(addr, pub, sizeof(pub)))
		return;
	printf("address    %s\n", hex_encode(hex, addr, 20));
	printf("public key %s\n", hex_encode(hex, pub, sizeof(pub)));
}

/* Reads a key file after checking its mode; returns CTL_OK or an exit code. */
static int
key_read(uint8_t seckey[32], const char *path)
{
	char msg[512];

	if (!key_load(seckey, path, msg, sizeof(msg))) {
		fprintf(stderr, "licgatectl: %s\n", msg);
		return CTL_BADINPUT;
	}
	return CTL_OK;
}

int
ctl_keygen(int argc, char **argv)
{
	uint8_t seckey[32];
	char text[KEY_FILE_LEN + 3];
	const char *out = NULL;
	int force = 0, fd, i, flags;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--force") == 0)
			force = 1;
		else
			return ctl_usage(ctl_find("keygen"));
	}
	if (out == NULL)
		return ctl_usage(ctl_find("keygen"));
	if (!sig_keygen(seckey)) {
		fprintf(stderr, "licgatectl: keygen: no randomness available\n");
		return CTL_MISMATCH;
	}
	hex_encode(text, seckey, 32);
	text[66] = '\n';
	/* O_EXCL: never replace a key by accident; 0600 from the start. */
	flags = O_WRONLY | O_CREAT | (force ? O_TRUNC : O_EXCL);
	if ((fd = open(out, flags, 0600)) < 0) {
		fprintf(stderr, "licgatectl: %s: %s%s\n", out, strerror(errno),
		    errno == EEXIST ? " (use --force to replace it)" : "");
		return CTL_BADINPUT;
	}
	if (fchmod(fd, 0600) != 0 || write(fd, text + 2, KEY_FILE_LEN) !=
	    KEY_FILE_LEN || fsync(fd) != 0 || close(fd) != 0) {
		fprintf(stderr, "licgatectl: %s: %s\n", out, strerror(errno));
		unlink(out);
		return CTL_BADINPUT;
	}
	memset(text, 0, sizeof(text));
	printf("wrote %s (mode 0600)\n", out);
	print_key(seckey);
	memset(seckey, 0, sizeof(seckey));
	return CTL_OK;
}

int
ctl_key_info(int argc, char **argv)
{
	uint8_t seckey[32];
	int rc;

	if (argc != 3 || strcmp(argv[1], "-k") != 0)
		return ctl_usage(ctl_find("key-info"));
	if ((rc = key_read(seckey, argv[2])) != CTL_OK)
		return rc;
	print_key(seckey);
	memset(seckey, 0, sizeof(seckey));
	return CTL_OK;
}
