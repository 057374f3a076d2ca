/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Country datasets in userspace (docs/geo.md): the range lists every format is read into,
 * the reference lookup (binary search), the compact on-disk form and the importers.
 * The data plane's tables are built from a struct rp_geo_db by geo_maps.c.
 */
#ifndef RP_GEO_H
#define RP_GEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/* ------------------------------------------------------------------------------------ */
/* Country codes */

/* "FR" -> RP_GEO_CODE('F','R'); any two letters A-Z (upper case), else -EINVAL. */
int rp_geo_cc_parse(const char *s);
/* A country as opposed to a pseudo or unassigned code: ISO 3166-1 assigned codes, plus XK
 * (Kosovo) and AN (Netherlands Antilles, still in RIR data). Everything else, and
 * RP_GEO_NONE, is in the region `unknown` (docs/geo.md). */
bool rp_geo_cc_is_country(uint16_t cc);
/* A country field of imported data (s, len bytes): two letters of either case give their
 * code; any other two characters ("??", "--", MaxMind's legacy "A1", "A2", "O1") give ZZ;
 * another length is -EINVAL. */
int rp_geo_cc_import(const char *s, size_t len);

/* ------------------------------------------------------------------------------------ */
/* Loading and writing. Every function returns 0 or -errno and, on error, writes a message
 * naming the file (and line and column where they apply) into err. On error *db is left
 * empty: nothing is ever half-loaded. */

/* The built-in dataset's file name, and where it is looked for: <dir of the binary>/../data/
 * geo/ (a build tree: build/rempart), else RP_GEO_INSTALL_DIR. Returns a static string. */
#define RP_GEO_DEFAULT_FILE "geo-whois-asn-country.rpgeo"
#ifndef RP_GEO_INSTALL_DIR
#define RP_GEO_INSTALL_DIR "/usr/local/share/rempart/geo"
#endif
const char *rp_geo_default_path(void);

/* Any format, sniffed: the compact form (its magic), MaxMind DB (its metadata marker),
 * else a CSV range file (integer addresses: IPv6 if any exceeds 32 bits). */
int rp_geo_load(struct rp_geo_db *db, const char *path, char *err, size_t errlen);
int rp_geo_load_compact(struct rp_geo_db *db, const char *path, char *err, size_t errlen);
int rp_geo_load_mmdb(struct rp_geo_db *db, const char *path, char *err, size_t errlen);

/* CSV range files "start,end,CC" (docs/geo.md). family 4 or 6 says what integer addresses
 * are; 0 decides per file. Dotted and colon forms must match a given family. */
int rp_geo_load_csv_file(struct rp_geo_db *db, const char *path, int family, unsigned int flags,
			 char *err, size_t errlen);
/* The source's pair of files, either may be NULL. */
int rp_geo_load_csv(struct rp_geo_db *db, const char *v4path, const char *v6path,
		    unsigned int flags, char *err, size_t errlen);

/* Flags of the CSV loaders. Overlapping ranges are an error ("FILE:LINE: ... overlaps line
 * N") unless RP_GEO_OVERLAP_LATER: then each address takes the country of the last line
 * holding it (what the ip-location-db package needs: its CSV files write exceptions after
 * the wider ranges they punch into; this reproduces its own .mmdb exactly, docs/geo.md). */
#define RP_GEO_OVERLAP_LATER 1u

/* Move src's ranges into dst (src is emptied). Ranges of the two must not overlap; srcname
 * names src in the error. dst keeps its name and date. */
int rp_geo_merge(struct rp_geo_db *dst, struct rp_geo_db *src, const char *srcname, char *err,
		 size_t errlen);

/* The compact form (docs/geo.md): written to a temporary file and renamed over path. */
int rp_geo_write_compact(const struct rp_geo_db *db, const char *path, char *err,
			 size_t errlen);
/* Dotted / colon CSV, one file per family (either may be NULL). */
int rp_geo_write_csv(const struct rp_geo_db *db, FILE *v4, FILE *v6);

/*
 * Check db against a CSV range file: for every line, its first and last address and their
 * neighbours (first - 1, last + 1) must have the same country in db as in the CSV. Counts
 * the addresses probed in *probes. Returns 0, -EINVAL on a mismatch (err says where) or the
 * CSV's load error.
 */
int rp_geo_verify_csv(const struct rp_geo_db *db, const char *path, int family,
		      unsigned int flags, uint64_t *probes, char *err, size_t errlen);

/* ------------------------------------------------------------------------------------ */
/* For the importers: a list of raw ranges, possibly unsorted, made into a db. */

typedef unsigned __int128 rp_u128;

struct rp_geo_raw {
	rp_u128 first, last;
	uint32_t line; /* where it came from, for errors; 0: an earlier input */
	uint16_t cc;
	uint8_t family; /* 4 or 6 */
};

struct rp_geo_rawlist {
	struct rp_geo_raw *r;
	size_t n, cap;
};

int rp_geo_raw_add(struct rp_geo_rawlist *l, int family, rp_u128 first, rp_u128 last,
		   uint16_t cc, uint32_t line);
/*
 * Sort, reject overlaps ("SRC:LINE: ... overlaps line N") or resolve them (flags:
 * RP_GEO_OVERLAP_LATER), merge adjacent ranges of one country, drop RP_GEO_NONE, and fill db's ranges (name and date untouched). Frees the list
 * in every case.
 */
int rp_geo_raw_finish(struct rp_geo_rawlist *l, struct rp_geo_db *db, const char *src,
		      unsigned int flags, char *err, size_t errlen);
void rp_geo_raw_free(struct rp_geo_rawlist *l);

/* Addresses as 128-bit numbers (IPv4: the low 32 bits). */
static inline rp_u128 rp_geo_u128(uint64_t hi, uint64_t lo)
{
	return ((rp_u128)hi << 64) | lo;
}

/* "1.2.3.4" or "2001:db8::1" into family and number. Returns 0 or -EINVAL. */
int rp_geo_addr_parse(const char *s, int *family, rp_u128 *addr);
/* The reverse; buf of at least 46 bytes. */
const char *rp_geo_addr_str(int family, rp_u128 addr, char *buf, size_t len);
/* The country of an address of either family. */
uint16_t rp_geo_lookup(const struct rp_geo_db *db, int family, rp_u128 addr);

#endif
