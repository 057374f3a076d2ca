// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Regions: the built-in member lists (docs/geo.md keeps the same lists, with the reasons),
 * the configuration's regions and their resolution into country sets.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "geo_region.h"

/* The 27 member states of the European Union (2020 on). */
#define RP_EU                                                                              \
	"AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
/* The European Economic Area: the EU, Iceland, Liechtenstein, Norway. */
#define RP_EEA RP_EU " IS LI NO"
/* The Schengen area (29 states since Bulgaria and Romania joined fully in 2025): the EU but
 * Cyprus and Ireland, with Iceland, Liechtenstein, Norway and Switzerland. */
#define RP_SCHENGEN                                                                        \
	"AT BE BG CZ DE DK EE ES FI FR GR HR HU IT LT LU LV MT NL PL PT RO SE SI SK IS LI "  \
	"NO CH"
/* The continent: UN M49 Europe (Eastern, Northern, Southern, Western Europe, Russia
 * included) plus Cyprus (an EU member) and Kosovo. Turkey and the Caucasus are not in it
 * (add them in a region of your own). */
#define RP_EUROPE                                                                          \
	"AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT " \
	"JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK"

static const struct {
	const char *name;
	const char *members;
} rp_builtins[] = {
	{ "eu", RP_EU },
	{ "eea", RP_EEA },
	{ "europe", RP_EUROPE },
	{ "schengen", RP_SCHENGEN },
	{ "unknown", NULL }, /* every code rp_geo_cc_is_country() refuses, and RP_GEO_NONE */
};
#define N_BUILTINS (sizeof(rp_builtins) / sizeof(rp_builtins[0]))

const char *const rp_geo_builtin_regions[] = { "eu", "eea", "europe", "schengen", "unknown",
					       NULL };

static __u64 builtin_sets[N_BUILTINS][RP_GEO_SET_WORDS];

static void builtins_init(void)
{
	for (size_t i = 0; i < N_BUILTINS; i++) {
		const char *p = rp_builtins[i].members;

		if (!p) {
			for (unsigned int cc = 0; cc < RP_GEO_NCODES; cc++)
				if (!rp_geo_cc_is_country(cc))
					rp_geo_set_add(builtin_sets[i], cc);
			continue;
		}
		for (; *p; p += p[2] ? 3 : 2)
			rp_geo_set_add(builtin_sets[i], RP_GEO_CODE(p[0], p[1]));
	}
}

static const __u64 *builtin(const char *name)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, builtins_init);
	for (size_t i = 0; i < N_BUILTINS; i++)
		if (!strcmp(rp_builtins[i].name, name))
			return builtin_sets[i];
	return NULL;
}

bool rp_geo_region_name_ok(const char *s)
{
	size_t len = strlen(s);

	if (!len || len >= RP_GEO_NAME_MAX || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return false;
	return true;
}

static int __attribute__((format(printf, 5, 6)))
name_err(char *err, size_t errlen, const char *src, const struct rp_geo_name *n,
	 const char *fmt, ...)
{
	va_list ap;
	int off;

	if (n && n->line)
		off = snprintf(err, errlen, "%s:%u:%u: ", src, n->line, n->col);
	else
		off = snprintf(err, errlen, "%s: ", src);
	if (off >= 0 && (size_t)off < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + off, errlen - off, fmt, ap);
		va_end(ap);
	}
	return -ENOENT;
}

static const struct rp_geo_region *find(const struct rp_geo_regions *rs, const char *name)
{
	for (unsigned int i = 0; rs && i < rs->n; i++)
		if (!strcmp(rs->r[i].name.name, name))
			return &rs->r[i];
	return NULL;
}

/* A country code as a configuration may write it. */
static int country(const char *s)
{
	int cc = rp_geo_cc_parse(s);

	if (cc < 0)
		return -EINVAL;
	if (rp_geo_cc_is_country(cc) || cc == RP_GEO_CODE('E', 'U') ||
	    cc == RP_GEO_CODE('A', 'P') || cc == RP_GEO_CODE('Z', 'Z'))
		return cc;
	return -ENOENT;
}

int rp_geo_name_set(const struct rp_geo_regions *rs, const struct rp_geo_name *n, __u64 *set,
		    const char *src, char *err, size_t errlen)
{
	const struct rp_geo_region *r;
	const __u64 *b;
	int cc = country(n->name);

	if (cc >= 0) {
		rp_geo_set_add(set, cc);
		return 0;
	}
	if (cc == -ENOENT)
		return name_err(err, errlen, src, n,
				"'%s' is not an ISO 3166-1 country code%s", n->name,
				!strcmp(n->name, "UK") ? " (the United Kingdom is GB)" : "");
	b = builtin(n->name);
	if (b) {
		rp_geo_set_or(set, b);
		return 0;
	}
	r = find(rs, n->name);
	if (r) {
		rp_geo_set_or(set, r->set);
		return 0;
	}
	if (strlen(n->name) == 2 && rp_geo_cc_parse((char[]){ n->name[0] & ~0x20,
							     n->name[1] & ~0x20, 0 }) >= 0)
		return name_err(err, errlen, src, n,
				"unknown region '%s' (country codes are upper case: %c%c)",
				n->name, n->name[0] & ~0x20, n->name[1] & ~0x20);
	return name_err(err, errlen, src, n,
			"unknown region '%s' (expected a country code such as FR, a built-in region (eu, eea, europe, schengen, unknown) or one defined in geo.regions)",
			n->name);
}

/* Depth-first: state 0 new, 1 on the path, 2 resolved. path holds the names on the way. */
static int resolve(struct rp_geo_regions *rs, unsigned int i, uint8_t *state,
		   const char **path, unsigned int depth, const char *src, char *err,
		   size_t errlen)
{
	struct rp_geo_region *r = &rs->r[i];

	state[i] = 1;
	path[depth] = r->name.name;
	memset(r->set, 0, sizeof(r->set));
	for (unsigned int m = 0; m < r->n; m++) {
		const struct rp_geo_name *n = &r->members[m];
		const struct rp_geo_region *sub = find(rs, n->name);
		int ret;

		if (sub) {
			unsigned int j = sub - rs->r;

			if (state[j] == 1) {
				char chain[512] = "";

				for (unsigned int k = 0; k <= depth; k++)
					snprintf(chain + strlen(chain), sizeof(chain) - strlen(chain),
						 "%s -> ", path[k]);
				snprintf(chain + strlen(chain), sizeof(chain) - strlen(chain), "%s",
					 n->name);
				name_err(err, errlen, src, n, "regions include each other: %s",
					 chain);
				return -EINVAL;
			}
			if (state[j] == 0) {
				ret = resolve(rs, j, state, path, depth + 1, src, err, errlen);
				if (ret)
					return ret;
			}
		}
		if (rp_geo_name_set(rs, n, r->set, src, err, errlen))
			return -EINVAL;
	}
	state[i] = 2;
	return 0;
}

int rp_geo_regions_resolve(struct rp_geo_regions *rs, const char *src, char *err, size_t errlen)
{
	uint8_t *state;
	const char **path;
	int ret = 0;

	for (unsigned int i = 0; i < rs->n; i++) {
		const struct rp_geo_name *n = &rs->r[i].name;

		if (!rp_geo_region_name_ok(n->name)) {
			name_err(err, errlen, src, n,
				 "region name '%s': use a lower-case letter, then lower-case letters, digits, '-' or '_' (at most %d)",
				 n->name, RP_GEO_NAME_MAX - 1);
			return -EINVAL;
		}
		if (builtin(n->name)) {
			name_err(err, errlen, src, n, "region '%s' is built in; choose another name",
				 n->name);
			return -EINVAL;
		}
		if (find(rs, n->name) != &rs->r[i]) {
			name_err(err, errlen, src, n, "region '%s' is defined twice", n->name);
			return -EINVAL;
		}
	}
	state = calloc(rs->n + 1, 1);
	path = calloc(rs->n + 1, sizeof(*path));
	if (!state || !path) {
		free(state);
		free(path);
		snprintf(err, errlen, "%s: out of memory", src);
		return -ENOMEM;
	}
	for (unsigned int i = 0; !ret && i < rs->n; i++)
		if (!state[i])
			ret = resolve(rs, i, state, path, 0, src, err, errlen);
	free(state);
	free(path);
	return ret;
}

unsigned int rp_geo_regions_of(const struct rp_geo_regions *rs, uint16_t cc, const char **names,
			       unsigned int max)
{
	unsigned int n = 0;

	for (size_t i = 0; i < N_BUILTINS && n < max; i++)
		if (rp_geo_set_has(builtin(rp_builtins[i].name), cc))
			names[n++] = rp_builtins[i].name;
	for (unsigned int i = 0; rs && i < rs->n && n < max; i++)
		if (rp_geo_set_has(rs->r[i].set, cc))
			names[n++] = rs->r[i].name.name;
	return n;
}

void rp_geo_regions_free(struct rp_geo_regions *rs)
{
	for (unsigned int i = 0; i < rs->n; i++)
		free(rs->r[i].members);
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}
