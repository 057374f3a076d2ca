/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Replay: every frame of a capture through the real data plane, one BPF_PROG_TEST_RUN per
 * frame, with the capture's time as the program's clock and as the tick's clock.
 * The contract is written down in docs/replay.md.
 */
#ifndef RP_REPLAY_H
#define RP_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "dataplane.h"
#include "rempart/abi.h"
#include "tick.h"

/* An operator's level hold during a replay, in seconds from the capture's first frame. */
struct rp_level_hold {
	unsigned int svc; /* 1-based, configuration order */
	uint8_t level;
	uint64_t from_ns, to_ns; /* to 0: until the end */
};

#define RP_MAX_HOLDS 16

struct rp_replay_opts {
	const char *capture;
	const struct rp_config *cfg;
	const char *verdicts; /* CSV path, or NULL */
	const char *write_passed; /* pcap paths, or NULL */
	const char *write_dropped;
	bool no_merge_ticks; /* run every empty tick (tests compare both ways) */
	unsigned int n_holds;
	struct rp_level_hold holds[RP_MAX_HOLDS];
};

struct rp_tally {
	uint64_t frames;
	uint64_t bytes; /* wire bytes */
};

struct rp_replay_result {
	char format[8];
	char link[32];
	uint64_t frames;
	uint64_t bytes;
	uint64_t first_ns, last_ns;
	struct rp_tally verdict[RP_V_MAX];
	struct rp_tally reason[RP_REASON_MAX];
	struct rp_tally service[RP_MAX_SERVICES];
	char service_name[RP_MAX_SERVICES][2 * RP_CFG_MAX_NAME + 2]; /* "tenant/service" */
	struct rp_tally proto[RP_PB_MAX];
	struct rp_tally dir[RP_DIR_MAX];
	struct rp_tally dir_src[4];
	/* Per-source state left at the end: entries in the data plane's tables. */
	struct {
		uint64_t known, pending, frags, deny, hh_lost;
	} state;
	/* The geo fences: the dataset ("name date", empty when no service has a fence) and,
	 * per fenced service, the frames the fence passed and dropped by country. */
	char geo_dataset[128];
	struct rp_geo_row {
		uint16_t svc, cc;
		uint64_t pass, pass_bytes, drop, drop_bytes;
	} *geo;
	size_t n_geo;
	uint64_t clock_backwards; /* capture timestamps that went back, clamped by the program */
	uint64_t padded; /* frames under 14 bytes, padded for the test run */
	uint64_t cut; /* frames longer than one test run takes, passed cut with true lengths */
	bool damaged;
	char damage[512];
	/* Wall time, for benchmarks only (never printed: reports stay deterministic). */
	uint64_t load_ns; /* opening and verifying the program, and loading the policy */
	uint64_t loop_ns; /* the frame loop: read, test run, tick, verdict row */
	struct rp_tick tick;
};

/* How to run one frame through the loaded program (shared with the replay bench loop). */
struct rp_runner {
	const struct rp_dp *dp;
};

/*
 * Run one frame. buf (RP_CAP_BUF_SIZE bytes) holds the frame at buf + RP_CAP_HEADROOM
 * (capture.h) with len bytes; short frames are padded in place;
 * rec->in is filled by the caller. On return rec->out holds the program's decision
 * (verdict RP_V_ABORTED, reason no_record, if the program wrote none). Returns 0 or -errno
 * from the syscall.
 */
int rp_run_frame(const struct rp_dp *dp, uint8_t *buf, uint32_t len, union rp_record *rec);

/* Which bucket of rp_proto_bucket a decision falls in (for L3 and L4 tallies). */
int rp_proto_l3_bucket(const struct rp_rec_out *o);
int rp_proto_l4_bucket(const struct rp_rec_out *o);

/*
 * Replay a capture. Returns 0 when every frame was processed, -EIO when the capture is
 * damaged (res holds every frame before the damage and res->damage says where), or
 * another -errno with a message logged. rp_replay_result_free() releases res.
 */
int rp_replay(const struct rp_replay_opts *o, struct rp_replay_result *res);
void rp_replay_result_free(struct rp_replay_result *res);

/* Pin the calling thread to the CPU it runs on: per-CPU state then lives on one CPU. */
int rp_pin_cpu(void);

#endif
