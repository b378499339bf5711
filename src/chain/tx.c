/* tx.c: signing the transactions licgated sends (see tx.h).  The signed
 * fields and their order are EIP-155's for legacy transactions and
 * EIP-1559's for type 2; r and s are scalars, so their leading zero bytes
 * are dropped as RLP wants. */
#include "config.h"

#include <string.h>

#include "chain/hash.h"
#include "chain/rlp.h"
#include "chain/sig.h"
#include "chain/tx.h"

/* A 32-byte big-endian scalar in its minimal form. */
static void
put_scalar(struct rlp_buf *b, const uint8_t w[32])
{
	size_t z = 0;

	while (z < 32 && w[z] == 0)
		z++;
	rlp_put_bytes(b, w + z, 32 - z);
}

/* The fields both forms sign after their fees: gas, to, value, data. */
static void
put_call(struct rlp_buf *b, const struct tx *t)
{
	rlp_put_uint(b, t->gas_limit);
	rlp_put_bytes(b, t->to, 20);
	rlp_put_uint(b, t->value);
	rlp_put_bytes(b, t->data, t->data_len);
}

/* The legacy fields; with sig NULL, EIP-155's signing form (chain id, 0,
 * 0 in place of v, r, s). */
static void
put_legacy(struct rlp_buf *b, const struct tx *t, const uint8_t *sig,
    int recid)
{
	size_t m = rlp_list_begin(b);

	rlp_put_uint(b, t->nonce);
	rlp_put_uint(b, t->gas_price);
	put_call(b, t);
	if (sig == NULL) {
		rlp_put_uint(b, t->chain_id);
		rlp_put_uint(b, 0);
		rlp_put_uint(b, 0);
	} else {
		rlp_put_uint(b, t->chain_id * 2 + 35 + (uint64_t)recid);
		put_scalar(b, sig);
		put_scalar(b, sig + 32);
	}
	rlp_list_end(b, m);
}

/* 0x02 and the EIP-1559 fields, with the signature's when sig is given. */
static void
put_eip1559(struct rlp_buf *b, const struct tx *t, const uint8_t *sig,
    int recid)
{
	static const uint8_t type = TX_EIP1559;
	size_t m, al;

	rlp_put_raw(b, &type, 1);
	m = rlp_list_begin(b);
	rlp_put_uint(b, t->chain_id);
	rlp_put_uint(b, t->nonce);
	rlp_put_uint(b, t->max_priority_fee);
	rlp_put_uint(b, t->max_fee);
	put_call(b, t);
	al = rlp_list_begin(b);		/* no access list */
	rlp_list_end(b, al);
	if (sig != NULL) {
		rlp_put_uint(b, (uint64_t)recid);
		put_scalar(b, sig);
		put_scalar(b, sig + 32);
	}
	rlp_list_end(b, m);
}

static void
put_tx(struct rlp_buf *b, const struct tx *t, const uint8_t *sig, int recid)
{
	if (t->type == TX_LEGACY)
		put_legacy(b, t, sig, recid);
	else
		put_eip1559(b, t, sig, recid);
}

int
tx_sign(uint8_t **raw, size_t *rawlen, uint8_t hash[32],
    const struct tx *t, const uint8_t seckey[32], const char **why)
{
	struct rlp_buf b;
	uint8_t sighash[32], sig[64];
	int recid;

	*raw = NULL;
	*rawlen = 0;
	if (t->type != TX_LEGACY && t->type != TX_EIP1559) {
		*why = "unknown transaction type";
		return 0;
	}
	rlp_buf_init(&b);
	put_tx(&b, t, NULL, 0);
	keccak256(sighash, b.data, b.len);
	if (!sig_sign(sig, &recid, sighash, seckey)) {
		rlp_buf_free(&b);
		*why = "not a valid secp256k1 key";
		return 0;
	}
	rlp_buf_reset(&b);
	put_tx(&b, t, sig, recid);
	keccak256(hash, b.data, b.len);
	*raw = rlp_buf_take(&b, rawlen);
	return 1;
}
