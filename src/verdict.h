/* verdict.h: the one decision licgate sells: may this device install or run
 * this firmware image now?  Pure logic over records the caller looked up. */
#ifndef LICGATE_VERDICT_H
#define LICGATE_VERDICT_H

#include <stddef.h>
#include <stdint.h>

/* The verdicts licgate-token(7) lists.  Values are stable: they travel in
 * attestations. */
enum verdict {
	VERDICT_VALID = 0,
	VERDICT_DEVICE_UNKNOWN = 1,
	VERDICT_DEVICE_REVOKED = 2,
	VERDICT_FIRMWARE_UNKNOWN = 3,
	VERDICT_FIRMWARE_REVOKED = 4,
	VERDICT_BELOW_FLOOR = 5,
	VERDICT_ROLE_MISMATCH = 6,
	VERDICT_NO_LICENSE = 7,
	VERDICT_LICENSE_EXPIRED = 8,
	VERDICT_LICENSE_REVOKED = 9,
	VERDICT_STALE = 10,
	VERDICT_END_OF_SUPPORT = 11,
	VERDICT_VENDOR_REMOVED = 12
};
#define VERDICT_COUNT 13

struct verdict_device {
	int known;
	int revoked;
	uint8_t role;
};

struct verdict_firmware {
	int known;
	int revoked;
	uint8_t vendor[20];
	uint8_t role;
	uint64_t version;
	uint64_t floor;		/* security floor of (vendor, role); 0 if none */
	uint64_t end_of_support;	/* unix seconds, exclusive; 0 = no end */
	int vendor_removed;	/* its vendor was removed from the registry */
};

struct verdict_license {
	uint64_t id;		/* registry license id */
	uint8_t vendor[20];
	uint8_t role;
	uint64_t max_version;
	uint64_t not_before;	/* unix seconds, inclusive */
	uint64_t expires_at;	/* unix seconds, exclusive; 0 = no end */
	int revoked;
};

struct verdict_input {
	uint64_t now;			/* gateway time, unix seconds */
	uint64_t state_time;		/* block time of the verified state */
	uint64_t max_staleness;		/* seconds; state older than this is stale */
	struct verdict_device device;
	struct verdict_firmware firmware;
	const struct verdict_license *licenses;	/* the device's licenses */
	size_t nlicenses;
};

struct verdict_result {
	enum verdict verdict;
	/* The license the verdict rests on (valid, or the expired/revoked one
	 * that explains a refusal), or NULL. Points into input->licenses. */
	const struct verdict_license *license;
};

/* Decides the verdict.  Rules, in order (the first that applies wins):
 * stale (now - state_time > max_staleness), device unknown, device revoked,
 * firmware unknown, firmware revoked, vendor removed (the firmware's vendor
 * is no longer a registry vendor), end of support (end_of_support != 0 and
 * now >= end_of_support), role mismatch (firmware role differs from the
 * device's), below floor (version < floor), then among licenses of
 * the firmware's vendor and role that cover the version (max_version >=
 * version): valid if one has started (not_before <= now), has not expired
 * (expires_at == 0 or now < expires_at) and is not revoked; otherwise
 * license-expired if one is unrevoked but expired, license-revoked if one is
 * revoked, else no-license. */
void verdict_decide(struct verdict_result *out, const struct verdict_input *in);

/* The verdict's stable name ("valid", "device-unknown", ...), or NULL. */
const char *verdict_name(enum verdict v);

/* Parses a name back; returns 1, or 0 for an unknown name. */
int verdict_from_name(enum verdict *out, const char *name)
    __attribute__((warn_unused_result));

#endif
