/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The geo stage's figures of `rempart bench` (docs/bench.md, figure 8): the country lookup
 * of the source (bench_geo_xdp: the floor, then bpf/geo.h) over the floor, measured in the
 * same runs, on a dataset loaded into the bench object's own geo tables.
 */
#ifndef RP_BENCH_GEO_H
#define RP_BENCH_GEO_H

#include <stdint.h>
#include <stdio.h>

#include "geo_maps.h"

struct bench;
struct rp_geo_db;
struct rp_bench_frame;

/* A figure's per-run values summed up (src/bench.c): median, and the spread min-max. */
struct rp_bench_stat {
	double median, min, max;
};
struct rp_bench_stat rp_bench_stat_of(const double *v, unsigned int n);

#define RP_BENCH_GEO_MAX_RUNS 1000
#define RP_BENCH_GEO_SOURCES 4096 /* distinct recurring sources */
#define RP_BENCH_GEO_TARGET_RECUR 0.30 /* extra cost over the floor, recurring IPv4 */
#define RP_BENCH_GEO_TARGET_RANDOM 1.00 /* extra cost over the floor, random IPv4 */

enum rp_bench_geo_fig {
	RP_BG_V4_RECUR = 0, /* IPv4, 4096 recurring sources drawn Zipf-like, in random ranges */
	RP_BG_V4_RECUR_ADDR, /* the same, sources uniform over the dataset's addresses */
	RP_BG_V4_RANDOM, /* IPv4, every source new and uniform over the 2^32 */
	RP_BG_V6_RECUR, /* IPv6, 4096 recurring sources drawn Zipf-like */
	RP_BG_V6_RANDOM, /* IPv6, every /64 new, uniform over 2000::/3 */
	RP_BG_COUNT,
};

struct rp_bench_geo {
	char dataset[128];
	size_t n4, n6;
	struct rp_geo_load_stats load;
	long insns_geo, insns_floor;
	unsigned int runs;
	uint32_t repeat;
	/* per figure and run: the extra cost over the floor (geo / floor - 1) and the ns */
	double extra[RP_BG_COUNT][RP_BENCH_GEO_MAX_RUNS];
	double geo_ns[RP_BG_COUNT][RP_BENCH_GEO_MAX_RUNS];
	double floor_ns[RP_BG_COUNT][RP_BENCH_GEO_MAX_RUNS];
};

/*
 * Load db into skel's geo tables and measure every figure runs times, interleaved (floor
 * first, then the geo program, figure by figure; then the next run). f4 and f6 are the
 * frames (their sources are rewritten). Returns 0, or -errno with a message (a failed tail
 * call or a wrong verdict refuses the figures: -EPROTO).
 */
int rp_bench_geo_run(struct bench *skel, const struct rp_geo_db *db,
		     const struct rp_bench_frame *f4, const struct rp_bench_frame *f6,
		     unsigned int runs, uint32_t repeat, struct rp_bench_geo *g);

/* The same on the world-sized synthetic dataset (geo_synth.h, seed 1). */
int rp_bench_geo_synthetic(struct bench *skel, const struct rp_bench_frame *f4,
			   const struct rp_bench_frame *f6, unsigned int runs, uint32_t repeat,
			   struct rp_bench_geo *g);

void rp_bench_geo_text(FILE *out, const struct rp_bench_geo *g);
/* A JSON object (no trailing newline). */
void rp_bench_geo_json(FILE *out, const struct rp_bench_geo *g);

#endif
