// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Frame builders for `rempart bench`. Addresses are documentation space: the protected
 * hosts are 192.0.2.10, 192.0.2.50 and 2001:db8:10::10; the sources 198.51.100.23,
 * 203.0.113.53 (a reflector) and 2001:db8:ffff::7.
 */
#include <errno.h>
#include <string.h>

#include "bench_frames.h"

#define ETH_IP 0x0800
#define ETH_IP6 0x86dd
#define ETH_VLAN 0x8100
#define P_HOP 0
#define P_TCP 6
#define P_UDP 17
#define P_FRAG 44
#define P_DST 60
#define TCP_SYN 0x02
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* Largest whole datagram a fragment is cut from. */
#define DGRAM_MAX 4096

static const uint8_t src4[4] = { 198, 51, 100, 23 };
static const uint8_t refl4[4] = { 203, 0, 113, 53 };
static const uint8_t web4[4] = { 192, 0, 2, 10 };
static const uint8_t vpn4[4] = { 192, 0, 2, 50 };
static const uint8_t src6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 7 };
static const uint8_t web6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x10, [15] = 0x10 };
static const uint8_t dns4[4] = { 192, 0, 2, 53 };

/* The policy frames' simulated sources: public space, since documentation space is in the
 * bogon list. A web client (known), a VPN peer, an allow-listed resolver, three attackers;
 * IPv6: a web client (known) and an attacker. Countries (built-in dataset): GB, FR, US
 * (allow-listed), CN, BR, DE; FR and US: the level-3 figure fences two attackers of three
 * and the IPv6 one. */
const uint8_t rp_bench_src4[RP_BF_NSRC4][4] = {
	{ 81, 2, 69, 142 }, /* web client */
	{ 62, 210, 16, 3 }, /* vpn peer */
	{ 149, 112, 112, 112 }, /* resolver, allow-listed (149.112.112.0/24) */
	{ 36, 110, 180, 10 }, /* attack: SYN to web (CN: outside the level-3 fence) */
	{ 200, 160, 2, 3 }, /* attack: queries to dns (BR: outside the fence) */
	{ 91, 92, 240, 7 }, /* attack: IKE to vpn (DE: inside the fence) */
};
#define CLI4 rp_bench_src4[0]
#define PEER4 rp_bench_src4[1]
#define RESOLVER4 rp_bench_src4[2]
#define ATK4 rp_bench_src4[3]
#define ATK4_DNS rp_bench_src4[4]
#define ATK4_IKE rp_bench_src4[5]
static const uint8_t cli6[16] = { 0x2a, 0x01, 0x0e, 0x0a, 0x01, 0xf2, 0x3c, 0x40, [15] = 0x51 };
static const uint8_t atk6[16] = { 0x24, 0x00, 0xcb, 0x00, 0x20, 0x48, [15] = 0x66 }; /* US */

/* MSS 1460, SACK permitted, timestamps, NOP, window scale 7: what Linux sends on a SYN. */
static const uint8_t syn_opts[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0x12, 0xd6, 0x87,
				      0, 0, 0, 0, 1, 3, 3, 7 };
/* NOP, NOP, timestamps: what Linux sends on an established connection. */
static const uint8_t ack_opts[12] = { 1, 1, 8, 10, 0, 0x12, 0xd7, 0x01, 0x3a, 0x4c, 0x9e, 0x20 };

uint32_t rp_bench_csum_add(uint32_t sum, const void *data, uint32_t len)
{
	const uint8_t *p = data;
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t rp_bench_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static void payload(uint8_t *p, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)((i + seed) * 31 + 7);
}

/* Ethernet from the upstream router (02:00:00:00:00:01) to us (02:00:00:00:00:02), with an
 * optional 802.1Q tag. Returns the offset of the L3 header. */
static uint32_t eth(struct rp_bench_frame *f, uint16_t type, int vid)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	memcpy(f->data, macs, 12);
	if (vid >= 0) {
		put16(f->data + 12, ETH_VLAN);
		put16(f->data + 14, (uint16_t)vid);
		put16(f->data + 16, type);
		f->vlans = 1;
		return 18;
	}
	put16(f->data + 12, type);
	return 14;
}

/* An IPv4 header without options, checksum included. frag: flags and offset field. */
static void ip4(uint8_t *p, uint8_t proto, uint16_t tot, uint16_t id, uint16_t frag,
		const uint8_t *src, const uint8_t *dst)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, tot);
	put16(p + 4, id);
	put16(p + 6, frag);
	p[8] = 57;
	p[9] = proto;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	put16(p + 10, rp_bench_csum_fold(rp_bench_csum_add(0, p, 20)));
}

static void ip6(uint8_t *p, uint8_t nh, uint16_t plen, const uint8_t *src, const uint8_t *dst)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, plen);
	p[6] = nh;
	p[7] = 57;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
}

/* The TCP or UDP checksum over a whole segment or datagram l4 of len bytes; the checksum
 * field must be zero. family 4 or 6 selects the pseudo-header. */
static uint16_t l4_csum(int family, const uint8_t *src, const uint8_t *dst, uint8_t proto,
			const uint8_t *l4, uint32_t len)
{
	uint32_t sum = 0;
	uint8_t tail[8] = { 0 };
	uint16_t c;

	sum = rp_bench_csum_add(sum, src, family == 4 ? 4 : 16);
	sum = rp_bench_csum_add(sum, dst, family == 4 ? 4 : 16);
	put32(tail, len);
	tail[7] = proto;
	sum = rp_bench_csum_add(sum, tail, 8);
	sum = rp_bench_csum_add(sum, l4, len);
	c = rp_bench_csum_fold(sum);
	return proto == P_UDP && c == 0 ? 0xffff : c;
}

/* A TCP header with options and payload at p; returns its length (header and payload). */
static uint32_t tcp(uint8_t *p, int family, const uint8_t *src, const uint8_t *dst,
		    uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		    const uint8_t *opts, uint32_t olen, uint32_t plen)
{
	uint32_t hlen = 20 + olen;

	memset(p, 0, hlen);
	put16(p, sport);
	put16(p + 2, dport);
	put32(p + 4, seq);
	put32(p + 8, ack);
	p[12] = (uint8_t)((hlen / 4) << 4);
	p[13] = flags;
	put16(p + 14, 64240);
	memcpy(p + 20, opts, olen);
	payload(p + hlen, plen, seq);
	put16(p + 16, l4_csum(family, src, dst, P_TCP, p, hlen + plen));
	return hlen + plen;
}

/* A whole UDP datagram with len payload bytes at p; returns its length. */
static uint32_t udp(uint8_t *p, int family, const uint8_t *src, const uint8_t *dst,
		    uint16_t sport, uint16_t dport, uint32_t plen)
{
	memset(p, 0, 8);
	put16(p, sport);
	put16(p + 2, dport);
	put16(p + 4, (uint16_t)(8 + plen));
	payload(p + 8, plen, sport);
	put16(p + 6, l4_csum(family, src, dst, P_UDP, p, 8 + plen));
	return 8 + plen;
}

/* The reflected UDP reply the IPv4 fragments come from: 2480 bytes, cut at 1480. */
static uint32_t refl_dgram(uint8_t *d)
{
	return udp(d, 4, refl4, web4, 53, 33000, 2472);
}

/* A TCP segment over IPv4 (optionally 802.1Q-tagged) or IPv6. Returns the L3 offset. */
static uint32_t tcp_frame(struct rp_bench_frame *f, int family, int vid, const uint8_t *src,
			  const uint8_t *dst, uint16_t sport, uint16_t dport, uint32_t seq,
			  uint32_t ack, uint8_t flags, const uint8_t *opts, uint32_t olen,
			  uint32_t plen)
{
	uint32_t off = eth(f, family == 4 ? ETH_IP : ETH_IP6, vid), hl = family == 4 ? 20 : 40;
	uint8_t *p = f->data + off;
	uint32_t n = tcp(p + hl, family, src, dst, sport, dport, seq, ack, flags, opts, olen,
			 plen);

	if (family == 4)
		ip4(p, P_TCP, (uint16_t)(20 + n), (uint16_t)(seq ^ sport), 0x4000, src, dst);
	else
		ip6(p, P_TCP, (uint16_t)n, src, dst);
	f->family = (uint8_t)family;
	f->l4 = P_TCP;
	f->len = off + hl + n;
	return off;
}

/* A UDP datagram over IPv4 or IPv6. Returns the L3 offset. */
static uint32_t udp_frame(struct rp_bench_frame *f, int family, const uint8_t *src,
			  const uint8_t *dst, uint16_t sport, uint16_t dport, uint32_t plen)
{
	uint32_t off = eth(f, family == 4 ? ETH_IP : ETH_IP6, -1), hl = family == 4 ? 20 : 40;
	uint8_t *p = f->data + off;
	uint32_t n = udp(p + hl, family, src, dst, sport, dport, plen);

	if (family == 4)
		ip4(p, P_UDP, (uint16_t)(20 + n), (uint16_t)(sport ^ dport ^ plen), 0x4000, src, dst);
	else
		ip6(p, P_UDP, (uint16_t)n, src, dst);
	f->family = (uint8_t)family;
	f->l4 = P_UDP;
	f->len = off + hl + n;
	return off;
}

/* The first (later = 0) or second fragment of a 2000-byte UDP 4500 datagram (IKE with
 * certificates over NAT-T), cut at 1480. Returns the L3 offset. */
static uint32_t ike_frag_frame(struct rp_bench_frame *f, int later)
{
	uint8_t dgram[DGRAM_MAX];
	uint32_t off = eth(f, ETH_IP, -1), n = udp(dgram, 4, PEER4, vpn4, 4500, 4500, 1992);
	uint8_t *p = f->data + off;

	if (!later) {
		ip4(p, P_UDP, 1500, 0x5e21, 0x2000, PEER4, vpn4);
		memcpy(p + 20, dgram, 1480);
		f->len = off + 1500;
	} else {
		ip4(p, P_UDP, (uint16_t)(20 + n - 1480), 0x5e21, 1480 / 8, PEER4, vpn4);
		memcpy(p + 20, dgram + 1480, n - 1480);
		f->len = off + 20 + n - 1480;
	}
	f->family = 4;
	f->frag = later ? 2 : 1;
	f->l4 = P_UDP;
	return off;
}

int rp_bench_frame_build(enum rp_bench_frame_kind kind, struct rp_bench_frame *f)
{
	uint8_t dgram[DGRAM_MAX];
	uint32_t off, n;
	uint8_t *p;

	memset(f, 0, sizeof(*f));
	switch (kind) {
	case RP_BF_VLAN_IP4_TCP:
		f->name = "vlan ipv4 tcp";
		f->share = 30;
		off = eth(f, ETH_IP, 100);
		p = f->data + off;
		n = tcp(p + 20, 4, src4, web4, 51000, 443, 0x1f2e3d4c, 0x5a6b7c8d,
			TCP_ACK | TCP_PSH, ack_opts, sizeof(ack_opts), 200);
		ip4(p, P_TCP, (uint16_t)(20 + n), 0x3a01, 0x4000, src4, web4);
		f->family = 4;
		f->l4 = P_TCP;
		f->len = off + 20 + n;
		break;
	case RP_BF_IP6_EXT_FRAG: {
		/* A 2008-byte UDP reply from port 53; the first fragment carries 1232 bytes. */
		const uint32_t carried = 1232;

		f->name = "ipv6 hbh+dst+frag udp";
		f->share = 5;
		off = eth(f, ETH_IP6, -1);
		p = f->data + off;
		n = udp(dgram, 6, src6, web6, 53, 33001, 2000);
		ip6(p, P_HOP, (uint16_t)(8 + 8 + 8 + carried), src6, web6);
		/* hop-by-hop and destination options: one PadN each */
		p[40] = P_DST;
		p[42] = 1, p[43] = 4;
		p[48] = P_FRAG;
		p[50] = 1, p[51] = 4;
		/* fragment header: offset 0, more fragments */
		p[56] = P_UDP;
		put16(p + 58, 0x0001);
		put32(p + 60, 0x6d2f1a05);
		memcpy(p + 64, dgram, carried);
		(void)n;
		f->family = 6;
		f->frag = 1;
		f->l4 = P_UDP;
		f->len = off + 64 + carried;
		break;
	}
	case RP_BF_IP4_FRAG_FIRST:
		f->name = "ipv4 first fragment";
		f->share = 10;
		off = eth(f, ETH_IP, -1);
		p = f->data + off;
		refl_dgram(dgram);
		ip4(p, P_UDP, 1500, 0x1c46, 0x2000, refl4, web4);
		memcpy(p + 20, dgram, 1480);
		f->family = 4;
		f->frag = 1;
		f->l4 = P_UDP;
		f->len = off + 1500;
		break;
	case RP_BF_IP4_FRAG_LATER:
		f->name = "ipv4 later fragment";
		f->share = 10;
		off = eth(f, ETH_IP, -1);
		p = f->data + off;
		n = refl_dgram(dgram);
		ip4(p, P_UDP, (uint16_t)(20 + n - 1480), 0x1c46, 1480 / 8, refl4, web4);
		memcpy(p + 20, dgram + 1480, n - 1480);
		f->family = 4;
		f->frag = 2;
		f->l4 = P_UDP;
		f->len = off + 20 + n - 1480;
		break;
	case RP_BF_IP4_UDP:
		f->name = "ipv4 udp";
		f->share = 30;
		off = eth(f, ETH_IP, -1);
		p = f->data + off;
		n = udp(p + 20, 4, src4, vpn4, 4500, 4500, 120);
		ip4(p, P_UDP, (uint16_t)(20 + n), 0x7b10, 0x4000, src4, vpn4);
		f->family = 4;
		f->l4 = P_UDP;
		f->len = off + 20 + n;
		break;
	case RP_BF_IP6_TCP:
		f->name = "ipv6 tcp syn";
		f->share = 15;
		off = eth(f, ETH_IP6, -1);
		p = f->data + off;
		n = tcp(p + 40, 6, src6, web6, 51000, 443, 0x2b3c4d5e, 0, TCP_SYN, syn_opts,
			sizeof(syn_opts), 0);
		ip6(p, P_TCP, (uint16_t)n, src6, web6);
		f->family = 6;
		f->l4 = P_TCP;
		f->len = off + 40 + n;
		break;
	case RP_BF_IP4_TCP_SYN:
		f->name = "ipv4 tcp syn";
		off = eth(f, ETH_IP, -1);
		p = f->data + off;
		n = tcp(p + 20, 4, src4, web4, 51000, 443, 0x2b3c4d5e, 0, TCP_SYN, syn_opts,
			sizeof(syn_opts), 0);
		ip4(p, P_TCP, (uint16_t)(20 + n), 0x3a00, 0x4000, src4, web4);
		f->family = 4;
		f->l4 = P_TCP;
		f->len = off + 20 + n;
		break;
	/* the policy mix, inbound */
	case RP_BF_P_WEB4_ACK:
		f->name = "web4 known ack";
		f->share = 25;
		off = tcp_frame(f, 4, -1, CLI4, web4, 51000, 443, 0x0c1d2e3f,
				RP_BF_SRV_SEQ + RP_BF_SRV_DATA, TCP_ACK | TCP_PSH, ack_opts,
				sizeof(ack_opts), 100);
		break;
	case RP_BF_P_WEB6_ACK:
		f->name = "web6 known ack";
		f->share = 10;
		off = tcp_frame(f, 6, -1, cli6, web6, 51002, 443, 0x0c1d2e3f,
				RP_BF_SRV_SEQ + RP_BF_SRV_DATA, TCP_ACK | TCP_PSH, ack_opts,
				sizeof(ack_opts), 100);
		break;
	case RP_BF_P_VPN4:
		f->name = "vpn4 esp-in-udp";
		f->share = 15;
		off = udp_frame(f, 4, PEER4, vpn4, 4500, 4500, 120);
		break;
	case RP_BF_P_VPN_FRAG1:
		f->name = "vpn4 first fragment";
		f->share = 5;
		off = ike_frag_frame(f, 0);
		break;
	case RP_BF_P_VPN_FRAG2:
		f->name = "vpn4 later fragment";
		f->share = 5;
		off = ike_frag_frame(f, 1);
		break;
	case RP_BF_P_DNS_ALLOW:
		f->name = "dns4 allowed query";
		f->share = 10;
		off = udp_frame(f, 4, RESOLVER4, dns4, 40153, 53, 40);
		break;
	case RP_BF_P_ATK_SYN4:
		f->name = "attack web4 syn";
		f->share = 15;
		off = tcp_frame(f, 4, -1, ATK4, web4, 40001, 443, 0x11223344, 0, TCP_SYN, syn_opts,
				sizeof(syn_opts), 0);
		break;
	case RP_BF_P_ATK_SYN6:
		f->name = "attack web6 syn";
		f->share = 5;
		off = tcp_frame(f, 6, -1, atk6, web6, 40001, 443, 0x11223344, 0, TCP_SYN, syn_opts,
				sizeof(syn_opts), 0);
		break;
	case RP_BF_P_ATK_DNS4:
		f->name = "attack dns4 query";
		f->share = 5;
		off = udp_frame(f, 4, ATK4_DNS, dns4, 31337, 53, 40);
		break;
	case RP_BF_P_ATK_IKE4:
		f->name = "attack vpn4 ike";
		f->share = 5;
		off = udp_frame(f, 4, ATK4_IKE, vpn4, 500, 500, 300);
		break;
	/* the same conversations, outbound */
	case RP_BF_O_WEB4_DATA:
		f->name = "out web4 data";
		f->share = 35;
		off = tcp_frame(f, 4, -1, web4, CLI4, 443, 51000, RP_BF_SRV_SEQ, 0x0c1d2e3f + 100,
				TCP_ACK | TCP_PSH, ack_opts, sizeof(ack_opts), RP_BF_SRV_DATA);
		f->out = 1;
		break;
	case RP_BF_O_WEB6_DATA:
		f->name = "out web6 data";
		f->share = 10;
		off = tcp_frame(f, 6, -1, web6, cli6, 443, 51002, RP_BF_SRV_SEQ, 0x0c1d2e3f + 100,
				TCP_ACK | TCP_PSH, ack_opts, sizeof(ack_opts), RP_BF_SRV_DATA);
		f->out = 1;
		break;
	case RP_BF_O_VPN4:
		f->name = "out vpn4 esp-in-udp";
		f->share = 20;
		off = udp_frame(f, 4, vpn4, PEER4, 4500, 4500, 120);
		f->out = 1;
		break;
	case RP_BF_O_DNS_REPLY:
		f->name = "out dns4 answer";
		f->share = 5;
		off = udp_frame(f, 4, dns4, RESOLVER4, 53, 40153, 120);
		f->out = 1;
		break;
	case RP_BF_O_SYNACK4:
		f->name = "out web4 syn-ack";
		f->share = 20;
		off = tcp_frame(f, 4, -1, web4, ATK4, 443, 40001, 0x55667788, 0x11223345,
				TCP_SYN | TCP_ACK, syn_opts, sizeof(syn_opts), 0);
		f->out = 1;
		break;
	case RP_BF_O_SYNACK6:
		f->name = "out web6 syn-ack";
		f->share = 5;
		off = tcp_frame(f, 6, -1, web6, atk6, 443, 40001, 0x55667788, 0x11223345,
				TCP_SYN | TCP_ACK, syn_opts, sizeof(syn_opts), 0);
		f->out = 1;
		break;
	case RP_BF_O_DNS_ATK:
		f->name = "out dns4 attack answer";
		f->share = 5;
		off = udp_frame(f, 4, dns4, ATK4_DNS, 53, 31337, 120);
		f->out = 1;
		break;
	default:
		return -EINVAL;
	}
	f->l3_off = (uint16_t)off;
	/* Outbound frames vary their client, the destination. */
	f->src_off = (uint16_t)(off + (f->family == 4 ? 12 : 8) + (f->out ? (f->family == 4 ? 4 : 16) : 0));
	return 0;
}
