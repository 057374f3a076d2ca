// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "reasons.h"

struct rp_reason_info {
	const char *name;
	const char *summary;
};

/* Generated from the one list in reasons.h. */
static const struct rp_reason_info rp_reason_table[RP_REASON_MAX] = {
#define RP_REASON_ROW(n, code, s) [code] = { #n, s },
	RP_REASONS(RP_REASON_ROW)
#undef RP_REASON_ROW
};

const char *rp_reason_name(unsigned int code)
{
	static char buf[16];

	if (code < RP_REASON_MAX && rp_reason_table[code].name)
		return rp_reason_table[code].name;
	snprintf(buf, sizeof(buf), "reason_0x%02x", code & 0xffff);
	return buf;
}

const char *rp_reason_summary(unsigned int code)
{
	if (code < RP_REASON_MAX && rp_reason_table[code].summary)
		return rp_reason_table[code].summary;
	return "unknown reason (newer data plane?)";
}

int rp_reason_by_name(const char *name)
{
	for (int i = 0; i < RP_REASON_MAX; i++)
		if (rp_reason_table[i].name && !strcmp(rp_reason_table[i].name, name))
			return i;
	return -1;
}

const char *rp_verdict_name(unsigned int v)
{
	static const char *const n[RP_V_MAX] = { "pass", "drop", "tx", "aborted" };

	return v < RP_V_MAX ? n[v] : "invalid";
}

const char *rp_dir_name(unsigned int d)
{
	static const char *const n[RP_DIR_MAX] = { "unknown", "in", "out" };

	return d < RP_DIR_MAX ? n[d] : "invalid";
}

const char *rp_dir_src_name(unsigned int s)
{
	static const char *const n[] = { "hook", "capture", "mac", "address" };

	return s < sizeof(n) / sizeof(n[0]) ? n[s] : "invalid";
}

const char *rp_proto_bucket_name(unsigned int pb)
{
	static const char *const n[RP_PB_MAX] = {
		[RP_PB_NOT_IP] = "not_ip", [RP_PB_IPV4] = "ipv4",     [RP_PB_IPV6] = "ipv6",
		[RP_PB_TCP] = "tcp",	   [RP_PB_UDP] = "udp",	      [RP_PB_ICMP] = "icmp",
		[RP_PB_ICMP6] = "icmp6",   [RP_PB_OTHER_L4] = "other_l4",
		[RP_PB_FRAG_LATER] = "frag_later",
	};

	return pb < RP_PB_MAX && n[pb] ? n[pb] : "invalid";
}

const char *rp_l4_name(unsigned int l4, char *buf, unsigned int len)
{
	switch (l4) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 1:
		return "icmp";
	case 58:
		return "icmp6";
	default:
		snprintf(buf, len, "%u", l4);
		return buf;
	}
}

int rp_cmd_reasons(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		printf("usage: rempart reasons\n\nList every reason code: number, name, meaning.\n");
		return 0;
	}
	for (int i = 0; i < RP_REASON_MAX; i++)
		if (rp_reason_table[i].name)
			printf("0x%02x  %-18s %s\n", i, rp_reason_table[i].name,
			       rp_reason_table[i].summary);
	return 0;
}
