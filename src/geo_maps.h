/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A country dataset compiled into the data plane's tables (include/rempart/geo_tables.h,
 * docs/geo.md "Data-plane lookup"): the slot not in force is written whole through mmap,
 * then the slot in force flips, so lookups never see a half-loaded dataset and never fail.
 */
#ifndef RP_GEO_MAPS_H
#define RP_GEO_MAPS_H

#include <stddef.h>
#include <stdint.h>

struct bpf_object;
struct rp_geo_db;

struct rp_geo_load_stats {
	uint32_t slot; /* the slot written */
	/* IPv4 */
	uint32_t mixed16; /* /16s of more than one code */
	uint32_t blk4; /* blocks: distinct mixed /16s */
	uint32_t split24; /* /24s split between countries */
	uint32_t exc4; /* exception entries */
	/* IPv6 */
	uint32_t keys6; /* /64-granular runs */
	uint32_t split64; /* /64s split below /64 */
	uint32_t exc6;
	size_t bytes_used; /* of the tables in the slot just written */
	size_t bytes_kernel; /* every table, both slots, as the kernel allocates them */
	double build_ms; /* compiling the dataset in memory */
	double write_ms; /* copying it into the maps */
};

/*
 * Compile db into the slot of obj's geo tables that is not in force (st->slot), without
 * making it the slot in force. obj is a loaded object holding the maps of bpf/geo.h (the
 * data plane's skeleton, or the bench's). A dataset over a table's capacity, or whose ranges
 * are not sorted and disjoint, is refused with a message. One writer at a time. Returns 0
 * or -errno.
 *
 * The fences read the slot their policy slot names (rp_glob.geo_slot), so a policy reload
 * writes the tables, then the policy, and one flip of the policy slot switches both
 * (src/policy.c). rp_geo_maps_flip() then records the slot in force for the next writer,
 * and for the readers of rp_geo_slot (the test probe, the bench).
 */
int rp_geo_maps_write(struct bpf_object *obj, const struct rp_geo_db *db,
		      struct rp_geo_load_stats *st);

/* Make slot the slot in force in rp_geo_slot. Returns 0 or -errno. */
int rp_geo_maps_flip(struct bpf_object *obj, uint32_t slot);

/* Both: write the slot not in force, then flip to it. The slot in force stays when the
 * dataset is refused. */
int rp_geo_maps_load(struct bpf_object *obj, const struct rp_geo_db *db,
		     struct rp_geo_load_stats *st);

/* The slot in force, or -errno. */
int rp_geo_maps_slot(struct bpf_object *obj);

/* Bytes the kernel allocates for every geo table, both slots. */
size_t rp_geo_maps_kernel_bytes(void);

#endif
