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
#include "rempart/policy.h"
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

/*
 * The policy, in two slots (include/rempart/policy.h): userspace fills the slot not in
 * force, then flips rp_knobs.policy_slot.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_SLOTS * 2 * RP_C16_ELEMS);
	__type(key, __u32);
	__type(value, __u64);
} rp_c16 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_SLOTS * RP_PTAB_SIZE);
	__type(key, __u32);
	__type(value, struct rp_ptab_ent);
} rp_ptab SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_SLOTS * RP_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct rp_svc_policy);
} rp_svcs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_SLOTS);
	__type(key, __u32);
	__type(value, struct rp_glob);
} rp_globs SEC(".maps");

/* Reflection source ports: one bit per UDP port, per slot. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_SLOTS * 1024);
	__type(key, __u32);
	__type(value, __u64);
} rp_refl SEC(".maps");

/* State: single copy, outlives reloads. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_DENY_BITS_ELEMS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_MMAPABLE); /* written by src/policy.c through mmap */
} rp_deny_bits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_DENY_SUM_ELEMS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_MMAPABLE); /* written by src/policy.c through mmap */
} rp_deny_sum SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RP_MAX_DENY);
	__type(key, struct rp_deny4_key);
	__type(value, struct rp_deny_val);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} rp_deny4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct rp_deny6_key);
	__type(value, struct rp_deny_val);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} rp_deny6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct rp_level_val);
} rp_levels SEC(".maps");

/* The control plane's registry of service numbers (abi.h): pinned, not read here. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct rp_svc_reg);
} rp_svc_reg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_SKETCH_LINES);
	__type(key, __u32);
	__type(value, struct rp_sk_line);
} rp_sketch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct rp_hh_val);
} rp_hh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RP_HH_RING_BYTES);
} rp_hh_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_KNOWN_SETS);
	__type(key, __u32);
	__type(value, struct rp_known_set);
	__uint(map_flags, BPF_F_MMAPABLE); /* counted by src/dataplane.c through mmap */
} rp_known SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_PENDING_SETS);
	__type(key, __u32);
	__type(value, struct rp_pending_set);
	__uint(map_flags, BPF_F_MMAPABLE); /* counted by src/replay.c through mmap */
} rp_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_MAX_FRAGS);
	__type(key, __u32);
	__type(value, struct rp_frag_ent);
} rp_frags SEC(".maps");

/* Per-country counters of the fence stage (include/rempart/policy.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RP_MAX_FENCED * RP_GEO_NCODES);
	__type(key, __u32);
	__type(value, struct rp_geo_count);
} rp_geo_counters SEC(".maps");

/* What the decision code hands to the stages, and what they hand back. */
struct rp_facts {
	struct rp_pkt p; /* the parser's output, written in place (decide.h) */
	__u64 now;
	__u16 payload; /* TCP payload bytes */
	__u8 dir, dir_src;
	__u16 country; /* out: the source's country, when the fence looked it up */
	__u16 parse_reason; /* the parser's: ok or snap_cut */
	__u32 key[4]; /* the per-source key: the source masked to its length */
	__u32 salt; /* the service's rp_svc_policy.salt, for the per-source hashes */
	/* out */
	__u16 svc;
	__u8 level;
	__u8 verdict;
	__u16 reason; /* the final reason, parse_reason's included */
	__u16 segs; /* frames this buffer stands for (rp_input.segs) */
	/* scratch: the deny probe's heavy-hitter match, kept here rather than in a register
	 * because the verifier does not track map memory: a register would split its states
	 * at every probed length (bpf/policy.h, rp_deny_find()) */
	__u16 deny_heavy;
};

/* A CPU's state of the live clock (clock.h). */
struct rp_clock_cpu {
	__u64 next; /* jiffies of the next resync, 0 before the first */
	__u64 tick; /* TICK_NSEC, set with next */
};

struct rp_scratch {
	struct rp_facts f;
	struct rp_clock_cpu clock;
};

/* Scratch for the facts handed to the stages: the stack cannot hold them beside the parser's
 * state and the stages' own frames (512 bytes for the whole call chain). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rp_scratch);
} rp_scratch SEC(".maps");

/* Prefix lengths present in the deny hashes; userspace adds a length before its first
 * entry and removes it after its last. */
struct rp_deny_lens rp_deny_lens = {};

/* Heavy-hitter reports the ring buffer had no room for. */
__u64 rp_hh_lost = 0;

/* Load-time mode (rp_replay is in parse.h, which needs it too). */
const volatile __u8 rp_monitor = 0; /* 1: XDP sees both directions (mirror port) */

/* Run-time knobs, written in place by userspace (mmapped .data). */
struct rp_knobs rp_knobs = {
	.malformed_verdict = RP_V_DROP,
};

#endif /* RP_BPF_MAPS_H */
