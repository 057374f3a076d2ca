// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Synthetic country datasets shaped like the real world (geo_synth.h).
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "rempart/geo.h"
#include "geo.h"
#include "geo_synth.h"

typedef unsigned __int128 u128;

struct synth {
	uint64_t rng;
	unsigned int nc;
	double *cdf; /* Zipf over the countries */
	uint16_t *codes;
	uint16_t last; /* the previous allocation's country: neighbours are often alike */
};

static uint64_t next64(struct synth *s)
{
	uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double unit(struct synth *s)
{
	return (double)(next64(s) >> 11) / 9007199254740992.0;
}

static uint16_t country(struct synth *s)
{
	double u = unit(s);
	unsigned int lo = 0, hi = s->nc - 1;

	if (s->last && u < 0.35)
		return s->last;
	u = unit(s);
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (s->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	s->last = s->codes[lo];
	return s->last;
}

/* Log-uniform in [1, max]. */
static uint64_t logu(struct synth *s, double max)
{
	return (uint64_t)exp(unit(s) * log(max));
}

/* The max of a log-uniform draw whose mean is m: (max - 1) / ln(max) = m. */
static double logu_max(double m)
{
	double lo = 1.0001, hi = 1e9;

	for (int i = 0; i < 200; i++) {
		double mid = sqrt(lo * hi);

		if ((mid - 1) / log(mid) < m)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int add4(struct rp_geo_db *db, size_t *cap, uint32_t first, uint32_t last, uint16_t cc)
{
	if (cc == RP_GEO_NONE)
		return 0;
	if (db->n4 && db->v4[db->n4 - 1].cc == cc && db->v4[db->n4 - 1].last + 1 == first) {
		db->v4[db->n4 - 1].last = last;
		return 0;
	}
	if (db->n4 == *cap) {
		void *p = realloc(db->v4, (*cap = *cap * 2 + 1024) * sizeof(*db->v4));

		if (!p)
			return -ENOMEM;
		db->v4 = p;
	}
	db->v4[db->n4++] = (struct rp_geo_range4){ first, last, cc };
	return 0;
}

static int cmp_u8(const void *a, const void *b)
{
	return *(const uint8_t *)a - *(const uint8_t *)b;
}

/* One /24 at pos cut into 2 to 6 pieces, some a single address, some unassigned. */
static int split24(struct synth *s, struct rp_geo_db *db, size_t *cap, uint32_t pos)
{
	uint16_t main = country(s);
	int k = 1 + (int)(next64(s) % 5), ret = 0;
	uint8_t cut[6];

	for (int i = 0; i < k; i++)
		cut[i] = (uint8_t)(1 + next64(s) % 255);
	qsort(cut, k, 1, cmp_u8);
	for (int i = 0; i <= k && !ret; i++) {
		uint32_t a = i ? cut[i - 1] : 0, b = i < k ? cut[i] : 256;
		uint16_t cc = next64(s) & 1 ? main : country(s);

		if (a == b)
			continue;
		if (next64(s) % 8 == 0)
			cc = RP_GEO_NONE;
		ret = add4(db, cap, pos + a, pos + b - 1, cc);
	}
	return ret;
}

/*
 * Like the registries' data: most /16s are one allocation of a large block (or unassigned),
 * and the ranges crowd into a few "dense" /16s (about 1 in 8 in the real data, some 40
 * ranges each) cut into /24 to /18 sized allocations with split /24s among them.
 */
static int make4(struct synth *s, struct rp_geo_db *db, size_t n4)
{
	double dense16 = n4 / 17.0; /* /16s in dense blocks */
	double f = dense16 / 65536, ms = logu_max(40) /* sparse: mean 40 /16s */;
	double p_dense = f * 40 / (4.5 * (1 - f) + f * 40);
	double runs = dense16 * 256 / 16.0; /* dense runs: mean 16 /24s */
	double p_split = n4 * 0.3 / 3 / runs;
	size_t cap = 0;
	uint64_t pos = 0; /* in /16s */
	int ret = 0;

	while (pos < 65536 && !ret) {
		uint64_t size;

		if (pos && unit(s) < p_dense) {
			uint64_t end = pos + 1 + next64(s) % 8, p24;

			if (end > 65535)
				end = 65535; /* the last /16 stays a sparse one */
			for (p24 = pos << 8; p24 < end << 8 && !ret;) {
				uint64_t n = logu(s, logu_max(16));
				uint16_t cc;

				if (unit(s) < p_split) {
					ret = split24(s, db, &cap, (uint32_t)(p24 << 8));
					p24++;
					continue;
				}
				if (p24 + n > end << 8)
					n = (end << 8) - p24;
				cc = unit(s) < 0.05 ? RP_GEO_NONE : country(s);
				ret = add4(db, &cap, (uint32_t)(p24 << 8),
					   (uint32_t)((p24 + n) << 8) - 1, cc);
				p24 += n;
			}
			pos = end;
			continue;
		}
		size = logu(s, ms);
		if (pos + size >= 65536)
			size = 65536 - pos; /* the last range ends at 255.255.255.255 */
		if (pos && pos + size < 65536 && unit(s) < 0.3)
			s->last = RP_GEO_NONE; /* a gap: nothing added */
		else
			ret = add4(db, &cap, (uint32_t)(pos << 16),
				   (uint32_t)(((pos + size) << 16) - 1), country(s));
		pos += size;
	}
	return ret;
}

static int cmp_r6(const void *a, const void *b)
{
	const struct rp_geo_range6 *x = a, *y = b;

	if (x->first_hi != y->first_hi)
		return x->first_hi < y->first_hi ? -1 : 1;
	return x->first_lo < y->first_lo ? -1 : x->first_lo > y->first_lo;
}

static void set6(struct rp_geo_range6 *r, u128 first, u128 last, uint16_t cc)
{
	r->first_hi = (uint64_t)(first >> 64);
	r->first_lo = (uint64_t)first;
	r->last_hi = (uint64_t)(last >> 64);
	r->last_lo = (uint64_t)last;
	r->cc = cc;
}

static u128 f6(const struct rp_geo_range6 *r)
{
	return (u128)r->first_hi << 64 | r->first_lo;
}

static u128 l6(const struct rp_geo_range6 *r)
{
	return (u128)r->last_hi << 64 | r->last_lo;
}

static int make6(struct synth *s, struct rp_geo_db *db, size_t n6)
{
	size_t n = n6 + n6 / 10 + 2, k = 0, carve = n6 / 200 + 4;
	struct rp_geo_range6 *r = calloc(n + 3 * carve + 8, sizeof(*r)), *out;
	u128 end = ~(u128)0;

	if (!r)
		return -ENOMEM;
	/* The edges: ::/96 and ffff:ff00::/24. */
	set6(&r[k++], 0, ((u128)1 << 32) - 1, country(s));
	set6(&r[k++], (u128)0xffffff << 104, end, country(s));
	while (k < n) {
		unsigned int u = next64(s) % 100;
		unsigned int len = u < 40 ? 32 : u < 55 ? 29 : u < 80 ? 48 :
				   u < 90 ? 19 + next64(s) % 10 : 33 + next64(s) % 15;
		uint64_t hi = (0x2001ull + next64(s) % (0x2c10 - 0x2001)) << 48 |
			      (next64(s) & 0xffffffffffffull);
		uint64_t mask = ~0ull << (64 - len);

		hi &= mask;
		set6(&r[k++], (u128)hi << 64, ((u128)(hi | ~mask) << 64) | ~0ull, 0);
	}
	qsort(r, k, sizeof(*r), cmp_r6);
	/* Drop overlaps, give countries. */
	n = 0;
	for (size_t i = 0; i < k; i++) {
		if (n && f6(&r[i]) <= l6(&r[n - 1]))
			continue;
		r[n] = r[i];
		if (!r[n].cc)
			r[n].cc = country(s);
		n++;
	}
	/* Carve /64s and /128s out of some ranges: inside, at the first or last address. */
	out = calloc(n + 3 * carve + 8, sizeof(*out));
	if (!out) {
		free(r);
		return -ENOMEM;
	}
	k = 0;
	for (size_t i = 0; i < n; i++) {
		u128 a = f6(&r[i]), b = l6(&r[i]), span = b - a, x, y;
		unsigned int how = next64(s) % 6;
		uint16_t cc = country(s);

		if (i == 0 || i + 1 == n || next64(s) % (n / carve + 1) || span < 4 ||
		    cc == r[i].cc) {
			out[k++] = r[i];
			continue;
		}
		x = a + (((u128)next64(s) << 64 | next64(s)) % span);
		if (how < 3) { /* a /64 */
			x &= ~(u128)0 << 64;
			y = x | ~0ull;
			if (x < a)
				x = a;
		} else { /* a /128, or two */
			y = how == 5 ? x + 1 : x;
		}
		if (how == 3)
			x = y = a; /* the range's first address */
		if (how == 4)
			x = y = b; /* its last */
		if (y > b)
			y = b;
		if (x > a)
			set6(&out[k++], a, x - 1, r[i].cc);
		set6(&out[k++], x, y, cc);
		if (y < b)
			set6(&out[k++], y + 1, b, r[i].cc);
	}
	free(r);
	/* Merge touching ranges of one country. */
	n = 0;
	for (size_t i = 0; i < k; i++) {
		if (n && out[n - 1].cc == out[i].cc && l6(&out[n - 1]) + 1 == f6(&out[i]))
			set6(&out[n - 1], f6(&out[n - 1]), l6(&out[i]), out[i].cc);
		else
			out[n++] = out[i];
	}
	db->v6 = out;
	db->n6 = n;
	return 0;
}

int rp_geo_synth_make(struct rp_geo_db *db, const struct rp_geo_synth *opt)
{
	struct synth s = { .rng = opt->seed, .nc = opt->countries };
	double sum = 0;
	int ret = -ENOMEM;

	memset(db, 0, sizeof(*db));
	snprintf(db->name, sizeof(db->name), "synthetic-%llu", (unsigned long long)opt->seed);
	db->date[0] = 0; /* no source date */
	if (s.nc < 1 || s.nc > RP_GEO_NCODES - 1)
		return -EINVAL;
	s.cdf = calloc(s.nc, sizeof(*s.cdf));
	s.codes = calloc(s.nc, sizeof(*s.codes));
	if (!s.cdf || !s.codes)
		goto out;
	for (unsigned int i = 0; i < s.nc; i++) {
		/* Distinct codes spread over the 676 (337 is prime to 676). */
		s.codes[i] = (uint16_t)(1 + (i * 337u) % (RP_GEO_NCODES - 1));
		sum += 1.0 / (i + 1);
		s.cdf[i] = sum;
	}
	for (unsigned int i = 0; i < s.nc; i++)
		s.cdf[i] /= sum;
	ret = opt->n4 ? make4(&s, db, opt->n4) : 0;
	if (!ret && opt->n6)
		ret = make6(&s, db, opt->n6);
out:
	free(s.cdf);
	free(s.codes);
	if (ret)
		rp_geo_synth_free(db);
	return ret;
}

void rp_geo_synth_free(struct rp_geo_db *db)
{
	free(db->v4);
	free(db->v6);
	db->v4 = NULL;
	db->v6 = NULL;
	db->n4 = db->n6 = 0;
}
