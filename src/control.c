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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rempart/abi.h"
#include "rempart.skel.h"
#include "config.h"
#include "control.h"
#include "log.h"
#include "policy.h"

#define RP_HH_DENY_NS (60ull * 1000000000ull) /* a heavy-hitter deny lasts a minute */
#define RP_HH_MAX_DENIES 65536
#define RP_HH_MIN_SEEN 16 /* never report sources under ~60 pps */
#define RP_DENY_GC_NS 1000000000ull

struct rp_svc_ctl {
	char key[2 * RP_CFG_MAX_NAME + 2]; /* "tenant/service" owning this index */
	bool active; /* a service of the configuration in force has this index */
	bool ever; /* some service had it (since the pinned state was created) */
	uint16_t gen; /* the number's generation (rp_svc_policy.salt) */
	uint8_t want; /* level the control plane holds (0: none) */
	uint64_t until; /* program clock; 0: until changed */
	uint64_t renewed_to; /* expiry last written; 0: none in force */
	bool changed; /* want or until changed since the last write */
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
	uint8_t src_len4, src_len6;
	uint64_t lease_ns;
	uint64_t now;
	uint64_t next_gc;
	uint64_t hh_events;
	struct rp_svc_ctl svc[RP_MAX_SERVICES];
};

uint64_t rp_control_clock_live(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The level a service is at: the one held (until its end), else its floor. */
static uint8_t level_in_force(const struct rp_svc_ctl *sc, uint64_t now)
{
	uint8_t want = sc->want && (!sc->until || now < sc->until) ? sc->want : 0;

	return want > sc->floor ? want : sc->floor;
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
	if (level_in_force(&c->svc[ev->svc], c->now) < RP_LVL_LIMIT)
		return 0;
	if (rp_deny_count_heavy(c->deny) >= RP_HH_MAX_DENIES)
		return 0;
	p.family = ev->family;
	p.len = ev->family == 4 ? c->src_len4 : c->src_len6;
	memcpy(p.addr, ev->addr, ev->family == 4 ? 4 : 16);
	rp_deny_add(c->deny, &p, c->now + RP_HH_DENY_NS, RP_DO_HEAVY, ev->svc);
	return 0;
}

/*
 * The registry of service numbers (rp_svc_reg, abi.h): read once at the start, so that over
 * adopted maps every service finds the number its state is kept under; written after every
 * reload that took effect. A fresh map reads as never used.
 */
static int registry_read(struct rp_control *c)
{
	int fd = bpf_map__fd(c->dp->skel->maps.rp_svc_reg);

	for (uint32_t j = 1; j < RP_MAX_SERVICES; j++) {
		struct rp_svc_ctl *sc = &c->svc[j];
		struct rp_svc_reg r;
		size_t n;

		if (bpf_map_lookup_elem(fd, &j, &r)) {
			int err = -errno;

			rp_err("cannot read the service registry: %s", strerror(-err));
			return err;
		}
		n = strnlen(r.key, sizeof(r.key));
		if (!n || n >= sizeof(sc->key))
			continue; /* never used (or not a key this build writes) */
		memcpy(sc->key, r.key, n);
		sc->key[n] = '\0';
		sc->ever = true;
		sc->active = r.active;
		sc->gen = r.gen;
	}
	return 0;
}

static int registry_write(struct rp_control *c)
{
	int fd = bpf_map__fd(c->dp->skel->maps.rp_svc_reg);

	for (uint32_t j = 1; j < RP_MAX_SERVICES; j++) {
		const struct rp_svc_ctl *sc = &c->svc[j];
		struct rp_svc_reg r = { .gen = sc->gen, .active = sc->active };

		if (!sc->ever)
			continue;
		snprintf(r.key, sizeof(r.key), "%s", sc->key);
		if (bpf_map_update_elem(fd, &j, &r, BPF_ANY)) {
			int err = -errno;

			rp_err("cannot write the service registry: %s", strerror(-err));
			return err;
		}
	}
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
	err = registry_read(c);
	if (!err)
		err = rp_control_reload(c, cfg, now_ns);
	if (err) {
		rp_control_close(c);
		return err;
	}
	*out = c;
	return 0;
}

static void svc_key(const struct rp_config *cfg, unsigned int i, char *key, size_t len)
{
	snprintf(key, len, "%s/%s", cfg->tenants[cfg->services[i].tenant].name,
		 cfg->services[i].name);
}

/*
 * The data plane's index of each service: a service keeps its index across reloads and
 * restarts (by tenant and name, through the registry), whatever its place in the file, so
 * its held level, heavy-hitter denies, counters, known clients and sketch cells stay its
 * own. A new service takes an index no service ever had, else one free now; only then is an
 * index reused: its state is cleared, and the number's next generation salts the hashes of
 * its known clients, pending proofs and sketch cells, which cannot be cleared one by one.
 */
static int assign_indices(struct rp_control *c, const struct rp_config *cfg, uint16_t *index)
{
	bool taken[RP_MAX_SERVICES] = { false };
	char key[sizeof(c->svc[0].key)];

	if (cfg->n_services >= RP_MAX_SERVICES)
		return 0; /* rp_policy_apply() says why */
	for (unsigned int i = 0; i < cfg->n_services; i++) {
		index[i] = 0;
		svc_key(cfg, i, key, sizeof(key));
		for (unsigned int j = 1; j < RP_MAX_SERVICES; j++)
			if (c->svc[j].active && !strcmp(c->svc[j].key, key)) {
				index[i] = j;
				taken[j] = true;
				break;
			}
	}
	for (unsigned int i = 0; i < cfg->n_services; i++) {
		for (int pass = 0; pass < 3 && !index[i]; pass++)
			for (unsigned int j = 1; j < RP_MAX_SERVICES && !index[i]; j++) {
				if (taken[j] || (pass == 0 && c->svc[j].ever) ||
				    (pass == 1 && c->svc[j].active))
					continue;
				index[i] = j;
				taken[j] = true;
			}
		if (!index[i])
			return -E2BIG;
	}
	return 0;
}

/* Index j changes owner or goes unused: nothing of the previous service stays on it. */
static int svc_clear(struct rp_control *c, unsigned int j)
{
	struct rp_svc_ctl *sc = &c->svc[j];
	int fd = bpf_map__fd(c->dp->skel->maps.rp_counters);
	uint32_t key = j;
	int err;

	sc->want = 0;
	sc->until = 0;
	sc->changed = true; /* renew_levels() ends a lease in force */
	sc->hh_permille = 0;
	sc->floor = 0;
	sc->last_packets = sc->last_t = sc->pps = 0;
	memset(c->dp->percpu, 0, sizeof(*c->dp->percpu) * c->dp->ncpus);
	if (bpf_map_update_elem(fd, &key, c->dp->percpu, BPF_ANY))
		return -errno;
	err = rp_deny_drop_service(c->deny, j);
	return err;
}

int rp_control_reload(struct rp_control *c, const struct rp_config *cfg, uint64_t now_ns)
{
	uint16_t index[RP_MAX_SERVICES] = { 0 }, gen[RP_MAX_SERVICES] = { 0 };
	bool now_active[RP_MAX_SERVICES] = { false };
	char err[512] = "", key[sizeof(c->svc[0].key)];
	int ret;

	c->now = now_ns;
	/* Everything a configuration can get wrong is found before anything changes: the
	 * deny list's fit, then the policy, compiled into the slot not in force and flipped
	 * last. Only then the direction data and knobs, and the deny list. */
	ret = assign_indices(c, cfg, index);
	/* A number another service owned before takes its next generation. */
	for (unsigned int i = 0; !ret && i < cfg->n_services; i++) {
		const struct rp_svc_ctl *sc = &c->svc[index[i]];

		svc_key(cfg, i, key, sizeof(key));
		gen[i] = sc->gen + (sc->ever && strcmp(sc->key, key) ? 1 : 0);
	}
	if (!ret)
		ret = rp_deny_check_config(c->deny, cfg, err, sizeof(err));
	if (!ret)
		ret = rp_policy_apply(c->dp, cfg, index, gen, err, sizeof(err));
	if (ret) {
		rp_err("policy not applied: %s", err[0] ? err : strerror(-ret));
		return ret;
	}
	ret = rp_dp_apply_config(c->dp, cfg);
	if (ret)
		return ret;
	ret = rp_deny_sync_config(c->deny, cfg);
	if (ret) {
		rp_err("deny list not applied: %s", strerror(-ret));
		return ret;
	}
	c->src_len4 = cfg->source_v4 ? cfg->source_v4 : 32;
	c->src_len6 = cfg->source_v6 ? cfg->source_v6 : 64;
	c->lease_ns = cfg->level_lease_ns ? cfg->level_lease_ns : 5000000000ull;
	for (unsigned int i = 0; i < cfg->n_services; i++)
		now_active[index[i]] = true;
	/* Indices whose service went away, or that a new service takes over. */
	for (unsigned int j = 1; j < RP_MAX_SERVICES; j++)
		if (c->svc[j].active && !now_active[j] && (ret = svc_clear(c, j)))
			return ret;
	for (unsigned int i = 0; i < cfg->n_services; i++) {
		struct rp_svc_ctl *sc = &c->svc[index[i]];

		svc_key(cfg, i, key, sizeof(key));
		if (sc->ever && strcmp(sc->key, key) && (ret = svc_clear(c, index[i])))
			return ret;
		/* A number that is not the service's place in the file, or a new owner's. */
		if (!(sc->active && !strcmp(sc->key, key)) && (index[i] != i + 1 || sc->ever))
			rp_info("service %s is number %u (rempart stats --service)", key, index[i]);
		snprintf(sc->key, sizeof(sc->key), "%s", key);
		sc->gen = gen[i];
		sc->hh_permille = cfg->services[i].set.heavy_hitter_permille;
		sc->floor = cfg->services[i].set.level_floor;
	}
	for (unsigned int j = 1; j < RP_MAX_SERVICES; j++) {
		c->svc[j].active = now_active[j];
		c->svc[j].ever |= now_active[j];
	}
	return registry_write(c);
}

int rp_control_set_level(struct rp_control *c, unsigned int svc, uint8_t level, uint64_t until)
{
	if (svc == 0 || svc >= RP_MAX_SERVICES || !c->svc[svc].active || level > RP_LVL_SHIELD)
		return -EINVAL;
	if (c->svc[svc].want == level && c->svc[svc].until == until)
		return 0;
	c->svc[svc].want = level;
	c->svc[svc].until = until;
	c->svc[svc].changed = true;
	return 0;
}

/* Renew the leases of the levels we hold; let the others lapse. */
static int renew_levels(struct rp_control *c)
{
	int fd = bpf_map__fd(c->dp->skel->maps.rp_levels);

	for (unsigned int s = 1; s < RP_MAX_SERVICES; s++) {
		struct rp_svc_ctl *sc = &c->svc[s];
		struct rp_level_val v = {};
		uint32_t key = s;

		if (!sc->active && !sc->renewed_to)
			continue;

		if (sc->want && sc->until && c->now >= sc->until)
			sc->want = 0; /* the hold ended (its lease ended with it) */
		if (!sc->want) {
			/* Released: the lease written goes now, not when it would have run out,
			 * so the floor is in force from the next frame. */
			if (sc->renewed_to > c->now &&
			    bpf_map_update_elem(fd, &key, &v, BPF_ANY))
				return -errno;
			sc->renewed_to = 0;
			sc->changed = false;
			continue;
		}
		if (!sc->changed && sc->renewed_to > c->now + c->lease_ns / 2)
			continue;
		v.level = sc->want;
		v.expires = c->now + c->lease_ns;
		if (sc->until && sc->until < v.expires)
			v.expires = sc->until; /* a hold ends on time, not a lease later */
		if (bpf_map_update_elem(fd, &key, &v, BPF_ANY))
			return -errno;
		sc->renewed_to = v.expires;
		sc->changed = false;
	}
	return 0;
}

/* Per-service inbound rates, and from them the heavy-hitter thresholds. */
static int update_rates(struct rp_control *c)
{
	int fd = bpf_map__fd(c->dp->skel->maps.rp_hh);
	struct rp_svc_counters sum;

	for (unsigned int s = 1; s < RP_MAX_SERVICES; s++) {
		struct rp_svc_ctl *sc = &c->svc[s];
		struct rp_hh_val v = {};
		uint64_t pkts, dt;
		uint32_t key = s;
		int err;

		if (!sc->active)
			continue;
		err = rp_dp_read_counters(c->dp, s, &sum);
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
		rp_deny_expire(c->deny, c->now);
		c->next_gc = c->now + RP_DENY_GC_NS;
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
