/* verdict_store.h: the verdict's records, from the rows the store looked
 * up: the one place where what the store keeps meets what the verdict
 * reads. */
#ifndef LICGATE_VERDICT_STORE_H
#define LICGATE_VERDICT_STORE_H

#include "store.h"
#include "verdict.h"

/* Fills in->state_time, device, firmware and licenses from lk (a block
 * time of 0 when nothing is applied yet); in->now and max_staleness are
 * the caller's.  The license is copied into *lic, which in->licenses then
 * points to: lic must outlive in. */
void verdict_store_input(struct verdict_input *in,
    struct verdict_license *lic, const struct store_lookup *lk);

#endif
