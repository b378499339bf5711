/* ctl_keygen.c: `licgatectl keygen`: a new gateway signing key, secp256k1
 * (ES256K) or P-256 (ES256), written to a file only its owner can read. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_util.h"
#include "key.h"

static void
print_key(int alg, const uint8_t seckey[32])
{
	char addr[43], pub[69];

	if (!ctl_key_names(addr, pub, alg, seckey))
		return;
	printf("address    %s\n", addr);
	printf("public key %s\n", pub);
	printf("algorithm  %s\n", key_alg_name(alg));
}

static int
keygen_run(const struct ctl_verb *self, int argc, char **argv)
{
	uint8_t seckey[32];
	char text[KEY_FILE_MAX + 1];
	const char *out = NULL;
	int force = 0, fd, i, flags, alg = LGV_ALG_ES256K;
	size_t len;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--alg") == 0 && i + 1 < argc) {
			if ((alg = key_alg_parse(argv[++i])) == 0)
				return ctl_usage(self);
		}
		else if (strcmp(argv[i], "--force") == 0)
			force = 1;
		else
			return ctl_usage(self);
	}
	if (out == NULL)
		return ctl_usage(self);
	if (!key_generate(seckey, alg)) {
		fprintf(stderr, "licgatectl: keygen: no randomness available\n");
		return CTL_MISMATCH;
	}
	len = key_format(text, alg, seckey);
	/* O_EXCL: never replace a key by accident; 0600 from the start. */
	flags = O_WRONLY | O_CREAT | (force ? O_TRUNC : O_EXCL);
	if ((fd = open(out, flags, 0600)) < 0) {
		fprintf(stderr, "licgatectl: %s: %s%s\n", out, strerror(errno),
		    errno == EEXIST ? " (use --force to replace it)" : "");
		return CTL_BADINPUT;
	}
	if (fchmod(fd, 0600) != 0 || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd) != 0 || close(fd) != 0) {
		fprintf(stderr, "licgatectl: %s: %s\n", out, strerror(errno));
		unlink(out);
		return CTL_BADINPUT;
	}
	explicit_bzero(text, sizeof(text));
	printf("wrote %s (mode 0600)\n", out);
	print_key(alg, seckey);
	explicit_bzero(seckey, sizeof(seckey));
	return CTL_OK;
}

const struct ctl_verb ctl_verb_keygen = {
	.name = "keygen",
	.usage = "-o FILE [--alg es256k|es256] [--force]",
	.summary = "create a gateway signing key (mode 0600) and print its "
	    "address",
	.run = keygen_run,
};
