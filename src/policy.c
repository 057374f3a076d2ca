// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Compiling a configuration into the policy maps, and the deny list's userspace side.
 *
 * The policy is double-buffered: every policy key carries its slot, the program reads
 * rp_knobs.policy_slot once per frame, and a reload fills the other slot before flipping
 * that byte. The slot being filled is emptied first; it went out of force at the previous
 * reload, and no frame runs for anywhere near that long.
 */
#include <errno.h>
#include <netinet/in.h>
#include <search.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rempart/abi.h"
#include "rempart.skel.h"
#include "geo.h"
#include "geo_maps.h"
#include "log.h"
#include "policy.h"

/* A service's ports may expand to this many (proto, port) entries in all. */
#define RP_MAX_PORT_ENTRIES 65536

static int __attribute__((format(printf, 3, 4))) perr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static uint32_t be32_at(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

/* Does prefix a contain prefix b? */
static bool pfx_contains(const struct rp_prefix *a, const struct rp_prefix *b)
{
	if (a->family != b->family || a->len > b->len)
		return false;
	for (int bit = 0; bit < a->len; bit++) {
		uint8_t m = 0x80 >> (bit % 8);

		if ((a->addr[bit / 8] & m) != (b->addr[bit / 8] & m))
			return false;
	}
	return true;
}

static bool pfx_equal(const struct rp_prefix *a, const struct rp_prefix *b)
{
	return a->family == b->family && a->len == b->len && !memcmp(a->addr, b->addr, 16);
}

/* Everything one reload writes, gathered before any map is touched. */
struct rp_build {
	struct rp_dp *dp;
	const uint16_t *index; /* the data plane's index of each service; NULL: position + 1 */
	const uint16_t *gen; /* its number's generation (rp_svc_policy.salt); NULL: 0 */
	uint32_t slot;
	uint64_t c16[2][RP_C16_ELEMS]; /* per family */
	struct rp_glob glob;
	struct rp_svc_policy svcs[RP_MAX_SERVICES];
	uint64_t refl[1024];
	struct rp_ptab_ent *ptab; /* RP_PTAB_SIZE entries: the slot's table */
	unsigned int n_ptab;
	unsigned int max_disp; /* the longest distance of an entry from its home */
	unsigned int n_fenced; /* services with a fence (rows of rp_geo_counters) */
	const char *fence_over; /* the first service over RP_MAX_FENCED */
	/* A dataset written into the geo slot not in force, in force with the policy flip. */
	bool geo_new;
	const char *geo_path;
	struct stat geo_st;
	char geo_name[sizeof(((struct rp_dp *)0)->geo_name)];
	char geo_date[sizeof(((struct rp_dp *)0)->geo_date)];
	char *err;
	size_t errlen;
};

/* Note a prefix length for a kind of prefix set (longest first). */
static int add_len(struct rp_build *b, const struct rp_prefix *p, int kind)
{
	uint8_t *n = p->family == 4 ? &b->glob.nlens4[kind] : &b->glob.nlens6[kind];
	uint8_t *lens = p->family == 4 ? b->glob.lens4[kind] : b->glob.lens6[kind];
	int i;

	for (i = 0; i < *n; i++)
		if (lens[i] == p->len)
			return 0;
	if (*n >= RP_MAX_LENS)
		return perr(b->err, b->errlen,
			    "more than %d distinct IPv%d prefix lengths in one list (%s)", RP_MAX_LENS,
			    p->family, kind == RP_PK_ALLOW ? "allow lists" : kind == RP_PK_BOGON ? "bogons" : "addresses");
	for (i = *n; i > 0 && lens[i - 1] < p->len; i--)
		lens[i] = lens[i - 1];
	lens[i] = p->len;
	(*n)++;
	return 0;
}

/* Mark the /16s a prefix touches: "all" when it covers them whole, else "sub". */
static void mark_c16(struct rp_build *b, const struct rp_prefix *p, uint8_t all, uint8_t sub)
{
	uint32_t hi = (uint32_t)p->addr[0] << 8 | p->addr[1];
	uint32_t n = p->len >= 16 ? 1 : 1u << (16 - p->len);
	uint8_t bit = p->len <= 16 && all ? all : sub;
	uint64_t *c = b->c16[p->family == 6];

	hi &= ~(n - 1);
	for (uint32_t i = hi; i < hi + n; i++)
		c[i >> 3] |= (uint64_t)bit << ((i & 7) * 8);
}

static bool ptab_same(const struct rp_ptab_ent *e, const uint32_t *k, uint32_t tag,
		      uint16_t svc)
{
	return e->tag == tag && e->svc == svc && !memcmp(e->key, k, sizeof(e->key));
}

/* The entry of a key, or NULL. Unbounded probing: the compiler's view of the table. */
static struct rp_ptab_ent *ptab_get(struct rp_build *b, const uint32_t *k, uint32_t tag,
				    uint16_t svc)
{
	uint32_t h = rp_ptab_hash(k, tag, svc, b->glob.ptab_seed);

	for (uint32_t i = 0; i < RP_PTAB_SIZE; i++) {
		struct rp_ptab_ent *e = &b->ptab[(h + i) & (RP_PTAB_SIZE - 1)];

		if (!e->tag)
			return NULL;
		if (ptab_same(e, k, tag, svc))
			return e;
	}
	return NULL;
}

/*
 * Place an entry by Robin Hood linear probing and note how far from home anything went: an
 * entry further from its home than the one in its way takes that place, and the one moved
 * goes on probing. The longest distance stays close to the mean, so a table a quarter full
 * of random keys fits within the program's RP_PTAB_PROBES (plain linear probing needed up to
 * 11 for 30,000 random allow entries).
 */
static void ptab_place(struct rp_build *b, const struct rp_ptab_ent *n)
{
	struct rp_ptab_ent cur = *n, tmp;
	uint32_t pos = rp_ptab_hash(cur.key, cur.tag, cur.svc, b->glob.ptab_seed), d = 0;

	for (uint32_t i = 0; i < RP_PTAB_SIZE; i++, d++, pos = (pos + 1) & (RP_PTAB_SIZE - 1)) {
		struct rp_ptab_ent *e = &b->ptab[pos];
		uint32_t ed;

		if (!e->tag) {
			*e = cur;
			if (d > b->max_disp)
				b->max_disp = d;
			return;
		}
		ed = (pos - rp_ptab_hash(e->key, e->tag, e->svc, b->glob.ptab_seed)) &
		     (RP_PTAB_SIZE - 1);
		if (ed < d) {
			tmp = *e;
			*e = cur;
			cur = tmp;
			if (d > b->max_disp)
				b->max_disp = d;
			d = ed;
		}
	}
}

/* Add or replace an entry. first_wins: keep an existing entry's value. */
static int ptab_put(struct rp_build *b, const uint32_t *k, uint32_t tag, uint16_t svc,
		    const union rp_pfx_val *v, bool first_wins)
{
	struct rp_ptab_ent n = { .tag = tag, .svc = svc, .val = *v }, *e;

	memcpy(n.key, k, sizeof(n.key));
	e = ptab_get(b, k, tag, svc);
	if (e) {
		if (!first_wins)
			e->val = *v;
		return 0;
	}
	if (b->n_ptab >= RP_PTAB_MAX_FILL)
		return perr(b->err, b->errlen,
			    "the policy has more than %u entries (sites, ports, allow-list entries per service, bogon and local prefixes longer than /16)",
			    RP_PTAB_MAX_FILL);
	ptab_place(b, &n);
	b->n_ptab++;
	return 0;
}

/* Reseed until every entry lies within RP_PTAB_PROBES of its home, as the program probes. */
static int ptab_seal(struct rp_build *b)
{
	struct rp_ptab_ent *all;
	unsigned int n = 0;
	uint64_t seed = b->glob.ptab_seed;

	if (b->max_disp < RP_PTAB_PROBES)
		return 0;
	all = malloc((size_t)b->n_ptab * sizeof(*all) + 1);
	if (!all)
		return -ENOMEM;
	for (uint32_t i = 0; i < RP_PTAB_SIZE; i++)
		if (b->ptab[i].tag)
			all[n++] = b->ptab[i];
	for (int attempt = 0; attempt < 64 && b->max_disp >= RP_PTAB_PROBES; attempt++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		b->glob.ptab_seed = seed;
		b->max_disp = 0;
		memset(b->ptab, 0, (size_t)RP_PTAB_SIZE * sizeof(*b->ptab));
		for (unsigned int i = 0; i < n; i++)
			ptab_place(b, &all[i]);
	}
	free(all);
	if (b->max_disp >= RP_PTAB_PROBES)
		return perr(b->err, b->errlen,
			    "cannot place %u policy entries within %d probes; reduce allow lists or ports",
			    b->n_ptab, RP_PTAB_PROBES);
	return 0;
}

static int put_pfx(struct rp_build *b, const struct rp_prefix *p, int kind, uint16_t svc,
		   const union rp_pfx_val *v)
{
	uint32_t k[4] = {};
	int err;

	memcpy(k, p->addr, p->family == 4 ? 4 : 16);
	err = ptab_put(b, k, rp_ptab_tag(kind, p->len, p->family), svc, v, false);
	return err ? err : add_len(b, p, kind);
}

/* A site's ports as its entry lists them inline (rp_site_port), while they fit. */
struct site_ports {
	unsigned int n;
	bool no; /* a wildcard, another protocol, or too many: the program probes the table */
	struct rp_site_port p[RP_SITE_PORTS];
};

static void site_port_note(struct site_ports *l, uint8_t proto, uint32_t port, uint16_t svc)
{
	if (port == RP_PORT_ANY || (proto != IPPROTO_TCP && proto != IPPROTO_UDP)) {
		l->no = true;
		return;
	}
	for (unsigned int i = 0; i < l->n; i++)
		if (l->p[i].proto == proto && l->p[i].port == port)
			return; /* the first service to claim a port keeps it, as in the table */
	if (l->n >= RP_SITE_PORTS) {
		l->no = true;
		return;
	}
	l->p[l->n++] = (struct rp_site_port){ .port = (uint16_t)port, .proto = proto,
					      .svc = (uint8_t)svc };
}

static int put_port(struct rp_build *b, uint32_t tag, uint16_t site, uint8_t proto,
		    uint32_t port, uint16_t svc, unsigned int *count, struct site_ports *l)
{
	uint32_t k[4] = { site, proto, port, 0 };
	union rp_pfx_val v = { .site = { .svc = svc } };

	site_port_note(l, proto, port, svc);

	/* The first service to claim a port keeps it (the most specific site, then order). */
	if (++*count > RP_MAX_PORT_ENTRIES)
		return perr(b->err, b->errlen,
			    "port lists expand to more than %d entries; use tcp/any or udp/any",
			    RP_MAX_PORT_ENTRIES);
	return ptab_put(b, k, tag, 0, &v, true);
}

static int put_portspecs(struct rp_build *b, uint16_t site, uint16_t svc,
			 const struct rp_service_cfg *s, unsigned int *count, struct site_ports *l)
{
	int err;

	if (!s->n_ports)
		return put_port(b, RP_PT_PORT | RP_PT_USED, site, RP_PROTO_ANY, RP_PORT_ANY, svc,
				count, l);
	for (unsigned int i = 0; i < s->n_ports; i++) {
		const struct rp_portspec *ps = &s->ports[i];

		if (ps->proto != IPPROTO_TCP && ps->proto != IPPROTO_UDP) {
			err = put_port(b, RP_PT_PORT | RP_PT_USED, site, ps->proto, RP_PORT_ANY,
				       svc, count, l);
		} else if (ps->lo == 0 && ps->hi == 65535) {
			err = put_port(b, RP_PT_PORT | RP_PT_USED, site, ps->proto, RP_PORT_ANY,
				       svc, count, l);
		} else {
			err = 0;
			for (uint32_t port = ps->lo; port <= ps->hi && !err; port++)
				err = put_port(b, RP_PT_PORT | RP_PT_USED, site, ps->proto, port,
					       svc, count, l);
		}
		if (err)
			return err;
	}
	return 0;
}

/* n consecutive array elements from first: one batched syscall per 8192 elements. */
static int write_array(int fd, uint32_t first, const void *vals, size_t size, uint32_t n)
{
	uint32_t keys[8192];

	for (uint32_t done = 0; done < n;) {
		uint32_t count = n - done < 8192 ? n - done : 8192;

		for (uint32_t i = 0; i < count; i++)
			keys[i] = first + done + i;
		if (bpf_map_update_batch(fd, keys, (const uint8_t *)vals + (size_t)done * size,
					 &count, NULL))
			return -errno;
		done += count;
	}
	return 0;
}

/* The per-source limit's GCRA (bpf/policy.h's sketch): the emission interval 1/pps in units
 * of 2^RP_SK_TAT_SHIFT ns, 32.32 fixed point (pps > 0), and the tolerance tau - T =
 * (burst - 1) / pps in those units, at most RP_SK_TOL_MAX. */
static uint64_t src_interval(uint32_t pps)
{
	return (uint64_t)(1e9 / pps / (1 << RP_SK_TAT_SHIFT) * 4294967296.0 + 0.5);
}

static uint32_t src_tol(uint32_t pps, uint32_t burst)
{
	double tol = (double)(burst - 1) * 1e9 / pps / (1 << RP_SK_TAT_SHIFT) + 0.5;

	return tol >= RP_SK_TOL_MAX ? RP_SK_TOL_MAX : (uint32_t)tol;
}

/* The data plane's index of configuration service i (rp_policy_apply()). */
static unsigned int svc_index(const struct rp_build *b, unsigned int i)
{
	return b->index ? b->index[i] : i + 1;
}

static void build_service(struct rp_build *b, const struct rp_config *cfg, unsigned int i)
{
	const struct rp_service_cfg *s = &cfg->services[i];
	struct rp_svc_policy *sp = &b->svcs[svc_index(b, i)];
	uint32_t burst = s->set.source_limit.burst ? s->set.source_limit.burst : 1;

	sp->in_use = 1;
	sp->salt = svc_index(b, i) | (uint32_t)(b->gen ? b->gen[i] : 0) << 16;
	sp->tenant = s->tenant;
	sp->class = s->set.class;
	sp->floor = s->set.level_floor;
	sp->stages = RP_ST_ALL;
	if (s->set.fragments)
		sp->flags |= RP_SF_FRAGMENTS;
	if (cfg->known_learn)
		sp->flags |= RP_SF_LEARN;
	for (unsigned int p = 0; p < s->n_ports; p++)
		if (s->ports[p].proto == IPPROTO_TCP)
			sp->flags |= RP_SF_TCP;
	if (!s->n_ports)
		sp->flags |= RP_SF_TCP;
	if (s->set.source_limit.pps) {
		sp->src_interval = src_interval(s->set.source_limit.pps);
		sp->src_tol = src_tol(s->set.source_limit.pps, burst);
	}
	sp->allow_pps = s->set.allow_ceiling.pps;
	sp->allow_burst_milli = s->set.allow_ceiling.burst > UINT32_MAX / 1000 ?
					UINT32_MAX :
					s->set.allow_ceiling.burst * 1000;
	if (s->set.fence.configured && b->n_fenced >= RP_MAX_FENCED && !b->fence_over)
		b->fence_over = s->name;
	if (s->set.fence.configured && b->n_fenced < RP_MAX_FENCED) {
		sp->flags |= RP_SF_FENCE;
		sp->fence_idx = b->n_fenced++;
		_Static_assert(sizeof(s->set.fence.set) <= sizeof(sp->fence), "fence set");
		memcpy(sp->fence, s->set.fence.set, sizeof(s->set.fence.set));
	}
}

/*
 * The country dataset the fences need, compiled into the geo slot not in force when it is not
 * the one already there; glob.geo_slot names the slot the new policy's fences read, so the
 * policy flip switches both (commit_geo() records it). A policy that fails to build or
 * write leaves the countries in force as they were. No fence ever runs without data.
 */
static int build_geo(struct rp_build *b, const struct rp_config *cfg)
{
	const char *path = cfg->geo.dataset ? cfg->geo.dataset : rp_geo_default_path();
	struct rp_geo_load_stats st;
	struct rp_geo_db db = { 0 };
	struct rp_dp *dp = b->dp;
	struct stat st_now;
	int ret;

	b->geo_path = path;
	ret = rp_geo_maps_slot(dp->skel->obj);
	if (ret < 0)
		return perr(b->err, b->errlen, "cannot read the geo slot in force: %s",
			    strerror(-ret));
	b->glob.geo_slot = (uint8_t)ret;
	if (!b->n_fenced)
		return 0;
	/* The same file, unchanged since it was loaded: nothing to do. A file rewritten in
	 * place (the usual refresh, then SIGHUP) or replaced is read again. */
	if (dp->geo_path && !strcmp(dp->geo_path, path) && !stat(path, &st_now) &&
	    st_now.st_dev == dp->geo_st.st_dev && st_now.st_ino == dp->geo_st.st_ino &&
	    st_now.st_size == dp->geo_st.st_size &&
	    st_now.st_mtim.tv_sec == dp->geo_st.st_mtim.tv_sec &&
	    st_now.st_mtim.tv_nsec == dp->geo_st.st_mtim.tv_nsec)
		return 0;
	if (stat(path, &st_now))
		memset(&st_now, 0, sizeof(st_now));
	ret = rp_geo_load(&db, path, b->err, b->errlen);
	if (ret)
		return ret;
	ret = rp_geo_maps_write(dp->skel->obj, &db, &st);
	if (ret) {
		perr(b->err, b->errlen, "%s: cannot load the country tables: %s", path,
		     strerror(-ret));
	} else {
		b->glob.geo_slot = (uint8_t)st.slot;
		b->geo_new = true;
		b->geo_st = st_now;
		snprintf(b->geo_name, sizeof(b->geo_name), "%s", db.name);
		snprintf(b->geo_date, sizeof(b->geo_date), "%s", db.date);
		rp_info("geo: %s (%s, %s) loaded: %zu IPv4 and %zu IPv6 ranges, %zu KiB of tables in %.0f ms",
			path, db.name, db.date, db.n4, db.n6, st.bytes_kernel >> 10,
			st.build_ms + st.write_ms);
	}
	rp_geo_free(&db);
	return ret;
}

/* The new dataset's slot becomes the one in force for the next writer, before the policy flip
 * (the fences in force read their own policy's slot, so nothing changes for them yet). */
static int commit_geo(struct rp_build *b)
{
	const char *path = b->geo_path;
	struct rp_dp *dp = b->dp;
	int ret;

	if (!b->geo_new)
		return 0;
	ret = rp_geo_maps_flip(dp->skel->obj, b->glob.geo_slot);
	if (ret)
		return perr(b->err, b->errlen, "%s: cannot switch the country tables: %s", path,
			    strerror(-ret));
	free(dp->geo_path);
	dp->geo_path = strdup(path);
	dp->geo_st = b->geo_st;
	memcpy(dp->geo_name, b->geo_name, sizeof(dp->geo_name));
	memcpy(dp->geo_date, b->geo_date, sizeof(dp->geo_date));
	return 0;
}

/* Sites: each distinct service prefix. Its ports are those of the services owning exactly
 * that prefix, then of services owning a wider prefix that contains it. */
static int build_sites(struct rp_build *b, const struct rp_config *cfg)
{
	unsigned int nsites = 0, count = 0;
	struct rp_prefix *sites = NULL;
	int err = 0;

	for (unsigned int i = 0; i < cfg->n_services; i++)
		for (unsigned int a = 0; a < cfg->services[i].n_addresses; a++) {
			const struct rp_prefix *p = &cfg->services[i].addresses[a];
			unsigned int j;

			for (j = 0; j < nsites && !pfx_equal(&sites[j], p); j++)
				;
			if (j < nsites)
				continue;
			if (nsites >= 65535) {
				free(sites);
				return perr(b->err, b->errlen, "more than 65535 protected prefixes");
			}
			struct rp_prefix *t = realloc(sites, (nsites + 1) * sizeof(*t));

			if (!t) {
				free(sites);
				return -ENOMEM;
			}
			sites = t;
			sites[nsites++] = *p;
		}

	for (unsigned int j = 0; j < nsites && !err; j++) {
		union rp_pfx_val v = { .site = { .site = j } };
		struct site_ports l = { 0 };

		/* Exact owners first, then wider prefixes, longest first. */
		for (int pass = 0; pass < 2 && !err; pass++)
			for (int len = sites[j].len; len >= 0 && !err; len--)
				for (unsigned int i = 0; i < cfg->n_services && !err; i++) {
					const struct rp_service_cfg *s = &cfg->services[i];

					for (unsigned int a = 0; a < s->n_addresses && !err; a++) {
						const struct rp_prefix *p = &s->addresses[a];
						bool exact = pfx_equal(p, &sites[j]);

						if (p->len != len || (pass == 0) != exact ||
						    !pfx_contains(p, &sites[j]))
							continue;
						if (!v.site.svc)
							v.site.svc = svc_index(b, i);
						err = put_portspecs(b, j, svc_index(b, i), s, &count,
								    &l);
					}
				}
		if (!err)
			err = put_pfx(b, &sites[j], RP_PK_SITE, 0, &v);
		if (!err && !l.no) {
			uint32_t k[4] = { 0 };
			struct rp_ptab_ent *e;

			memcpy(k, sites[j].addr, sites[j].family == 4 ? 4 : 16);
			e = ptab_get(b, k, rp_ptab_tag(RP_PK_SITE, sites[j].len, sites[j].family), 0);
			if (e) {
				e->nports = (uint8_t)(1 + l.n);
				memcpy(e->ports, l.p, sizeof(e->ports));
			}
		}
	}
	free(sites);
	return err;
}

static int build_lists(struct rp_build *b, const struct rp_config *cfg)
{
	union rp_pfx_val one = { .present = 1 };
	int err;

	for (unsigned int i = 0; i < cfg->n_services; i++) {
		const struct rp_service_cfg *s = &cfg->services[i];

		for (unsigned int a = 0; a < s->n_allow; a++) {
			union rp_pfx_val v = {};

			err = put_pfx(b, &s->allow[a], RP_PK_ALLOW, svc_index(b, i), &v);
			if (err)
				return err;
			mark_c16(b, &s->allow[a], 0, RP_C16_ALLOW_SUB);
		}
		for (unsigned int u = 0; u < s->set.n_uses_source_ports; u++) {
			const struct rp_portspec *ps = &s->set.uses_source_ports[u];

			if (ps->proto != IPPROTO_UDP)
				continue;
			for (uint32_t port = ps->lo; port <= ps->hi; port++) {
				uint32_t k[4] = { svc_index(b, i), port, 0, 0 };
				union rp_pfx_val v = { .present = 1 };

				err = ptab_put(b, k, RP_PT_USES | RP_PT_USED, 0, &v, true);
				if (err)
					return err;
			}
		}
	}
	for (unsigned int i = 0; i < cfg->n_bogons; i++) {
		if (cfg->bogons[i].len > 16) {
			err = put_pfx(b, &cfg->bogons[i], RP_PK_BOGON, 0, &one);
			if (err)
				return err;
		}
		mark_c16(b, &cfg->bogons[i], RP_C16_BOGON_ALL, RP_C16_BOGON_SUB);
	}
	for (unsigned int i = 0; i < cfg->n_local; i++) {
		if (cfg->local[i].len > 16) {
			err = put_pfx(b, &cfg->local[i], RP_PK_LOCAL, 0, &one);
			if (err)
				return err;
		}
		mark_c16(b, &cfg->local[i], RP_C16_LOCAL_ALL, RP_C16_LOCAL_SUB);
	}
	for (unsigned int i = 0; i < cfg->n_reflection_ports; i++) {
		uint16_t p = cfg->reflection_ports[i];

		b->refl[p >> 6] |= 1ull << (p & 63);
	}
	return 0;
}

int rp_policy_apply(struct rp_dp *dp, const struct rp_config *cfg, const uint16_t *index,
		    const uint16_t *gen, char *err, size_t errlen)
{
	struct rempart *skel = dp->skel;
	struct rp_build *b;
	int ret;

	if (cfg->n_services >= RP_MAX_SERVICES)
		return perr(err, errlen, "%u services: the data plane holds %d", cfg->n_services,
			    RP_MAX_SERVICES - 1);
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->dp = dp;
	b->index = index;
	b->gen = gen;
	b->slot = !(skel->data->rp_knobs.policy_slot & 1);
	b->err = err;
	b->errlen = errlen;

	b->ptab = calloc(RP_PTAB_SIZE, sizeof(*b->ptab));
	if (!b->ptab) {
		ret = -ENOMEM;
		goto out;
	}
	/* A seed of its own for every build: the table's layout is nobody's to predict. */
	if (getrandom(&b->glob.ptab_seed, sizeof(b->glob.ptab_seed), 0) !=
	    sizeof(b->glob.ptab_seed))
		b->glob.ptab_seed = 0x2545f4914f6cdd1dull ^ (uintptr_t)b;

	for (unsigned int i = 0; i < cfg->n_services; i++)
		build_service(b, cfg, i);
	ret = build_sites(b, cfg);
	if (!ret)
		ret = build_lists(b, cfg);
	if (!ret)
		ret = ptab_seal(b);
	if (!ret && b->fence_over)
		ret = perr(err, errlen, "service %s: more than %d services have a fence",
			   b->fence_over, RP_MAX_FENCED);
	if (!ret)
		ret = build_geo(b, cfg);
	if (ret)
		goto out;
	b->glob.src_len4 = cfg->source_v4 ? cfg->source_v4 : 32;
	b->glob.src_len6 = cfg->source_v6 ? cfg->source_v6 : 64;
	b->glob.known_ttl_ns = cfg->known_ttl_ns;

	ret = write_array(bpf_map__fd(skel->maps.rp_ptab), b->slot * RP_PTAB_SIZE, b->ptab,
			  sizeof(*b->ptab), RP_PTAB_SIZE);
	if (!ret)
		ret = write_array(bpf_map__fd(skel->maps.rp_c16), b->slot * 2 * RP_C16_ELEMS,
				  b->c16, sizeof(uint64_t), 2 * RP_C16_ELEMS);
	if (!ret)
		ret = write_array(bpf_map__fd(skel->maps.rp_svcs), b->slot * RP_MAX_SERVICES, b->svcs,
				  sizeof(b->svcs[0]), RP_MAX_SERVICES);
	if (!ret)
		ret = write_array(bpf_map__fd(skel->maps.rp_refl), b->slot * 1024, b->refl,
				  sizeof(uint64_t), 1024);
	if (!ret)
		ret = write_array(bpf_map__fd(skel->maps.rp_globs), b->slot, &b->glob,
				  sizeof(b->glob), 1);
	if (ret) {
		perr(err, errlen, "cannot write the policy maps: %s", strerror(-ret));
		goto out;
	}
	ret = commit_geo(b);
	if (ret)
		goto out;
	/* The switch: one byte, read once per frame; the countries of the fences with it. */
	__atomic_store_n(&skel->data->rp_knobs.policy_slot, b->slot, __ATOMIC_RELEASE);
out:
	free(b->ptab);
	free(b);
	return ret;
}

/* ---- the deny list ---- */

struct rp_deny_entry {
	struct rp_prefix p;
	uint64_t expires;
	uint8_t origin;
	uint16_t svc;
	uint32_t gen; /* configuration entries: the sync that last listed it */
};

struct rp_deny {
	struct rp_dp *dp;
	void *root; /* tsearch tree of struct rp_deny_entry */
	unsigned int n;
	unsigned int n_heavy; /* of them, heavy-hitter entries */
	/* The /24 map's reference counts: entries covering each IPv4 /24 whole and for good
	 * (RP_DENY24_FULL), and other entries touching it (RP_DENY24_PART). */
	uint16_t *full24, *part24;
	uint64_t *bits; /* rp_deny_bits, mapped: RP_DENY_BITS_ELEMS words */
	uint64_t *sum; /* rp_deny_sum, mapped: a bit per word of bits, set while it is not 0 */
	uint32_t gen;
	uint32_t lens4[33], lens6[129]; /* entries per prefix length */
	/* a scratch list for walks */
	struct rp_deny_entry **walk;
	unsigned int nwalk, capwalk;
};

static int deny_cmp(const void *a, const void *b)
{
	const struct rp_deny_entry *x = a, *y = b;

	if (x->p.family != y->p.family)
		return x->p.family - y->p.family;
	if (x->p.len != y->p.len)
		return x->p.len - y->p.len;
	return memcmp(x->p.addr, y->p.addr, 16);
}

struct rp_deny *rp_deny_new(struct rp_dp *dp)
{
	struct rp_deny *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->dp = dp;
	/* 32 MiB of address space; pages are only touched where entries are. */
	d->full24 = calloc(1u << 24, sizeof(uint16_t));
	d->part24 = calloc(1u << 24, sizeof(uint16_t));
	d->bits = mmap(NULL, RP_DENY_BITS_ELEMS * sizeof(uint64_t), PROT_READ | PROT_WRITE,
		       MAP_SHARED, bpf_map__fd(dp->skel->maps.rp_deny_bits), 0);
	if (d->bits == MAP_FAILED) {
		rp_err("cannot map the deny list's /24 map: %s", strerror(errno));
		d->bits = NULL;
	}
	d->sum = mmap(NULL, RP_DENY_SUM_ELEMS * sizeof(uint64_t), PROT_READ | PROT_WRITE,
		      MAP_SHARED, bpf_map__fd(dp->skel->maps.rp_deny_sum), 0);
	if (d->sum == MAP_FAILED) {
		rp_err("cannot map the deny list's summary: %s", strerror(errno));
		d->sum = NULL;
	}
	if (!d->full24 || !d->part24 || !d->bits || !d->sum) {
		if (d->bits)
			munmap(d->bits, RP_DENY_BITS_ELEMS * sizeof(uint64_t));
		if (d->sum)
			munmap(d->sum, RP_DENY_SUM_ELEMS * sizeof(uint64_t));
		free(d->full24);
		free(d->part24);
		free(d);
		return NULL;
	}
	return d;
}

static void free_entry(void *e)
{
	free(e);
}

void rp_deny_free(struct rp_deny *d)
{
	if (!d)
		return;
	tdestroy(d->root, free_entry);
	munmap(d->bits, RP_DENY_BITS_ELEMS * sizeof(uint64_t));
	munmap(d->sum, RP_DENY_SUM_ELEMS * sizeof(uint64_t));
	free(d->full24);
	free(d->part24);
	free(d->walk);
	free(d);
}

unsigned int rp_deny_count(const struct rp_deny *d)
{
	return d->n;
}

unsigned int rp_deny_count_heavy(const struct rp_deny *d)
{
	return d->n_heavy;
}

/* Publish the prefix-length lists (longest first) into the program's .data. */
static void deny_lens_publish(struct rp_deny *d)
{
	struct rp_deny_lens *l = &d->dp->skel->bss->rp_deny_lens;
	struct rp_deny_lens n = {};

	for (int len = 32; len >= 0; len--)
		if (d->lens4[len])
			n.lens4[n.n4++] = len;
	for (int len = 128; len >= 0 && n.n6 < RP_MAX_LENS; len--)
		if (d->lens6[len])
			n.lens6[n.n6++] = len;
	/* The lists are read byte by byte while we write them: write the lengths first,
	 * then the counts, so a reader sees a longer list only once it is there. */
	memcpy(l->lens4, n.lens4, sizeof(n.lens4));
	memcpy(l->lens6, n.lens6, sizeof(n.lens6));
	__atomic_store_n(&l->n4, n.n4, __ATOMIC_RELEASE);
	__atomic_store_n(&l->n6, n.n6, __ATOMIC_RELEASE);
}

/* Covers its /24s whole and for good: no probe needed behind the FULL bit. */
static bool deny_full(const struct rp_deny_entry *e)
{
	return e->p.family == 4 && e->p.len <= 24 && !e->expires && e->origin != RP_DO_HEAVY;
}

static uint64_t deny24_bits(const struct rp_deny *d, uint32_t i)
{
	return (d->full24[i] ? RP_DENY24_FULL : 0) | (d->part24[i] ? RP_DENY24_PART : 0);
}

/* The summary bits of word w of the /24 map, one per /21 (16 bits of the word): set after
 * the word gains bits (a reader that sees the bit finds them), cleared once the /21's bits
 * are 0 (they were cleared first). */
static void deny_sum_update(struct rp_deny *d, uint32_t w)
{
	uint64_t v = __atomic_load_n(&d->bits[w], __ATOMIC_ACQUIRE);

	for (uint32_t q = 0; q < 4; q++) {
		uint32_t j = w * 4 + q; /* the /21 */
		uint64_t bit = 1ull << (j & 63);

		if ((v >> (q * 16)) & 0xffff)
			__atomic_fetch_or(&d->sum[j >> 6], bit, __ATOMIC_RELEASE);
		else
			__atomic_fetch_and(&d->sum[j >> 6], ~bit, __ATOMIC_RELEASE);
	}
}

/* Count an IPv4 entry in or out of its /24s, and update their two bits in the shared map
 * (atomically: the program reads the words while we write them). */
static void deny_bits(struct rp_deny *d, const struct rp_deny_entry *e, int delta)
{
	uint16_t *cnt = deny_full(e) ? d->full24 : d->part24;
	uint32_t first = be32_at(e->p.addr) >> 8;
	uint32_t n = e->p.len >= 24 ? 1 : 1u << (24 - e->p.len);

	for (uint32_t i = first; i < first + n; i++) {
		uint64_t before = deny24_bits(d, i), after, shift = (i & 31) * 2;

		cnt[i] += delta;
		after = deny24_bits(d, i);
		if (after & ~before)
			__atomic_fetch_or(&d->bits[i >> 5], (after & ~before) << shift,
					  __ATOMIC_RELEASE);
		if (before & ~after)
			__atomic_fetch_and(&d->bits[i >> 5], ~((before & ~after) << shift),
					   __ATOMIC_RELEASE);
		if (before != after)
			deny_sum_update(d, i >> 5);
	}
}

/* Probed prefix lengths: IPv4 entries behind a PART bit, and every IPv6 entry. */
static void deny_lens_count(struct rp_deny *d, const struct rp_deny_entry *e, int delta)
{
	uint32_t *l = e->p.family == 4 ? &d->lens4[e->p.len] : &d->lens6[e->p.len];
	bool was = *l != 0;

	if (deny_full(e))
		return;
	*l += delta;
	if (was != (*l != 0))
		deny_lens_publish(d);
}

/* An entry enters (delta 1) or leaves (-1) the lookup structures. Entering, the map entry
 * is written before the bits that lead lookups to it; leaving, after. */
static void deny_index(struct rp_deny *d, const struct rp_deny_entry *e, int delta)
{
	deny_lens_count(d, e, delta);
	if (e->p.family == 4)
		deny_bits(d, e, delta);
}

void rp_deny_publish_bits(struct rp_deny *d)
{
	for (uint32_t w = 0; w < RP_DENY_BITS_ELEMS; w++) {
		uint64_t v = 0;

		for (uint32_t j = 0; j < 32; j++)
			v |= deny24_bits(d, w * 32 + j) << (j * 2);
		__atomic_store_n(&d->bits[w], v, __ATOMIC_RELEASE);
		deny_sum_update(d, w);
	}
}

static int deny_map_write(struct rp_deny *d, const struct rp_deny_entry *e, bool del)
{
	struct rp_deny_val v = { .expires = e->expires, .svc = e->svc, .origin = e->origin };
	int fd, err;

	if (e->p.family == 4) {
		struct rp_deny4_key k = { .len = e->p.len };

		memcpy(&k.addr, e->p.addr, 4);
		fd = bpf_map__fd(d->dp->skel->maps.rp_deny4);
		err = del ? bpf_map_delete_elem(fd, &k) : bpf_map_update_elem(fd, &k, &v, BPF_ANY);
	} else {
		struct rp_deny6_key k = { .len = e->p.len };

		memcpy(k.addr, e->p.addr, 16);
		fd = bpf_map__fd(d->dp->skel->maps.rp_deny6);
		err = del ? bpf_map_delete_elem(fd, &k) : bpf_map_update_elem(fd, &k, &v, BPF_ANY);
	}
	return err ? -errno : 0;
}

static int deny_add(struct rp_deny *d, const struct rp_prefix *p, uint64_t expires,
		    uint8_t origin, uint16_t svc, uint32_t gen)
{
	struct rp_deny_entry *e = calloc(1, sizeof(*e)), **slot;
	int err;

	if (!e)
		return -ENOMEM;
	e->p = *p;
	e->expires = expires;
	e->origin = origin;
	e->svc = svc;
	e->gen = gen;
	slot = tsearch(e, &d->root, deny_cmp);
	if (!slot) {
		free(e);
		return -ENOMEM;
	}
	if (*slot != e) {
		struct rp_deny_entry old;

		/*
		 * Already listed: refresh it. Origins rank config > operator > heavy hitter, and
		 * an entry is never downgraded: a heavy-hitter report leaves an operator's or the
		 * configuration's entry as it is, and an operator's block a configured one. A
		 * configured prefix is marked with this sync's generation whatever it was, so
		 * the sync keeps it. A heavy-hitter report for another service than the entry's
		 * binds it to every service: each service's deny must keep applying.
		 */
		free(e);
		e = *slot;
		if (origin == RP_DO_CONFIG)
			e->gen = gen;
		if (e->origin == RP_DO_CONFIG && origin != RP_DO_CONFIG)
			return 0;
		if (e->origin == RP_DO_OPERATOR && origin == RP_DO_HEAVY)
			return 0;
		old = *e;
		if (e->origin == RP_DO_HEAVY && origin == RP_DO_HEAVY) {
			if (e->svc != svc)
				svc = 0;
			if (e->expires > expires)
				expires = e->expires;
		}
		e->expires = expires;
		e->origin = origin;
		e->svc = svc;
		d->n_heavy -= old.origin == RP_DO_HEAVY && origin != RP_DO_HEAVY;
		err = deny_map_write(d, e, false);
		if (!err && deny_full(&old) != deny_full(e)) {
			deny_index(d, e, 1); /* the new way in first, then the old one out */
			deny_index(d, &old, -1);
		}
		return err;
	}
	if (p->family == 6 && !d->lens6[p->len]) {
		unsigned int distinct = 0;

		for (int l = 0; l <= 128; l++)
			distinct += d->lens6[l] != 0;
		if (distinct >= RP_MAX_LENS) {
			tdelete(e, &d->root, deny_cmp);
			free(e);
			return -E2BIG;
		}
	}
	/* Entry first, then the length list and the map that lead lookups to it. */
	err = deny_map_write(d, e, false);
	if (err) {
		tdelete(e, &d->root, deny_cmp);
		free(e);
		return err;
	}
	d->n++;
	d->n_heavy += origin == RP_DO_HEAVY;
	deny_index(d, e, 1);
	return 0;
}

int rp_deny_add(struct rp_deny *d, const struct rp_prefix *p, uint64_t expires, uint8_t origin,
		uint16_t svc)
{
	return deny_add(d, p, expires, origin, svc, d->gen);
}

static int deny_remove(struct rp_deny *d, struct rp_deny_entry *e)
{
	int err;

	/* The map and the lengths first go stale (a wasted probe), never the other way. */
	deny_index(d, e, -1);
	err = deny_map_write(d, e, true);
	d->n_heavy -= e->origin == RP_DO_HEAVY;
	tdelete(e, &d->root, deny_cmp);
	free(e);
	d->n--;
	return err == -ENOENT ? 0 : err;
}

int rp_deny_del(struct rp_deny *d, const struct rp_prefix *p)
{
	struct rp_deny_entry key = { .p = *p }, **found = tfind(&key, &d->root, deny_cmp);

	if (!found)
		return -ENOENT;
	return deny_remove(d, *found);
}

/* twalk has no argument: the walk's owner is a thread-local pointer. */
static __thread struct rp_deny *rp_walking;

static void collect(const void *node, VISIT which, int depth)
{
	struct rp_deny *d = rp_walking;
	struct rp_deny_entry *e = *(struct rp_deny_entry *const *)node;

	(void)depth;
	if (which != postorder && which != leaf)
		return;
	if (d->nwalk == d->capwalk) {
		unsigned int cap = d->capwalk ? 2 * d->capwalk : 256;
		struct rp_deny_entry **w = realloc(d->walk, cap * sizeof(*w));

		if (!w)
			return; /* the next walk retries */
		d->walk = w;
		d->capwalk = cap;
	}
	d->walk[d->nwalk++] = e;
}

static void walk_all(struct rp_deny *d)
{
	d->nwalk = 0;
	rp_walking = d;
	twalk(d->root, collect);
	rp_walking = NULL;
}

int rp_deny_drop_service(struct rp_deny *d, uint16_t svc)
{
	int err = 0;

	walk_all(d);
	for (unsigned int i = 0; i < d->nwalk && !err; i++) {
		struct rp_deny_entry *e = d->walk[i];

		if (e->origin == RP_DO_HEAVY && e->svc == svc)
			err = deny_remove(d, e);
	}
	return err;
}

unsigned int rp_deny_expire(struct rp_deny *d, uint64_t now)
{
	unsigned int gone = 0;

	walk_all(d);
	for (unsigned int i = 0; i < d->nwalk; i++) {
		struct rp_deny_entry *e = d->walk[i];

		if (e->expires && e->expires <= now && !deny_remove(d, e))
			gone++;
	}
	return gone;
}

/*
 * Whether the configuration's deny list fits beside the entries that are not the
 * configuration's (operator blocks, heavy-hitter denies), before anything is changed: the
 * distinct IPv6 lengths the program probes, and the maps' capacity.
 */
int rp_deny_check_config(struct rp_deny *d, const struct rp_config *cfg, char *err,
			 size_t errlen)
{
	bool len6[129] = { false };
	unsigned int n4 = 0, n6 = 0, distinct = 0;

	walk_all(d);
	for (unsigned int i = 0; i < d->nwalk; i++) {
		const struct rp_deny_entry *e = d->walk[i];

		if (e->origin == RP_DO_CONFIG)
			continue;
		if (e->p.family == 6)
			n6++, len6[e->p.len] = true;
		else
			n4++;
	}
	for (unsigned int i = 0; i < cfg->n_deny; i++) {
		if (cfg->deny[i].family == 6)
			n6++, len6[cfg->deny[i].len] = true;
		else
			n4++;
	}
	for (int l = 0; l <= 128; l++)
		distinct += len6[l];
	if (distinct > RP_MAX_LENS)
		return perr(err, errlen,
			    "deny: %u distinct IPv6 prefix lengths (with the operator's and "
			    "heavy-hitter entries); the data plane probes at most %d",
			    distinct, RP_MAX_LENS);
	if (n4 > RP_MAX_DENY || n6 > 65536)
		return perr(err, errlen,
			    "deny: %u IPv4 and %u IPv6 entries (with the operator's and heavy-hitter "
			    "entries); the data plane holds %d and 65536",
			    n4, n6, RP_MAX_DENY);
	return 0;
}

int rp_deny_sync_config(struct rp_deny *d, const struct rp_config *cfg)
{
	uint32_t gen = ++d->gen;
	int err;

	for (unsigned int i = 0; i < cfg->n_deny; i++) {
		err = deny_add(d, &cfg->deny[i], 0, RP_DO_CONFIG, 0, gen);
		if (err)
			return err;
	}
	walk_all(d);
	for (unsigned int i = 0; i < d->nwalk; i++) {
		struct rp_deny_entry *e = d->walk[i];

		if (e->origin == RP_DO_CONFIG && e->gen != gen) {
			err = deny_remove(d, e);
			if (err)
				return err;
		}
	}
	return 0;
}
