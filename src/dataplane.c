// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rempart/abi.h"
#include "rempart.skel.h"
#include "config.h"
#include "dataplane.h"
#include "log.h"

static bool rp_libbpf_verbose;

static int rp_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !rp_libbpf_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void rp_dp_set_libbpf_log(bool verbose)
{
	rp_libbpf_verbose = verbose;
	libbpf_set_print(rp_libbpf_print);
}

int rp_dp_open(struct rp_dp *dp, enum rp_dp_mode mode)
{
	int err;

	memset(dp, 0, sizeof(*dp));
	dp->xdp_fd = dp->tc_fd = dp->counters_fd = -1;
	rp_dp_set_libbpf_log(rp_log_threshold >= RP_LOG_DEBUG);
	dp->ncpus = libbpf_num_possible_cpus();
	if (dp->ncpus < 0) {
		rp_err("cannot count possible CPUs: %s", strerror(-dp->ncpus));
		return dp->ncpus;
	}
	dp->percpu = calloc(dp->ncpus, sizeof(*dp->percpu));
	if (!dp->percpu)
		return -ENOMEM;
	dp->skel = rempart__open();
	if (!dp->skel) {
		err = -errno;
		rp_err("cannot open the BPF object: %s", strerror(-err));
		rp_dp_close(dp);
		return err;
	}
	dp->skel->rodata->rp_replay = mode == RP_DP_REPLAY;
	dp->skel->rodata->rp_monitor = mode == RP_DP_MONITOR;
	err = rempart__load(dp->skel);
	if (err) {
		rp_err("cannot load the BPF program: %s%s", strerror(-err),
		       err == -EPERM ? " (run as root, or with CAP_BPF and CAP_NET_ADMIN)" : "");
		rp_dp_close(dp);
		return err;
	}
	dp->xdp_fd = bpf_program__fd(dp->skel->progs.rp_xdp);
	dp->tc_fd = bpf_program__fd(dp->skel->progs.rp_tc_egress);
	dp->counters_fd = bpf_map__fd(dp->skel->maps.rp_counters);
	return 0;
}

void rp_dp_close(struct rp_dp *dp)
{
	if (dp->skel)
		rempart__destroy(dp->skel);
	dp->skel = NULL;
	free(dp->percpu);
	dp->percpu = NULL;
}

int rp_dp_apply_config(struct rp_dp *dp, const struct rp_config *cfg)
{
	int fd, err;
	__u8 one = 1;

	fd = bpf_map__fd(dp->skel->maps.rp_upstream_macs);
	for (unsigned int i = 0; i < cfg->n_upstream_macs; i++) {
		struct rp_mac_key k = {};

		memcpy(k.addr, cfg->upstream_macs[i], 6);
		if (bpf_map_update_elem(fd, &k, &one, BPF_ANY)) {
			err = -errno;
			rp_err("cannot add an upstream MAC: %s", strerror(-err));
			return err;
		}
	}
	for (unsigned int i = 0; i < cfg->n_local; i++) {
		const struct rp_prefix *p = &cfg->local[i];

		if (p->family == 4) {
			struct rp_lpm_v4 k = { .prefixlen = p->len };

			memcpy(&k.addr, p->addr, 4);
			err = bpf_map_update_elem(bpf_map__fd(dp->skel->maps.rp_local_v4), &k, &one,
						  BPF_ANY);
		} else {
			struct rp_lpm_v6 k = { .prefixlen = p->len };

			memcpy(k.addr, p->addr, 16);
			err = bpf_map_update_elem(bpf_map__fd(dp->skel->maps.rp_local_v6), &k, &one,
						  BPF_ANY);
		}
		if (err) {
			err = -errno;
			rp_err("cannot add a local prefix: %s", strerror(-err));
			return err;
		}
	}
	dp->skel->data->rp_knobs.malformed_verdict = cfg->malformed_verdict;
	dp->skel->data->rp_knobs.have_upstream_macs = cfg->n_upstream_macs > 0;
	return 0;
}

int rp_dp_read_counters(const struct rp_dp *dp, uint32_t service, struct rp_svc_counters *sum)
{
	const __u64 *src;
	__u64 *dst = (__u64 *)sum;
	size_t words = sizeof(*sum) / sizeof(__u64);

	if (bpf_map_lookup_elem(dp->counters_fd, &service, dp->percpu))
		return -errno;
	memset(sum, 0, sizeof(*sum));
	for (int c = 0; c < dp->ncpus; c++) {
		src = (const __u64 *)&dp->percpu[c];
		for (size_t w = 0; w < words; w++)
			dst[w] += src[w];
	}
	return 0;
}

long rp_dp_verified_insns(int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	return info.verified_insns;
}
