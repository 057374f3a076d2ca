/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A tiny frame builder for the BPF fixture tests: append headers, then fix lengths.
 * Checksums are left at zero: the data plane does not verify them.
 */
#ifndef RP_TESTS_FRAMES_H
#define RP_TESTS_FRAMES_H

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

struct fb {
	uint8_t b[10000];
	size_t n;
	size_t l3; /* offset of the IP header */
	size_t l4; /* offset of the transport header */
};

static inline void fb_u16(struct fb *f, size_t off, uint16_t v)
{
	f->b[off] = v >> 8;
	f->b[off + 1] = v & 0xff;
}

/* Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01 (the upstream router). */
static inline void fb_eth(struct fb *f, uint16_t type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	memset(f, 0, sizeof(*f));
	memcpy(f->b, macs, 12);
	fb_u16(f, 12, type);
	f->n = 14;
}

static inline void fb_tag(struct fb *f, uint16_t vid, uint16_t next)
{
	fb_u16(f, f->n, vid);
	fb_u16(f, f->n + 2, next);
	f->n += 4;
}

/* IPv4 with ihl words (5 = no options), src 203.0.113.7 -> dst 192.0.2.10 by default. */
static inline void fb_ip4(struct fb *f, uint8_t proto, int ihl, uint16_t frag)
{
	uint8_t *ip = f->b + f->n;

	f->l3 = f->n;
	ip[0] = 0x40 | ihl;
	fb_u16(f, f->n + 6, frag);
	ip[8] = 64;
	ip[9] = proto;
	ip[12] = 203, ip[13] = 0, ip[14] = 113, ip[15] = 7;
	ip[16] = 192, ip[17] = 0, ip[18] = 2, ip[19] = 10;
	for (int i = 20; i < ihl * 4; i++)
		ip[i] = 1; /* NOP options */
	f->n += ihl * 4;
	f->l4 = f->n;
}

/* IPv6 2001:db8:ffff::7 -> 2001:db8::10 */
static inline void fb_ip6(struct fb *f, uint8_t nh)
{
	uint8_t *ip = f->b + f->n;

	f->l3 = f->n;
	ip[0] = 0x60;
	ip[6] = nh;
	ip[7] = 64;
	ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8, ip[12] = 0xff, ip[13] = 0xff;
	ip[23] = 7;
	ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x0d, ip[27] = 0xb8;
	ip[39] = 0x10;
	f->n += 40;
	f->l4 = f->n;
}

/* A generic IPv6 extension header (hop-by-hop, routing, destination) of 8*(len+1) bytes. */
static inline void fb_ext(struct fb *f, uint8_t nh, uint8_t len)
{
	f->b[f->n] = nh;
	f->b[f->n + 1] = len;
	if (len == 0 && 0)
		return;
	f->n += 8 * (len + 1);
	f->l4 = f->n;
}

static inline void fb_frag6(struct fb *f, uint8_t nh, uint16_t off_bytes, int more)
{
	f->b[f->n] = nh;
	fb_u16(f, f->n + 2, (off_bytes & 0xfff8) | (more ? 1 : 0));
	f->b[f->n + 7] = 0x42;
	f->n += 8;
	f->l4 = f->n;
}

static inline void fb_tcp(struct fb *f, int doff, uint8_t flags)
{
	fb_u16(f, f->n, 40000);
	fb_u16(f, f->n + 2, 443);
	f->b[f->n + 12] = doff << 4;
	f->b[f->n + 13] = flags;
	fb_u16(f, f->n + 14, 64240);
	f->n += doff >= 5 ? doff * 4 : 20;
}

static inline void fb_udp(struct fb *f, size_t payload)
{
	fb_u16(f, f->n, 53);
	fb_u16(f, f->n + 2, 33000);
	fb_u16(f, f->n + 4, 8 + payload);
	f->n += 8 + payload;
}

static inline void fb_bytes(struct fb *f, size_t n)
{
	f->n += n;
}

/* Set the IP length fields from the current end of the frame. */
static inline void fb_fix(struct fb *f)
{
	if ((f->b[f->l3] >> 4) == 4)
		fb_u16(f, f->l3 + 2, f->n - f->l3);
	else
		fb_u16(f, f->l3 + 4, f->n - f->l3 - 40);
}

#endif
