/* fuzz_install_proof: an install proof file (install_proof.h) from
 * whoever hands it over, through the reader verify-install uses.  What is
 * accepted must write back to JSON that reads as the same proof. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "install_proof.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct install_proof p, q;
	struct jerr e;
	json_t *j, *back;

	if ((j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    NULL)) == NULL)
		return 0;
	if (install_proof_from_json(&p, j, &e)) {
		back = install_proof_to_json(&p);
		if (!install_proof_from_json(&q, back, &e) ||
		    memcmp(&p, &q, sizeof(p)) != 0)
			abort();
		json_decref(back);
	}
	json_decref(j);
	return 0;
}
