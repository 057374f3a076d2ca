/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A country dataset compiled into the data plane's tables (include/rempart/geo_tables.h,
 * docs/geo.md "Data-plane lookup"): the slot not in force is written whole through mmap,
 * then rp_geo_slot flips, so lookups never see a half-loaded dataset and never fail.
 */
#ifndef RP_GEO_MAPS_H
#define RP_GEO_MAPS_H

#include <stddef.h>
#include <stdint.h>

struct bpf_object;
struct rp_geo_db;

struct rp_geo_load_stats {
	uint32_t slot; /* the slot now in force */
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
	double write_ms; /* copying it into the maps and flipping */
};

/*
 * Compile db into the slot of obj's geo tables that is not in force, then make it the slot
 * in force. obj is a loaded object holding the maps of bpf/geo.h (the data plane's skeleton,
 * or the bench's). A dataset over a table's capacity, or whose ranges are not sorted and
 * disjoint, is refused with a message and the slot in force stays. One loader at a time.
 * Returns 0 or -errno.
 */
int rp_geo_maps_load(struct bpf_object *obj, const struct rp_geo_db *db,
		     struct rp_geo_load_stats *st);

/* The slot in force, or -errno. */
int rp_geo_maps_slot(struct bpf_object *obj);

/* Bytes the kernel allocates for every geo table, both slots. */
size_t rp_geo_maps_kernel_bytes(void);

#endif
