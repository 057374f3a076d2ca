/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The program's one clock. Live: the kernel's coarse monotonic clock (+9 ns against +32 ns
 * for bpf_ktime_get_ns(), and tick-accurate is all a rate limiter or an expiry needs).
 * Replay: the capture time carried in the record. rp_replay is const volatile, so the
 * verifier prunes the branch that is not taken. Every time the program stores must come
 * from rp_now().
 */
#ifndef RP_BPF_CLOCK_H
#define RP_BPF_CLOCK_H

#include "maps.h"

/* Replay runs on one CPU, so plain globals are safe here; live never touches them. */
__u64 rp_clock_last = 0; /* last time the program saw (tests read it) */
__u64 rp_clock_backwards = 0; /* capture timestamps that went backwards, clamped */

static __always_inline __u64 rp_now(__u64 rec_time)
{
	if (!rp_replay)
		return bpf_ktime_get_coarse_ns();
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
