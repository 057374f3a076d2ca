// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A country dataset compiled into the data plane's tables (include/rempart/geo_tables.h).
 *
 * The compile works on "runs": the dataset's ranges and the gaps between them (code
 * RP_GEO_NONE), in order, covering the whole address space. IPv4 goes through a table of
 * one code per /24 (32 MiB): a /24 touched by two runs of different codes is split, its
 * boundaries become exceptions; the blocks are then read off that table, equal ones
 * shared. IPv6 goes to /64 granularity the
 * same way and is laid out in Eytzinger order.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rempart/geo.h"
#include "rempart/geo_tables.h"
#include "geo.h"
#include "geo_maps.h"
#include "log.h"

typedef unsigned __int128 u128;

#define UNSET24 0xfffe /* a /24 no run touched yet */

/* The tables of one slot, in memory. */
struct rp_geo_img {
	struct rp_geo_node top[RP_GEO4_TOP];
	struct rp_geo_blk *blk; /* RP_GEO4_MAX_BLK */
	struct rp_geo_rec24 *rec4; /* RP_GEO4_MAX_SPLIT */
	struct rp_geo_span *split4; /* RP_GEO4_MAX_SPLIT */
	uint64_t *exc4; /* RP_GEO4_MAX_EXC */
	struct rp_geo_node6 *key6; /* RP_GEO6_MAX_NODES */
	struct rp_geo_codes6 *code6; /* RP_GEO6_MAX_NODES */
	struct rp_geo_span *split6; /* RP_GEO6_MAX_SPLIT */
	struct rp_geo_exc6 *exc6; /* RP_GEO6_MAX_EXC */
	struct rp_geo_dir6 *dir6; /* RP_GEO6_DIR */
	struct rp_geo_meta meta;
	uint32_t nblk;
};

/* ------------------------------------------------------------------------------------ */
/* Sharing equal nodes: an open-addressing set of indices into the node array. */

struct intern {
	uint32_t *slot; /* index + 1; 0 empty */
	uint32_t mask;
	const void *base;
	size_t size; /* bytes per node */
};

static int intern_init(struct intern *t, uint32_t cap, const void *base, size_t size)
{
	uint32_t n = 1;

	while (n < 2 * cap)
		n <<= 1;
	t->slot = calloc(n, sizeof(*t->slot));
	t->mask = n - 1;
	t->base = base;
	t->size = size;
	return t->slot ? 0 : -ENOMEM;
}

static uint32_t hash_bytes(const void *p, size_t len)
{
	const uint64_t *w = p;
	uint64_t h = 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < len / 8; i++)
		h = (h ^ w[i]) * 0xff51afd7ed558ccdull;
	return (uint32_t)(h ^ h >> 29);
}

/* Index of a node equal to the candidate at *count (added if new). */
static uint32_t intern(struct intern *t, uint32_t *count)
{
	const char *cand = (const char *)t->base + (size_t)*count * t->size;
	uint32_t h = hash_bytes(cand, t->size) & t->mask;

	for (;; h = (h + 1) & t->mask) {
		uint32_t s = t->slot[h];

		if (!s) {
			t->slot[h] = *count + 1;
			return (*count)++;
		}
		if (!memcmp((const char *)t->base + (size_t)(s - 1) * t->size, cand, t->size))
			return s - 1;
	}
}

/* ------------------------------------------------------------------------------------ */
/* IPv4 */

static int check4(const struct rp_geo_db *db)
{
	for (size_t i = 0; i < db->n4; i++) {
		const struct rp_geo_range4 *r = &db->v4[i];

		if (r->first > r->last || (i && r->first <= db->v4[i - 1].last) ||
		    r->cc >= RP_GEO_NCODES) {
			rp_err("geo dataset %s: IPv4 range %zu (%u-%u, code %u) is out of order, "
			       "overlaps the one before or has a bad code",
			       db->name, i, r->first, r->last, r->cc);
			return -EINVAL;
		}
	}
	return 0;
}

/* Runs the body for every run (ranges and the gaps between them), in order. */
#define FOR_RUNS4(db, s, e, c, ...)                                                       \
	do {                                                                               \
		uint64_t __cur = 0;                                                        \
		size_t __i = 0;                                                            \
		while (__cur <= 0xffffffffull) {                                           \
			uint32_t s = (uint32_t)__cur, e;                                   \
			uint16_t c;                                                        \
			if (__i < (db)->n4 && (db)->v4[__i].first == s) {                  \
				e = (db)->v4[__i].last;                                    \
				c = (db)->v4[__i].cc;                                      \
				__i++;                                                     \
			} else {                                                           \
				e = __i < (db)->n4 ? (db)->v4[__i].first - 1 : 0xffffffffu; \
				c = RP_GEO_NONE;                                           \
			}                                                                  \
			__VA_ARGS__;                                                       \
			__cur = (uint64_t)e + 1;                                           \
		}                                                                          \
	} while (0)

static int build4(struct rp_geo_img *img, const struct rp_geo_db *db, uint32_t slot,
		  struct rp_geo_load_stats *st)
{
	uint16_t *c24 = malloc((1u << 24) * sizeof(*c24)), prev = RP_GEO_NONE;
	struct intern ib = {};
	int64_t last24 = -1;
	uint32_t nexc = 0, nsplit = 0;
	int ret = -ENOMEM;

	if (!c24 || intern_init(&ib, RP_GEO4_MAX_BLK, img->blk, sizeof(*img->blk)))
		goto out;
	for (size_t i = 0; i < 1u << 24; i++)
		c24[i] = UNSET24;
	FOR_RUNS4(db, s, e, c, {
		for (uint32_t b = s >> 8; b <= e >> 8; b++) {
			if (c24[b] == UNSET24)
				c24[b] = c;
			else if (c24[b] != c)
				c24[b] = RP_GEO_SPLIT; /* numbered below */
		}
	});
	/* The exceptions: for each split /24, its first address and the runs starting in it;
	 * the /24's leaf code becomes RP_GEO_SPLIT | its number. */
	FOR_RUNS4(db, s, e, c, {
		uint32_t b = s >> 8;

		if (c24[b] & RP_GEO_SPLIT) {
			if (nexc + 2 > RP_GEO4_MAX_EXC ||
			    (last24 != b && nsplit == RP_GEO4_MAX_SPLIT)) {
				rp_err("geo dataset %s: over %u IPv4 exception entries or %u /24s "
				       "split between countries",
				       db->name, RP_GEO4_MAX_EXC, RP_GEO4_MAX_SPLIT);
				ret = -E2BIG;
				goto out;
			}
			if (last24 != b) {
				uint16_t at = s & 0xff ? prev : c; /* the code at the /24's start */

				img->split4[nsplit].first = slot * RP_GEO4_MAX_EXC + nexc;
				c24[b] = RP_GEO_SPLIT | nsplit++;
				img->exc4[nexc++] = (uint64_t)(b << 8) << 32 | at;
				last24 = b;
			}
			if (s & 0xff)
				img->exc4[nexc++] = (uint64_t)s << 32 | c;
			img->split4[nsplit - 1].n = slot * RP_GEO4_MAX_EXC + nexc -
						    img->split4[nsplit - 1].first;
		}
		prev = c;
	});
	st->split24 = nsplit;
	/* The records of the split /24s of few pieces. */
	for (uint32_t i = 0; i < nsplit; i++) {
		const struct rp_geo_span *sp = &img->split4[i];
		const uint64_t *x = &img->exc4[sp->first - slot * RP_GEO4_MAX_EXC];
		struct rp_geo_rec24 *r = &img->rec4[i];

		if (sp->n > RP_GEO4_REC_PIECES)
			continue; /* n stays 0: the span */
		for (uint32_t j = 0; j < RP_GEO4_REC_PIECES; j++) {
			uint64_t e = x[j < sp->n ? j : sp->n - 1];

			r->code[j] = (uint16_t)e;
			r->off[j] = j < sp->n ? (uint8_t)(e >> 32) : 255;
		}
		r->n = (uint8_t)sp->n;
	}
	img->meta.n4exc = nexc;
	st->exc4 = nexc;

	for (uint32_t h = 0; h < 65536; h++) {
		const uint16_t *c = &c24[h << 8];
		uint16_t *te = &img->top[h / RP_GEO_FAN].e[h % RP_GEO_FAN];
		bool same = !(c[0] & RP_GEO_SPLIT);

		for (int i = 1; i < 256 && same; i++)
			same = c[i] == c[0];
		if (same) {
			*te = c[0];
			continue;
		}
		if (img->nblk >= RP_GEO4_MAX_BLK) {
			rp_err("geo dataset %s: over %u distinct mixed IPv4 /16s", db->name,
			       RP_GEO4_MAX_BLK);
			ret = -E2BIG;
			goto out;
		}
		memcpy(img->blk[img->nblk].c, c, sizeof(img->blk->c));
		*te = RP_GEO_PTR | (slot * RP_GEO4_MAX_BLK + intern(&ib, &img->nblk));
		st->mixed16++;
	}
	st->blk4 = img->nblk;
	ret = 0;
out:
	if (ret == -ENOMEM)
		rp_err("geo: out of memory compiling the IPv4 tables");
	free(ib.slot);
	free(c24);
	return ret;
}

/* ------------------------------------------------------------------------------------ */
/* IPv6 */

struct run6 {
	u128 s;
	uint16_t c;
};

static u128 first6(const struct rp_geo_range6 *r)
{
	return (u128)r->first_hi << 64 | r->first_lo;
}

static u128 last6(const struct rp_geo_range6 *r)
{
	return (u128)r->last_hi << 64 | r->last_lo;
}

/* The runs, merged where codes repeat. Returns the count; *runs is malloc'd. */
static int runs6(const struct rp_geo_db *db, struct run6 **out, size_t *n)
{
	struct run6 *r = malloc((2 * db->n6 + 2) * sizeof(*r));
	size_t k = 0;
	u128 cur = 0;
	bool end = false;

	if (!r) {
		rp_err("geo: out of memory compiling the IPv6 tables");
		return -ENOMEM;
	}
#define ADD6(start, code)                                                                  \
	do {                                                                               \
		if (!k || r[k - 1].c != (code))                                            \
			r[k++] = (struct run6){ (start), (code) };                         \
	} while (0)
	for (size_t i = 0; i < db->n6; i++) {
		const struct rp_geo_range6 *g = &db->v6[i];

		if (end || first6(g) > last6(g) || first6(g) < cur || g->cc >= RP_GEO_NCODES) {
			rp_err("geo dataset %s: IPv6 range %zu (code %u) is out of order, overlaps "
			       "the one before or has a bad code",
			       db->name, i, g->cc);
			free(r);
			return -EINVAL;
		}
		if (first6(g) > cur)
			ADD6(cur, RP_GEO_NONE);
		ADD6(first6(g), g->cc);
		cur = last6(g) + 1;
		end = cur == 0; /* the range ended at ffff:...:ffff */
	}
	if (!end)
		ADD6(cur, RP_GEO_NONE);
#undef ADD6
	*out = r;
	*n = k;
	return 0;
}

/* One of the two IPv6 B-trees (struct rp_geo_meta): keys [first, end) of the sorted
 * array, stored less sub, in nodes [base, base + nodes). */
struct tree6 {
	const uint64_t *key;
	const uint16_t *code;
	size_t first, end;
	uint64_t sub;
	uint32_t base, nodes;
};

/*
 * Fill the tree's node k and its subtree from its sorted keys, in order: child 0, key 0,
 * child 1, key 1, ..., key 7, child 8. Beside each key, the code of the run before it.
 * Returns the next index of the sorted keys; past the tree's end, padding: INT64_MAX, above
 * every searched value, carrying the tree's last run.
 */
static size_t btree(struct rp_geo_img *img, const struct tree6 *tr, size_t t, uint32_t k)
{
	if (k >= tr->nodes)
		return t;
	for (int i = 0; i < RP_GEO6_B; i++) {
		t = btree(img, tr, t, k * (RP_GEO6_B + 1) + i + 1);
		img->key6[tr->base + k].k[i] = t < tr->end ? tr->key[t] - tr->sub : INT64_MAX;
		img->code6[tr->base + k].c[i] = t < tr->end ? tr->code[t ? t - 1 : 0] :
							      tr->code[tr->end - 1];
		t++;
	}
	return btree(img, tr, t, k * (RP_GEO6_B + 1) + RP_GEO6_B + 1);
}

/* Keys of node n at or below x (padding keys are INT64_MAX, above every x searched). */
static unsigned int node_le(const struct rp_geo_node6 *n, uint64_t x)
{
	unsigned int i = 0;

	for (int j = 0; j < RP_GEO6_B; j++)
		i += n->k[j] <= x;
	return i;
}

/*
 * The direct level (struct rp_geo_dir6): for each /20 of 2000::/3, follow the search of its
 * first and last address together from the root, the way bpf/geo.h's rp_geo6() searches,
 * while both take the same place in every node; where they part, the /20's searches start.
 */
static void dir6(struct rp_geo_img *img)
{
	for (uint32_t q = 0; q < RP_GEO6_DIR; q++) {
		uint64_t first = 1ull << 61 | (uint64_t)q << 44, last = first | ((1ull << 44) - 1);
		struct rp_geo_dir6 *d = &img->dir6[q];
		uint32_t k = 0, best = 0, best_i = 0;
		bool found = false;

		for (;;) {
			unsigned int i;

			if (k >= img->meta.nodes6) {
				d->direct = 1;
				break;
			}
			i = node_le(&img->key6[k], first);
			if (i != node_le(&img->key6[k], last)) {
				d->node = k;
				break;
			}
			if (i < RP_GEO6_B) {
				best = k;
				best_i = i;
				found = true;
			}
			k = k * (RP_GEO6_B + 1) + i + 1;
		}
		d->code = found ? img->code6[best].c[best_i] : img->meta.mid6;
	}
}

static int build6(struct rp_geo_img *img, const struct rp_geo_db *db, uint32_t slot,
		  struct rp_geo_load_stats *st)
{
	uint64_t *key = NULL;
	uint16_t *code = NULL;
	struct tree6 lower, upper;
	struct run6 *r = NULL;
	size_t mid;
	size_t nr = 0, nk = 0, nx = 0;
	uint32_t nsplit = 0;
	bool have_split = false;
	uint64_t split_hi = 0;
	int ret;

	ret = runs6(db, &r, &nr);
	if (ret)
		return ret;
	ret = -ENOMEM;
	key = malloc((2 * nr + 1) * sizeof(*key));
	code = malloc((2 * nr + 1) * sizeof(*code));
	if (!key || !code)
		goto out;

	/* A key per /64-granular run; a later key for the same /64 replaces the earlier one
	 * (a /64 split below /64 becomes one key, RP_GEO_SPLIT | its number). */
#define KEY(h, c)                                                                          \
	do {                                                                               \
		if (nk && key[nk - 1] == (h))                                              \
			code[nk - 1] = (c);                                                \
		else if (nk && code[nk - 1] == (c))                                        \
			;                                                                  \
		else {                                                                     \
			key[nk] = (h);                                                     \
			code[nk++] = (c);                                                  \
		}                                                                          \
	} while (0)
	for (size_t k = 0; k < nr; k++) {
		uint64_t h = (uint64_t)(r[k].s >> 64), lo = (uint64_t)r[k].s;
		bool has_next = k + 1 < nr;
		u128 next = has_next ? r[k + 1].s : 0;
		bool split = lo || (has_next && (uint64_t)(next >> 64) == h);

		if (!split) {
			KEY(h, r[k].c);
			continue;
		}
		if (nx + 2 > RP_GEO6_MAX_EXC ||
		    ((!have_split || split_hi != h) && nsplit == RP_GEO6_MAX_SPLIT)) {
			rp_err("geo dataset %s: over %u IPv6 exception entries or %u /64s split "
			       "between countries",
			       db->name, RP_GEO6_MAX_EXC, RP_GEO6_MAX_SPLIT);
			ret = -E2BIG;
			goto out;
		}
		if (!have_split || split_hi != h) {
			img->split6[nsplit++].first = slot * RP_GEO6_MAX_EXC + nx;
			img->exc6[nx++] = (struct rp_geo_exc6){ h, 0, lo ? r[k - 1].c : r[k].c };
			have_split = true;
			split_hi = h;
		}
		KEY(h, RP_GEO_SPLIT | (nsplit - 1));
		if (lo)
			img->exc6[nx++] = (struct rp_geo_exc6){ h, lo, r[k].c };
		img->split6[nsplit - 1].n =
			slot * RP_GEO6_MAX_EXC + nx - img->split6[nsplit - 1].first;
		/* The run goes on past its split /64: the next /64 starts a run of its own. */
		if (h != UINT64_MAX && (!has_next || next > (u128)(h + 1) << 64))
			KEY(h + 1, r[k].c);
	}
#undef KEY
	st->split64 = nsplit;
	/* The lower tree: keys below 8000:: (key 0 is always there); the upper: the rest. */
	for (mid = 0; mid < nk && !(key[mid] >> 63);)
		mid++;
	lower = (struct tree6){ key, code, 0, mid, 0, 0, (uint32_t)((mid + RP_GEO6_B - 1) / RP_GEO6_B) };
	upper = (struct tree6){ key, code, mid, nk, 1ull << 63, lower.nodes,
				(uint32_t)((nk - mid + RP_GEO6_B - 1) / RP_GEO6_B) };
	if ((size_t)lower.nodes + upper.nodes > RP_GEO6_MAX_NODES) {
		rp_err("geo dataset %s: over %u IPv6 /64-granular runs", db->name,
		       RP_GEO6_MAX_NODES * RP_GEO6_B);
		ret = -E2BIG;
		goto out;
	}
	btree(img, &lower, lower.first, 0);
	btree(img, &upper, upper.first, 0);
	img->meta.nodes6 = lower.nodes;
	img->meta.nodes6_hi = upper.nodes;
	img->meta.mid6 = code[mid - 1];
	img->meta.tail6 = code[nk - 1];
	dir6(img);
	img->meta.n6exc = (uint32_t)nx;
	st->keys6 = (uint32_t)nk;
	st->exc6 = (uint32_t)nx;
	ret = 0;
out:
	if (ret == -ENOMEM)
		rp_err("geo: out of memory compiling the IPv6 tables");
	free(r);
	free(key);
	free(code);
	return ret;
}

/* ------------------------------------------------------------------------------------ */
/* Writing a slot */

struct table {
	const char *name;
	size_t elem; /* bytes per element */
	size_t per_slot; /* elements per slot */
};

enum {
	T_META,
	T_TOP4,
	T_BLK4,
	T_REC4,
	T_SPLIT4,
	T_EXC4,
	T_KEY6,
	T_CODE6,
	T_SPLIT6,
	T_EXC6,
	T_DIR6,
	T_COUNT
};

static const struct table tables[T_COUNT] = {
	[T_META] = { "rp_geo_meta", sizeof(struct rp_geo_meta), 1 },
	[T_TOP4] = { "rp_geo4_top", sizeof(struct rp_geo_node), RP_GEO4_TOP },
	[T_BLK4] = { "rp_geo4_blk", sizeof(struct rp_geo_blk), RP_GEO4_MAX_BLK },
	[T_REC4] = { "rp_geo4_rec", sizeof(struct rp_geo_rec24), RP_GEO4_MAX_SPLIT },
	[T_SPLIT4] = { "rp_geo4_split", sizeof(struct rp_geo_span), RP_GEO4_MAX_SPLIT },
	[T_EXC4] = { "rp_geo4_exc", sizeof(uint64_t), RP_GEO4_MAX_EXC },
	[T_KEY6] = { "rp_geo6_key", sizeof(struct rp_geo_node6), RP_GEO6_MAX_NODES },
	[T_CODE6] = { "rp_geo6_code", sizeof(struct rp_geo_codes6), RP_GEO6_MAX_NODES },
	[T_SPLIT6] = { "rp_geo6_split", sizeof(struct rp_geo_span), RP_GEO6_MAX_SPLIT },
	[T_EXC6] = { "rp_geo6_exc", sizeof(struct rp_geo_exc6), RP_GEO6_MAX_EXC },
	[T_DIR6] = { "rp_geo6_dir", sizeof(struct rp_geo_dir6), RP_GEO6_DIR },
};

size_t rp_geo_maps_kernel_bytes(void)
{
	size_t sum = sizeof(uint32_t); /* rp_geo_slot */

	for (int t = 0; t < T_COUNT; t++)
		sum += tables[t].elem * tables[t].per_slot * RP_GEO_SLOTS;
	return sum;
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);
	int fd = m ? bpf_map__fd(m) : -1;

	if (fd < 0) {
		rp_err("geo: the loaded program has no map %s", name);
		return -ENOENT;
	}
	return fd;
}

/* Copy len bytes into table t of slot, through mmap. */
static int write_table(struct bpf_object *obj, int t, uint32_t slot, const void *src,
		       size_t len)
{
	size_t size = tables[t].elem * tables[t].per_slot * RP_GEO_SLOTS;
	int fd = map_fd(obj, tables[t].name);
	char *p;

	if (fd < 0)
		return fd;
	if (!len)
		return 0;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int err = -errno;

		rp_err("geo: cannot map %s: %s", tables[t].name, strerror(-err));
		return err;
	}
	memcpy(p + (size_t)slot * tables[t].elem * tables[t].per_slot, src, len);
	munmap(p, size);
	return 0;
}

int rp_geo_maps_slot(struct bpf_object *obj)
{
	int fd = map_fd(obj, "rp_geo_slot");
	uint32_t zero = 0, slot;

	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &zero, &slot)) {
		int err = -errno;

		rp_err("geo: cannot read the slot in force: %s", strerror(-err));
		return err;
	}
	return (int)(slot & 1);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void img_free(struct rp_geo_img *img)
{
	if (!img)
		return;
	free(img->blk);
	free(img->rec4);
	free(img->split4);
	free(img->exc4);
	free(img->key6);
	free(img->code6);
	free(img->split6);
	free(img->exc6);
	free(img->dir6);
	free(img);
}

int rp_geo_maps_write(struct bpf_object *obj, const struct rp_geo_db *db,
		      struct rp_geo_load_stats *st)
{
	struct rp_geo_img *img = calloc(1, sizeof(*img));
	struct rp_geo_load_stats s = {};
	struct timespec t0;
	uint32_t slot;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = rp_geo_maps_slot(obj);
	if (ret < 0)
		goto out;
	slot = (uint32_t)ret ^ 1;
	ret = -ENOMEM;
	if (!img)
		goto out;
	img->blk = calloc(RP_GEO4_MAX_BLK, sizeof(*img->blk));
	img->rec4 = calloc(RP_GEO4_MAX_SPLIT, sizeof(*img->rec4));
	img->split4 = calloc(RP_GEO4_MAX_SPLIT, sizeof(*img->split4));
	img->exc4 = calloc(RP_GEO4_MAX_EXC, sizeof(*img->exc4));
	img->key6 = calloc(RP_GEO6_MAX_NODES, sizeof(*img->key6));
	img->code6 = calloc(RP_GEO6_MAX_NODES, sizeof(*img->code6));
	img->split6 = calloc(RP_GEO6_MAX_SPLIT, sizeof(*img->split6));
	img->exc6 = calloc(RP_GEO6_MAX_EXC, sizeof(*img->exc6));
	img->dir6 = calloc(RP_GEO6_DIR, sizeof(*img->dir6));
	if (!img->blk || !img->rec4 || !img->split4 || !img->exc4 || !img->key6 || !img->code6 ||
	    !img->split6 || !img->exc6 || !img->dir6) {
		rp_err("geo: out of memory compiling the tables");
		goto out;
	}
	ret = check4(db);
	if (!ret)
		ret = build4(img, db, slot, &s);
	if (!ret)
		ret = build6(img, db, slot, &s);
	if (ret)
		goto out;
	s.build_ms = ms_since(&t0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	{
		size_t st_split4 = s.split24, nodes6 = (size_t)img->meta.nodes6 + img->meta.nodes6_hi;
		const struct {
			int t;
			const void *src;
			size_t len;
		} w[] = {
			{ T_TOP4, img->top, sizeof(img->top) },
			{ T_BLK4, img->blk, img->nblk * sizeof(*img->blk) },
			{ T_REC4, img->rec4, st_split4 * sizeof(*img->rec4) },
			{ T_SPLIT4, img->split4, st_split4 * sizeof(*img->split4) },
			{ T_EXC4, img->exc4, img->meta.n4exc * sizeof(*img->exc4) },
			{ T_KEY6, img->key6, nodes6 * sizeof(*img->key6) },
			{ T_CODE6, img->code6, nodes6 * sizeof(*img->code6) },
			{ T_SPLIT6, img->split6, s.split64 * sizeof(*img->split6) },
			{ T_EXC6, img->exc6, img->meta.n6exc * sizeof(*img->exc6) },
			{ T_DIR6, img->dir6, RP_GEO6_DIR * sizeof(*img->dir6) },
			{ T_META, &img->meta, sizeof(img->meta) },
		};

		for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
			ret = write_table(obj, w[i].t, slot, w[i].src, w[i].len);
			if (ret)
				goto out;
			s.bytes_used += w[i].len;
		}
	}
	s.write_ms = ms_since(&t0);
	s.slot = slot;
	s.bytes_kernel = rp_geo_maps_kernel_bytes();
	if (st)
		*st = s;
	ret = 0;
out:
	img_free(img);
	return ret;
}

int rp_geo_maps_flip(struct bpf_object *obj, uint32_t slot)
{
	int fd = map_fd(obj, "rp_geo_slot"), ret;
	uint32_t zero = 0;

	if (fd < 0)
		return fd;
	/* Every table of the slot is written (the syscalls of the write order the stores). */
	if (bpf_map_update_elem(fd, &zero, &slot, BPF_ANY)) {
		ret = -errno;
		rp_err("geo: cannot flip the slot in force: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

int rp_geo_maps_load(struct bpf_object *obj, const struct rp_geo_db *db,
		     struct rp_geo_load_stats *st)
{
	struct rp_geo_load_stats s;
	int ret = rp_geo_maps_write(obj, db, &s);

	if (!ret)
		ret = rp_geo_maps_flip(obj, s.slot);
	if (!ret && st)
		*st = s;
	return ret;
}
