// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `rempart run`: the daemon. Loads the data plane with its maps pinned (adopting the pins
 * of an earlier run), attaches rp_xdp (XDP) and rp_tc_egress (tc egress) to the configured
 * interfaces, then runs the control loop: a 100 ms timer and the heavy-hitter ring buffer
 * drive rp_control_tick(), SIGHUP reloads the configuration, SIGTERM/SIGINT exit and leave
 * the programs attached. `rempart stop` detaches them and removes the pins; `rempart stats`
 * prints the pinned counters. docs/run.md is the user's side of this file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/timerfd.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rempart/abi.h"
#include "rempart/policy.h"
#include "rempart.skel.h"
#include "cli.h"
#include "config.h"
#include "control.h"
#include "dataplane.h"
#include "geo.h"
#include "log.h"
#include "policy.h"
#include "reasons.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

/* The tc egress filter: one fixed handle and priority, so a restart replaces it in place. */
#define RP_TC_HANDLE 0x7270 /* "rp" */
#define RP_TC_PRIO 1
#define RP_TICK_NS 100000000ull

static const char run_usage[] =
	"usage: rempart run -c CONFIG [--iface IF]... [--monitor] [--pin-dir DIR]\n"
	"Protect interfaces: load the data plane, attach it (XDP inbound, tc egress\n"
	"outbound) and run the control loop in the foreground.\n"
	"\n"
	"  -c, --config FILE   the configuration (required; rempart check -c FILE)\n"
	"  -i, --iface IF      an interface to protect, repeatable; replaces the config's\n"
	"                      'interfaces'\n"
	"      --monitor       monitor mode (mirror port): count and decide, drop every\n"
	"                      copy, no tc egress; also 'mode: monitor' in the config\n"
	"      --pin-dir DIR   where maps and programs are pinned, on a bpffs (default\n"
	"                      " RP_PIN_DIR_DEFAULT "; /sys/fs/bpf is mounted if needed)\n"
	"  -h, --help          show this text\n"
	"\n"
	"Maps pinned by an earlier run are adopted: the deny list, known clients, levels,\n"
	"counters and the sketch survive a restart, and the new program replaces the old one\n"
	"atomically. Native XDP is tried first; generic (skb) XDP is the fallback, with a\n"
	"warning. Signals: SIGHUP reloads CONFIG (a broken file is rejected and the running\n"
	"policy stays); SIGTERM or SIGINT exit and leave the programs attached, so protection\n"
	"stays in place: 'rempart stop' detaches. Exit: 0 after a signal, 1 runtime failure\n"
	"(load, attach, pins that do not fit this build), 2 usage or configuration error.\n"
	"Details: docs/run.md\n";

static const char stop_usage[] =
	"usage: rempart stop [--iface IF]... [--pin-dir DIR]\n"
	"Detach rempart's XDP program and tc egress filter and remove the pins. Without\n"
	"--iface, every interface of the current network namespace is looked at; programs\n"
	"that are not rempart's are left alone. Stop a running 'rempart run' first.\n"
	"\n"
	"  -i, --iface IF      only this interface, repeatable\n"
	"      --pin-dir DIR   the pin directory (default " RP_PIN_DIR_DEFAULT ")\n"
	"  -h, --help          show this text\n"
	"\n"
	"Exit: 0 (also when nothing was attached, which it says), 1 runtime failure,\n"
	"2 usage error.\n";

static const char stats_usage[] =
	"usage: rempart stats [--pin-dir DIR] [--service N]\n"
	"Print the pinned data plane's counters, one \"name value\" line each: packets and\n"
	"bytes by direction, verdicts, protocols, SYNs, and every reason seen. Summed over all\n"
	"services unless --service N (0: traffic to no protected service, 1..: a service's\n"
	"number). Then the numbers of the configuration in force: service.N TENANT/NAME.\n"
	"Then, for each fenced service of the policy in force, the fence's counters by country\n"
	"of the source: geo.SVC.CC.pass.packets, .pass.bytes, .drop.packets, .drop.bytes\n"
	"(CC '--': outside the dataset), for the countries the fence has judged.\n"
	"\n"
	"      --pin-dir DIR   the pin directory (default " RP_PIN_DIR_DEFAULT ")\n"
	"      --service N     one service only\n"
	"  -h, --help          show this text\n"
	"\n"
	"Exit: 0, 1 when nothing is pinned or the map cannot be read, 2 usage error.\n";

enum { OPT_MONITOR = 256, OPT_PIN_DIR, OPT_SERVICE };

struct ifaces {
	unsigned int n;
	char name[RP_MAX_IFACES][IF_NAMESIZE];
	int index[RP_MAX_IFACES];
};

static int ifaces_add(struct ifaces *l, const char *name)
{
	if (l->n >= RP_MAX_IFACES) {
		rp_err("too many interfaces (at most %d)", RP_MAX_IFACES);
		return -E2BIG;
	}
	if (strlen(name) >= IF_NAMESIZE || !name[0]) {
		rp_err("'%s' is not an interface name", name);
		return -EINVAL;
	}
	strcpy(l->name[l->n++], name);
	return 0;
}

/* ---- bpffs ---- */

static bool on_bpffs(const char *path)
{
	struct statfs s;

	return !statfs(path, &s) && (unsigned long)s.f_type == (unsigned long)BPF_FS_MAGIC;
}

/* Make sure pin_dir exists on a bpffs: the default's /sys/fs/bpf is mounted when it is not
 * one; any other directory's parent must already be a bpffs. */
static int prepare_pin_dir(const char *pin_dir)
{
	char parent[PATH_MAX];
	char *slash;

	if (snprintf(parent, sizeof(parent), "%s", pin_dir) >= (int)sizeof(parent))
		return -ENAMETOOLONG;
	slash = strrchr(parent, '/');
	if (!slash || slash == parent) {
		rp_err("--pin-dir %s: give a directory inside a bpffs mount, e.g. "
		       "/sys/fs/bpf/rempart", pin_dir);
		return -EINVAL;
	}
	*slash = 0;
	if (!on_bpffs(parent)) {
		if (strcmp(pin_dir, RP_PIN_DIR_DEFAULT)) {
			rp_err("%s is not on a bpffs: mount one first (mount -t bpf bpf %s)", parent,
			       parent);
			return -ENOTDIR;
		}
		if (mkdir(parent, 0700) && errno != EEXIST) {
			rp_err("cannot create %s: %s", parent, strerror(errno));
			return -errno;
		}
		if (mount("bpf", parent, "bpf", 0, "mode=0700")) {
			int err = -errno;

			rp_err("cannot mount a bpffs on %s: %s", parent, strerror(-err));
			return err;
		}
		rp_info("mounted a bpffs on %s", parent);
	}
	if (mkdir(pin_dir, 0700) && errno != EEXIST) {
		int err = -errno;

		rp_err("cannot create %s: %s", pin_dir, strerror(-err));
		return err;
	}
	return 0;
}

/* One daemon per pin directory: an exclusive flock on it, held for the process's life. */
static int lock_pin_dir(const char *pin_dir, bool quiet)
{
	int fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int err = -errno;

		if (!quiet)
			rp_err("%s is in use by a running 'rempart run': stop it first (SIGTERM)",
			       pin_dir);
		close(fd);
		return err == -EWOULDBLOCK ? -EBUSY : err;
	}
	return fd;
}

/* ---- who owns an attached program ---- */

static bool prog_named(__u32 id, const char *name, int *fd_out)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);
	bool ok;

	if (fd < 0)
		return false;
	ok = !bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, name);
	if (ok && fd_out)
		*fd_out = fd;
	else
		close(fd);
	return ok;
}

static void prog_name(__u32 id, char *out, size_t len)
{
	struct bpf_prog_info info = {};
	__u32 ilen = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	snprintf(out, len, "id %u", id);
	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &ilen))
		snprintf(out, len, "%s (id %u)", info.name, id);
	if (fd >= 0)
		close(fd);
}

/* ---- XDP ---- */

/*
 * Attach prog_fd on ifindex. An earlier rempart program is replaced atomically in the mode
 * it has (XDP_FLAGS_REPLACE); a fresh attach tries native mode and falls back to generic.
 * *generic tells which mode holds it. Another tool's program is never replaced.
 */
static int xdp_attach(const char *ifname, int ifindex, int prog_fd, bool *generic)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_xdp_attach_opts, o);
	char other[64];
	__u32 old = 0;
	__u32 mode = XDP_FLAGS_DRV_MODE;
	int err, old_fd = -1;

	err = bpf_xdp_query(ifindex, 0, &q);
	if (err) {
		rp_err("%s: cannot query XDP: %s", ifname, strerror(-err));
		return err;
	}
	if (q.skb_prog_id) {
		old = q.skb_prog_id;
		mode = XDP_FLAGS_SKB_MODE;
	} else if (q.drv_prog_id) {
		old = q.drv_prog_id;
	} else if (q.hw_prog_id) {
		prog_name(q.hw_prog_id, other, sizeof(other));
		rp_err("%s: an offloaded XDP program is attached (%s): detach it first", ifname,
		       other);
		return -EBUSY;
	}
	if (old && !prog_named(old, "rp_xdp", &old_fd)) {
		prog_name(old, other, sizeof(other));
		rp_err("%s: another XDP program is attached (%s), not rempart's: detach it first",
		       ifname, other);
		return -EBUSY;
	}
	if (old) {
		o.old_prog_fd = old_fd;
		err = bpf_xdp_attach(ifindex, prog_fd, mode | XDP_FLAGS_REPLACE, &o);
		close(old_fd);
		if (err) {
			rp_err("%s: cannot replace the XDP program (%s mode): %s", ifname,
			       mode == XDP_FLAGS_SKB_MODE ? "generic" : "native", strerror(-err));
			return err;
		}
		*generic = mode == XDP_FLAGS_SKB_MODE;
		return 0;
	}
	err = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST,
			     NULL);
	if (!err) {
		*generic = false;
		return 0;
	}
	if (err == -EBUSY || err == -EEXIST) {
		rp_err("%s: an XDP program appeared meanwhile: %s", ifname, strerror(-err));
		return err;
	}
	rp_warn("%s: native XDP failed (%s): falling back to generic XDP, which is slower",
		ifname, strerror(-err));
	err = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST,
			     NULL);
	if (err) {
		rp_err("%s: cannot attach XDP in generic mode either: %s", ifname, strerror(-err));
		return err;
	}
	*generic = true;
	return 0;
}

/* Detach rempart's XDP program from ifindex. 1 detached, 0 nothing of ours, -errno. */
static int xdp_detach(const char *ifname, int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct {
		__u32 id, flag;
		const char *mode;
	} m[2];
	char other[64];
	int err, done = 0;

	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return err == -ENODEV ? 0 : err;
	m[0].id = q.drv_prog_id;
	m[0].flag = XDP_FLAGS_DRV_MODE;
	m[0].mode = "native";
	m[1].id = q.skb_prog_id;
	m[1].flag = XDP_FLAGS_SKB_MODE;
	m[1].mode = "generic";
	for (int i = 0; i < 2; i++) {
		LIBBPF_OPTS(bpf_xdp_attach_opts, o);
		int fd = -1;

		if (!m[i].id)
			continue;
		if (!prog_named(m[i].id, "rp_xdp", &fd)) {
			prog_name(m[i].id, other, sizeof(other));
			printf("%s: XDP program %s is not rempart's: left alone\n", ifname, other);
			continue;
		}
		o.old_prog_fd = fd;
		err = bpf_xdp_detach(ifindex, m[i].flag | XDP_FLAGS_REPLACE, &o);
		close(fd);
		if (err) {
			rp_err("%s: cannot detach the %s XDP program: %s", ifname, m[i].mode,
			       strerror(-err));
			return err;
		}
		printf("%s: detached rp_xdp (%s XDP)\n", ifname, m[i].mode);
		done = 1;
	}
	return done;
}

/* ---- tc egress ---- */

static int tc_attach(const char *ifname, int ifindex, int prog_fd)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = RP_TC_HANDLE, .priority = RP_TC_PRIO,
			    .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE);
	int err = bpf_tc_hook_create(&hook);

	if (err && err != -EEXIST) {
		rp_err("%s: cannot create the clsact qdisc: %s", ifname, strerror(-err));
		return err;
	}
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		rp_err("%s: cannot attach the tc egress filter: %s", ifname, strerror(-err));
		return err;
	}
	return 0;
}

/* Detach rempart's tc egress filter. 1 detached, 0 nothing of ours, -errno. The clsact
 * qdisc stays: other filters may hang on it. */
static int tc_detach(const char *ifname, int ifindex, bool quiet)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = RP_TC_HANDLE, .priority = RP_TC_PRIO);
	char other[64];
	libbpf_print_fn_t print = libbpf_set_print(NULL); /* "no clsact" is no news here */
	int err = bpf_tc_query(&hook, &opts);

	libbpf_set_print(print);
	if (err)
		return 0; /* no clsact, or no filter at our handle */
	if (!prog_named(opts.prog_id, "rp_tc_egress", NULL)) {
		prog_name(opts.prog_id, other, sizeof(other));
		if (!quiet)
			printf("%s: tc egress filter %s is not rempart's: left alone\n", ifname,
			       other);
		return 0;
	}
	opts.prog_id = 0;
	opts.prog_fd = 0;
	opts.flags = 0;
	err = bpf_tc_detach(&hook, &opts);
	if (err) {
		rp_err("%s: cannot detach the tc egress filter: %s", ifname, strerror(-err));
		return err;
	}
	if (!quiet)
		printf("%s: detached rp_tc_egress (tc egress)\n", ifname);
	return 1;
}

/* ---- adopting the deny list ---- */

/*
 * The deny list's userspace side (policy.c) starts empty in a new process, while the
 * adopted hashes still hold the earlier run's entries. Register every entry found there
 * (same expiry, origin and service), then sync with the configuration again so that
 * configuration entries no longer configured go away properly (hash, /24 bitmap, lengths).
 */
static int deny_import(struct rp_control *ctl, struct rp_dp *dp, const struct rp_config *cfg,
		       unsigned int *count)
{
	struct rp_deny *d = rp_control_deny(ctl);
	int fds[2] = { bpf_map__fd(dp->skel->maps.rp_deny4), bpf_map__fd(dp->skel->maps.rp_deny6) };
	size_t ksz[2] = { sizeof(struct rp_deny4_key), sizeof(struct rp_deny6_key) };
	int err = 0;

	*count = 0;
	for (int f = 0; f < 2 && !err; f++) {
		size_t n = 0, cap = 1024;
		uint8_t *keys = malloc(cap * ksz[f]), *prev = NULL;

		if (!keys)
			return -ENOMEM;
		/* Keys first: rp_deny_add rewrites entries, which would disturb the walk. */
		while (!bpf_map_get_next_key(fds[f], prev, keys + n * ksz[f])) {
			prev = keys + n * ksz[f];
			if (++n == cap) {
				uint8_t *k = realloc(keys, 2 * cap * ksz[f]);

				if (!k) {
					free(keys);
					return -ENOMEM;
				}
				keys = k;
				cap *= 2;
				prev = keys + (n - 1) * ksz[f];
			}
		}
		for (size_t i = 0; i < n && !err; i++) {
			struct rp_deny_val v;
			struct rp_prefix p = { .family = f ? 6 : 4 };

			if (bpf_map_lookup_elem(fds[f], keys + i * ksz[f], &v))
				continue; /* gone meanwhile */
			if (f == 0) {
				const struct rp_deny4_key *k = (const void *)(keys + i * ksz[f]);

				p.len = k->len;
				memcpy(p.addr, &k->addr, 4);
			} else {
				const struct rp_deny6_key *k = (const void *)(keys + i * ksz[f]);

				p.len = k->len;
				memcpy(p.addr, k->addr, 16);
			}
			err = rp_deny_add(d, &p, v.expires, v.origin, v.svc);
			if (!err)
				(*count)++;
		}
		free(keys);
	}
	if (!err)
		err = rp_deny_sync_config(d, cfg);
	/* The adopted /24 map may still carry bits of entries that are gone. */
	if (!err)
		rp_deny_publish_bits(d);
	return err;
}

/* ---- rempart run ---- */

struct run {
	const char *cfg_path;
	const char *pin_dir;
	struct ifaces ifs;
	bool monitor;
	struct rp_config cfg;
	struct rp_dp dp;
	struct rp_control *ctl;
	bool tick_failing;
};

static void tick(struct run *r)
{
	int err = rp_control_tick(r->ctl, rp_control_clock_live());

	if (err && !r->tick_failing)
		rp_warn("control tick failed: %s (warned once until it recovers)", strerror(-err));
	else if (!err && r->tick_failing)
		rp_info("control tick works again");
	r->tick_failing = err != 0;
}

static void reload(struct run *r)
{
	struct rp_config n;
	char err[512] = "";
	bool ifs_changed;

	rp_config_defaults(&n);
	if (rp_config_load(r->cfg_path, &n, err, sizeof(err))) {
		rp_warn("reload rejected: %s; the running policy stays", err);
		return;
	}
	if (rp_control_reload(r->ctl, &n, rp_control_clock_live())) {
		rp_warn("reload rejected: the new policy could not be applied (above); the running "
			"policy stays");
		rp_config_free(&n);
		return;
	}
	ifs_changed = n.mode != r->cfg.mode || n.n_interfaces != r->cfg.n_interfaces;
	for (unsigned int i = 0; !ifs_changed && i < n.n_interfaces; i++)
		ifs_changed = strcmp(n.interfaces[i], r->cfg.interfaces[i]) != 0;
	if (ifs_changed)
		rp_warn("reload: 'mode' and 'interfaces' take effect at the next start");
	rp_config_free(&r->cfg);
	r->cfg = n;
	rp_info("reloaded %s: %u services", r->cfg_path, r->cfg.n_services);
}

static int loop(struct run *r)
{
	struct itimerspec its = {
		.it_interval = { 0, RP_TICK_NS },
		.it_value = { 0, RP_TICK_NS },
	};
	struct epoll_event ev = { .events = EPOLLIN }, evs[4];
	int ep = -1, tfd = -1, sfd = -1, rfd = rp_control_ring_fd(r->ctl), rc = RP_EXIT_FAIL;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL)) {
		rp_err("sigprocmask: %s", strerror(errno));
		return RP_EXIT_FAIL;
	}
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || tfd < 0 || ep < 0 || timerfd_settime(tfd, 0, &its, NULL)) {
		rp_err("cannot set up the event loop: %s", strerror(errno));
		goto out;
	}
	ev.data.fd = tfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev))
		goto fail_ctl;
	ev.data.fd = sfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev))
		goto fail_ctl;
	if (rfd >= 0) {
		ev.data.fd = rfd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, rfd, &ev))
			goto fail_ctl;
	}
	for (;;) {
		int n = epoll_wait(ep, evs, 4, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rp_err("epoll_wait: %s", strerror(errno));
			goto out;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == tfd) {
				uint64_t expirations;

				if (read(tfd, &expirations, sizeof(expirations)) < 0 &&
				    errno != EAGAIN) {
					rp_err("timerfd: %s", strerror(errno));
					goto out;
				}
				tick(r);
			} else if (fd == rfd) {
				tick(r);
			} else if (fd == sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP) {
					reload(r);
					continue;
				}
				rp_info("%s: exiting; the programs stay attached and pinned, so "
					"protection stays in place ('rempart stop' detaches)",
					strsignal(si.ssi_signo));
				rc = RP_EXIT_OK;
				goto out;
			}
		}
	}
fail_ctl:
	rp_err("epoll_ctl: %s", strerror(errno));
out:
	if (ep >= 0)
		close(ep);
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	return rc;
}

static int run_parse(int argc, char **argv, struct run *r, bool *help)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "iface", required_argument, NULL, 'i' },
		{ "monitor", no_argument, NULL, OPT_MONITOR },
		{ "pin-dir", required_argument, NULL, OPT_PIN_DIR },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:i:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			r->cfg_path = optarg;
			break;
		case 'i':
			if (ifaces_add(&r->ifs, optarg))
				return RP_EXIT_USAGE;
			break;
		case OPT_MONITOR:
			r->monitor = true;
			break;
		case OPT_PIN_DIR:
			r->pin_dir = optarg;
			break;
		case 'h':
			*help = true;
			return 0;
		case ':':
			rp_err("run: %s needs a value", argv[optind - 1]);
			return RP_EXIT_USAGE;
		default:
			rp_err("run: unknown option '%s' (see rempart run --help)", argv[optind - 1]);
			return RP_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		rp_err("run: unexpected argument '%s'", argv[optind]);
		return RP_EXIT_USAGE;
	}
	if (!r->cfg_path) {
		rp_err("run: -c CONFIG is required (see rempart run --help)");
		return RP_EXIT_USAGE;
	}
	return 0;
}

int rp_cmd_run(int argc, char **argv)
{
	struct run r = { .pin_dir = RP_PIN_DIR_DEFAULT };
	struct rp_dp_pins pins;
	char err[512] = "", desc[512] = "";
	size_t dl = 0;
	bool help = false, any_generic = false;
	int rc, lock_fd = -1;
	unsigned int imported = 0;

	rc = run_parse(argc, argv, &r, &help);
	if (rc)
		return rc;
	if (help) {
		fputs(run_usage, stdout);
		return RP_EXIT_OK;
	}
	rp_config_defaults(&r.cfg);
	if (rp_config_load(r.cfg_path, &r.cfg, err, sizeof(err))) {
		rp_err("%s", err);
		return RP_EXIT_USAGE;
	}
	rc = RP_EXIT_USAGE;
	if (!r.ifs.n)
		for (unsigned int i = 0; i < r.cfg.n_interfaces; i++)
			if (ifaces_add(&r.ifs, r.cfg.interfaces[i]))
				goto out_cfg;
	if (!r.ifs.n) {
		rp_err("run: no interface to protect: list them under 'interfaces' in %s or give "
		       "--iface",
		       r.cfg_path);
		goto out_cfg;
	}
	for (unsigned int i = 0; i < r.ifs.n; i++) {
		r.ifs.index[i] = (int)if_nametoindex(r.ifs.name[i]);
		if (!r.ifs.index[i]) {
			rp_err("run: no interface '%s' in this network namespace", r.ifs.name[i]);
			goto out_cfg;
		}
	}
	r.monitor |= r.cfg.mode == RP_MODE_MONITOR;

	rc = RP_EXIT_FAIL;
	if (prepare_pin_dir(r.pin_dir))
		goto out_cfg;
	lock_fd = lock_pin_dir(r.pin_dir, false);
	if (lock_fd < 0) {
		if (lock_fd != -EBUSY)
			rp_err("%s: cannot lock: %s", r.pin_dir, strerror(-lock_fd));
		goto out_cfg;
	}
	if (rp_dp_open_pinned(&r.dp, r.monitor ? RP_DP_MONITOR : RP_DP_INLINE, r.pin_dir, &pins))
		goto out_lock;
	if (rp_control_open(&r.ctl, &r.dp, &r.cfg, rp_control_clock_live()))
		goto out_dp;
	if (pins.adopted) {
		int e = deny_import(r.ctl, &r.dp, &r.cfg, &imported);

		if (e) {
			rp_err("cannot take over the pinned deny list: %s", strerror(-e));
			goto out_ctl;
		}
	}

	/* Attach only now: the policy is in place before the new program sees a packet. */
	for (unsigned int i = 0; i < r.ifs.n; i++) {
		bool generic = false;
		int w;

		if (xdp_attach(r.ifs.name[i], r.ifs.index[i], r.dp.xdp_fd, &generic))
			goto attach_failed;
		any_generic |= generic;
		if (r.monitor) {
			/* A mirror port sends nothing: no tc egress (an earlier inline run's goes). */
			if (tc_detach(r.ifs.name[i], r.ifs.index[i], true) < 0)
				goto attach_failed;
		} else if (tc_attach(r.ifs.name[i], r.ifs.index[i], r.dp.tc_fd)) {
			goto attach_failed;
		}
		w = snprintf(desc + dl, sizeof(desc) - dl, "%s%s (%s XDP%s)", i ? ", " : "",
			     r.ifs.name[i], generic ? "generic" : "native",
			     r.monitor ? "" : " + tc egress");
		if (w > 0 && (size_t)w < sizeof(desc) - dl)
			dl += w;
		continue;
attach_failed:
		rp_err("attach failed on %s; interfaces before it in the list are protected by the "
		       "new program: fix the cause and start again, or 'rempart stop'",
		       r.ifs.name[i]);
		rp_dp_pin_progs(&r.dp, r.pin_dir);
		goto out_ctl;
	}
	if (rp_dp_pin_progs(&r.dp, r.pin_dir))
		goto out_ctl;
	if (pins.adopted)
		rp_info("protecting %s, %s mode, adopted %u pinned maps from %s (%u new; hash seed "
			"%s; %u deny entries taken over), %u services",
			desc, r.monitor ? "monitor" : "inline", pins.adopted, r.pin_dir,
			pins.created, pins.seed_kept ? "kept" : "new", imported, r.cfg.n_services);
	else
		rp_info("protecting %s, %s mode, fresh maps pinned in %s, %u services", desc,
			r.monitor ? "monitor" : "inline", r.pin_dir, r.cfg.n_services);
	if (any_generic)
		rp_warn("generic XDP runs after the kernel allocated the packet: expect a fraction "
			"of native XDP's drop rate");
	rc = loop(&r);
out_ctl:
	rp_control_close(r.ctl);
out_dp:
	rp_dp_close(&r.dp);
out_lock:
	close(lock_fd);
out_cfg:
	rp_config_free(&r.cfg);
	return rc;
}

/* ---- rempart stop ---- */

static int simple_parse(int argc, char **argv, const char *cmd, const char **pin_dir,
			struct ifaces *ifs, long *service, bool *help)
{
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "pin-dir", required_argument, NULL, OPT_PIN_DIR },
		{ "service", required_argument, NULL, OPT_SERVICE },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:h", longopts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'i':
			if (!ifs) {
				rp_err("%s: unknown option '%s'", cmd, argv[optind - 1]);
				return RP_EXIT_USAGE;
			}
			if (ifaces_add(ifs, optarg))
				return RP_EXIT_USAGE;
			break;
		case OPT_PIN_DIR:
			*pin_dir = optarg;
			break;
		case OPT_SERVICE:
			if (!service) {
				rp_err("%s: unknown option '--service'", cmd);
				return RP_EXIT_USAGE;
			}
			errno = 0;
			*service = strtol(optarg, &end, 10);
			if (errno || *end || !*optarg || *service < 0 || *service >= RP_MAX_SERVICES) {
				rp_err("%s: --service: invalid value '%s' (0-%d)", cmd, optarg,
				       RP_MAX_SERVICES - 1);
				return RP_EXIT_USAGE;
			}
			break;
		case 'h':
			*help = true;
			return 0;
		case ':':
			rp_err("%s: %s needs a value", cmd, argv[optind - 1]);
			return RP_EXIT_USAGE;
		default:
			rp_err("%s: unknown option '%s' (see rempart %s --help)", cmd, argv[optind - 1],
			       cmd);
			return RP_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		rp_err("%s: unexpected argument '%s'", cmd, argv[optind]);
		return RP_EXIT_USAGE;
	}
	return 0;
}

/* Remove every pin in pin_dir, then the directory. Returns how many, or -errno. */
static int remove_pins(const char *pin_dir)
{
	DIR *d = opendir(pin_dir);
	struct dirent *e;
	int n = 0, err = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		char path[PATH_MAX];

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", pin_dir, e->d_name) >= (int)sizeof(path))
			continue;
		if (unlink(path)) {
			err = -errno;
			rp_err("cannot remove %s: %s", path, strerror(-err));
		} else {
			n++;
		}
	}
	closedir(d);
	if (!err && rmdir(pin_dir) && errno != ENOENT) {
		err = -errno;
		rp_err("cannot remove %s: %s", pin_dir, strerror(-err));
	}
	return err ? err : n;
}

int rp_cmd_stop(int argc, char **argv)
{
	const char *pin_dir = RP_PIN_DIR_DEFAULT;
	struct ifaces ifs = { 0 };
	struct if_nameindex *all = NULL;
	bool help = false, failed = false, given;
	int rc, detached = 0, pinned, lock_fd;

	rc = simple_parse(argc, argv, "stop", &pin_dir, &ifs, NULL, &help);
	if (rc)
		return rc;
	given = ifs.n > 0;
	if (help) {
		fputs(stop_usage, stdout);
		return RP_EXIT_OK;
	}
	lock_fd = lock_pin_dir(pin_dir, false);
	if (lock_fd == -EBUSY)
		return RP_EXIT_FAIL;
	if (!ifs.n) {
		all = if_nameindex();
		if (!all) {
			rp_err("cannot list the interfaces: %s", strerror(errno));
			return RP_EXIT_FAIL;
		}
		for (struct if_nameindex *p = all; p->if_index && ifs.n < RP_MAX_IFACES; p++) {
			snprintf(ifs.name[ifs.n], IF_NAMESIZE, "%s", p->if_name);
			ifs.index[ifs.n++] = (int)p->if_index;
		}
		/* More interfaces than one list holds: walk the rest too. */
		for (struct if_nameindex *p = all + ifs.n; p->if_index; p++) {
			int x = xdp_detach(p->if_name, (int)p->if_index);
			int t = tc_detach(p->if_name, (int)p->if_index, false);

			failed |= x < 0 || t < 0;
			detached += (x > 0) + (t > 0);
		}
		if_freenameindex(all);
	} else {
		for (unsigned int i = 0; i < ifs.n; i++) {
			ifs.index[i] = (int)if_nametoindex(ifs.name[i]);
			if (!ifs.index[i]) {
				rp_warn("stop: no interface '%s' here: skipped", ifs.name[i]);
				failed = true;
			}
		}
	}
	for (unsigned int i = 0; i < ifs.n; i++) {
		int x, t;

		if (!ifs.index[i])
			continue;
		x = xdp_detach(ifs.name[i], ifs.index[i]);
		t = tc_detach(ifs.name[i], ifs.index[i], false);
		failed |= x < 0 || t < 0;
		detached += (x > 0) + (t > 0);
	}
	if (!detached)
		printf("nothing of rempart's was attached%s\n",
		       given ? " on the given interfaces" : " in this network namespace");
	pinned = remove_pins(pin_dir);
	if (pinned > 0)
		printf("removed %d pins and %s\n", pinned, pin_dir);
	else if (!pinned)
		printf("no pins under %s\n", pin_dir);
	else
		failed = true;
	if (lock_fd >= 0)
		close(lock_fd);
	return failed ? RP_EXIT_FAIL : RP_EXIT_OK;
}

/* ---- rempart stats ---- */

/* A pinned map of pin_dir by its object name ("rp_svcs", "rempart.data"), or -errno. */
static int pinned_map(const char *pin_dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (rp_dp_pin_path(pin_dir, name, path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		rp_err("%s: %s", path, strerror(errno));
	return fd < 0 ? -errno : fd;
}

/*
 * "service.N TENANT/NAME" for each service of the configuration in force (or service only),
 * from the registry of service numbers (rp_svc_reg). Returns 0, or -errno.
 */
static int stats_services(const char *pin_dir, long service)
{
	int fd = pinned_map(pin_dir, "rp_svc_reg");

	if (fd < 0)
		return fd;
	for (__u32 j = 1; j < RP_MAX_SERVICES; j++) {
		struct rp_svc_reg r;

		if (service >= 0 && j != (__u32)service)
			continue;
		if (bpf_map_lookup_elem(fd, &j, &r)) {
			int err = -errno;

			rp_err("%s/rp_svc_reg: cannot read number %u: %s", pin_dir, j,
			       strerror(-err));
			close(fd);
			return err;
		}
		if (r.active && r.key[0])
			printf("service.%u %.*s\n", j, (int)sizeof(r.key), r.key);
	}
	close(fd);
	return 0;
}

/*
 * The fence's per-country counters (rp_geo_counters) of every fenced service of the policy
 * in force, or of service only: "geo.SVC.CC.pass.packets N", pass.bytes, drop.packets,
 * drop.bytes, for the countries with any count. Returns 0, or -errno.
 */
static int stats_geo(const char *pin_dir, long service, int ncpus)
{
	int data_fd, svcs_fd = -1, geo_fd = -1, err = 0;
	struct rp_geo_count *pc = calloc(ncpus, sizeof(*pc));
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0, slot;
	unsigned char *data = NULL;

	data_fd = pinned_map(pin_dir, "rempart.data");
	if (data_fd >= 0)
		svcs_fd = pinned_map(pin_dir, "rp_svcs");
	if (svcs_fd >= 0)
		geo_fd = pinned_map(pin_dir, "rp_geo_counters");
	if (!pc || data_fd < 0 || svcs_fd < 0 || geo_fd < 0) {
		err = !pc ? -ENOMEM : data_fd < 0 ? data_fd : svcs_fd < 0 ? svcs_fd : geo_fd;
		goto out;
	}
	/* The slot in force: rp_knobs, first in the program's .data. */
	if (bpf_obj_get_info_by_fd(data_fd, &info, &len) ||
	    info.value_size < sizeof(struct rp_knobs) || !(data = calloc(1, info.value_size)) ||
	    bpf_map_lookup_elem(data_fd, &zero, data)) {
		err = -(errno ? errno : EINVAL);
		rp_err("%s: cannot read the policy slot in force: %s", pin_dir, strerror(-err));
		goto out;
	}
	slot = ((const struct rp_knobs *)data)->policy_slot & 1;
	for (__u32 s = 1; s < RP_MAX_SERVICES && !err; s++) {
		__u32 key = slot * RP_MAX_SERVICES + s;
		struct rp_svc_policy sp;

		if (service >= 0 && s != (__u32)service)
			continue;
		if (bpf_map_lookup_elem(svcs_fd, &key, &sp)) {
			err = -errno;
			rp_err("%s: cannot read service %u: %s", pin_dir, s, strerror(-err));
			break;
		}
		if (!sp.in_use || !(sp.flags & RP_SF_FENCE))
			continue;
		for (__u32 cc = 0; cc < RP_GEO_NCODES; cc++) {
			struct rp_geo_count t;

			err = rp_geo_counts_sum(geo_fd, ncpus, pc, sp.fence_idx % RP_MAX_FENCED, cc,
						&t);
			if (err) {
				rp_err("%s: cannot read the country counters: %s", pin_dir,
				       strerror(-err));
				break;
			}
			if (!t.pass_pkts && !t.drop_pkts)
				continue;
			printf("geo.%u.%s.pass.packets %llu\ngeo.%u.%s.pass.bytes %llu\n"
			       "geo.%u.%s.drop.packets %llu\ngeo.%u.%s.drop.bytes %llu\n",
			       s, rp_geo_cc_name((uint16_t)cc), (unsigned long long)t.pass_pkts, s,
			       rp_geo_cc_name((uint16_t)cc), (unsigned long long)t.pass_bytes, s,
			       rp_geo_cc_name((uint16_t)cc), (unsigned long long)t.drop_pkts, s,
			       rp_geo_cc_name((uint16_t)cc), (unsigned long long)t.drop_bytes);
		}
	}
out:
	free(data);
	free(pc);
	if (data_fd >= 0)
		close(data_fd);
	if (svcs_fd >= 0)
		close(svcs_fd);
	if (geo_fd >= 0)
		close(geo_fd);
	return err;
}

int rp_cmd_stats(int argc, char **argv)
{
	const char *pin_dir = RP_PIN_DIR_DEFAULT;
	struct rp_svc_counters *percpu, sum = {};
	char path[PATH_MAX];
	long service = -1;
	bool help = false;
	int rc, fd, ncpus;

	rc = simple_parse(argc, argv, "stats", &pin_dir, NULL, &service, &help);
	if (rc)
		return rc;
	if (help) {
		fputs(stats_usage, stdout);
		return RP_EXIT_OK;
	}
	if (rp_dp_pin_path(pin_dir, "rp_counters", path, sizeof(path)))
		return RP_EXIT_USAGE;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		rp_err("%s: %s (is rempart running, or was it run with another --pin-dir?)", path,
		       strerror(errno));
		return RP_EXIT_FAIL;
	}
	ncpus = libbpf_num_possible_cpus();
	percpu = ncpus > 0 ? calloc(ncpus, sizeof(*percpu)) : NULL;
	if (!percpu) {
		close(fd);
		return RP_EXIT_FAIL;
	}
	for (__u32 s = 0; s < RP_MAX_SERVICES; s++) {
		struct rp_svc_counters one;
		__u64 *dst = (__u64 *)&sum;
		const __u64 *src = (const __u64 *)&one;

		if (service >= 0 && s != (__u32)service)
			continue;
		if (rp_counters_sum(fd, ncpus, percpu, s, &one)) {
			rp_err("%s: cannot read service %u: %s", path, s, strerror(errno));
			free(percpu);
			close(fd);
			return RP_EXIT_FAIL;
		}
		for (size_t w = 0; w < sizeof(sum) / sizeof(__u64); w++)
			dst[w] += src[w];
	}
	free(percpu);
	close(fd);
	for (unsigned int d = 0; d < RP_DIR_MAX; d++)
		printf("%s.packets %llu\n%s.bytes %llu\n", rp_dir_name(d),
		       (unsigned long long)sum.dir[d].packets, rp_dir_name(d),
		       (unsigned long long)sum.dir[d].bytes);
	for (unsigned int v = 0; v < RP_V_MAX; v++)
		printf("%s %llu\n", rp_verdict_name(v), (unsigned long long)sum.verdict[v].packets);
	for (unsigned int p = 0; p < RP_PB_MAX; p++)
		printf("%s %llu\n", rp_proto_bucket_name(p), (unsigned long long)sum.proto[p].packets);
	printf("syn %llu\n", (unsigned long long)sum.syn);
	for (unsigned int r = 0; r < RP_REASON_MAX; r++) {
		if (!sum.reason[r].packets)
			continue;
		printf("reason.%s %llu\n", rp_reason_name(r),
		       (unsigned long long)sum.reason[r].packets);
	}
	if (stats_services(pin_dir, service))
		return RP_EXIT_FAIL;
	return stats_geo(pin_dir, service, ncpus) ? RP_EXIT_FAIL : RP_EXIT_OK;
}
