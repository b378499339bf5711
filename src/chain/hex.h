/* hex.h: strict parsing of JSON-RPC hex data and quantities. */
#ifndef LICGATE_HEX_H
#define LICGATE_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Decodes "0x"-prefixed data of even length into out (at most outcap bytes);
 * *outlen gets the byte count.  Returns 1, or 0 with *why set and *outlen 0. */
int hex_decode(uint8_t *out, size_t outcap, size_t *outlen, const char *s,
    const char **why) __attribute__((warn_unused_result));

/* Like hex_decode, with the "0x" optional (nonces typed by people and
 * devices). */
int hex_decode_bare(uint8_t *out, size_t outcap, size_t *outlen,
    const char *s, const char **why) __attribute__((warn_unused_result));

/* Like hex_decode but the data must be exactly len bytes (hashes, addresses). */
int hex_decode_fixed(uint8_t *out, size_t len, const char *s, const char **why)
    __attribute__((warn_unused_result));

/* Decodes "0x"-prefixed data of any even length into a new buffer (*out,
 * freed by the caller) of at most maxlen bytes. */
int hex_decode_alloc(uint8_t **out, size_t *outlen, const char *s,
    size_t maxlen, const char **why) __attribute__((warn_unused_result));

/* Parses a quantity ("0x0", "0x1a"; no leading zeros, no empty "0x") that
 * fits in 64 bits. */
int hex_quantity_u64(uint64_t *out, const char *s, const char **why)
    __attribute__((warn_unused_result));

/* Parses a quantity into its minimal big-endian bytes (zero gives length 0),
 * at most outcap bytes: the form RLP wants for scalars. */
int hex_quantity_be(uint8_t *out, size_t outcap, size_t *outlen, const char *s,
    const char **why) __attribute__((warn_unused_result));

/* The same on len bytes of text that need not end in a NUL (JSON read in
 * place); a NUL inside is an invalid digit. */
int hex_decode_n(uint8_t *out, size_t outcap, size_t *outlen, const char *s,
    size_t len, const char **why) __attribute__((warn_unused_result));
int hex_decode_fixed_n(uint8_t *out, size_t outlen, const char *s,
    size_t len, const char **why) __attribute__((warn_unused_result));
int hex_decode_alloc_n(uint8_t **out, size_t *outlen, const char *s,
    size_t len, size_t maxlen, const char **why)
    __attribute__((warn_unused_result));
int hex_quantity_u64_n(uint64_t *out, const char *s, size_t len,
    const char **why) __attribute__((warn_unused_result));

/* A list of 0x addresses separated by commas or spaces (chain.signers,
 * --signers): at most max into out, *n of them.  Refuses an empty list,
 * a malformed address (naming it) and more than max. */
int hex_addr_list(uint8_t (*out)[20], size_t max, size_t *n, const char *s,
    const char **why) __attribute__((warn_unused_result));

/* Writes "0x" and 2*len lowercase digits and a NUL to out, which must hold
 * 2*len + 3 bytes.  Returns out. */
char *hex_encode(char *out, const uint8_t *in, size_t len);

/* Same into a new string the caller frees. */
char *hex_encode_alloc(const uint8_t *in, size_t len);

/* Writes v as a quantity ("0x0", "0x1a") into out[19]; returns out. */
char *hex_format_u64(char out[19], uint64_t v);

#endif
