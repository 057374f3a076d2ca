// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Country datasets: codes, the reference lookups, the raw-range builder every importer ends
 * in, merging, the default path and format sniffing. The formats themselves live in
 * geo_compact.c, geo_csv.c and geo_mmdb.c (docs/geo.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geo.h"

/* ISO 3166-1 alpha-2, every officially assigned code (249), then XK and AN: the codes that
 * name a country or territory. The region `unknown` is every other code. */
static const char rp_geo_iso[] =
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN "
	"BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
	"DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL "
	"GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM "
	"JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME "
	"MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP "
	"NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD "
	"SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO "
	"TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW "
	"XK AN";

static char rp_geo_names[RP_GEO_NCODES][3];
static bool rp_geo_country[RP_GEO_NCODES];

static void geo_init(void)
{
	strcpy(rp_geo_names[0], "--");
	for (int a = 0; a < 26; a++)
		for (int b = 0; b < 26; b++) {
			char *n = rp_geo_names[RP_GEO_CODE('A' + a, 'A' + b)];

			n[0] = 'A' + a;
			n[1] = 'A' + b;
			n[2] = 0;
		}
	for (const char *p = rp_geo_iso; *p; p += p[2] ? 3 : 2)
		rp_geo_country[RP_GEO_CODE(p[0], p[1])] = true;
}

static void geo_once(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, geo_init);
}

const char *rp_geo_cc_name(uint16_t cc)
{
	geo_once();
	return rp_geo_names[cc < RP_GEO_NCODES ? cc : 0];
}

bool rp_geo_cc_is_country(uint16_t cc)
{
	geo_once();
	return cc < RP_GEO_NCODES && rp_geo_country[cc];
}

int rp_geo_cc_parse(const char *s)
{
	if (s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' || s[2])
		return -EINVAL;
	return RP_GEO_CODE(s[0], s[1]);
}

int rp_geo_cc_import(const char *s, size_t len)
{
	char a, b;

	if (len != 2)
		return -EINVAL;
	a = s[0] & ~0x20;
	b = s[1] & ~0x20;
	if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z')
		return RP_GEO_CODE('Z', 'Z');
	return RP_GEO_CODE(a, b);
}

/* ------------------------------------------------------------------------------------ */
/* Lookups */

uint16_t rp_geo_lookup4(const struct rp_geo_db *db, uint32_t addr)
{
	size_t lo = 0, hi = db->n4;

	/* The last range whose first address is <= addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (db->v4[mid].first <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && addr <= db->v4[lo - 1].last)
		return db->v4[lo - 1].cc;
	return RP_GEO_NONE;
}

uint16_t rp_geo_lookup6(const struct rp_geo_db *db, uint64_t ahi, uint64_t alo)
{
	rp_u128 addr = rp_geo_u128(ahi, alo);
	size_t lo = 0, hi = db->n6;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rp_geo_u128(db->v6[mid].first_hi, db->v6[mid].first_lo) <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && addr <= rp_geo_u128(db->v6[lo - 1].last_hi, db->v6[lo - 1].last_lo))
		return db->v6[lo - 1].cc;
	return RP_GEO_NONE;
}

uint16_t rp_geo_lookup(const struct rp_geo_db *db, int family, rp_u128 addr)
{
	if (family == 4)
		return rp_geo_lookup4(db, (uint32_t)addr);
	return rp_geo_lookup6(db, (uint64_t)(addr >> 64), (uint64_t)addr);
}

void rp_geo_free(struct rp_geo_db *db)
{
	free(db->v4);
	free(db->v6);
	memset(db, 0, sizeof(*db));
}

/* ------------------------------------------------------------------------------------ */
/* Addresses */

int rp_geo_addr_parse(const char *s, int *family, rp_u128 *addr)
{
	unsigned char b[16];
	rp_u128 x = 0;

	if (inet_pton(AF_INET, s, b) == 1) {
		*family = 4;
		*addr = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) |
			b[3];
		return 0;
	}
	if (inet_pton(AF_INET6, s, b) == 1) {
		for (int i = 0; i < 16; i++)
			x = (x << 8) | b[i];
		*family = 6;
		*addr = x;
		return 0;
	}
	return -EINVAL;
}

const char *rp_geo_addr_str(int family, rp_u128 addr, char *buf, size_t len)
{
	unsigned char b[16];

	if (family == 4) {
		uint32_t a = htonl((uint32_t)addr);

		return inet_ntop(AF_INET, &a, buf, len);
	}
	for (int i = 15; i >= 0; i--, addr >>= 8)
		b[i] = (unsigned char)addr;
	return inet_ntop(AF_INET6, b, buf, len);
}

/* ------------------------------------------------------------------------------------ */
/* The raw-range builder */

int rp_geo_raw_add(struct rp_geo_rawlist *l, int family, rp_u128 first, rp_u128 last,
		   uint16_t cc, uint32_t line)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 4096;
		void *p = realloc(l->r, cap * sizeof(*l->r));

		if (!p)
			return -ENOMEM;
		l->r = p;
		l->cap = cap;
	}
	l->r[l->n++] = (struct rp_geo_raw){ .first = first, .last = last, .line = line, .cc = cc,
					    .family = family };
	return 0;
}

void rp_geo_raw_free(struct rp_geo_rawlist *l)
{
	free(l->r);
	memset(l, 0, sizeof(*l));
}

static int raw_cmp(const void *a, const void *b)
{
	const struct rp_geo_raw *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Where a raw range came from: a line, or (merging inputs) 0 an earlier input and
 * RP_GEO_LINE_INPUT the input being merged. */
#define RP_GEO_LINE_INPUT UINT32_MAX

static void where(char *buf, size_t len, uint32_t line, bool at)
{
	if (line == RP_GEO_LINE_INPUT)
		snprintf(buf, len, at ? "" : "this input");
	else if (line)
		snprintf(buf, len, at ? ":%u" : "line %u", line);
	else
		snprintf(buf, len, "an earlier input");
}

/* A heap of the ranges covering the sweep point, the latest line on top. */
struct heap {
	const struct rp_geo_raw **h;
	size_t n;
};

static bool heap_less(const struct rp_geo_raw *a, const struct rp_geo_raw *b)
{
	return a->line > b->line;
}

static void heap_push(struct heap *h, const struct rp_geo_raw *r)
{
	size_t i = h->n++;

	h->h[i] = r;
	while (i && heap_less(h->h[i], h->h[(i - 1) / 2])) {
		const struct rp_geo_raw *t = h->h[i];

		h->h[i] = h->h[(i - 1) / 2];
		h->h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static void heap_pop(struct heap *h)
{
	size_t i = 0;

	h->h[0] = h->h[--h->n];
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		const struct rp_geo_raw *t;

		if (l < h->n && heap_less(h->h[l], h->h[m]))
			m = l;
		if (l + 1 < h->n && heap_less(h->h[l + 1], h->h[m]))
			m = l + 1;
		if (m == i)
			return;
		t = h->h[i];
		h->h[i] = h->h[m];
		h->h[m] = t;
		i = m;
	}
}

/*
 * Overlapping ranges resolved: each address gets the country of the last line holding it,
 * as if the lines were written one over the other in file order (which is how the
 * ip-location-db package's own .mmdb files were made). l is sorted; the result replaces it,
 * sorted and without overlaps. Sweeps the starts and ends.
 */
static int resolve_overlaps(struct rp_geo_rawlist *l)
{
	struct rp_geo_rawlist out = {};
	struct heap h = { .h = malloc((l->n ? l->n : 1) * sizeof(*h.h)) };
	size_t i = 0;
	int ret = 0;

	if (!h.h)
		return -ENOMEM;
	while (i < l->n && !ret) {
		int fam = l->r[i].family;
		rp_u128 max = fam == 4 ? 0xffffffffu : ~(rp_u128)0, p = l->r[i].first;

		h.n = 0;
		for (;;) {
			rp_u128 next;
			bool end_of_space = false;

			while (i < l->n && l->r[i].family == fam && l->r[i].first == p)
				heap_push(&h, &l->r[i++]);
			while (h.n && h.h[0]->last < p)
				heap_pop(&h);
			if (!h.n) {
				if (i < l->n && l->r[i].family == fam) {
					p = l->r[i].first;
					continue;
				}
				break;
			}
			/* The top's country holds until the top ends or a new range starts. */
			next = h.h[0]->last;
			if (i < l->n && l->r[i].family == fam && l->r[i].first - 1 < next)
				next = l->r[i].first - 1;
			if (next == max)
				end_of_space = true;
			ret = rp_geo_raw_add(&out, fam, p, next, h.h[0]->cc, h.h[0]->line);
			if (ret || end_of_space)
				break;
			p = next + 1;
		}
		while (i < l->n && l->r[i].family == fam)
			i++;
	}
	free(h.h);
	if (ret) {
		rp_geo_raw_free(&out);
		return ret;
	}
	rp_geo_raw_free(l);
	*l = out;
	return 0;
}

int rp_geo_raw_finish(struct rp_geo_rawlist *l, struct rp_geo_db *db, const char *src,
		      unsigned int flags, char *err, size_t errlen)
{
	struct rp_geo_range4 *v4 = NULL;
	struct rp_geo_range6 *v6 = NULL;
	size_t n4 = 0, n6 = 0, i, k;
	int ret = 0;

	qsort(l->r, l->n, sizeof(*l->r), raw_cmp);
	if ((flags & RP_GEO_OVERLAP_LATER) && resolve_overlaps(l)) {
		snprintf(err, errlen, "%s: out of memory", src);
		rp_geo_raw_free(l);
		return -ENOMEM;
	}
	/* Overlaps, reported at the later line of the two (in the file's order). */
	for (i = 1; i < l->n; i++) {
		const struct rp_geo_raw *a = &l->r[i - 1], *b = &l->r[i];
		char a1[48], a2[48], b1[48], b2[48], wa[32], wb[32];

		if (a->family != b->family || b->first > a->last)
			continue;
		if (a->line > b->line) {
			const struct rp_geo_raw *t = a;

			a = b;
			b = t;
		}
		where(wa, sizeof(wa), a->line, false);
		where(wb, sizeof(wb), b->line, true);
		snprintf(err, errlen, "%s%s: range %s-%s (%s) overlaps %s (%s-%s, %s)", src, wb,
			 rp_geo_addr_str(b->family, b->first, b1, sizeof(b1)),
			 rp_geo_addr_str(b->family, b->last, b2, sizeof(b2)), rp_geo_cc_name(b->cc),
			 wa, rp_geo_addr_str(a->family, a->first, a1, sizeof(a1)),
			 rp_geo_addr_str(a->family, a->last, a2, sizeof(a2)), rp_geo_cc_name(a->cc));
		rp_geo_raw_free(l);
		return -EINVAL;
	}
	for (i = 0; i < l->n; i++)
		if (l->r[i].family == 4)
			n4++;
	n6 = l->n - n4;
	v4 = malloc((n4 ? n4 : 1) * sizeof(*v4));
	v6 = malloc((n6 ? n6 : 1) * sizeof(*v6));
	if (!v4 || !v6) {
		ret = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", src);
		goto out;
	}
	n4 = n6 = 0;
	for (i = 0; i < l->n; i = k) {
		const struct rp_geo_raw *r = &l->r[i];
		rp_u128 last = r->last;

		/* Merge the following touching ranges of the same country. */
		for (k = i + 1; k < l->n && l->r[k].family == r->family && l->r[k].cc == r->cc &&
				l->r[k].first == last + 1;
		     k++)
			last = l->r[k].last;
		if (r->cc == RP_GEO_NONE)
			continue;
		if (r->family == 4)
			v4[n4++] = (struct rp_geo_range4){ (uint32_t)r->first, (uint32_t)last, r->cc };
		else
			v6[n6++] = (struct rp_geo_range6){ (uint64_t)(r->first >> 64),
							   (uint64_t)r->first, (uint64_t)(last >> 64),
							   (uint64_t)last, r->cc };
	}
	free(db->v4);
	free(db->v6);
	db->v4 = v4;
	db->n4 = n4;
	db->v6 = v6;
	db->n6 = n6;
	v4 = NULL;
	v6 = NULL;
out:
	free(v4);
	free(v6);
	rp_geo_raw_free(l);
	return ret;
}

static int db_to_raw(const struct rp_geo_db *db, struct rp_geo_rawlist *l, uint32_t line)
{
	for (size_t i = 0; i < db->n4; i++)
		if (rp_geo_raw_add(l, 4, db->v4[i].first, db->v4[i].last, db->v4[i].cc, line))
			return -ENOMEM;
	for (size_t i = 0; i < db->n6; i++)
		if (rp_geo_raw_add(l, 6, rp_geo_u128(db->v6[i].first_hi, db->v6[i].first_lo),
				   rp_geo_u128(db->v6[i].last_hi, db->v6[i].last_lo), db->v6[i].cc,
				   line))
			return -ENOMEM;
	return 0;
}

int rp_geo_merge(struct rp_geo_db *dst, struct rp_geo_db *src, const char *srcname, char *err,
		 size_t errlen)
{
	struct rp_geo_rawlist l = {};
	struct rp_geo_db out = {};
	int ret;

	if (db_to_raw(dst, &l, 0) || db_to_raw(src, &l, RP_GEO_LINE_INPUT)) {
		rp_geo_raw_free(&l);
		snprintf(err, errlen, "%s: out of memory", srcname);
		return -ENOMEM;
	}
	ret = rp_geo_raw_finish(&l, &out, srcname, 0, err, errlen);
	if (ret)
		return ret;
	memcpy(out.name, dst->name, sizeof(out.name));
	memcpy(out.date, dst->date, sizeof(out.date));
	rp_geo_free(dst);
	rp_geo_free(src);
	*dst = out;
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* The default dataset and sniffing */

const char *rp_geo_default_path(void)
{
	static char path[PATH_MAX + 64];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		char *slash;

		exe[n] = 0;
		/* The source tree: data/geo beside the directory of the binary (build/rempart)
		 * or of a test (build/tests/test_*), up to three levels up. */
		for (int up = 0; up < 3 && (slash = strrchr(exe, '/')); up++) {
			*slash = 0;
			snprintf(path, sizeof(path), "%s/data/geo/%s", exe[0] ? exe : "/",
				 RP_GEO_DEFAULT_FILE);
			if (!access(path, R_OK))
				return path;
		}
	}
	snprintf(path, sizeof(path), "%s/%s", RP_GEO_INSTALL_DIR, RP_GEO_DEFAULT_FILE);
	return path;
}

#define RP_GEO_MAGIC "RPGEODB\n"
static const char mmdb_marker[] = "\xab\xcd\xefMaxMind.com";

int rp_geo_load(struct rp_geo_db *db, const char *path, char *err, size_t errlen)
{
	unsigned char head[8], *tail = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t size;
	ssize_t n;
	bool mmdb = false;

	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
		return -e;
	}
	n = pread(fd, head, sizeof(head), 0);
	if (n == sizeof(head) && !memcmp(head, RP_GEO_MAGIC, 8)) {
		close(fd);
		return rp_geo_load_compact(db, path, err, errlen);
	}
	/* The MaxMind DB metadata marker sits in the last 128 KiB. */
	size = lseek(fd, 0, SEEK_END);
	if (size > 0) {
		size_t len = size > 128 * 1024 ? 128 * 1024 : (size_t)size;

		tail = malloc(len);
		if (tail && pread(fd, tail, len, size - len) == (ssize_t)len)
			mmdb = memmem(tail, len, mmdb_marker, sizeof(mmdb_marker) - 1) != NULL;
		free(tail);
	}
	close(fd);
	if (mmdb)
		return rp_geo_load_mmdb(db, path, err, errlen);
	return rp_geo_load_csv_file(db, path, 0, 0, err, errlen);
}
