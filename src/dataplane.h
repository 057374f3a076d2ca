/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Loading the data plane (build/rempart.bpf.o, embedded as a skeleton) and talking to its
 * maps. Replay, the live daemon and the tests all load the program through here.
 */
#ifndef RP_DATAPLANE_H
#define RP_DATAPLANE_H

#include <stdbool.h>
#include <stdint.h>

#include "rempart/abi.h"

struct rempart;
struct rp_config;

struct rp_dp {
	struct rempart *skel;
	int xdp_fd; /* rp_xdp */
	int tc_fd; /* rp_tc_egress */
	int counters_fd;
	int ncpus; /* possible CPUs: the per-CPU value count */
	struct rp_svc_counters *percpu; /* ncpus values, the lookup buffer */
};

enum rp_dp_mode {
	RP_DP_INLINE = 0,
	RP_DP_MONITOR = 1,
	RP_DP_REPLAY = 2,
};

/* Open and load the program for a mode. Returns 0 or -errno, with a message logged. */
int rp_dp_open(struct rp_dp *dp, enum rp_dp_mode mode);
void rp_dp_close(struct rp_dp *dp);

/* Push a configuration into the maps and knobs (direction data, malformed verdict). */
int rp_dp_apply_config(struct rp_dp *dp, const struct rp_config *cfg);

/* Sum one service's per-CPU counters into *sum. Returns 0 or -errno. */
int rp_dp_read_counters(const struct rp_dp *dp, uint32_t service, struct rp_svc_counters *sum);

/* The verifier's processed-instruction count of a loaded program, or -errno. */
long rp_dp_verified_insns(int prog_fd);

/* Route libbpf's messages through our log; verbose shows libbpf's debug output too. */
void rp_dp_set_libbpf_log(bool verbose);

#endif
