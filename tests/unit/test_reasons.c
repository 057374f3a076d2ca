// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The reason codes are a stable interface: names unique, in their area, pinned numbers. */
#include "check.h"
#include "reasons.h"

static void test_names_unique_and_round_trip(void)
{
	for (int i = 0; i < RP_REASON_MAX; i++) {
		const char *n = rp_reason_name(i);

		if (!strncmp(n, "reason_0x", 9))
			continue;
		CHECK_EQ(rp_reason_by_name(n), i);
	}
	CHECK_STR(rp_reason_name(0xfe), "reason_0xfe");
	CHECK_EQ(rp_reason_by_name("no_such_reason"), -1);
}

/* Numbers are never renumbered: pin the ones that outputs already carry. */
static void test_pinned_numbers(void)
{
	CHECK_EQ(RP_R_ok, 0x00);
	CHECK_EQ(RP_R_not_ip, 0x01);
	CHECK_EQ(RP_R_eth_truncated, 0x02);
	CHECK_EQ(RP_R_ip4_len_exceeds, 0x09);
	CHECK_EQ(RP_R_ip6_ext_too_deep, 0x0f);
	CHECK_EQ(RP_R_snap_cut, 0x16);
	CHECK_EQ(RP_R_ip6_bad_frag, 0x17);
	CHECK_EQ(RP_R_allowed, 0x40);
	CHECK_EQ(RP_R_deny, 0x42);
	CHECK_EQ(RP_R_frag_follow, 0x4c);
	CHECK_EQ(RP_R_src_rate, 0xa0);
	CHECK_EQ(RP_R_no_record, 0xff);
}

/* The list is written area by area in ascending order: a code out of place (a policy reason
 * in the parse area, a number given twice) breaks the order. */
static void test_codes_ascending_by_area(void)
{
	int prev = -1;

#define RP_AREA_CHECK(name, code, s)                                                    \
	CHECK((code) > prev, #name " (0x%02x) is not after the code before it", (code)); \
	prev = (code);
	RP_REASONS(RP_AREA_CHECK)
#undef RP_AREA_CHECK
	CHECK(RP_R_ip6_bad_frag < RP_REASON_AREA_POLICY, "a parse reason left the parse area");
	CHECK(RP_R_allowed >= RP_REASON_AREA_POLICY && RP_R_frag_follow < RP_REASON_AREA_GEO,
	      "a policy reason left the policy area");
	CHECK(RP_R_src_rate >= RP_REASON_AREA_RATE && RP_R_deny_heavy < RP_REASON_AREA_SYN,
	      "a rate reason left the rate area");
}

RP_TESTS(RP_T(test_names_unique_and_round_trip), RP_T(test_pinned_numbers),
	 RP_T(test_codes_ascending_by_area))
