/* ctl_keygen.c: `licgatectl keygen`: a new gateway signing key, written
 * to a file only its owner can read. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain/hex.h"
#include "chain/sig.h"
#include "ctl.h"
#include "ctl_util.h"
#include "key.h"

static void
print_key(const uint8_t seckey[32])
{
	char addr[43], pub[69];

	if (!ctl_key_names(addr, pub, seckey))
		return;
	printf("address    %s\n", addr);
	printf("public key %s\n", pub);
}

static int
keygen_run(const struct ctl_verb *self, int argc, char **argv)
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
			return ctl_usage(self);
	}
	if (out == NULL)
		return ctl_usage(self);
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
	explicit_bzero(text, sizeof(text));
	printf("wrote %s (mode 0600)\n", out);
	print_key(seckey);
	explicit_bzero(seckey, sizeof(seckey));
	return CTL_OK;
}

const struct ctl_verb ctl_verb_keygen = {
	.name = "keygen",
	.usage = "-o FILE [--force]",
	.summary = "create a gateway signing key (mode 0600) and print its "
	    "address",
	.run = keygen_run,
};
