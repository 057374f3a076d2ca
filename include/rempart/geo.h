/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Country codes as both sides see them (docs/geo.md).
 *
 * A country is a 16-bit code derived from its two ISO 3166 letters, so the same country has
 * the same code in every dataset and a fence compiled from regions never depends on which
 * dataset is loaded: code = 1 + (c1 - 'A') * 26 + (c2 - 'A'), 1..676. Code 0 is "not in the
 * dataset" (unassigned space, bogons). Pseudo-codes of the source data (EU, AP, ZZ) keep
 * their own codes; the region `unknown` groups them with 0.
 */
#ifndef REMPART_GEO_ABI_H
#define REMPART_GEO_ABI_H

#define RP_GEO_NONE 0
#define RP_GEO_NCODES 677 /* 0 and 1..676 */
#define RP_GEO_CODE(c1, c2) ((__u16)(1 + ((c1) - 'A') * 26 + ((c2) - 'A')))
/* A set of countries: one bit per code (a fence's allowed set). */
#define RP_GEO_SET_WORDS ((RP_GEO_NCODES + 63) / 64) /* 11 __u64 */

#endif
