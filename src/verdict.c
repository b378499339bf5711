/* verdict.c: the rules are in verdict.h; this file applies them in order. */
#include "config.h"

#include <string.h>

#include "verdict.h"

static const char *const verdict_names[VERDICT_COUNT] = {
	[VERDICT_VALID] = "valid",
	[VERDICT_DEVICE_UNKNOWN] = "device-unknown",
	[VERDICT_DEVICE_REVOKED] = "device-revoked",
	[VERDICT_FIRMWARE_UNKNOWN] = "firmware-unknown",
	[VERDICT_FIRMWARE_REVOKED] = "firmware-revoked",
	[VERDICT_BELOW_FLOOR] = "below-floor",
	[VERDICT_ROLE_MISMATCH] = "role-mismatch",
	[VERDICT_NO_LICENSE] = "no-license",
	[VERDICT_LICENSE_EXPIRED] = "license-expired",
	[VERDICT_LICENSE_REVOKED] = "license-revoked",
	[VERDICT_STALE] = "stale",
	[VERDICT_END_OF_SUPPORT] = "end-of-support",
	[VERDICT_VENDOR_REMOVED] = "vendor-removed",
};

const char *
verdict_name(enum verdict v)
{
	if ((unsigned)v >= VERDICT_COUNT)
		return NULL;
	return verdict_names[v];
}

int
verdict_from_name(enum verdict *out, const char *name)
{
	int i;

	for (i = 0; i < VERDICT_COUNT; i++)
		if (strcmp(verdict_names[i], name) == 0) {
			*out = (enum verdict)i;
			return 1;
		}
	*out = VERDICT_NO_LICENSE;
	return 0;
}

/* The checks before licenses, each a verdict when it fails. */
static int
verdict_precheck(enum verdict *v, const struct verdict_input *in)
{
	const struct verdict_firmware *fw = &in->firmware;

	if (in->now > in->state_time &&
	    in->now - in->state_time > in->max_staleness)
		*v = VERDICT_STALE;
	else if (!in->device.known)
		*v = VERDICT_DEVICE_UNKNOWN;
	else if (in->device.revoked)
		*v = VERDICT_DEVICE_REVOKED;
	else if (!fw->known)
		*v = VERDICT_FIRMWARE_UNKNOWN;
	else if (fw->revoked)
		*v = VERDICT_FIRMWARE_REVOKED;
	else if (fw->vendor_removed)
		*v = VERDICT_VENDOR_REMOVED;
	else if (fw->end_of_support != 0 && in->now >= fw->end_of_support)
		*v = VERDICT_END_OF_SUPPORT;
	else if (fw->role != in->device.role)
		*v = VERDICT_ROLE_MISMATCH;
	else if (fw->version < fw->floor)
		*v = VERDICT_BELOW_FLOOR;
	else
		return 0;
	return 1;
}

static int
license_covers(const struct verdict_license *l, const struct verdict_firmware *fw)
{
	return memcmp(l->vendor, fw->vendor, 20) == 0 && l->role == fw->role &&
	    l->max_version >= fw->version;
}

static int
license_expired(const struct verdict_license *l, uint64_t now)
{
	return l->expires_at != 0 && now >= l->expires_at;
}

/* Ranks a covering license: valid 3, expired 2, revoked 1, not started 0. */
static int
license_rank(const struct verdict_license *l, uint64_t now)
{
	if (l->revoked)
		return 1;
	if (license_expired(l, now))
		return 2;
	if (now < l->not_before)
		return 0;
	return 3;
}

void
verdict_decide(struct verdict_result *out, const struct verdict_input *in)
{
	static const enum verdict by_rank[] = { VERDICT_NO_LICENSE,
	    VERDICT_LICENSE_REVOKED, VERDICT_LICENSE_EXPIRED, VERDICT_VALID };
	const struct verdict_license *best = NULL, *l;
	int best_rank = -1, rank;
	size_t i;

	out->license = NULL;
	if (verdict_precheck(&out->verdict, in))
		return;
	for (i = 0; i < in->nlicenses; i++) {
		l = &in->licenses[i];
		if (!license_covers(l, &in->firmware))
			continue;
		rank = license_rank(l, in->now);
		/* Among valid licenses the one that lasts longest wins; the
		 * first of equals stays. */
		if (rank > best_rank || (rank == 3 && best_rank == 3 &&
		    best->expires_at != 0 && (l->expires_at == 0 ||
		    l->expires_at > best->expires_at))) {
			best = l;
			best_rank = rank;
		}
	}
	out->verdict = best_rank < 0 ? VERDICT_NO_LICENSE : by_rank[best_rank];
	out->license = best_rank > 0 ? best : NULL;
}
