// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Bench-only programs. Never loaded by the product.
 *
 * bench_xdp / bench_tc are the entries every measurement goes through: optionally rewrite
 * the frame's source with a full-period LCG (so each run is a new source), then tail-call
 * the program under test from bench_progs. If the tail call fails they return
 * XDP_ABORTED / TC_ACT_SHOT with bench_tail_failed set, and the bench refuses the figure.
 *
 * The floor (bench_floor_*) is rempart's own parser followed by a drop, with no map access.
 * bench_min_xdp is a minimal parser (Ethernet and IPv4 only) for the parser's own figure.
 * bench_geo_xdp is the floor plus the country lookup of the source (bpf/geo.h), over the
 * bench object's own copy of the geo tables (src/bench_geo.c).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "parse.h"
#include "geo.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_xdp_progs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_tc_progs SEC(".maps");

/* Recurring sources (bench_vary 5 and 7), cycled in order: drawn Zipf-like by the bench. */
#define BENCH_SRCS 16384
struct bench_src {
	__u32 a6[4]; /* network order */
	__u32 a4;
	__u32 a4_addr; /* bench_vary 9: another IPv4 set */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BENCH_SRCS);
	__type(key, __u32);
	__type(value, struct bench_src);
} bench_srcs SEC(".maps");

/* Set by the bench before each measurement. */
/* 0: fixed source; 4: vary IPv4 /32; 6: vary IPv6 /64 prefix; 5, 9 and 7: the next IPv4
 * (a4, a4_addr) or IPv6 source of bench_srcs; 8: vary the IPv6 /64 prefix within 2000::/3 */
__u32 bench_vary = 0;
__u32 bench_src_next = 0;
__u32 bench_src_off = 0; /* offset of the source address in the frame */
__u64 bench_lcg = 1;
__u64 bench_tail_failed = 0;

/*
 * Full-period LCGs (Hull-Dobell: c odd, a - 1 divisible by 4): every 32-bit IPv4 source,
 * and every 64-bit IPv6 /64 prefix, comes up once per period.
 */
static __always_inline void bench_rewrite(void *data, void *data_end)
{
	if (bench_vary == 4) {
		__u32 *a = data + (bench_src_off & 0x7f);
		__u32 x;

		if ((void *)(a + 1) > data_end)
			return;
		x = (__u32)bench_lcg * 1664525u + 1013904223u;
		bench_lcg = x;
		*a = x;
	} else if (bench_vary == 6 || bench_vary == 8) {
		/* a new /64: anywhere (6), or in 2000::/3, the assigned space (8) */
		__u32 *a = data + (bench_src_off & 0x7f);
		__u64 x;

		if ((void *)(a + 2) > data_end)
			return;
		x = bench_lcg * 6364136223846793005ull + 1442695040888963407ull;
		bench_lcg = x;
		a[0] = bench_vary == 6 ? (__u32)(x >> 32) :
					 bpf_htonl(0x20000000u | ((__u32)(x >> 32) & 0x1fffffffu));
		a[1] = (__u32)x;
	} else if (bench_vary == 5 || bench_vary == 7 || bench_vary == 9) {
		__u32 *a = data + (bench_src_off & 0x7f), k = bench_src_next++ & (BENCH_SRCS - 1);
		struct bench_src *src = bpf_map_lookup_elem(&bench_srcs, &k);

		if ((void *)(a + 4) > data_end || !src)
			return;
		if (bench_vary == 5) {
			a[0] = src->a4;
		} else if (bench_vary == 9) {
			a[0] = src->a4_addr;
		} else {
			a[0] = src->a6[0];
			a[1] = src->a6[1];
			a[2] = src->a6[2];
			a[3] = src->a6[3];
		}
	}
}

SEC("xdp.frags")
int bench_xdp(struct xdp_md *ctx)
{
	bench_rewrite((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	bpf_tail_call(ctx, &bench_xdp_progs, 0);
	bench_tail_failed++;
	return XDP_ABORTED;
}

SEC("tc")
int bench_tc(struct __sk_buff *skb)
{
	bench_rewrite((void *)(long)skb->data, (void *)(long)skb->data_end);
	bpf_tail_call(skb, &bench_tc_progs, 0);
	bench_tail_failed++;
	return TC_ACT_SHOT;
}

/*
 * Every field the parser fills must be filled, as the data plane's parse does: without the
 * barrier, clang drops the work whose result the verdict below does not read (sequence
 * numbers, fragment id, lengths, flags...) and the floor measures part of the parser only.
 */
static __always_inline void bench_keep(struct rp_pkt *p)
{
	asm volatile("" : : "r"(p) : "memory");
}

/* The parse result must feed the return value, or the compiler drops the parser. */
static __always_inline int bench_parse(void *data, void *data_end, __u32 wire_len)
{
	struct rp_pkt p = { .wire_len = wire_len, .cap_len = data_end - data };
	int reason = rp_parse(&p, data, data_end, NULL);

	bench_keep(&p);
	return reason == RP_R_ok && p.sport == 0 && p.dport == 0 && p.saddr[0] == p.daddr[0] &&
	       p.saddr[3] == p.daddr[3];
}

SEC("xdp.frags")
int bench_floor_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;

	return bench_parse(data, data_end, data_end - data) ? XDP_PASS : XDP_DROP;
}

SEC("tc")
int bench_floor_tc(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;

	return bench_parse(data, data_end, skb->len) ? TC_ACT_OK : TC_ACT_SHOT;
}

/* Ethernet and IPv4 only, nothing else: the reference for the parser's own cost. */
SEC("xdp.frags")
int bench_min_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_DROP;
	return ip->saddr == ip->daddr && ip->protocol == 0 ? XDP_PASS : XDP_DROP;
}

/* The floor, then the source's country: the geo stage's cost is this over the floor. */
SEC("xdp.frags")
int bench_geo_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct rp_pkt p = { .wire_len = data_end - data, .cap_len = data_end - data };
	int reason = rp_parse(&p, data, data_end, NULL);
	__u16 cc;

	bench_keep(&p);
	if (reason != RP_R_ok)
		return XDP_DROP;
	cc = rp_geo_country(p.l3 == RP_L3_IPV6, p.saddr);
	return p.sport == 0 && p.dport == 0 && p.saddr[0] == p.daddr[0] &&
			       p.saddr[3] == p.daddr[3] && cc == 0xffff ?
		       XDP_PASS :
		       XDP_DROP;
}
