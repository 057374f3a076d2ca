// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rempart bench: figures as ratios measured in the same run (docs/bench.md).
 *
 * Every BPF figure goes through the bench entries of build/bench.bpf.o (bench_xdp,
 * bench_tc): optionally rewrite the source address with a full-period LCG, then tail-call
 * the program under test, which sits in the bench's program array. The floor is rempart's
 * own parser followed by a drop with no map access (bench_floor_xdp / bench_floor_tc),
 * behind the same entry; every ratio of the full program uses it. Runs are interleaved
 * (floor, candidate, floor, candidate, ...), and each figure is the median over the runs
 * with the spread (min-max). A figure is refused, and the bench fails, when a tail call
 * failed or a program returned a verdict it must not return. Nothing else is asserted:
 * benchmarks report numbers, tests assert behaviour.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rempart/abi.h"
#include "bench.skel.h"
#include "bench_frames.h"
#include "bench_geo.h"
#include "capture.h"
#include "cli.h"
#include "config.h"
#include "control.h"
#include "dataplane.h"
#include "geo.h"
#include "geo_region.h"
#include "log.h"
#include "policy.h"
#include "reasons.h"
#include "rempart.skel.h"
#include "rempart/policy.h"
#include "replay.h"
#include "report.h"

#define RP_BENCH_DEFAULT_RUNS 7
#define RP_BENCH_MIN_RUNS 5
#define RP_BENCH_MAX_RUNS 1000
#define RP_BENCH_DEFAULT_REPEAT 200000
#define RP_BENCH_MAX_REPEAT 100000000
#define RP_BENCH_CAPTURE_FRAMES 100000
#define RP_BENCH_PARSER_TARGET 1.30
#define RP_BENCH_REPLAY_TARGET 0.80
#define RP_BENCH_POLICY_TARGET 2.50 /* whole pipeline, fixed sources, over the floor */
#define RP_BENCH_VARY_TARGET 3.50 /* whole pipeline, every source new, over the floor */
#define RP_BENCH_DENY_ENTRIES 100000
#define RP_BENCH_DENY_SEED 1
#define RP_BENCH_NSVC 3 /* the bench policy's services: web, vpn, dns */

/* ------------------------------------------------------------------------------------ */
/* Statistics over the runs */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct rp_bench_stat rp_bench_stat_of(const double *v, unsigned int n)
{
	struct rp_bench_stat s = { 0, 0, 0 };
	double tmp[RP_BENCH_MAX_RUNS];

	if (!n)
		return s;
	if (n > RP_BENCH_MAX_RUNS)
		n = RP_BENCH_MAX_RUNS;
	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	s.min = tmp[0];
	s.max = tmp[n - 1];
	s.median = n & 1 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
	return s;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------------------ */
/* One measurement: a frame through a bench entry and the program under test */

struct rp_bench_pol;

struct rp_bench_cmp;

struct rp_bench {
	struct rp_bench_pol *pol; /* the policy figures' programs and control */
	struct rp_bench_cmp *pcmp[2]; /* the policy figures of xdp and tc (RP_PF_*) */
	unsigned int runs;
	uint32_t repeat;
	bool json;
	bool pipeline_only; /* --pipeline: figure 5 alone */
	const char *capture; /* --capture, or NULL */
	const struct rp_config *cfg;
	struct bench *skel;
	struct rp_dp dp; /* inline mode: the program under test */
	struct rp_bench_frame frames[RP_BF_COUNT];
	int cpu;
	bool dispatcher_held; /* the XDP entry stays in the dispatcher (hold_dispatcher) */
	/* The country dataset: figure 8's tables and the fence of the level-3 figure. NULL:
	 * none (figure 8 on the synthetic world, no level-3 figure; geo_why says why). */
	const char *geo_path;
	struct rp_geo_db *geodb;
	char geo_why[300];
};

enum { RP_BENCH_XDP = 0, RP_BENCH_TC = 1 };

static const char *verdict_name(int tc, int v)
{
	if (tc)
		return v == TC_ACT_OK ? "TC_ACT_OK" : v == TC_ACT_SHOT ? "TC_ACT_SHOT" : "other";
	switch (v) {
	case XDP_ABORTED:
		return "XDP_ABORTED";
	case XDP_DROP:
		return "XDP_DROP";
	case XDP_PASS:
		return "XDP_PASS";
	case XDP_TX:
		return "XDP_TX";
	default:
		return "other";
	}
}

/* A verdict the data plane may give: never XDP_ABORTED, nothing outside its set. */
static bool verdict_valid(int tc, int v)
{
	if (tc)
		return v == TC_ACT_OK || v == TC_ACT_SHOT;
	return v == XDP_PASS || v == XDP_DROP || v == XDP_TX;
}

/*
 * Run f through the bench entry (XDP or tc) with prog_fd in its program array, repeat
 * times. vary: 0 fixed source, 4 or 6 (the LCG rewrite). Returns 0 with the mean ns per run,
 * or -errno; a failed tail call is -EPROTO.
 *
 * The mean is wall time over the whole call divided by repeat, not the kernel's
 * opts.duration: that one is truncated to whole nanoseconds, which at 6-20 ns per run moves
 * a ratio by 5-15 %. With repeat in the hundreds of thousands, the syscall's own fixed cost
 * is under 0.1 % of the call; preemption shows as outliers, which the median of interleaved
 * runs discards.
 */
int rp_bench_measure(struct bench *skel, int tc, int prog_fd, const struct rp_bench_frame *f,
		     int vary, uint32_t repeat, int *retval, double *ns)
{
	int map_fd = bpf_map__fd(tc ? skel->maps.bench_tc_progs : skel->maps.bench_xdp_progs);
	int entry = bpf_program__fd(tc ? skel->progs.bench_tc : skel->progs.bench_xdp);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->data, .data_size_in = f->len,
		    .repeat = repeat);
	struct timespec t0, t1;
	__u32 zero = 0;
	int err;

	if (bpf_map_update_elem(map_fd, &zero, &prog_fd, BPF_ANY)) {
		err = -errno;
		rp_err("cannot put the program under test in the bench's program array: %s",
		       strerror(-err));
		return err;
	}
	skel->bss->bench_vary = (__u32)vary;
	skel->bss->bench_src_off = f->src_off;
	skel->bss->bench_tail_failed = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = bpf_prog_test_run_opts(entry, &opts);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (err) {
		err = -errno;
		rp_err("test run failed (%s, %s): %s", tc ? "tc" : "xdp", f->name, strerror(-err));
		return err;
	}
	if (skel->bss->bench_tail_failed) {
		rp_err("the tail call to the program under test failed %llu times (%s, %s): "
		       "figure refused",
		       (unsigned long long)skel->bss->bench_tail_failed, tc ? "tc" : "xdp",
		       f->name);
		return -EPROTO;
	}
	*retval = (int)opts.retval;
	*ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / repeat;
	return 0;
}

/*
 * Keep the XDP dispatcher from being rewritten on every measurement.
 *
 * BPF_PROG_TEST_RUN on an XDP program with repeat > 1 puts the program into the kernel's XDP
 * dispatcher before the loop and takes it out after, unless the dispatcher already holds
 * it; each change waits for an RCU grace period. On the 2-vCPU bench VM that was 10-45 ms
 * per call (measured: a bare XDP_DROP read 24 ns a run at 1M runs and 8 ns once held), which
 * at 200,000 runs adds 50-200 ns a frame to both sides of every ratio. Attaching the entry
 * (generic mode) to the loopback of a network namespace of the bench's own keeps it in the
 * dispatcher for the whole bench; the namespace has no other interface and goes away with
 * the process. Returns 0, or -errno with a warning: the figures are then flattened.
 */
static int hold_dispatcher(struct bench *skel)
{
	int fd = bpf_program__fd(skel->progs.bench_xdp), ifindex, err;

	if (unshare(CLONE_NEWNET)) {
		err = -errno;
		rp_warn("cannot enter a network namespace of the bench's own (%s): every XDP "
			"measurement pays the dispatcher update, and the XDP ratios are flattened",
			strerror(-err));
		return err;
	}
	ifindex = (int)if_nametoindex("lo");
	err = ifindex ? bpf_xdp_attach(ifindex, fd, XDP_FLAGS_SKB_MODE, NULL) : -ENODEV;
	if (err) {
		rp_warn("cannot attach the bench entry to the namespace's loopback (%s): every XDP "
			"measurement pays the dispatcher update, and the XDP ratios are flattened",
			strerror(-err));
		return err;
	}
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* Comparisons: a numerator program against a denominator, over frames, run by run */

struct rp_bench_cmp {
	const char *name; /* "full xdp / floor" */
	const char *src; /* "fixed src", "vary src" */
	const char *what; /* the frame, or "mix" */
	const char *num_name, *den_name; /* "full", "floor", "minimal" */
	int tc;
	int num_fd, den_fd;
	bool num_first; /* measure the numerator first (it is the floor) */
	int vary;
	int num_want, den_want; /* required verdict; -1: calibrate (a valid verdict) */
	double target; /* the ratio must stay at most this; 0: no target */
	/* Policy figures: which loaded policy (0 with the deny list, 1 without; -1 none), the
	 * level every service is held at, and the stages (RP_ST_*) enabled. */
	int pol;
	uint8_t level, stages;
	bool check_reasons; /* refuse the figure unless each frame gets its expected reason */
	const char *absent; /* not measured, and why (printed in its place) */
	double rshare[RP_REASON_MAX]; /* share of each reason, weighted as the figure */
	unsigned int nframes;
	int frame[RP_BF_COUNT];
	int num_cal[RP_BF_COUNT]; /* calibrated verdict per frame, for fixed sources */
	unsigned int num_seen; /* bit per verdict the numerator returned */
	/* per run (weighted over the frames), and per frame and run */
	double num[RP_BENCH_MAX_RUNS], den[RP_BENCH_MAX_RUNS], ratio[RP_BENCH_MAX_RUNS];
	double fnum[RP_BF_COUNT][RP_BENCH_MAX_RUNS], fden[RP_BF_COUNT][RP_BENCH_MAX_RUNS];
};

/* ------------------------------------------------------------------------------------ */
/* The policy figures: a realistic policy, its deny list, known clients, levels, stages */

/*
 * The bench's own policy, built in C (independent of the YAML parser): three services on
 * documentation addresses, a few allow-listed prefixes, the usual bogons and reflection
 * ports, and (in the first of the two loaded copies) a deny list of 100,000 entries.
 */
struct rp_bench_pol {
	struct rp_config cfg;
	struct rp_tenant_cfg tenant;
	struct rp_service_cfg svc[RP_BENCH_NSVC];
	struct rp_prefix web_addr[2], vpn_addr[1], dns_addr[2], allow[4], local[5];
	struct rp_portspec web_ports[2], vpn_ports[2], dns_ports[2];
	struct rp_prefix bogons[24];
	uint16_t refl[24];
	/* [0]: the policy with the deny list; [1]: the same policy without deny entries */
	struct rp_dp dp[2];
	struct rp_control *ctl[2];
	bool open[2];
	int stages[2]; /* the stages now in the services' entries; -1 unknown */
	/* the deny list */
	unsigned int ndeny, n32, npfx, nlens4, touched24;
	double deny_load_ms;
};

static int pfx4(struct rp_prefix *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t len)
{
	memset(p, 0, sizeof(*p));
	p->family = 4;
	p->len = len;
	p->addr[0] = a, p->addr[1] = b, p->addr[2] = c, p->addr[3] = d;
	return 0;
}

static void pfx6(struct rp_prefix *p, const char *s)
{
	if (rp_prefix_parse(s, p))
		memset(p, 0, sizeof(*p)); /* never: the strings below are valid */
}

/* The usual IPv4 bogons (RFC 6890 special-purpose space, documentation included) and, for
 * IPv6, everything outside 2000::/3 plus documentation space. */
static unsigned int default_bogons(struct rp_prefix *b)
{
	static const uint8_t v4[][5] = {
		{ 0, 0, 0, 0, 8 },	{ 10, 0, 0, 0, 8 },    { 100, 64, 0, 0, 10 },
		{ 127, 0, 0, 0, 8 },	{ 169, 254, 0, 0, 16 }, { 172, 16, 0, 0, 12 },
		{ 192, 0, 0, 0, 24 },	{ 192, 0, 2, 0, 24 },	{ 192, 168, 0, 0, 16 },
		{ 198, 18, 0, 0, 15 },	{ 198, 51, 100, 0, 24 }, { 203, 0, 113, 0, 24 },
		{ 224, 0, 0, 0, 4 },	{ 240, 0, 0, 0, 4 },
	};
	static const char *const v6[] = { "::/3", "4000::/2", "8000::/1", "2001:db8::/32" };
	unsigned int n = 0;

	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		pfx4(&b[n++], v4[i][0], v4[i][1], v4[i][2], v4[i][3], v4[i][4]);
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
		pfx6(&b[n++], v6[i]);
	return n;
}

/* UDP source ports of reflection attacks. */
static unsigned int default_refl(uint16_t *r)
{
	static const uint16_t ports[] = { 17,  19,   53,   69,   111,  123,  137,	161,  389,
					  427, 520,  1900, 3283, 3702, 5353, 5683, 10001, 11211 };

	memcpy(r, ports, sizeof(ports));
	return sizeof(ports) / sizeof(ports[0]);
}

static void svc_init(struct rp_service_cfg *s, const char *name, struct rp_prefix *addr,
		     unsigned int naddr, struct rp_portspec *ports, unsigned int nports,
		     uint8_t class, bool fragments, struct rp_prefix *allow, unsigned int nallow)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->addresses = addr;
	s->n_addresses = naddr;
	s->ports = ports;
	s->n_ports = nports;
	s->allow = allow;
	s->n_allow = nallow;
	s->set.class = class;
	s->set.fragments = fragments;
	/* Above the bench's frame rate (tens of millions per second from one source), so that
	 * the repeated frames of one source stay within their bucket and reach every later
	 * stage: the path of a source within its rate. */
	s->set.source_limit = (struct rp_rate_cfg){ .pps = 100000000, .burst = 1000000 };
	s->set.allow_ceiling = (struct rp_rate_cfg){ .pps = 100000000, .burst = 1000000 };
	/* No heavy-hitter reports: a bench source at 20M pps would be one, and its deny
	 * entry would change the path under measurement. */
	s->set.heavy_hitter_permille = 0;
}

static void pol_config(struct rp_bench_pol *P, const char *geo_path, const __u64 *fence)
{
	struct rp_config *c = &P->cfg;

	rp_config_defaults(c);
	c->mode = RP_MODE_INLINE;
	c->malformed_verdict = RP_V_DROP;
	c->source_v4 = 32;
	c->source_v6 = 64;
	c->known_ttl_ns = 14ull * 86400 * 1000000000ull;
	c->known_learn = true;
	c->level_lease_ns = 5000000000ull;

	pfx4(&P->web_addr[0], 192, 0, 2, 10, 32);
	pfx6(&P->web_addr[1], "2001:db8:10::10/128");
	pfx4(&P->vpn_addr[0], 192, 0, 2, 50, 32);
	pfx4(&P->dns_addr[0], 192, 0, 2, 53, 32);
	pfx6(&P->dns_addr[1], "2001:db8:10::53/128");
	P->web_ports[0] = (struct rp_portspec){ IPPROTO_TCP, 80, 80 };
	P->web_ports[1] = (struct rp_portspec){ IPPROTO_TCP, 443, 443 };
	P->vpn_ports[0] = (struct rp_portspec){ IPPROTO_UDP, 500, 500 };
	P->vpn_ports[1] = (struct rp_portspec){ IPPROTO_UDP, 4500, 4500 };
	P->dns_ports[0] = (struct rp_portspec){ IPPROTO_UDP, 53, 53 };
	P->dns_ports[1] = (struct rp_portspec){ IPPROTO_TCP, 53, 53 };
	/* A resolver, a monitoring network, a partner's range, an IPv6 resolver. */
	pfx4(&P->allow[0], 149, 112, 112, 0, 24);
	pfx4(&P->allow[1], 77, 88, 8, 0, 24);
	pfx4(&P->allow[2], 193, 51, 24, 0, 22);
	pfx6(&P->allow[3], "2620:fe::/48");

	P->tenant = (struct rp_tenant_cfg){ .name = "bench" };
	c->tenants = &P->tenant;
	c->n_tenants = 1;
	svc_init(&P->svc[0], "web", P->web_addr, 2, P->web_ports, 2, RP_CLASS_NORMAL, false,
		 P->allow, 4);
	svc_init(&P->svc[1], "vpn", P->vpn_addr, 1, P->vpn_ports, 2, RP_CLASS_CRITICAL, true,
		 P->allow, 4);
	svc_init(&P->svc[2], "dns", P->dns_addr, 2, P->dns_ports, 2, RP_CLASS_NORMAL, false,
		 P->allow, 4);
	c->services = P->svc;
	c->n_services = RP_BENCH_NSVC;
	/* Every service fenced to the region europe, unknown space denied: armed at level 3
	 * only, so figures at the other levels do not see it. */
	if (fence) {
		c->geo.dataset = (char *)geo_path;
		for (int i = 0; i < RP_BENCH_NSVC; i++) {
			P->svc[i].set.fence.configured = true;
			P->svc[i].set.fence.unknown = RP_FENCE_UNKNOWN_DENY;
			memcpy(P->svc[i].set.fence.set, fence, sizeof(P->svc[i].set.fence.set));
		}
	}
	/* Local space: the protected addresses (what the parser puts there from services). */
	P->local[0] = P->web_addr[0];
	P->local[1] = P->web_addr[1];
	P->local[2] = P->vpn_addr[0];
	P->local[3] = P->dns_addr[0];
	P->local[4] = P->dns_addr[1];
	c->local = P->local;
	c->n_local = 5;
	c->n_internal = 0;
	/* The built-in bogons and reflection ports, where the defaults have none. */
	if (!c->n_bogons) {
		c->n_bogons = default_bogons(P->bogons);
		c->bogons = P->bogons;
	}
	if (!c->n_reflection_ports) {
		c->n_reflection_ports = default_refl(P->refl);
		c->reflection_ports = P->refl;
	}
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Does the IPv4 prefix (addr host order, len) share an address with the /24 of a24? */
static bool pfx_meets_24(uint32_t addr, unsigned int len, uint32_t a24)
{
	unsigned int l = len < 24 ? len : 24;

	return l == 0 || (addr >> (32 - l)) == ((a24 << 8) >> (32 - l));
}

/*
 * 100,000 deny entries through the control's deny list, as an operator's list would be
 * loaded: 90 % /32, 10 % prefixes from /16 to /28, random over the whole IPv4 space
 * (seeded), avoiding documentation space and the /24s of the bench frames' sources, so
 * that those frames take the deny stage's common path (the /24 bitmap says no).
 */
static int pol_deny(struct rp_bench_pol *P)
{
	struct rp_deny *d = rp_control_deny(P->ctl[0]);
	uint32_t avoid[3 + RP_BF_NSRC4] = { 0xc00002, 0xc63364, 0xcb0071 }; /* doc /24s */
	uint64_t seed = RP_BENCH_DENY_SEED, *bits = calloc(1u << 18, sizeof(uint64_t));
	unsigned int lens[33] = { 0 };
	double t0 = now_s();
	int err = 0;

	if (!bits)
		return -ENOMEM;
	for (int i = 0; i < RP_BF_NSRC4; i++)
		avoid[3 + i] = (uint32_t)rp_bench_src4[i][0] << 16 |
			       (uint32_t)rp_bench_src4[i][1] << 8 | rp_bench_src4[i][2];
	while (rp_deny_count(d) < RP_BENCH_DENY_ENTRIES) {
		uint64_t x = splitmix64(&seed);
		/* 90 % /32, then 10 % from /16 to /28, by entry number */
		unsigned int len = rp_deny_count(d) < RP_BENCH_DENY_ENTRIES / 10 * 9 ?
					   32 :
					   16 + (unsigned int)((x >> 32) % 13);
		uint32_t a = (uint32_t)x & (uint32_t)(~0ull << (32 - len));
		struct rp_prefix p;
		unsigned int before = rp_deny_count(d);
		bool skip = false;

		for (size_t i = 0; i < sizeof(avoid) / sizeof(avoid[0]) && !skip; i++)
			skip = pfx_meets_24(a, len, avoid[i]);
		if (skip)
			continue;
		pfx4(&p, a >> 24, a >> 16, a >> 8, a, (uint8_t)len);
		err = rp_deny_add(d, &p, 0, RP_DO_CONFIG, 0);
		if (err) {
			rp_err("cannot add deny entry %u: %s", before + 1, strerror(-err));
			break;
		}
		if (rp_deny_count(d) == before)
			continue; /* a duplicate */
		lens[len]++;
		for (uint32_t i = a >> 8, n = len >= 24 ? 1 : 1u << (24 - len), e = i + n; i < e;
		     i++)
			bits[i >> 6] |= 1ull << (i & 63);
	}
	P->deny_load_ms = (now_s() - t0) * 1e3;
	P->ndeny = rp_deny_count(d);
	P->n32 = lens[32];
	P->npfx = P->ndeny - lens[32];
	for (int l = 0; l <= 32; l++)
		P->nlens4 += lens[l] != 0;
	for (uint32_t i = 0; i < (1u << 18); i++)
		P->touched24 += (unsigned int)__builtin_popcountll(bits[i]);
	free(bits);
	return err;
}

/* One frame, once, straight into a program (not through the bench entry). */
static int run_once(int prog_fd, const struct rp_bench_frame *f, int *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->data, .data_size_in = f->len,
		    .repeat = 1);

	if (bpf_prog_test_run_opts(prog_fd, &o))
		return -errno;
	*retval = (int)o.retval;
	return 0;
}

/*
 * Known clients, learned as the data plane learns them at level 0 (docs/policy.md): the
 * web service's data to the client leaves through tc egress (a pending proof), then the
 * client's ACK for that data arrives through XDP. Checked in rp_known afterwards.
 */
static int pol_learn(struct rp_bench *b, int k)
{
	static const struct {
		int out, in;
	} pairs[] = { { RP_BF_O_WEB4_DATA, RP_BF_P_WEB4_ACK },
		      { RP_BF_O_WEB6_DATA, RP_BF_P_WEB6_ACK } };
	struct rp_dp *dp = &b->pol->dp[k];
	int fd = bpf_map__fd(dp->skel->maps.rp_known);

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct rp_bench_frame *fo = &b->frames[pairs[i].out],
					    *fi = &b->frames[pairs[i].in];
		__u32 key[4] = { 0 }, idx;
		struct rp_known_set set;
		bool found = false;
		int rv, err;
		__u64 h;

		err = run_once(dp->tc_fd, fo, &rv);
		if (!err)
			err = run_once(dp->xdp_fd, fi, &rv);
		if (err) {
			rp_err("known-client learning: test run failed: %s", strerror(-err));
			return err;
		}
		/* the source key: the IPv4 /32, the IPv6 /64; its fingerprint (the program's seed) */
		memcpy(key, fi->data + fi->src_off, fi->family == 4 ? 4 : 8);
		h = rp_known_hash(1, fi->family, key, dp->skel->data->rp_knobs.hash_seed);
		idx = rp_known_set_of(h);
		if (!bpf_map_lookup_elem(fd, &idx, &set))
			for (int w = 0; w < RP_KNOWN_WAYS; w++)
				found |= set.w[w].tag == h;
		if (!found) {
			rp_err("known-client learning: '%s' did not make its source a known "
			       "client of web: the level-4 figure would time the wrong path",
			       fi->name);
			return -EPROTO;
		}
	}
	return 0;
}

static void pol_close(struct rp_bench_pol *P)
{
	if (!P)
		return;
	for (int k = 0; k < 2; k++) {
		rp_control_close(P->ctl[k]);
		if (P->open[k])
			rp_dp_close(&P->dp[k]);
	}
	free(P);
}

/* Load the policy twice (inline mode, as the program under test is loaded), fill the first
 * copy's deny list, and learn the known clients in both. */
static int8_t fence_in[RP_BF_COUNT]; /* the frame's source is in the bench's fence */

/* Whether each inbound policy frame's source is in the fence, by the dataset in user space:
 * the level-3 figure refuses any frame whose reason disagrees. */
static void fence_sources(struct rp_bench *b, const __u64 *fence)
{
	for (int k = RP_BF_P_FIRST; k < RP_BF_P_END; k++) {
		const struct rp_bench_frame *f = &b->frames[k];
		const uint8_t *a = f->data + f->src_off;
		uint64_t hi = 0, lo = 0;
		uint16_t cc;

		if (f->family == 4) {
			cc = rp_geo_lookup4(b->geodb, (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
							      (uint32_t)a[2] << 8 | a[3]);
		} else {
			for (int i = 0; i < 8; i++) {
				hi = hi << 8 | a[i];
				lo = lo << 8 | a[8 + i];
			}
			cc = rp_geo_lookup6(b->geodb, hi, lo);
		}
		fence_in[k] = (int8_t)((fence[cc >> 6] >> (cc & 63)) & 1);
	}
}

static int pol_open(struct rp_bench *b)
{
	struct rp_bench_pol *P = calloc(1, sizeof(*P));
	__u64 fence[RP_GEO_SET_WORDS] = { 0 };
	int err = 0;

	if (!P)
		return -ENOMEM;
	b->pol = P;
	if (b->geodb) {
		struct rp_geo_name europe = { .name = "europe" };
		char e[256];

		if (rp_geo_name_set(NULL, &europe, fence, "bench", e, sizeof(e))) {
			rp_err("%s", e);
			return -EINVAL;
		}
		fence_sources(b, fence);
	}
	pol_config(P, b->geo_path, b->geodb ? fence : NULL);
	for (int k = 0; k < 2 && !err; k++) {
		P->stages[k] = -1;
		err = rp_dp_open(&P->dp[k], RP_DP_INLINE);
		if (err)
			break;
		P->open[k] = true;
		err = rp_control_open(&P->ctl[k], &P->dp[k], &P->cfg, rp_control_clock_live());
		if (err)
			break;
		if (k == 0)
			err = pol_deny(P);
		if (!err)
			err = pol_learn(b, k);
	}
	return err;
}

/*
 * Before every measurement of a policy figure: the stages in the services' entries of the
 * slot in force, every service held at the figure's level, and a control tick on the live
 * clock (the program's clock) so that the level's lease never runs out during the
 * measurement. The level in force is then read back from rp_levels: if it is not the
 * figure's, with at least a second of lease left, the figure is refused.
 */
static int pol_prepare(struct rp_bench *b, const struct rp_bench_cmp *c)
{
	struct rp_bench_pol *P = b->pol;
	struct rp_dp *dp;
	uint64_t now;
	int k = c->pol, err;

	if (k < 0)
		return 0;
	dp = &P->dp[k];
	if (P->stages[k] != c->stages) {
		int fd = bpf_map__fd(dp->skel->maps.rp_svcs);
		uint32_t slot = dp->skel->data->rp_knobs.policy_slot & 1;

		for (uint32_t s = 1; s <= RP_BENCH_NSVC; s++) {
			uint32_t key = slot * RP_MAX_SERVICES + s;
			struct rp_svc_policy sp;

			if (bpf_map_lookup_elem(fd, &key, &sp))
				return -errno;
			sp.stages = c->stages;
			if (bpf_map_update_elem(fd, &key, &sp, BPF_ANY))
				return -errno;
		}
		P->stages[k] = c->stages;
	}
	for (unsigned int s = 1; s <= RP_BENCH_NSVC; s++) {
		err = rp_control_set_level(P->ctl[k], s, c->level, 0);
		if (err)
			return err;
	}
	now = rp_control_clock_live();
	err = rp_control_tick(P->ctl[k], now);
	if (err) {
		rp_err("control tick failed: %s", strerror(-err));
		return err;
	}
	/* Level 0: a released level lapses at the end of its lease (up to 5 s); end it now. */
	for (uint32_t s = 1; s <= RP_BENCH_NSVC && c->level == RP_LVL_WATCH; s++) {
		struct rp_level_val zero = { 0 };

		if (bpf_map_update_elem(bpf_map__fd(dp->skel->maps.rp_levels), &s, &zero, BPF_ANY))
			return -errno;
	}
	for (uint32_t s = 1; s <= RP_BENCH_NSVC; s++) {
		struct rp_level_val lv;

		if (bpf_map_lookup_elem(bpf_map__fd(dp->skel->maps.rp_levels), &s, &lv))
			return -errno;
		/* Level 0 is what a lapsed level falls to (the floor is 0 here). */
		if (c->level == RP_LVL_WATCH ? lv.level != 0 && lv.expires > now :
					      lv.level != c->level || lv.expires < now + 1000000000ull) {
			rp_err("%s: service %u is at level %u until %+.3f s, not at level %u: "
			       "figure refused",
			       c->name, s, lv.level, ((double)lv.expires - (double)now) / 1e9,
			       c->level);
			return -EPROTO;
		}
	}
	return 0;
}

/* Per service (0 = none), per reason: frames counted so far by a policy copy. */
static int pol_counts(struct rp_bench *b, int k, uint64_t cnt[][RP_REASON_MAX])
{
	struct rp_svc_counters sum;

	for (uint32_t s = 0; s <= RP_BENCH_NSVC; s++) {
		int err = rp_dp_read_counters(&b->pol->dp[k], s, &sum);

		if (err)
			return err;
		for (int r = 0; r < RP_REASON_MAX; r++)
			cnt[s][r] = sum.reason[r].packets;
	}
	return 0;
}

/* The reason a frame must get from the whole pipeline (every stage on) at a level, or -1
 * when the figure does not check it. Outbound frames pass with "ok" at every level. */
static int want_reason(int kind, int level)
{
	int l4 = level >= RP_LVL_SHIELD;

	if (kind >= RP_BF_O_FIRST && kind < RP_BF_O_END)
		return RP_R_ok;
	if (level == RP_LVL_FENCE) {
		/* Known clients pass before the fence; the rest of the mix is judged by it. */
		switch (kind) {
		case RP_BF_P_WEB4_ACK:
		case RP_BF_P_WEB6_ACK:
			return RP_R_known_client;
		case RP_BF_P_VPN_FRAG2:
			return RP_R_frag_follow;
		case RP_BF_P_DNS_ALLOW:
			return RP_R_allowed;
		default:
			return fence_in[kind] ? RP_R_ok : RP_R_geo_fence;
		}
	}
	switch (kind) {
	case RP_BF_P_WEB4_ACK:
	case RP_BF_P_WEB6_ACK:
		return l4 ? RP_R_known_client : RP_R_ok;
	case RP_BF_P_VPN4:
	case RP_BF_P_VPN_FRAG1:
	case RP_BF_P_ATK_IKE4: /* critical: passes the shield */
		return RP_R_ok;
	case RP_BF_P_VPN_FRAG2:
		return RP_R_frag_follow;
	case RP_BF_P_DNS_ALLOW:
		return RP_R_allowed;
	case RP_BF_P_ATK_SYN4:
	case RP_BF_P_ATK_SYN6:
	case RP_BF_P_ATK_DNS4:
		return l4 ? RP_R_shield : RP_R_ok;
	default:
		return -1;
	}
}

/*
 * Which reasons the program under test gives, frame by frame, read from its counters: one
 * run per fixed-source frame (each must land in a service, and when the figure checks,
 * with the expected reason), 4096 runs per varying-source frame. The figure's reason
 * shares are weighted like its ns.
 */
static int pol_reasons(struct rp_bench *b, struct rp_bench_cmp *c)
{
	static uint64_t before[RP_BENCH_NSVC + 1][RP_REASON_MAX],
		after[RP_BENCH_NSVC + 1][RP_REASON_MAX];
	double wsum = 0;
	int err;

	memset(c->rshare, 0, sizeof(c->rshare));
	for (unsigned int i = 0; i < c->nframes; i++)
		wsum += c->nframes > 1 ? b->frames[c->frame[i]].share : 1;
	for (unsigned int i = 0; i < c->nframes; i++) {
		const struct rp_bench_frame *f = &b->frames[c->frame[i]];
		uint32_t n = c->vary ? 4096 : 1;
		double w = (c->nframes > 1 ? f->share : 1) / wsum, ns;
		uint64_t total = 0;
		int rv;

		err = pol_prepare(b, c);
		if (!err)
			err = pol_counts(b, c->pol, before);
		if (!err)
			err = rp_bench_measure(b->skel, c->tc, c->num_fd, f, c->vary, n, &rv, &ns);
		if (!err)
			err = pol_counts(b, c->pol, after);
		if (err)
			return err;
		for (int s = 0; s <= RP_BENCH_NSVC; s++)
			for (int r = 0; r < RP_REASON_MAX; r++)
				total += after[s][r] - before[s][r];
		for (int s = 0; s <= RP_BENCH_NSVC; s++)
			for (int r = 0; r < RP_REASON_MAX; r++) {
				uint64_t d = after[s][r] - before[s][r];
				int want = c->check_reasons ? want_reason(c->frame[i], c->level) : -1;

				if (!d)
					continue;
				c->rshare[r] += w * (double)d / (double)(total ? total : 1);
				if (c->vary)
					continue;
				if (s == 0 || (want >= 0 && r != want)) {
					rp_err("%s (%s, %s): reason %s in service %d, expected %s "
					       "in a protected service: figure refused",
					       c->name, c->what, f->name, rp_reason_name(r), s,
					       want >= 0 ? rp_reason_name(want) : "any reason");
					return -EPROTO;
				}
			}
		if (total != n) {
			rp_err("%s (%s): %" PRIu64 " frames counted for %u runs: figure refused",
			       c->name, f->name, total, n);
			return -EPROTO;
		}
	}
	return 0;
}

static int check_verdict(const struct rp_bench_cmp *c, int want, int got, const char *side,
			 const struct rp_bench_frame *f)
{
	if (want >= 0 ? got == want : verdict_valid(c->tc, got))
		return 0;
	rp_err("%s (%s, %s, %s): verdict %s (%d), expected %s: figure refused", c->name, side,
	       c->src, f->name, verdict_name(c->tc, got), got,
	       want >= 0 ? verdict_name(c->tc, want) : "a valid verdict");
	return -EPROTO;
}

/* One short run of every frame: warms caches and fixes the candidate's verdict. */
static int calibrate(struct rp_bench *b, struct rp_bench_cmp *c)
{
	for (unsigned int i = 0; i < c->nframes; i++) {
		const struct rp_bench_frame *f = &b->frames[c->frame[i]];
		int rv, err;
		double ns;

		err = pol_prepare(b, c);
		if (err)
			return err;
		err = rp_bench_measure(b->skel, c->tc, c->den_fd, f, c->vary, 1000, &rv, &ns);
		if (!err)
			err = check_verdict(c, c->den_want, rv, c->den_name, f);
		if (err)
			return err;
		err = rp_bench_measure(b->skel, c->tc, c->num_fd, f, c->vary, 1000, &rv, &ns);
		if (!err)
			err = check_verdict(c, c->num_want, rv, c->num_name, f);
		if (err)
			return err;
		/* A fixed source must get the same verdict on every run. */
		c->num_cal[i] = c->vary || c->num_want >= 0 ? c->num_want : rv;
	}
	return c->pol >= 0 ? pol_reasons(b, c) : 0;
}

/* Run r of a comparison: every frame, floor first, then the other side. */
static int cmp_run(struct rp_bench *b, struct rp_bench_cmp *c, unsigned int r)
{
	double wsum = 0, num = 0, den = 0;

	for (unsigned int i = 0; i < c->nframes; i++) {
		const struct rp_bench_frame *f = &b->frames[c->frame[i]];
		double w = c->nframes > 1 ? f->share : 1, ns_num = 0, ns_den = 0;
		int rv, err;

		err = pol_prepare(b, c);
		if (err)
			return err;
		for (int side = 0; side < 2; side++) {
			bool is_num = (side == 0) == c->num_first;

			err = rp_bench_measure(b->skel, c->tc, is_num ? c->num_fd : c->den_fd, f, c->vary,
					       b->repeat, &rv, is_num ? &ns_num : &ns_den);
			if (!err)
				err = check_verdict(c, is_num ? c->num_cal[i] : c->den_want, rv,
						    is_num ? c->num_name : c->den_name, f);
			if (err)
				return err;
			if (is_num)
				c->num_seen |= 1u << (rv & 7);
		}
		c->fnum[i][r] = ns_num;
		c->fden[i][r] = ns_den;
		num += w * ns_num;
		den += w * ns_den;
		wsum += w;
	}
	c->num[r] = num / wsum;
	c->den[r] = den / wsum;
	c->ratio[r] = c->den[r] > 0 ? c->num[r] / c->den[r] : 0;
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* Replay throughput */

struct rp_bench_preload {
	uint8_t *bytes;
	size_t used, cap;
	size_t *off;
	uint32_t *len;
	union rp_record *rec;
	size_t n, ncap;
};

struct rp_bench_replay {
	char path[PATH_MAX];
	char source[128];
	uint64_t frames;
	bool tcpdump_ok;
	double replay_fps[RP_BENCH_MAX_RUNS], loop_fps[RP_BENCH_MAX_RUNS];
	double tcpdump_fps[RP_BENCH_MAX_RUNS], load_ms[RP_BENCH_MAX_RUNS];
	double ratio[RP_BENCH_MAX_RUNS], vs_tcpdump[RP_BENCH_MAX_RUNS];
	double replay_s[RP_BENCH_MAX_RUNS]; /* the whole rp_replay() call, load included */
	double replay_load_ms[RP_BENCH_MAX_RUNS]; /* its program load, timed inside replay */
	double whole_ratio[RP_BENCH_MAX_RUNS]; /* whole call's fps over the loop's */
	long insns_xdp, insns_tc;
};

static void preload_free(struct rp_bench_preload *p)
{
	free(p->bytes);
	free(p->off);
	free(p->len);
	free(p->rec);
	memset(p, 0, sizeof(*p));
}

static int preload_add(struct rp_bench_preload *p, const struct rp_frame *fr)
{
	if (p->n == p->ncap) {
		size_t nc = p->ncap ? p->ncap * 2 : 4096;
		size_t *off = realloc(p->off, nc * sizeof(*off));
		uint32_t *len;
		union rp_record *rec;

		if (off)
			p->off = off;
		len = realloc(p->len, nc * sizeof(*len));
		if (len)
			p->len = len;
		rec = realloc(p->rec, nc * sizeof(*rec));
		if (rec)
			p->rec = rec;
		if (!off || !len || !rec)
			return -ENOMEM;
		p->ncap = nc;
	}
	if (p->used + fr->len > p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 1 << 20;
		uint8_t *nb;

		while (nc < p->used + fr->len)
			nc *= 2;
		nb = realloc(p->bytes, nc);
		if (!nb)
			return -ENOMEM;
		p->bytes = nb;
		p->cap = nc;
	}
	memcpy(p->bytes + p->used, fr->data, fr->len);
	p->off[p->n] = p->used;
	p->len[p->n] = fr->len;
	memset(&p->rec[p->n], 0, sizeof(p->rec[p->n]));
	/* What rp_replay() puts in the record for the same frame. */
	rp_rec_set_time(&p->rec[p->n].in, fr->time_ns);
	p->rec[p->n].in.wire_len = fr->wire_len;
	p->rec[p->n].in.cap_len = fr->cap_len;
	p->rec[p->n].in.dir = fr->dir;
	p->used += fr->len;
	p->n++;
	return 0;
}

static int preload_capture(const char *path, uint8_t *buf, struct rp_bench_preload *p)
{
	struct rp_capture *cap;
	struct rp_frame fr;
	char err[512];
	int rc;

	rc = rp_capture_open(path, &cap, err, sizeof(err));
	if (rc) {
		rp_err("%s", err);
		return rc;
	}
	while ((rc = rp_capture_next(cap, buf, &fr)) > 0) {
		rc = preload_add(p, &fr);
		if (rc)
			break;
	}
	if (rc < 0)
		rp_err("%s: %s", path, rc == -EIO ? rp_capture_error(cap) : strerror(-rc));
	rp_capture_close(cap);
	return rc < 0 ? rc : 0;
}

/* Run a command with stdout and stderr to /dev/null. Returns its exit status, or -errno. */
static int run_quiet(char *const argv[], bool path_search)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (path_search)
			execvp(argv[0], argv);
		else
			execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* The bench's own capture: the mix, in shares, interleaved, 10 us apart. */
static int write_mix_capture(const struct rp_bench *b, const char *path, unsigned int n)
{
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
							     PCAP_TSTAMP_PRECISION_MICRO);
	pcap_dumper_t *d;
	int credit[RP_BF_MIX_COUNT] = { 0 };
	uint64_t t = 1700000000ull * 1000000ull;

	if (!dead)
		return -ENOMEM;
	d = pcap_dump_open(dead, path);
	if (!d) {
		rp_err("%s: %s", path, pcap_geterr(dead));
		pcap_close(dead);
		return -EIO;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct pcap_pkthdr h;
		int best = 0;

		/* Smooth weighted round robin: shares are kept over every 100 frames. */
		for (int k = 0; k < RP_BF_MIX_COUNT; k++) {
			credit[k] += (int)b->frames[k].share;
			if (credit[k] > credit[best])
				best = k;
		}
		credit[best] -= 100;
		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = (time_t)(t / 1000000);
		h.ts.tv_usec = (suseconds_t)(t % 1000000);
		h.caplen = h.len = b->frames[best].len;
		pcap_dump((u_char *)d, &h, b->frames[best].data);
		t += 10;
	}
	pcap_dump_close(d);
	pcap_close(dead);
	return 0;
}

/* The capture: --capture, else `rempart gen --scenario sample`, else the bench's mix. */
static int replay_capture(struct rp_bench *b, struct rp_bench_replay *rr, const char *dir)
{
	/* 60 s of the sample scenario, about 200k frames, so the one-time program load is a
	 * small share of the replay's time, as it is on real captures. */
	char *gen[] = { "/proc/self/exe", "gen", "--scenario", "sample", "--seed", "1",
			"--duration", "60", "--attack-start", "10", "--attack-end", "50", "-o",
			rr->path, NULL };
	struct stat st;
	int rc;

	if (b->capture) {
		snprintf(rr->path, sizeof(rr->path), "%s", b->capture);
		snprintf(rr->source, sizeof(rr->source), "--capture");
		return 0;
	}
	snprintf(rr->path, sizeof(rr->path), "%s/sample.pcapng", dir);
	rc = run_quiet(gen, false);
	if (rc == 0 && stat(rr->path, &st) == 0 && st.st_size > 0) {
		snprintf(rr->source, sizeof(rr->source),
			 "rempart gen --scenario sample --seed 1 --duration 60 --attack-start 10 --attack-end 50");
		return 0;
	}
	rp_info("bench: 'rempart gen' is not available (status %d); using the bench's own mix",
		rc);
	unlink(rr->path);
	snprintf(rr->path, sizeof(rr->path), "%s/mix.pcap", dir);
	snprintf(rr->source, sizeof(rr->source), "the bench's mix, %d frames",
		 RP_BENCH_CAPTURE_FRAMES);
	return write_mix_capture(b, rr->path, RP_BENCH_CAPTURE_FRAMES);
}

/* The loop of identical calls: the same test runs as replay, frames already in memory. */
static int replay_loop(struct rp_bench *b, const struct rp_bench_preload *p, uint8_t *buf,
		       struct rp_bench_replay *rr, unsigned int r)
{
	struct rp_dp dp;
	double t0, t1;
	int err;

	/* A fresh program per run, as replay loads one: same state from the first frame. */
	t0 = now_s();
	err = rp_dp_open(&dp, RP_DP_REPLAY);
	if (!err)
		err = rp_dp_apply_config(&dp, b->cfg);
	t1 = now_s();
	if (err) {
		rp_dp_close(&dp);
		return err;
	}
	rr->load_ms[r] = (t1 - t0) * 1e3;
	rr->insns_xdp = rp_dp_verified_insns(dp.xdp_fd);
	rr->insns_tc = rp_dp_verified_insns(dp.tc_fd);

	t0 = now_s();
	for (size_t i = 0; i < p->n; i++) {
		union rp_record rec = p->rec[i];

		memcpy(buf + RP_CAP_HEADROOM, p->bytes + p->off[i], p->len[i]);
		err = rp_run_frame(&dp, buf, p->len[i], &rec);
		if (err) {
			rp_err("test run failed on frame %zu: %s", i + 1, strerror(-err));
			break;
		}
		if (rec.out.verdict == RP_V_ABORTED) {
			rp_err("frame %zu: the program wrote no decision: figure refused", i + 1);
			err = -EPROTO;
			break;
		}
	}
	t1 = now_s();
	rp_dp_close(&dp);
	if (err)
		return err;
	rr->loop_fps[r] = (double)p->n / (t1 - t0);
	return 0;
}

static int replay_bench(struct rp_bench *b, struct rp_bench_replay *rr)
{
	struct rp_bench_preload p = { 0 };
	char dir[] = "/tmp/rempart-bench.XXXXXX", csv[PATH_MAX];
	uint8_t *buf = NULL;
	int err;

	if (!mkdtemp(dir)) {
		err = -errno;
		rp_err("cannot make a directory in /tmp: %s", strerror(-err));
		return err;
	}
	snprintf(csv, sizeof(csv), "%s/verdicts.csv", dir);
	err = replay_capture(b, rr, dir);
	if (err)
		goto out;
	buf = malloc(RP_CAP_BUF_SIZE);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	err = preload_capture(rr->path, buf, &p);
	if (err)
		goto out;
	if (!p.n) {
		rp_err("%s: no frames to replay", rr->path);
		err = -EINVAL;
		goto out;
	}
	rr->frames = p.n;
	rr->tcpdump_ok = true;

	for (unsigned int r = 0; r < b->runs; r++) {
		struct rp_replay_opts o = { .capture = rr->path, .cfg = b->cfg, .verdicts = csv };
		struct rp_replay_result *res = calloc(1, sizeof(*res));
		char *td[] = { "tcpdump", "-r", rr->path, "-w", "/dev/null", NULL };
		double t0, t1;
		int rc;

		if (!res) {
			err = -ENOMEM;
			goto out;
		}
		/* 1. replay, the whole call */
		t0 = now_s();
		err = rp_replay(&o, res);
		t1 = now_s();
		if (!err && res->frames != p.n) {
			rp_err("replay saw %llu frames, the capture has %zu: figure refused",
			       (unsigned long long)res->frames, p.n);
			err = -EPROTO;
		}
		rr->replay_s[r] = t1 - t0;
		/* Throughput is the frame loop's rate; the one-time load is reported apart. */
		rr->replay_fps[r] = (double)p.n / (res->loop_ns / 1e9);
		rr->replay_load_ms[r] = res->load_ns / 1e6;
		rp_replay_result_free(res);
		free(res);
		if (err)
			goto out;

		/* 2. the identical test runs on frames in memory */
		err = replay_loop(b, &p, buf, rr, r);
		if (err)
			goto out;

		/* 3. tcpdump reading and writing the same capture */
		if (rr->tcpdump_ok) {
			t0 = now_s();
			rc = run_quiet(td, true);
			t1 = now_s();
			if (rc) {
				rp_warn("bench: tcpdump -r failed (status %d); no tcpdump figure",
					rc);
				rr->tcpdump_ok = false;
			} else {
				rr->tcpdump_fps[r] = (double)p.n / (t1 - t0);
			}
		}
		rr->ratio[r] = rr->replay_fps[r] / rr->loop_fps[r];
		rr->whole_ratio[r] = (double)p.n / rr->replay_s[r] / rr->loop_fps[r];
		rr->vs_tcpdump[r] = rr->tcpdump_ok ? rr->replay_fps[r] / rr->tcpdump_fps[r] : 0;
	}
out:
	preload_free(&p);
	free(buf);
	unlink(csv);
	if (!b->capture)
		unlink(rr->path);
	rmdir(dir);
	return err;
}

/* ------------------------------------------------------------------------------------ */
/* Frames: each must parse as intended, or the figures measure the wrong path */

static int check_frames(struct rp_bench *b)
{
	struct rp_dp dp;
	uint8_t *buf = malloc(RP_CAP_BUF_SIZE);
	int err;

	if (!buf)
		return -ENOMEM;
	err = rp_dp_open(&dp, RP_DP_REPLAY);
	for (int k = 0; !err && k < RP_BF_COUNT; k++) {
		const struct rp_bench_frame *f = &b->frames[k];

		for (int dir = RP_DIR_IN; !err && dir <= RP_DIR_OUT; dir++) {
			union rp_record rec = { .in = { .wire_len = f->len, .cap_len = f->len,
							.dir = (__u8)dir } };
			const struct rp_rec_out *o = &rec.out;
			bool frag_ok;

			memcpy(buf + RP_CAP_HEADROOM, f->data, f->len);
			err = rp_run_frame(&dp, buf, f->len, &rec);
			if (err)
				break;
			if (f->frag == 1)
				frag_ok = o->pflags & RP_PF_FRAG_FIRST;
			else if (f->frag == 2)
				frag_ok = o->pflags & RP_PF_FRAG_LATER;
			else
				frag_ok = !(o->pflags & (RP_PF_FRAG_FIRST | RP_PF_FRAG_LATER));
			if (o->reason != RP_R_ok || o->l3 != f->family || o->l4 != f->l4 ||
			    o->vlans != f->vlans || !frag_ok ||
			    (f->frag != 2 && !(o->pflags & RP_PF_L4_SEEN))) {
				rp_err("bench frame '%s' does not parse as built (reason %u, "
				       "l3 %u, l4 %u, pflags 0x%x, vlans %u)",
				       f->name, o->reason, o->l3, o->l4, o->pflags, o->vlans);
				err = -EPROTO;
			}
		}
	}
	rp_dp_close(&dp);
	free(buf);
	return err;
}

/* ------------------------------------------------------------------------------------ */
/* Output */

static void fmt_rate(char *buf, size_t len, double fps)
{
	if (fps >= 1e6)
		snprintf(buf, len, "%.2fM", fps / 1e6);
	else
		snprintf(buf, len, "%.0fk", fps / 1e3);
}

static void text_cmp_row(FILE *out, const struct rp_bench_cmp *c, const char *label,
			 const double *ratio, const double *num, const double *den,
			 unsigned int runs, bool show_target)
{
	struct rp_bench_stat r = rp_bench_stat_of(ratio, runs), n = rp_bench_stat_of(num, runs),
			     d = rp_bench_stat_of(den, runs);
	char tgt[64] = "";

	if (show_target && c->target > 0)
		snprintf(tgt, sizeof(tgt), "  target <= %.2fx: %s", c->target,
			 r.median <= c->target ? "met" : "MISSED");
	fprintf(out, "  %-48s %5.2fx  (spread %.2f-%.2f)  (%s %.1f ns, %s %.1f ns)%s\n", label,
		r.median, r.min, r.max, c->num_name, n.median, c->den_name, d.median, tgt);
}

static void text_cmp(FILE *out, const struct rp_bench *b, const struct rp_bench_cmp *c,
		     bool breakdown)
{
	char label[128];

	snprintf(label, sizeof(label), "%s  %-9s  %s", c->name, c->src, c->what);
	if (c->absent) {
		fprintf(out, "  %-48s not measured: %s\n", label, c->absent);
		return;
	}
	text_cmp_row(out, c, label, c->ratio, c->num, c->den, b->runs, true);
	if (!breakdown || c->nframes < 2)
		return;
	for (unsigned int i = 0; i < c->nframes; i++) {
		const struct rp_bench_frame *f = &b->frames[c->frame[i]];
		double ratio[RP_BENCH_MAX_RUNS];

		for (unsigned int r = 0; r < b->runs; r++)
			ratio[r] = c->fden[i][r] > 0 ? c->fnum[i][r] / c->fden[i][r] : 0;
		snprintf(label, sizeof(label), "    %-24s %3u%%", f->name, f->share);
		text_cmp_row(out, c, label, ratio, c->fnum[i], c->fden[i], b->runs, false);
	}
}

static void json_stat(FILE *out, const char *key, const double *v, unsigned int runs)
{
	struct rp_bench_stat s = rp_bench_stat_of(v, runs);

	fprintf(out, "\"%s\": {\"median\": %.4f, \"min\": %.4f, \"max\": %.4f, \"runs\": [", key,
		s.median, s.min, s.max);
	for (unsigned int r = 0; r < runs; r++)
		fprintf(out, "%s%.4f", r ? ", " : "", v[r]);
	fprintf(out, "]}");
}

static void json_cmp(FILE *out, const struct rp_bench *b, const struct rp_bench_cmp *c)
{
	fprintf(out, "    {\"name\": ");
	rp_json_string(out, c->name);
	fprintf(out, ", \"entry\": \"%s\", \"source\": \"%s\", \"frames\": ", c->tc ? "tc" : "xdp",
		c->vary == 4 ? "vary_ipv4_32" : c->vary == 6 ? "vary_ipv6_64" : "fixed");
	rp_json_string(out, c->what);
	fprintf(out, ", \"numerator\": \"%s\", \"denominator\": \"%s\"", c->num_name, c->den_name);
	if (c->absent) {
		fprintf(out, ", \"absent\": ");
		rp_json_string(out, c->absent);
		fprintf(out, "}");
		return;
	}
	fprintf(out, ", \"numerator_verdicts\": [");
	for (int v = 0, n = 0; v < 8; v++)
		if (c->num_seen & (1u << v))
			fprintf(out, "%s\"%s\"", n++ ? ", " : "", verdict_name(c->tc, v));
	fprintf(out, "]");
	if (c->target > 0)
		fprintf(out, ", \"target_max\": %.2f", c->target);
	if (c->pol >= 0) {
		fprintf(out, ",\n      \"deny_list\": \"%s\", \"level\": %u, \"stages\": %u, "
			     "\"reasons\": {",
			c->pol ? "empty" : "100k", c->level, c->stages);
		for (int r = 0, n = 0; r < RP_REASON_MAX; r++)
			if (c->rshare[r] > 0)
				fprintf(out, "%s\"%s\": %.4f", n++ ? ", " : "", rp_reason_name(r),
					c->rshare[r]);
		fprintf(out, "}");
	}
	fprintf(out, ",\n      ");
	json_stat(out, "ratio", c->ratio, b->runs);
	fprintf(out, ",\n      ");
	json_stat(out, "numerator_ns", c->num, b->runs);
	fprintf(out, ",\n      ");
	json_stat(out, "denominator_ns", c->den, b->runs);
	if (c->nframes > 1) {
		fprintf(out, ",\n      \"mix\": [");
		for (unsigned int i = 0; i < c->nframes; i++) {
			const struct rp_bench_frame *f = &b->frames[c->frame[i]];
			double ratio[RP_BENCH_MAX_RUNS];

			for (unsigned int r = 0; r < b->runs; r++)
				ratio[r] = c->fden[i][r] > 0 ? c->fnum[i][r] / c->fden[i][r] : 0;
			fprintf(out, "%s\n        {\"frame\": ", i ? "," : "");
			rp_json_string(out, f->name);
			fprintf(out, ", \"share\": %u, \"bytes\": %u, ", f->share, f->len);
			json_stat(out, "ratio", ratio, b->runs);
			fprintf(out, ", ");
			json_stat(out, "numerator_ns", c->fnum[i], b->runs);
			fprintf(out, ", ");
			json_stat(out, "denominator_ns", c->fden[i], b->runs);
			fprintf(out, "}");
		}
		fprintf(out, "\n      ]");
	}
	fprintf(out, "}");
}

/* ------------------------------------------------------------------------------------ */
/* The policy figures' comparisons */

/* A hook's policy figures, in this order. */
enum {
	RP_PF_L2, /* the whole pipeline at level 2, the mix */
	RP_PF_L4, /* the whole pipeline at level 4, the mix */
	RP_PF_L3, /* the whole pipeline at level 3, the mix, a fence on every service */
	RP_PF_L0, /* level 0, peacetime: known-client learning on, nothing else armed */
	RP_PF_V4, /* level 2, every IPv4 source new */
	RP_PF_V6, /* level 2, every IPv6 /64 new */
	RP_PF_S0, /* level 2, the mix, stages added one by one: none */
	RP_PF_S1, /* + allow */
	RP_PF_S2, /* + deny */
	RP_PF_S3, /* + sanity */
	RP_PF_S4, /* + scrub (then + sketch and limit is RP_PF_L2) */
	RP_PF_N2, /* level 2, the mix, without deny entries */
	RP_PF_NV4, /* level 2, every IPv4 source new, without deny entries */
	RP_PF_COUNT,
};

/* The stage increments: each figure over the one before it. */
static const struct {
	int fig;
	const char *stage; /* short name (JSON) */
	const char *what; /* text */
} rp_stage_chain[] = {
	{ RP_PF_S0, "none", "service lookup, level, source key (no stage)" },
	{ RP_PF_S1, "allow", "+ allow list" },
	{ RP_PF_S2, "deny", "+ deny list (100k entries)" },
	{ RP_PF_S3, "sanity", "+ sanity (bogons, spoofed local, TCP flags)" },
	{ RP_PF_S4, "scrub", "+ scrub (fragments, reflection, unlisted)" },
	{ RP_PF_L2, "limit", "+ sketch and per-source limit (= level 2)" },
	{ RP_PF_L4, "shield", "+ known clients and shield (level 4)" },
};
#define RP_STAGE_CHAIN (sizeof(rp_stage_chain) / sizeof(rp_stage_chain[0]))

static void cmp_set_range(struct rp_bench_cmp *c, int first, int end)
{
	c->nframes = 0;
	for (int k = first; k < end; k++)
		c->frame[c->nframes++] = k;
}

static unsigned int policy_cmps(struct rp_bench *b, struct rp_bench_cmp *c, int tc)
{
	static const uint8_t chain[5] = {
		0,
		RP_ST_ALLOW,
		RP_ST_ALLOW | RP_ST_DENY,
		RP_ST_ALLOW | RP_ST_DENY | RP_ST_SANITY,
		RP_ST_ALLOW | RP_ST_DENY | RP_ST_SANITY | RP_ST_SCRUB,
	};
	static const char *const chain_what[5] = { "mix, L2, no stage", "mix, L2, +allow",
						   "mix, L2, +deny", "mix, L2, +sanity",
						   "mix, L2, +scrub" };
	int first = tc ? RP_BF_O_FIRST : RP_BF_P_FIRST, end = tc ? RP_BF_O_END : RP_BF_P_END;

	for (int i = 0; i < RP_PF_COUNT; i++) {
		int pol = i == RP_PF_N2 || i == RP_PF_NV4;

		c[i] = (struct rp_bench_cmp){
			.name = tc ? "pipeline tc  / floor" : "pipeline xdp / floor",
			.src = "fixed src",
			.num_name = "pipeline",
			.den_name = "floor",
			.tc = tc,
			.num_fd = tc ? b->pol->dp[pol].tc_fd : b->pol->dp[pol].xdp_fd,
			.den_fd = bpf_program__fd(tc ? b->skel->progs.bench_floor_tc :
						       b->skel->progs.bench_floor_xdp),
			.num_want = -1,
			.den_want = tc ? TC_ACT_SHOT : XDP_DROP,
			.pol = pol,
			.level = RP_LVL_LIMIT,
			.stages = RP_ST_ALL,
		};
		cmp_set_range(&c[i], first, end);
	}
	c[RP_PF_L2].what = "mix, level 2";
	c[RP_PF_L2].target = RP_BENCH_POLICY_TARGET;
	c[RP_PF_L2].check_reasons = true;
	c[RP_PF_L4].what = "mix, level 4";
	c[RP_PF_L4].level = RP_LVL_SHIELD;
	c[RP_PF_L4].target = RP_BENCH_POLICY_TARGET;
	c[RP_PF_L4].check_reasons = true;
	/* Level 4 as defined before the fence existed: the shield alone. */
	c[RP_PF_L4].stages = RP_ST_ALL & ~RP_ST_FENCE;
	c[RP_PF_L0].what = "mix, level 0 (peacetime)";
	c[RP_PF_L0].level = RP_LVL_WATCH;
	c[RP_PF_L0].check_reasons = true;
	c[RP_PF_L3].what = "mix, level 3 (fence: europe)";
	c[RP_PF_L3].level = RP_LVL_FENCE;
	c[RP_PF_L3].target = RP_BENCH_POLICY_TARGET;
	c[RP_PF_L3].check_reasons = true;
	c[RP_PF_L3].absent = b->geodb ? NULL : b->geo_why;
	/* tc egress: outbound frames pass at every level; the row shows it. */
	for (int i = 0; i < 5; i++) {
		c[RP_PF_S0 + i].what = chain_what[i];
		c[RP_PF_S0 + i].stages = chain[i];
	}
	c[RP_PF_N2].what = "mix, L2, deny list empty";
	/* Varying sources: the attack SYN inbound, the SYN-ACK to it outbound (its client,
	 * the destination, varies). */
	c[RP_PF_V4].what = tc ? "syn-ack (/32 dst), level 2" : "syn (/32), level 2";
	c[RP_PF_V6].what = tc ? "syn-ack (/64 dst), level 2" : "syn (/64), level 2";
	c[RP_PF_NV4].what = tc ? "syn-ack (/32), deny list empty" : "syn (/32), deny list empty";
	for (int i = 0; i < 3; i++) {
		int fig = i == 0 ? RP_PF_V4 : i == 1 ? RP_PF_V6 : RP_PF_NV4;

		c[fig].src = "vary src";
		c[fig].vary = i == 1 ? 6 : 4;
		c[fig].nframes = 1;
		c[fig].frame[0] = tc ? (i == 1 ? RP_BF_O_SYNACK6 : RP_BF_O_SYNACK4) :
				       (i == 1 ? RP_BF_P_ATK_SYN6 : RP_BF_P_ATK_SYN4);
	}
	c[RP_PF_V4].target = c[RP_PF_V6].target = RP_BENCH_VARY_TARGET;
	return RP_PF_COUNT;
}

/* The increment of figure a over figure base, run by run: ratio and ns. */
static void increment(const struct rp_bench *b, const struct rp_bench_cmp *a,
		      const struct rp_bench_cmp *base, double *ratio, double *ns)
{
	for (unsigned int r = 0; r < b->runs; r++) {
		ratio[r] = a->ratio[r] - (base ? base->ratio[r] : 0);
		ns[r] = a->num[r] - (base ? base->num[r] : 0);
	}
}

/* The reasons of a policy figure, largest share first. */
static void text_reasons(FILE *out, const struct rp_bench_cmp *c)
{
	bool done[RP_REASON_MAX] = { false };

	fprintf(out, "      reasons:");
	for (int n = 0; n < 8; n++) {
		int best = -1;

		for (int r = 0; r < RP_REASON_MAX; r++)
			if (!done[r] && c->rshare[r] > 0 && (best < 0 || c->rshare[r] > c->rshare[best]))
				best = r;
		if (best < 0)
			break;
		done[best] = true;
		fprintf(out, "%s %s %.1f%%", n ? "," : "", rp_reason_name(best),
			100 * c->rshare[best]);
	}
	fprintf(out, "\n");
}

static void text_inc_row(FILE *out, const struct rp_bench *b, const char *label,
			 const struct rp_bench_cmp *a, const struct rp_bench_cmp *base)
{
	double ratio[RP_BENCH_MAX_RUNS], ns[RP_BENCH_MAX_RUNS];
	struct rp_bench_stat r, n;

	increment(b, a, base, ratio, ns);
	r = rp_bench_stat_of(ratio, b->runs);
	n = rp_bench_stat_of(ns, b->runs);
	if (!base)
		fprintf(out, "  %-52s %6.2fx  (spread %.2f to %.2f)   %6.1f ns  (spread %.1f to %.1f)\n",
			label, r.median, r.min, r.max, n.median, n.min, n.max);
	else
		fprintf(out, "  %-52s %+6.2fx  (spread %+.2f to %+.2f)  %+6.1f ns  (spread %+.1f to %+.1f)\n",
			label, r.median, r.min, r.max, n.median, n.min, n.max);
}

static void print_policy_text(FILE *out, const struct rp_bench *b)
{
	const struct rp_bench_pol *P = b->pol;
	static const int main_figs[] = { RP_PF_L0, RP_PF_L2, RP_PF_L3, RP_PF_L4, RP_PF_V4, RP_PF_V6 };

	fprintf(out,
		"\n(5) protection pipeline vs floor (bench policy, not -c): services web (tcp/80,443 on\n"
		"    192.0.2.10, 2001:db8:10::10), vpn (critical, udp/500,4500, fragments, 192.0.2.50), dns\n"
		"    (udp/53, tcp/53 on 192.0.2.53, 2001:db8:10::53); %u allow prefixes; %u bogon prefixes,\n"
		"    %u reflection ports; deny list %u entries (%u /32, %u /16-/28; %u lengths; %u /24s\n"
		"    = %.2f %% of IPv4 in the bitmap), loaded in %.0f ms. Inbound mix 70 %% legitimate\n"
		"    (known clients, vpn peer, allow-listed resolver), 30 %% attack reaching every stage;\n"
		"    tc egress: the same conversations outbound.\n",
		P->svc[0].n_allow, P->cfg.n_bogons, P->cfg.n_reflection_ports, P->ndeny, P->n32,
		P->npfx, P->nlens4, P->touched24, 100.0 * P->touched24 / (1 << 24),
		P->deny_load_ms);
	for (int t = 0; t < 2; t++)
		for (size_t i = 0; i < sizeof(main_figs) / sizeof(main_figs[0]); i++) {
			const struct rp_bench_cmp *c = &b->pcmp[t][main_figs[i]];

			/* frame by frame for the mixes: where the time goes */
			text_cmp(out, b, c, c->nframes > 1);
			if (!c->absent)
				text_reasons(out, c);
		}

	fprintf(out, "\n(6) each stage's increment: the mix, fixed sources, level 2, stages added one by one\n"
		     "    (ratio and ns over the figure above it; the first row is over the floor)\n");
	for (int t = 0; t < 2; t++) {
		fprintf(out, "  %s\n", t ? "tc egress (outbound: the inbound stages do not run)" :
					   "xdp");
		for (size_t i = 0; i < RP_STAGE_CHAIN; i++)
			text_inc_row(out, b, rp_stage_chain[i].what, &b->pcmp[t][rp_stage_chain[i].fig],
				     i ? &b->pcmp[t][rp_stage_chain[i - 1].fig] : NULL);
	}

	fprintf(out, "\n(7) the deny list alone: level 2 with the 100k entries over the same without entries\n");
	for (int t = 0; t < 2; t++) {
		char label[96];

		snprintf(label, sizeof(label), "%s fixed src  mix", t ? "tc " : "xdp");
		text_inc_row(out, b, label, &b->pcmp[t][RP_PF_L2], &b->pcmp[t][RP_PF_N2]);
		snprintf(label, sizeof(label), "%s vary src   %s", t ? "tc " : "xdp",
			 t ? "syn-ack (/32 dst)" : "syn (/32)");
		text_inc_row(out, b, label, &b->pcmp[t][RP_PF_V4], &b->pcmp[t][RP_PF_NV4]);
	}
	for (int t = 0; t < 2; t++) {
		text_cmp(out, b, &b->pcmp[t][RP_PF_N2], false);
		text_cmp(out, b, &b->pcmp[t][RP_PF_NV4], false);
		text_reasons(out, &b->pcmp[t][RP_PF_NV4]);
	}
}

/* --pipeline: figure 5 only, the whole pipeline against the floor (for tuning). */
static bool bench_skip(const struct rp_bench *b, const struct rp_bench_cmp *c)
{
	if (c->absent)
		return true;
	if (!b->pipeline_only)
		return false;
	for (int t = 0; t < 2; t++)
		if (c >= b->pcmp[t] && c < b->pcmp[t] + RP_PF_L0 + 1)
			return false;
	for (int t = 0; t < 2; t++)
		if (c == &b->pcmp[t][RP_PF_V4] || c == &b->pcmp[t][RP_PF_V6])
			return false;
	return true;
}

static void print_pipeline(FILE *out, const struct rp_bench *b)
{
	static const int figs[] = { RP_PF_L0, RP_PF_L2, RP_PF_L3, RP_PF_L4, RP_PF_V4, RP_PF_V6 };

	fprintf(out, "rempart bench --pipeline: figure (5) only, %u interleaved runs, repeat %u%s\n",
		b->runs, b->repeat, b->dispatcher_held ? "" : "; XDP dispatcher NOT held");
	for (int t = 0; t < 2; t++)
		for (size_t i = 0; i < sizeof(figs) / sizeof(figs[0]); i++) {
			const struct rp_bench_cmp *c = &b->pcmp[t][figs[i]];

			text_cmp(out, b, c, c->nframes > 1);
			if (!c->absent)
				text_reasons(out, c);
		}
}

static void json_inc(FILE *out, const struct rp_bench *b, const char *entry, const char *stage,
		     const struct rp_bench_cmp *a, const struct rp_bench_cmp *base, bool last)
{
	double ratio[RP_BENCH_MAX_RUNS], ns[RP_BENCH_MAX_RUNS];

	increment(b, a, base, ratio, ns);
	fprintf(out, "    {\"entry\": \"%s\", \"stage\": \"%s\", \"over\": \"%s\", ", entry, stage,
		base ? "previous" : "floor");
	json_stat(out, "ratio", ratio, b->runs);
	fprintf(out, ", ");
	json_stat(out, "ns", ns, b->runs);
	fprintf(out, "}%s\n", last ? "" : ",");
}

static void print_policy_json(FILE *out, const struct rp_bench *b)
{
	const struct rp_bench_pol *P = b->pol;

	fprintf(out,
		",\n  \"policy\": {\"deny_entries\": %u, \"deny_32\": %u, \"deny_prefixes\": %u, "
		"\"deny_lengths\": %u, \"deny_24s\": %u, \"deny_load_ms\": %.1f, "
		"\"target_fixed_max\": %.2f, \"target_vary_max\": %.2f,\n  \"figures\": [\n",
		P->ndeny, P->n32, P->npfx, P->nlens4, P->touched24, P->deny_load_ms,
		RP_BENCH_POLICY_TARGET, RP_BENCH_VARY_TARGET);
	for (int t = 0; t < 2; t++)
		for (int i = 0; i < RP_PF_COUNT; i++) {
			json_cmp(out, b, &b->pcmp[t][i]);
			fprintf(out, "%s\n", t == 1 && i == RP_PF_COUNT - 1 ? "" : ",");
		}
	fprintf(out, "  ],\n  \"stage_increments\": [\n");
	for (int t = 0; t < 2; t++)
		for (size_t i = 0; i < RP_STAGE_CHAIN; i++)
			json_inc(out, b, t ? "tc" : "xdp", rp_stage_chain[i].stage,
				 &b->pcmp[t][rp_stage_chain[i].fig],
				 i ? &b->pcmp[t][rp_stage_chain[i - 1].fig] : NULL,
				 t == 1 && i == RP_STAGE_CHAIN - 1);
	fprintf(out, "  ],\n  \"deny_list_increments\": [\n");
	for (int t = 0; t < 2; t++) {
		json_inc(out, b, t ? "tc" : "xdp", "deny_100k_fixed_mix", &b->pcmp[t][RP_PF_L2],
			 &b->pcmp[t][RP_PF_N2], false);
		json_inc(out, b, t ? "tc" : "xdp", "deny_100k_vary_ipv4", &b->pcmp[t][RP_PF_V4],
			 &b->pcmp[t][RP_PF_NV4], t == 1);
	}
	fprintf(out, "  ]}");
}

struct rp_bench_insns {
	long xdp, tc, floor_xdp, floor_tc, min_xdp;
};

static void print_text(FILE *out, const struct rp_bench *b, struct rp_bench_cmp *const *cmps,
		       unsigned int ncmp, const struct rp_bench_replay *rr, bool replay_done,
		       const struct rp_bench_insns *in, const char *kernel, const char *cpu,
		       const char *config)
{
	unsigned int seen[2] = { 0, 0 };

	fprintf(out,
		"rempart bench: kernel %s, %s, pinned to CPU %d; %u interleaved runs, repeat %u%s\n"
		"Ratios are medians of the per-run ratios, spread is min-max over the runs; "
		"absolute ns per frame\n(medians) in parentheses. The floor is rempart's parser "
		"then drop, no map access, behind the\nsame bench entry and tail call.\n",
		kernel, cpu, b->cpu, b->runs, b->repeat,
		b->dispatcher_held ? "" : "\nXDP dispatcher NOT held: XDP ratios are flattened");

	fprintf(out, "\n(1) parser, realistic mix (shares by frames), full parser vs minimal "
		     "Ethernet+IPv4 parser, XDP\n");
	text_cmp(out, b, cmps[0], true);

	fprintf(out, "\n(2) full program vs floor\n");
	for (unsigned int i = 1; i < ncmp; i++) {
		text_cmp(out, b, cmps[i], false);
		seen[cmps[i]->tc] |= cmps[i]->num_seen;
	}
	fprintf(out, "  full program verdicts: xdp");
	for (int v = 0; v < 8; v++)
		if (seen[0] & (1u << v))
			fprintf(out, " %s", verdict_name(0, v));
	fprintf(out, ", tc");
	for (int v = 0; v < 8; v++)
		if (seen[1] & (1u << v))
			fprintf(out, " %s", verdict_name(1, v));
	fprintf(out, " (config: %s)\n", config ? config : "built-in defaults");

	fprintf(out, "\n(3) replay throughput, frames per second\n");
	if (!replay_done) {
		fprintf(out, "  not measured (see the error above)\n");
	} else {
		struct rp_bench_stat ratio = rp_bench_stat_of(rr->ratio, b->runs),
				     rep = rp_bench_stat_of(rr->replay_fps, b->runs),
				     loop = rp_bench_stat_of(rr->loop_fps, b->runs),
				     load = rp_bench_stat_of(rr->replay_load_ms, b->runs);
		char r1[32], r2[32], r3[32];

		fmt_rate(r1, sizeof(r1), rep.median);
		fmt_rate(r2, sizeof(r2), loop.median);
		fprintf(out, "  capture: %s (%" PRIu64 " frames; %s)\n", rr->path, rr->frames,
			rr->source);
		fprintf(out,
			"  %-48s %5.2fx  (spread %.2f-%.2f)  (replay %s fps, loop %s fps)  "
			"target >= %.2fx: %s\n",
			"replay --verdicts / identical test_run loop", ratio.median, ratio.min,
			ratio.max, r1, r2, RP_BENCH_REPLAY_TARGET,
			ratio.median >= RP_BENCH_REPLAY_TARGET ? "met" : "MISSED");
		if (rr->tcpdump_ok) {
			struct rp_bench_stat vt = rp_bench_stat_of(rr->vs_tcpdump, b->runs),
					     td = rp_bench_stat_of(rr->tcpdump_fps, b->runs);

			fmt_rate(r3, sizeof(r3), td.median);
			fprintf(out, "  %-48s %5.2fx  (spread %.2f-%.2f)  (tcpdump %s fps)\n",
				"replay --verdicts / tcpdump -r -w /dev/null", vt.median, vt.min,
				vt.max, r3);
		} else {
			fprintf(out, "  %-48s n/a (tcpdump did not run)\n", "replay / tcpdump -r");
		}
		fprintf(out, "  %-48s %5.2fx  (spread %.2f-%.2f)  (whole call, once per capture)\n",
			"replay incl. program load / identical loop",
			rp_bench_stat_of(rr->whole_ratio, b->runs).median, rp_bench_stat_of(rr->whole_ratio, b->runs).min,
			rp_bench_stat_of(rr->whole_ratio, b->runs).max);
		fprintf(out, "  %-48s (%.1f ms, spread %.1f-%.1f)\n",
			"program load and verify, replay mode", load.median, load.min, load.max);
	}

	fprintf(out, "\n(4) verifier, processed instructions\n");
	fprintf(out, "  %-20s %8ld inline", "rp_xdp", in->xdp);
	if (replay_done)
		fprintf(out, "   %8ld replay", rr->insns_xdp);
	fprintf(out, "\n  %-20s %8ld inline", "rp_tc_egress", in->tc);
	if (replay_done)
		fprintf(out, "   %8ld replay", rr->insns_tc);
	fprintf(out, "\n  %-20s %8ld\n  %-20s %8ld\n  %-20s %8ld\n", "floor xdp", in->floor_xdp,
		"floor tc", in->floor_tc, "minimal parser xdp", in->min_xdp);
	print_policy_text(out, b);
}

static void print_json(FILE *out, const struct rp_bench *b, struct rp_bench_cmp *const *cmps,
		       unsigned int ncmp, const struct rp_bench_replay *rr, bool replay_done,
		       const struct rp_bench_insns *in, const char *kernel, const char *cpu,
		       const struct rp_bench_geo *geo)
{
	fprintf(out, "{\n  \"kernel\": ");
	rp_json_string(out, kernel);
	fprintf(out, ",\n  \"cpu_model\": ");
	rp_json_string(out, cpu);
	fprintf(out, ",\n  \"cpu\": %d,\n  \"runs\": %u,\n  \"repeat\": %u,\n", b->cpu, b->runs,
		b->repeat);
	fprintf(out, "  \"xdp_dispatcher_held\": %s,\n", b->dispatcher_held ? "true" : "false");
	fprintf(out, "  \"parser\":\n");
	json_cmp(out, b, cmps[0]);
	fprintf(out, ",\n  \"full\": [\n");
	for (unsigned int i = 1; i < ncmp; i++) {
		json_cmp(out, b, cmps[i]);
		fprintf(out, "%s\n", i + 1 < ncmp ? "," : "");
	}
	fprintf(out, "  ],\n  \"replay\": ");
	if (replay_done) {
		fprintf(out, "{\"capture\": ");
		rp_json_string(out, rr->path);
		fprintf(out, ", \"source\": ");
		rp_json_string(out, rr->source);
		fprintf(out, ", \"frames\": %" PRIu64 ", \"target_min\": %.2f,\n    ", rr->frames,
			RP_BENCH_REPLAY_TARGET);
		json_stat(out, "replay_over_loop", rr->ratio, b->runs);
		fprintf(out, ",\n    ");
		json_stat(out, "replay_fps", rr->replay_fps, b->runs);
		fprintf(out, ",\n    ");
		json_stat(out, "loop_fps", rr->loop_fps, b->runs);
		fprintf(out, ",\n    ");
		json_stat(out, "load_ms", rr->load_ms, b->runs);
		fprintf(out, ",\n    ");
		json_stat(out, "replay_with_load_over_loop", rr->whole_ratio, b->runs);
		if (rr->tcpdump_ok) {
			fprintf(out, ",\n    ");
			json_stat(out, "tcpdump_fps", rr->tcpdump_fps, b->runs);
			fprintf(out, ",\n    ");
			json_stat(out, "replay_over_tcpdump", rr->vs_tcpdump, b->runs);
		}
		fprintf(out, "}");
	} else {
		fprintf(out, "null");
	}
	print_policy_json(out, b);
	fprintf(out,
		",\n  \"verified_insns\": {\"rp_xdp\": %ld, \"rp_tc_egress\": %ld, "
		"\"floor_xdp\": %ld, \"floor_tc\": %ld, \"min_xdp\": %ld",
		in->xdp, in->tc, in->floor_xdp, in->floor_tc, in->min_xdp);
	if (replay_done)
		fprintf(out, ", \"rp_xdp_replay\": %ld, \"rp_tc_egress_replay\": %ld",
			rr->insns_xdp, rr->insns_tc);
	fprintf(out, "},\n  \"geo\": ");
	rp_bench_geo_json(out, geo);
	fprintf(out, "\n}\n");
}

/* ------------------------------------------------------------------------------------ */
/* The command */

static void bench_usage(FILE *f)
{
	fprintf(f,
		"usage: rempart bench [--json] [--runs N] [--repeat N] [-c CONFIG] "
		"[--capture FILE]\n"
		"                     [--pipeline] [--geo] [--geo-data FILE]\n\n"
		"Measure the data plane with BPF_PROG_TEST_RUN and print ratios measured in the\n"
		"same run (docs/bench.md):\n"
		"  (1) rempart's parser against a minimal Ethernet+IPv4 parser, realistic mix\n"
		"  (2) the full program (rp_xdp, rp_tc_egress) against the floor, the parser\n"
		"      then a drop with no map access, with a fixed and a varying source\n"
		"      (every IPv4 /32, every IPv6 /64)\n"
		"  (3) replay throughput against a loop of the same test runs and tcpdump -r\n"
		"  (4) the verifier's processed-instruction counts\n"
		"  (5) the protection pipeline (the bench's own policy, 100k deny entries) at\n"
		"      levels 2, 3 (a fence) and 4, and with every source new, against the floor\n"
		"  (6) each stage's increment  (7) the deny list's increment\n"
		"  (8) the geo stage (country of the source) over the floor\n\n"
		"      --json          print the figures as JSON, with every run\n"
		"      --runs N        interleaved runs per figure, medians reported (default %d,\n"
		"                      at least %d)\n"
		"      --repeat N      test-run repetitions per measurement (default %d)\n"
		"  -c, --config FILE   policy loaded into the program under test of (2) and\n"
		"                      replay (default: built-in defaults); (5)-(7) always use\n"
		"                      the bench's own policy\n"
		"      --capture FILE  capture for the replay figure (default: 'rempart gen\n"
		"                      --scenario sample', else %d frames of the bench's mix)\n"
		"      --pipeline      figure (5) alone, for tuning the data plane (text only)\n"
		"      --geo           figure (8) alone\n"
		"      --geo-data FILE the country dataset of (8) and of the level-3 figure of\n"
		"                      (5): .rpgeo, .mmdb or CSV (default: the built-in dataset;\n"
		"                      'synthetic': (8) on a synthetic world, no level-3 figure)\n\n"
		"Needs root. Pins itself to the CPU it starts on. Exit: 0 figures printed, 1 a\n"
		"figure was refused (failed tail call, wrong verdict) or another failure, 2 usage\n"
		"error.\n"
		"Targets are reported as met or MISSED; they never change the exit code.\n",
		RP_BENCH_DEFAULT_RUNS, RP_BENCH_MIN_RUNS, RP_BENCH_DEFAULT_REPEAT,
		RP_BENCH_CAPTURE_FRAMES);
}

static int parse_uint(const char *opt, const char *s, unsigned long lo, unsigned long hi,
		      unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || *s == '-' || v < lo || v > hi) {
		rp_err("%s takes a number from %lu to %lu, not '%s'", opt, lo, hi, s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown CPU");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !p)
			continue;
		p += 1 + strspn(p + 1, " \t");
		p[strcspn(p, "\n")] = 0;
		snprintf(buf, len, "%s", p);
		break;
	}
	fclose(f);
}

static void cmp_set_frames(struct rp_bench_cmp *c, int kind)
{
	if (kind < 0) {
		c->nframes = RP_BF_MIX_COUNT;
		for (int k = 0; k < RP_BF_MIX_COUNT; k++)
			c->frame[k] = k;
	} else {
		c->nframes = 1;
		c->frame[0] = kind;
	}
}

/* The figure-2 comparisons of one entry point: fixed and varying sources, and the mix. */
static unsigned int full_cmps(struct rp_bench *b, struct rp_bench_cmp *c, int tc)
{
	static const struct {
		const char *src;
		int vary;
		int kind;
		const char *what;
	} rows[] = {
		{ "fixed src", 0, RP_BF_IP4_TCP_SYN, "ipv4 tcp syn" },
		{ "vary src", 4, RP_BF_IP4_TCP_SYN, "ipv4 tcp syn (/32)" },
		{ "fixed src", 0, RP_BF_IP6_TCP, "ipv6 tcp syn" },
		{ "vary src", 6, RP_BF_IP6_TCP, "ipv6 tcp syn (/64)" },
		{ "fixed src", 0, -1, "mix" },
	};
	unsigned int n = sizeof(rows) / sizeof(rows[0]);

	for (unsigned int i = 0; i < n; i++) {
		c[i].name = tc ? "full tc  / floor" : "full xdp / floor";
		c[i].src = rows[i].src;
		c[i].what = rows[i].what;
		c[i].num_name = "full";
		c[i].den_name = "floor";
		c[i].tc = tc;
		c[i].num_fd = tc ? b->dp.tc_fd : b->dp.xdp_fd;
		c[i].den_fd = bpf_program__fd(tc ? b->skel->progs.bench_floor_tc :
						   b->skel->progs.bench_floor_xdp);
		c[i].num_first = false;
		c[i].vary = rows[i].vary;
		c[i].num_want = -1;
		c[i].den_want = tc ? TC_ACT_SHOT : XDP_DROP;
		c[i].pol = -1;
		cmp_set_frames(&c[i], rows[i].kind);
	}
	return n;
}

#define RP_BENCH_NCMP 11

/*
 * The country dataset of figure 8 and of the level-3 figure: FILE, or the built-in dataset;
 * "synthetic" for figure 8 on the synthetic world and no level-3 figure. A FILE that does
 * not load is an error; a missing built-in dataset only a note (b->geo_why).
 */
static int open_geo(struct rp_bench *b, const char *geo_data)
{
	char e[256];

	if (geo_data && !strcmp(geo_data, "synthetic")) {
		snprintf(b->geo_why, sizeof(b->geo_why), "--geo-data synthetic (no real dataset)");
		return 0;
	}
	b->geo_path = geo_data ? geo_data : rp_geo_default_path();
	b->geodb = calloc(1, sizeof(*b->geodb));
	if (!b->geodb)
		return -ENOMEM;
	if (!rp_geo_load(b->geodb, b->geo_path, e, sizeof(e)))
		return 0;
	free(b->geodb);
	b->geodb = NULL;
	if (geo_data) {
		rp_err("%s", e);
		return -EINVAL;
	}
	snprintf(b->geo_why, sizeof(b->geo_why), "no built-in country dataset (%s)", e);
	rp_warn("%s: figure (8) runs on the synthetic world, and the level-3 figure is absent",
		b->geo_why);
	b->geo_path = NULL;
	return 0;
}

int rp_cmd_bench(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "runs", required_argument, NULL, 'r' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'c' },
		{ "capture", required_argument, NULL, 'C' },
		{ "pipeline", no_argument, NULL, 'P' },
		{ "geo", no_argument, NULL, 'G' },
		{ "geo-data", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct rp_bench b = { .runs = RP_BENCH_DEFAULT_RUNS, .repeat = RP_BENCH_DEFAULT_REPEAT };
	struct rp_bench_cmp *cmp = NULL, *cmps[RP_BENCH_NCMP];
	struct rp_bench_replay *rr = NULL;
	struct rp_bench_insns insns;
	struct rp_bench_geo *geo = NULL;
	bool geo_only = false;
	const char *geo_data = NULL;
	struct rp_config cfg;
	const char *config = NULL;
	char err[512], cpu[128];
	struct utsname un;
	unsigned long v;
	unsigned int ncmp = 0, nall = 0;
	bool replay_done = false;
	int c, ret = RP_EXIT_FAIL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			b.json = true;
			break;
		case 'r':
			if (parse_uint("--runs", optarg, RP_BENCH_MIN_RUNS, RP_BENCH_MAX_RUNS, &v))
				return RP_EXIT_USAGE;
			b.runs = (unsigned int)v;
			break;
		case 'R':
			if (parse_uint("--repeat", optarg, 1, RP_BENCH_MAX_REPEAT, &v))
				return RP_EXIT_USAGE;
			b.repeat = (uint32_t)v;
			break;
		case 'c':
			config = optarg;
			break;
		case 'C':
			b.capture = optarg;
			break;
		case 'P':
			b.pipeline_only = true;
			break;
		case 'G':
			geo_only = true;
			break;
		case 'D':
			geo_data = optarg;
			break;
		case 'h':
			bench_usage(stdout);
			return RP_EXIT_OK;
		default:
			bench_usage(stderr);
			return RP_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		rp_err("bench takes no arguments, only options ('%s')", argv[optind]);
		bench_usage(stderr);
		return RP_EXIT_USAGE;
	}
	rp_config_defaults(&cfg);
	if (config && rp_config_load(config, &cfg, err, sizeof(err))) {
		rp_err("%s", err);
		return RP_EXIT_USAGE;
	}
	b.cfg = &cfg;
	if (geteuid() != 0) {
		rp_err("bench needs root (BPF_PROG_TEST_RUN)");
		goto out;
	}
	for (int k = 0; k < RP_BF_COUNT; k++)
		rp_bench_frame_build((enum rp_bench_frame_kind)k, &b.frames[k]);

	/* One CPU for everything: per-CPU state and caches stay put. */
	if (rp_pin_cpu())
		rp_warn("cannot pin to one CPU; figures may be noisier");
	b.cpu = sched_getcpu();

	b.skel = bench__open_and_load();
	if (!b.skel) {
		rp_err("cannot load the bench programs: %s", strerror(errno));
		goto out;
	}
	b.dispatcher_held = hold_dispatcher(b.skel) == 0;
	if (rp_dp_open(&b.dp, RP_DP_INLINE) || rp_dp_apply_config(&b.dp, &cfg))
		goto out;
	if (check_frames(&b))
		goto out;
	/* (8) the geo stage, on its own tables in the bench object */
	if (open_geo(&b, geo_data))
		goto out;
	geo = calloc(1, sizeof(*geo));
	if (!geo)
		goto out;
	if (b.geodb ? rp_bench_geo_run(b.skel, b.geodb, &b.frames[RP_BF_IP4_TCP_SYN],
				       &b.frames[RP_BF_IP6_TCP], b.runs, b.repeat, geo) :
		      rp_bench_geo_synthetic(b.skel, &b.frames[RP_BF_IP4_TCP_SYN],
					     &b.frames[RP_BF_IP6_TCP], b.runs, b.repeat, geo))
		goto out;
	if (geo_only) {
		if (b.json)
			rp_bench_geo_json(stdout, geo), printf("\n");
		else
			rp_bench_geo_text(stdout, geo);
		ret = RP_EXIT_OK;
		goto out;
	}

	/* The policy figures' programs: loaded, policy applied, deny list, known clients. */
	if (pol_open(&b))
		goto out;
	cmp = calloc(RP_BENCH_NCMP + 2 * RP_PF_COUNT, sizeof(*cmp));
	rr = calloc(1, sizeof(*rr));
	if (!cmp || !rr) {
		rp_err("out of memory");
		goto out;
	}
	/* (1) the parser: the floor (full parser) over the minimal parser */
	cmp[0] = (struct rp_bench_cmp){
		.name = "full parser / minimal parser",
		.src = "fixed src",
		.what = "mix",
		.num_name = "floor",
		.den_name = "minimal",
		.tc = RP_BENCH_XDP,
		.num_fd = bpf_program__fd(b.skel->progs.bench_floor_xdp),
		.den_fd = bpf_program__fd(b.skel->progs.bench_min_xdp),
		.num_first = true,
		.num_want = XDP_DROP,
		.den_want = XDP_DROP,
		.target = RP_BENCH_PARSER_TARGET,
		.pol = -1,
	};
	cmp_set_frames(&cmp[0], -1);
	ncmp = 1;
	/* (2) the full program, both entry points */
	ncmp += full_cmps(&b, &cmp[ncmp], RP_BENCH_XDP);
	ncmp += full_cmps(&b, &cmp[ncmp], RP_BENCH_TC);
	/* (5)-(7) the protection pipeline, both entry points */
	b.pcmp[RP_BENCH_XDP] = &cmp[ncmp];
	b.pcmp[RP_BENCH_TC] = &cmp[ncmp + RP_PF_COUNT];
	nall = ncmp + policy_cmps(&b, b.pcmp[RP_BENCH_XDP], RP_BENCH_XDP);
	nall += policy_cmps(&b, b.pcmp[RP_BENCH_TC], RP_BENCH_TC);
	for (unsigned int i = 0; i < nall; i++) {
		if (i < ncmp)
			cmps[i] = &cmp[i];
		if (bench_skip(&b, &cmp[i]))
			continue;
		if (calibrate(&b, &cmp[i]))
			goto out;
	}
	/* Interleaved: run r of every comparison, then run r + 1. */
	for (unsigned int r = 0; r < b.runs; r++)
		for (unsigned int i = 0; i < nall; i++)
			if (!bench_skip(&b, &cmp[i]) && cmp_run(&b, &cmp[i], r))
				goto out;
	if (b.pipeline_only) {
		print_pipeline(stdout, &b);
		ret = RP_EXIT_OK;
		goto out;
	}

	/* (3) replay */
	replay_done = replay_bench(&b, rr) == 0;

	/* (4) the verifier */
	insns.xdp = rp_dp_verified_insns(b.dp.xdp_fd);
	insns.tc = rp_dp_verified_insns(b.dp.tc_fd);
	insns.floor_xdp = rp_dp_verified_insns(bpf_program__fd(b.skel->progs.bench_floor_xdp));
	insns.floor_tc = rp_dp_verified_insns(bpf_program__fd(b.skel->progs.bench_floor_tc));
	insns.min_xdp = rp_dp_verified_insns(bpf_program__fd(b.skel->progs.bench_min_xdp));

	snprintf(err, sizeof(err), "%s", uname(&un) ? "unknown kernel" : un.release);
	cpu_model(cpu, sizeof(cpu));
	if (b.json)
		print_json(stdout, &b, cmps, ncmp, rr, replay_done, &insns, err, cpu, geo);
	else
		print_text(stdout, &b, cmps, ncmp, rr, replay_done, &insns, err, cpu, config);
	if (!b.json)
		rp_bench_geo_text(stdout, geo);
	ret = replay_done ? RP_EXIT_OK : RP_EXIT_FAIL;
out:
	if (b.geodb)
		rp_geo_free(b.geodb);
	free(b.geodb);
	free(geo);
	free(cmp);
	free(rr);
	pol_close(b.pol);
	rp_dp_close(&b.dp);
	if (b.skel)
		bench__destroy(b.skel);
	rp_config_free(&cfg);
	return ret;
}
