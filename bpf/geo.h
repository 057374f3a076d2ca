/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The country of an address (docs/geo.md, "Data-plane lookup"): the tables of
 * include/rempart/geo_tables.h, filled by src/geo_maps.c.
 *
 * IPv4: one or two array loads (top, then the block of a mixed /16), and for
 * the rare /24 split between countries a bisection over its own boundaries (8 steps at
 * most). IPv6: in 2000::/3 a direct entry per /20 (the answer, or the node to start
 * from), then a descent of at most 6 nodes of a static B-tree (8 keys per cache line), and
 * a bisection over a split /64's boundaries. Every loop is bounded by a constant.
 */
#ifndef RP_BPF_GEO_H
#define RP_BPF_GEO_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "rempart/geo.h"
#include "rempart/geo_tables.h"

/* The slot in force: written by userspace after the other slot is complete. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} rp_geo_slot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_GEO_SLOTS);
	__type(key, __u32);
	__type(value, struct rp_geo_meta);
	__uint(map_flags, BPF_F_MMAPABLE);
} rp_geo_meta SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_GEO_SLOTS * RP_GEO4_TOP);
	__type(key, __u32);
	__type(value, struct rp_geo_node);
	__uint(map_flags, BPF_F_MMAPABLE);
} rp_geo4_top SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_GEO_SLOTS * RP_GEO4_MAX_BLK);
	__type(key, __u32);
	__type(value, struct rp_geo_blk);
	__uint(map_flags, BPF_F_MMAPABLE);
} rp_geo4_blk SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_GEO_SLOTS * RP_GEO4_MAX_SPLIT);
	__type(key, __u32);
	__type(value, struct rp_geo_rec24);
	__uint(map_flags, BPF_F_MMAPABLE);
} rp_geo4_rec SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_GEO_SLOTS * RP_GEO4_MAX_SPLIT);
	__type(key, __u32);
	__type(value, struct rp_geo_span);
	__uint(map_flags, BPF_F_MMAPABLE);
} rp_geo4_split SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_GEO_SLOTS * RP_GEO4_MAX_EXC);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_MMAPABLE);
} rp_geo4_exc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_GEO_SLOTS * RP_GEO6_MAX_NODES);
	__type(key, __u32);
	__type(value, struct rp_geo_node6);
	__uint(map_flags, BPF_F_MMAPABLE);
} rp_geo6_key SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_GEO_SLOTS * RP_GEO6_MAX_NODES);
	__type(key, __u32);
	__type(value, struct rp_geo_codes6);
	__uint(map_flags, BPF_F_MMAPABLE);
} rp_geo6_code SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_GEO_SLOTS * RP_GEO6_MAX_SPLIT);
	__type(key, __u32);
	__type(value, struct rp_geo_span);
	__uint(map_flags, BPF_F_MMAPABLE);
} rp_geo6_split SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_GEO_SLOTS * RP_GEO6_DIR);
	__type(key, __u32);
	__type(value, struct rp_geo_dir6);
	__uint(map_flags, BPF_F_MMAPABLE);
} rp_geo6_dir SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RP_GEO_SLOTS * RP_GEO6_MAX_EXC);
	__type(key, __u32);
	__type(value, struct rp_geo_exc6);
	__uint(map_flags, BPF_F_MMAPABLE);
} rp_geo6_exc SEC(".maps");

/*
 * The piece of a split /24 holding addr: in its record (one cache line, a branch-free
 * count), else the last entry of its span at or below addr (the span's first entry is the
 * /24's first address, so there always is one).
 */
static __always_inline __u16 rp_geo4_exc_find(__u32 slot, __u32 split, __u32 addr)
{
	__u32 k = slot * RP_GEO4_MAX_SPLIT + split, lo, n, half, x = addr & 0xff, cnt = 0;
	__u64 want = (__u64)addr << 32 | 0xffffffffu, *v;
	struct rp_geo_rec24 *r = bpf_map_lookup_elem(&rp_geo4_rec, &k);
	struct rp_geo_span *sp;

	if (!r)
		return RP_GEO_NONE;
	if (r->n) {
		/* x + 256 - off has bit 8 set iff off <= x (both are bytes). */
		for (int i = 0; i < RP_GEO4_REC_PIECES; i++)
			cnt += (x + 256 - r->off[i]) >> 8;
		cnt -= 1;
		return cnt < RP_GEO4_REC_PIECES ? r->code[cnt] : RP_GEO_NONE;
	}
	sp = bpf_map_lookup_elem(&rp_geo4_split, &k);
	if (!sp)
		return RP_GEO_NONE;
	lo = sp->first;
	n = sp->n;
	for (int i = 0; i < RP_GEO4_EXC_LEVELS + 1; i++) {
		if (n <= 1)
			break;
		half = n / 2;
		k = lo + half;
		v = bpf_map_lookup_elem(&rp_geo4_exc, &k);
		if (!v)
			return RP_GEO_NONE;
		if (*v <= want)
			lo = k;
		n -= half;
	}
	v = bpf_map_lookup_elem(&rp_geo4_exc, &lo);
	return v && (*v >> 32) <= addr ? (__u16)*v : RP_GEO_NONE;
}

/* addr in host order. */
static __always_inline __u16 rp_geo4(__u32 slot, __u32 addr)
{
	__u32 k = slot * RP_GEO4_TOP + (addr >> 21), e;
	struct rp_geo_node *n;
	struct rp_geo_blk *b;
	__u16 c;

	n = bpf_map_lookup_elem(&rp_geo4_top, &k);
	if (!n)
		return RP_GEO_NONE;
	e = n->e[(addr >> 16) & (RP_GEO_FAN - 1)];
	if (!(e & RP_GEO_PTR))
		return (__u16)e;
	k = e & ~RP_GEO_PTR;
	b = bpf_map_lookup_elem(&rp_geo4_blk, &k);
	if (!b)
		return RP_GEO_NONE;
	c = b->c[(addr >> 8) & 255];
	if (!(c & RP_GEO_SPLIT))
		return c;
	return rp_geo4_exc_find(slot, c & ~RP_GEO_SPLIT, addr);
}

static __always_inline __u16 rp_geo6_exc_find(__u32 slot, __u32 split, __u64 hi, __u64 lo)
{
	__u32 k = slot * RP_GEO6_MAX_SPLIT + split, base, n, half;
	struct rp_geo_span *sp = bpf_map_lookup_elem(&rp_geo6_split, &k);
	struct rp_geo_exc6 *x;

	if (!sp)
		return RP_GEO_NONE;
	base = sp->first;
	n = sp->n;
	for (int i = 0; i < RP_GEO6_EXC_LEVELS + 1; i++) {
		if (n <= 1)
			break;
		half = n / 2;
		k = base + half;
		x = bpf_map_lookup_elem(&rp_geo6_exc, &k);
		if (!x)
			return RP_GEO_NONE;
		if (x->hi < hi || (x->hi == hi && x->lo <= lo))
			base = k;
		n -= half;
	}
	x = bpf_map_lookup_elem(&rp_geo6_exc, &base);
	if (!x || x->hi > hi || (x->hi == hi && x->lo > lo))
		return RP_GEO_NONE;
	return (__u16)x->code;
}

/* The country of a code found for the address: a split /64 has its own entries. */
static __always_inline __u16 rp_geo6_code_of(__u32 slot, __u16 c, __u64 hi, __u64 lo)
{
	if (!(c & RP_GEO_SPLIT))
		return c;
	return rp_geo6_exc_find(slot, c & ~RP_GEO_SPLIT, hi, lo);
}

/*
 * hi, lo: the address's halves in host order. A global function, verified once on its own:
 * the eight compares per node would otherwise multiply the caller's paths by up to 9^6.
 *
 * The compares are branch-free: in a tree every key and the value searched are below 2^63
 * (struct rp_geo_meta), so x - k never overflows and its sign bit says k > x. Eight
 * compares are a subtract, a shift and an add each; as jumps they would mispredict, and
 * the verifier would walk every path.
 */
__noinline __u16 rp_geo6(__u32 slot, __u64 hi, __u64 lo)
{
	struct rp_geo_meta *m = bpf_map_lookup_elem(&rp_geo_meta, &slot);
	__u32 k = 0, kk, i, base = 0, nodes, best = 0, best_i = 0;
	struct rp_geo_codes6 *cs;
	struct rp_geo_node6 *n;
	bool found = false;
	__u64 x = hi;
	__u16 c, below;

	if (!m || slot >= RP_GEO_SLOTS)
		return RP_GEO_NONE;
	nodes = m->nodes6;
	below = m->mid6;
	if (hi >> 63) {
		/* The upper half (no assigned address): its own tree, keys less 2^63. */
		base = m->nodes6;
		nodes = m->nodes6_hi;
		below = m->tail6;
		x = hi - (1ull << 63);
	} else if ((hi >> 61) == 1) {
		/* In 2000::/3, the direct level skips the nodes every address of the /20 goes
		 * through alike, or answers for the whole /20. */
		__u32 di = slot * RP_GEO6_DIR + (__u32)((hi >> 44) & (RP_GEO6_DIR - 1));
		struct rp_geo_dir6 *d = bpf_map_lookup_elem(&rp_geo6_dir, &di);

		if (!d)
			return RP_GEO_NONE;
		below = d->code;
		if (d->direct)
			return rp_geo6_code_of(slot, below, hi, lo);
		k = d->node;
	}
	if (base > RP_GEO6_MAX_NODES)
		return RP_GEO_NONE;
	/* The first key above x: in each node, the count of keys at or below x is both the
	 * key's place in the node (if under 8) and the child to descend into. */
	for (int l = 0; l < RP_GEO6_LEVELS; l++) {
		if (k >= nodes)
			break;
		kk = slot * RP_GEO6_MAX_NODES + base + k;
		n = bpf_map_lookup_elem(&rp_geo6_key, &kk);
		if (!n)
			return RP_GEO_NONE;
		i = RP_GEO6_B - (__u32)(((x - n->k[0]) >> 63) + ((x - n->k[1]) >> 63) +
					((x - n->k[2]) >> 63) + ((x - n->k[3]) >> 63) +
					((x - n->k[4]) >> 63) + ((x - n->k[5]) >> 63) +
					((x - n->k[6]) >> 63) + ((x - n->k[7]) >> 63));
		if (i < RP_GEO6_B) {
			best = kk;
			best_i = i;
			found = true;
		}
		k = k * (RP_GEO6_B + 1) + i + 1;
	}
	if (found) {
		cs = bpf_map_lookup_elem(&rp_geo6_code, &best);
		if (!cs)
			return RP_GEO_NONE;
		c = cs->c[best_i & (RP_GEO6_B - 1)];
	} else {
		c = below;
	}
	return rp_geo6_code_of(slot, c, hi, lo);
}

/*
 * The country code (RP_GEO_CODE, or RP_GEO_NONE outside the dataset) of an address as the
 * parser stores it (network order words, IPv4 in addr_be[0]), in the tables of slot.
 */
static __always_inline __u16 rp_geo_country_in(__u32 slot, bool v6, const __u32 *addr_be)
{
	slot &= 1;
	if (!v6)
		return rp_geo4(slot, bpf_ntohl(addr_be[0]));
	return rp_geo6(slot, (__u64)bpf_ntohl(addr_be[0]) << 32 | bpf_ntohl(addr_be[1]),
		       (__u64)bpf_ntohl(addr_be[2]) << 32 | bpf_ntohl(addr_be[3]));
}

/* The same in the slot in force (rp_geo_slot): the test probe and the bench. The fences read
 * the slot their policy names instead (rp_glob.geo_slot, bpf/policy.h). */
static __always_inline __u16 rp_geo_country(bool v6, const __u32 *addr_be)
{
	__u32 zero = 0, *s = bpf_map_lookup_elem(&rp_geo_slot, &zero);

	return rp_geo_country_in(s ? *s : 0, v6, addr_be);
}

#endif /* RP_BPF_GEO_H */
