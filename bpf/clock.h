/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The program's one clock, in nanoseconds. Every time the program stores must come from
 * rp_now(). rp_replay is const volatile, so the verifier prunes the branch not taken.
 *
 * Replay: the capture time carried in the record.
 *
 * Live: the kernel's coarse monotonic clock (CLOCK_MONOTONIC_COARSE, which the control
 * plane reads too), to within a tick, without a helper call per frame:
 *
 *     now = jiffies * TICK_NSEC + off
 *
 * The kernel counts jiffies from its monotonic clock, one per TICK_NSEC
 * ((10^9 + HZ/2) / HZ, HZ from the kernel's config through libbpf's __kconfig), so off is
 * a constant up to the coarse clock's own phase against the tick. bpf_jiffies64() is
 * inlined by the verifier into one load (JIT on, 64-bit kernels; else it is a helper call,
 * still correct). Each CPU reads the coarse clock again every RP_CLOCK_RESYNC ticks (a
 * quarter of a second at HZ 250) and sets the shared off from it, with two guards:
 *  - jiffies read on both sides of the helper differ: the tick came between; skip;
 *  - the reading is more than a tick behind the clock in force: the kernel has counted
 *    the tick but not yet updated the coarse clock (after an idle catch-up, by many ticks):
 *    keep off as it is.
 * So the clock never runs ahead of the coarse clock by more than a tick, never freezes, and
 * steps back at most a tick at a resync; every user of the clock tolerates that (signed
 * differences; stamps that only move forward; the sketch ignores a line stamped up to 64
 * units, 67 ms, ahead). Without CONFIG_HZ (no kernel config readable), every frame calls
 * the helper as before. (bpf_ktime_get_coarse_ns() cost about 0.2x the floor per frame:
 * docs/bench.md.)
 */
#ifndef RP_BPF_CLOCK_H
#define RP_BPF_CLOCK_H

#include "maps.h"

#define RP_CLOCK_RESYNC 64 /* ticks between two reads of the coarse clock, per CPU */

extern unsigned int CONFIG_HZ __kconfig __weak;

/* Replay runs on one CPU, so plain globals are safe here; live never touches them. */
__u64 rp_clock_last = 0; /* last time the program saw (tests read it) */
__u64 rp_clock_backwards = 0; /* capture timestamps that went backwards, clamped */

/* Live: the coarse clock minus jiffies * TICK_NSEC at the last resync, shared by the CPUs
 * and read on every frame: a section (a map) of its own, so no counter written during a
 * flood shares its cache line. */
__u64 rp_clock_off SEC(".data.clock") = 0;

static __always_inline __u64 rp_now_live(struct rp_clock_cpu *c)
{
	__u64 j = bpf_jiffies64(), tick, ns, off, cur;

	if (j < c->next)
		return j * c->tick + rp_clock_off;
	ns = bpf_ktime_get_coarse_ns();
	if (!CONFIG_HZ || bpf_jiffies64() != j)
		return ns;
	tick = (1000000000ull + CONFIG_HZ / 2) / CONFIG_HZ;
	off = ns - j * tick;
	cur = rp_clock_off;
	if (!cur || (__s64)(off - cur) >= -(__s64)tick)
		rp_clock_off = off;
	else
		off = cur;
	c->tick = tick;
	c->next = j + RP_CLOCK_RESYNC;
	return j * tick + off;
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
