/* key.c: reading the key file without leaving copies of it around, and the
 * few things done with a key of either curve. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "chain/hex.h"
#include "chain/p256.h"
#include "chain/sig.h"
#include "conf.h"
#include "file.h"
#include "key.h"

/* The type of a key file's text by its first line, and where its hex
 * starts; 0 for a length that is neither form. */
static int
key_type(const uint8_t *buf, size_t len, size_t *hexoff)
{
	size_t m = sizeof(KEY_P256_MARK) - 1;

	*hexoff = 0;
	if (len == KEY_FILE_LEN)
		return LGV_ALG_ES256K;
	if (len == m + KEY_FILE_LEN && memcmp(buf, KEY_P256_MARK, m) == 0) {
		*hexoff = m;
		return LGV_ALG_ES256;
	}
	return 0;
}

int
key_load(uint8_t seckey[32], int *alg, const char *path, char *err,
    size_t errsz)
{
	char text[KEY_FILE_LEN + 3];
	uint8_t buf[256] = { 0 }, pub[33];
	const char *why;
	size_t len, off;
	int ok;

	memset(seckey, 0, 32);
	*alg = 0;
	if (!file_read_secret(buf, sizeof(buf), &len, path, err, errsz))
		return 0;
	*alg = key_type(buf, len, &off);
	snprintf(text, sizeof(text), "0x%.*s", 64, (char *)buf + off);
	ok = *alg != 0 && buf[off + 64] == '\n' &&
	    hex_decode_fixed(seckey, 32, text, &why) &&
	    key_pubkey(pub, sizeof(pub), *alg, seckey);
	/* explicit_bzero: a memset before return may be dropped. */
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(text, sizeof(text));
	if (!ok) {
		memset(seckey, 0, 32);
		*alg = 0;
		snprintf(err, errsz, "%s: not a licgate key file (64 hex digits "
		    "and a newline, a valid secp256k1 key; or the line p256 "
		    "first, a valid P-256 key)", path);
	}
	return ok;
}

int
key_load_conf(uint8_t seckey[32], int *alg, const struct conf *c, char *err,
    size_t errsz)
{
	int want = key_alg_parse(c->attestation_alg);

	if (!key_load(seckey, alg, c->key_file, err, errsz))
		return 0;
	if (*alg == want)
		return 1;
	explicit_bzero(seckey, 32);
	snprintf(err, errsz, "%s: a %s key (%s), but attestation.alg = %s: "
	    "make a key with licgatectl keygen --alg %s, or set "
	    "attestation.alg = %s", c->key_file, *alg == LGV_ALG_ES256 ?
	    "P-256" : "secp256k1", key_alg_name(*alg), c->attestation_alg,
	    want == LGV_ALG_ES256 ? "es256" : "es256k", key_alg_name(*alg));
	*alg = 0;
	return 0;
}

size_t
key_format(char out[KEY_FILE_MAX + 1], int alg, const uint8_t seckey[32])
{
	char hex[2 * 32 + 3];
	int n;

	hex_encode(hex, seckey, 32);
	n = snprintf(out, KEY_FILE_MAX + 1, "%s%s\n", alg == LGV_ALG_ES256 ?
	    KEY_P256_MARK : "", hex + 2);
	explicit_bzero(hex, sizeof(hex));
	return (size_t)n;
}

int
key_generate(uint8_t seckey[32], int alg)
{
	if (alg == LGV_ALG_ES256K)
		return sig_keygen(seckey);
	if (alg == LGV_ALG_ES256)
		return p256_keygen(seckey);
	memset(seckey, 0, 32);
	return 0;
}

int
key_pubkey(uint8_t *pub, size_t publen, int alg, const uint8_t seckey[32])
{
	if (alg == LGV_ALG_ES256K)
		return sig_pubkey_create(pub, publen, seckey);
	if (alg == LGV_ALG_ES256)
		return p256_pubkey_create(pub, publen, seckey);
	memset(pub, 0, publen);
	return 0;
}

int
key_pubkey_address(uint8_t addr[20], int alg, const uint8_t *pub,
    size_t publen)
{
	if (alg == LGV_ALG_ES256K)
		return sig_pubkey_to_address(addr, pub, publen);
	if (alg == LGV_ALG_ES256)
		return p256_pubkey_to_address(addr, pub, publen);
	memset(addr, 0, 20);
	return 0;
}

int
key_sign(uint8_t sig[64], int alg, const uint8_t hash[32],
    const uint8_t seckey[32])
{
	if (alg == LGV_ALG_ES256K)
		return sig_sign(sig, NULL, hash, seckey);
	if (alg == LGV_ALG_ES256)
		return p256_sign(sig, hash, seckey);
	memset(sig, 0, 64);
	return 0;
}

const char *
key_alg_name(int alg)
{
	return alg == LGV_ALG_ES256K ? "ES256K" : alg == LGV_ALG_ES256 ?
	    "ES256" : NULL;
}

int
key_alg_parse(const char *name)
{
	if (strcasecmp(name, "ES256K") == 0)
		return LGV_ALG_ES256K;
	if (strcasecmp(name, "ES256") == 0)
		return LGV_ALG_ES256;
	return 0;
}
