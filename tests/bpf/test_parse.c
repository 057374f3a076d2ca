// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Packet fixtures through BPF_PROG_TEST_RUN on the real program: each parse and malformed
 * case, a frame in, the expected verdict, reason and parse facts out, on both entry points
 * (the XDP entry as inbound, the tc entry as outbound), then the counters.
 */
#include <errno.h>
#include <unistd.h>
#include <netinet/in.h>

#include "check.h"
#include "frames.h"
#include "capture.h"
#include "config.h"
#include "dataplane.h"
#include "reasons.h"
#include "replay.h"

#define ETH_IP 0x0800
#define ETH_IP6 0x86dd
#define TCP_SYN 0x02
#define TCP_ACK 0x10

struct fixture {
	const char *name;
	void (*build)(struct fb *f);
	int cap_len; /* 0: the whole frame; else what the capture holds */
	int wire_extra; /* wire_len = cap_len + wire_extra */
	int reason;
	int l3;
	int l4;
	int pflags; /* bits that must be set (RP_PF_MALFORMED is derived from reason) */
	int vlans;
};

static void b_ip4_tcp(struct fb *f) { fb_eth(f, ETH_IP); fb_ip4(f, IPPROTO_TCP, 5, 0x4000); fb_tcp(f, 5, TCP_SYN); fb_fix(f); }
static void b_ip4_udp(struct fb *f) { fb_eth(f, ETH_IP); fb_ip4(f, IPPROTO_UDP, 5, 0); fb_udp(f, 30); fb_fix(f); }
static void b_ip4_icmp(struct fb *f) { fb_eth(f, ETH_IP); fb_ip4(f, IPPROTO_ICMP, 5, 0); f->b[f->n] = 8; fb_bytes(f, 16); fb_fix(f); }
static void b_ip4_opts(struct fb *f) { fb_eth(f, ETH_IP); fb_ip4(f, IPPROTO_TCP, 15, 0); fb_tcp(f, 15, TCP_ACK); fb_fix(f); }
static void b_ip4_gre(struct fb *f) { fb_eth(f, ETH_IP); fb_ip4(f, 47, 5, 0); fb_bytes(f, 24); fb_fix(f); }
static void b_vlan1(struct fb *f) { fb_eth(f, 0x8100); fb_tag(f, 100, ETH_IP); fb_ip4(f, IPPROTO_TCP, 5, 0); fb_tcp(f, 8, TCP_SYN); fb_fix(f); }
static void b_qinq(struct fb *f) { fb_eth(f, 0x88a8); fb_tag(f, 10, 0x8100); fb_tag(f, 100, ETH_IP6); fb_ip6(f, IPPROTO_UDP); fb_udp(f, 12); fb_fix(f); }
static void b_qinq_9100(struct fb *f) { fb_eth(f, 0x9100); fb_tag(f, 10, 0x8100); fb_tag(f, 100, ETH_IP); fb_ip4(f, IPPROTO_UDP, 5, 0); fb_udp(f, 12); fb_fix(f); }
static void b_vlan3(struct fb *f) { fb_eth(f, 0x88a8); fb_tag(f, 10, 0x8100); fb_tag(f, 20, 0x8100); fb_tag(f, 30, ETH_IP); fb_ip4(f, IPPROTO_UDP, 5, 0); fb_udp(f, 12); fb_fix(f); }
static void b_vlan_cut(struct fb *f) { fb_eth(f, 0x8100); f->b[14] = 0; fb_bytes(f, 2); }
static void b_eth_cut(struct fb *f) { fb_eth(f, ETH_IP); f->n = 10; }
static void b_arp(struct fb *f) { fb_eth(f, 0x0806); fb_bytes(f, 28); }
static void b_ip4_cut(struct fb *f) { fb_eth(f, ETH_IP); f->b[14] = 0x45; fb_bytes(f, 10); }
static void b_ip4_opts_cut(struct fb *f) { fb_eth(f, ETH_IP); fb_ip4(f, IPPROTO_TCP, 5, 0); f->b[f->l3] = 0x4f; }
static void b_ip4_ver(struct fb *f) { b_ip4_tcp(f); f->b[f->l3] = 0x55; }
static void b_ip4_ihl(struct fb *f) { b_ip4_tcp(f); f->b[f->l3] = 0x44; }
static void b_ip4_len_small(struct fb *f) { b_ip4_tcp(f); fb_u16(f, f->l3 + 2, 12); }
static void b_ip4_len_big(struct fb *f) { b_ip4_tcp(f); fb_u16(f, f->l3 + 2, 1400); }
static void b_ip4_frag1(struct fb *f) { fb_eth(f, ETH_IP); fb_ip4(f, IPPROTO_UDP, 5, 0x2000); fb_udp(f, 1472); fb_fix(f); fb_u16(f, f->l4 + 4, 3000); }
static void b_ip4_frag2(struct fb *f) { fb_eth(f, ETH_IP); fb_ip4(f, IPPROTO_UDP, 5, 0x2000 | (1480 / 8)); fb_bytes(f, 1480); fb_fix(f); }
static void b_ip4_frag_bad(struct fb *f) { fb_eth(f, ETH_IP); fb_ip4(f, IPPROTO_UDP, 5, 0x1fff); fb_bytes(f, 100); fb_fix(f); }
static void b_tcp_short(struct fb *f) { b_ip4_tcp(f); fb_u16(f, f->l3 + 2, 20 + 10); }
static void b_tcp_doff_small(struct fb *f) { b_ip4_tcp(f); f->b[f->l4 + 12] = 4 << 4; }
static void b_tcp_doff_big(struct fb *f) { b_ip4_tcp(f); f->b[f->l4 + 12] = 15 << 4; }
static void b_udp_len_small(struct fb *f) { b_ip4_udp(f); fb_u16(f, f->l4 + 4, 4); }
static void b_udp_len_big(struct fb *f) { b_ip4_udp(f); fb_u16(f, f->l4 + 4, 200); }
static void b_icmp_short(struct fb *f) { b_ip4_icmp(f); fb_u16(f, f->l3 + 2, 22); }
static void b_ip6_tcp(struct fb *f) { fb_eth(f, ETH_IP6); fb_ip6(f, IPPROTO_TCP); fb_tcp(f, 10, TCP_SYN); fb_fix(f); }
static void b_ip6_icmp(struct fb *f) { fb_eth(f, ETH_IP6); fb_ip6(f, IPPROTO_ICMPV6); f->b[f->n] = 128; fb_bytes(f, 16); fb_fix(f); }
static void b_ip6_ext(struct fb *f) { fb_eth(f, ETH_IP6); fb_ip6(f, 0); fb_ext(f, 60, 0); fb_ext(f, 43, 2); fb_ext(f, IPPROTO_TCP, 1); fb_tcp(f, 5, TCP_ACK); fb_fix(f); }
static void b_ip6_ah(struct fb *f) { fb_eth(f, ETH_IP6); fb_ip6(f, 51); f->b[f->n] = IPPROTO_TCP; f->b[f->n + 1] = 4; fb_bytes(f, 24); f->l4 = f->n; fb_tcp(f, 5, TCP_ACK); fb_fix(f); }
static void b_ip6_frag1(struct fb *f) { fb_eth(f, ETH_IP6); fb_ip6(f, 44); fb_frag6(f, IPPROTO_UDP, 0, 1); fb_udp(f, 1200); fb_fix(f); fb_u16(f, f->l4 + 4, 3000); }
static void b_ip6_frag2(struct fb *f) { fb_eth(f, ETH_IP6); fb_ip6(f, 0); fb_ext(f, 44, 0); fb_frag6(f, IPPROTO_UDP, 1208, 1); fb_bytes(f, 1200); fb_fix(f); }
static void b_ip6_frag_bad(struct fb *f) { fb_eth(f, ETH_IP6); fb_ip6(f, 44); fb_frag6(f, IPPROTO_UDP, 65528, 0); fb_bytes(f, 100); fb_fix(f); }
static void b_ip6_deep(struct fb *f) { fb_eth(f, ETH_IP6); fb_ip6(f, 60); for (int i = 0; i < 7; i++) fb_ext(f, i < 6 ? 60 : IPPROTO_TCP, 0); fb_tcp(f, 5, TCP_ACK); fb_fix(f); }
static void b_ip6_ext_cut(struct fb *f) { fb_eth(f, ETH_IP6); fb_ip6(f, 60); fb_ext(f, IPPROTO_TCP, 0); fb_tcp(f, 5, TCP_ACK); fb_fix(f); f->b[f->l3 + 41] = 40; }
static void b_ip6_ver(struct fb *f) { b_ip6_tcp(f); f->b[f->l3] = 0x40; }
static void b_ip6_cut(struct fb *f) { fb_eth(f, ETH_IP6); f->b[14] = 0x60; fb_bytes(f, 30); }
static void b_ip6_len_big(struct fb *f) { b_ip6_tcp(f); fb_u16(f, f->l3 + 4, 1000); }
static void b_ip6_jumbo(struct fb *f) { fb_eth(f, ETH_IP6); fb_ip6(f, 0); fb_ext(f, IPPROTO_UDP, 0); fb_udp(f, 8); fb_u16(f, f->l3 + 4, 0); }
static void b_ip6_nonext(struct fb *f) { fb_eth(f, ETH_IP6); fb_ip6(f, 59); fb_fix(f); }
static void b_udp_short(struct fb *f) { b_ip4_udp(f); fb_u16(f, f->l3 + 2, 20 + 6); }
static void b_ip6_ext_short(struct fb *f) { b_ip6_ext_cut(f); fb_u16(f, f->l3 + 4, 1); }
static void b_ip6_frag_short(struct fb *f) { b_ip6_frag1(f); fb_u16(f, f->l3 + 4, 4); }
static void b_jumbo_frame(struct fb *f) { fb_eth(f, ETH_IP); fb_ip4(f, IPPROTO_UDP, 5, 0); fb_udp(f, 8972); fb_fix(f); }

static const struct fixture fixtures[] = {
	{ "ipv4 tcp", b_ip4_tcp, 0, 0, RP_R_ok, 4, 6, RP_PF_L4_SEEN, 0 },
	{ "ipv4 udp", b_ip4_udp, 0, 0, RP_R_ok, 4, 17, RP_PF_L4_SEEN, 0 },
	{ "ipv4 icmp", b_ip4_icmp, 0, 0, RP_R_ok, 4, 1, RP_PF_L4_SEEN, 0 },
	{ "ipv4 options (ihl 15)", b_ip4_opts, 0, 0, RP_R_ok, 4, 6, RP_PF_IP4_OPTS | RP_PF_L4_SEEN, 0 },
	{ "ipv4 other protocol (gre)", b_ip4_gre, 0, 0, RP_R_ok, 4, 47, 0, 0 },
	{ "802.1Q ipv4 tcp", b_vlan1, 0, 0, RP_R_ok, 4, 6, RP_PF_L4_SEEN, 1 },
	{ "802.1ad+802.1Q ipv6 udp", b_qinq, 0, 0, RP_R_ok, 6, 17, RP_PF_L4_SEEN, 2 },
	{ "0x9100+802.1Q ipv4 udp", b_qinq_9100, 0, 0, RP_R_ok, 4, 17, RP_PF_L4_SEEN, 2 },
	{ "three vlan tags", b_vlan3, 0, 0, RP_R_vlan_too_deep, 0, 0, 0, 2 },
	{ "vlan tag cut", b_vlan_cut, 0, 0, RP_R_vlan_truncated, 0, 0, 0, 0 },
	{ "10-byte frame", b_eth_cut, 0, 0, RP_R_eth_truncated, 0, 0, 0, 0 },
	{ "10 bytes captured of 60", b_eth_cut, 0, 50, RP_R_snap_cut, 0, 0, 0, 0 },
	{ "arp", b_arp, 0, 0, RP_R_not_ip, 0, 0, 0, 0 },
	{ "ipv4 header cut", b_ip4_cut, 0, 0, RP_R_ip4_truncated, 4, 0, 0, 0 },
	{ "ipv4 options cut", b_ip4_opts_cut, 0, 0, RP_R_ip4_truncated, 4, 6, 0, 0 },
	{ "ipv4 version 5", b_ip4_ver, 0, 0, RP_R_ip4_bad_version, 4, 0, 0, 0 },
	{ "ipv4 ihl 4", b_ip4_ihl, 0, 0, RP_R_ip4_bad_ihl, 4, 6, 0, 0 },
	{ "ipv4 total length < header", b_ip4_len_small, 0, 0, RP_R_ip4_bad_len, 4, 6, 0, 0 },
	{ "ipv4 total length > frame", b_ip4_len_big, 0, 0, RP_R_ip4_len_exceeds, 4, 6, 0, 0 },
	{ "ipv4 total length > captured, <= wire", b_ip4_len_big, 0, 1400, RP_R_ok, 4, 6, RP_PF_L4_SEEN, 0 },
	{ "ipv4 first fragment", b_ip4_frag1, 0, 0, RP_R_ok, 4, 17, RP_PF_FRAG_FIRST | RP_PF_L4_SEEN, 0 },
	{ "ipv4 later fragment", b_ip4_frag2, 0, 0, RP_R_ok, 4, 17, RP_PF_FRAG_LATER, 0 },
	{ "ipv4 fragment past 64k", b_ip4_frag_bad, 0, 0, RP_R_ip4_bad_frag, 4, 17, RP_PF_FRAG_LATER, 0 },
	{ "tcp header beyond ip length", b_tcp_short, 0, 0, RP_R_tcp_truncated, 4, 6, 0, 0 },
	{ "tcp data offset 4", b_tcp_doff_small, 0, 0, RP_R_tcp_bad_doff, 4, 6, 0, 0 },
	{ "tcp data offset past packet", b_tcp_doff_big, 0, 0, RP_R_tcp_bad_doff, 4, 6, 0, 0 },
	{ "tcp cut by snap length", b_ip4_tcp, 14 + 20 + 6, 14, RP_R_snap_cut, 4, 6, 0, 0 },
	/* Past the IP length is malformed, wherever the capture or the buffer ends. */
	{ "tcp beyond ip length, cut by snap length", b_tcp_short, 14 + 20 + 6, 14, RP_R_tcp_truncated, 4, 6, 0, 0 },
	{ "udp beyond ip length, cut by snap length", b_udp_short, 14 + 20 + 4, 30, RP_R_udp_truncated, 4, 17, 0, 0 },
	{ "ipv6 extension beyond payload, cut by snap length", b_ip6_ext_short, 14 + 40, 20, RP_R_ip6_ext_truncated, 6, 60, 0, 0 },
	{ "ipv6 fragment header beyond payload, cut by snap length", b_ip6_frag_short, 14 + 40 + 4, 20, RP_R_ip6_ext_truncated, 6, 44, 0, 0 },
	{ "udp length 4", b_udp_len_small, 0, 0, RP_R_udp_bad_len, 4, 17, 0, 0 },
	{ "udp length past packet", b_udp_len_big, 0, 0, RP_R_udp_bad_len, 4, 17, 0, 0 },
	{ "icmp header beyond ip length", b_icmp_short, 0, 0, RP_R_icmp_truncated, 4, 1, 0, 0 },
	{ "ipv6 tcp", b_ip6_tcp, 0, 0, RP_R_ok, 6, 6, RP_PF_L4_SEEN, 0 },
	{ "ipv6 icmp6", b_ip6_icmp, 0, 0, RP_R_ok, 6, 58, RP_PF_L4_SEEN, 0 },
	{ "ipv6 hop-by-hop, dst, routing, tcp", b_ip6_ext, 0, 0, RP_R_ok, 6, 6, RP_PF_IP6_EXT | RP_PF_L4_SEEN, 0 },
	{ "ipv6 AH, tcp", b_ip6_ah, 0, 0, RP_R_ok, 6, 6, RP_PF_IP6_EXT | RP_PF_L4_SEEN, 0 },
	{ "ipv6 first fragment", b_ip6_frag1, 0, 0, RP_R_ok, 6, 17, RP_PF_FRAG_FIRST | RP_PF_IP6_EXT | RP_PF_L4_SEEN, 0 },
	{ "ipv6 hop-by-hop, later fragment", b_ip6_frag2, 0, 0, RP_R_ok, 6, 17, RP_PF_FRAG_LATER | RP_PF_IP6_EXT, 0 },
	{ "ipv6 fragment past 64k", b_ip6_frag_bad, 0, 0, RP_R_ip6_bad_frag, 6, 17, RP_PF_FRAG_LATER, 0 },
	{ "ipv6 seven extension headers", b_ip6_deep, 0, 0, RP_R_ip6_ext_too_deep, 6, 60, RP_PF_IP6_EXT, 0 },
	{ "ipv6 extension past payload", b_ip6_ext_cut, 0, 0, RP_R_ip6_ext_truncated, 6, 60, 0, 0 },
	{ "ipv6 version 4", b_ip6_ver, 0, 0, RP_R_ip6_bad_version, 6, 0, 0, 0 },
	{ "ipv6 header cut", b_ip6_cut, 0, 0, RP_R_ip6_truncated, 6, 0, 0, 0 },
	{ "ipv6 payload length > frame", b_ip6_len_big, 0, 0, RP_R_ip6_len_exceeds, 6, 6, 0, 0 },
	{ "ipv6 jumbogram", b_ip6_jumbo, 0, 0, RP_R_ip6_jumbo, 6, 0, 0, 0 },
	{ "ipv6 no next header", b_ip6_nonext, 0, 0, RP_R_ok, 6, 59, 0, 0 },
	{ "9014-byte frame (xdp.frags)", b_jumbo_frame, 0, 0, RP_R_ok, 4, 17, RP_PF_L4_SEEN, 0 },
};

#define N_FIX (sizeof(fixtures) / sizeof(fixtures[0]))

static int is_malformed(int reason)
{
	return reason != RP_R_ok && reason != RP_R_not_ip && reason != RP_R_snap_cut;
}

/* Run a fixture through one entry point. */
static int run(struct rp_dp *dp, const struct fixture *fx, int dir, union rp_record *rec)
{
	static uint8_t buf[RP_CAP_BUF_SIZE];
	struct fb f;
	uint32_t len;

	fx->build(&f);
	len = fx->cap_len ? (uint32_t)fx->cap_len : f.n;
	memset(buf, 0, sizeof(buf));
	memcpy(buf + RP_CAP_HEADROOM, f.b, len);
	memset(rec, 0, sizeof(*rec));
	rp_rec_set_time(&rec->in, 1774173600ull * 1000000000ull);
	rec->in.cap_len = len;
	rec->in.wire_len = len + fx->wire_extra;
	rec->in.dir = dir;
	return rp_run_frame(dp, buf, len, rec);
}

static struct rp_dp dp;
static int loaded;

static int load(uint8_t malformed)
{
	struct rp_config cfg;

	if (loaded)
		rp_dp_close(&dp);
	loaded = 0;
	if (geteuid() != 0)
		return -EPERM;
	if (rp_dp_open(&dp, RP_DP_REPLAY))
		return -1;
	rp_config_defaults(&cfg);
	cfg.malformed_verdict = malformed;
	if (rp_dp_apply_config(&dp, &cfg))
		return -1;
	loaded = 1;
	return 0;
}

static void check_fixtures(uint8_t malformed_verdict)
{
	for (size_t i = 0; i < N_FIX; i++) {
		const struct fixture *fx = &fixtures[i];

		for (int dir = RP_DIR_IN; dir <= RP_DIR_OUT; dir++) {
			union rp_record rec;
			const char *entry = dir == RP_DIR_IN ? "xdp" : "tc";
			int want_v = is_malformed(fx->reason) ? malformed_verdict : RP_V_PASS;
			int want_pf = fx->pflags | (is_malformed(fx->reason) ? RP_PF_MALFORMED : 0);

			if (!CHECK(run(&dp, fx, dir, &rec) == 0, "%s/%s: test run failed", fx->name, entry))
				continue;
			CHECK(rec.out.reason == fx->reason, "%s/%s: reason %s, want %s", fx->name, entry,
			      rp_reason_name(rec.out.reason), rp_reason_name(fx->reason));
			CHECK(rec.out.verdict == want_v, "%s/%s: verdict %s, want %s", fx->name, entry,
			      rp_verdict_name(rec.out.verdict), rp_verdict_name(want_v));
			CHECK(rec.out.dir == dir, "%s/%s: dir %d", fx->name, entry, rec.out.dir);
			CHECK(rec.out.l3 == fx->l3, "%s/%s: l3 %d, want %d", fx->name, entry, rec.out.l3, fx->l3);
			CHECK(rec.out.l4 == fx->l4, "%s/%s: l4 %d, want %d", fx->name, entry, rec.out.l4, fx->l4);
			CHECK((rec.out.pflags & want_pf) == want_pf && !(rec.out.pflags & RP_PF_MALFORMED) == !(want_pf & RP_PF_MALFORMED),
			      "%s/%s: pflags 0x%x, want 0x%x set", fx->name, entry, rec.out.pflags, want_pf);
			CHECK(rec.out.vlans == fx->vlans, "%s/%s: vlans %d, want %d", fx->name, entry, rec.out.vlans, fx->vlans);
		}
	}
}

static void test_fixtures_malformed_drop(void)
{
	if (load(RP_V_DROP))
		SKIP("needs root and BPF (BPF_PROG_TEST_RUN)");
	check_fixtures(RP_V_DROP);
}

static void test_fixtures_malformed_pass(void)
{
	if (load(RP_V_PASS))
		SKIP("needs root and BPF (BPF_PROG_TEST_RUN)");
	check_fixtures(RP_V_PASS);
}

/* Every frame is counted once under its reason, verdict, direction and protocol. */
static void test_counters(void)
{
	struct rp_svc_counters c;
	uint64_t want_reason[RP_REASON_MAX] = {}, want_bytes = 0, want_drop = 0;

	if (load(RP_V_DROP))
		SKIP("needs root and BPF (BPF_PROG_TEST_RUN)");
	for (size_t i = 0; i < N_FIX; i++) {
		union rp_record rec;
		struct fb f;

		fixtures[i].build(&f);
		for (int dir = RP_DIR_IN; dir <= RP_DIR_OUT; dir++)
			CHECK(run(&dp, &fixtures[i], dir, &rec) == 0, "run %s", fixtures[i].name);
		want_reason[fixtures[i].reason] += 2;
		want_bytes += 2 * ((fixtures[i].cap_len ? (uint64_t)fixtures[i].cap_len : f.n) +
				   fixtures[i].wire_extra);
		want_drop += is_malformed(fixtures[i].reason) ? 2 : 0;
	}
	if (!CHECK(rp_dp_read_counters(&dp, 0, &c) == 0, "read counters"))
		return;
	for (int r = 0; r < RP_REASON_MAX; r++)
		CHECK(c.reason[r].packets == want_reason[r], "reason %s: %llu packets, want %llu",
		      rp_reason_name(r), (unsigned long long)c.reason[r].packets,
		      (unsigned long long)want_reason[r]);
	CHECK_EQ(c.dir[RP_DIR_IN].packets, N_FIX);
	CHECK_EQ(c.dir[RP_DIR_OUT].packets, N_FIX);
	CHECK_EQ(c.verdict[RP_V_DROP].packets, want_drop);
	CHECK_EQ(c.verdict[RP_V_PASS].packets + c.verdict[RP_V_DROP].packets, 2 * N_FIX);
	CHECK_EQ(c.dir[RP_DIR_IN].bytes + c.dir[RP_DIR_OUT].bytes, want_bytes);
	CHECK_EQ(c.proto[RP_PB_FRAG_LATER].packets, 2 * 4);
}

/* The verifier's processed-instruction count, printed so complexity creep shows in logs. */
static void test_verifier_complexity(void)
{
	long x, t;

	if (load(RP_V_DROP))
		SKIP("needs root and BPF");
	x = rp_dp_verified_insns(dp.xdp_fd);
	t = rp_dp_verified_insns(dp.tc_fd);
	fprintf(stderr, "verified instructions: rp_xdp %ld, rp_tc_egress %ld (replay build)\n", x, t);
	CHECK(x > 0 && t > 0, "verified_insns unavailable: %ld %ld", x, t);
}

RP_TESTS(RP_T(test_fixtures_malformed_drop), RP_T(test_fixtures_malformed_pass), RP_T(test_counters),
	 RP_T(test_verifier_complexity))
