// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The data plane's country lookup (bpf/geo.h) against a plain binary search over the ranges,
 * through BPF_PROG_TEST_RUN of rp_geo_probe: 100 % equal for the first and last address of
 * every range and their neighbours, 1 M random IPv4 and 100 k random IPv6 addresses, on
 * world-sized synthetic datasets and on hand-made edge cases. And the swap: a running prober
 * sees every answer switch from dataset A to dataset B once, never back, never a failure.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "check.h"
#include "rempart/geo_tables.h"
#include "rempart.skel.h"
#include "dataplane.h"
#include "geo.h"
#include "geo_maps.h"
#include "geo_synth.h"

typedef unsigned __int128 u128;

static struct rp_dp dp;
static bool loaded;

static int load(void)
{
	if (loaded)
		return 0;
	if (rp_dp_open(&dp, RP_DP_REPLAY))
		return -1;
	loaded = true;
	return 0;
}

#define LOAD()                                                                             \
	do {                                                                               \
		if (geteuid() != 0)                                                        \
			SKIP("loading a BPF program needs root");                          \
		if (!CHECK(load() == 0, "the program did not load"))                       \
			return;                                                            \
	} while (0)

/* ------------------------------------------------------------------------------------ */
/* The reference: a plain binary search over the ranges */

static uint16_t ref4(const struct rp_geo_db *db, uint32_t a)
{
	return rp_geo_lookup4(db, a);
}

static u128 first6(const struct rp_geo_range6 *r)
{
	return (u128)r->first_hi << 64 | r->first_lo;
}

static u128 last6(const struct rp_geo_range6 *r)
{
	return (u128)r->last_hi << 64 | r->last_lo;
}

static uint16_t ref6(const struct rp_geo_db *db, u128 a)
{
	return rp_geo_lookup6(db, (uint64_t)(a >> 64), (uint64_t)a);
}

/* ------------------------------------------------------------------------------------ */
/* Probing in batches of RP_GEO_PROBE_MAX addresses per test run */

struct prober {
	int fd;
	unsigned int n;
	struct rp_geo_probe in[RP_GEO_PROBE_MAX], out[RP_GEO_PROBE_MAX];
	uint16_t want[RP_GEO_PROBE_MAX];
	uint64_t probes, wrong, runs_failed;
};

static void rec4(struct rp_geo_probe *r, uint32_t a)
{
	*r = (struct rp_geo_probe){ .family = 4, .addr = { htonl(a) } };
}

static void rec6(struct rp_geo_probe *r, u128 a)
{
	uint64_t hi = (uint64_t)(a >> 64), lo = (uint64_t)a;

	*r = (struct rp_geo_probe){ .family = 6,
				    .addr = { htonl(hi >> 32), htonl((uint32_t)hi), htonl(lo >> 32),
					      htonl((uint32_t)lo) } };
}

/* "FR" for a code ("--" for none); src/geo.c has the product's version. */
static const char *cc_name(uint16_t cc, char *buf)
{
	if (!cc || cc >= RP_GEO_NCODES)
		return cc ? "??" : "--";
	buf[0] = (char)('A' + (cc - 1) / 26);
	buf[1] = (char)('A' + (cc - 1) % 26);
	buf[2] = 0;
	return buf;
}

static int run_probe(int fd, const struct rp_geo_probe *in, struct rp_geo_probe *out,
		     unsigned int n)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_out = out,
		    .data_size_in = n * sizeof(*in), .data_size_out = n * sizeof(*out));

	/* test_run refuses frames under an Ethernet header: pad with a harmless record. */
	if (n * sizeof(*in) < 14)
		return -EINVAL;
	if (bpf_prog_test_run_opts(fd, &opts))
		return -errno;
	return opts.data_size_out == n * sizeof(*out) ? 0 : -EPROTO;
}

static void flush(struct prober *p)
{
	unsigned int n = p->n;

	if (!n)
		return;
	while (n * sizeof(p->in[0]) < 14) { /* at least an Ethernet header's worth */
		p->in[n] = p->in[0];
		p->want[n] = p->want[0];
		n++;
	}
	if (run_probe(p->fd, p->in, p->out, n)) {
		p->runs_failed++;
		p->n = 0;
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (p->out[i].code == p->want[i])
			continue;
		if (p->wrong++ < 5) {
			char s[INET6_ADDRSTRLEN], n1[3], n2[3];

			inet_ntop(p->in[i].family == 4 ? AF_INET : AF_INET6, p->in[i].addr, s,
				  sizeof(s));
			fprintf(stderr, "    %s: data plane %s (%u), reference %s (%u)\n", s,
				cc_name(p->out[i].code, n1), p->out[i].code,
				cc_name(p->want[i], n2), p->want[i]);
		}
	}
	p->probes += n;
	p->n = 0;
}

static void probe4(struct prober *p, const struct rp_geo_db *db, uint32_t a)
{
	rec4(&p->in[p->n], a);
	p->want[p->n++] = ref4(db, a);
	if (p->n == RP_GEO_PROBE_MAX)
		flush(p);
}

static void probe6(struct prober *p, const struct rp_geo_db *db, u128 a)
{
	rec6(&p->in[p->n], a);
	p->want[p->n++] = ref6(db, a);
	if (p->n == RP_GEO_PROBE_MAX)
		flush(p);
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * Load db and compare the data plane with the reference: every range's first and last
 * address and their neighbours, n4 random IPv4 and n6 random IPv6 addresses (half in
 * 2000::/4, a quarter anywhere, a quarter inside a random range).
 */
static void check_exact(struct rp_dp *d, const struct rp_geo_db *db, size_t n4, size_t n6)
{
	struct prober *p = calloc(1, sizeof(*p));
	struct rp_geo_load_stats st;
	uint64_t rng = 42;

	if (!CHECK(p, "out of memory"))
		return;
	p->fd = bpf_program__fd(d->skel->progs.rp_geo_probe);
	if (!CHECK_EQ(rp_geo_maps_load(d->skel->obj, db, &st), 0))
		goto out;
	fprintf(stderr,
		"    %s: %zu v4 ranges (%u mixed /16, %u blocks, %u split /24, %u exceptions), "
		"%zu v6 ranges (%u keys, %u split /64, %u exceptions), %.1f KiB used, "
		"load %.0f + %.0f ms\n",
		db->name, db->n4, st.mixed16, st.blk4, st.split24, st.exc4, db->n6, st.keys6,
		st.split64, st.exc6, st.bytes_used / 1024.0, st.build_ms, st.write_ms);
	CHECK(st.build_ms + st.write_ms < 5000, "loading took %.0f ms", st.build_ms + st.write_ms);
	for (size_t i = 0; i < db->n4; i++) {
		uint32_t f = db->v4[i].first, l = db->v4[i].last;

		probe4(p, db, f);
		probe4(p, db, l);
		if (f)
			probe4(p, db, f - 1);
		if (f != UINT32_MAX)
			probe4(p, db, f + 1);
		if (l)
			probe4(p, db, l - 1);
		if (l != UINT32_MAX)
			probe4(p, db, l + 1);
	}
	for (size_t i = 0; i < db->n6; i++) {
		u128 f = first6(&db->v6[i]), l = last6(&db->v6[i]);

		probe6(p, db, f);
		probe6(p, db, l);
		if (f)
			probe6(p, db, f - 1);
		if (f != ~(u128)0)
			probe6(p, db, f + 1);
		if (l)
			probe6(p, db, l - 1);
		if (l != ~(u128)0)
			probe6(p, db, l + 1);
	}
	for (size_t i = 0; i < n4; i++)
		probe4(p, db, (uint32_t)splitmix(&rng));
	for (size_t i = 0; i < n6; i++) {
		u128 a = (u128)splitmix(&rng) << 64 | splitmix(&rng);

		if (i % 4 < 2)
			a = (a >> 4) | (u128)2 << 124;
		else if (i % 4 == 3 && db->n6) {
			const struct rp_geo_range6 *r = &db->v6[splitmix(&rng) % db->n6];
			u128 span = last6(r) - first6(r);

			a = first6(r) + (span == ~(u128)0 ? a : a % (span + 1));
		}
		probe6(p, db, a);
	}
	flush(p);
	fprintf(stderr, "    %llu probes, %llu wrong\n", (unsigned long long)p->probes,
		(unsigned long long)p->wrong);
	CHECK_EQ(p->runs_failed, 0);
	CHECK_EQ(p->wrong, 0);
out:
	free(p);
}

/* ------------------------------------------------------------------------------------ */
/* The tests */

static void test_world_sized_synthetic(void)
{
	struct rp_geo_db db;

	LOAD();
	for (uint64_t seed = 1; seed <= 2; seed++) {
		if (!CHECK_EQ(rp_geo_synth_make(&db, &RP_GEO_SYNTH_WORLD(seed)), 0))
			return;
		check_exact(&dp, &db, 1000000, 100000);
		rp_geo_synth_free(&db);
	}
}

/* The exactness figure on the built-in dataset: every range's first and last
 * address and their neighbours, 1M random IPv4 and 100k random IPv6 addresses, all through
 * BPF_PROG_TEST_RUN, against the binary search. */
static void test_builtin_dataset(void)
{
	struct rp_geo_db db = { 0 };
	char err[512];

	LOAD();
	if (!CHECK(rp_geo_load(&db, rp_geo_default_path(), err, sizeof(err)) == 0, "%s", err))
		return;
	check_exact(&dp, &db, 1000000, 100000);
	rp_geo_free(&db);
}

static void test_small_synthetic(void)
{
	struct rp_geo_db db;

	LOAD();
	for (uint64_t seed = 10; seed < 14; seed++) {
		struct rp_geo_synth o = { .seed = seed, .countries = 5 + seed, .n4 = 3000,
					  .n6 = 2000 };

		if (!CHECK_EQ(rp_geo_synth_make(&db, &o), 0))
			return;
		check_exact(&dp, &db, 100000, 20000);
		rp_geo_synth_free(&db);
	}
}

#define CC(s) RP_GEO_CODE((s)[0], (s)[1])

static void r6(struct rp_geo_range6 *r, u128 f, u128 l, uint16_t cc)
{
	*r = (struct rp_geo_range6){ (uint64_t)(f >> 64), (uint64_t)f, (uint64_t)(l >> 64),
				     (uint64_t)l, cc };
}

static void test_edges(void)
{
	u128 max = ~(u128)0, p64 = (u128)0x2a01000000000000ull << 64;
	struct rp_geo_range4 v4[64];
	struct rp_geo_range6 v6[200];
	struct rp_geo_db db = { .name = "edges", .v4 = v4, .v6 = v6 };
	size_t n = 0;

	LOAD();
	/* Nothing at all. */
	check_exact(&dp, &db, 10000, 10000);
	/* One country everywhere. */
	v4[0] = (struct rp_geo_range4){ 0, UINT32_MAX, CC("FR") };
	r6(&v6[0], 0, max, CC("DE"));
	db.n4 = db.n6 = 1;
	check_exact(&dp, &db, 10000, 10000);
	/* Single addresses side by side in the first and last /24; split /24s next to each
	 * other; ranges over /24, /16 and /8 boundaries starting and ending inside a /24. IPv6:
	 * the same at ::, a /64 and a /128 side by side, split /64s, the last two addresses. */
	v4[n++] = (struct rp_geo_range4){ 0, 0, CC("AA") };
	v4[n++] = (struct rp_geo_range4){ 1, 1, CC("AB") };
	v4[n++] = (struct rp_geo_range4){ 3, 0x1ff, CC("AC") };
	v4[n++] = (struct rp_geo_range4){ 0x0a0000ff, 0x0a000100, CC("AD") };
	v4[n++] = (struct rp_geo_range4){ 0x0a000101, 0x0a00017f, CC("AE") };
	v4[n++] = (struct rp_geo_range4){ 0x0a0001ff, 0x0a0101fe, CC("AF") };
	v4[n++] = (struct rp_geo_range4){ 0x0a0101ff, 0x0a0101ff, CC("AG") };
	v4[n++] = (struct rp_geo_range4){ 0x0afffffe, 0x0b00ffff, CC("AH") };
	v4[n++] = (struct rp_geo_range4){ 0xfffffff0, 0xfffffffd, CC("ZY") };
	v4[n++] = (struct rp_geo_range4){ 0xffffffff, 0xffffffff, CC("ZZ") };
	db.n4 = n;
	n = 0;
	r6(&v6[n++], 0, 0, CC("BA"));
	r6(&v6[n++], 2, ((u128)1 << 64) + 5, CC("BB"));
	r6(&v6[n++], p64, p64 + ((u128)1 << 64) - 1, CC("BC")); /* a /64 */
	r6(&v6[n++], p64 + ((u128)1 << 64), p64 + ((u128)1 << 64), CC("BD")); /* a /128 */
	r6(&v6[n++], p64 + ((u128)1 << 64) + 1, p64 + ((u128)3 << 64) + 7, CC("BE"));
	r6(&v6[n++], p64 + ((u128)3 << 64) + 9, p64 + ((u128)5 << 64) - 1, CC("BF"));
	r6(&v6[n++], max - 1, max - 1, CC("BG"));
	r6(&v6[n++], max, max, CC("BH"));
	db.n6 = n;
	check_exact(&dp, &db, 100000, 100000);
	/* Both IPv6 trees (struct rp_geo_meta): a range across 8000::, the last address below
	 * it and the first above it alone, and enough ranges in fc00::/7 for an upper tree of
	 * three levels. */
	n = 0;
	r6(&v6[n++], p64, p64 + 1, CC("CA"));
	r6(&v6[n++], ((u128)INT64_MAX << 64) - 3, ((u128)1 << 127) + 3, CC("CB"));
	r6(&v6[n++], ((u128)1 << 127) + 4, ((u128)1 << 127) + 4, CC("CC"));
	for (uint64_t i = 0; n < 190; i++)
		r6(&v6[n++], (u128)(0xfc00000000000000ull + (i << 20)) << 64,
		   ((u128)(0xfc00000000000000ull + (i << 20) + (i & 7)) << 64) + i, CC("DA") + i % 5);
	r6(&v6[n++], max, max, CC("CD"));
	db.n6 = n;
	check_exact(&dp, &db, 1000, 100000);
}

/* The swap: a prober runs while B replaces A; every answer is A's or B's, and once an
 * answer is B's, no later one is A's. */
struct swap_state {
	int fd;
	struct rp_geo_probe in[RP_GEO_PROBE_MAX];
	uint16_t a[RP_GEO_PROBE_MAX], b[RP_GEO_PROBE_MAX];
	unsigned int n;
	atomic_int stop;
	uint64_t runs, seen_a, seen_b, bad, back, failed;
};

static void *swap_prober(void *arg)
{
	struct swap_state *s = arg;
	struct rp_geo_probe out[RP_GEO_PROBE_MAX];
	bool in_b = false;

	while (!atomic_load(&s->stop)) {
		if (run_probe(s->fd, s->in, out, s->n)) {
			s->failed++;
			continue;
		}
		s->runs++;
		for (unsigned int i = 0; i < s->n; i++) {
			if (out[i].code == s->a[i] && !in_b) {
				s->seen_a++;
			} else if (out[i].code == s->b[i]) {
				s->seen_b++;
				in_b = true;
			} else if (out[i].code == s->a[i]) {
				s->back++;
			} else {
				s->bad++;
			}
		}
	}
	return NULL;
}

static void test_swap_is_atomic(void)
{
	struct rp_geo_db a, b;
	struct swap_state *s;
	pthread_t th;
	uint64_t rng = 7;

	LOAD();
	s = calloc(1, sizeof(*s));
	if (!CHECK(s, "out of memory"))
		return;
	CHECK_EQ(rp_geo_synth_make(&a, &RP_GEO_SYNTH_WORLD(101)), 0);
	CHECK_EQ(rp_geo_synth_make(&b, &RP_GEO_SYNTH_WORLD(202)), 0);
	/* Addresses whose answers differ, v4 and v6. */
	while (s->n < RP_GEO_PROBE_MAX) {
		struct rp_geo_probe *r = &s->in[s->n];
		uint16_t ca, cb;

		if (s->n % 2) {
			uint32_t x = (uint32_t)splitmix(&rng);

			rec4(r, x);
			ca = ref4(&a, x);
			cb = ref4(&b, x);
		} else {
			const struct rp_geo_range6 *g = &a.v6[splitmix(&rng) % a.n6];
			u128 x = first6(g);

			rec6(r, x);
			ca = ref6(&a, x);
			cb = ref6(&b, x);
		}
		if (ca != cb) {
			s->a[s->n] = ca;
			s->b[s->n++] = cb;
		}
	}
	s->fd = bpf_program__fd(dp.skel->progs.rp_geo_probe);
	CHECK_EQ(rp_geo_maps_load(dp.skel->obj, &a, NULL), 0);
	CHECK(pthread_create(&th, NULL, swap_prober, s) == 0, "pthread_create");
	usleep(200000);
	CHECK_EQ(rp_geo_maps_load(dp.skel->obj, &b, NULL), 0);
	usleep(200000);
	atomic_store(&s->stop, 1);
	pthread_join(th, NULL);
	fprintf(stderr, "    %llu runs: %llu answers A, %llu B, %llu back to A, %llu neither\n",
		(unsigned long long)s->runs, (unsigned long long)s->seen_a,
		(unsigned long long)s->seen_b, (unsigned long long)s->back,
		(unsigned long long)s->bad);
	CHECK(s->seen_a > 0 && s->seen_b > 0, "the prober did not see both datasets");
	CHECK_EQ(s->back, 0);
	CHECK_EQ(s->bad, 0);
	CHECK_EQ(s->failed, 0);
	rp_geo_synth_free(&a);
	rp_geo_synth_free(&b);
	free(s);
}

RP_TESTS(RP_T(test_edges), RP_T(test_small_synthetic), RP_T(test_world_sized_synthetic),
	 RP_T(test_builtin_dataset), RP_T(test_swap_is_atomic))
