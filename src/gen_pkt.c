// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Packet building for the generator: see gen_pkt.h. */
#include <string.h>

#include "gen_pkt.h"

#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_FRAG_ 44
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_DSTOPTS_ 60

const uint8_t rp_gen_mac_upstream[6] = { 0x02, 0, 0, 0, 0, 0x01 };
const uint8_t rp_gen_mac_protected[6] = { 0x02, 0, 0, 0, 0, 0x02 };


/* Callers pass even lengths except for the last chunk of a sum. */
uint32_t rp_gen_csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t s = sum;

	for (; len >= 2; b += 2, len -= 2)
		s += (uint32_t)(b[0] << 8 | b[1]);
	if (len)
		s += (uint32_t)b[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return s;
}

uint16_t rp_gen_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static uint32_t pseudo_sum(const struct rp_gen_l3 *l3, uint8_t proto, uint32_t l4len)
{
	uint8_t tail[8] = { 0 };
	uint32_t sum;

	if (!l3->v6) {
		sum = rp_gen_csum_add(0, l3->src, 4);
		sum = rp_gen_csum_add(sum, l3->dst, 4);
		tail[1] = proto;
		put16(tail + 2, l4len);
		return rp_gen_csum_add(sum, tail, 4);
	}
	sum = rp_gen_csum_add(0, l3->src, 16);
	sum = rp_gen_csum_add(sum, l3->dst, 16);
	put32(tail, l4len);
	tail[7] = proto;
	return rp_gen_csum_add(sum, tail, 8);
}

static void ip4_hdr(uint8_t *b, const struct rp_gen_l3 *l3, uint8_t proto, size_t tot,
		    uint16_t frag)
{
	b[0] = 0x45;
	b[1] = 0;
	put16(b + 2, tot);
	put16(b + 4, l3->id);
	put16(b + 6, frag);
	b[8] = l3->ttl;
	b[9] = proto;
	put16(b + 10, 0);
	memcpy(b + 12, l3->src, 4);
	memcpy(b + 16, l3->dst, 4);
	put16(b + 10, rp_gen_csum_fold(rp_gen_csum_add(0, b, 20)));
}

static void ip6_hdr(uint8_t *b, const struct rp_gen_l3 *l3, uint8_t nh, size_t plen)
{
	put32(b, 6u << 28 | (l3->flowlabel & 0xfffff));
	put16(b + 4, plen);
	b[6] = nh;
	b[7] = l3->ttl;
	memcpy(b + 8, l3->src, 16);
	memcpy(b + 24, l3->dst, 16);
}

static size_t ip_hdr_len(const struct rp_gen_l3 *l3)
{
	return l3->v6 ? (l3->dstopts ? 48 : 40) : 20;
}

/*
 * The IP header(s) for an unfragmented packet carrying l4len bytes of proto; returns the
 * header length. IPv6 may add a destination-options header of 8 bytes (one PadN option).
 */
static size_t ip_hdr(uint8_t *b, const struct rp_gen_l3 *l3, uint8_t proto, size_t l4len)
{
	if (!l3->v6) {
		ip4_hdr(b, l3, proto, 20 + l4len, l3->df ? 0x4000 : 0);
		return 20;
	}
	if (!l3->dstopts) {
		ip6_hdr(b, l3, proto, l4len);
		return 40;
	}
	ip6_hdr(b, l3, IPPROTO_DSTOPTS_, 8 + l4len);
	b[40] = proto;
	b[41] = 0; /* length in 8-byte units, not counting the first 8 */
	b[42] = 1; /* PadN */
	b[43] = 4;
	memset(b + 44, 0, 4);
	return 48;
}

size_t rp_gen_tcp(uint8_t *buf, const struct rp_gen_l3 *l3, const struct rp_gen_tcph *th,
		  const uint8_t *payload, size_t len)
{
	size_t thl = 20 + th->optlen, hl;
	uint8_t *t;

	if ((th->optlen & 3) || th->optlen > 40 || ip_hdr_len(l3) + thl + len > RP_GEN_MAX_PKT)
		return 0;
	hl = ip_hdr(buf, l3, IPPROTO_TCP_, thl + len);
	t = buf + hl;
	put16(t, th->sport);
	put16(t + 2, th->dport);
	put32(t + 4, th->seq);
	put32(t + 8, th->ack);
	t[12] = (thl / 4) << 4;
	t[13] = th->flags;
	put16(t + 14, th->win);
	put16(t + 16, 0);
	put16(t + 18, 0);
	if (th->optlen)
		memcpy(t + 20, th->opts, th->optlen);
	if (len) /* payload may be NULL then */
		memcpy(t + thl, payload, len);
	put16(t + 16, rp_gen_csum_fold(rp_gen_csum_add(pseudo_sum(l3, IPPROTO_TCP_, thl + len), t,
						       thl + len)));
	return hl + thl + len;
}

size_t rp_gen_icmp_echo(uint8_t *buf, const struct rp_gen_l3 *l3, bool reply, uint16_t id,
			uint16_t seq, const uint8_t *payload, size_t len)
{
	uint8_t proto = l3->v6 ? IPPROTO_ICMPV6_ : IPPROTO_ICMP_;
	uint32_t sum;
	size_t hl;
	uint8_t *m;

	if (ip_hdr_len(l3) + 8 + len > RP_GEN_MAX_PKT)
		return 0;
	hl = ip_hdr(buf, l3, proto, 8 + len);
	m = buf + hl;
	if (l3->v6)
		m[0] = reply ? 129 : 128;
	else
		m[0] = reply ? 0 : 8;
	m[1] = 0;
	put16(m + 2, 0);
	put16(m + 4, id);
	put16(m + 6, seq);
	if (len)
		memcpy(m + 8, payload, len);
	/* ICMPv4 sums the message only; ICMPv6 adds the pseudo-header. */
	sum = l3->v6 ? pseudo_sum(l3, proto, 8 + len) : 0;
	put16(m + 2, rp_gen_csum_fold(rp_gen_csum_add(sum, m, 8 + len)));
	return hl + 8 + len;
}

int rp_gen_udp_frags(uint8_t (*frags)[RP_GEN_MAX_PKT], size_t *lens, const struct rp_gen_l3 *l3,
		     uint32_t frag_id, uint16_t sport, uint16_t dport, const uint8_t *payload,
		     size_t len)
{
	uint8_t dg[8 + RP_GEN_MAX_UDP];
	size_t total = 8 + len, off, chunk, max;
	uint16_t sum;
	int n = 0;

	if (len > RP_GEN_MAX_UDP)
		return 0;
	put16(dg, sport);
	put16(dg + 2, dport);
	put16(dg + 4, total);
	put16(dg + 6, 0);
	memcpy(dg + 8, payload, len);
	sum = rp_gen_csum_fold(rp_gen_csum_add(pseudo_sum(l3, IPPROTO_UDP_, total), dg, total));
	put16(dg + 6, sum ? sum : 0xffff); /* 0 means "no checksum" in UDP */

	if (ip_hdr_len(l3) + total <= RP_GEN_MTU) {
		size_t hl = ip_hdr(frags[0], l3, IPPROTO_UDP_, total);

		memcpy(frags[0] + hl, dg, total);
		lens[0] = hl + total;
		return 1;
	}

	/* Fragment payloads are multiples of 8 bytes, except the last. */
	max = l3->v6 ? (RP_GEN_MTU - 40 - 8) & ~7u : (RP_GEN_MTU - 20) & ~7u;
	for (off = 0; off < total; off += chunk, n++) {
		bool more;

		chunk = total - off < max ? total - off : max;
		more = off + chunk < total;
		if (!l3->v6) {
			struct rp_gen_l3 f = *l3;

			f.df = false;
			ip4_hdr(frags[n], &f, IPPROTO_UDP_, 20 + chunk,
				(more ? 0x2000 : 0) | (off / 8));
			memcpy(frags[n] + 20, dg + off, chunk);
			lens[n] = 20 + chunk;
		} else {
			uint8_t *fh = frags[n] + 40;

			ip6_hdr(frags[n], l3, IPPROTO_FRAG_, 8 + chunk);
			fh[0] = IPPROTO_UDP_;
			fh[1] = 0;
			put16(fh + 2, (off / 8) << 3 | (more ? 1 : 0));
			put32(fh + 4, frag_id);
			memcpy(fh + 8, dg + off, chunk);
			lens[n] = 48 + chunk;
		}
	}
	return n;
}
