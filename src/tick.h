/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The control plane's tick: every 100 ms it reads the per-CPU counters and records the
 * rates of the tick that ended. Replay drives it with capture time, the daemon with the
 * wall clock; it is the same code. Detection (a later issue) lives in rp_tick_step().
 *
 * Idle stretches may be merged: rp_tick_advance() with merge set does not read counters
 * for ticks in which no frame was processed, and applies the zero-traffic update in one go.
 * The result is identical to running every empty tick (tests/replay checks both ways).
 */
#ifndef RP_TICK_H
#define RP_TICK_H

#include <stdbool.h>
#include <stdint.h>

#include "rempart/abi.h"

#define RP_TICK_NS 100000000ull

/* The rates of one tick, over every service. */
struct rp_tick_rates {
	uint64_t index; /* tick number since the start */
	uint64_t packets, bytes, dropped, dropped_bytes, syn, inbound, outbound;
};

/* What the tick needs from its caller: the current counters. */
typedef int (*rp_tick_read_fn)(void *arg, struct rp_svc_counters *sum);

struct rp_tick {
	uint64_t start_ns; /* time of tick 0's start */
	uint64_t ticks; /* ticks completed */
	bool dirty; /* frames processed since the last counter read */
	rp_tick_read_fn read;
	void *read_arg;
	struct rp_svc_counters last; /* counters at the last read */
	/* Baseline: EWMA of packets per tick, fixed point (<< 8), alpha 1/8. */
	uint64_t ewma_pkts_fp;
	uint64_t peak_pps, peak_bps, peak_drop_pps;
	/* Ticks with traffic, in order. */
	struct rp_tick_rates *series;
	size_t n_series, cap_series;
	uint64_t counter_reads; /* how many times the counters were read */
};

void rp_tick_init(struct rp_tick *t, uint64_t start_ns, rp_tick_read_fn read, void *arg);
void rp_tick_free(struct rp_tick *t);

/* Note that a frame was processed (the next boundary must read the counters). */
static inline void rp_tick_touch(struct rp_tick *t)
{
	t->dirty = true;
}

/* Run every tick boundary up to and including now_ns. Returns 0 or -errno. */
int rp_tick_advance(struct rp_tick *t, uint64_t now_ns, bool merge);

/* Close the tick in progress (end of a capture). */
int rp_tick_finish(struct rp_tick *t);

#endif
