// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * CSV range files: "start,end,CC" per line, addresses dotted (IPv4), in colon form (IPv6) or
 * as decimal integers (ip-location-db's -num files), inclusive. docs/geo.md has the rules;
 * every error names the file, line and column.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "geo.h"

/* One address field: 4 or 6 for the dotted and colon forms, 0 for an integer. */
static int parse_field(const char *s, int *form, rp_u128 *v)
{
	if (strchr(s, ':') || strchr(s, '.'))
		return rp_geo_addr_parse(s, form, v);
	if (!*s)
		return -EINVAL;
	*v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || *v > (~(rp_u128)0 - 9) / 10)
			return -EINVAL;
		*v = *v * 10 + (*s - '0');
	}
	*form = 0;
	return 0;
}

struct field {
	char *s;
	unsigned int col;
};

/* Split a line (NUL-terminated, no newline) at commas; trims blanks and one pair of
 * double quotes. Returns the number of fields (at most max + 1). */
static int split(char *line, struct field *f, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		char *end = strchr(p, ','), *e;

		if (n > max)
			return n;
		if (end)
			*end = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = 0;
		if (e - p >= 2 && *p == '"' && e[-1] == '"') {
			e[-1] = 0;
			p++;
		}
		f[n].s = p;
		f[n].col = p - line + 1;
		n++;
		if (!end)
			return n;
		p = end + 1;
	}
}

/* The raw ranges of one CSV file, in file order. */
static int csv_parse(const char *path, int family, struct rp_geo_rawlist *l, char *err,
		     size_t errlen)
{
	char *buf = NULL, *line, *next;
	size_t len = 0;
	uint32_t lineno = 0;
	bool any_big = false, any_int = false;
	int ret;

	ret = rp_read_file(path, (unsigned char **)&buf, &len, err, errlen);
	if (ret)
		return ret;
	if (memchr(buf, 0, len)) {
		snprintf(err, errlen, "%s: not a text file (NUL byte at offset %zu)", path,
			 (size_t)((char *)memchr(buf, 0, len) - buf));
		ret = -EINVAL;
		goto out;
	}
	for (line = buf; line && *line; line = next) {
		struct field f[4];
		int n, form[2], fam;
		rp_u128 v[2];

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		n = split(line, f, 3);
		if (n == 1 && !f[0].s[0])
			continue; /* blank */
		if (f[0].s[0] == '#')
			continue;
		/* A header line: the first field has no digit and no colon. */
		if (lineno == 1 && n == 3 && !strpbrk(f[0].s, "0123456789:"))
			continue;
		if (n != 3) {
			snprintf(err, errlen, "%s:%u:%u: expected 3 fields (start,end,CC), found %d",
				 path, lineno, n > 3 ? f[3].col : 1, n);
			ret = -EINVAL;
			goto out;
		}
		for (int i = 0; i < 2; i++)
			if (parse_field(f[i].s, &form[i], &v[i])) {
				snprintf(err, errlen,
					 "%s:%u:%u: '%s' is not an address (expected 1.2.3.4, 2001:db8::1 or a decimal integer)",
					 path, lineno, f[i].col, f[i].s);
				ret = -EINVAL;
				goto out;
			}
		if (form[0] != form[1]) {
			snprintf(err, errlen,
				 "%s:%u:%u: '%s' is not of the same form as '%s' (IPv4, IPv6 or integer)",
				 path, lineno, f[1].col, f[1].s, f[0].s);
			ret = -EINVAL;
			goto out;
		}
		fam = form[0];
		if (family && fam && fam != family) {
			snprintf(err, errlen, "%s:%u:%u: '%s' is an IPv%d address in an IPv%d file",
				 path, lineno, f[0].col, f[0].s, fam, family);
			ret = -EINVAL;
			goto out;
		}
		if (!fam) {
			any_int = true;
			fam = family;
			for (int i = 0; i < 2; i++) {
				if (v[i] <= 0xffffffffu)
					continue;
				if (family == 4) {
					snprintf(err, errlen,
						 "%s:%u:%u: %s does not fit an IPv4 address (32 bits)",
						 path, lineno, f[i].col, f[i].s);
					ret = -EINVAL;
					goto out;
				}
				any_big = true;
			}
		}
		if (v[0] > v[1]) {
			snprintf(err, errlen, "%s:%u:%u: range reversed: end '%s' is before start '%s'",
				 path, lineno, f[1].col, f[1].s, f[0].s);
			ret = -EINVAL;
			goto out;
		}
		n = rp_geo_cc_import(f[2].s, strlen(f[2].s));
		if (n < 0) {
			snprintf(err, errlen,
				 "%s:%u:%u: '%s' is not a country code (expected two letters, e.g. FR)",
				 path, lineno, f[2].col, f[2].s);
			ret = -EINVAL;
			goto out;
		}
		/* Integer rows of an undecided file get their family below (fam 0 for now). */
		if (rp_geo_raw_add(l, fam, v[0], v[1], n, lineno)) {
			snprintf(err, errlen, "%s: out of memory", path);
			ret = -ENOMEM;
			goto out;
		}
	}
	if (!l->n) {
		snprintf(err, errlen, "%s: no address ranges (expected lines start,end,CC)", path);
		ret = -EINVAL;
		goto out;
	}
	if (any_int && !family)
		for (size_t i = 0; i < l->n; i++)
			if (!l->r[i].family)
				l->r[i].family = any_big ? 6 : 4;
out:
	free(buf);
	if (ret)
		rp_geo_raw_free(l);
	return ret;
}

int rp_geo_load_csv_file(struct rp_geo_db *db, const char *path, int family, unsigned int flags,
			 char *err, size_t errlen)
{
	struct rp_geo_rawlist l = {};
	struct rp_geo_db out = {};
	int ret = csv_parse(path, family, &l, err, errlen);

	if (ret)
		return ret;
	ret = rp_geo_raw_finish(&l, &out, path, flags, err, errlen);
	if (ret)
		return ret;
	rp_geo_free(db);
	*db = out;
	return 0;
}

int rp_geo_load_csv(struct rp_geo_db *db, const char *v4path, const char *v6path,
		    unsigned int flags, char *err, size_t errlen)
{
	struct rp_geo_db a = {}, b = {};
	int ret = 0;

	if (v4path)
		ret = rp_geo_load_csv_file(&a, v4path, 4, flags, err, errlen);
	if (!ret && v6path) {
		ret = rp_geo_load_csv_file(&b, v6path, 6, flags, err, errlen);
		if (!ret)
			ret = rp_geo_merge(&a, &b, v6path, err, errlen);
	}
	rp_geo_free(&b);
	if (ret) {
		rp_geo_free(&a);
		return ret;
	}
	rp_geo_free(db);
	*db = a;
	return 0;
}

int rp_geo_write_csv(const struct rp_geo_db *db, FILE *v4, FILE *v6)
{
	char a[48], b[48];

	for (size_t i = 0; v4 && i < db->n4; i++)
		fprintf(v4, "%s,%s,%s\n", rp_geo_addr_str(4, db->v4[i].first, a, sizeof(a)),
			rp_geo_addr_str(4, db->v4[i].last, b, sizeof(b)),
			rp_geo_cc_name(db->v4[i].cc));
	for (size_t i = 0; v6 && i < db->n6; i++)
		fprintf(v6, "%s,%s,%s\n",
			rp_geo_addr_str(6, rp_geo_u128(db->v6[i].first_hi, db->v6[i].first_lo), a,
					sizeof(a)),
			rp_geo_addr_str(6, rp_geo_u128(db->v6[i].last_hi, db->v6[i].last_lo), b,
					sizeof(b)),
			rp_geo_cc_name(db->v6[i].cc));
	if ((v4 && ferror(v4)) || (v6 && ferror(v6)))
		return -EIO;
	return 0;
}

int rp_geo_verify_csv(const struct rp_geo_db *db, const char *path, int family,
		      unsigned int flags, uint64_t *probes, char *err, size_t errlen)
{
	struct rp_geo_rawlist l = {}, copy = {};
	struct rp_geo_db ref = {};
	int ret = csv_parse(path, family, &l, err, errlen);

	*probes = 0;
	if (ret)
		return ret;
	copy.r = malloc((l.n ? l.n : 1) * sizeof(*l.r));
	if (!copy.r) {
		rp_geo_raw_free(&l);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	memcpy(copy.r, l.r, l.n * sizeof(*l.r));
	copy.n = copy.cap = l.n;
	ret = rp_geo_raw_finish(&copy, &ref, path, flags, err, errlen);
	for (size_t i = 0; !ret && i < l.n; i++) {
		const struct rp_geo_raw *r = &l.r[i];
		rp_u128 max = r->family == 4 ? 0xffffffffu : ~(rp_u128)0;
		rp_u128 probe[4] = { r->first, r->last };
		int np = 2;

		if (r->first > 0)
			probe[np++] = r->first - 1;
		if (r->last < max)
			probe[np++] = r->last + 1;
		for (int k = 0; k < np; k++) {
			uint16_t want = rp_geo_lookup(&ref, r->family, probe[k]);
			uint16_t got = rp_geo_lookup(db, r->family, probe[k]);
			char a[48];

			(*probes)++;
			/* Without overlaps the CSV's own answer is the line's country. */
			if (k < 2 && want != r->cc && !(flags & RP_GEO_OVERLAP_LATER)) {
				snprintf(err, errlen, "%s:%u: %s: the CSV itself says %s (internal error)",
					 path, r->line, rp_geo_addr_str(r->family, probe[k], a, sizeof(a)),
					 rp_geo_cc_name(want));
				ret = -EINVAL;
				break;
			}
			if (got != want) {
				snprintf(err, errlen, "%s:%u: %s: the dataset says %s, the CSV says %s",
					 path, r->line, rp_geo_addr_str(r->family, probe[k], a, sizeof(a)),
					 rp_geo_cc_name(got), rp_geo_cc_name(want));
				ret = -EINVAL;
				break;
			}
		}
	}
	rp_geo_free(&ref);
	rp_geo_raw_free(&l);
	return ret;
}
