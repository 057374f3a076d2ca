/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The data plane's country tables (docs/geo.md, "Data-plane lookup"): their layout as
 * bpf/geo.h reads them and src/geo_maps.c writes them.
 *
 * Two slots of every table; rp_geo_slot says which one is in force. A load fills the other
 * slot whole, then flips rp_geo_slot in one store: a frame reads the selector once and sees
 * one dataset, never a mix.
 *
 * IPv4 is a two-level table over the top 24 bits, then exceptions:
 *   top   32 entries of 16 bits per /11, one per /16 (one cache line per /11: 128 KiB)
 *   blk   per mixed /16: 256 codes, one per /24 (512 bytes, shared between /16s that look
 *         alike)
 * A top entry is either a country code (the whole /16 is that country) or RP_GEO_PTR | the
 * absolute index of its block in blk. A block code with
 * RP_GEO_SPLIT set marks a /24 split between countries; its low bits number it in rec4,
 * a cache line holding up to 21 pieces, counted without a branch. A /24 of more pieces
 * has its span in split4: its boundaries in exc4, sorted (first address << 32 | code), at
 * most 256, searched by bisection (8 steps at most).
 *
 * IPv6 is the set of /64-granular run starts (the upper 64 bits of each run's first
 * address) in a static B-tree: nodes of 8 keys (one cache line) with 9 children, laid out
 * implicitly (node k's children are 9k+1..9k+9), at most 6 levels. The search finds the
 * first key above the address; code6 holds, beside each key, the code of the run that ends
 * just before it (the run holding the address). No key above it: the last run (tail6).
 * Padding keys are UINT64_MAX with the last run's code, so they need no special case. A /64
 * holding a boundary below /64 carries RP_GEO_SPLIT | its number in split6, whose span
 * gives its boundaries in exc6 (sorted 128-bit starts).
 *
 * Codes (RP_GEO_CODE) are below 0x8000, so RP_GEO_SPLIT never meets one.
 */
#ifndef REMPART_GEO_TABLES_H
#define REMPART_GEO_TABLES_H

#include <linux/types.h>
#include "rempart/abi.h"

#define RP_GEO_SLOTS 2
#define RP_GEO_PTR 0x8000 /* in a top entry: the rest is a block's index */
#define RP_GEO_SPLIT 0x8000 /* in a leaf or code6 value: split, the number in the low bits */

#define RP_GEO_FAN 32
#define RP_GEO4_TOP 2048 /* top nodes per slot: one per /11 */
#define RP_GEO4_MAX_BLK 16384 /* distinct mixed /16s per slot (the real data: 8,632); both
				* slots' indices fit the 15 bits of a top entry */
#define RP_GEO4_MAX_SPLIT 32768 /* split /24s per slot */
#define RP_GEO4_REC_PIECES 21 /* pieces of a split /24 its record holds */
#define RP_GEO4_MAX_EXC 262144 /* exception entries per slot */
#define RP_GEO4_EXC_LEVELS 8 /* a /24 has at most 256 boundaries */

#define RP_GEO6_B 8 /* keys per node */
#define RP_GEO6_LEVELS 6 /* 1 + 9 + ... + 9^5 = 66,430 nodes */
#define RP_GEO6_MAX_NODES 65536 /* per slot: 524,288 keys */
#define RP_GEO6_MAX_SPLIT 32768 /* split /64s per slot */
#define RP_GEO6_EXC_LEVELS 15
#define RP_GEO6_MAX_EXC (1u << RP_GEO6_EXC_LEVELS) /* exception entries per slot */
#define RP_GEO6_DIR_BITS 17 /* the direct level: one entry per /20 of 2000::/3 */
#define RP_GEO6_DIR (1u << RP_GEO6_DIR_BITS) /* entries per slot */

/* top nodes: 16 entries */
struct rp_geo_node {
	__u16 e[RP_GEO_FAN];
};
RP_ASSERT_SIZE(struct rp_geo_node, 64);

struct rp_geo_blk {
	__u16 c[256];
};
RP_ASSERT_SIZE(struct rp_geo_blk, 512);

struct rp_geo_exc6 {
	__u64 hi, lo; /* first address, host order halves */
	__u64 code;
};
RP_ASSERT_SIZE(struct rp_geo_exc6, 24);

/*
 * A split /24 in one cache line: the first address (last byte) and code of each piece;
 * off[0] is 0. Unused places repeat the last piece with off 255, so "the number of offsets
 * at or below the address's last byte, minus one" is always the piece holding it. n == 0:
 * over RP_GEO4_REC_PIECES pieces, see the span in split4.
 */
struct rp_geo_rec24 {
	__u16 code[RP_GEO4_REC_PIECES];
	__u8 off[RP_GEO4_REC_PIECES];
	__u8 n;
};
RP_ASSERT_SIZE(struct rp_geo_rec24, 64);

/* A split /24 or /64: its entries in exc4 or exc6 (absolute index: slot included). */
struct rp_geo_span {
	__u32 first, n;
};
RP_ASSERT_SIZE(struct rp_geo_span, 8);

struct rp_geo_node6 {
	__u64 k[RP_GEO6_B];
};
RP_ASSERT_SIZE(struct rp_geo_node6, 64);

struct rp_geo_codes6 {
	__u16 c[RP_GEO6_B]; /* the code of the run before each key */
};
RP_ASSERT_SIZE(struct rp_geo_codes6, 16);

/*
 * The direct level in front of the B-tree, one entry per /20 of 2000::/3: the node where
 * the searches of the /20's addresses part ways, and the code they carry down to it (the
 * code beside the last key above them on the way, or the tail); or, when they never part,
 * their code.
 */
struct rp_geo_dir6 {
	__u32 node; /* within the slot */
	__u16 code;
	__u16 direct; /* 1: code is the answer for the whole /20 */
};
RP_ASSERT_SIZE(struct rp_geo_dir6, 8);

/*
 * Per slot. The IPv6 keys form two B-trees in key6 and code6: the lower half of the space
 * (keys below 8000::, every assigned address) from node 0, the upper half from node nodes6
 * with its keys stored less 2^63. Within a tree every key and every searched value is then
 * below 2^63, so "k <= x" is the sign of x - k (bpf/geo.h).
 */
struct rp_geo_meta {
	__u32 nodes6; /* nodes of the lower tree */
	__u16 tail6; /* the code of the last IPv6 run */
	__u16 mid6; /* the code of the run holding 7fff:ffff:...: the lower tree's last */
	__u32 n4exc, n6exc; /* entries of exc4 and exc6 (information only) */
	__u32 nodes6_hi; /* nodes of the upper tree */
	__u32 _pad;
};
RP_ASSERT_SIZE(struct rp_geo_meta, 24);

/* The test probe's record (rp_geo_probe in bpf/rempart.bpf.c): the frame is an array of
 * them, and the program writes each answer into code. */
struct rp_geo_probe {
	__u8 family; /* 4 or 6 */
	__u8 _pad;
	__u16 code; /* out */
	__u32 addr[4]; /* network order, IPv4 in addr[0] */
};
RP_ASSERT_SIZE(struct rp_geo_probe, 20);
#define RP_GEO_PROBE_MAX 160 /* records per run: 3200 bytes, within one page */

#endif
