/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-CPU counters keyed by (service, reason), by verdict, direction and protocol. */
#ifndef RP_BPF_COUNTERS_H
#define RP_BPF_COUNTERS_H

#include "parse.h"
#include "maps.h"

static __always_inline void rp_add(struct rp_counter *c, __u32 segs, __u32 bytes)
{
	c->packets += segs;
	c->bytes += bytes;
}

/*
 * Count one decision. facts: reason | verdict << 16 | dir << 24 | l3 << 32 | l4 << 40 |
 * pflags << 48 | tcp_flags << 56. Inlined at the end of rp_policy() for the frames the
 * stages judged (a call costs a quarter of the floor on a CPU with return-thunk
 * mitigations, docs/bench.md), and behind rp_count() for the others.
 */
static __always_inline void rp_count_inl(__u32 service, __u64 facts, __u32 segs, __u32 bytes)
{
	struct rp_svc_counters *c = bpf_map_lookup_elem(&rp_counters, &service);
	__u32 reason = facts & 0xff, verdict = (facts >> 16) & 3, dir = (facts >> 24) & 3;
	__u8 l3 = facts >> 32, l4 = facts >> 40, pflags = facts >> 48, tcp_flags = facts >> 56;

	if (!c)
		return;
	/* Keep clang from testing dir on a different expression than the index below. */
	asm volatile("" : "+r"(dir));
	rp_add(&c->reason[reason], segs, bytes);
	rp_add(&c->verdict[verdict], segs, bytes);
	if (dir < RP_DIR_MAX)
		rp_add(&c->dir[dir], segs, bytes);
	if (l3 == RP_L3_IPV4)
		rp_add(&c->proto[RP_PB_IPV4], segs, bytes);
	else if (l3 == RP_L3_IPV6)
		rp_add(&c->proto[RP_PB_IPV6], segs, bytes);
	else
		rp_add(&c->proto[RP_PB_NOT_IP], segs, bytes);
	if (l3 == RP_L3_NONE)
		return;
	if (pflags & RP_PF_FRAG_LATER)
		rp_add(&c->proto[RP_PB_FRAG_LATER], segs, bytes);
	else if (l4 == IPPROTO_TCP)
		rp_add(&c->proto[RP_PB_TCP], segs, bytes);
	else if (l4 == IPPROTO_UDP)
		rp_add(&c->proto[RP_PB_UDP], segs, bytes);
	else if (l4 == IPPROTO_ICMP)
		rp_add(&c->proto[RP_PB_ICMP], segs, bytes);
	else if (l4 == IPPROTO_ICMPV6)
		rp_add(&c->proto[RP_PB_ICMP6], segs, bytes);
	else
		rp_add(&c->proto[RP_PB_OTHER_L4], segs, bytes);
	/* SYN without ACK, for the SYN rate of later issues. */
	if ((pflags & RP_PF_L4_SEEN) && l4 == IPPROTO_TCP && (tcp_flags & 0x12) == 0x02)
		c->syn += segs;
}

static __always_inline __u64 rp_count_facts(const struct rp_pkt *p, int reason, int verdict,
					    int dir)
{
	return (__u64)(reason & 0xff) | (__u64)(verdict & 3) << 16 | (__u64)(dir & 3) << 24 |
	       (__u64)p->l3 << 32 | (__u64)p->l4 << 40 | (__u64)p->pflags << 48 |
	       (__u64)p->tcp_flags << 56;
}

/*
 * The same behind a global (not inlined) function: the verifier checks it once, on its own,
 * instead of once per path through the parser. Its arguments are packed scalars, so no
 * path's precise values leak into it.
 */
__noinline int rp_count(__u32 service, __u64 facts, __u32 segs, __u32 bytes)
{
	rp_count_inl(service, facts, segs, bytes);
	return 0;
}

static __always_inline void rp_count_pkt(__u32 service, const struct rp_pkt *p, int reason,
					 int verdict, int dir, __u32 segs)
{
	rp_count(service, rp_count_facts(p, reason, verdict, dir), segs, p->wire_len);
}

#endif /* RP_BPF_COUNTERS_H */
