// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The compact on-disk form of a dataset (docs/geo.md, byte by byte): a 140-byte header, then
 * one zlib stream holding a code table and, per family, the address space cut into segments
 * (start deltas and a code index; gaps are segments of RP_GEO_NONE). Everything is checked
 * on load: magic, version, sizes, two CRC-32s, then every segment; a file that fails any
 * check loads nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "file.h"
#include "geo.h"

#define RP_GEO_MAGIC "RPGEODB\n"
#define RP_GEO_VERSION 1
#define RP_GEO_HDR 140
#define RP_GEO_MAX_RAW (256u << 20)

/* ------------------------------------------------------------------------------------ */
/* Little-endian fields and LEB128 */

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static uint32_t get32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static int buf_put(struct buf *b, const void *src, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 20;
		void *p;

		while (cap < b->len + n)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
	return 0;
}

static int put_varint(struct buf *b, rp_u128 v)
{
	unsigned char t[19];
	size_t n = 0;

	do {
		t[n] = v & 0x7f;
		v >>= 7;
		if (v)
			t[n] |= 0x80;
		n++;
	} while (v);
	return buf_put(b, t, n);
}

struct rd {
	const unsigned char *p, *end;
};

static int get_varint(struct rd *r, rp_u128 *out)
{
	rp_u128 v = 0;

	for (int shift = 0; shift < 133; shift += 7) {
		unsigned char c;

		if (r->p >= r->end)
			return -EINVAL;
		c = *r->p++;
		if (shift == 126 && (c & 0x7c))
			return -EINVAL; /* more than 128 bits */
		v |= (rp_u128)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -EINVAL;
}

static unsigned int ctz128(rp_u128 v)
{
	unsigned int n = 0;

	if (!v)
		return 0;
	while (!(v & 1)) {
		v >>= 1;
		n++;
	}
	return n;
}

/* ------------------------------------------------------------------------------------ */
/* Writing */

struct seg {
	rp_u128 start;
	uint16_t cc;
};

struct segs {
	struct seg *s;
	size_t n, cap;
};

static int seg_add(struct segs *l, rp_u128 start, uint16_t cc)
{
	if (l->n && l->s[l->n - 1].cc == cc)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 4096;
		void *p = realloc(l->s, cap * sizeof(*l->s));

		if (!p)
			return -ENOMEM;
		l->s = p;
		l->cap = cap;
	}
	l->s[l->n++] = (struct seg){ start, cc };
	return 0;
}

/* The family's whole space as segments: ranges, and RP_GEO_NONE for the gaps. */
static int segments(const struct rp_geo_db *db, int family, struct segs *l)
{
	rp_u128 max = family == 4 ? 0xffffffffu : ~(rp_u128)0, next = 0;
	size_t n = family == 4 ? db->n4 : db->n6;
	bool full = false;

	for (size_t i = 0; i < n; i++) {
		rp_u128 first, last;
		uint16_t cc;

		if (family == 4) {
			first = db->v4[i].first;
			last = db->v4[i].last;
			cc = db->v4[i].cc;
		} else {
			first = rp_geo_u128(db->v6[i].first_hi, db->v6[i].first_lo);
			last = rp_geo_u128(db->v6[i].last_hi, db->v6[i].last_lo);
			cc = db->v6[i].cc;
		}
		if (full || first < next || last < first)
			return -EINVAL; /* not sorted or overlapping: a bug upstream */
		if (first > next && seg_add(l, next, RP_GEO_NONE))
			return -ENOMEM;
		if (seg_add(l, first, cc))
			return -ENOMEM;
		if (last == max)
			full = true;
		next = last + 1;
	}
	if (!full && seg_add(l, next, RP_GEO_NONE))
		return -ENOMEM;
	return 0;
}

static int code_cmp(const void *a, const void *b, void *arg)
{
	const unsigned int *code_count = arg;
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	if (code_count[x] != code_count[y])
		return code_count[x] > code_count[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int encode(const struct segs *l, const uint16_t *index, struct buf *b)
{
	for (size_t i = 0; i < l->n; i++) {
		rp_u128 delta = i ? l->s[i].start - l->s[i - 1].start : 0;
		unsigned char tz = ctz128(delta);

		if (put_varint(b, index[l->s[i].cc]) || buf_put(b, &tz, 1) ||
		    put_varint(b, delta >> tz))
			return -ENOMEM;
	}
	return 0;
}

int rp_geo_write_compact(const struct rp_geo_db *db, const char *path, char *err, size_t errlen)
{
	struct segs s4 = {}, s6 = {};
	struct buf raw = {};
	uint16_t codes[RP_GEO_NCODES], index[RP_GEO_NCODES];
	unsigned int code_count[RP_GEO_NCODES] = {};
	unsigned char hdr[RP_GEO_HDR] = {}, *z = NULL;
	unsigned int ncodes = 0;
	uLongf zlen;
	char tmp[4096];
	FILE *f = NULL;
	int ret;

	ret = segments(db, 4, &s4);
	if (!ret)
		ret = segments(db, 6, &s6);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path,
			 ret == -ENOMEM ? "out of memory" : "ranges not sorted (internal error)");
		goto out;
	}
	/* The code table, most frequent first, so that most indexes take one byte. */
	for (size_t i = 0; i < s4.n; i++)
		code_count[s4.s[i].cc]++;
	for (size_t i = 0; i < s6.n; i++)
		code_count[s6.s[i].cc]++;
	for (unsigned int c = 0; c < RP_GEO_NCODES; c++)
		if (code_count[c])
			codes[ncodes++] = c;
	qsort_r(codes, ncodes, sizeof(codes[0]), code_cmp, code_count);
	for (unsigned int i = 0; i < ncodes; i++) {
		unsigned char le[2] = { codes[i] & 0xff, codes[i] >> 8 };

		index[codes[i]] = i;
		if (buf_put(&raw, le, 2))
			goto nomem;
	}
	if (encode(&s4, index, &raw) || encode(&s6, index, &raw))
		goto nomem;
	zlen = compressBound(raw.len);
	z = malloc(zlen);
	if (!z || compress2(z, &zlen, raw.p, raw.len, 9) != Z_OK)
		goto nomem;

	memcpy(hdr, RP_GEO_MAGIC, 8);
	put32(hdr + 8, RP_GEO_VERSION);
	put32(hdr + 12, RP_GEO_HDR);
	memcpy(hdr + 16, db->name, strnlen(db->name, 63));
	memcpy(hdr + 80, db->date, strnlen(db->date, 31));
	put32(hdr + 112, s4.n);
	put32(hdr + 116, s6.n);
	put32(hdr + 120, ncodes);
	put32(hdr + 124, raw.len);
	put32(hdr + 128, zlen);
	put32(hdr + 132, crc32(0, z, zlen));
	put32(hdr + 136, crc32(0, hdr, 136));

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f || fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr) || fwrite(z, 1, zlen, f) != zlen ||
	    fclose(f)) {
		ret = errno ? -errno : -EIO;
		snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(-ret));
		if (f)
			unlink(tmp);
		f = NULL;
		goto out;
	}
	f = NULL;
	if (rename(tmp, path)) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
	}
	goto out;
nomem:
	ret = -ENOMEM;
	snprintf(err, errlen, "%s: out of memory", path);
out:
	free(z);
	free(raw.p);
	free(s4.s);
	free(s6.s);
	return ret;
}

/* ------------------------------------------------------------------------------------ */
/* Reading */

static int decode(struct rd *r, int family, uint32_t nseg, const uint16_t *codes,
		  uint32_t ncodes, struct rp_geo_rawlist *l, const char *path, char *err,
		  size_t errlen)
{
	rp_u128 max = family == 4 ? 0xffffffffu : ~(rp_u128)0, start = 0, idx, mant;
	uint32_t prev_idx = UINT32_MAX;
	uint16_t cc = 0;

	if (!nseg) {
		snprintf(err, errlen, "%s: corrupt: no IPv%d segments", path, family);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < nseg; i++) {
		rp_u128 delta;
		unsigned char tz;

		if (get_varint(r, &idx) || r->p >= r->end)
			goto trunc;
		tz = *r->p++;
		if (get_varint(r, &mant))
			goto trunc;
		if (idx >= ncodes || idx == prev_idx || tz >= (family == 4 ? 32 : 128) ||
		    (mant << tz) >> tz != mant) {
			snprintf(err, errlen, "%s: corrupt: IPv%d segment %u is invalid", path,
				 family, i);
			return -EINVAL;
		}
		delta = mant << tz;
		if ((i == 0) != (delta == 0) || delta > max - start ||
		    (i && delta == 0)) {
			snprintf(err, errlen, "%s: corrupt: IPv%d segment %u starts out of order",
				 path, family, i);
			return -EINVAL;
		}
		if (i) {
			if (cc && rp_geo_raw_add(l, family, start, start + delta - 1, cc, 0))
				goto nomem;
			start += delta;
		}
		cc = codes[idx];
		prev_idx = idx;
	}
	if (cc && rp_geo_raw_add(l, family, start, max, cc, 0))
		goto nomem;
	return 0;
trunc:
	snprintf(err, errlen, "%s: corrupt: IPv%d segments end early", path, family);
	return -EINVAL;
nomem:
	snprintf(err, errlen, "%s: out of memory", path);
	return -ENOMEM;
}

int rp_geo_load_compact(struct rp_geo_db *db, const char *path, char *err, size_t errlen)
{
	struct rp_geo_db out = {};
	struct rp_geo_rawlist l = {};
	unsigned char *file = NULL, *raw = NULL, *h;
	uint16_t codes[RP_GEO_NCODES];
	uint32_t n4, n6, ncodes, rawlen, zlen;
	size_t size = 0;
	struct rd r;
	uLongf got;
	int ret = -EINVAL;

	ret = rp_read_file(path, &file, &size, err, errlen);
	if (ret)
		return ret;
	ret = -EINVAL;
	h = file;
	if (size < 8 || memcmp(h, RP_GEO_MAGIC, 8)) {
		snprintf(err, errlen, "%s: not a rempart geo file (bad magic)", path);
		goto out;
	}
	if (size < RP_GEO_HDR) {
		snprintf(err, errlen, "%s: truncated: %zu bytes, the header alone is %d", path,
			 size, RP_GEO_HDR);
		goto out;
	}
	if (get32(h + 136) != crc32(0, h, 136)) {
		snprintf(err, errlen, "%s: corrupt: header checksum mismatch", path);
		goto out;
	}
	if (get32(h + 8) != RP_GEO_VERSION || get32(h + 12) != RP_GEO_HDR) {
		snprintf(err, errlen, "%s: version %u not supported (expected %d)", path,
			 get32(h + 8), RP_GEO_VERSION);
		goto out;
	}
	n4 = get32(h + 112);
	n6 = get32(h + 116);
	ncodes = get32(h + 120);
	rawlen = get32(h + 124);
	zlen = get32(h + 128);
	if (size != (size_t)RP_GEO_HDR + zlen) {
		snprintf(err, errlen, "%s: %s: %zu bytes, expected %zu", path,
			 size < (size_t)RP_GEO_HDR + zlen ? "truncated" : "trailing bytes", size,
			 (size_t)RP_GEO_HDR + zlen);
		goto out;
	}
	if (get32(h + 132) != crc32(0, h + RP_GEO_HDR, zlen)) {
		snprintf(err, errlen, "%s: corrupt: data checksum mismatch", path);
		goto out;
	}
	if (!ncodes || ncodes > RP_GEO_NCODES || rawlen > RP_GEO_MAX_RAW || h[16 + 63] ||
	    h[80 + 31]) {
		snprintf(err, errlen, "%s: corrupt: impossible header values", path);
		goto out;
	}
	raw = malloc(rawlen ? rawlen : 1);
	if (!raw)
		goto nomem;
	got = rawlen;
	if (uncompress(raw, &got, h + RP_GEO_HDR, zlen) != Z_OK || got != rawlen) {
		snprintf(err, errlen, "%s: corrupt: the data does not inflate to %u bytes", path,
			 rawlen);
		goto out;
	}
	r.p = raw;
	r.end = raw + rawlen;
	if (rawlen < 2 * ncodes) {
		snprintf(err, errlen, "%s: corrupt: code table truncated", path);
		goto out;
	}
	{
		bool seen[RP_GEO_NCODES] = {};

		for (uint32_t i = 0; i < ncodes; i++, r.p += 2) {
			codes[i] = r.p[0] | r.p[1] << 8;
			if (codes[i] >= RP_GEO_NCODES || seen[codes[i]]) {
				snprintf(err, errlen,
					 "%s: corrupt: country code %u out of range or repeated",
					 path, codes[i]);
				goto out;
			}
			seen[codes[i]] = true;
		}
	}
	ret = decode(&r, 4, n4, codes, ncodes, &l, path, err, errlen);
	if (!ret)
		ret = decode(&r, 6, n6, codes, ncodes, &l, path, err, errlen);
	if (!ret && r.p != r.end) {
		snprintf(err, errlen, "%s: corrupt: %zu bytes after the last segment", path,
			 (size_t)(r.end - r.p));
		ret = -EINVAL;
	}
	if (ret)
		goto out;
	ret = rp_geo_raw_finish(&l, &out, path, 0, err, errlen);
	if (ret)
		goto out;
	memcpy(out.name, h + 16, 64);
	memcpy(out.date, h + 80, 32);
	rp_geo_free(db);
	*db = out;
	goto out;
nomem:
	ret = -ENOMEM;
	snprintf(err, errlen, "%s: out of memory", path);
out:
	rp_geo_raw_free(&l);
	free(raw);
	free(file);
	return ret;
}
