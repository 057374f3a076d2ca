/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Synthetic country datasets shaped like the real world (docs/geo.md): for the data plane's
 * exactness test and the geo bench, which must not depend on a downloaded dataset.
 *
 * IPv4: large allocations and unassigned gaps over most /16s, and dense /16s (about one in
 * eight) cut into /24 to /16 sized allocations and /24s cut into 2 to 6 pieces down to
 * single addresses; ranges touching 0.0.0.0 and 255.255.255.255. IPv6: /19 to /48
 * allocations in 2001::-2c0f::, /64 and /128 carve-outs (some at a range's edge), ranges
 * touching :: and ffff:...:ffff. Countries are drawn
 * Zipf-like from `countries` codes, neighbours often alike. Deterministic in the seed.
 */
#ifndef RP_GEO_SYNTH_H
#define RP_GEO_SYNTH_H

#include <stddef.h>
#include <stdint.h>

struct rp_geo_db;

struct rp_geo_synth {
	uint64_t seed;
	unsigned int countries; /* distinct codes, at most 676 */
	size_t n4; /* about this many IPv4 ranges (after merging) */
	size_t n6; /* about this many IPv6 ranges */
};

/* The world-sized shape: ~200 countries, ~180k IPv4 and ~100k IPv6 ranges. */
#define RP_GEO_SYNTH_WORLD(s) ((struct rp_geo_synth){ .seed = (s), .countries = 200, \
						      .n4 = 180000, .n6 = 100000 })

/* Fill db (zeroed first). Returns 0 or -ENOMEM. */
int rp_geo_synth_make(struct rp_geo_db *db, const struct rp_geo_synth *opt);
/* Free what rp_geo_synth_make allocated. */
void rp_geo_synth_free(struct rp_geo_db *db);

#endif
