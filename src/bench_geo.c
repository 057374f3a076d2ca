// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The geo stage's figures (bench_geo.h, docs/bench.md figure 8).
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.skel.h"
#include "bench_frames.h"
#include "bench_geo.h"
#include "dataplane.h"
#include "geo.h"
#include "geo_synth.h"
#include "log.h"
#include "report.h"

#define BENCH_SRCS 16384 /* bench_srcs entries in bench/bench.bpf.c */
#define LCG_SEED 0x2545f4914f6cdd1dull

/* As bench/bench.bpf.c's bench_srcs value. */
struct bench_src {
	uint32_t a6[4];
	uint32_t a4;
	uint32_t a4_addr;
};

static const struct {
	const char *src, *what;
	int vary; /* bench_vary */
	int v6;
} figs[RP_BG_COUNT] = {
	[RP_BG_V4_RECUR] = { "recurring src", "ipv4, 4096 Zipf, by range", 5, 0 },
	[RP_BG_V4_RECUR_ADDR] = { "recurring src", "ipv4, 4096 Zipf, by address", 9, 0 },
	[RP_BG_V4_RANDOM] = { "vary src", "ipv4, uniform /32", 4, 0 },
	[RP_BG_V6_RECUR] = { "recurring src", "ipv6, 4096 Zipf, by range", 7, 1 },
	[RP_BG_V6_RANDOM] = { "vary src", "ipv6, uniform /64 in 2000::/3", 8, 1 },
};

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * The recurring sources: RP_BENCH_GEO_SOURCES addresses from assigned space, then
 * BENCH_SRCS draws among them with Zipf weights 1/rank, so a few sources send most frames,
 * as on a real link. Two IPv4 sets: "by range", each source in a random range (the
 * fragmented space, split /24s included, weighs as much as a /8: a pessimistic mix); "by
 * address", uniform over the dataset's addresses (large allocations dominate).
 */
static int fill_sources(struct bench *skel, const struct rp_geo_db *db)
{
	struct bench_src *src = calloc(BENCH_SRCS, sizeof(*src));
	struct bench_src *uniq = calloc(RP_BENCH_GEO_SOURCES, sizeof(*uniq));
	double *cdf = calloc(RP_BENCH_GEO_SOURCES, sizeof(*cdf)), sum = 0;
	int fd = bpf_map__fd(skel->maps.bench_srcs), ret = 0;
	uint64_t rng = 1;

	if (!src || !uniq || !cdf) {
		rp_err("out of memory");
		ret = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < RP_BENCH_GEO_SOURCES; i++) {
		uint64_t r = splitmix(&rng);

		if (db->n4) {
			const struct rp_geo_range4 *g = &db->v4[r % db->n4];
			uint64_t span = (uint64_t)g->last - g->first + 1;

			uniq[i].a4 = htonl(g->first + (uint32_t)(splitmix(&rng) % span));
		}
		if (db->n6) {
			const struct rp_geo_range6 *g = &db->v6[r % db->n6];
			uint64_t hi = g->first_hi, lo = g->first_lo;

			/* Somewhere in the range's first /64s, or its first address's /64. */
			if (g->last_hi > g->first_hi) {
				hi += splitmix(&rng) % (g->last_hi - g->first_hi);
				lo = splitmix(&rng);
			}
			uniq[i].a6[0] = htonl(hi >> 32);
			uniq[i].a6[1] = htonl((uint32_t)hi);
			uniq[i].a6[2] = htonl(lo >> 32);
			uniq[i].a6[3] = htonl((uint32_t)lo);
		}
		if (db->n4) {
			uint32_t a;

			do
				a = (uint32_t)splitmix(&rng);
			while (rp_geo_lookup4(db, a) == RP_GEO_NONE);
			uniq[i].a4_addr = htonl(a);
		}
		sum += 1.0 / (i + 1);
		cdf[i] = sum;
	}
	for (unsigned int i = 0; i < BENCH_SRCS; i++) {
		double u = (double)(splitmix(&rng) >> 11) / 9007199254740992.0 * sum;
		unsigned int lo = 0, hi = RP_BENCH_GEO_SOURCES - 1;

		while (lo < hi) {
			unsigned int mid = (lo + hi) / 2;

			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		src[i] = uniq[lo];
	}
	for (uint32_t i = 0; i < BENCH_SRCS && !ret; i++) {
		if (bpf_map_update_elem(fd, &i, &src[i], BPF_ANY)) {
			ret = -errno;
			rp_err("cannot fill the bench's recurring sources: %s", strerror(-ret));
		}
	}
out:
	free(src);
	free(uniq);
	free(cdf);
	return ret;
}

/* One measurement through bench_xdp (src/bench.c), with the same LCG start and source
 * sequence for floor and geo. */
static int measure(struct bench *skel, int prog_fd, const struct rp_bench_frame *f, int vary,
		   uint32_t repeat, double *ns)
{
	int rv, err;

	skel->bss->bench_src_next = 0;
	skel->data->bench_lcg = LCG_SEED;
	err = rp_bench_measure(skel, 0, prog_fd, f, vary, repeat, &rv, ns);
	if (!err && rv != XDP_DROP) {
		rp_err("geo figure refused: verdict %d (want XDP_DROP)", rv);
		err = -EPROTO;
	}
	return err;
}

int rp_bench_geo_run(struct bench *skel, const struct rp_geo_db *db,
		     const struct rp_bench_frame *f4, const struct rp_bench_frame *f6,
		     unsigned int runs, uint32_t repeat, struct rp_bench_geo *g)
{
	int floor_fd = bpf_program__fd(skel->progs.bench_floor_xdp);
	int geo_fd = bpf_program__fd(skel->progs.bench_geo_xdp);
	int ret;

	memset(g, 0, sizeof(*g));
	g->repeat = repeat;
	if (runs > RP_BENCH_GEO_MAX_RUNS)
		runs = RP_BENCH_GEO_MAX_RUNS;
	g->runs = runs;
	snprintf(g->dataset, sizeof(g->dataset), "%s%s%s", db->name, db->date[0] ? " " : "",
		 db->date);
	g->n4 = db->n4;
	g->n6 = db->n6;
	ret = rp_geo_maps_load(skel->obj, db, &g->load);
	if (!ret)
		ret = fill_sources(skel, db);
	if (ret)
		return ret;
	g->insns_geo = rp_dp_verified_insns(geo_fd);
	g->insns_floor = rp_dp_verified_insns(floor_fd);
	for (unsigned int r = 0; r < runs; r++) {
		for (int k = 0; k < RP_BG_COUNT; k++) {
			const struct rp_bench_frame *f = figs[k].v6 ? f6 : f4;
			double fl, ge;

			ret = measure(skel, floor_fd, f, figs[k].vary, repeat, &fl);
			if (!ret)
				ret = measure(skel, geo_fd, f, figs[k].vary, repeat, &ge);
			if (ret)
				return ret;
			g->floor_ns[k][r] = fl;
			g->geo_ns[k][r] = ge;
			g->extra[k][r] = ge / fl - 1;
		}
	}
	return 0;
}

/*
 * The targets: the realistic mix of recurring sources (by address) and the uniform
 * one. The by-range mix puts a third of its sources in split /24s, about 0.1 % of the
 * address space: the pessimistic bound, reported without a target (docs/bench.md).
 */
static double target_of(int k)
{
	return k == RP_BG_V4_RECUR_ADDR ? RP_BENCH_GEO_TARGET_RECUR :
	       k == RP_BG_V4_RANDOM ? RP_BENCH_GEO_TARGET_RANDOM : 0;
}

void rp_bench_geo_text(FILE *out, const struct rp_bench_geo *g)
{
	const struct rp_geo_load_stats *l = &g->load;

	fprintf(out,
		"\n(8) geo stage: the source's country (bpf/geo.h) over the floor, extra cost as a "
		"ratio of the floor\n    (repeat %u)\n"
		"    dataset %s: %zu IPv4 ranges (%u mixed /16s, %u blocks, %u split /24s, %u "
		"exceptions),\n"
		"    %zu IPv6 ranges (%u /64 keys, %u split /64s, %u exceptions)\n"
		"    tables: %.1f MiB used, %.1f MiB allocated (both slots); loaded in %.0f ms "
		"(compile %.0f, write and flip %.0f)\n",
		g->repeat, g->dataset, g->n4, l->mixed16, l->blk4, l->split24, l->exc4, g->n6,
		l->keys6, l->split64, l->exc6, l->bytes_used / 1048576.0,
		l->bytes_kernel / 1048576.0, l->build_ms + l->write_ms, l->build_ms, l->write_ms);
	for (int k = 0; k < RP_BG_COUNT; k++) {
		struct rp_bench_stat e = rp_bench_stat_of(g->extra[k], g->runs), gn = rp_bench_stat_of(g->geo_ns[k], g->runs),
			     fn = rp_bench_stat_of(g->floor_ns[k], g->runs);
		double t = target_of(k);

		fprintf(out, "  geo xdp / floor  %-13s  %-30s %+6.2fx  (spread %+.2f to %+.2f)  "
			     "(geo %.1f ns, floor %.1f ns)",
			figs[k].src, figs[k].what, e.median, e.min, e.max, gn.median, fn.median);
		if (t > 0)
			fprintf(out, "  target <= +%.2fx: %s", t, e.median <= t ? "met" : "MISSED");
		fprintf(out, "\n");
	}
	fprintf(out, "  verifier: bench_geo_xdp %ld instructions, the floor %ld\n", g->insns_geo,
		g->insns_floor);
}

void rp_bench_geo_json(FILE *out, const struct rp_bench_geo *g)
{
	static const char *const keys[RP_BG_COUNT] = {
		"ipv4_recurring", "ipv4_recurring_by_address", "ipv4_random", "ipv6_recurring",
		"ipv6_random",
	};
	const struct rp_geo_load_stats *l = &g->load;

	fprintf(out, "{\"repeat\": %u, \"dataset\": ", g->repeat);
	rp_json_string(out, g->dataset);
	fprintf(out,
		", \"ranges4\": %zu, \"ranges6\": %zu, \"mixed16\": %u, \"blocks4\": %u, "
		"\"split24\": %u, \"exc4\": %u, \"keys6\": %u, \"split64\": %u, \"exc6\": %u,\n"
		"    \"bytes_used\": %zu, \"bytes_kernel\": %zu, \"load_ms\": %.1f, "
		"\"insns_geo\": %ld, \"insns_floor\": %ld",
		g->n4, g->n6, l->mixed16, l->blk4, l->split24, l->exc4, l->keys6, l->split64,
		l->exc6, l->bytes_used, l->bytes_kernel, l->build_ms + l->write_ms, g->insns_geo,
		g->insns_floor);
	for (int k = 0; k < RP_BG_COUNT; k++) {
		struct rp_bench_stat e = rp_bench_stat_of(g->extra[k], g->runs);

		fprintf(out,
			",\n    \"%s\": {\"extra_over_floor\": %.4f, \"min\": %.4f, "
			"\"max\": %.4f",
			keys[k], e.median, e.min, e.max);
		if (target_of(k) > 0)
			fprintf(out, ", \"target_max\": %.2f", target_of(k));
		fprintf(out, ", \"runs\": [");
		for (unsigned int r = 0; r < g->runs; r++)
			fprintf(out, "%s{\"extra\": %.4f, \"geo_ns\": %.2f, \"floor_ns\": %.2f}",
				r ? ", " : "", g->extra[k][r], g->geo_ns[k][r], g->floor_ns[k][r]);
		fprintf(out, "]}");
	}
	fprintf(out, "}");
}

int rp_bench_geo_synthetic(struct bench *skel, const struct rp_bench_frame *f4,
			   const struct rp_bench_frame *f6, unsigned int runs, uint32_t repeat,
			   struct rp_bench_geo *g)
{
	struct rp_geo_db db;
	int ret = rp_geo_synth_make(&db, &RP_GEO_SYNTH_WORLD(1));

	if (ret) {
		rp_err("cannot make the synthetic geo dataset: %s", strerror(-ret));
		return ret;
	}
	ret = rp_bench_geo_run(skel, &db, f4, f6, runs, repeat, g);
	rp_geo_synth_free(&db);
	return ret;
}
