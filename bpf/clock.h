/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The program's one clock, in nanoseconds. Every time the program stores must come from
 * rp_now(). rp_replay is const volatile, so the verifier prunes the branch not taken.
 *
 * Replay: the capture time carried in the record.
 *
 * Live: the kernel's coarse monotonic clock (CLOCK_MONOTONIC_COARSE, which the control
 * plane reads too), without a helper call per frame. bpf_jiffies64() is inlined by the
 * verifier into one load, and the coarse clock moves once per tick, when jiffies does. So
 *
 *     now = jiffies * tick_ns + off
 *
 * with tick_ns and off learned from bpf_ktime_get_coarse_ns() itself: each CPU reads it
 * again every RP_CLOCK_RESYNC ticks (about a quarter of a second at HZ 250) and sets off;
 * tick_ns is the kernel's tick (HZ 100, 250, 300 or 1000), measured over those ticks and
 * snapped to the nearest. Until tick_ns is known (a CPU's first RP_CLOCK_RESYNC ticks),
 * and if it never matches a known HZ, every frame calls the helper as before. Between two
 * resyncs the clock drifts from the coarse clock by the NTP slew only (500 ppm at most: a
 * tenth of a millisecond). A resync that races the tick (jiffies read on both sides of the
 * helper differ) is skipped; one that reads jiffies after the tick and the coarse clock
 * before it sets the clock one tick late until the next. Every CPU reads the same off and
 * jiffies, so the CPUs agree; time may step back by the slew at a resync, which every user
 * of the clock tolerates (signed differences, or dt clamped at 0).
 * (bpf_ktime_get_coarse_ns() cost about 0.2x the floor per frame: docs/bench.md.)
 */
#ifndef RP_BPF_CLOCK_H
#define RP_BPF_CLOCK_H

#include "maps.h"

#define RP_CLOCK_RESYNC 64 /* ticks between two reads of the coarse clock, per CPU */

/* Replay runs on one CPU, so plain globals are safe here; live never touches them. */
__u64 rp_clock_last = 0; /* last time the program saw (tests read it) */
__u64 rp_clock_backwards = 0; /* capture timestamps that went backwards, clamped */

/* Live: shared by the CPUs; each is one aligned 64-bit word, written whole. */
__u64 rp_clock_tick = 0; /* ns per jiffy, 0 until measured */
__u64 rp_clock_off = 0; /* coarse ns - jiffies * rp_clock_tick at the last resync */

/* The known tick length within 5 % of t, or 0. */
static __always_inline __u64 rp_clock_snap(__u64 t)
{
	static const __u64 ticks[4] = { 1000000, 3333333, 4000000, 10000000 };

#pragma unroll
	for (int i = 0; i < 4; i++)
		if (t > ticks[i] - ticks[i] / 20 && t < ticks[i] + ticks[i] / 20)
			return ticks[i];
	return 0;
}

static __always_inline __u64 rp_now_live(struct rp_clock_cpu *c)
{
	__u64 j = bpf_jiffies64(), tick = rp_clock_tick, ns, j2;

	if (tick && j < c->next)
		return j * tick + rp_clock_off;
	ns = bpf_ktime_get_coarse_ns();
	j2 = bpf_jiffies64();
	if (j2 != j)
		return ns; /* the tick came between: try again on the next frame */
	if (!c->j0 || j < c->j0) {
		c->j0 = j;
		c->ns0 = ns;
	} else if (j - c->j0 >= RP_CLOCK_RESYNC && ns > c->ns0) {
		tick = rp_clock_snap((ns - c->ns0) / (j - c->j0));
		if (tick)
			rp_clock_tick = tick;
		c->j0 = j;
		c->ns0 = ns;
	}
	if (tick) {
		rp_clock_off = ns - j * tick;
		c->next = j + RP_CLOCK_RESYNC;
	}
	return ns;
}

static __always_inline __u64 rp_now(__u64 rec_time, struct rp_clock_cpu *c)
{
	if (!rp_replay)
		return rp_now_live(c);
	/* A capture's clock can step back (merged files, NTP). Stored expiries must never
	 * see time reverse, so clamp to the latest time seen and count the event. */
	if (rec_time < rp_clock_last) {
		rp_clock_backwards++;
		return rp_clock_last;
	}
	rp_clock_last = rec_time;
	return rec_time;
}

#endif /* RP_BPF_CLOCK_H */
