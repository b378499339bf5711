/* fuzz_rlp: the strict RLP decoder on arbitrary bytes.  Whatever it accepts
 * must re-encode to the same bytes (canonical form is unique). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "chain/rlp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
reencode(struct rlp_buf *b, const struct rlp_item *it)
{
	struct rlp_item child;
	const uint8_t *p = it->payload;
	size_t left = it->len, mark;
	const char *why;

	if (!it->is_list) {
		rlp_put_bytes(b, it->payload, it->len);
		return;
	}
	mark = rlp_list_begin(b);
	while (rlp_next(&child, &p, &left, &why))
		reencode(b, &child);
	if (why != NULL)
		abort();
	rlp_list_end(b, mark);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rlp_item it;
	struct rlp_buf b;
	const char *why;

	if (!rlp_decode(&it, data, size, &why))
		return 0;
	rlp_buf_init(&b);
	reencode(&b, &it);
	if (b.len != size || memcmp(b.data, data, size) != 0)
		abort();
	rlp_buf_free(&b);
	return 0;
}
