// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Country datasets (docs/geo.md): lookups at range edges, the compact form (round trip on the
 * committed dataset, corruption refused), CSV import and its errors, MaxMind DB import
 * exactness (through a file written with libmaxmind-db-writer-perl), regions.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "geo.h"
#include "geo_region.h"

#define FR RP_GEO_CODE('F', 'R')
#define DE RP_GEO_CODE('D', 'E')
#define US RP_GEO_CODE('U', 'S')

static char tmpdir[] = "/tmp/test_geo.XXXXXX";

static const char *tmp(const char *name)
{
	static char path[4][PATH_MAX];
	static int k;

	if (tmpdir[sizeof(tmpdir) - 2] == 'X' && !mkdtemp(tmpdir))
		abort();
	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", tmpdir, name);
	return path[k];
}

static const char *write_file(const char *name, const char *text)
{
	const char *p = tmp(name);
	FILE *f = fopen(p, "w");

	fputs(text, f);
	fclose(f);
	return p;
}

/* The committed dataset: from the repository root (tests/run), else next to the binary. */
static const char *dataset(void)
{
	static char path[PATH_MAX + 64];
	char exe[PATH_MAX];
	ssize_t n;

	if (!access("data/geo/" RP_GEO_DEFAULT_FILE, R_OK))
		return "data/geo/" RP_GEO_DEFAULT_FILE;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = 0;
	*strrchr(exe, '/') = 0;
	snprintf(path, sizeof(path), "%s/../../data/geo/%s", exe, RP_GEO_DEFAULT_FILE);
	return access(path, R_OK) ? NULL : path;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Every range's first and last address and their neighbours answer the same in a and b. */
static void same_answers(const struct rp_geo_db *a, const struct rp_geo_db *b, const char *what)
{
	size_t bad = 0;

	for (int side = 0; side < 2; side++) {
		const struct rp_geo_db *d = side ? b : a;

		for (size_t i = 0; i < d->n4 && bad < 5; i++) {
			uint32_t p[4] = { d->v4[i].first, d->v4[i].last, d->v4[i].first - 1,
					  d->v4[i].last + 1 };

			for (int k = 0; k < 4; k++)
				if (rp_geo_lookup4(a, p[k]) != rp_geo_lookup4(b, p[k]))
					bad++, CHECK(0, "%s: IPv4 %08x: %s != %s", what, p[k],
						     rp_geo_cc_name(rp_geo_lookup4(a, p[k])),
						     rp_geo_cc_name(rp_geo_lookup4(b, p[k])));
		}
		for (size_t i = 0; i < d->n6 && bad < 5; i++) {
			rp_u128 f = rp_geo_u128(d->v6[i].first_hi, d->v6[i].first_lo);
			rp_u128 l = rp_geo_u128(d->v6[i].last_hi, d->v6[i].last_lo);
			rp_u128 p[4] = { f, l, f - 1, l + 1 };

			for (int k = 0; k < 4; k++)
				if (rp_geo_lookup(a, 6, p[k]) != rp_geo_lookup(b, 6, p[k]))
					bad++, CHECK(0, "%s: IPv6 range %zu probe %d differs", what, i, k);
		}
	}
}

static void test_lookup_edges(void)
{
	const char *csv = write_file("edges.csv", "0.0.0.0,0.0.0.255,US\n"
						  "10.0.0.0,10.0.0.255,FR\n"
						  "10.0.1.0,10.0.1.255,FR\n" /* merged with the line above */
						  "10.0.2.0,10.0.2.0,DE\n"
						  "255.255.255.0,255.255.255.255,DE\n"
						  "::,::ff,US\n"
						  "2001:db8::,2001:db8::ffff,FR\n"
						  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,DE\n");
	struct rp_geo_db db = {};
	char err[512];
	rp_u128 a;
	int fam;

	if (!CHECK(!rp_geo_load(&db, csv, err, sizeof(err)), "%s", err))
		return;
	CHECK_EQ(db.n4, 4);
	CHECK_EQ(db.n6, 3);
	CHECK_EQ(rp_geo_lookup4(&db, 0), US);
	CHECK_EQ(rp_geo_lookup4(&db, 0xff), US);
	CHECK_EQ(rp_geo_lookup4(&db, 0x100), RP_GEO_NONE);
	CHECK_EQ(rp_geo_lookup4(&db, 0x09ffffff), RP_GEO_NONE);
	CHECK_EQ(rp_geo_lookup4(&db, 0x0a000000), FR);
	CHECK_EQ(rp_geo_lookup4(&db, 0x0a0001ff), FR);
	CHECK_EQ(rp_geo_lookup4(&db, 0x0a000200), DE);
	CHECK_EQ(rp_geo_lookup4(&db, 0x0a000201), RP_GEO_NONE);
	CHECK_EQ(rp_geo_lookup4(&db, 0xfffffeff), RP_GEO_NONE);
	CHECK_EQ(rp_geo_lookup4(&db, 0xffffffff), DE);
	CHECK_EQ(rp_geo_lookup6(&db, 0, 0), US);
	CHECK_EQ(rp_geo_lookup6(&db, 0, 0x100), RP_GEO_NONE);
	rp_geo_addr_parse("2001:db8::ffff", &fam, &a);
	CHECK_EQ(rp_geo_lookup(&db, 6, a), FR);
	CHECK_EQ(rp_geo_lookup(&db, 6, a + 1), RP_GEO_NONE);
	CHECK_EQ(rp_geo_lookup(&db, 6, a - 0x10000), RP_GEO_NONE);
	CHECK_EQ(rp_geo_lookup(&db, 6, a - 0xffff), FR);
	CHECK_EQ(rp_geo_lookup6(&db, ~0ull, ~0ull), DE);
	CHECK_EQ(rp_geo_lookup6(&db, ~0ull, ~0ull - 0x100), RP_GEO_NONE);
	CHECK_STR(rp_geo_cc_name(FR), "FR");
	CHECK_STR(rp_geo_cc_name(RP_GEO_NONE), "--");
	/* The whole space in one range, through the compact form. */
	{
		const char *all = write_file("all.csv", "0,4294967295,FR\n::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,DE\n");
		struct rp_geo_db b = {};

		if (CHECK(!rp_geo_load(&b, all, err, sizeof(err)), "%s", err) &&
		    CHECK(!rp_geo_write_compact(&b, tmp("all.rpgeo"), err, sizeof(err)), "%s", err) &&
		    CHECK(!rp_geo_load(&b, tmp("all.rpgeo"), err, sizeof(err)), "%s", err)) {
			CHECK_EQ(b.n4, 1);
			CHECK_EQ(b.n6, 1);
			CHECK_EQ(rp_geo_lookup4(&b, 0), FR);
			CHECK_EQ(rp_geo_lookup4(&b, 0xffffffff), FR);
			CHECK_EQ(rp_geo_lookup6(&b, ~0ull, ~0ull), DE);
		}
		rp_geo_free(&b);
	}
	/* The small one too. */
	{
		struct rp_geo_db b = {};

		if (CHECK(!rp_geo_write_compact(&db, tmp("edges.rpgeo"), err, sizeof(err)), "%s", err) &&
		    CHECK(!rp_geo_load(&b, tmp("edges.rpgeo"), err, sizeof(err)), "%s", err))
			same_answers(&db, &b, "edges");
		rp_geo_free(&b);
	}
	rp_geo_free(&db);
}

/* The committed dataset: loads in well under a second; written again and read back, and
 * exported to CSV and imported, every range's edges and neighbours answer the same. */
static void test_compact_round_trip_real_dataset(void)
{
	const char *path = dataset();
	struct rp_geo_db db = {}, again = {}, csv = {};
	char err[512];
	double t0, t;
	FILE *f4, *f6;

	if (!path)
		SKIP("data/geo/%s not found (run from the repository root)", RP_GEO_DEFAULT_FILE);
	t0 = now();
	if (!CHECK(!rp_geo_load(&db, path, err, sizeof(err)), "%s", err))
		return;
	t = now() - t0;
	CHECK(t < 1.0, "loading took %.3f s", t);
	fprintf(stderr, "    %s: %zu IPv4, %zu IPv6 ranges, loaded in %.0f ms\n", path, db.n4,
		db.n6, t * 1e3);
	CHECK_STR(db.name, "geo-whois-asn-country");
	CHECK(strlen(db.date) == 10, "date '%s'", db.date);
	CHECK(db.n4 > 100000 && db.n6 > 100000, "%zu and %zu ranges", db.n4, db.n6);
	/* Well-known anchors. */
	CHECK_EQ(rp_geo_lookup4(&db, 0x01000000), RP_GEO_CODE('A', 'U')); /* 1.0.0.0 */
	CHECK_EQ(rp_geo_lookup4(&db, 0x0a000001), RP_GEO_NONE); /* 10.0.0.1 */
	CHECK_EQ(rp_geo_lookup4(&db, 0xc0000201), RP_GEO_NONE); /* 192.0.2.1 */

	if (CHECK(!rp_geo_write_compact(&db, tmp("again.rpgeo"), err, sizeof(err)), "%s", err) &&
	    CHECK(!rp_geo_load(&again, tmp("again.rpgeo"), err, sizeof(err)), "%s", err)) {
		CHECK_EQ(again.n4, db.n4);
		CHECK_EQ(again.n6, db.n6);
		CHECK_STR(again.date, db.date);
		same_answers(&db, &again, "compact round trip");
	}
	f4 = fopen(tmp("real4.csv"), "w");
	f6 = fopen(tmp("real6.csv"), "w");
	CHECK(!rp_geo_write_csv(&db, f4, f6), "write csv");
	fclose(f4);
	fclose(f6);
	if (CHECK(!rp_geo_load_csv(&csv, tmp("real4.csv"), tmp("real6.csv"), 0, err, sizeof(err)),
		  "%s", err)) {
		uint64_t probes;

		CHECK_EQ(csv.n4, db.n4);
		CHECK_EQ(csv.n6, db.n6);
		same_answers(&db, &csv, "csv round trip");
		CHECK(!rp_geo_verify_csv(&db, tmp("real4.csv"), 4, 0, &probes, err, sizeof(err)),
		      "%s", err);
		CHECK(probes > 4 * db.n4 - 10, "%" PRIu64 " probes", probes);
	}
	rp_geo_free(&db);
	rp_geo_free(&again);
	rp_geo_free(&csv);
}

struct bad_csv {
	const char *text;
	const char *says; /* a substring of the message, after "FILE" */
};

static void test_csv_errors_name_line_and_column(void)
{
	static const struct bad_csv cases[] = {
		{ "1.0.0.0,1.0.0.255,AU\n1.0.1.0,1.0.0.255,CN\n", ":2:9: range reversed" },
		{ "1.0.0.0,1.0.0.255,AU\n1.0.1.0,1.0.1.255,CN\n1.0.0.128,1.0.0.128,FR\n",
		  ":3: range 1.0.0.128-1.0.0.128 (FR) overlaps line 1 (1.0.0.0-1.0.0.255, AU)" },
		{ "1.0.0.0,1.0.0.255,AU\n1.0.0.255,1.0.1.0,CN\n", ":2: range 1.0.0.255-1.0.1.0 (CN) overlaps line 1" },
		{ "1.0.0.0,1.0.0.256,AU\n", ":1:9: '1.0.0.256' is not an address" },
		{ "1.0.0.0,1.0.0.255\n", ":1:1: expected 3 fields" },
		{ "1.0.0.0,1.0.0.255,AU,x\n", ":1:22: expected 3 fields" },
		{ "1.0.0.0,1.0.0.255,FRA\n", ":1:19: 'FRA' is not a country code" },
		{ "1.0.0.0,::1,FR\n", ":1:9: '::1' is not of the same form" },
		{ "2001:db8::,2001:db8::ff,FR\n2001:db8::80,2001:db8::80,DE\n", ":2: range 2001:db8::80" },
	};
	char err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rp_geo_db db = {};
		const char *p = write_file("bad.csv", cases[i].text);
		int rc = rp_geo_load(&db, p, err, sizeof(err));

		CHECK(rc == -EINVAL, "case %zu accepted", i);
		CHECK(!strncmp(err, p, strlen(p)) && strstr(err + strlen(p), cases[i].says) == err + strlen(p),
		      "case %zu: '%s' does not say '%s'", i, err, cases[i].says);
		CHECK(!db.v4 && !db.n4 && !db.v6, "case %zu: half-loaded", i);
		rp_geo_free(&db);
	}
	/* An integer beyond 32 bits in an IPv4 file. */
	{
		struct rp_geo_db db = {};
		const char *p = write_file("big.csv", "16777216,16777471,AU\n16777472,4294967296,FR\n");

		CHECK(rp_geo_load_csv_file(&db, p, 4, 0, err, sizeof(err)) == -EINVAL, "accepted");
		CHECK(strstr(err, ":2:10: 4294967296 does not fit an IPv4 address"), "%s", err);
		/* Undecided, the same file is IPv6 (a number over 32 bits). */
		CHECK(!rp_geo_load(&db, p, err, sizeof(err)), "%s", err);
		CHECK_EQ(db.n6, 2);
		rp_geo_free(&db);
	}
}

static void test_csv_forms_and_overlap_resolution(void)
{
	const char *dotted = write_file("d.csv", "ip_range_start,ip_range_end,country_code\n"
						 "# comment\n\n"
						 "1.0.0.0, 1.0.0.255 ,au\r\n"
						 "\"1.0.1.0\",\"1.0.3.255\",\"CN\"\n"
						 "1.0.4.0,1.0.4.255,??\n");
	const char *num = write_file("n.csv", "16777216,16777471,AU\n16777472,16778239,CN\n16778240,16778495,ZZ\n");
	const char *v6num = write_file("n6.csv", "42540528726795050063891204319802818560,42540528806023212578155541913346768895,JP\n");
	/* An exception written after the range it punches into, and a later wider line. */
	const char *ov = write_file("ov.csv", "2.58.196.0,2.58.197.255,DE\n"
					      "2.58.197.15,2.58.197.15,BE\n"
					      "2.58.197.16,2.58.197.255,DE\n"
					      "2.58.200.0,2.58.200.255,US\n"
					      "2.58.200.0,2.58.201.255,FR\n");
	struct rp_geo_db a = {}, b = {}, c = {};
	char err[512];
	uint64_t probes;

	CHECK(!rp_geo_load(&a, dotted, err, sizeof(err)), "%s", err);
	CHECK(!rp_geo_load(&b, num, err, sizeof(err)), "%s", err);
	CHECK_EQ(a.n4, 3);
	same_answers(&a, &b, "dotted vs integer");
	CHECK_EQ(rp_geo_lookup4(&a, 0x01000400), RP_GEO_CODE('Z', 'Z')); /* "??" */
	CHECK(!rp_geo_load_csv(&c, NULL, v6num, 0, err, sizeof(err)), "%s", err);
	CHECK_EQ(c.n6, 1);
	CHECK_EQ(rp_geo_lookup6(&c, 0x2001020000000000ull, 0), RP_GEO_CODE('J', 'P'));
	rp_geo_free(&c);
	/* Overlaps: refused by default, resolved on demand (the last line wins). */
	CHECK(rp_geo_load_csv_file(&c, ov, 0, 0, err, sizeof(err)) == -EINVAL, "accepted");
	CHECK(strstr(err, ":2: range 2.58.197.15-2.58.197.15 (BE) overlaps line 1"), "%s", err);
	if (CHECK(!rp_geo_load_csv_file(&c, ov, 0, RP_GEO_OVERLAP_LATER, err, sizeof(err)), "%s",
		  err)) {
		CHECK_EQ(rp_geo_lookup4(&c, 0x023ac50e), DE);
		CHECK_EQ(rp_geo_lookup4(&c, 0x023ac50f), RP_GEO_CODE('B', 'E'));
		CHECK_EQ(rp_geo_lookup4(&c, 0x023ac510), DE);
		CHECK_EQ(rp_geo_lookup4(&c, 0x023ac800), FR);
		CHECK_EQ(rp_geo_lookup4(&c, 0x023ac9ff), FR);
		CHECK_EQ(c.n4, 4); /* DE, BE, DE, FR */
		CHECK(!rp_geo_verify_csv(&c, ov, 0, RP_GEO_OVERLAP_LATER, &probes, err, sizeof(err)),
		      "%s", err);
		CHECK_EQ(probes, 20);
		/* And a dataset that disagrees is caught, with the line. */
		c.v4[1].cc = FR;
		CHECK(rp_geo_verify_csv(&c, ov, 0, RP_GEO_OVERLAP_LATER, &probes, err, sizeof(err)) ==
			      -EINVAL,
		      "mismatch not caught");
		CHECK(strstr(err, ":2: 2.58.197.15: the dataset says FR, the CSV says BE"), "%s", err);
	}
	/* Inputs merged must not overlap each other. */
	CHECK(rp_geo_merge(&a, &b, "n.csv", err, sizeof(err)) == -EINVAL, "merge accepted");
	CHECK(strstr(err, "n.csv: range 1.0.0.0-1.0.0.255 (AU) overlaps an earlier input"), "%s",
	      err);
	rp_geo_free(&a);
	rp_geo_free(&b);
	rp_geo_free(&c);
}

static void corrupt(const char *src, const char *dst, long off, int byte, long truncate)
{
	FILE *f = fopen(src, "rb"), *g = fopen(dst, "wb");
	int ch;
	long i = 0;

	while ((ch = fgetc(f)) != EOF && (truncate < 0 || i < truncate)) {
		fputc(i == off ? ch ^ byte : ch, g);
		i++;
	}
	fclose(f);
	fclose(g);
}

static void test_corrupt_compact_refused(void)
{
	static const struct {
		long off;
		int byte;
		long truncate;
		const char *says;
	} cases[] = {
		{ 0, 0x20, -1, "bad magic" },
		{ -1, 0, 100, "truncated: 100 bytes" },
		{ -1, 0, 1000, "truncated" },
		{ 20, 0x01, -1, "header checksum mismatch" },
		{ 500, 0x40, -1, "data checksum mismatch" },
	};
	const char *csv = write_file("c.csv", "1.0.0.0,1.0.0.255,AU\n1.0.4.0,1.0.7.255,FR\n"
					      "2001:db8::,2001:db8::ffff,DE\n");
	struct rp_geo_db db = {}, keep = {};
	char err[512];
	const char *path = dataset();

	if (!path) {
		CHECK(!rp_geo_load(&db, csv, err, sizeof(err)), "%s", err);
		CHECK(!rp_geo_write_compact(&db, tmp("c.rpgeo"), err, sizeof(err)), "%s", err);
		path = tmp("c.rpgeo");
		rp_geo_free(&db);
	}
	CHECK(!rp_geo_load(&keep, csv, err, sizeof(err)), "%s", err);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *bad = tmp("bad.rpgeo");
		int rc;

		corrupt(path, bad, cases[i].off, cases[i].byte, cases[i].truncate);
		db = keep;
		rc = rp_geo_load_compact(&db, bad, err, sizeof(err));
		CHECK(rc == -EINVAL, "case %zu accepted", i);
		CHECK(strstr(err, bad) == err && strstr(err, cases[i].says), "case %zu: '%s'", i, err);
		/* The db given in is untouched. */
		CHECK(db.v4 == keep.v4 && db.n4 == keep.n4, "case %zu: db changed", i);
	}
	/* Trailing bytes. */
	{
		FILE *f = fopen(tmp("bad.rpgeo"), "wb"), *g = fopen(path, "rb");
		int ch;

		while ((ch = fgetc(g)) != EOF)
			fputc(ch, f);
		fputc(0, f);
		fclose(f);
		fclose(g);
		CHECK(rp_geo_load(&db, tmp("bad.rpgeo"), err, sizeof(err)) == -EINVAL, "accepted");
		CHECK(strstr(err, "trailing bytes"), "%s", err);
	}
	rp_geo_free(&keep);
}

/* ------------------------------------------------------------------------------------ */
/* MaxMind DB */

static bool perl_writer(void)
{
	return !system("perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null");
}

static const char *perl_script(void)
{
	static char path[PATH_MAX + 64];
	char exe[PATH_MAX];
	ssize_t n;

	if (!access("tests/unit/geo_mmdb_write.pl", R_OK))
		return "tests/unit/geo_mmdb_write.pl";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = 0;
	*strrchr(exe, '/') = 0;
	snprintf(path, sizeof(path), "%s/../../tests/unit/geo_mmdb_write.pl", exe);
	return access(path, R_OK) ? NULL : path;
}

/* A few thousand ranges of the real dataset (every 100th, both families), written as an
 * .mmdb by MaxMind's own Perl writer, read back through libmaxminddb: the same answers at
 * every range's edges and their neighbours. */
static void test_mmdb_import_exact(void)
{
	const char *path = dataset(), *script = perl_script();
	struct rp_geo_db db = {}, sub = {}, mm = {};
	char err[512], cmd[3 * PATH_MAX];
	FILE *f;

	if (!perl_writer())
		SKIP("libmaxmind-db-writer-perl is not installed (scripts/setup)");
	if (!path || !script)
		SKIP("data/geo or tests/unit/geo_mmdb_write.pl not found");
	if (!CHECK(!rp_geo_load(&db, path, err, sizeof(err)), "%s", err))
		return;
	f = fopen(tmp("sub.csv"), "w");
	for (size_t i = 0; i < db.n4; i += 100) {
		struct rp_geo_db one = { .v4 = &db.v4[i], .n4 = 1 };

		rp_geo_write_csv(&one, f, NULL);
	}
	for (size_t i = 0; i < db.n6; i += 100) {
		struct rp_geo_db one = { .v6 = &db.v6[i], .n6 = 1 };

		rp_geo_write_csv(&one, NULL, f);
	}
	fclose(f);
	if (!CHECK(!rp_geo_load(&sub, tmp("sub.csv"), err, sizeof(err)), "%s", err))
		goto out;
	snprintf(cmd, sizeof(cmd), "perl %s %s %s", script, tmp("sub.csv"), tmp("sub.mmdb"));
	if (!CHECK(!system(cmd), "%s failed", cmd))
		goto out;
	if (!CHECK(!rp_geo_load(&mm, tmp("sub.mmdb"), err, sizeof(err)), "%s", err))
		goto out;
	fprintf(stderr, "    mmdb: %zu IPv4, %zu IPv6 ranges\n", mm.n4, mm.n6);
	CHECK_EQ(mm.n4, sub.n4);
	CHECK_EQ(mm.n6, sub.n6);
	CHECK_STR(mm.name, "rempart-test-Country");
	same_answers(&sub, &mm, "mmdb import");
	/* Corrupt: truncated (no metadata), and a search tree overwritten. */
	corrupt(tmp("sub.mmdb"), tmp("cut.mmdb"), -1, 0, 4096);
	CHECK(rp_geo_load_mmdb(&mm, tmp("cut.mmdb"), err, sizeof(err)) == -EINVAL, "cut accepted");
	CHECK(strstr(err, "cut.mmdb: not a valid MaxMind DB"), "%s", err);
	{
		FILE *g = fopen(tmp("sub.mmdb"), "r+b");
		unsigned char ff[64];

		memset(ff, 0xff, sizeof(ff));
		fseek(g, 0, SEEK_SET);
		fwrite(ff, 1, sizeof(ff), g);
		fclose(g);
		CHECK(rp_geo_load(&mm, tmp("sub.mmdb"), err, sizeof(err)) == -EINVAL,
		      "corrupt tree accepted");
		CHECK(strstr(err, "sub.mmdb: corrupt search tree"), "%s", err);
		CHECK(mm.n4 == sub.n4, "the db given in changed");
	}
out:
	rp_geo_free(&db);
	rp_geo_free(&sub);
	rp_geo_free(&mm);
}

/* ------------------------------------------------------------------------------------ */
/* Regions */

static unsigned int count(const __u64 *set)
{
	unsigned int n = 0;

	for (unsigned int cc = 0; cc < RP_GEO_NCODES; cc++)
		n += rp_geo_set_has(set, cc);
	return n;
}

static int set_of(const struct rp_geo_regions *rs, const char *name, __u64 *set)
{
	struct rp_geo_name n = {};
	char err[256];

	memset(set, 0, RP_GEO_SET_WORDS * sizeof(__u64));
	snprintf(n.name, sizeof(n.name), "%s", name);
	return rp_geo_name_set(rs, &n, set, "t", err, sizeof(err));
}

static void test_builtin_regions(void)
{
	__u64 s[RP_GEO_SET_WORDS];
	unsigned int iso = 0;

	for (unsigned int cc = 1; cc < RP_GEO_NCODES; cc++)
		iso += rp_geo_cc_is_country(cc);
	CHECK_EQ(iso, 249 + 2); /* ISO 3166-1, XK, AN */
	CHECK_EQ(set_of(NULL, "eu", s), 0);
	CHECK_EQ(count(s), 27);
	CHECK(rp_geo_set_has(s, FR) && !rp_geo_set_has(s, RP_GEO_CODE('G', 'B')), "eu");
	CHECK_EQ(set_of(NULL, "eea", s), 0);
	CHECK_EQ(count(s), 30);
	CHECK(rp_geo_set_has(s, RP_GEO_CODE('N', 'O')), "eea has NO");
	CHECK_EQ(set_of(NULL, "schengen", s), 0);
	CHECK_EQ(count(s), 29);
	CHECK(rp_geo_set_has(s, RP_GEO_CODE('C', 'H')) && !rp_geo_set_has(s, RP_GEO_CODE('I', 'E')),
	      "schengen");
	CHECK_EQ(set_of(NULL, "europe", s), 0);
	CHECK_EQ(count(s), 53);
	CHECK(rp_geo_set_has(s, RP_GEO_CODE('G', 'B')) && rp_geo_set_has(s, RP_GEO_CODE('U', 'A')) &&
		      rp_geo_set_has(s, RP_GEO_CODE('M', 'D')) && rp_geo_set_has(s, RP_GEO_CODE('R', 'S')) &&
		      !rp_geo_set_has(s, RP_GEO_CODE('T', 'R')),
	      "europe");
	CHECK_EQ(set_of(NULL, "unknown", s), 0);
	CHECK(rp_geo_set_has(s, RP_GEO_NONE) && rp_geo_set_has(s, RP_GEO_CODE('E', 'U')) &&
		      rp_geo_set_has(s, RP_GEO_CODE('A', 'P')) && rp_geo_set_has(s, RP_GEO_CODE('Z', 'Z')) &&
		      rp_geo_set_has(s, RP_GEO_CODE('X', 'A')) && !rp_geo_set_has(s, FR) &&
		      !rp_geo_set_has(s, RP_GEO_CODE('X', 'K')),
	      "unknown");
	CHECK_EQ(count(s), RP_GEO_NCODES - 251);
	/* Every built-in member is a country; eu within eea within europe. */
	{
		__u64 eu[RP_GEO_SET_WORDS], eea[RP_GEO_SET_WORDS], eur[RP_GEO_SET_WORDS];

		set_of(NULL, "eu", eu);
		set_of(NULL, "eea", eea);
		set_of(NULL, "europe", eur);
		for (unsigned int cc = 0; cc < RP_GEO_NCODES; cc++) {
			if (rp_geo_set_has(eur, cc))
				CHECK(rp_geo_cc_is_country(cc), "%s", rp_geo_cc_name(cc));
			if (rp_geo_set_has(eu, cc))
				CHECK(rp_geo_set_has(eea, cc) && rp_geo_set_has(eur, cc), "%s",
				      rp_geo_cc_name(cc));
		}
	}
	CHECK_EQ(set_of(NULL, "UK", s), -ENOENT);
	CHECK_EQ(set_of(NULL, "fr", s), -ENOENT);
	CHECK_EQ(set_of(NULL, "atlantis", s), -ENOENT);
	CHECK_EQ(set_of(NULL, "ZZ", s), 0);
}

static int parse(const char *yaml, struct rp_config *cfg, char *err, size_t len)
{
	rp_config_defaults(cfg);
	return rp_config_parse("t.yaml", (const unsigned char *)yaml, strlen(yaml), cfg, err, len);
}

static void test_config_regions_nest(void)
{
	struct rp_config c;
	char err[512] = "";
	__u64 s[RP_GEO_SET_WORDS];
	const char *y = "geo:\n"
			"  regions:\n"
			"    maghreb: [MA, DZ, TN]\n"
			"    europe_plus: [europe, maghreb, TR]\n"
			"    partners: [europe_plus, US]\n";

	if (!CHECK(!parse(y, &c, err, sizeof(err)), "%s", err))
		return;
	CHECK_EQ(c.geo.regions.n, 3);
	CHECK_EQ(set_of(&c.geo.regions, "partners", s), 0);
	CHECK_EQ(count(s), 53 + 3 + 1 + 1);
	CHECK(rp_geo_set_has(s, RP_GEO_CODE('D', 'Z')) && rp_geo_set_has(s, US), "nested");
	{
		const char *names[16];
		unsigned int n = rp_geo_regions_of(&c.geo.regions, RP_GEO_CODE('T', 'N'), names, 16);

		CHECK_EQ(n, 3);
		CHECK_STR(names[0], "maghreb");
	}
	rp_config_free(&c);
}

static void test_config_region_errors(void)
{
	static const struct {
		const char *yaml, *says;
	} cases[] = {
		{ "geo:\n  regions:\n    a: [FR, b]\n    b: [c]\n    c: [a]\n",
		  "t.yaml:5:9: regions include each other: a -> b -> c -> a" },
		{ "geo:\n  regions:\n    a: [a]\n", "t.yaml:3:9: regions include each other: a -> a" },
		{ "geo:\n  regions:\n    a: [FR, atlantis]\n", "t.yaml:3:13: unknown region 'atlantis'" },
		{ "geo:\n  regions:\n    a: [FR, UK]\n", "t.yaml:3:13: 'UK' is not an ISO 3166-1 country code (the United Kingdom is GB)" },
		{ "geo:\n  regions:\n    a: [de]\n", "t.yaml:3:9: unknown region 'de' (country codes are upper case: DE)" },
		{ "geo:\n  regions:\n    eu: [FR]\n", "t.yaml:3:5: region 'eu' is built in" },
		{ "geo:\n  regions:\n    Big: [FR]\n", "t.yaml:3:5: region name 'Big'" },
		{ "geo:\n  regions:\n    a: [FR]\n    a: [DE]\n", "t.yaml:4:5: region 'a' is defined twice" },
		{ "geo:\n  regions:\n    a: FR\n", "t.yaml:3:8: expected a list" },
		{ "geo:\n  dataset: \"\"\n", "t.yaml:2:12: geo.dataset" },
		{ "geo:\n  datset: x\n", "t.yaml:2:3: unknown key 'datset'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rp_config c;
		char err[512] = "";

		CHECK(parse(cases[i].yaml, &c, err, sizeof(err)) == -EINVAL, "case %zu accepted", i);
		CHECK(!strncmp(err, cases[i].says, strlen(cases[i].says)),
		      "case %zu: '%s' does not start with '%s'", i, err, cases[i].says);
		CHECK_EQ(c.geo.regions.n, 0);
		rp_config_free(&c);
	}
}

RP_TESTS(RP_T(test_lookup_edges), RP_T(test_compact_round_trip_real_dataset),
	 RP_T(test_csv_errors_name_line_and_column), RP_T(test_csv_forms_and_overlap_resolution),
	 RP_T(test_corrupt_compact_refused), RP_T(test_mmdb_import_exact),
	 RP_T(test_builtin_regions), RP_T(test_config_regions_nest),
	 RP_T(test_config_region_errors))
