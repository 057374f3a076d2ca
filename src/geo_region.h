/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Regions: named sets of country codes (docs/geo.md lists every member). Built in: eu, eea,
 * europe, schengen and unknown; more are defined in the configuration (geo.regions) and may
 * name other regions. A list of names (country codes and regions) resolves to a country set,
 * one bit per code (include/rempart/geo.h), which is what a fence compiles to.
 */
#ifndef RP_GEO_REGION_H
#define RP_GEO_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "rempart/geo.h"

#define RP_GEO_NAME_MAX 32

/* A name as written, with its place in the configuration (line and column from 1; 0 when
 * it did not come from a file). */
struct rp_geo_name {
	char name[RP_GEO_NAME_MAX];
	uint32_t line, col;
};

struct rp_geo_region {
	struct rp_geo_name name;
	unsigned int n;
	struct rp_geo_name *members;
	__u64 set[RP_GEO_SET_WORDS]; /* valid after rp_geo_regions_resolve */
};

/* The configuration's regions. */
struct rp_geo_regions {
	unsigned int n;
	struct rp_geo_region *r;
};

static inline void rp_geo_set_add(__u64 *set, unsigned int cc)
{
	set[cc / 64] |= 1ull << (cc % 64);
}

static inline bool rp_geo_set_has(const __u64 *set, unsigned int cc)
{
	return cc < RP_GEO_NCODES && (set[cc / 64] >> (cc % 64)) & 1;
}

static inline void rp_geo_set_or(__u64 *dst, const __u64 *src)
{
	for (int i = 0; i < RP_GEO_SET_WORDS; i++)
		dst[i] |= src[i];
}

/* The built-in regions, NULL-terminated: "eu", "eea", "europe", "schengen", "unknown". */
extern const char *const rp_geo_builtin_regions[];

/* Is s a syntactically valid region name (lower case letter, then [a-z0-9_-], < 32)? */
bool rp_geo_region_name_ok(const char *s);

/*
 * Check and resolve the configuration's regions: names unique and not built-in, every
 * member a country code or a region, no cycles. src names the file in errors, which read
 * "SRC:LINE:COL: ...". Returns 0 or -EINVAL.
 */
int rp_geo_regions_resolve(struct rp_geo_regions *rs, const char *src, char *err, size_t errlen);

/*
 * Add to set the countries of one name: a country code (upper case, ISO 3166-1, XK, AN, or
 * the pseudo-codes EU, AP, ZZ), a built-in region, or one of rs (resolved; rs may be NULL).
 * Returns 0, or -ENOENT with err saying what is wrong ("SRC:LINE:COL: ..." when n has a
 * place).
 */
int rp_geo_name_set(const struct rp_geo_regions *rs, const struct rp_geo_name *n, __u64 *set,
		    const char *src, char *err, size_t errlen);

/* The built-in or configured regions (rs may be NULL) whose set holds cc, in the order of
 * the built-ins then rs, into names (at most max); returns how many. */
unsigned int rp_geo_regions_of(const struct rp_geo_regions *rs, uint16_t cc, const char **names,
			       unsigned int max);

void rp_geo_regions_free(struct rp_geo_regions *rs);

#endif
