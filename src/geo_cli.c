// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rempart geo: lookup, info, build, diff, verify (docs/geo.md). A dataset is the built-in one
 * unless -d names a file or the configuration (-c) sets geo.dataset.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "geo.h"
#include "geo_region.h"
#include "log.h"
#include "report.h"

static void geo_usage(FILE *f)
{
	fprintf(f,
		"usage: rempart geo COMMAND [ARGS]\n\n"
		"Country datasets and regions (docs/geo.md).\n\n"
		"commands:\n"
		"  lookup [-d DATASET] [-c CONFIG] [--json] ADDR...  country and regions of addresses\n"
		"  info [-d DATASET] [--json]                        the dataset's name, date and sizes\n"
		"  build -o OUT [--name N] [--date YYYY-MM-DD] [--overlaps error|later]\n"
		"        [--ipv4 CSV] [--ipv6 CSV] [INPUT...]\n"
		"                                                    any dataset(s) to the compact form\n"
		"  diff [-c CONFIG] A B                              what changes from dataset A to B\n"
		"  verify DATASET [--overlaps error|later] [--ipv4 CSV] [--ipv6 CSV] [CSV...]\n"
		"                                                    check a dataset against CSV files\n\n"
		"'rempart geo COMMAND --help' describes one command.\n"
		"Exit codes: 0 success, 1 runtime failure (a dataset fails to load or to verify),\n"
		"2 usage or configuration error.\n");
}

/* Options shared by the subcommands. */
struct geo_opts {
	const char *dataset, *config, *out, *name, *date, *v4, *v6;
	bool json;
	unsigned int flags;
};

static int parse_opts(int argc, char **argv, struct geo_opts *o, const char *allowed,
		      void (*usage)(FILE *))
{
	static const struct option longopts[] = { { "dataset", required_argument, NULL, 'd' },
						  { "config", required_argument, NULL, 'c' },
						  { "output", required_argument, NULL, 'o' },
						  { "name", required_argument, NULL, 'n' },
						  { "date", required_argument, NULL, 'D' },
						  { "ipv4", required_argument, NULL, '4' },
						  { "ipv6", required_argument, NULL, '6' },
						  { "json", no_argument, NULL, 'j' },
						  { "overlaps", required_argument, NULL, 'O' },
						  { "help", no_argument, NULL, 'h' },
						  {} };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:c:o:h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		if (c == '?' || !strchr(allowed, c)) {
			if (c != '?')
				rp_err("option not accepted here");
			usage(stderr);
			return -1;
		}
		switch (c) {
		case 'd': o->dataset = optarg; break;
		case 'c': o->config = optarg; break;
		case 'o': o->out = optarg; break;
		case 'n': o->name = optarg; break;
		case 'D': o->date = optarg; break;
		case '4': o->v4 = optarg; break;
		case '6': o->v6 = optarg; break;
		case 'j': o->json = true; break;
		case 'O':
			if (strcmp(optarg, "later") && strcmp(optarg, "error")) {
				rp_err("--overlaps '%s': expected 'error' or 'later'", optarg);
				return -1;
			}
			o->flags = strcmp(optarg, "later") ? 0 : RP_GEO_OVERLAP_LATER;
			break;
		}
	}
	return 0;
}

/* The configuration (-c) if any; its regions and dataset. Exit code or 0. */
static int load_config(const struct geo_opts *o, struct rp_config *cfg)
{
	char err[512];

	rp_config_defaults(cfg);
	if (o->config && rp_config_load(o->config, cfg, err, sizeof(err))) {
		rp_err("%s", err);
		return RP_EXIT_USAGE;
	}
	return 0;
}

static const char *dataset_path(const struct geo_opts *o, const struct rp_config *cfg)
{
	if (o->dataset)
		return o->dataset;
	if (cfg->geo.dataset)
		return cfg->geo.dataset;
	return rp_geo_default_path();
}

static int load_db(const char *path, struct rp_geo_db *db)
{
	char err[512];

	if (rp_geo_load(db, path, err, sizeof(err))) {
		rp_err("%s", err);
		return RP_EXIT_FAIL;
	}
	return 0;
}

/* A 128-bit count in decimal. */
static const char *u128_str(rp_u128 v, char *buf, size_t len)
{
	char tmp[48];
	int n = 0;

	do {
		tmp[n++] = '0' + (int)(v % 10);
		v /= 10;
	} while (v);
	if ((size_t)n >= len)
		n = len - 1;
	for (int i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = 0;
	return buf;
}

/* ------------------------------------------------------------------------------------ */

static void lookup_usage(FILE *f)
{
	fprintf(f, "usage: rempart geo lookup [-d DATASET] [-c CONFIG] [--json] ADDR...\n\n"
		   "Print the country of each address (-- when not in the dataset) and the regions\n"
		   "it belongs to: the built-in ones and those of CONFIG's geo.regions.\n"
		   "Exit: 0, 1 if the dataset does not load, 2 on a bad address or configuration.\n");
}

static int geo_lookup(int argc, char **argv)
{
	struct geo_opts o = {};
	struct rp_config cfg;
	struct rp_geo_db db = {};
	int ret = parse_opts(argc, argv, &o, "dcj", lookup_usage);

	if (ret)
		return ret > 0 ? RP_EXIT_OK : RP_EXIT_USAGE;
	if (optind >= argc) {
		lookup_usage(stderr);
		return RP_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		int fam;
		rp_u128 a;

		if (rp_geo_addr_parse(argv[i], &fam, &a)) {
			rp_err("'%s' is not an IPv4 or IPv6 address", argv[i]);
			return RP_EXIT_USAGE;
		}
	}
	ret = load_config(&o, &cfg);
	if (ret)
		return ret;
	ret = load_db(dataset_path(&o, &cfg), &db);
	if (ret)
		goto out;
	if (o.json) {
		printf("{\"dataset\": ");
		rp_json_string(stdout, db.name);
		printf(", \"date\": ");
		rp_json_string(stdout, db.date);
		printf(", \"results\": [");
	}
	for (int i = optind; i < argc; i++) {
		const char *names[64];
		unsigned int n;
		int fam;
		rp_u128 a;
		uint16_t cc;

		rp_geo_addr_parse(argv[i], &fam, &a);
		cc = rp_geo_lookup(&db, fam, a);
		n = rp_geo_regions_of(&cfg.geo.regions, cc, names, 64);
		if (o.json) {
			printf("%s{\"address\": ", i > optind ? ", " : "");
			rp_json_string(stdout, argv[i]);
			printf(", \"country\": ");
			if (cc)
				rp_json_string(stdout, rp_geo_cc_name(cc));
			else
				printf("null");
			printf(", \"regions\": [");
			for (unsigned int k = 0; k < n; k++) {
				printf("%s", k ? ", " : "");
				rp_json_string(stdout, names[k]);
			}
			printf("]}");
		} else {
			printf("%-39s %s", argv[i], rp_geo_cc_name(cc));
			for (unsigned int k = 0; k < n; k++)
				printf("%s%s", k ? " " : "  ", names[k]);
			printf("\n");
		}
	}
	if (o.json)
		printf("]}\n");
out:
	rp_geo_free(&db);
	rp_config_free(&cfg);
	return ret;
}

/* ------------------------------------------------------------------------------------ */

static void info_usage(FILE *f)
{
	fprintf(f, "usage: rempart geo info [-d DATASET] [-c CONFIG] [--json]\n\n"
		   "Print the dataset's name, date, file and sizes: ranges, addresses and\n"
		   "countries per family. Exit: 0, 1 if the dataset does not load.\n");
}

static int geo_info(int argc, char **argv)
{
	struct geo_opts o = {};
	struct rp_config cfg;
	struct rp_geo_db db = {};
	bool seen[RP_GEO_NCODES] = {};
	unsigned int ncc = 0;
	uint64_t a4 = 0;
	rp_u128 a6 = 0;
	struct stat st = {};
	struct timespec t0, t1;
	const char *path;
	char b1[48];
	double ms;
	int ret = parse_opts(argc, argv, &o, "dcj", info_usage);

	if (ret)
		return ret > 0 ? RP_EXIT_OK : RP_EXIT_USAGE;
	if (optind != argc) {
		info_usage(stderr);
		return RP_EXIT_USAGE;
	}
	ret = load_config(&o, &cfg);
	if (ret)
		return ret;
	path = dataset_path(&o, &cfg);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = load_db(path, &db);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ret)
		goto out;
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	stat(path, &st);
	for (size_t i = 0; i < db.n4; i++) {
		a4 += (uint64_t)db.v4[i].last - db.v4[i].first + 1;
		ncc += !seen[db.v4[i].cc];
		seen[db.v4[i].cc] = true;
	}
	for (size_t i = 0; i < db.n6; i++) {
		a6 += rp_geo_u128(db.v6[i].last_hi, db.v6[i].last_lo) -
		      rp_geo_u128(db.v6[i].first_hi, db.v6[i].first_lo) + 1;
		ncc += !seen[db.v6[i].cc];
		seen[db.v6[i].cc] = true;
	}
	if (o.json) {
		printf("{\"dataset\": ");
		rp_json_string(stdout, db.name);
		printf(", \"date\": ");
		rp_json_string(stdout, db.date);
		printf(", \"file\": ");
		rp_json_string(stdout, path);
		printf(", \"file_bytes\": %lld, \"load_ms\": %.1f, \"ipv4_ranges\": %zu, "
		       "\"ipv4_addresses\": %" PRIu64 ", \"ipv6_ranges\": %zu, "
		       "\"ipv6_addresses\": \"%s\", \"countries\": %u}\n",
		       (long long)st.st_size, ms, db.n4, a4, db.n6, u128_str(a6, b1, sizeof(b1)),
		       ncc);
	} else {
		printf("dataset    %s\n", db.name);
		printf("date       %s\n", db.date[0] ? db.date : "(none)");
		printf("file       %s (%lld bytes, loaded in %.0f ms)\n", path,
		       (long long)st.st_size, ms);
		printf("ipv4       %zu ranges, %" PRIu64 " addresses (%.1f%% of the space)\n", db.n4,
		       a4, a4 * 100.0 / 4294967296.0);
		printf("ipv6       %zu ranges, %s /64s\n", db.n6, u128_str(a6 >> 64, b1, sizeof(b1)));
		printf("countries  %u (codes, pseudo-codes included)\n", ncc);
		printf("memory     %zu bytes as ranges\n",
		       db.n4 * sizeof(*db.v4) + db.n6 * sizeof(*db.v6));
	}
out:
	rp_geo_free(&db);
	rp_config_free(&cfg);
	return ret;
}

/* ------------------------------------------------------------------------------------ */

static void build_usage(FILE *f)
{
	fprintf(f,
		"usage: rempart geo build -o OUT [--name NAME] [--date YYYY-MM-DD]\n"
		"                         [--overlaps error|later] [--ipv4 CSV] [--ipv6 CSV]\n"
		"                         [INPUT...]\n\n"
		"Read datasets (compact, .mmdb or CSV, sniffed) and write their union in the\n"
		"compact form. --ipv4 and --ipv6 name CSV files whose integer addresses are of\n"
		"that family (ip-location-db's -num files); other CSVs decide by themselves.\n"
		"Overlapping CSV ranges are an error unless --overlaps later: then the last\n"
		"line holding an address wins (lines written over each other in file order);\n"
		"with it, every input is read as CSV. Inputs must not overlap each other. NAME and DATE\n"
		"default to the first input's.\n"
		"Exit: 0, 1 if an input is refused (its error names file, line and column).\n");
}

static int geo_build(int argc, char **argv)
{
	struct geo_opts o = {};
	struct rp_geo_db db = {}, in = {};
	char err[512];
	bool first = true;
	int ret = parse_opts(argc, argv, &o, "o46nDO", build_usage);

	if (ret)
		return ret > 0 ? RP_EXIT_OK : RP_EXIT_USAGE;
	if (!o.out || (optind == argc && !o.v4 && !o.v6)) {
		build_usage(stderr);
		return RP_EXIT_USAGE;
	}
	if (o.date && (strlen(o.date) != 10 || o.date[4] != '-' || o.date[7] != '-')) {
		rp_err("--date '%s': expected YYYY-MM-DD", o.date);
		return RP_EXIT_USAGE;
	}
	for (int i = -2; i < argc - optind; i++) {
		const char *p = i == -2 ? o.v4 : i == -1 ? o.v6 : argv[optind + i];

		if (!p)
			continue;
		if (i < 0)
			ret = rp_geo_load_csv_file(&in, p, i == -2 ? 4 : 6, o.flags, err,
						   sizeof(err));
		else if (o.flags)
			ret = rp_geo_load_csv_file(&in, p, 0, o.flags, err, sizeof(err));
		else
			ret = rp_geo_load(&in, p, err, sizeof(err));
		if (!ret && first) {
			db = in;
			memset(&in, 0, sizeof(in));
			first = false;
		} else if (!ret) {
			ret = rp_geo_merge(&db, &in, p, err, sizeof(err));
		}
		if (ret) {
			rp_err("%s", err);
			ret = RP_EXIT_FAIL;
			goto out;
		}
	}
	if (o.name)
		snprintf(db.name, sizeof(db.name), "%s", o.name);
	if (o.date)
		snprintf(db.date, sizeof(db.date), "%s", o.date);
	if (rp_geo_write_compact(&db, o.out, err, sizeof(err))) {
		rp_err("%s", err);
		ret = RP_EXIT_FAIL;
		goto out;
	}
	printf("%s: %s %s, %zu IPv4 and %zu IPv6 ranges\n", o.out, db.name, db.date, db.n4,
	       db.n6);
out:
	rp_geo_free(&in);
	rp_geo_free(&db);
	return ret;
}

/* ------------------------------------------------------------------------------------ */

static void diff_usage(FILE *f)
{
	fprintf(f,
		"usage: rempart geo diff [-c CONFIG] [--json] A B\n\n"
		"Count the addresses whose country differs between datasets A and B, and for\n"
		"each region (built-in, and CONFIG's geo.regions) those that enter or leave it.\n"
		"IPv4 counts addresses; IPv6 counts addresses as 128-bit numbers and prints them\n"
		"also in /64s (addresses / 2^64, rounded down). Exit: 0, 1 if a dataset does not\n"
		"load.\n");
}

/* A family's space as segments (start, country), gaps included. */
struct dseg {
	rp_u128 start;
	uint16_t cc;
};

static struct dseg *dsegs(const struct rp_geo_db *db, int fam, size_t *n)
{
	size_t nr = fam == 4 ? db->n4 : db->n6, k = 0;
	struct dseg *s = malloc((2 * nr + 1) * sizeof(*s));
	rp_u128 max = fam == 4 ? 0xffffffffu : ~(rp_u128)0, next = 0;
	bool full = false;

	if (!s)
		return NULL;
	for (size_t i = 0; i < nr; i++) {
		rp_u128 first = fam == 4 ? db->v4[i].first :
					   rp_geo_u128(db->v6[i].first_hi, db->v6[i].first_lo);
		rp_u128 last = fam == 4 ? db->v4[i].last :
					  rp_geo_u128(db->v6[i].last_hi, db->v6[i].last_lo);

		if (first > next)
			s[k++] = (struct dseg){ next, RP_GEO_NONE };
		s[k++] = (struct dseg){ first, fam == 4 ? db->v4[i].cc : db->v6[i].cc };
		if (last == max) {
			full = true;
			break;
		}
		next = last + 1;
	}
	if (!full)
		s[k++] = (struct dseg){ next, RP_GEO_NONE };
	*n = k;
	return s;
}

#define DIFF_MAX_REGIONS 64

struct diff_count {
	rp_u128 changed;
	unsigned int nreg;
	const char *reg[DIFF_MAX_REGIONS];
	const __u64 *set[DIFF_MAX_REGIONS];
	rp_u128 cross[DIFF_MAX_REGIONS];
};

static int diff_family(const struct rp_geo_db *a, const struct rp_geo_db *b, int fam,
		       struct diff_count *d)
{
	size_t na, nb, i = 0, j = 0;
	struct dseg *sa = dsegs(a, fam, &na), *sb = dsegs(b, fam, &nb);
	rp_u128 max = fam == 4 ? 0xffffffffu : ~(rp_u128)0, cur = 0;

	if (!sa || !sb) {
		free(sa);
		free(sb);
		return -1;
	}
	for (;;) {
		rp_u128 end_a = i + 1 < na ? sa[i + 1].start - 1 : max;
		rp_u128 end_b = j + 1 < nb ? sb[j + 1].start - 1 : max;
		rp_u128 end = end_a < end_b ? end_a : end_b, len = end - cur + 1;

		/* len is 0 only for the whole IPv6 space, which saturates. */
		if (!len)
			len = ~(rp_u128)0;
		if (sa[i].cc != sb[j].cc) {
			d->changed += len;
			for (unsigned int r = 0; r < d->nreg; r++)
				if (rp_geo_set_has(d->set[r], sa[i].cc) !=
				    rp_geo_set_has(d->set[r], sb[j].cc))
					d->cross[r] += len;
		}
		if (end == max)
			break;
		cur = end + 1;
		if (end == end_a)
			i++;
		if (end == end_b)
			j++;
	}
	free(sa);
	free(sb);
	return 0;
}

static int geo_diff(int argc, char **argv)
{
	struct geo_opts o = {};
	struct rp_config cfg;
	struct rp_geo_db a = {}, b = {};
	static __u64 sets[DIFF_MAX_REGIONS][RP_GEO_SET_WORDS];
	struct diff_count d[2] = {};
	char err[512], b1[48], b2[48];
	int ret = parse_opts(argc, argv, &o, "cj", diff_usage);

	if (ret)
		return ret > 0 ? RP_EXIT_OK : RP_EXIT_USAGE;
	if (argc - optind != 2) {
		diff_usage(stderr);
		return RP_EXIT_USAGE;
	}
	ret = load_config(&o, &cfg);
	if (ret)
		return ret;
	ret = load_db(argv[optind], &a);
	if (!ret)
		ret = load_db(argv[optind + 1], &b);
	if (ret)
		goto out;
	for (int f = 0; f < 2; f++) {
		unsigned int n = 0;

		for (const char *const *r = rp_geo_builtin_regions; *r && n < DIFF_MAX_REGIONS; r++)
			d[f].reg[n++] = *r;
		for (unsigned int k = 0; k < cfg.geo.regions.n && n < DIFF_MAX_REGIONS; k++)
			d[f].reg[n++] = cfg.geo.regions.r[k].name.name;
		for (unsigned int k = 0; k < n; k++) {
			struct rp_geo_name nm = {};

			snprintf(nm.name, sizeof(nm.name), "%s", d[f].reg[k]);
			memset(sets[k], 0, sizeof(sets[k]));
			rp_geo_name_set(&cfg.geo.regions, &nm, sets[k], "diff", err, sizeof(err));
			d[f].set[k] = sets[k];
		}
		d[f].nreg = n;
		if (diff_family(&a, &b, f ? 6 : 4, &d[f])) {
			rp_err("out of memory");
			ret = RP_EXIT_FAIL;
			goto out;
		}
	}
	if (o.json) {
		printf("{\"a\": {\"dataset\": ");
		rp_json_string(stdout, a.name);
		printf(", \"date\": ");
		rp_json_string(stdout, a.date);
		printf("}, \"b\": {\"dataset\": ");
		rp_json_string(stdout, b.name);
		printf(", \"date\": ");
		rp_json_string(stdout, b.date);
		printf("}, \"ipv4_addresses_changed\": %s, \"ipv6_addresses_changed\": \"%s\", "
		       "\"ipv6_64s_changed\": \"%s\", \"regions\": {",
		       u128_str(d[0].changed, b1, sizeof(b1)), u128_str(d[1].changed, b2, sizeof(b2)),
		       u128_str(d[1].changed >> 64, err, sizeof(err)));
		for (unsigned int r = 0; r < d[0].nreg; r++) {
			printf("%s", r ? ", " : "");
			rp_json_string(stdout, d[0].reg[r]);
			printf(": {\"ipv4_addresses\": %s, \"ipv6_addresses\": \"%s\"}",
			       u128_str(d[0].cross[r], b1, sizeof(b1)),
			       u128_str(d[1].cross[r], b2, sizeof(b2)));
		}
		printf("}}\n");
	} else {
		printf("A: %s %s (%s)\nB: %s %s (%s)\n", a.name, a.date, argv[optind], b.name, b.date,
		       argv[optind + 1]);
		printf("change country:  IPv4 %s addresses (%.4f%% of the space), IPv6 %s /64s (%s addresses)\n",
		       u128_str(d[0].changed, b1, sizeof(b1)),
		       (double)d[0].changed * 100.0 / 4294967296.0,
		       u128_str(d[1].changed >> 64, b2, sizeof(b2)),
		       u128_str(d[1].changed, err, sizeof(err)));
		printf("cross a region border (enter or leave it):\n");
		for (unsigned int r = 0; r < d[0].nreg; r++)
			printf("  %-16s IPv4 %s addresses, IPv6 %s /64s\n", d[0].reg[r],
			       u128_str(d[0].cross[r], b1, sizeof(b1)),
			       u128_str(d[1].cross[r] >> 64, b2, sizeof(b2)));
	}
out:
	rp_geo_free(&a);
	rp_geo_free(&b);
	rp_config_free(&cfg);
	return ret;
}

/* ------------------------------------------------------------------------------------ */

static void verify_usage(FILE *f)
{
	fprintf(f,
		"usage: rempart geo verify DATASET [--overlaps error|later] [--ipv4 CSV]\n"
		"                          [--ipv6 CSV] [CSV...]\n\n"
		"Check DATASET against CSV range files: for every line, its first and last address\n"
		"and their neighbours must have the same country in both. --ipv4 and --ipv6 give\n"
		"the family of integer addresses. Exit: 0 all agree, 1 a mismatch or load error.\n");
}

static int geo_verify(int argc, char **argv)
{
	struct geo_opts o = {};
	struct rp_geo_db db = {};
	uint64_t probes, total = 0;
	char err[512];
	int ret = parse_opts(argc, argv, &o, "46O", verify_usage);

	if (ret)
		return ret > 0 ? RP_EXIT_OK : RP_EXIT_USAGE;
	if (optind >= argc || (optind + 1 == argc && !o.v4 && !o.v6)) {
		verify_usage(stderr);
		return RP_EXIT_USAGE;
	}
	ret = load_db(argv[optind], &db);
	for (int i = -2; !ret && i < argc - optind - 1; i++) {
		const char *p = i == -2 ? o.v4 : i == -1 ? o.v6 : argv[optind + 1 + i];

		if (!p)
			continue;
		if (rp_geo_verify_csv(&db, p, i == -2 ? 4 : i == -1 ? 6 : 0, o.flags, &probes, err,
				      sizeof(err))) {
			rp_err("%s", err);
			ret = RP_EXIT_FAIL;
			break;
		}
		printf("%s: agrees (%" PRIu64 " addresses probed)\n", p, probes);
		total += probes;
	}
	if (!ret)
		printf("%s: verified, %" PRIu64 " addresses probed\n", argv[optind], total);
	rp_geo_free(&db);
	return ret;
}

int rp_cmd_geo(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "lookup", geo_lookup }, { "info", geo_info },	    { "build", geo_build },
		{ "diff", geo_diff },	  { "verify", geo_verify },
	};

	if (argc < 2) {
		geo_usage(stderr);
		return RP_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		geo_usage(stdout);
		return RP_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	rp_err("unknown geo command '%s'", argv[1]);
	geo_usage(stderr);
	return RP_EXIT_USAGE;
}
