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
	CHECK_EQ(RP_R_no_record, 0xff);
}

static void test_parse_reasons_in_their_area(void)
{
#define RP_AREA_CHECK(name, code, s)                                                    \
	CHECK((code) < RP_REASON_AREA_POLICY || (code) == 0xff, #name " outside the parse area");
	RP_REASONS(RP_AREA_CHECK)
#undef RP_AREA_CHECK
}

RP_TESTS(RP_T(test_names_unique_and_round_trip), RP_T(test_pinned_numbers),
	 RP_T(test_parse_reasons_in_their_area))
