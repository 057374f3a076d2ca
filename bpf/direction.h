/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Direction when the hook cannot tell: a mirror port, or a replayed frame whose capture
 * has no direction. First the upstream MACs (a frame from the upstream router is inbound,
 * one to it outbound), then the address rule: outbound when the source is in protected or
 * internal space and the destination is not. A frame with a local source toward a local
 * destination counts as inbound, so spoofed "internal" sources from outside stay inbound.
 */
#ifndef RP_BPF_DIRECTION_H
#define RP_BPF_DIRECTION_H

#include "parse.h"
#include "maps.h"

static __always_inline int rp_is_local(const struct rp_pkt *p, const __u32 *addr)
{
	if (p->l3 == RP_L3_IPV4) {
		struct rp_lpm_v4 k = { .prefixlen = 32, .addr = addr[0] };

		return bpf_map_lookup_elem(&rp_local_v4, &k) != NULL;
	}
	if (p->l3 == RP_L3_IPV6) {
		struct rp_lpm_v6 k = { .prefixlen = 128 };

		__builtin_memcpy(k.addr, addr, 16);
		return bpf_map_lookup_elem(&rp_local_v6, &k) != NULL;
	}
	return 0;
}

/* Returns enum rp_dir; sets *src to enum rp_dir_src. */
static __always_inline int rp_resolve_dir(const struct rp_pkt *p, void *data, void *data_end,
					  __u8 *src)
{
	const struct ethhdr *eth = data;

	*src = RP_DSRC_ADDR;
	if ((void *)(eth + 1) > data_end)
		return RP_DIR_IN;
	if (rp_knobs.have_upstream_macs) {
		struct rp_mac_key k = {};

		__builtin_memcpy(k.addr, eth->h_source, 6);
		if (bpf_map_lookup_elem(&rp_upstream_macs, &k)) {
			*src = RP_DSRC_MAC;
			return RP_DIR_IN;
		}
		__builtin_memcpy(k.addr, eth->h_dest, 6);
		if (bpf_map_lookup_elem(&rp_upstream_macs, &k)) {
			*src = RP_DSRC_MAC;
			return RP_DIR_OUT;
		}
	}
	/* Addresses are only known once the IP header parsed. */
	if (!p->saddr[0] && !p->saddr[1] && !p->saddr[2] && !p->saddr[3])
		return RP_DIR_IN;
	if (rp_is_local(p, p->saddr) && !rp_is_local(p, p->daddr))
		return RP_DIR_OUT;
	return RP_DIR_IN;
}

#endif /* RP_BPF_DIRECTION_H */
