/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The protection stages (docs/policy.md): service lookup, allow list with its ceiling, deny
 * list, sanity, scrub (level 1), per-source limits (level 2), fence and shield gating
 * (levels 3 and 4), known-client learning and the fragment table.
 *
 * rp_policy() is inlined into rp_decide(): the parsed facts it reads live in per-CPU map
 * memory (decide.h), which the verifier does not track, so the parser's many paths meet in
 * equal states before it and the stages are still verified about once. A call would cost
 * about a quarter of the floor on a CPU with return-thunk mitigations (docs/bench.md).
 */
#ifndef RP_BPF_POLICY_H
#define RP_BPF_POLICY_H

#include "maps.h"
#include "counters.h"
#include "geo.h"

_Static_assert((RP_PK_MAX & (RP_PK_MAX - 1)) == 0, "RP_PK_MAX must be a power of 2");

#define RP_TCP_FIN 0x01
#define RP_TCP_SYN 0x02
#define RP_TCP_RST 0x04
#define RP_TCP_PSH 0x08
#define RP_TCP_ACK 0x10
#define RP_TCP_URG 0x20

/* Prefix masks by length, host order, so that masking has no branch per word: the verifier
 * would otherwise follow every combination of them in every probe. Filled in once. */
static __always_inline __u32 rp_mask32(__u32 host, __u32 len)
{
	return host & (__u32)(~0ull << (32 - (len > 32 ? 32 : len)));
}

/* addr (network order, 4 words) masked to len bits into out. */
static __always_inline void rp_mask6(__u32 *out, const __u32 *addr, __u32 len)
{
	__u32 l = len > 128 ? 128 : len;

#pragma unroll
	for (int w = 0; w < 4; w++) {
		/* bits of this word inside the prefix: clamp(len - 32 w, 0, 32), branch-free */
		__s32 b = (__s32)l - 32 * w;
		__u32 bits = b < 0 ? 0 : (b > 32 ? 32 : b);

		out[w] = bpf_htonl(rp_mask32(bpf_ntohl(addr[w]), bits));
	}
}

/* The /16 classification byte of a source. */
static __always_inline __u8 rp_c16_get(__u32 slot, int v6, const __u32 *addr)
{
	__u32 hi = bpf_ntohl(addr[0]) >> 16;
	__u32 idx = (slot * 2 + v6) * RP_C16_ELEMS + (hi >> 3);
	__u64 *w = bpf_map_lookup_elem(&rp_c16, &idx);

	return w ? (__u8)(*w >> ((hi & 7) * 8)) : 0;
}

/* An entry of the slot's table, or NULL (rp_ptab in include/rempart/policy.h). */
static __always_inline struct rp_ptab_ent *rp_ptab_find(__u32 slot, const __u32 *k, __u32 tag,
							 __u32 svc, __u64 seed)
{
	__u32 h = rp_ptab_hash(k, tag, svc, seed);

	for (__u32 i = 0; i < RP_PTAB_PROBES; i++) {
		__u32 idx = (slot & 1) * RP_PTAB_SIZE + ((h + i) & (RP_PTAB_SIZE - 1));
		struct rp_ptab_ent *e = bpf_map_lookup_elem(&rp_ptab, &idx);

		if (!e || !e->tag)
			return NULL;
		if (e->tag == tag && e->svc == svc && e->key[0] == k[0] && e->key[1] == k[1] &&
		    e->key[2] == k[2] && e->key[3] == k[3])
			return e;
	}
	return NULL;
}

/* Longest-first probe of a prefix set: one table lookup per prefix length present. */
static __always_inline struct rp_ptab_ent *rp_pfx_find_ent(const struct rp_glob *g, __u32 slot,
							    int v6, __u32 kind, __u16 svc,
							    const __u32 *addr)
{
	struct rp_ptab_ent *e;
	__u32 k[4] = {};
	__u32 n;

	kind &= RP_PK_MAX - 1; /* a bound the verifier can see (RP_PK_MAX is a power of 2) */
	n = v6 ? g->nlens6[kind] : g->nlens4[kind];
	for (__u32 i = 0; i < RP_MAX_LENS; i++) {
		__u32 len;

		if (i >= n)
			break;
		if (!v6) {
			len = g->lens4[kind][i];
			k[0] = bpf_htonl(rp_mask32(bpf_ntohl(addr[0]), len));
		} else {
			len = g->lens6[kind][i];
			rp_mask6(k, addr, len);
		}
		e = rp_ptab_find(slot, k, rp_ptab_tag(kind, len, v6 ? 6 : 4), svc, g->ptab_seed);
		if (e)
			return e;
	}
	return NULL;
}

static __always_inline union rp_pfx_val *rp_pfx_find_g(const struct rp_glob *g, __u32 slot,
							int v6, __u32 kind, __u16 svc,
							const __u32 *addr)
{
	struct rp_ptab_ent *e = rp_pfx_find_ent(g, slot, v6, kind, svc, addr);

	return e ? &e->val : NULL;
}

static __always_inline union rp_pfx_val *rp_pfx_find(__u32 slot, int v6, __u32 kind, __u16 svc,
						      const __u32 *addr)
{
	const struct rp_glob *g = bpf_map_lookup_elem(&rp_globs, &slot);

	return g ? rp_pfx_find_g(g, slot, v6, kind, svc, addr) : NULL;
}

/* Take one frame from an allow entry's ceiling bucket. Returns 1 if within the ceiling. */
static __always_inline int rp_bucket_take(struct rp_bucket *b, __u32 pps, __u32 burst_milli,
					  __u64 now)
{
	__u64 dt = now - b->stamp, tokens;

	if (now < b->stamp)
		dt = 0;
	if (dt > 10000000000ull)
		dt = 10000000000ull;
	tokens = b->tokens_milli + dt * pps / 1000000;
	if (tokens > burst_milli)
		tokens = burst_milli;
	if (now > b->stamp) /* a clock a tick behind another CPU's must not credit twice */
		b->stamp = now;
	if (tokens < 1000) {
		b->tokens_milli = tokens;
		return 0;
	}
	b->tokens_milli = tokens - 1000;
	return 1;
}

/*
 * The stages below that probe are global functions, each verified once on its own, unless
 * every frame runs them (deny list, sketch, known clients, fence: inlined, as rp_policy()'s
 * comment says). They return scalars only (a global function cannot return a map
 * pointer).
 */

/* Is the source in the slot's prefix set of this kind (bogons, local space)? */
__noinline int rp_src_in(struct rp_facts *f, __u32 slot, __u32 kind)
{
	if (!f)
		return 0;
	return rp_pfx_find(slot & 1, f->p.l3 == RP_L3_IPV6, kind, 0, f->p.saddr) != NULL;
}

/* The allow list: 0 not listed, 1 listed and within its ceiling, 2 over the ceiling. */
__noinline int rp_allow_check(struct rp_facts *f, __u32 slot, __u32 pps, __u32 burst_milli)
{
	union rp_pfx_val *v;

	if (!f)
		return 0;
	v = rp_pfx_find(slot & 1, f->p.l3 == RP_L3_IPV6, RP_PK_ALLOW, f->svc, f->p.saddr);
	if (!v)
		return 0;
	if (!pps) /* allow_ceiling pps 0: no ceiling */
		return 1;
	return rp_bucket_take(&v->bucket, pps, burst_milli, f->now) ? 1 : 2;
}

/*
 * The deny list for a source toward svc: 0 no entry applies, RP_R_deny a configuration or
 * operator entry in force covers it (at any length: they bind every service at every
 * level), RP_R_deny_heavy none does but a heavy-hitter entry in force binds svc (its
 * service, or 0: any) and heavy (the level is 2 or more) is set. Every length is probed
 * until a configuration or operator entry is found: a longer heavy-hitter entry that does
 * not apply must not hide it; a match of one that applies is noted in *hit (map memory,
 * so that the verifier does not split its states on it at every length). The /24 map
 * answers most IPv4 sources with one load (include/rempart/policy.h).
 */
static __always_inline int rp_deny_find(int v6, const __u32 *addr, __u64 now, __u32 svc,
					int heavy, __u16 *hit)
{
	struct rp_deny_val *v;

	if (!v6) {
		struct rp_deny4_key k = {};
		__u32 a = bpf_ntohl(addr[0]), idx = a >> 17, n = rp_deny_lens.n4, bits;
		__u64 *w = bpf_map_lookup_elem(&rp_deny_sum, &idx);

		/* The summary first: no entry in this /21 is the common answer. */
		if (!w || !((*w >> ((a >> 11) & 63)) & 1))
			return 0;
		idx = a >> 13;
		w = bpf_map_lookup_elem(&rp_deny_bits, &idx);
		if (!w)
			return 0;
		bits = (*w >> (((a >> 8) & 31) * 2)) & 3;
		if (bits & RP_DENY24_FULL)
			return RP_R_deny;
		if (!(bits & RP_DENY24_PART))
			return 0;
		*hit = 0;
		for (__u32 i = 0; i < 33; i++) {
			if (i >= n)
				break;
			k.len = rp_deny_lens.lens4[i];
			k.addr = bpf_htonl(rp_mask32(a, k.len));
			v = bpf_map_lookup_elem(&rp_deny4, &k);
			if (v && (!v->expires || v->expires > now)) {
				if (v->origin != RP_DO_HEAVY)
					return RP_R_deny;
				if (heavy && (!v->svc || v->svc == svc))
					*hit = RP_R_deny_heavy;
			}
		}
		return *(volatile __u16 *)hit;
	}
	{
		struct rp_deny6_key k = {};
		__u32 n = rp_deny_lens.n6;

		*hit = 0;
		for (__u32 i = 0; i < RP_MAX_LENS; i++) {
			if (i >= n)
				break;
			k.len = rp_deny_lens.lens6[i];
			rp_mask6(k.addr, addr, k.len);
			v = bpf_map_lookup_elem(&rp_deny6, &k);
			if (v && (!v->expires || v->expires > now)) {
				if (v->origin != RP_DO_HEAVY)
					return RP_R_deny;
				if (heavy && (!v->svc || v->svc == svc))
					*hit = RP_R_deny_heavy;
			}
		}
	}
	return *(volatile __u16 *)hit;
}

/* The deny list (rp_deny_find()): 0, RP_R_deny or RP_R_deny_heavy. */
static __always_inline int rp_deny_check(struct rp_facts *f, __u32 svc, int heavy)
{
	if (!f)
		return 0;
	return rp_deny_find(f->p.l3 == RP_L3_IPV6, f->p.saddr, f->now, svc, heavy, &f->deny_heavy);
}

/* Impossible in any TCP stack: no flags, SYN with FIN or RST, FIN with RST, and FIN, PSH
 * or URG without ACK (FIN, "Xmas" and NULL scans). */
static __always_inline int rp_tcp_flags_bad(__u8 f)
{
	f &= 0x3f;
	if (!f)
		return 1;
	if ((f & RP_TCP_SYN) && (f & (RP_TCP_FIN | RP_TCP_RST)))
		return 1;
	if ((f & RP_TCP_FIN) && (f & RP_TCP_RST))
		return 1;
	if ((f & (RP_TCP_FIN | RP_TCP_PSH | RP_TCP_URG)) && !(f & RP_TCP_ACK))
		return 1;
	return 0;
}

static __always_inline int rp_refl_port(__u32 slot, __u16 port)
{
	__u32 idx = slot * 1024 + (port >> 6);
	__u64 *w = bpf_map_lookup_elem(&rp_refl, &idx);

	return w && ((*w >> (port & 63)) & 1);
}

/* The service of (site, proto, port): exact port, then the wildcard port, then a service
 * without ports. Returns 0 when no service of the site lists it. */
static __always_inline __u16 rp_port_find(__u32 slot, __u64 seed, __u16 site, __u8 proto,
					  __u32 port)
{
	__u32 k[4] = { site, proto, port, 0 };
	struct rp_ptab_ent *e;

	if (port != RP_PORT_ANY) {
		e = rp_ptab_find(slot, k, RP_PT_PORT | RP_PT_USED, 0, seed);
		if (e)
			return e->val.site.svc;
		k[2] = RP_PORT_ANY;
	}
	e = rp_ptab_find(slot, k, RP_PT_PORT | RP_PT_USED, 0, seed);
	if (e)
		return e->val.site.svc;
	k[1] = RP_PROTO_ANY;
	e = rp_ptab_find(slot, k, RP_PT_PORT | RP_PT_USED, 0, seed);
	return e ? e->val.site.svc : 0;
}

/* Does the service receive from this UDP source port by design (a resolver from 53)? */
static __always_inline int rp_uses_port(__u32 slot, __u64 seed, __u16 svc, __u16 port)
{
	__u32 k[4] = { svc, port, 0, 0 };

	return rp_ptab_find(slot, k, RP_PT_USES | RP_PT_USED, 0, seed) != NULL;
}

/* Offer a heavy-hitter candidate to the control plane (rare: a global function, out of the
 * sketch's path). */
__noinline int rp_hh_report(struct rp_facts *f, __u32 seen)
{
	struct rp_hh_event *ev;

	if (!f)
		return 0;
	ev = bpf_ringbuf_reserve(&rp_hh_ring, sizeof(*ev), 0);
	if (!ev) {
		__sync_fetch_and_add(&rp_hh_lost, 1);
		return 0;
	}
	ev->time = f->now;
	__builtin_memcpy(ev->addr, f->key, 16);
	ev->seen = seen;
	ev->svc = f->svc;
	ev->family = f->p.l3 == RP_L3_IPV6 ? 6 : 4;
	ev->_pad = 0;
	bpf_ringbuf_submit(ev, 0);
	return 1;
}

/*
 * The count-min sketch update for (service, source key): counts the frame in one cell per
 * row and says whether the source is over its limit, a GCRA per cell at the frame's own
 * service's rate (docs/policy.md "Per-source state"): interval is T = 1/pps (32.32 fixed
 * point, 0: no limit) and tol is tau - T, both in units of 2^RP_SK_TAT_SHIFT ns. The key's
 * theoretical arrival time is the minimum over its rows; it is over when that is more than
 * tol ahead of now. Only frames that pass it are charged (conservative update: each row's
 * cell raised to at least max(TAT, now) + T), so a source over its rate still gets its
 * rate through; when the limit is not armed every frame is charged, the TAT kept at most
 * tau ahead. Reports a heavy-hitter candidate on its first frame in the line's epoch whose
 * decayed count is above the service's threshold: bounded by the ring, one per key and
 * epoch.
 */
static __always_inline int rp_sketch_update(struct rp_facts *f, __u64 interval, __u32 tol,
					    __u32 limit)
{
	__u32 unit, ep, idx, min_seen = ~0u, dt, fine, pick[RP_SKETCH_ROWS], mask;
	struct rp_sk_line *line;
	struct rp_hh_val *hh;
	__s32 min_d = 0x7fffffff;
	__u64 x;
	__u32 svc;
	int over;

	if (!f)
		return 0;
	svc = f->svc;
	unit = f->now >> RP_SKETCH_UNIT_SHIFT;
	fine = f->now >> RP_SK_TAT_SHIFT;
	ep = unit >> RP_SKETCH_EPOCH_SHIFT;
	x = rp_sketch_hash(f->key, f->salt, f->p.l3, rp_knobs.hash_seed);
	idx = rp_sketch_line_of(x);
	line = bpf_map_lookup_elem(&rp_sketch, &idx);
	if (!line)
		return 0;

	dt = unit - line->stamp;
	/* Another CPU may have stamped the line a little ahead of this one's clock (a tick at
	 * most, clock.h): no time has passed then, not 2^32 units. */
	if (dt && ((__s32)dt > 0 || (__s32)dt < -64)) {
		__u32 shift = ep - (line->stamp >> RP_SKETCH_EPOCH_SHIFT);
		/* A line not restamped for so long (or never) that its cells' times may have
		 * wrapped: every cell reads as now. */
		__u32 stale = dt > RP_SK_STALE;

#pragma unroll
		for (int c = 0; c < 2 * RP_SKETCH_ROWS; c++) {
			struct rp_cell *cl = &line->cell[c];

			/* A time in the past means now (the GCRA takes max(TAT, now)): set it
			 * so, so that no cell falls out of the signed range behind. */
			if (stale || cl->tat - fine > RP_SK_AHEAD)
				cl->tat = fine;
			if (shift)
				cl->seen = shift >= 32 ? 0 : cl->seen >> shift;
		}
		if (shift)
			line->reported = 0;
		line->stamp = unit;
	}
#pragma unroll
	for (int r = 0; r < RP_SKETCH_ROWS; r++) {
		struct rp_cell *cl;
		__s32 d;

		pick[r] = rp_sketch_cell_of(x, r);
		cl = &line->cell[pick[r]];
		cl->seen++;
		d = (__s32)(cl->tat - fine);
		if (d < min_d)
			min_d = d;
		if (cl->seen < min_seen)
			min_seen = cl->seen;
	}
	if (min_d < 0)
		min_d = 0;

	over = min_d > (__s32)tol;
	if (interval && (!over || !limit)) {
		/* max(TAT, now) + T, T's fraction rounded up or down at random with the
		 * fraction's odds (stochastic rounding, so the mean is T): the random number is
		 * a mix of the key's count and hash, as the live clock's low bits do not change
		 * within a tick. (A regular sequence, the count itself times a constant, is
		 * not independent of which frames pass: it kept a 50M pps limit at half.) */
		__u32 frac = (__u32)interval, u = (min_seen ^ (__u32)x) * 0x85ebca6bu;
		__s32 nd;

		u ^= u >> 13;
		u *= 0xc2b2ae35u;
		u ^= u >> 16;
		nd = (over ? (__s32)tol : min_d) + (__s32)(interval >> 32) +
		     (__s32)(((__u64)u + frac) >> 32);

#pragma unroll
		for (int r = 0; r < RP_SKETCH_ROWS; r++) {
			struct rp_cell *cl = &line->cell[pick[r]];

			/* Conservative update: no cell below the key's new time. */
			if ((__s32)(cl->tat - fine) < nd)
				cl->tat = fine + nd;
		}
	}

	hh = bpf_map_lookup_elem(&rp_hh, &svc);
	if (hh && hh->seen_threshold && min_seen > hh->seen_threshold) {
		/* Once per key and epoch: the key's cells are marked when it is reported, and
		 * the marks cleared when the line enters a new epoch. */
		mask = 0;
#pragma unroll
		for (int r = 0; r < RP_SKETCH_ROWS; r++)
			mask |= 1u << pick[r];
		if ((line->reported & mask) != mask) {
			line->reported |= mask;
			rp_hh_report(f, min_seen);
		}
	}
	return interval && over;
}

/*
 * The way of a pending proof (service, client port, family, client address) in force at now,
 * or NULL. With tagp (the client's tag is written there), a way to (re)write when there is
 * none: the client's own way if it has an expired one, else an empty, else an expired, else
 * the one expiring first; the way returned then has tag 0 or the client's tag, and the
 * caller fills it.
 */
static __always_inline struct rp_pending_way *rp_pending_way(__u32 salt, __u16 cport,
							      __u8 family, const __u32 *addr,
							      __u32 now, __u32 *tagp)
{
	__u64 h = rp_pending_hash(salt, cport, family, addr, rp_knobs.hash_seed);
	__u32 idx = rp_pending_set_of(h), tag = (__u32)h | 1, v = 0, best = ~0u, left;
	struct rp_pending_set *s = bpf_map_lookup_elem(&rp_pending, &idx);

	if (tagp)
		*tagp = tag;
	if (!s)
		return NULL;
#pragma unroll
	for (int w = 0; w < 4; w++) {
		__s32 l = (__s32)(s->w[w].expires - now);

		if (s->w[w].tag == tag) {
			if (l > 0)
				return &s->w[w];
			v = w;
			best = 0;
			break;
		}
		left = !s->w[w].tag || l <= 0 ? 0 : (__u32)l;
		if (left < best) {
			best = left;
			v = w;
		}
	}
	if (!tagp)
		return NULL;
	v &= 3;
	s->w[v].tag = 0; /* nobody matches it while the caller rewrites it */
	return &s->w[v];
}

/* The set of (service, source key) in rp_known, and its fingerprint in *h. */
static __always_inline struct rp_known_set *rp_known_set(const struct rp_facts *f, __u64 *h)
{
	__u32 idx;

	*h = rp_known_hash(f->salt, f->p.l3, f->key, rp_knobs.hash_seed);
	idx = rp_known_set_of(*h);
	return bpf_map_lookup_elem(&rp_known, &idx);
}

static __always_inline int rp_known_has(struct rp_facts *f)
{
	struct rp_known_set *s;
	__u32 now;
	__u64 h;

	if (!f)
		return 0;
	s = rp_known_set(f, &h);
	if (!s)
		return 0;
	now = (__u32)(f->now >> RP_KNOWN_TIME_SHIFT);
#pragma unroll
	for (int w = 0; w < RP_KNOWN_WAYS; w++)
		if (s->w[w].tag == h && (__s32)(s->w[w].expires - now) > 0)
			return 1;
	return 0;
}

/* Inbound ACK from a client at level 0: does it acknowledge the service's own data? */
__noinline int rp_learn_proof(struct rp_facts *f, __u64 ttl)
{
	struct rp_pending_way *pw;
	struct rp_known_set *s;
	__u32 now, v = 0, learned, left, best = ~0u;
	__u64 h;

	if (!f)
		return 0;
	now = (__u32)(f->now >> RP_KNOWN_TIME_SHIFT);
	pw = rp_pending_way(f->salt, f->p.sport, f->p.l3, f->p.saddr, now, NULL);
	if (!pw)
		return 0;
	/* In window: seq_lo < ack <= seq_hi, modulo 2^32. */
	if ((__s32)(f->p.tcp_ack - pw->seq_lo) <= 0 || (__s32)(f->p.tcp_ack - pw->seq_hi) > 0)
		return 0;
	s = rp_known_set(f, &h);
	if (!s)
		return 0;
	learned = now;
	/* Its own way if it has one (keeping when it was first proven); else an empty way,
	 * else an expired one, else the one expiring first. */
#pragma unroll
	for (int w = 0; w < RP_KNOWN_WAYS; w++) {
		__s32 l = (__s32)(s->w[w].expires - now);

		left = !s->w[w].tag || l <= 0 ? 0 : (__u32)l;
		if (s->w[w].tag == h) {
			if (l > 0)
				learned = s->w[w].learned;
			v = w;
			best = 0;
			break;
		}
		if (left < best) {
			best = left;
			v = w;
		}
	}
	v &= RP_KNOWN_WAYS - 1;
	/* Not atomic across CPUs: a way written by two at once holds one of them. */
	s->w[v].expires = (__u32)((f->now + ttl) >> RP_KNOWN_TIME_SHIFT);
	s->w[v].learned = learned;
	s->w[v].tag = h;
	pw->tag = 0; /* the proof is spent */
	return 1;
}

/* Outbound data from a service to a client: the proof a client can later give. */
__noinline int rp_learn_pending(struct rp_facts *f)
{
	struct rp_pending_way *pw;
	__u32 end, now, tag;

	if (!f)
		return 0;
	now = (__u32)(f->now >> RP_KNOWN_TIME_SHIFT);
	end = f->p.tcp_seq + f->payload;
	pw = rp_pending_way(f->salt, f->p.dport, f->p.l3, f->p.daddr, now, &tag);
	if (!pw)
		return 0;
	if (pw->tag) {
		/* The client's proof in force: extend its window. */
		if ((__s32)(end - pw->seq_hi) > 0)
			pw->seq_hi = end;
		/* Keep the window small: a guess must hit 64 KiB of 4 GiB at most. */
		if (pw->seq_hi - pw->seq_lo > 65536)
			pw->seq_lo = pw->seq_hi - 65536;
		pw->expires = (__u32)((f->now + RP_PENDING_TTL_NS) >> RP_KNOWN_TIME_SHIFT);
		return 0;
	}
	pw->seq_lo = f->p.tcp_seq;
	pw->seq_hi = end;
	pw->expires = (__u32)((f->now + RP_PENDING_TTL_NS) >> RP_KNOWN_TIME_SHIFT);
	pw->tag = tag;
	return 1;
}

/* The entry of a fragment's datagram in the direct-mapped table. */
static __always_inline struct rp_frag_ent *rp_frag_slot(const struct rp_facts *f)
{
	__u64 h = rp_knobs.hash_seed ^ ((__u64)f->p.frag_id << 16 | f->p.l4 << 8 | f->p.l3);
	__u32 idx;

#pragma unroll
	for (int w = 0; w < 4; w++)
		h = (h ^ f->p.saddr[w] ^ (__u64)f->p.daddr[w] << 32) * 0x9e3779b97f4a7c15ull;
	idx = (__u32)(h >> 40) & (RP_MAX_FRAGS - 1);
	return bpf_map_lookup_elem(&rp_frags, &idx);
}

/* The service of a later fragment's passed first fragment, or 0: also 0 when the service's
 * number has changed owner since (a reload reused it: its salt differs). */
__noinline int rp_frag_first(struct rp_facts *f, __u32 slot)
{
	const struct rp_svc_policy *sp;
	struct rp_frag_ent *e;
	__u32 skey;

	if (!f)
		return 0;
	e = rp_frag_slot(f);
	if (!e || e->expires <= f->now || e->id != f->p.frag_id || e->proto != f->p.l4 ||
	    e->family != f->p.l3)
		return 0;
	for (int w = 0; w < 4; w++)
		if (e->saddr[w] != f->p.saddr[w] || e->daddr[w] != f->p.daddr[w])
			return 0;
	if (!e->svc || e->svc >= RP_MAX_SERVICES)
		return 0;
	skey = (slot & 1) * RP_MAX_SERVICES + e->svc;
	sp = bpf_map_lookup_elem(&rp_svcs, &skey);
	if (!sp || !sp->in_use || sp->salt != e->salt)
		return 0;
	return e->svc;
}

__noinline int rp_frag_record(struct rp_facts *f)
{
	struct rp_frag_ent *e;

	if (!f)
		return 0;
	e = rp_frag_slot(f);
	if (!e)
		return 0;
	/* Not atomic: a frame that reads a half-written entry sees a key that does not match,
	 * and its datagram's later fragments count as orphans. */
	__builtin_memcpy(e->saddr, f->p.saddr, 16);
	__builtin_memcpy(e->daddr, f->p.daddr, 16);
	e->id = f->p.frag_id;
	e->proto = f->p.l4;
	e->family = f->p.l3;
	e->svc = f->svc;
	e->salt = f->salt;
	e->level = f->level;
	e->expires = f->now + RP_FRAG_TTL_NS;
	return 1;
}

/*
 * The fence (level 3): is the source's country in the service's set? The country comes from
 * the geo tables the policy names (geo_slot), so a reload switches both at once. Counts the
 * frame in the service's per-country row. 1: admitted, 0: not.
 */
static __always_inline int rp_fence_check(struct rp_facts *f, const struct rp_svc_policy *sp,
					  __u32 geo_slot)
{
	struct rp_geo_count *c;
	__u32 cc, idx, in, w;

	if (!f || !sp)
		return 1;
	cc = rp_geo_country_in(geo_slot, f->p.l3 == RP_L3_IPV6, f->p.saddr);
	if (cc >= RP_GEO_NCODES)
		cc = RP_GEO_NONE;
	f->country = cc | RP_REC_GEO_SEEN;
	w = cc >> 6;
	/* clang knows w <= 10 and would drop the mask; the verifier needs to see it. */
	asm volatile("" : "+r"(w));
	in = (sp->fence[w & (RP_FENCE_WORDS - 1)] >> (cc & 63)) & 1;
	idx = (__u32)(sp->fence_idx % RP_MAX_FENCED) * RP_GEO_NCODES + cc;
	c = bpf_map_lookup_elem(&rp_geo_counters, &idx);
	if (c) {
		if (in) {
			c->pass_pkts++;
			c->pass_bytes += f->p.wire_len;
		} else {
			c->drop_pkts++;
			c->drop_bytes += f->p.wire_len;
		}
	}
	return in;
}

static __always_inline int rp_set(struct rp_facts *f, int verdict, int reason)
{
	f->verdict = verdict;
	f->reason = reason;
	return verdict;
}

/* The stages for one frame; fills f->svc, level, verdict, reason. Returns the verdict. */
static __always_inline int rp_stages(struct rp_facts *f)
{
	__u32 slot, skey, fam_v6, port, follow = 0, orphan = 0, unlisted = 0, site, first;
	const struct rp_svc_policy *sp;
	const struct rp_level_val *lv;
	const struct rp_glob *g;
	struct rp_ptab_ent *se;
	int inbound, tcp_seen, level, r;
	__u16 svc;
	__u8 c16, stages;

	f->svc = 0;
	f->level = 0;
	if (f->p.l3 != RP_L3_IPV4 && f->p.l3 != RP_L3_IPV6)
		return rp_set(f, RP_V_PASS, RP_R_ok);
	fam_v6 = f->p.l3 == RP_L3_IPV6;
	slot = rp_knobs.policy_slot & 1;
	g = bpf_map_lookup_elem(&rp_globs, &slot);
	if (!g)
		return rp_set(f, RP_V_PASS, RP_R_ok);
	inbound = f->dir != RP_DIR_OUT;
	tcp_seen = f->p.l4 == IPPROTO_TCP && (f->p.pflags & RP_PF_L4_SEEN);

	/* 1. The service: the destination inbound, the source outbound. */
	/* Inlined: a call and a second rp_globs lookup cost more than its verification. */
	se = rp_pfx_find_ent(g, slot, fam_v6, RP_PK_SITE, 0, inbound ? f->p.daddr : f->p.saddr);
	if (!se)
		return rp_set(f, RP_V_PASS, RP_R_ok); /* no protected service: fast path */
	site = se->val.site.site;
	first = se->val.site.svc;
	svc = 0;
	if (f->p.pflags & RP_PF_FRAG_LATER) {
		svc = inbound ? rp_frag_first(f, slot) : 0;
		follow = svc != 0;
		orphan = !follow;
	} else if (f->p.l4 == IPPROTO_TCP || f->p.l4 == IPPROTO_UDP) {
		port = inbound ? f->p.dport : f->p.sport;
		if (!(f->p.pflags & RP_PF_L4_SEEN)) {
		} else if (se->nports) {
			/* The site lists all its ports inline: no probe (include/rempart/policy.h). */
#pragma unroll
			for (int i = 0; i < RP_SITE_PORTS; i++)
				if (i + 1 < se->nports && se->ports[i].port == port &&
				    se->ports[i].proto == f->p.l4) {
					svc = se->ports[i].svc;
					break;
				}
		} else {
			svc = rp_port_find(slot, g->ptab_seed, site, f->p.l4, port);
		}
	} else if (!se->nports) {
		/* (an inline list holds TCP and UDP ports only: nothing for other protocols) */
		svc = rp_port_find(slot, g->ptab_seed, site, f->p.l4, RP_PORT_ANY);
	}
	if (!svc) {
		svc = first;
		unlisted = !orphan;
	}
	if (!svc || svc >= RP_MAX_SERVICES)
		return rp_set(f, RP_V_PASS, RP_R_ok);
	f->svc = svc;
	skey = slot * RP_MAX_SERVICES + svc;
	sp = bpf_map_lookup_elem(&rp_svcs, &skey);
	if (!sp || !sp->in_use)
		return rp_set(f, RP_V_PASS, RP_R_ok);
	stages = sp->stages;
	f->salt = sp->salt;

	/* The level in force: the renewed level until it expires, never under the floor. */
	skey = svc;
	lv = bpf_map_lookup_elem(&rp_levels, &skey);
	level = lv && lv->expires > f->now ? lv->level : 0;
	if (level < sp->floor)
		level = sp->floor;
	if (level > RP_LVL_SHIELD)
		level = RP_LVL_SHIELD;
	f->level = level;

	if (!inbound) {
		/* The service's own data: the proof its clients can later give back. */
		if (tcp_seen && f->payload && (sp->flags & RP_SF_LEARN) && (sp->flags & RP_SF_TCP) &&
		    level == RP_LVL_WATCH)
			rp_learn_pending(f);
		return rp_set(f, RP_V_PASS, RP_R_ok);
	}

	/* The per-source key: IPv4 /32 and IPv6 /64 by default. */
	if (fam_v6) {
		rp_mask6(f->key, f->p.saddr, g->src_len6);
	} else {
		f->key[0] = bpf_htonl(rp_mask32(bpf_ntohl(f->p.saddr[0]), g->src_len4));
		f->key[1] = f->key[2] = f->key[3] = 0;
	}
	c16 = rp_c16_get(slot, fam_v6, f->p.saddr);

	/* 2. Allow list: wins over every drop below, within its entry's ceiling. */
	if ((stages & RP_ST_ALLOW) && (c16 & RP_C16_ALLOW_SUB)) {
		r = rp_allow_check(f, slot, sp->allow_pps, sp->allow_burst_milli);
		if (r == 2)
			return rp_set(f, RP_V_DROP, RP_R_allow_ceiling);
		if (r == 1) {
			rp_set(f, RP_V_PASS, RP_R_allowed);
			goto record_first;
		}
	}

	/* 3. Deny list. Heavy-hitter entries bind only their service, from level 2; an entry
	 * of the configuration or an operator wins over them at any length. */
	if (stages & RP_ST_DENY) {
		r = rp_deny_check(f, svc, level >= RP_LVL_LIMIT);
		if (r)
			return rp_set(f, RP_V_DROP, r);
	}

	/* 4. Sanity, always. */
	if (stages & RP_ST_SANITY) {
		if ((c16 & RP_C16_BOGON_ALL) ||
		    ((c16 & RP_C16_BOGON_SUB) && rp_src_in(f, slot, RP_PK_BOGON)))
			return rp_set(f, RP_V_DROP, RP_R_bogon);
		/* Only a frame known to come from outside can be a spoof: the address rule
		 * itself calls local-to-local inbound. */
		if (f->dir_src != RP_DSRC_ADDR &&
		    ((c16 & RP_C16_LOCAL_ALL) ||
		     ((c16 & RP_C16_LOCAL_SUB) && rp_src_in(f, slot, RP_PK_LOCAL))))
			return rp_set(f, RP_V_DROP, RP_R_spoofed_local);
		if (tcp_seen && rp_tcp_flags_bad(f->p.tcp_flags))
			return rp_set(f, RP_V_DROP, RP_R_tcp_bad_flags);
	}

	/* Level 1, scrub: what the service does not use. */
	if (level >= RP_LVL_SCRUB && (stages & RP_ST_SCRUB)) {
		if ((f->p.pflags & (RP_PF_FRAG_FIRST | RP_PF_FRAG_LATER)) &&
		    !(sp->flags & RP_SF_FRAGMENTS))
			return rp_set(f, RP_V_DROP, RP_R_frag_unneeded);
		if (orphan)
			return rp_set(f, RP_V_DROP, RP_R_frag_orphan);
		if (f->p.l4 == IPPROTO_UDP && (f->p.pflags & RP_PF_L4_SEEN) &&
		    rp_refl_port(slot, f->p.sport) && !rp_uses_port(slot, g->ptab_seed, svc, f->p.sport))
			return rp_set(f, RP_V_DROP, RP_R_reflection);
		if (unlisted)
			return rp_set(f, RP_V_DROP, RP_R_port_unlisted);
	}
	/* Level 2, limit: the per-source token bucket in the sketch. The sketch counts at
	 * every level, so heavy hitters are known before the limit is needed. A later
	 * fragment is a frame of its source like any other: counted and limited here, or a
	 * flood of fragments following one passed first fragment would go unmetered. */
	if (stages & RP_ST_SKETCH) {
		__u32 limit = level >= RP_LVL_LIMIT && (stages & RP_ST_LIMIT);

		if (rp_sketch_update(f, sp->src_interval, sp->src_tol, limit) && limit)
			return rp_set(f, RP_V_DROP, RP_R_src_rate);
	}

	/* A later fragment follows its passed first fragment past the fence and the shield,
	 * which judged the first. */
	if (follow)
		return rp_set(f, RP_V_PASS, RP_R_frag_follow);

	/* Levels 3 and 4: known clients pass; then the fence admits its countries, and at 4
	 * only critical services pass at all. Allow lists won above. */
	if (level >= RP_LVL_FENCE) {
		/* Known clients are proven over TCP: a service without TCP ports has none (its
		 * clients rely on allow lists and its class), so no probe. */
		if ((stages & RP_ST_KNOWN) && (sp->flags & RP_SF_TCP) && rp_known_has(f)) {
			rp_set(f, RP_V_PASS, RP_R_known_client);
			goto record_first;
		}
		if ((sp->flags & RP_SF_FENCE) && (stages & RP_ST_FENCE) &&
		    !rp_fence_check(f, sp, g->geo_slot))
			return rp_set(f, RP_V_DROP, RP_R_geo_fence);
		if (level >= RP_LVL_SHIELD && sp->class != 2 /* RP_CLASS_CRITICAL */)
			return rp_set(f, RP_V_DROP, RP_R_shield);
	}

	/* Learning: at level 0 only, so bots that connect during an attack never qualify. */
	if (level == RP_LVL_WATCH && tcp_seen && (f->p.tcp_flags & RP_TCP_ACK) &&
	    (sp->flags & RP_SF_LEARN) && (sp->flags & RP_SF_TCP))
		rp_learn_proof(f, g->known_ttl_ns);
	rp_set(f, RP_V_PASS, RP_R_ok);

record_first:
	/* Remember a passed first fragment, so its later fragments can follow it. */
	if ((f->p.pflags & RP_PF_FRAG_FIRST) && (sp->flags & RP_SF_FRAGMENTS))
		rp_frag_record(f);
	return RP_V_PASS;
}

/*
 * The stages and the count of an IP frame the parser vouched for (or cut at the snap
 * length): f->parse_reason and f->segs in, f->svc, level, verdict and the final reason out.
 *
 * Inlined, as are the stages on every frame's path (deny list, sketch, known clients, fence,
 * counting): on a CPU with return-thunk mitigations (AMD's Safe RET) each call and return
 * costs about a quarter of the floor (docs/bench.md). The stages few frames reach (allow
 * list, fragments, learning, bogon and local prefixes) stay global functions and keep the
 * verification small.
 */
static __always_inline int rp_policy(struct rp_facts *f)
{
	int verdict, reason;

	if (!f)
		return RP_V_PASS;
	verdict = rp_stages(f);
	/* snap_cut stays the reason of a frame the stages passed: it says why they judged
	 * on partial headers. */
	reason = f->parse_reason;
	if (reason == RP_R_ok || verdict != RP_V_PASS || f->reason != RP_R_ok)
		reason = f->reason;
	f->reason = reason;
	rp_count_inl(f->svc, rp_count_facts(&f->p, reason, verdict, f->dir), f->segs,
		     f->p.wire_len);
	return verdict;
}

#endif /* RP_BPF_POLICY_H */
