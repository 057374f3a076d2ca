// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The control loop's work (control.h), the same code in replay and live:
 *  - applying a configuration: direction data and knobs, the policy slot flip, the
 *    configuration's deny entries;
 *  - levels: the control plane owns each service's wanted level and renews its lease in
 *    rp_levels; a level nobody renews lapses to the service's floor in the data plane;
 *  - heavy hitters: candidates from the ring buffer become deny entries bound to their
 *    service, which the data plane enforces from level 2;
 *  - per-service rates, from which each service's heavy-hitter threshold follows;
 *  - expiry of timed deny entries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rempart/abi.h"
#include "rempart.skel.h"
#include "control.h"
#include "log.h"
#include "policy.h"

#define RP_HH_DENY_NS (60ull * 1000000000ull) /* a heavy-hitter deny lasts a minute */
#define RP_HH_MAX_DENIES 65536
#define RP_HH_MIN_SEEN 16 /* never report sources under ~60 pps */
#define RP_DENY_GC_NS 1000000000ull

struct rp_svc_ctl {
	uint8_t want; /* level the control plane holds (0: none) */
	uint64_t until; /* program clock; 0: until changed */
	uint64_t renewed_to; /* expiry last written */
	uint8_t floor; /* the configuration's level floor */
	uint16_t hh_permille;
	uint64_t last_packets; /* counter at the previous tick */
	uint64_t last_t;
	uint64_t pps; /* inbound frames per second over the last tick */
};

struct rp_control {
	struct rp_dp *dp;
	struct rp_deny *deny;
	struct ring_buffer *ring;
	unsigned int n_services;
	uint8_t src_len4, src_len6;
	uint64_t lease_ns;
	uint64_t now;
	uint64_t next_gc;
	unsigned int hh_denies;
	uint64_t hh_events;
	struct rp_svc_ctl svc[RP_MAX_SERVICES];
};

uint64_t rp_control_clock_live(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int on_heavy_hitter(void *arg, void *data, size_t len)
{
	struct rp_control *c = arg;
	const struct rp_hh_event *ev = data;
	struct rp_prefix p = {};

	if (len < sizeof(*ev) || ev->svc == 0 || ev->svc >= RP_MAX_SERVICES)
		return 0;
	c->hh_events++;
	/*
	 * A deny only while the service limits (level 2 and up). A source that is heavy in
	 * peacetime (a partner's proxy, a busy regular) is no attacker; one that stays heavy
	 * once the level rises is reported again within an epoch (~134 ms) and denied then.
	 */
	if ((c->svc[ev->svc].want > c->svc[ev->svc].floor ? c->svc[ev->svc].want :
							     c->svc[ev->svc].floor) < RP_LVL_LIMIT)
		return 0;
	if (c->hh_denies >= RP_HH_MAX_DENIES)
		return 0;
	p.family = ev->family;
	p.len = ev->family == 4 ? c->src_len4 : c->src_len6;
	memcpy(p.addr, ev->addr, ev->family == 4 ? 4 : 16);
	if (!rp_deny_add(c->deny, &p, c->now + RP_HH_DENY_NS, RP_DO_HEAVY, ev->svc))
		c->hh_denies++;
	return 0;
}

int rp_control_open(struct rp_control **out, struct rp_dp *dp, const struct rp_config *cfg,
		    uint64_t now_ns)
{
	struct rp_control *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return -ENOMEM;
	c->dp = dp;
	c->now = now_ns;
	c->deny = rp_deny_new(dp);
	if (!c->deny) {
		free(c);
		return -ENOMEM;
	}
	c->ring = ring_buffer__new(bpf_map__fd(dp->skel->maps.rp_hh_ring), on_heavy_hitter, c,
				   NULL);
	if (!c->ring) {
		err = -errno;
		rp_err("cannot open the heavy-hitter ring buffer: %s", strerror(-err));
		rp_control_close(c);
		return err;
	}
	err = rp_control_reload(c, cfg, now_ns);
	if (err) {
		rp_control_close(c);
		return err;
	}
	*out = c;
	return 0;
}

int rp_control_reload(struct rp_control *c, const struct rp_config *cfg, uint64_t now_ns)
{
	char err[512] = "";
	int ret;

	c->now = now_ns;
	ret = rp_dp_apply_config(c->dp, cfg);
	if (ret)
		return ret;
	ret = rp_policy_apply(c->dp, cfg, err, sizeof(err));
	if (ret) {
		rp_err("policy not applied: %s", err[0] ? err : strerror(-ret));
		return ret;
	}
	ret = rp_deny_sync_config(c->deny, cfg);
	if (ret) {
		rp_err("deny list not applied: %s", strerror(-ret));
		return ret;
	}
	c->src_len4 = cfg->source_v4 ? cfg->source_v4 : 32;
	c->src_len6 = cfg->source_v6 ? cfg->source_v6 : 64;
	c->n_services = cfg->n_services;
	c->lease_ns = cfg->level_lease_ns ? cfg->level_lease_ns : 5000000000ull;
	for (unsigned int i = 0; i < cfg->n_services; i++) {
		c->svc[i + 1].hh_permille = cfg->services[i].set.heavy_hitter_permille;
		c->svc[i + 1].floor = cfg->services[i].set.level_floor;
	}
	return 0;
}

int rp_control_set_level(struct rp_control *c, unsigned int svc, uint8_t level, uint64_t until)
{
	if (svc == 0 || svc > c->n_services || level > RP_LVL_SHIELD)
		return -EINVAL;
	if (c->svc[svc].want == level && c->svc[svc].until == until)
		return 0;
	c->svc[svc].want = level;
	c->svc[svc].until = until;
	c->svc[svc].renewed_to = 0;
	return 0;
}

/* Renew the leases of the levels we hold; let the others lapse. */
static int renew_levels(struct rp_control *c)
{
	int fd = bpf_map__fd(c->dp->skel->maps.rp_levels);

	for (unsigned int s = 1; s <= c->n_services; s++) {
		struct rp_svc_ctl *sc = &c->svc[s];
		struct rp_level_val v = {};
		uint32_t key = s;

		if (sc->want && sc->until && c->now >= sc->until)
			sc->want = 0; /* the hold ended: stop renewing, the lease runs out */
		if (!sc->want || sc->renewed_to > c->now + c->lease_ns / 2)
			continue;
		v.level = sc->want;
		v.expires = c->now + c->lease_ns;
		if (sc->until && sc->until < v.expires)
			v.expires = sc->until; /* a hold ends on time, not a lease later */
		if (bpf_map_update_elem(fd, &key, &v, BPF_ANY))
			return -errno;
		sc->renewed_to = v.expires;
	}
	return 0;
}

/* Per-service inbound rates, and from them the heavy-hitter thresholds. */
static int update_rates(struct rp_control *c)
{
	int fd = bpf_map__fd(c->dp->skel->maps.rp_hh);
	struct rp_svc_counters sum;

	for (unsigned int s = 1; s <= c->n_services; s++) {
		struct rp_svc_ctl *sc = &c->svc[s];
		struct rp_hh_val v = {};
		uint64_t pkts, dt;
		uint32_t key = s;
		int err = rp_dp_read_counters(c->dp, s, &sum);

		if (err)
			return err;
		pkts = sum.dir[RP_DIR_IN].packets;
		dt = c->now - sc->last_t;
		if (sc->last_t && dt)
			sc->pps = (pkts - sc->last_packets) * 1000000000ull / dt;
		sc->last_packets = pkts;
		sc->last_t = c->now;
		/* The decayed count is about pps * 2^28 / 1e9 (bpf/policy.h). */
		if (sc->hh_permille && sc->pps) {
			uint64_t thr = sc->pps * sc->hh_permille / 1000 * (1ull << 28) / 1000000000ull;

			v.seen_threshold = thr < RP_HH_MIN_SEEN ? RP_HH_MIN_SEEN :
					   thr > UINT32_MAX    ? UINT32_MAX :
								 thr;
		}
		if (bpf_map_update_elem(fd, &key, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

int rp_control_tick(struct rp_control *c, uint64_t now_ns)
{
	int err;

	if (now_ns > c->now)
		c->now = now_ns;
	if (ring_buffer__consume(c->ring) < 0)
		rp_warn("heavy-hitter ring buffer: read failed");
	err = update_rates(c);
	if (!err)
		err = renew_levels(c);
	if (!err && c->now >= c->next_gc) {
		unsigned int n = rp_deny_expire(c->deny, c->now);

		c->next_gc = c->now + RP_DENY_GC_NS;
		c->hh_denies = c->hh_denies > n ? c->hh_denies - n : 0;
	}
	return err;
}

int rp_control_ring_fd(const struct rp_control *c)
{
	return c->ring ? ring_buffer__epoll_fd(c->ring) : -1;
}

struct rp_deny *rp_control_deny(struct rp_control *c)
{
	return c->deny;
}

void rp_control_close(struct rp_control *c)
{
	if (!c)
		return;
	ring_buffer__free(c->ring);
	rp_deny_free(c->deny);
	free(c);
}
