/* check_verdict.c: every verdict and every boundary, one table row each. */
#include "config.h"

#include <string.h>

#include "testutil.h"
#include "verdict.h"

#define T0 1700000000ULL	/* "now" in most rows */

/* A license in a row: vendor 'A' or 'B', role, max version, not before,
 * expires at, revoked.  vendor 0 means no license in that slot. */
struct lic_row {
	char vendor;
	uint8_t role;
	uint64_t maxv, nb, exp;
	int revoked;
};

struct row {
	const char *name;
	uint64_t now, state_time;
	int dev_known, dev_revoked;
	uint8_t dev_role;
	int fw_known, fw_revoked;
	uint8_t fw_role;
	uint64_t fw_version, floor;
	struct lic_row lic[2];
	enum verdict want;
	int want_license;	/* index of the license the verdict rests on, -1 none */
	uint64_t eos;		/* the firmware's end of support, 0 none */
	int vendor_removed;
};

/* Firmware is vendor A's, role 1, unless a row says otherwise. */
static const struct row rows[] = {
	{ "valid", T0, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, T0 - 100, T0 + 100, 0 } }, VERDICT_VALID, 0, 0, 0 },
	{ "valid without end", T0, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_VALID, 0, 0, 0 },
	{ "stale one second past max", T0 + 3601, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_STALE, -1, 0, 0 },
	{ "not stale at exactly max", T0 + 3600, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_VALID, 0, 0, 0 },
	{ "stale beats unknown device", T0 + 4000, T0, 0, 0, 0, 0, 0, 1, 5, 0,
	    { { 0 } }, VERDICT_STALE, -1, 0, 0 },
	{ "device unknown", T0, T0, 0, 0, 0, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_DEVICE_UNKNOWN, -1, 0, 0 },
	{ "device revoked", T0, T0, 1, 1, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_DEVICE_REVOKED, -1, 0, 0 },
	{ "firmware unknown", T0, T0, 1, 0, 1, 0, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_FIRMWARE_UNKNOWN, -1, 0, 0 },
	{ "firmware revoked", T0, T0, 1, 0, 1, 1, 1, 1, 5, 0,
	    { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_FIRMWARE_REVOKED, -1, 0, 0 },
	{ "role mismatch", T0, T0, 1, 0, 2, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_ROLE_MISMATCH, -1, 0, 0 },
	{ "below floor by one", T0, T0, 1, 0, 1, 1, 0, 1, 5, 6,
	    { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_BELOW_FLOOR, -1, 0, 0 },
	{ "floor equal is allowed", T0, T0, 1, 0, 1, 1, 0, 1, 5, 5,
	    { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_VALID, 0, 0, 0 },
	{ "max version equal is allowed", T0, T0, 1, 0, 1, 1, 0, 1, 10, 0,
	    { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_VALID, 0, 0, 0 },
	{ "version one above max", T0, T0, 1, 0, 1, 1, 0, 1, 11, 0,
	    { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_NO_LICENSE, -1, 0, 0 },
	{ "no licenses at all", T0, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 0 } }, VERDICT_NO_LICENSE, -1, 0, 0 },
	{ "license of another vendor", T0, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'B', 1, 10, 0, 0, 0 } }, VERDICT_NO_LICENSE, -1, 0, 0 },
	{ "license for another role", T0, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 2, 10, 0, 0, 0 } }, VERDICT_NO_LICENSE, -1, 0, 0 },
	{ "expired at the expiry second", T0, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, T0, 0 } }, VERDICT_LICENSE_EXPIRED, 0, 0, 0 },
	{ "valid one second before expiry", T0, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, T0 + 1, 0 } }, VERDICT_VALID, 0, 0, 0 },
	{ "valid from the not-before second", T0, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, T0, 0, 0 } }, VERDICT_VALID, 0, 0, 0 },
	{ "not yet started", T0, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, T0 + 1, 0, 0 } }, VERDICT_NO_LICENSE, -1, 0, 0 },
	{ "license revoked", T0, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, 0, 1 } }, VERDICT_LICENSE_REVOKED, 0, 0, 0 },
	{ "expired beats revoked as the reason", T0, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, 0, 1 }, { 'A', 1, 10, 0, T0 - 1, 0 } },
	    VERDICT_LICENSE_EXPIRED, 1, 0, 0 },
	{ "a valid license among bad ones", T0, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, 0, 1 }, { 'A', 1, 10, 0, T0 + 5, 0 } },
	    VERDICT_VALID, 1, 0, 0 },
	{ "longest-lasting valid license wins", T0, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, T0 + 5, 0 }, { 'A', 1, 10, 0, 0, 0 } },
	    VERDICT_VALID, 1, 0, 0 },
	{ "valid one second before end of support", T0, T0, 1, 0, 1, 1, 0, 1,
	    5, 0, { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_VALID, 0, T0 + 1, 0 },
	{ "end of support at its second", T0, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_END_OF_SUPPORT, -1, T0, 0 },
	{ "end of support after it", T0, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_END_OF_SUPPORT, -1, T0 - 1, 0 },
	{ "end of support beats role mismatch and no license", T0, T0, 1, 0,
	    2, 1, 0, 1, 5, 0, { { 0 } }, VERDICT_END_OF_SUPPORT, -1, T0, 0 },
	{ "stale beats end of support", T0 + 3601, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_STALE, -1, T0, 0 },
	{ "vendor removed", T0, T0, 1, 0, 1, 1, 0, 1, 5, 0,
	    { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_VENDOR_REMOVED, -1, 0, 1 },
	{ "vendor removed beats end of support", T0, T0, 1, 0, 1, 1, 0, 1, 5,
	    0, { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_VENDOR_REMOVED, -1, T0, 1 },
	{ "firmware revoked beats vendor removed", T0, T0, 1, 0, 1, 1, 1, 1, 5,
	    0, { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_FIRMWARE_REVOKED, -1, 0, 1 },
	{ "device revoked beats vendor removed", T0, T0, 1, 1, 1, 1, 0, 1, 5,
	    0, { { 'A', 1, 10, 0, 0, 0 } }, VERDICT_DEVICE_REVOKED, -1, 0, 1 },
};

static void
fill_vendor(uint8_t out[20], char v)
{
	memset(out, v, 20);
}

static void
build_input(struct verdict_input *in, struct verdict_license lic[2],
    const struct row *r)
{
	size_t i;

	memset(in, 0, sizeof(*in));
	in->now = r->now;
	in->state_time = r->state_time;
	in->max_staleness = 3600;
	in->device.known = r->dev_known;
	in->device.revoked = r->dev_revoked;
	in->device.role = r->dev_role;
	in->firmware.known = r->fw_known;
	in->firmware.revoked = r->fw_revoked;
	in->firmware.role = r->fw_role;
	in->firmware.version = r->fw_version;
	in->firmware.floor = r->floor;
	in->firmware.end_of_support = r->eos;
	in->firmware.vendor_removed = r->vendor_removed;
	fill_vendor(in->firmware.vendor, 'A');
	for (i = 0; i < 2 && r->lic[i].vendor; i++) {
		memset(&lic[i], 0, sizeof(lic[i]));
		lic[i].id = i + 1;
		fill_vendor(lic[i].vendor, r->lic[i].vendor);
		lic[i].role = r->lic[i].role;
		lic[i].max_version = r->lic[i].maxv;
		lic[i].not_before = r->lic[i].nb;
		lic[i].expires_at = r->lic[i].exp;
		lic[i].revoked = r->lic[i].revoked;
	}
	in->licenses = lic;
	in->nlicenses = i;
}

START_TEST(verdict_table)
{
	const struct row *r = &rows[_i];
	struct verdict_license lic[2];
	struct verdict_input in;
	struct verdict_result res;

	build_input(&in, lic, r);
	verdict_decide(&res, &in);
	ck_assert_msg(res.verdict == r->want, "%s: got %s, want %s", r->name,
	    verdict_name(res.verdict), verdict_name(r->want));
	if (r->want_license < 0)
		ck_assert_msg(res.license == NULL, "%s: names a license", r->name);
	else
		ck_assert_msg(res.license == &lic[r->want_license],
		    "%s: rests on the wrong license", r->name);
}
END_TEST

/* Every verdict is reached by some row, and names round-trip. */
START_TEST(verdict_all_reached)
{
	int seen[VERDICT_COUNT] = { 0 };
	size_t i;
	enum verdict v;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		seen[rows[i].want] = 1;
	for (i = 0; i < VERDICT_COUNT; i++) {
		ck_assert_msg(seen[i], "no row reaches %s", verdict_name(i));
		ck_assert(verdict_from_name(&v, verdict_name(i)));
		ck_assert_int_eq(v, (int)i);
	}
	ck_assert(!verdict_from_name(&v, "maybe"));
	ck_assert_ptr_null(verdict_name(VERDICT_COUNT));
}
END_TEST

static Suite *
verdict_suite(void)
{
	Suite *s = suite_create("verdict");
	TCase *tc = tcase_create("verdict");

	tcase_add_loop_test(tc, verdict_table, 0, sizeof(rows) / sizeof(rows[0]));
	tcase_add_test(tc, verdict_all_reached);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(verdict_suite());
}
