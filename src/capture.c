// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libpcap reads the records. It does not expose pcapng's per-packet flags (epb_flags,
 * where the direction lives), so a small block walker sees the bytes libpcap reads (a tee
 * on libpcap's stream: the file is read once) and only looks at those options. If the walker and libpcap ever disagree on the file's
 * layout, the walker stops and the remaining frames have no capture direction (they then
 * fall back to the upstream MAC and the address rule, as documented in docs/replay.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "rempart/abi.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

/*
 * The pcapng block walker: just enough to find each packet block's epb_flags. It is fed the
 * bytes libpcap reads, as libpcap reads them (the stream libpcap is given is a tee over the
 * file: the file is read once, for both), and queues the direction of every packet block
 * (EPB 6, SPB 3, obsolete PB 2: the ones libpcap returns as packets). libpcap reads a block
 * whole before it returns its packet, so the queue holds that packet's direction by then.
 */
struct rp_ngwalk {
	int swap; /* section byte order differs from ours */
	int dead; /* lost sync or hit damage: no more directions */
	uint8_t hdr[12]; /* the block header being read */
	uint32_t hdr_have;
	int in_body; /* reading a block's body (after its header) */
	uint32_t type, blen, have; /* that block: type (0: not a packet block), body length */
	uint8_t *body; /* a packet block's body, reused from block to block */
	uint32_t cap;
	uint8_t *q; /* directions of packet blocks libpcap has not returned yet: a ring */
	size_t q_cap, q_head, q_len;
};

#define RP_CAP_IOBUF (1 << 20)

struct rp_capture {
	pcap_t *pcap;
	FILE *pf; /* libpcap's stream (the tee); pcap_close() closes it, and the file with it */
	int fd;
	char *pf_buf; /* its buffer (RP_CAP_IOBUF), freed after it */
	int dlt;
	int nanos;
	int is_ng;
	struct rp_ngwalk ng;
	char err[PCAP_ERRBUF_SIZE + 128];
	const char *path;
	uint64_t frames;
};

static uint32_t ng32(const struct rp_ngwalk *w, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return w->swap ? __builtin_bswap32(v) : v;
}

static uint16_t ng16(const struct rp_ngwalk *w, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return w->swap ? __builtin_bswap16(v) : v;
}

/* The direction in a packet block's body (type 6 or 2; 3 has no options), or -1: damage. */
static int ng_block_dir(const struct rp_ngwalk *w, uint32_t type, const uint8_t *body,
			uint32_t blen)
{
	uint64_t optoff; /* 64 bits: a caplen near 2^32 must not wrap back into the block */

	if (type == 3) /* simple packet block: no options */
		return RP_DIR_UNKNOWN;
	/* EPB: if_id, ts_hi, ts_lo, caplen, origlen; PB: if_id(16) drops(16) ts ts caplen len */
	if (blen < 24)
		return -1;
	optoff = 20 + (((uint64_t)ng32(w, body + 12) + 3) & ~3ull);
	/* An option header (4 bytes) before the block's trailing length (4 bytes). */
	while (optoff + 8 <= blen) {
		uint16_t code = ng16(w, body + optoff), olen = ng16(w, body + optoff + 2);

		if (code == 0)
			break;
		if (code == 2 && olen == 4 && optoff + 12 <= blen) {
			uint32_t flags = ng32(w, body + optoff + 4);

			switch (flags & 3) {
			case 1:
				return RP_DIR_IN;
			case 2:
				return RP_DIR_OUT;
			default:
				return RP_DIR_UNKNOWN;
			}
		}
		optoff += 4 + ((olen + 3u) & ~3u);
	}
	return RP_DIR_UNKNOWN;
}

static int ng_push(struct rp_ngwalk *w, uint8_t dir)
{
	if (w->q_len == w->q_cap) {
		size_t cap = w->q_cap ? 2 * w->q_cap : 4096;
		uint8_t *q = malloc(cap);

		if (!q)
			return -1;
		for (size_t i = 0; i < w->q_len; i++)
			q[i] = w->q[(w->q_head + i) % w->q_cap];
		free(w->q);
		w->q = q;
		w->q_cap = cap;
		w->q_head = 0;
	}
	w->q[(w->q_head + w->q_len) % w->q_cap] = dir;
	w->q_len++;
	return 0;
}

/* The next packet's direction: unknown once the walker has stopped short of it. */
static int ng_next_dir(struct rp_ngwalk *w)
{
	uint8_t dir;

	if (!w->q_len)
		return RP_DIR_UNKNOWN;
	dir = w->q[w->q_head];
	w->q_head = (w->q_head + 1) % w->q_cap;
	w->q_len--;
	return dir;
}

/*
 * Walk n more bytes of the file. Any doubt kills the walker: the directions of the blocks
 * after it are then unknown, which is safe, never wrong.
 */
static void ng_feed(struct rp_ngwalk *w, const uint8_t *p, size_t n)
{
	while (n && !w->dead) {
		if (w->in_body) {
			uint32_t take = w->blen - w->have < n ? w->blen - w->have : (uint32_t)n;
			int dir;

			if (w->type)
				memcpy(w->body + w->have, p, take);
			w->have += take;
			p += take;
			n -= take;
			if (w->have < w->blen)
				return;
			w->in_body = 0;
			if (!w->type)
				continue;
			dir = ng_block_dir(w, w->type, w->body, w->blen);
			if (dir < 0 || ng_push(w, (uint8_t)dir))
				w->dead = 1;
			continue;
		}
		{
			uint32_t need = 8, take, raw, len;

			if (w->hdr_have >= 4) {
				memcpy(&raw, w->hdr, 4);
				if (raw == 0x0A0D0D0A)
					need = 12; /* section header: its byte-order magic too */
			}
			take = need - w->hdr_have < n ? need - w->hdr_have : (uint32_t)n;
			if (w->hdr_have < 4 && w->hdr_have + take > 4)
				take = 4 - w->hdr_have; /* look at the type before reading on */
			memcpy(w->hdr + w->hdr_have, p, take);
			w->hdr_have += take;
			p += take;
			n -= take;
			if (w->hdr_have < 8)
				continue;
			memcpy(&raw, w->hdr, 4);
			if (raw == 0x0A0D0D0A) {
				uint32_t bom;

				if (w->hdr_have < 12)
					continue;
				memcpy(&bom, w->hdr + 8, 4);
				if (bom == 0x1A2B3C4D)
					w->swap = 0;
				else if (bom == 0x4D3C2B1A)
					w->swap = 1;
				else
					goto dead;
				len = ng32(w, w->hdr + 4);
				if (len < 28 || len % 4 || len > (1u << 24))
					goto dead;
				w->type = 0;
				w->blen = len - 12;
			} else {
				uint32_t type = ng32(w, w->hdr);

				len = ng32(w, w->hdr + 4);
				if (len < 12 || len % 4 || len > (1u << 26))
					goto dead;
				w->type = type == 6 || type == 3 || type == 2 ? type : 0;
				w->blen = len - 8;
				if (w->type && w->blen > w->cap) {
					uint8_t *b = realloc(w->body, w->blen);

					if (!b)
						goto dead;
					w->body = b;
					w->cap = w->blen;
				}
			}
			w->hdr_have = 0;
			w->have = 0;
			w->in_body = 1;
		}
	}
	return;
dead:
	w->dead = 1;
}

/* libpcap's stream: reads the file, and shows a pcapng file's bytes to the walker. */
static ssize_t tee_read(void *cookie, char *buf, size_t size)
{
	struct rp_capture *c = cookie;
	ssize_t n;

	do
		n = read(c->fd, buf, size);
	while (n < 0 && errno == EINTR);
	if (n > 0 && c->is_ng)
		ng_feed(&c->ng, (const uint8_t *)buf, (size_t)n);
	return n;
}

static int tee_close(void *cookie)
{
	struct rp_capture *c = cookie;
	int rc = close(c->fd);

	c->fd = -1;
	return rc;
}

static const char *link_name(int dlt)

{
	switch (dlt) {
	case DLT_EN10MB:
		return "Ethernet";
	case DLT_LINUX_SLL:
		return "Linux cooked v1";
	case DLT_LINUX_SLL2:
		return "Linux cooked v2";
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return "raw IP";
	default:
		return pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "unknown";
	}
}

/* The structure, the walker's memory and the stream's buffer, once the stream is closed. */
static void capture_free(struct rp_capture *c)
{
	if (!c)
		return;
	free(c->ng.body);
	free(c->ng.q);
	free(c->pf_buf);
	free(c);
}

int rp_capture_open(const char *path, struct rp_capture **out, char *err, size_t errlen)
{
	static const cookie_io_functions_t tee = { .read = tee_read, .close = tee_close };
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct rp_capture *c;
	uint32_t magic = 0;

	c = calloc(1, sizeof(*c));
	if (c)
		c->pf_buf = malloc(RP_CAP_IOBUF);
	if (!c || !c->pf_buf) {
		snprintf(err, errlen, "out of memory");
		capture_free(c);
		return -ENOMEM;
	}
	c->path = path;
	c->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
		capture_free(c);
		return -e;
	}
	if (pread(c->fd, &magic, 4, 0) == 4 && ((magic & 0xffff) == 0x8b1f)) {
		close(c->fd);
		capture_free(c);
		snprintf(err, errlen, "%s: compressed with gzip; run gunzip first", path);
		return -EINVAL;
	}
	c->is_ng = magic == 0x0A0D0D0A;
	/* libpcap's stream, with a large buffer of our own set before any I/O (with a NULL
	 * buffer glibc keeps a 4 KiB one: a read() syscall every few frames). */
	c->pf = fopencookie(c, "rb", tee);
	if (!c->pf) {
		int e = errno;

		close(c->fd);
		capture_free(c);
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	setvbuf(c->pf, c->pf_buf, _IOFBF, RP_CAP_IOBUF);
	c->pcap = pcap_fopen_offline_with_tstamp_precision(c->pf, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!c->pcap) {
		snprintf(err, errlen, "%s: not a capture libpcap can read: %s", path, ebuf);
		fclose(c->pf);
		capture_free(c);
		return -EINVAL;
	}
	c->dlt = pcap_datalink(c->pcap);
	switch (c->dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		break;
	default:
		snprintf(err, errlen,
			 "%s: link type %s (%d) is not supported; rempart replays Ethernet, Linux cooked v1/v2 and raw IP captures",
			 path, link_name(c->dlt), c->dlt);
		pcap_close(c->pcap);
		capture_free(c);
		return -EINVAL;
	}
	*out = c;
	return 0;
}

/* Put an Ethernet header with this EtherType in front of the L3 payload at buf+HEADROOM. */
static void fake_eth(uint8_t *eth, uint16_t ethertype, const uint8_t *src_mac)
{
	memset(eth, 0, 12);
	if (src_mac)
		memcpy(eth + 6, src_mac, 6);
	eth[12] = ethertype >> 8;
	eth[13] = ethertype & 0xff;
}

int rp_capture_next(struct rp_capture *c, uint8_t *buf, struct rp_frame *f)
{
	struct pcap_pkthdr *h;
	const uint8_t *d;
	uint8_t *eth = buf + RP_CAP_HEADROOM;
	uint32_t hl = 0, caplen, take;
	uint16_t et = 0;
	const uint8_t *src_mac = NULL;
	int rc;

	rc = pcap_next_ex(c->pcap, &h, &d);
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		snprintf(c->err, sizeof(c->err), "%s: damaged after frame %llu: %s", c->path,
			 (unsigned long long)c->frames, pcap_geterr(c->pcap));
		return -EIO;
	}
	c->frames++;
	memset(f, 0, sizeof(*f));
	f->hdr = h;
	f->orig = d;
	f->time_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
	f->dir = c->is_ng ? ng_next_dir(&c->ng) : RP_DIR_UNKNOWN;
	caplen = h->caplen;

	switch (c->dlt) {
	case DLT_EN10MB:
		hl = 0;
		break;
	case DLT_LINUX_SLL: /* pkttype(2) arphrd(2) alen(2) addr(8) proto(2) */
		hl = 16;
		if (caplen >= 16) {
			uint16_t pt = d[0] << 8 | d[1];

			f->dir = pt == 4 ? RP_DIR_OUT : RP_DIR_IN;
			et = d[14] << 8 | d[15];
			src_mac = d + 6;
		}
		break;
	case DLT_LINUX_SLL2: /* proto(2) rsv(2) ifindex(4) arphrd(2) pkttype(1) alen(1) addr(8) */
		hl = 20;
		if (caplen >= 20) {
			f->dir = d[10] == 4 ? RP_DIR_OUT : RP_DIR_IN;
			et = d[0] << 8 | d[1];
			src_mac = d + 12;
		}
		break;
	default: /* raw IP: the version nibble says which */
		hl = 0;
		if (caplen >= 1)
			et = (d[0] >> 4) == 4 ? 0x0800 : (d[0] >> 4) == 6 ? 0x86dd : 0;
		break;
	}

	if (c->dlt == DLT_EN10MB) {
		f->cap_len = caplen;
		f->wire_len = h->len;
		take = caplen < RP_CAP_MAX_FRAME ? caplen : RP_CAP_MAX_FRAME;
		memcpy(eth, d, take);
	} else if (caplen < hl) {
		/* A cooked header cut short: nothing of the frame survives. */
		f->cap_len = 0;
		f->wire_len = h->len >= hl ? h->len - hl + 14 : 0;
		take = 0;
	} else {
		/* Cooked and raw frames become Ethernet: the wire saw a 14-byte header. */
		fake_eth(eth, et, src_mac);
		f->cap_len = caplen - hl + 14;
		f->wire_len = (h->len >= hl ? h->len - hl : 0) + 14;
		take = caplen - hl;
		if (take > RP_CAP_MAX_FRAME - 14)
			take = RP_CAP_MAX_FRAME - 14;
		memcpy(eth + 14, d + hl, take);
		take += 14;
	}
	if (f->wire_len < f->cap_len)
		f->wire_len = f->cap_len; /* some writers leave len below caplen */
	f->data = eth;
	f->len = take;
	return 1;
}

const char *rp_capture_error(const struct rp_capture *c)
{
	return c->err;
}

const char *rp_capture_format(const struct rp_capture *c)
{
	return c->is_ng ? "pcapng" : "pcap";
}

const char *rp_capture_link_name(const struct rp_capture *c)
{
	return link_name(c->dlt);
}

pcap_t *rp_capture_pcap(struct rp_capture *c)
{
	return c->pcap;
}

void rp_capture_close(struct rp_capture *c)
{
	if (!c)
		return;
	pcap_close(c->pcap);
	capture_free(c);
}
