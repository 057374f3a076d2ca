// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcapng and classic pcap writing. See pcapng_write.h for why this is not libpcap.
 * Block layouts follow draft-ietf-opsawg-pcapng; classic pcap uses the nanosecond magic
 * 0xa1b23c4d, which libpcap and tcpdump read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng_write.h"

#define PCAPNG_SHB 0x0a0d0d0au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_BOM 0x1a2b3c4du
#define PCAP_MAGIC_NS 0xa1b23c4du

#define OPT_ENDOFOPT 0
#define OPT_SHB_USERAPPL 4
#define OPT_IF_TSRESOL 9
#define OPT_EPB_FLAGS 2

struct rp_pcapw {
	FILE *f;
	enum rp_pcapw_format format;
	uint32_t snaplen;
	bool dir_flags;
	int err; /* first -errno met, kept until close */
	char iobuf[1 << 20];
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void emit(struct rp_pcapw *w, const void *p, size_t len)
{
	if (w->err || !len)
		return;
	errno = 0;
	if (fwrite(p, 1, len, w->f) != len)
		w->err = errno ? -errno : -EIO;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* One option (code, len, value padded to 4 bytes) into buf; returns the bytes used. */
static size_t put_opt(uint8_t *buf, uint16_t code, const void *val, uint16_t len)
{
	put16(buf, code);
	put16(buf + 2, len);
	if (len)
		memcpy(buf + 4, val, len);
	memset(buf + 4 + len, 0, pad4(len) - len);
	return 4 + pad4(len);
}

static void write_pcapng_header(struct rp_pcapw *w, const struct rp_pcapw_opts *o)
{
	uint8_t b[512];
	size_t n = 0, app_len = o->app ? strlen(o->app) : 0;
	uint8_t tsresol = 9; /* 10^-9 s: nanoseconds */

	if (app_len > 256)
		app_len = 256;
	/* Section Header Block: no section length known in advance (-1). */
	put32(b, PCAPNG_SHB);
	put32(b + 8, PCAPNG_BOM);
	put16(b + 12, 1); /* version 1.0 */
	put16(b + 14, 0);
	put32(b + 16, 0xffffffffu);
	put32(b + 20, 0xffffffffu);
	n = 24;
	if (app_len) {
		n += put_opt(b + n, OPT_SHB_USERAPPL, o->app, app_len);
		n += put_opt(b + n, OPT_ENDOFOPT, NULL, 0);
	}
	put32(b + 4, n + 4);
	put32(b + n, n + 4);
	n += 4;
	emit(w, b, n);

	/* Interface Description Block. */
	put32(b, PCAPNG_IDB);
	put16(b + 8, o->linktype);
	put16(b + 10, 0);
	put32(b + 12, w->snaplen);
	n = 16;
	n += put_opt(b + n, OPT_IF_TSRESOL, &tsresol, 1);
	n += put_opt(b + n, OPT_ENDOFOPT, NULL, 0);
	put32(b + 4, n + 4);
	put32(b + n, n + 4);
	n += 4;
	emit(w, b, n);
}

static void write_pcap_header(struct rp_pcapw *w, const struct rp_pcapw_opts *o)
{
	uint8_t b[24];

	put32(b, PCAP_MAGIC_NS);
	put16(b + 4, 2);
	put16(b + 6, 4);
	put32(b + 8, 0); /* thiszone */
	put32(b + 12, 0); /* sigfigs */
	put32(b + 16, w->snaplen);
	put32(b + 20, o->linktype);
	emit(w, b, sizeof(b));
}

int rp_pcapw_open(struct rp_pcapw **out, const char *path, const struct rp_pcapw_opts *o)
{
	struct rp_pcapw *w;
	int err;

	*out = NULL;
	if (o->snaplen > RP_PCAPW_MAX_SNAPLEN)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->f = fopen(path, "wb");
	if (!w->f) {
		err = -errno;
		free(w);
		return err;
	}
	setvbuf(w->f, w->iobuf, _IOFBF, sizeof(w->iobuf));
	w->format = o->format;
	w->snaplen = o->snaplen ? o->snaplen : RP_PCAPW_MAX_SNAPLEN;
	w->dir_flags = o->dir_flags && o->format == RP_PCAPW_PCAPNG;
	if (o->format == RP_PCAPW_PCAPNG)
		write_pcapng_header(w, o);
	else
		write_pcap_header(w, o);
	if (w->err) {
		err = w->err;
		rp_pcapw_close(w);
		return err;
	}
	*out = w;
	return 0;
}

int rp_pcapw_write(struct rp_pcapw *w, uint64_t ts_ns, const void *data, uint32_t len,
		   unsigned int dir)
{
	static const uint8_t zero[4];
	uint32_t caplen = len < w->snaplen ? len : w->snaplen;
	uint8_t h[28], t[16];
	size_t tn = 0, total;

	if (w->format == RP_PCAPW_PCAP) {
		put32(h, ts_ns / 1000000000u);
		put32(h + 4, ts_ns % 1000000000u);
		put32(h + 8, caplen);
		put32(h + 12, len);
		emit(w, h, 16);
		emit(w, data, caplen);
		return w->err;
	}

	if (w->dir_flags) {
		uint8_t flags[4];

		put32(flags, dir & 3);
		tn += put_opt(t, OPT_EPB_FLAGS, flags, 4);
		tn += put_opt(t + tn, OPT_ENDOFOPT, NULL, 0);
	}
	total = 28 + pad4(caplen) + tn + 4;
	put32(h, PCAPNG_EPB);
	put32(h + 4, total);
	put32(h + 8, 0); /* interface 0 */
	put32(h + 12, ts_ns >> 32);
	put32(h + 16, (uint32_t)ts_ns);
	put32(h + 20, caplen);
	put32(h + 24, len);
	emit(w, h, 28);
	emit(w, data, caplen);
	emit(w, zero, pad4(caplen) - caplen);
	put32(t + tn, total);
	emit(w, t, tn + 4);
	return w->err;
}

int rp_pcapw_close(struct rp_pcapw *w)
{
	int err;

	if (!w)
		return 0;
	err = w->err;
	if (fclose(w->f) && !err)
		err = errno ? -errno : -EIO;
	free(w);
	return err;
}
