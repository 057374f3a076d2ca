// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Attack traffic: a SYN flood from spoofed sources and a UDP reflection attack whose large
 * responses arrive as IP fragments. Both run between --attack-start and --attack-end with
 * inter-arrival times drawn uniformly in [0.5, 1.5] x the mean, integers only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_traffic.h"

#define US RP_GEN_US

#define NREFLECTORS_V4 300
#define NREFLECTORS_V6 60


static uint64_t interval(struct rp_gen_rng *r, uint64_t pps)
{
	uint64_t mean = RP_GEN_SEC / pps;

	return mean / 2 + rp_gen_below(r, mean + 1) + 1;
}

static uint64_t first_event(struct rp_gen_ctx *c, struct rp_gen_rng *r, uint64_t pps)
{
	uint64_t t = c->o.attack_start_ns + interval(r, pps);

	return t < c->o.attack_end_ns ? t : UINT64_MAX;
}

int rp_gen_syn_init(struct rp_gen_ctx *c)
{
	c->next[RP_GEN_P_SYN] = UINT64_MAX;
	if (!c->o.syn_pps)
		return 0;
	rp_gen_rng_init(&c->syn_rng, c->o.seed, RP_GEN_S_SYN, 0);
	c->next[RP_GEN_P_SYN] = first_event(c, &c->syn_rng, c->o.syn_pps);
	return 0;
}

/*
 * One spoofed SYN toward 192.0.2.10:443: any IPv4 source (it exists only in the frame), a
 * random port and ISN, and the SYN of an operating system drawn like the real clients'.
 */
void rp_gen_syn_step(struct rp_gen_ctx *c)
{
	struct rp_gen_rng *r = &c->syn_rng;
	uint64_t t = c->next[RP_GEN_P_SYN];
	unsigned int os = rp_gen_pick_os(r);
	const struct rp_gen_os_fp *fp = &rp_gen_os_fps[os];
	struct rp_gen_l3 l3 = { .df = true };
	uint8_t opts[40], pkt[RP_GEN_MAX_PKT];
	struct rp_gen_tcph th = { .dport = 443, .flags = RP_GEN_TH_SYN, .opts = opts };
	struct rp_gen_tags tags;
	size_t n;

	put32(l3.src, rp_gen_next(r) >> 32);
	memcpy(l3.dst, rp_gen_server_v4, 4);
	l3.ttl = fp->ttl - rp_gen_range(r, 5, 25);
	l3.id = rp_gen_below(r, 65536);
	th.sport = rp_gen_range(r, 1024, 65535);
	th.seq = rp_gen_next(r);
	th.win = fp->syn_win[rp_gen_below(r, 2)];
	th.optlen = rp_gen_syn_opts(opts, os, 1460, rp_gen_next(r));
	rp_gen_pick_tags(c, r, &tags);
	n = rp_gen_tcp(pkt, &l3, &th, NULL, 0);
	rp_gen_emit(c, t, RP_PCAPW_DIR_IN, RP_GEN_SYN_FLOOD, &tags, pkt, n);

	t += interval(r, c->o.syn_pps);
	c->next[RP_GEN_P_SYN] = t < c->o.attack_end_ns ? t : UINT64_MAX;
}

/* The amplifying services, weighted by how much of such attacks they make up. */
enum service { DNS, NTP, CLDAP, SSDP, MEMCACHED, CHARGEN, NSERVICES };

static const struct {
	uint16_t port;
	uint8_t weight;
} services[NSERVICES] = {
	[DNS] = { 53, 35 },    [NTP] = { 123, 20 },	    [CLDAP] = { 389, 15 },
	[SSDP] = { 1900, 15 }, [MEMCACHED] = { 11211, 10 }, [CHARGEN] = { 19, 5 },
};

/* Space no real host answers from: reflectors are drawn outside it. */
static bool v4_public(uint32_t a)
{
	static const struct {
		uint32_t net;
		uint8_t len;
	} reserved[] = {
		{ 0x00000000, 8 },  { 0x0a000000, 8 },	{ 0x64400000, 10 }, { 0x7f000000, 8 },
		{ 0xa9fe0000, 16 }, { 0xac100000, 12 }, { 0xc0000000, 24 }, { 0xc0000200, 24 },
		{ 0xc0586300, 24 }, { 0xc0a80000, 16 }, { 0xc6120000, 15 }, { 0xc6336400, 24 },
		{ 0xcb007100, 24 }, { 0xe0000000, 3 },
	};

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if ((a & (0xffffffffu << (32 - reserved[i].len))) == reserved[i].net)
			return false;
	return true;
}

static void make_reflector(struct rp_gen_reflector *rf, struct rp_gen_rng *r, bool v6)
{
	/* The RIRs' IPv6 unicast blocks: RIPE, APNIC, ARIN, LACNIC, AFRINIC. */
	static const uint16_t rir6[] = { 0x2a00, 0x2400, 0x2600, 0x2800, 0x2c00 };
	static const uint8_t ttls[] = { 64, 64, 64, 128, 255, 255 };
	uint32_t w = rp_gen_below(r, 100), a;
	unsigned int s;

	rf->v6 = v6;
	if (v6) {
		rp_gen_fill(r, rf->addr, 16);
		put16(rf->addr, rir6[rp_gen_below(r, 5)] | (rf->addr[1] & 0x0f));
	} else {
		do
			a = rp_gen_next(r) >> 32;
		while (!v4_public(a) || (a & 0xff) == 0 || (a & 0xff) == 0xff);
		put32(rf->addr, a);
	}
	for (s = 0; s < NSERVICES - 1 && w >= services[s].weight; s++)
		w -= services[s].weight;
	rf->port = services[s].port;
	rf->ttl = ttls[rp_gen_below(r, sizeof(ttls))] - rp_gen_range(r, 8, 25);
}

int rp_gen_refl_init(struct rp_gen_ctx *c)
{
	struct rp_gen_rng r;
	uint32_t n;

	c->next[RP_GEN_P_REFLECT] = UINT64_MAX;
	if (!c->o.reflect_pps)
		return 0;
	c->nrefl4 = NREFLECTORS_V4;
	c->nrefl6 = c->o.reflect_ipv6_share ? NREFLECTORS_V6 : 0;
	n = c->nrefl4 + c->nrefl6;
	c->reflectors = calloc(n, sizeof(*c->reflectors));
	if (!c->reflectors)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		rp_gen_rng_init(&r, c->o.seed, RP_GEN_S_REFLECTOR, i);
		make_reflector(&c->reflectors[i], &r, i >= c->nrefl4);
	}
	rp_gen_rng_init(&c->refl_rng, c->o.seed, RP_GEN_S_REFLECT, 0);
	c->next[RP_GEN_P_REFLECT] = first_event(c, &c->refl_rng, c->o.reflect_pps);
	return 0;
}

/* What the service answers: its header right, then filler of the right kind. */
static void build_answer(struct rp_gen_rng *r, uint16_t port, uint8_t *b, size_t len)
{
	static const char ssdp[] = "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\n"
				   "LOCATION: http://192.168.1.1:1900/rootDesc.xml\r\n"
				   "SERVER: Linux/3.14 UPnP/1.0 miniupnpd/2.0\r\n"
				   "ST: upnp:rootdevice\r\nUSN: uuid:upnp-InternetGatewayDevice-1_0"
				   "::upnp:rootdevice\r\n\r\n";
	size_t i;

	rp_gen_fill(r, b, len);
	switch (port) {
	case 53: /* a response to "isc.org ANY": id, QR|RD|RA, 1 question, answers */
		put16(b + 2, 0x8180);
		put16(b + 4, 1);
		put16(b + 6, 20);
		put16(b + 8, 0);
		put16(b + 10, 1);
		memcpy(b + 12, "\x03isc\x03org\x00\x00\xff\x00\x01", 13);
		break;
	case 123: /* NTP mode 7 MON_GETLIST_1 response: 6 items of 72 bytes */
		memcpy(b, "\xd7\x00\x03\x2a\x00\x06\x00\x48", 8);
		break;
	case 389: /* CLDAP searchResEntry, BER with 4-byte lengths */
		b[0] = 0x30;
		b[1] = 0x84;
		put32(b + 2, len - 6);
		memcpy(b + 6, "\x02\x01\x01\x64\x84", 5);
		put32(b + 11, len - 15);
		break;
	case 1900: /* repeated M-SEARCH answers */
		for (i = 0; i < len; i++)
			b[i] = ssdp[i % (sizeof(ssdp) - 1)];
		break;
	case 11211: /* memcached UDP frame header, then a large stored value */
		put16(b + 2, 0);
		put16(b + 4, 1);
		put16(b + 6, 0);
		snprintf((char *)b + 8, len - 8, "VALUE a 0 %06zu\r", len - 26);
		b[25] = '\n'; /* over snprintf's NUL */
		break;
	case 19: /* chargen: 72-character lines of the rotating printable set */
		for (i = 0; i < len; i++) {
			size_t line = i / 74, col = i % 74;

			b[i] = col == 72 ? '\r' : col == 73 ? '\n' : ' ' + (line + col) % 95;
		}
		break;
	}
}

/*
 * One reflected datagram of 1200 to 4000 bytes from a reflector's service port to a random
 * high port: fragmented at MTU 1500 when larger, fragments a few microseconds apart.
 */
void rp_gen_refl_step(struct rp_gen_ctx *c)
{
	struct rp_gen_rng *r = &c->refl_rng;
	uint64_t t = c->next[RP_GEN_P_REFLECT];
	bool v6 = c->nrefl6 && rp_gen_chance(r, c->o.reflect_ipv6_share);
	const struct rp_gen_reflector *rf =
		&c->reflectors[v6 ? c->nrefl4 + rp_gen_below(r, c->nrefl6) :
				    rp_gen_below(r, c->nrefl4)];
	struct rp_gen_l3 l3 = { .v6 = v6 };
	size_t len = rp_gen_range(r, 1200, 4000), lens[RP_GEN_MAX_FRAGS];
	uint16_t dport = rp_gen_range(r, 1024, 65535);
	uint32_t frag_id = rp_gen_next(r);
	struct rp_gen_tags tags;
	int nf;

	memcpy(l3.src, rf->addr, 16);
	memcpy(l3.dst, v6 ? rp_gen_server_v6 : rp_gen_server_v4, v6 ? 16 : 4);
	l3.ttl = rf->ttl;
	l3.id = rp_gen_below(r, 65536);
	if (v6)
		l3.flowlabel = rp_gen_below(r, 1 << 20);
	build_answer(r, rf->port, c->scratch, len);
	rp_gen_pick_tags(c, r, &tags);
	nf = rp_gen_udp_frags(c->frags, lens, &l3, frag_id, rf->port, dport, c->scratch, len);
	for (int k = 0; k < nf; k++) {
		rp_gen_emit(c, t, RP_PCAPW_DIR_IN, RP_GEN_REFLECTION, &tags, c->frags[k], lens[k]);
		t += rp_gen_range(r, 1 * US, 15 * US);
	}

	t = c->next[RP_GEN_P_REFLECT] + interval(r, c->o.reflect_pps);
	c->next[RP_GEN_P_REFLECT] = t < c->o.attack_end_ns ? t : UINT64_MAX;
}
