// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
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

/* Open the skeleton and set the load-time mode; nothing is loaded yet. */
/*
 * libbpf resolves bpf/clock.h's CONFIG_HZ from /boot/config-$(uname -r) or
 * /proc/config.gz, and fails the load when it finds neither. Then it is given
 * CONFIG_HZ=0 instead (a value given here spares libbpf the files), and the live clock
 * calls bpf_ktime_get_coarse_ns() on every frame.
 */
static const char *dp_kconfig(void)
{
	char path[sizeof("/boot/config-") + sizeof(((struct utsname *)0)->release)];
	struct utsname u;

	if (!access("/proc/config.gz", R_OK))
		return NULL;
	if (!uname(&u)) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		if (!access(path, R_OK))
			return NULL;
	}
	return "CONFIG_HZ=0\n";
}

static int dp_open_skel(struct rp_dp *dp, enum rp_dp_mode mode)
{
	LIBBPF_OPTS(bpf_object_open_opts, o);
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
	o.kconfig = dp_kconfig();
	dp->skel = rempart__open_opts(&o);
	if (!dp->skel) {
		err = -errno;
		rp_err("cannot open the BPF object: %s", strerror(-err));
		rp_dp_close(dp);
		return err;
	}
	dp->skel->rodata->rp_replay = mode == RP_DP_REPLAY;
	dp->skel->rodata->rp_monitor = mode == RP_DP_MONITOR;
	return 0;
}

static int dp_load(struct rp_dp *dp)
{
	int err = rempart__load(dp->skel);

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

int rp_dp_open(struct rp_dp *dp, enum rp_dp_mode mode)
{
	int err = dp_open_skel(dp, mode);

	return err ? err : dp_load(dp);
}

/* ---- pinning and adoption (rempart run; docs/run.md) ---- */

/* The section of a global-data map: libbpf names it "<object prefix>.data". */
static const char *internal_sec(const struct bpf_map *map)
{
	const char *dot = strchr(bpf_map__name(map), '.');

	return dot ? dot : bpf_map__name(map);
}

/* Maps that are pinned and adopted: all but the load-time constants (.rodata, .kconfig),
 * which hold the mode and are frozen at load. */
static bool pinnable(const struct bpf_map *map)
{
	const char *name;

	if (!bpf_map__is_internal(map))
		return true;
	name = internal_sec(map);
	return !strstr(name, ".rodata") && !strstr(name, ".kconfig");
}

int rp_dp_pin_name(const char *name, char *out, size_t len)
{
	size_t i = 0;
	const char *dot = strchr(name, '.');

	if (dot)
		name = dot + 1; /* "rempart.data" -> "data" */
	for (; *name && i + 1 < len; name++)
		out[i++] = *name == '.' ? '_' : *name;
	out[i] = 0;
	return *name ? -ENAMETOOLONG : 0;
}

int rp_dp_pin_path(const char *dir, const char *name, char *out, size_t len)
{
	char n[64];
	int w;

	if (rp_dp_pin_name(name, n, sizeof(n)))
		return -ENAMETOOLONG;
	w = snprintf(out, len, "%s/%s", dir, n);
	return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}

/* The variables of a global-data section (DATASEC): names, offsets and sizes must match,
 * or the adopted values would be read as other variables. */
static bool datasec_same(const struct btf *a, const struct btf_type *ta, const struct btf *b,
			 const struct btf_type *tb)
{
	const struct btf_var_secinfo *va, *vb;

	if (!btf_is_datasec(ta) || !btf_is_datasec(tb) || btf_vlen(ta) != btf_vlen(tb))
		return false;
	va = btf_var_secinfos(ta);
	vb = btf_var_secinfos(tb);
	for (unsigned int i = 0; i < btf_vlen(ta); i++) {
		const struct btf_type *xa = btf__type_by_id(a, va[i].type);
		const struct btf_type *xb = btf__type_by_id(b, vb[i].type);

		if (!xa || !xb || va[i].offset != vb[i].offset || va[i].size != vb[i].size ||
		    strcmp(btf__name_by_offset(a, xa->name_off), btf__name_by_offset(b, xb->name_off)))
			return false;
	}
	return true;
}

/* Whether the pinned map (fd) can serve as map: same type, sizes, entries and flags, and for
 * global data the same variables. On mismatch, what differs goes into why. */
static bool compatible(const struct rp_dp *dp, const struct bpf_map *map, int fd, char *why,
		       size_t len)
{
	struct bpf_map_info info = {};
	__u32 ilen = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &ilen)) {
		snprintf(why, len, "cannot read it: %s", strerror(errno));
		return false;
	}
	if (info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
	    info.value_size != bpf_map__value_size(map) ||
	    info.max_entries != bpf_map__max_entries(map) ||
	    info.map_flags != bpf_map__map_flags(map)) {
		snprintf(why, len,
			 "pinned type %u key %u value %u entries %u flags 0x%x, this build %u %u "
			 "%u %u 0x%x",
			 info.type, info.key_size, info.value_size, info.max_entries, info.map_flags,
			 bpf_map__type(map), bpf_map__key_size(map), bpf_map__value_size(map),
			 bpf_map__max_entries(map), bpf_map__map_flags(map));
		return false;
	}
	if (bpf_map__is_internal(map)) {
		const struct btf *ob = bpf_object__btf(dp->skel->obj);
		struct btf *kb;
		int id;
		bool same = false;

		if (!info.btf_id || !ob) {
			snprintf(why, len, "no BTF to compare its variables");
			return false;
		}
		kb = btf__load_from_kernel_by_id(info.btf_id);
		id = ob ? btf__find_by_name_kind(ob, internal_sec(map), BTF_KIND_DATASEC) : -1;
		if (kb && id > 0)
			same = datasec_same(kb, btf__type_by_id(kb, info.btf_value_type_id), ob,
					    btf__type_by_id(ob, id));
		btf__free(kb);
		if (!same) {
			snprintf(why, len, "its variables differ from this build's");
			return false;
		}
	}
	return true;
}

int rp_dp_open_pinned(struct rp_dp *dp, enum rp_dp_mode mode, const char *pin_dir,
		      struct rp_dp_pins *pins)
{
	struct bpf_map *map;
	bool data_adopted = false;
	char path[PATH_MAX], why[256];
	int err, fd;

	memset(pins, 0, sizeof(*pins));
	err = dp_open_skel(dp, mode);
	if (err)
		return err;
	bpf_object__for_each_map(map, dp->skel->obj) {
		if (!pinnable(map))
			continue;
		err = rp_dp_pin_path(pin_dir, bpf_map__name(map), path, sizeof(path));
		if (err)
			goto fail;
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
			if (err == -ENOENT)
				continue;
			rp_err("%s: cannot open the pinned map: %s", path, strerror(-err));
			goto fail;
		}
		if (!compatible(dp, map, fd, why, sizeof(why))) {
			rp_err("%s: the pinned map does not fit this build (%s); its state cannot be "
			       "adopted: run 'rempart stop' to remove the old pins first",
			       path, why);
			close(fd);
			err = -ESTALE;
			goto fail;
		}
		err = bpf_map__reuse_fd(map, fd);
		close(fd);
		if (err) {
			rp_err("%s: cannot adopt the pinned map: %s; run 'rempart stop' first", path,
			       strerror(-err));
			goto fail;
		}
		pins->adopted++;
		if (map == dp->skel->maps.data)
			data_adopted = true;
	}
	err = dp_load(dp);
	if (err)
		return err;
	bpf_object__for_each_map(map, dp->skel->obj) {
		if (!pinnable(map) || (bpf_map__is_pinned(map)))
			continue;
		err = rp_dp_pin_path(pin_dir, bpf_map__name(map), path, sizeof(path));
		if (!err) {
			struct stat st;

			if (!stat(path, &st))
				continue; /* adopted: already there */
			err = bpf_map__pin(map, path);
		}
		if (err) {
			rp_err("%s: cannot pin the map: %s", path, strerror(-err));
			rp_dp_close(dp);
			return err;
		}
		pins->created++;
	}
	/* The sketch's hash seed: random live, kept with the adopted .data (the sketch counts
	 * were hashed with it). */
	pins->seed_kept = data_adopted;
	if (!data_adopted) {
		__u64 seed = 0;

		if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed)) {
			err = -errno;
			rp_err("getrandom: %s", strerror(-err));
			rp_dp_close(dp);
			return err;
		}
		dp->skel->data->rp_knobs.hash_seed = seed;
	}
	return 0;
fail:
	rp_dp_close(dp);
	return err;
}

int rp_dp_pin_progs(struct rp_dp *dp, const char *pin_dir)
{
	static const char *const names[2] = { RP_PIN_PROG_XDP, RP_PIN_PROG_TC };
	struct bpf_program *progs[2] = { dp->skel->progs.rp_xdp, dp->skel->progs.rp_tc_egress };
	char path[PATH_MAX];
	int err;

	for (int i = 0; i < 2; i++) {
		err = rp_dp_pin_path(pin_dir, names[i], path, sizeof(path));
		if (err)
			return err;
		if (unlink(path) && errno != ENOENT) {
			err = -errno;
			rp_err("%s: cannot replace the pinned program: %s", path, strerror(-err));
			return err;
		}
		err = bpf_program__pin(progs[i], path);
		if (err) {
			rp_err("%s: cannot pin the program: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

void rp_dp_close(struct rp_dp *dp)
{
	if (dp->skel)
		rempart__destroy(dp->skel);
	dp->skel = NULL;
	free(dp->percpu);
	dp->percpu = NULL;
	free(dp->geo_path);
	dp->geo_path = NULL;
}

/* Does the configuration list this key of the upstream-MAC set or a local-space trie? */
static bool cfg_has_key(const struct rp_config *cfg, int which, const void *key)
{
	if (which == 0) {
		const struct rp_mac_key *k = key;

		for (unsigned int i = 0; i < cfg->n_upstream_macs; i++)
			if (!memcmp(k->addr, cfg->upstream_macs[i], 6))
				return true;
		return false;
	}
	for (unsigned int i = 0; i < cfg->n_local; i++) {
		const struct rp_prefix *p = &cfg->local[i];

		if (which == 4 && p->family == 4) {
			const struct rp_lpm_v4 *k = key;

			if (k->prefixlen == p->len && !memcmp(&k->addr, p->addr, 4))
				return true;
		} else if (which == 6 && p->family == 6) {
			const struct rp_lpm_v6 *k = key;

			if (k->prefixlen == p->len && !memcmp(k->addr, p->addr, 16))
				return true;
		}
	}
	return false;
}

/* Remove what a previous configuration put in the map and this one does not list. */
static int map_prune(int fd, size_t ksize, const struct rp_config *cfg, int which)
{
	unsigned char key[sizeof(struct rp_lpm_v6)], next[sizeof(struct rp_lpm_v6)];
	unsigned char *stale = NULL;
	size_t n = 0, cap = 0;
	void *prev = NULL;
	int err = 0;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, ksize);
		prev = key;
		if (cfg_has_key(cfg, which, key))
			continue;
		if (n == cap) {
			unsigned char *grown = realloc(stale, (cap = cap ? cap * 2 : 16) * ksize);

			if (!grown) {
				free(stale);
				return -ENOMEM;
			}
			stale = grown;
		}
		memcpy(stale + n++ * ksize, key, ksize);
	}
	for (size_t i = 0; i < n && !err; i++)
		if (bpf_map_delete_elem(fd, stale + i * ksize) && errno != ENOENT)
			err = -errno;
	free(stale);
	return err;
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
	/* The new entries are in; now the ones this configuration no longer lists go. */
	err = map_prune(bpf_map__fd(dp->skel->maps.rp_upstream_macs), sizeof(struct rp_mac_key),
			cfg, 0);
	if (!err)
		err = map_prune(bpf_map__fd(dp->skel->maps.rp_local_v4), sizeof(struct rp_lpm_v4),
				cfg, 4);
	if (!err)
		err = map_prune(bpf_map__fd(dp->skel->maps.rp_local_v6), sizeof(struct rp_lpm_v6),
				cfg, 6);
	if (err)
		rp_err("cannot remove the previous configuration's direction data: %s",
		       strerror(-err));
	return err;
}

int rp_counters_sum(int fd, int ncpus, struct rp_svc_counters *percpu, uint32_t service,
		    struct rp_svc_counters *sum)
{
	__u64 *dst = (__u64 *)sum;
	size_t words = sizeof(*sum) / sizeof(__u64);

	if (bpf_map_lookup_elem(fd, &service, percpu))
		return -errno;
	memset(sum, 0, sizeof(*sum));
	for (int c = 0; c < ncpus; c++) {
		const __u64 *src = (const __u64 *)&percpu[c];

		for (size_t w = 0; w < words; w++)
			dst[w] += src[w];
	}
	return 0;
}

int rp_geo_counts_sum(int fd, int ncpus, struct rp_geo_count *percpu, uint32_t row, uint32_t cc,
		      struct rp_geo_count *sum)
{
	uint32_t key = row * RP_GEO_NCODES + cc;

	memset(sum, 0, sizeof(*sum));
	if (row >= RP_MAX_FENCED || cc >= RP_GEO_NCODES)
		return -EINVAL;
	if (bpf_map_lookup_elem(fd, &key, percpu))
		return -errno;
	for (int c = 0; c < ncpus; c++) {
		sum->pass_pkts += percpu[c].pass_pkts;
		sum->pass_bytes += percpu[c].pass_bytes;
		sum->drop_pkts += percpu[c].drop_pkts;
		sum->drop_bytes += percpu[c].drop_bytes;
	}
	return 0;
}

int rp_dp_read_counters(const struct rp_dp *dp, uint32_t service, struct rp_svc_counters *sum)
{
	return rp_counters_sum(dp->counters_fd, dp->ncpus, dp->percpu, service, sum);
}

long rp_dp_verified_insns(int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	return info.verified_insns;
}
