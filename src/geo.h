/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Country datasets in userspace (docs/geo.md): the range lists every format is read into,
 * the reference lookup (binary search), the compact on-disk form and the importers.
 * The data plane's tables are built from a struct rp_geo_db by geo_maps.c.
 */
#ifndef RP_GEO_H
#define RP_GEO_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "rempart/geo.h"

/* An inclusive range of addresses with one country code (RP_GEO_CODE), host byte order. */
struct rp_geo_range4 {
	uint32_t first, last;
	uint16_t cc;
};

/* The same for IPv6: addresses as two host-order 64-bit halves (hi, lo). */
struct rp_geo_range6 {
	uint64_t first_hi, first_lo, last_hi, last_lo;
	uint16_t cc;
};

/* One dataset: ranges sorted by first address, never overlapping; gaps are "not in the
 * dataset" (RP_GEO_NONE). Adjacent ranges of the same country are merged. */
struct rp_geo_db {
	char name[64]; /* e.g. "geo-whois-asn-country" */
	char date[32]; /* the source's date, YYYY-MM-DD */
	struct rp_geo_range4 *v4;
	size_t n4;
	struct rp_geo_range6 *v6;
	size_t n6;
};

/* The reference lookups: a plain binary search over the ranges. */
uint16_t rp_geo_lookup4(const struct rp_geo_db *db, uint32_t addr);
uint16_t rp_geo_lookup6(const struct rp_geo_db *db, uint64_t hi, uint64_t lo);

/* "FR" for a code; "--" for RP_GEO_NONE. Returns a static string. */
const char *rp_geo_cc_name(uint16_t cc);

void rp_geo_free(struct rp_geo_db *db);

#endif
