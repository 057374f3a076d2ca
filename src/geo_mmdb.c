// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * MaxMind DB (.mmdb) country databases through libmaxminddb: GeoLite2-Country, DB-IP
 * country lite, IPinfo country, ip-location-db's own mmdb. The search tree is walked with
 * MMDB_read_node, every data record read with MMDB_get_value; nothing here parses the
 * format by hand.
 *
 * The country of a record is the first of: country.iso_code (MaxMind, DB-IP),
 * country_code (ip-location-db), country as a string (IPinfo), registered_country.iso_code.
 * A record with none of them is "not in the dataset".
 */
#include <errno.h>
#include <maxminddb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "geo.h"

struct walk {
	MMDB_s mmdb;
	struct rp_geo_rawlist l;
	uint32_t ipv4_node; /* the node at ::/96 in an IPv6 tree (UINT32_MAX: none) */
	uint64_t visits, max_visits;
	const char *path;
	char *err;
	size_t errlen;
};

static int entry_cc(struct walk *w, MMDB_entry_s *e, uint16_t *cc)
{
	static const char *const paths[][3] = {
		{ "country", "iso_code", NULL },
		{ "country_code", NULL, NULL },
		{ "country", NULL, NULL },
		{ "registered_country", "iso_code", NULL },
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		MMDB_entry_data_s d;
		int rc = MMDB_aget_value(e, &d, paths[i]);
		int c;

		if (rc == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR ||
		    rc == MMDB_INVALID_LOOKUP_PATH_ERROR)
			continue;
		if (rc != MMDB_SUCCESS) {
			snprintf(w->err, w->errlen, "%s: corrupt data record at offset %u: %s",
				 w->path, e->offset, MMDB_strerror(rc));
			return -EINVAL;
		}
		if (!d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING)
			continue;
		c = rp_geo_cc_import(d.utf8_string, d.data_size);
		if (c < 0) {
			snprintf(w->err, w->errlen,
				 "%s: data record at offset %u: country '%.*s' is not two letters",
				 w->path, e->offset, (int)(d.data_size > 16 ? 16 : d.data_size),
				 d.utf8_string);
			return -EINVAL;
		}
		*cc = c;
		return 0;
	}
	*cc = RP_GEO_NONE;
	return 0;
}

/* Add the range of the prefix (addr, depth bits of a tree of bits) for a data record. */
static int emit(struct walk *w, rp_u128 addr, unsigned int depth, unsigned int bits,
		MMDB_entry_s *e)
{
	rp_u128 first = addr, last;
	unsigned int host = bits - depth;
	uint16_t cc;
	int family = 6;

	last = first | (host >= 128 ? ~(rp_u128)0 : (((rp_u128)1 << host) - 1));
	if (entry_cc(w, e, &cc))
		return -EINVAL;
	if (bits == 32) {
		family = 4;
	} else if (!(first >> 32) && !(last >> 32) && w->ipv4_node != UINT32_MAX) {
		/* ::/96 of an IPv6 tree is IPv4 (the MaxMind convention). */
		family = 4;
	}
	if (cc != RP_GEO_NONE && rp_geo_raw_add(&w->l, family, first, last, cc, 0)) {
		snprintf(w->err, w->errlen, "%s: out of memory", w->path);
		return -ENOMEM;
	}
	return 0;
}

static int walk(struct walk *w, uint32_t node, rp_u128 addr, unsigned int depth,
		unsigned int bits)
{
	MMDB_search_node_s n;
	int rc;

	/* A tree visits each node once (plus the IPv4 aliases, skipped below); more means a
	 * record loops back, and a corrupt file must not spin. */
	if (++w->visits > w->max_visits) {
		snprintf(w->err, w->errlen, "%s: corrupt search tree (records loop)", w->path);
		return -EINVAL;
	}
	rc = MMDB_read_node(&w->mmdb, node, &n);
	if (rc != MMDB_SUCCESS) {
		snprintf(w->err, w->errlen, "%s: corrupt search tree at node %u: %s", w->path, node,
			 MMDB_strerror(rc));
		return -EINVAL;
	}
	for (int side = 0; side < 2; side++) {
		uint8_t type = side ? n.right_record_type : n.left_record_type;
		uint64_t rec = side ? n.right_record : n.left_record;
		MMDB_entry_s *e = side ? &n.right_record_entry : &n.left_record_entry;
		rp_u128 a = addr | ((rp_u128)side << (bits - depth - 1));

		switch (type) {
		case MMDB_RECORD_TYPE_SEARCH_NODE:
			if (depth + 1 >= bits) {
				snprintf(w->err, w->errlen,
					 "%s: corrupt search tree: deeper than %u bits", w->path,
					 bits);
				return -EINVAL;
			}
			/* IPv4-mapped and 6to4 space alias the IPv4 subtree: read it once. */
			if (rec == w->ipv4_node && !(depth + 1 == 96 && a == 0))
				break;
			rc = walk(w, rec, a, depth + 1, bits);
			if (rc)
				return rc;
			break;
		case MMDB_RECORD_TYPE_EMPTY:
			break;
		case MMDB_RECORD_TYPE_DATA:
			rc = emit(w, a, depth + 1, bits, e);
			if (rc)
				return rc;
			break;
		default:
			snprintf(w->err, w->errlen,
				 "%s: corrupt search tree: node %u points outside the file", w->path,
				 node);
			return -EINVAL;
		}
	}
	return 0;
}

int rp_geo_load_mmdb(struct rp_geo_db *db, const char *path, char *err, size_t errlen)
{
	struct walk w = { .path = path, .err = err, .errlen = errlen, .ipv4_node = UINT32_MAX };
	struct rp_geo_db out = {};
	unsigned int bits;
	int rc = MMDB_open(path, MMDB_MODE_MMAP, &w.mmdb);

	if (rc != MMDB_SUCCESS) {
		snprintf(err, errlen, "%s: not a valid MaxMind DB: %s", path, MMDB_strerror(rc));
		return rc == MMDB_IO_ERROR ? -EIO : -EINVAL;
	}
	bits = w.mmdb.metadata.ip_version == 6 ? 128 : 32;
	/* Room for aliases other writers add (Teredo); a real tree stays far below. */
	w.max_visits = 4 * (uint64_t)w.mmdb.metadata.node_count + 16;
	if (bits == 128) {
		/* Follow ::/96 to find the IPv4 subtree, as libmaxminddb itself does. */
		uint64_t node = 0;

		for (int i = 0; i < 96 && node < w.mmdb.metadata.node_count; i++) {
			MMDB_search_node_s n;

			if (MMDB_read_node(&w.mmdb, node, &n) != MMDB_SUCCESS ||
			    n.left_record_type != MMDB_RECORD_TYPE_SEARCH_NODE) {
				node = UINT64_MAX;
				break;
			}
			node = n.left_record;
		}
		if (node < w.mmdb.metadata.node_count)
			w.ipv4_node = node;
	}
	rc = walk(&w, 0, 0, 0, bits);
	if (!rc)
		rc = rp_geo_raw_finish(&w.l, &out, path, 0, err, errlen);
	rp_geo_raw_free(&w.l);
	if (rc) {
		MMDB_close(&w.mmdb);
		return rc;
	}
	/* The name and date the database gives itself: its type and build time. */
	snprintf(out.name, sizeof(out.name), "%s",
		 w.mmdb.metadata.database_type ? w.mmdb.metadata.database_type : "mmdb");
	{
		time_t t = (time_t)w.mmdb.metadata.build_epoch;
		struct tm tm;

		if (gmtime_r(&t, &tm))
			strftime(out.date, sizeof(out.date), "%Y-%m-%d", &tm);
	}
	MMDB_close(&w.mmdb);
	rp_geo_free(db);
	*db = out;
	return 0;
}
