/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Loading the data plane (build/rempart.bpf.o, embedded as a skeleton) and talking to its
 * maps. Replay, the live daemon and the tests all load the program through here.
 */
#ifndef RP_DATAPLANE_H
#define RP_DATAPLANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "rempart/abi.h"
#include "rempart/policy.h"

struct rempart;
struct rp_config;

struct rp_dp {
	struct rempart *skel;
	int xdp_fd; /* rp_xdp */
	int tc_fd; /* rp_tc_egress */
	int counters_fd;
	int ncpus; /* possible CPUs: the per-CPU value count */
	struct rp_svc_counters *percpu; /* ncpus values, the lookup buffer */
	/* The country dataset in the geo tables (policy.c loads it for the fences). */
	char *geo_path; /* NULL: none loaded */
	struct stat geo_st; /* the file as it was when loaded: a reload reads it again if it
			     * changed (replaced, or rewritten in place) */
	char geo_name[64];
	char geo_date[32];
};

enum rp_dp_mode {
	RP_DP_INLINE = 0,
	RP_DP_MONITOR = 1,
	RP_DP_REPLAY = 2,
};

/* Open and load the program for a mode. Returns 0 or -errno, with a message logged. */
int rp_dp_open(struct rp_dp *dp, enum rp_dp_mode mode);
void rp_dp_close(struct rp_dp *dp);

/*
 * Live use (rempart run): maps pinned in pin_dir, which must exist on a bpffs. Before the
 * load, every map but .rodata/.kconfig whose pin PIN_DIR/<name> exists is adopted (the
 * program reuses it: deny list, known clients, levels, counters, sketch, policy slots and
 * the .data knobs including the hash seed survive a restart); after the load the others
 * are pinned. A map's pin is its name; global data ("rempart.data", "rempart.bss") is
 * pinned as the section without the dot ("data", "bss"). Fresh .data gets a random hash seed (getrandom).
 * A pinned map that does not fit this build (type, sizes, entries, flags, or for .data and
 * .bss the variables' layout) fails with -ESTALE and a message telling to run
 * 'rempart stop'. Returns 0 or -errno, with a message logged.
 */
#define RP_PIN_DIR_DEFAULT "/sys/fs/bpf/rempart"
#define RP_PIN_PROG_XDP "prog_xdp"
#define RP_PIN_PROG_TC "prog_tc"

struct rp_dp_pins {
	unsigned int adopted; /* maps adopted from pins */
	unsigned int created; /* maps created and pinned now */
	bool seed_kept; /* .data adopted: the old hash seed stays */
};

int rp_dp_open_pinned(struct rp_dp *dp, enum rp_dp_mode mode, const char *pin_dir,
		      struct rp_dp_pins *pins);
/* Pin both programs as PIN_DIR/prog_xdp and PIN_DIR/prog_tc, replacing older pins. */
int rp_dp_pin_progs(struct rp_dp *dp, const char *pin_dir);
/* A map's pin file name from its libbpf name: after the first dot if any, other dots as
 * '_'. 0 or -ENAMETOOLONG. */
int rp_dp_pin_name(const char *name, char *out, size_t len);
/* DIR/<pin name of name> into out. 0 or -ENAMETOOLONG. */
int rp_dp_pin_path(const char *dir, const char *name, char *out, size_t len);

/* Push a configuration into the maps and knobs (direction data, malformed verdict). */
int rp_dp_apply_config(struct rp_dp *dp, const struct rp_config *cfg);

/* Sum one service's per-CPU counters from the counters map fd into *sum; percpu holds
 * ncpus values (the lookup buffer). Returns 0 or -errno. */
int rp_counters_sum(int fd, int ncpus, struct rp_svc_counters *percpu, uint32_t service,
		    struct rp_svc_counters *sum);
/* Sum the per-CPU fence counters of (fence row, country code) from the rp_geo_counters map
 * fd into *sum; percpu holds ncpus values. Returns 0 or -errno. */
int rp_geo_counts_sum(int fd, int ncpus, struct rp_geo_count *percpu, uint32_t row, uint32_t cc,
		      struct rp_geo_count *sum);
/* Sum one service's per-CPU counters into *sum. Returns 0 or -errno. */
int rp_dp_read_counters(const struct rp_dp *dp, uint32_t service, struct rp_svc_counters *sum);

/* The verifier's processed-instruction count of a loaded program, or -errno. */
long rp_dp_verified_insns(int prog_fd);

/* Route libbpf's messages through our log; verbose shows libbpf's debug output too. */
void rp_dp_set_libbpf_log(bool verbose);

#endif
