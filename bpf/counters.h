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

static __always_inline void rp_count(__u32 service, const struct rp_pkt *p, int reason,
				     int verdict, int dir, __u32 segs)
{
	struct rp_svc_counters *c = bpf_map_lookup_elem(&rp_counters, &service);
	__u32 bytes = p->wire_len;

	if (!c)
		return;
	rp_add(&c->reason[reason & (RP_REASON_MAX - 1)], segs, bytes);
	rp_add(&c->verdict[verdict & 3], segs, bytes);
	if (dir < RP_DIR_MAX)
		rp_add(&c->dir[dir], segs, bytes);
	if (p->l3 == RP_L3_IPV4)
		rp_add(&c->proto[RP_PB_IPV4], segs, bytes);
	else if (p->l3 == RP_L3_IPV6)
		rp_add(&c->proto[RP_PB_IPV6], segs, bytes);
	else
		rp_add(&c->proto[RP_PB_NOT_IP], segs, bytes);
	if (p->l3 == RP_L3_NONE)
		return;
	if (p->pflags & RP_PF_FRAG_LATER)
		rp_add(&c->proto[RP_PB_FRAG_LATER], segs, bytes);
	else if (p->l4 == IPPROTO_TCP)
		rp_add(&c->proto[RP_PB_TCP], segs, bytes);
	else if (p->l4 == IPPROTO_UDP)
		rp_add(&c->proto[RP_PB_UDP], segs, bytes);
	else if (p->l4 == IPPROTO_ICMP)
		rp_add(&c->proto[RP_PB_ICMP], segs, bytes);
	else if (p->l4 == IPPROTO_ICMPV6)
		rp_add(&c->proto[RP_PB_ICMP6], segs, bytes);
	else
		rp_add(&c->proto[RP_PB_OTHER_L4], segs, bytes);
	/* SYN without ACK, for the SYN rate of later issues. */
	if ((p->pflags & RP_PF_L4_SEEN) && p->l4 == IPPROTO_TCP && (p->tcp_flags & 0x12) == 0x02)
		c->syn += segs;
}

#endif /* RP_BPF_COUNTERS_H */
