/* verdict_store.c: store rows to verdict records.  The store speaks of
 * columns (a floor's min_version, a vendor still active), the verdict of
 * what they mean for a device (below floor, vendor removed). */
#include "config.h"

#include <string.h>

#include "verdict_store.h"

static void
device_from_row(struct verdict_device *d, const struct store_device_row *r)
{
	memset(d, 0, sizeof(*d));
	d->known = r->found;
	d->revoked = r->revoked;
	d->role = r->role;
}

static void
firmware_from_row(struct verdict_firmware *f,
    const struct store_firmware_row *r)
{
	memset(f, 0, sizeof(*f));
	f->known = r->found;
	f->revoked = r->revoked;
	memcpy(f->vendor, r->vendor, 20);
	f->role = r->role;
	f->version = r->version;
	f->floor = r->min_version;
	f->end_of_support = r->end_of_support;
	f->vendor_removed = r->found && !r->vendor_active;
}

static void
license_from_row(struct verdict_license *l, const struct store_license_row *r)
{
	memset(l, 0, sizeof(*l));
	l->id = r->id;
	memcpy(l->vendor, r->vendor, 20);
	l->role = r->role;
	l->max_version = r->max_version;
	l->not_before = r->not_before;
	l->expires_at = r->expires_at;
	l->revoked = r->revoked;
}

void
verdict_store_input(struct verdict_input *in, struct verdict_license *lic,
    const struct store_lookup *lk)
{
	in->state_time = lk->has_applied ? lk->applied_time : 0;
	device_from_row(&in->device, &lk->device);
	firmware_from_row(&in->firmware, &lk->firmware);
	license_from_row(lic, &lk->license);
	in->licenses = lk->nlicenses > 0 ? lic : NULL;
	in->nlicenses = lk->nlicenses;
}
