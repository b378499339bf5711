/* hex.c: JSON-RPC hex, where every deviation from the canonical form is an
 * error rather than a guess. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "chain/hex.h"
#include "xmalloc.h"

/* A digit's value plus one; 0 for every byte that is not a hex digit.  A
 * table: receipts and requests carry hex by the kilobyte. */
static const uint8_t hex_table[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int
hex_nibble(char c)
{
	return hex_table[(unsigned char)c] - 1;
}

/* s[0..len) starts with 0x: digits and ndigits get what follows. */
static int
hex_prefix(const char **digits, size_t *ndigits, const char *s, size_t len,
    const char **why)
{
	if (s == NULL) {
		*why = "not a string";
		return 0;
	}
	if (len < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
		*why = "missing 0x prefix";
		return 0;
	}
	*digits = s + 2;
	*ndigits = len - 2;
	return 1;
}

/* strlen that lets NULL through to hex_prefix's "not a string". */
static size_t
hex_len(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

/* Decodes ndigits (even) digits into out; checks every character. */
static int
hex_digits(uint8_t *out, const char *d, size_t ndigits, const char **why)
{
	const unsigned char *u = (const unsigned char *)d;
	size_t i;
	unsigned hi, lo;

	for (i = 0; i < ndigits / 2; i++) {
		hi = hex_table[u[2 * i]];
		lo = hex_table[u[2 * i + 1]];
		if (hi == 0 || lo == 0) {
			*why = "invalid hex digit";
			return 0;
		}
		out[i] = (uint8_t)((hi - 1) << 4 | (lo - 1));
	}
	return 1;
}

/* n digits at d, even and at most 2 * outcap of them, into out. */
static int
hex_data(uint8_t *out, size_t outcap, size_t *outlen, const char *d,
    size_t n, const char **why)
{
	if (n % 2) {
		*why = "odd number of hex digits";
		return 0;
	}
	if (n / 2 > outcap) {
		*why = "hex data too long";
		return 0;
	}
	if (!hex_digits(out, d, n, why))
		return 0;
	*outlen = n / 2;
	return 1;
}

int
hex_decode_n(uint8_t *out, size_t outcap, size_t *outlen, const char *s,
    size_t len, const char **why)
{
	const char *d;
	size_t n;

	*outlen = 0;
	if (!hex_prefix(&d, &n, s, len, why))
		return 0;
	return hex_data(out, outcap, outlen, d, n, why);
}

int
hex_decode(uint8_t *out, size_t outcap, size_t *outlen, const char *s,
    const char **why)
{
	return hex_decode_n(out, outcap, outlen, s, hex_len(s), why);
}

int
hex_decode_bare(uint8_t *out, size_t outcap, size_t *outlen, const char *s,
    const char **why)
{
	*outlen = 0;
	if (s != NULL && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return hex_decode(out, outcap, outlen, s, why);
	if (s == NULL) {
		*why = "not a string";
		return 0;
	}
	return hex_data(out, outcap, outlen, s, strlen(s), why);
}

int
hex_decode_fixed_n(uint8_t *out, size_t len, const char *s, size_t slen,
    const char **why)
{
	size_t n;

	if (!hex_decode_n(out, len, &n, s, slen, why))
		return 0;
	if (n != len) {
		*why = "hex data has the wrong length";
		return 0;
	}
	return 1;
}

int
hex_decode_fixed(uint8_t *out, size_t len, const char *s, const char **why)
{
	return hex_decode_fixed_n(out, len, s, hex_len(s), why);
}

int
hex_decode_alloc_n(uint8_t **out, size_t *outlen, const char *s, size_t len,
    size_t maxlen, const char **why)
{
	const char *d;
	size_t n;

	*out = NULL;
	*outlen = 0;
	if (!hex_prefix(&d, &n, s, len, why))
		return 0;
	if (n % 2) {
		*why = "odd number of hex digits";
		return 0;
	}
	if (n / 2 > maxlen) {
		*why = "hex data too long";
		return 0;
	}
	*out = xmalloc(n / 2 + 1);
	if (!hex_digits(*out, d, n, why)) {
		free(*out);
		*out = NULL;
		return 0;
	}
	*outlen = n / 2;
	return 1;
}

int
hex_decode_alloc(uint8_t **out, size_t *outlen, const char *s, size_t maxlen,
    const char **why)
{
	return hex_decode_alloc_n(out, outlen, s, hex_len(s), maxlen, why);
}

static int
quantity_be(uint8_t *out, size_t outcap, size_t *outlen, const char *s,
    size_t len, const char **why)
{
	const char *d;
	size_t n, i, nbytes;
	int v;

	*outlen = 0;
	if (!hex_prefix(&d, &n, s, len, why))
		return 0;
	if (n == 0) {
		*why = "empty quantity";
		return 0;
	}
	if (n > 1 && d[0] == '0') {
		*why = "quantity has leading zeros";
		return 0;
	}
	if (n == 1 && d[0] == '0')
		return 1;
	nbytes = (n + 1) / 2;
	if (nbytes > outcap) {
		*why = "quantity too large";
		return 0;
	}
	memset(out, 0, nbytes);
	for (i = 0; i < n; i++) {
		if ((v = hex_nibble(d[i])) < 0) {
			*why = "invalid hex digit";
			return 0;
		}
		/* Digit i counted from the right lands in byte nbytes-1-k/2. */
		size_t k = n - 1 - i;
		out[nbytes - 1 - k / 2] |= (uint8_t)(k % 2 ? v << 4 : v);
	}
	*outlen = nbytes;
	return 1;
}

int
hex_quantity_be(uint8_t *out, size_t outcap, size_t *outlen, const char *s,
    const char **why)
{
	return quantity_be(out, outcap, outlen, s, hex_len(s), why);
}

int
hex_quantity_u64_n(uint64_t *out, const char *s, size_t len,
    const char **why)
{
	uint8_t be[8];
	size_t n, i;

	*out = 0;
	if (!quantity_be(be, sizeof(be), &n, s, len, why))
		return 0;
	for (i = 0; i < n; i++)
		*out = *out << 8 | be[i];
	return 1;
}

int
hex_quantity_u64(uint64_t *out, const char *s, const char **why)
{
	return hex_quantity_u64_n(out, s, hex_len(s), why);
}

char *
hex_encode(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	out[0] = '0';
	out[1] = 'x';
	for (i = 0; i < len; i++) {
		out[2 + 2 * i] = digits[in[i] >> 4];
		out[3 + 2 * i] = digits[in[i] & 15];
	}
	out[2 + 2 * len] = '\0';
	return out;
}

char *
hex_encode_alloc(const uint8_t *in, size_t len)
{
	return hex_encode(xmalloc(2 * len + 3), in, len);
}

char *
hex_format_u64(char out[19], uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	int n = 0, i;

	do {
		tmp[n++] = digits[v & 15];
		v >>= 4;
	} while (v);
	out[0] = '0';
	out[1] = 'x';
	for (i = 0; i < n; i++)
		out[2 + i] = tmp[n - 1 - i];
	out[2 + n] = '\0';
	return out;
}

int
hex_addr_list(uint8_t (*out)[20], size_t max, size_t *n, const char *s,
    const char **why)
{
	size_t len;

	*n = 0;
	for (;;) {
		s += strspn(s, ", \t");
		if (*s == '\0')
			break;
		len = strcspn(s, ", \t");
		if (*n == max) {
			*why = "too many addresses";
			return 0;
		}
		if (!hex_decode_fixed_n(out[*n], 20, s, len, why)) {
			*why = "not an address (0x and 40 hex digits)";
			return 0;
		}
		(*n)++;
		s += len;
	}
	if (*n == 0) {
		*why = "no address given";
		return 0;
	}
	return 1;
}
