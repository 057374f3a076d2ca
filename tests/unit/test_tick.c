// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The tick: rates per 100 ms, and merged idle ticks equal to the same empty ticks. */
#include "check.h"
#include "tick.h"

struct fake {
	struct rp_svc_counters c;
	int reads;
};

static int fake_read(void *arg, struct rp_svc_counters *sum)
{
	struct fake *f = arg;

	f->reads++;
	*sum = f->c;
	return 0;
}

static void traffic(struct fake *f, struct rp_tick *t, uint64_t pkts)
{
	f->c.dir[RP_DIR_IN].packets += pkts;
	f->c.dir[RP_DIR_IN].bytes += 100 * pkts;
	rp_tick_touch(t);
}

/* Bursts separated by long idle gaps, run merged or not. */
static void run(struct rp_tick *t, struct fake *f, bool merge)
{
	uint64_t t0 = 1000000000000ull;

	memset(f, 0, sizeof(*f));
	rp_tick_init(t, t0, fake_read, f);
	for (int burst = 0; burst < 5; burst++) {
		uint64_t at = t0 + (uint64_t)burst * 37 * RP_TICK_NS + burst * 12345;

		rp_tick_advance(t, at, merge);
		traffic(f, t, 1000 * (burst + 1));
		rp_tick_advance(t, at + RP_TICK_NS / 2, merge);
		traffic(f, t, 10);
	}
	rp_tick_advance(t, t0 + 600 * RP_TICK_NS, merge);
	rp_tick_finish(t);
}

static void test_merged_equals_unmerged(void)
{
	struct rp_tick a, b;
	struct fake fa, fb;

	run(&a, &fa, true);
	run(&b, &fb, false);
	CHECK_EQ(a.ticks, b.ticks);
	CHECK_EQ(a.ticks, 601);
	CHECK_EQ(a.ewma_pkts_fp, b.ewma_pkts_fp);
	CHECK_EQ(a.peak_pps, b.peak_pps);
	CHECK_EQ(a.n_series, b.n_series);
	CHECK(a.n_series && !memcmp(a.series, b.series, a.n_series * sizeof(*a.series)),
	      "series differ");
	/* Merging is the point: far fewer counter reads. */
	CHECK(fa.reads < fb.reads / 10, "merged read counters %d times, unmerged %d", fa.reads,
	      fb.reads);
	rp_tick_free(&a);
	rp_tick_free(&b);
}

static void test_rates(void)
{
	struct rp_tick t;
	struct fake f = {};

	rp_tick_init(&t, 0, fake_read, &f);
	traffic(&f, &t, 500); /* during tick 0 */
	f.c.verdict[RP_V_DROP].packets += 100;
	f.c.syn += 7;
	rp_tick_advance(&t, RP_TICK_NS, true); /* tick 0 ends */
	CHECK_EQ(t.ticks, 1);
	CHECK_EQ(t.n_series, 1);
	CHECK_EQ(t.series[0].index, 0);
	CHECK_EQ(t.series[0].packets, 500);
	CHECK_EQ(t.series[0].dropped, 100);
	CHECK_EQ(t.series[0].syn, 7);
	CHECK_EQ(t.peak_pps, 5000);
	CHECK_EQ(t.peak_bps, 500 * 100 * 8 * 10);
	/* The EWMA moved by 1/8 of the tick's packets (fixed point << 8). */
	CHECK_EQ(t.ewma_pkts_fp, (500 << 8) / 8);
	rp_tick_free(&t);
}

/* A clock that stands still or is before the start runs no tick. */
static void test_no_tick_before_boundary(void)
{
	struct rp_tick t;
	struct fake f = {};

	rp_tick_init(&t, 5 * RP_TICK_NS, fake_read, &f);
	rp_tick_advance(&t, 0, true);
	rp_tick_advance(&t, 5 * RP_TICK_NS + RP_TICK_NS - 1, true);
	CHECK_EQ(t.ticks, 0);
	CHECK_EQ(f.reads, 0);
	rp_tick_free(&t);
}

RP_TESTS(RP_T(test_merged_equals_unmerged), RP_T(test_rates), RP_T(test_no_tick_before_boundary))
