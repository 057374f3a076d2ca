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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rempart/abi.h"
#include "rempart.skel.h"
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
	uint32_t slot;
	uint64_t c16[2][RP_C16_ELEMS]; /* per family */
	struct rp_glob glob;
	struct rp_svc_policy svcs[RP_MAX_SERVICES];
	uint64_t refl[1024];
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

static int put_pfx(struct rp_build *b, const struct rp_prefix *p, int kind, uint16_t svc,
		   const union rp_pfx_val *v)
{
	int err;

	if (p->family == 4) {
		struct rp_pfx4_key k = { .slot = b->slot, .kind = kind, .len = p->len, .svc = svc };

		memcpy(&k.addr, p->addr, 4);
		err = bpf_map_update_elem(bpf_map__fd(b->dp->skel->maps.rp_pfx4), &k, v, BPF_ANY);
	} else {
		struct rp_pfx6_key k = { .slot = b->slot, .kind = kind, .len = p->len, .svc = svc };

		memcpy(k.addr, p->addr, 16);
		err = bpf_map_update_elem(bpf_map__fd(b->dp->skel->maps.rp_pfx6), &k, v, BPF_ANY);
	}
	if (err)
		return perr(b->err, b->errlen, "cannot write the policy map: %s (too many entries?)",
			    strerror(errno));
	return add_len(b, p, kind);
}

static int put_port(struct rp_build *b, uint8_t proto, uint16_t site, uint32_t port, uint16_t svc,
		    unsigned int *count)
{
	struct rp_port_key k = { .slot = b->slot, .proto = proto, .site = site, .port = port };
	int fd = bpf_map__fd(b->dp->skel->maps.rp_ports);

	/* The first service to claim a port keeps it (the most specific site, then order). */
	if (!bpf_map_lookup_elem(fd, &k, &svc) && !(proto & RP_PROTO_USES))
		return 0;
	if (++*count > RP_MAX_PORT_ENTRIES)
		return perr(b->err, b->errlen,
			    "port lists expand to more than %d entries; use tcp/any or udp/any",
			    RP_MAX_PORT_ENTRIES);
	if (bpf_map_update_elem(fd, &k, &svc, BPF_ANY))
		return perr(b->err, b->errlen, "cannot write the port map: %s", strerror(errno));
	return 0;
}

static int put_portspecs(struct rp_build *b, uint16_t site, uint16_t svc,
			 const struct rp_service_cfg *s, unsigned int *count)
{
	int err;

	if (!s->n_ports)
		return put_port(b, RP_PROTO_ANY, site, RP_PORT_ANY, svc, count);
	for (unsigned int i = 0; i < s->n_ports; i++) {
		const struct rp_portspec *ps = &s->ports[i];

		if (ps->proto != IPPROTO_TCP && ps->proto != IPPROTO_UDP) {
			err = put_port(b, ps->proto, site, RP_PORT_ANY, svc, count);
		} else if (ps->lo == 0 && ps->hi == 65535) {
			err = put_port(b, ps->proto, site, RP_PORT_ANY, svc, count);
		} else {
			err = 0;
			for (uint32_t port = ps->lo; port <= ps->hi && !err; port++)
				err = put_port(b, ps->proto, site, port, svc, count);
		}
		if (err)
			return err;
	}
	return 0;
}

/* Empty one slot's entries of a hash map whose keys start with the slot byte. */
static int clear_slot(int fd, size_t key_size, uint8_t slot)
{
	uint8_t key[32], next[32], *todo = NULL;
	size_t n = 0, cap = 0;
	void *prev = NULL;
	int err = 0;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		if (next[0] == slot) {
			if (n == cap) {
				uint8_t *t = realloc(todo, (cap = cap ? 2 * cap : 256) * key_size);

				if (!t) {
					free(todo);
					return -ENOMEM;
				}
				todo = t;
			}
			memcpy(todo + n++ * key_size, next, key_size);
		}
		memcpy(key, next, key_size);
		prev = key;
	}
	for (size_t i = 0; i < n; i++)
		if (bpf_map_delete_elem(fd, todo + i * key_size) && errno != ENOENT)
			err = -errno;
	free(todo);
	return err;
}

static int write_array(int fd, uint32_t first, const void *vals, size_t size, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = first + i;

		if (bpf_map_update_elem(fd, &k, (const uint8_t *)vals + i * size, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* Leak per 2^20 ns in 1/1024 frame, << 16 (bpf/policy.h's sketch). */
static uint64_t src_leak(uint32_t pps)
{
	return (uint64_t)((double)pps * (1 << RP_SKETCH_UNIT_SHIFT) / 1e9 * 1024 * 65536);
}

static void build_service(struct rp_build *b, const struct rp_config *cfg, unsigned int i)
{
	const struct rp_service_cfg *s = &cfg->services[i];
	struct rp_svc_policy *sp = &b->svcs[i + 1];
	uint32_t burst = s->set.source_limit.burst ? s->set.source_limit.burst : 1;

	sp->in_use = 1;
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
		sp->src_leak = src_leak(s->set.source_limit.pps);
		sp->src_burst = burst > (UINT32_MAX >> 10) ? UINT32_MAX : burst << 10;
	}
	sp->allow_pps = s->set.allow_ceiling.pps;
	sp->allow_burst_milli = s->set.allow_ceiling.burst > UINT32_MAX / 1000 ?
					UINT32_MAX :
					s->set.allow_ceiling.burst * 1000;
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
							v.site.svc = i + 1;
						err = put_portspecs(b, j, i + 1, s, &count);
					}
				}
		if (!err)
			err = put_pfx(b, &sites[j], RP_PK_SITE, 0, &v);
	}
	free(sites);
	return err;
}

static int build_lists(struct rp_build *b, const struct rp_config *cfg)
{
	union rp_pfx_val one = { .present = 1 };
	unsigned int count = 0;
	int err;

	for (unsigned int i = 0; i < cfg->n_services; i++) {
		const struct rp_service_cfg *s = &cfg->services[i];

		for (unsigned int a = 0; a < s->n_allow; a++) {
			union rp_pfx_val v = {};

			err = put_pfx(b, &s->allow[a], RP_PK_ALLOW, i + 1, &v);
			if (err)
				return err;
			mark_c16(b, &s->allow[a], 0, RP_C16_ALLOW_SUB);
		}
		for (unsigned int u = 0; u < s->set.n_uses_source_ports; u++) {
			const struct rp_portspec *ps = &s->set.uses_source_ports[u];

			if (ps->proto != IPPROTO_UDP)
				continue;
			for (uint32_t port = ps->lo; port <= ps->hi; port++) {
				err = put_port(b, RP_PROTO_USES | IPPROTO_UDP, i + 1, port, i + 1, &count);
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

int rp_policy_apply(struct rp_dp *dp, const struct rp_config *cfg, char *err, size_t errlen)
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
	b->slot = !(skel->data->rp_knobs.policy_slot & 1);
	b->err = err;
	b->errlen = errlen;

	/* Empty the slot we are about to fill. */
	ret = clear_slot(bpf_map__fd(skel->maps.rp_pfx4), sizeof(struct rp_pfx4_key), b->slot);
	if (!ret)
		ret = clear_slot(bpf_map__fd(skel->maps.rp_pfx6), sizeof(struct rp_pfx6_key), b->slot);
	if (!ret)
		ret = clear_slot(bpf_map__fd(skel->maps.rp_ports), sizeof(struct rp_port_key), b->slot);
	if (ret) {
		perr(err, errlen, "cannot empty the policy slot: %s", strerror(-ret));
		goto out;
	}

	for (unsigned int i = 0; i < cfg->n_services; i++)
		build_service(b, cfg, i);
	ret = build_sites(b, cfg);
	if (!ret)
		ret = build_lists(b, cfg);
	if (ret)
		goto out;
	b->glob.src_len4 = cfg->source_v4 ? cfg->source_v4 : 32;
	b->glob.src_len6 = cfg->source_v6 ? cfg->source_v6 : 64;
	b->glob.known_ttl_ns = cfg->known_ttl_ns;

	ret = write_array(bpf_map__fd(skel->maps.rp_c16), b->slot * 2 * RP_C16_ELEMS, b->c16,
			  sizeof(uint64_t), 2 * RP_C16_ELEMS);
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
	/* The switch: one byte, read once per frame. */
	__atomic_store_n(&skel->data->rp_knobs.policy_slot, b->slot, __ATOMIC_RELEASE);
out:
	free(b);
	return ret;
}

/* ---- the deny list ---- */

struct rp_deny_entry {
	struct rp_prefix p;
	uint64_t expires;
	uint8_t origin;
	uint16_t svc;
};

struct rp_deny {
	struct rp_dp *dp;
	void *root; /* tsearch tree of struct rp_deny_entry */
	unsigned int n;
	uint16_t *per24; /* entries touching each IPv4 /24 (the bitmap's reference counts) */
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
	d->per24 = calloc(1u << 24, sizeof(uint16_t));
	if (!d->per24) {
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
	free(d->per24);
	free(d->walk);
	free(d);
}

unsigned int rp_deny_count(const struct rp_deny *d)
{
	return d->n;
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

/* Set or clear the /24 bits of an IPv4 prefix, by reference count. */
static int deny_bits(struct rp_deny *d, const struct rp_prefix *p, int delta)
{
	int fd = bpf_map__fd(d->dp->skel->maps.rp_deny_bits);
	uint32_t first = be32_at(p->addr) >> 8;
	uint32_t n = p->len >= 24 ? 1 : 1u << (24 - p->len);

	for (uint32_t i = first; i < first + n; i++) {
		uint32_t key = i >> 6;
		uint64_t w;
		bool was = d->per24[i] != 0;

		d->per24[i] += delta;
		if (was == (d->per24[i] != 0))
			continue;
		if (bpf_map_lookup_elem(fd, &key, &w))
			return -errno;
		if (d->per24[i])
			w |= 1ull << (i & 63);
		else
			w &= ~(1ull << (i & 63));
		if (bpf_map_update_elem(fd, &key, &w, BPF_ANY))
			return -errno;
	}
	return 0;
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

int rp_deny_add(struct rp_deny *d, const struct rp_prefix *p, uint64_t expires, uint8_t origin,
		uint16_t svc)
{
	struct rp_deny_entry *e = calloc(1, sizeof(*e)), **slot;
	int err;

	if (!e)
		return -ENOMEM;
	e->p = *p;
	e->expires = expires;
	e->origin = origin;
	e->svc = svc;
	slot = tsearch(e, &d->root, deny_cmp);
	if (!slot) {
		free(e);
		return -ENOMEM;
	}
	if (*slot != e) {
		/* Already listed: refresh it. A config entry is never downgraded to a timed one. */
		free(e);
		e = *slot;
		if (e->origin == RP_DO_CONFIG && origin != RP_DO_CONFIG)
			return 0;
		e->expires = expires;
		e->origin = origin;
		e->svc = svc;
		return deny_map_write(d, e, false);
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
	/* Entry first, then the length list and the bitmap that lead lookups to it. */
	err = deny_map_write(d, e, false);
	if (err) {
		tdelete(e, &d->root, deny_cmp);
		free(e);
		return err;
	}
	d->n++;
	if (p->family == 4) {
		if (!d->lens4[p->len]++)
			deny_lens_publish(d);
		return deny_bits(d, p, 1);
	}
	if (!d->lens6[p->len]++)
		deny_lens_publish(d);
	return 0;
}

static int deny_remove(struct rp_deny *d, struct rp_deny_entry *e)
{
	int err = deny_map_write(d, e, true);

	if (err && err != -ENOENT)
		return err;
	/* Bitmap and lengths first go stale (a wasted probe), never the other way. */
	if (e->p.family == 4) {
		err = deny_bits(d, &e->p, -1);
		if (!--d->lens4[e->p.len])
			deny_lens_publish(d);
	} else if (!--d->lens6[e->p.len]) {
		deny_lens_publish(d);
	}
	tdelete(e, &d->root, deny_cmp);
	free(e);
	d->n--;
	return err;
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

int rp_deny_sync_config(struct rp_deny *d, const struct rp_config *cfg)
{
	int err;

	for (unsigned int i = 0; i < cfg->n_deny; i++) {
		err = rp_deny_add(d, &cfg->deny[i], 0, RP_DO_CONFIG, 0);
		if (err)
			return err;
	}
	walk_all(d);
	for (unsigned int i = 0; i < d->nwalk; i++) {
		struct rp_deny_entry *e = d->walk[i];
		bool keep = e->origin != RP_DO_CONFIG;

		for (unsigned int j = 0; j < cfg->n_deny && !keep; j++)
			keep = pfx_equal(&cfg->deny[j], &e->p);
		if (!keep) {
			err = deny_remove(d, e);
			if (err)
				return err;
		}
	}
	return 0;
}
