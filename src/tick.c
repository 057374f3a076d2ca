// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tick.h"

void rp_tick_init(struct rp_tick *t, uint64_t start_ns, rp_tick_read_fn read, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->start_ns = start_ns;
	t->read = read;
	t->read_arg = arg;
}

void rp_tick_free(struct rp_tick *t)
{
	free(t->series);
	t->series = NULL;
}

/* The per-tick state update. Zero traffic must be a pure function of the state alone, so
 * that merged idle ticks equal the same number of empty ones. */
static void rp_tick_baseline(struct rp_tick *t, uint64_t pkts)
{
	uint64_t x = pkts << 8;

	if (x >= t->ewma_pkts_fp)
		t->ewma_pkts_fp += (x - t->ewma_pkts_fp) >> 3;
	else
		t->ewma_pkts_fp -= (t->ewma_pkts_fp - x) >> 3;
}

static int rp_tick_step(struct rp_tick *t)
{
	struct rp_svc_counters now;
	struct rp_tick_rates r = { .index = t->ticks };
	int err;

	err = t->read(t->read_arg, &now);
	if (err)
		return err;
	t->counter_reads++;
	t->dirty = false;
	r.packets = now.dir[RP_DIR_IN].packets + now.dir[RP_DIR_OUT].packets -
		    t->last.dir[RP_DIR_IN].packets - t->last.dir[RP_DIR_OUT].packets;
	r.bytes = now.dir[RP_DIR_IN].bytes + now.dir[RP_DIR_OUT].bytes - t->last.dir[RP_DIR_IN].bytes -
		  t->last.dir[RP_DIR_OUT].bytes;
	r.dropped = now.verdict[RP_V_DROP].packets - t->last.verdict[RP_V_DROP].packets;
	r.dropped_bytes = now.verdict[RP_V_DROP].bytes - t->last.verdict[RP_V_DROP].bytes;
	r.syn = now.syn - t->last.syn;
	r.inbound = now.dir[RP_DIR_IN].packets - t->last.dir[RP_DIR_IN].packets;
	r.outbound = now.dir[RP_DIR_OUT].packets - t->last.dir[RP_DIR_OUT].packets;
	t->last = now;

	if (r.packets) {
		if (t->n_series == t->cap_series) {
			size_t cap = t->cap_series ? 2 * t->cap_series : 256;
			void *p = realloc(t->series, cap * sizeof(*t->series));

			if (!p)
				return -ENOMEM;
			t->series = p;
			t->cap_series = cap;
		}
		t->series[t->n_series++] = r;
	}
	if (r.packets * 10 > t->peak_pps)
		t->peak_pps = r.packets * 10;
	if (r.bytes * 80 > t->peak_bps)
		t->peak_bps = r.bytes * 80;
	if (r.dropped * 10 > t->peak_drop_pps)
		t->peak_drop_pps = r.dropped * 10;
	rp_tick_baseline(t, r.packets);
	t->ticks++;
	return 0;
}

/* n empty ticks at once: no counter read, the baseline decays until it stops changing. */
static void rp_tick_idle(struct rp_tick *t, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t before = t->ewma_pkts_fp;

		rp_tick_baseline(t, 0);
		if (t->ewma_pkts_fp == before)
			break; /* a fixed point: the remaining ticks change nothing */
	}
	t->ticks += n;
}

int rp_tick_advance(struct rp_tick *t, uint64_t now_ns, bool merge)
{
	uint64_t due;
	int err;

	if (now_ns < t->start_ns)
		return 0;
	due = (now_ns - t->start_ns) / RP_TICK_NS; /* boundaries passed: ticks 0..due-1 ended */
	while (t->ticks < due) {
		if (merge && !t->dirty) {
			rp_tick_idle(t, due - t->ticks);
			break;
		}
		err = rp_tick_step(t);
		if (err)
			return err;
	}
	return 0;
}

int rp_tick_finish(struct rp_tick *t)
{
	return rp_tick_step(t);
}
