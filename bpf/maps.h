/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Maps and globals shared by both entry points. Both entries live in one object, so they
 * share every map; live mode pins them under /sys/fs/bpf/rempart.
 */
#ifndef RP_BPF_MAPS_H
#define RP_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "rempart/abi.h"
#include "parse.h"

/* Per-CPU counters, one element per service (0: traffic to no protected service). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RP_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct rp_svc_counters);
} rp_counters SEC(".maps");

/* Upstream router MAC addresses: direction on a mirror port and in replay. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RP_MAX_UPSTREAM_MACS);
	__type(key, struct rp_mac_key);
	__type(value, __u8);
} rp_upstream_macs SEC(".maps");

/* Protected and internal space: the address rule for direction. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, RP_MAX_LOCAL_PREFIXES);
	__type(key, struct rp_lpm_v4);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} rp_local_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, RP_MAX_LOCAL_PREFIXES);
	__type(key, struct rp_lpm_v6);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} rp_local_v6 SEC(".maps");

/* Load-time mode (rp_replay is in parse.h, which needs it too). */
const volatile __u8 rp_monitor = 0; /* 1: XDP sees both directions (mirror port) */

/* Run-time knobs, written in place by userspace (mmapped .data). */
struct rp_knobs rp_knobs = {
	.malformed_verdict = RP_V_DROP,
};

#endif /* RP_BPF_MAPS_H */
