// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Legitimate traffic: a pool of clients in real address blocks of several countries, each
 * with an operating system, a distance in hops and an RTT, opening complete TCP sessions to
 * the protected service; and an ICMP echo monitor.
 *
 * The capture point is next to the server: a server frame is seen when sent, a client's
 * answer one RTT after the server frame that caused it. Sequence and acknowledgment numbers,
 * windows and TCP timestamps follow what the stacks do, so that anything tracking
 * connections (SYN validation, known clients, two-way exchanges) sees real sessions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_traffic.h"

#define US RP_GEN_US
#define MS RP_GEN_MS

const uint8_t rp_gen_server_v4[4] = { 192, 0, 2, 10 };
const uint8_t rp_gen_server_v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x10, [15] = 0x10 };

/*
 * The stacks' SYNs. Spoofed SYNs draw from the same table and the same weights, so no
 * fingerprint alone separates them from real clients. One row per stack.
 */
/* clang-format off */
const struct rp_gen_os_fp rp_gen_os_fps[RP_GEN_OS_MAX] = {
	[RP_GEN_OS_LINUX] = { "linux", 64, { 64240, 64240 }, 7, true, 502, 32768, 60999,
			      RP_GEN_IPID_CONN, 15 },
	[RP_GEN_OS_WINDOWS] = { "windows", 128, { 64240, 65535 }, 8, false, 1026, 49152, 65535,
				RP_GEN_IPID_HOST, 40 },
	[RP_GEN_OS_MACOS] = { "macos", 64, { 65535, 65535 }, 6, true, 2058, 49152, 65535,
			      RP_GEN_IPID_RANDOM, 20 },
	[RP_GEN_OS_ANDROID] = { "android", 64, { 65535, 65535 }, 7, true, 512, 32768, 60999,
				RP_GEN_IPID_CONN, 25 },
};
/* clang-format on */

struct v4_block {
	uint32_t net;
	uint8_t len;
};

struct v6_block {
	uint16_t g[3]; /* the first 48 bits */
	uint8_t len;
};

/* clang-format off */
#define V4(a, b, c, d, l) { (uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d), l }

/*
 * Client countries: access-network blocks of large ISPs there (RIR allocations as published
 * when this was written; a geo database places them in that country). RTTs are as seen
 * from a server in western Europe.
 */
static const struct country {
	const char *cc;
	uint8_t weight;
	uint16_t rtt_lo_ms, rtt_hi_ms;
	uint8_t n4, n6;
	struct v4_block v4[4];
	struct v6_block v6[2];
} countries[] = {
	/* Orange (90.0.0.0/9, 86.192.0.0/11), Free (78.192.0.0/10, 88.160.0.0/11) */
	{ "FR", 30, 8, 35, 4, 2,
	  { V4(90, 0, 0, 0, 9), V4(86, 192, 0, 0, 11), V4(78, 192, 0, 0, 10),
	    V4(88, 160, 0, 0, 11) },
	  { { { 0x2a01, 0xcb00, 0 }, 24 }, { { 0x2a01, 0x0e00, 0 }, 26 } } },
	/* Deutsche Telekom */
	{ "DE", 15, 15, 45, 3, 1,
	  { V4(79, 192, 0, 0, 10), V4(91, 0, 0, 0, 10), V4(84, 128, 0, 0, 10) },
	  { { { 0x2003, 0, 0 }, 19 } } },
	/* Maroc Telecom */
	{ "MA", 12, 35, 80, 2, 0, { V4(41, 140, 0, 0, 14), V4(41, 248, 0, 0, 13) }, { } },
	/* Algerie Telecom */
	{ "DZ", 12, 40, 90, 2, 0, { V4(41, 96, 0, 0, 12), V4(105, 96, 0, 0, 12) }, { } },
	/* Comcast */
	{ "US", 21, 90, 160, 2, 1, { V4(73, 0, 0, 0, 8), V4(98, 192, 0, 0, 10) },
	  { { { 0x2601, 0, 0 }, 20 } } },
	/* SoftBank (126.0.0.0/8), NTT (153.128.0.0/9) */
	{ "JP", 10, 170, 200, 2, 0, { V4(126, 0, 0, 0, 8), V4(153, 128, 0, 0, 9) }, { } },
};
/* clang-format on */

#define NCOUNTRIES (sizeof(countries) / sizeof(countries[0]))


unsigned int rp_gen_pick_os(struct rp_gen_rng *r)
{
	uint32_t x = rp_gen_below(r, 100);
	unsigned int os;

	for (os = 0; os < RP_GEN_OS_MAX - 1; os++) {
		if (x < rp_gen_os_fps[os].weight)
			break;
		x -= rp_gen_os_fps[os].weight;
	}
	return os;
}

static size_t opt_mss(uint8_t *o, uint16_t mss)
{
	o[0] = 2;
	o[1] = 4;
	put16(o + 2, mss);
	return 4;
}

static size_t opt_ws(uint8_t *o, uint8_t ws)
{
	o[0] = 3;
	o[1] = 3;
	o[2] = ws;
	return 3;
}

static size_t opt_ts(uint8_t *o, uint32_t tsval, uint32_t tsecr)
{
	o[0] = 8;
	o[1] = 10;
	put32(o + 2, tsval);
	put32(o + 6, tsecr);
	return 10;
}

static size_t opt_sackok(uint8_t *o)
{
	o[0] = 4;
	o[1] = 2;
	return 2;
}

/* The SYN options of each stack, in its order; 24 bytes at most. */
size_t rp_gen_syn_opts(uint8_t *o, unsigned int os, uint16_t mss, uint32_t tsval)
{
	size_t n = opt_mss(o, mss);

	switch (os) {
	case RP_GEN_OS_WINDOWS: /* MSS,NOP,WS 8,NOP,NOP,SACK_PERM */
		o[n++] = 1;
		n += opt_ws(o + n, rp_gen_os_fps[os].ws);
		o[n++] = 1;
		o[n++] = 1;
		n += opt_sackok(o + n);
		break;
	case RP_GEN_OS_MACOS: /* MSS,NOP,WS 6,NOP,NOP,TS,SACK_PERM,EOL */
		o[n++] = 1;
		n += opt_ws(o + n, rp_gen_os_fps[os].ws);
		o[n++] = 1;
		o[n++] = 1;
		n += opt_ts(o + n, tsval, 0);
		n += opt_sackok(o + n);
		o[n++] = 0;
		break;
	default: /* Linux, Android: MSS,SACK_PERM,TS,NOP,WS 7 */
		n += opt_sackok(o + n);
		n += opt_ts(o + n, tsval, 0);
		o[n++] = 1;
		n += opt_ws(o + n, rp_gen_os_fps[os].ws);
		break;
	}
	while (n & 3)
		o[n++] = 0; /* EOL padding */
	return n;
}

/* The protected server is Linux: its SYN-ACK answers what the client offered. */
static size_t synack_opts(uint8_t *o, bool ts, uint16_t mss, uint32_t tsval, uint32_t tsecr)
{
	size_t n = opt_mss(o, mss);

	if (ts) { /* MSS,SACK_PERM,TS,NOP,WS 7 */
		n += opt_sackok(o + n);
		n += opt_ts(o + n, tsval, tsecr);
	} else { /* MSS,NOP,NOP,SACK_PERM,NOP,WS 7 */
		o[n++] = 1;
		o[n++] = 1;
		n += opt_sackok(o + n);
	}
	o[n++] = 1;
	n += opt_ws(o + n, 7);
	return n;
}

/* Copy the first len bits of prefix over addr (16 bytes). */
static void apply_prefix(uint8_t *addr, const uint8_t *prefix, unsigned int len)
{
	for (unsigned int i = 0; i < 16 && len; i++) {
		unsigned int bits = len < 8 ? len : 8;
		uint8_t mask = 0xff << (8 - bits);

		addr[i] = (addr[i] & ~mask) | (prefix[i] & mask);
		len -= bits;
	}
}

static void make_client(struct rp_gen_client *cl, struct rp_gen_rng *r, int country, bool want_v6)
{
	const struct country *co;
	const struct v4_block *b4;
	uint32_t x, w = rp_gen_below(r, 100);
	unsigned int i = 0;

	if (country < 0) {
		for (i = 0; i < NCOUNTRIES - 1 && w >= countries[i].weight; i++)
			w -= countries[i].weight;
	} else {
		i = country;
	}
	co = &countries[i];
	cl->country = i;
	b4 = &co->v4[rp_gen_below(r, co->n4)];
	do {
		x = b4->net | (uint32_t)(rp_gen_next(r) & (0xffffffffu >> b4->len));
	} while ((x & 0xff) == 0 || (x & 0xff) == 0xff);
	put32(cl->v4, x);

	/* Global unicast with a privacy (random) interface identifier. */
	rp_gen_fill(r, cl->v6, 16);
	cl->has_v6 = co->n6 && (want_v6 || rp_gen_chance(r, 70));
	if (co->n6) {
		const struct v6_block *b6 = &co->v6[rp_gen_below(r, co->n6)];
		uint8_t p[16] = { 0 };

		for (int k = 0; k < 3; k++)
			put16(p + 2 * k, b6->g[k]);
		apply_prefix(cl->v6, p, b6->len);
	}
	cl->os = rp_gen_pick_os(r);
	cl->hops = rp_gen_range(r, 5, 25);
	cl->syn_win = rp_gen_os_fps[cl->os].syn_win[rp_gen_below(r, 2)];
	cl->ipid = rp_gen_below(r, 65536);
	cl->rtt_ns = rp_gen_range(r, co->rtt_lo_ms, co->rtt_hi_ms) * MS + rp_gen_below(r, MS);
}

/* A client for a new session: often one of the regulars, so some addresses recur. */
static struct rp_gen_client *pick_client(struct rp_gen_ctx *c, struct rp_gen_rng *r, bool v6)
{
	uint32_t n = v6 ? c->nv6 : c->nclients, nreg = v6 ? c->nv6_regular : c->nregular;
	uint32_t k = rp_gen_chance(r, 40) && nreg ? rp_gen_below(r, nreg) : rp_gen_below(r, n);

	return &c->clients[v6 ? c->v6_clients[k] : k];
}

#define MAX_SEGS 40
#define MAX_ATTEMPTS 16

struct sess {
	struct rp_gen_ctx *c;
	struct rp_gen_rng r;
	struct rp_gen_client *cl;
	const struct rp_gen_os_fp *fp;
	struct rp_gen_l3 l3c, l3s; /* packets from the client, from the server */
	struct rp_gen_tags tags;
	uint16_t cport, sport;
	bool ts;
	uint32_t cts_off, sts_off;
	uint16_t host_ipid, cid, sid;
	uint64_t t0, rtt;

	/* The response, as the server sends it. */
	uint32_t s_data; /* sequence number of the first response byte */
	uint32_t c_nxt; /* the client's next sequence number (request acknowledged) */
	uint32_t len, smss, nseg, sent;
	uint64_t free_t; /* when the server's link is free again */
	uint64_t seg_t[MAX_SEGS];
	uint32_t seg_tsv[MAX_SEGS];
	uint32_t cli_tsv; /* the client's latest TSval the server has seen */
	uint16_t swin;
	bool server_fin;
	uint64_t fin_t;
	uint32_t fin_tsv;
};

/* TCP timestamp clocks tick in ms from a random per-connection offset (Linux >= 4.10). */
static uint32_t tsval(const struct sess *s, bool cli, uint64_t t)
{
	uint64_t local = s->t0 + t + RP_GEN_SEC; /* + 1 s: the client's clock stays positive */

	if (cli)
		local -= s->rtt / 2;
	return (cli ? s->cts_off : s->sts_off) + (uint32_t)(local / MS);
}

static uint16_t next_ipid(struct sess *s, bool cli, uint8_t flags)
{
	if (!cli) /* Linux: SYN-ACK with DF carries ID 0, then a per-socket counter */
		return (flags & RP_GEN_TH_SYN) ? 0 : s->sid++;
	switch (s->fp->ipid) {
	case RP_GEN_IPID_HOST:
		return s->host_ipid++;
	case RP_GEN_IPID_CONN:
		return s->cid++;
	default:
		return rp_gen_below(&s->r, 65536);
	}
}

static void tx_opts(struct sess *s, bool cli, uint64_t t, uint8_t flags, uint32_t seq, uint32_t ack,
		    uint16_t win, const uint8_t *opts, size_t optlen, const uint8_t *pl, size_t len)
{
	struct rp_gen_l3 *l3 = cli ? &s->l3c : &s->l3s;
	struct rp_gen_tcph th = {
		.sport = cli ? s->cport : s->sport,
		.dport = cli ? s->sport : s->cport,
		.seq = seq,
		.ack = ack,
		.flags = flags,
		.win = win,
		.opts = opts,
		.optlen = optlen,
	};
	uint8_t pkt[RP_GEN_MAX_PKT];
	size_t n;

	l3->id = next_ipid(s, cli, flags);
	n = rp_gen_tcp(pkt, l3, &th, pl, len);
	rp_gen_emit(s->c, s->t0 + t, cli ? RP_PCAPW_DIR_IN : RP_PCAPW_DIR_OUT, RP_GEN_LEGIT,
		    &s->tags, pkt, n);
}

/* A segment after the handshake: NOP,NOP,TS when the connection uses timestamps. */
static void tx(struct sess *s, bool cli, uint64_t t, uint8_t flags, uint32_t seq, uint32_t ack,
	       uint16_t win, uint32_t tsecr, const uint8_t *pl, size_t len)
{
	uint8_t o[12] = { 1, 1 };

	opt_ts(o + 2, tsval(s, cli, t), tsecr);
	tx_opts(s, cli, t, flags, seq, ack, win, o, s->ts ? 12 : 0, pl, len);
}

static uint32_t seg_len(const struct sess *s, uint32_t i)
{
	return i + 1 < s->nseg ? s->smss : s->len - i * s->smss;
}

/*
 * Send response segments while fewer than upto have gone, not before at and back to back
 * at 1 Gb/s; the server's FIN follows the last one when it closes first.
 */
static void send_segs(struct sess *s, uint32_t upto, uint64_t at)
{
	while (s->sent < upto && s->sent < s->nseg) {
		uint32_t i = s->sent, n = seg_len(s, i);
		uint64_t t = at > s->free_t ? at : s->free_t;
		uint8_t flags = RP_GEN_TH_ACK | (i + 1 == s->nseg ? RP_GEN_TH_PSH : 0);

		s->seg_t[i] = t;
		s->seg_tsv[i] = tsval(s, false, t);
		tx(s, false, t, flags, s->s_data + i * s->smss, s->c_nxt, s->swin, s->cli_tsv,
		   s->c->scratch + i * s->smss, n);
		s->free_t = t + (n + 78) * 8; /* ns per byte at 1 Gb/s, with headers */
		s->sent++;
		if (s->sent == s->nseg && s->server_fin) {
			s->fin_t = s->free_t;
			s->fin_tsv = tsval(s, false, s->fin_t);
			tx(s, false, s->fin_t, RP_GEN_TH_FIN | RP_GEN_TH_ACK, s->s_data + s->len,
			   s->c_nxt, s->swin, s->cli_tsv, NULL, 0);
		}
	}
}

static const char *const http_paths[] = { "/", "/index.html", "/static/app.js", "/api/v1/status",
					  "/images/logo.png" };

static const char *const user_agents[RP_GEN_OS_MAX] = {
	[RP_GEN_OS_LINUX] = ("Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 "
			     "Firefox/124.0"),
	[RP_GEN_OS_WINDOWS] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36",
	[RP_GEN_OS_MACOS] = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15",
	[RP_GEN_OS_ANDROID] = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36",
};

/* The request: a TLS ClientHello record on 443, an HTTP GET on 80; q is 200 to 600 bytes. */
static void build_request(struct sess *s, uint8_t *b, size_t q)
{
	int n;

	rp_gen_fill(&s->r, b, q);
	if (s->sport == 443) {
		b[0] = 0x16; /* handshake record, TLS 1.0 framing, ClientHello of TLS 1.2+ */
		b[1] = 3;
		b[2] = 1;
		put16(b + 3, q - 5);
		put32(b + 5, 1u << 24 | (uint32_t)(q - 9));
		b[9] = 3;
		b[10] = 3;
		return;
	}
	n = snprintf((char *)b, q,
		     "GET %s HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: %s\r\n"
		     "Accept: */*\r\nCookie: sid=",
		     http_paths[rp_gen_below(&s->r, 5)], user_agents[s->cl->os]);
	if (n < 0 || (size_t)n > q - 4)
		n = q - 4;
	for (size_t i = n; i < q - 4; i++)
		b[i] = "0123456789abcdef"[b[i] & 15];
	memcpy(b + q - 4, "\r\n\r\n", 4);
}

static void build_response(struct sess *s, uint8_t *b, size_t len)
{
	static const char fmt[] = "HTTP/1.1 200 OK\r\nServer: nginx\r\n"
				  "Content-Type: application/octet-stream\r\n"
				  "Content-Length: %06zu\r\n\r\n";
	char h[128];
	int hl;

	rp_gen_fill(&s->r, b, len);
	if (s->sport == 443) {
		b[0] = 0x16; /* ServerHello record first; the rest looks encrypted */
		b[1] = 3;
		b[2] = 3;
		return;
	}
	hl = snprintf(h, sizeof(h), fmt, (size_t)0); /* fixed width: the length is known */
	snprintf(h, sizeof(h), fmt, len - hl);
	memcpy(b, h, hl);
}

/*
 * One complete session, emitted at t0 + its own times: handshake, request, response
 * clocked by the client's delayed ACKs (every second segment, slow start from 10), and the
 * close, from the client or (Connection: close) from the server.
 */
static void session(struct rp_gen_ctx *c, uint32_t idx, uint32_t attempt, uint64_t t0)
{
	struct sess s = { .c = c, .t0 = t0 };
	uint8_t o[40], req[600];
	uint32_t c_isn, s_isn, s_end, acked = 0, cwnd = 10, q, cli_fin_tsv, srv_tsv;
	uint64_t t, srv_d, cproc, think, last_ack_t = 0;
	uint16_t mss, cwin = 0;
	bool v6;
	size_t n;

	rp_gen_rng_init(&s.r, c->o.seed, RP_GEN_S_SESSION, (uint64_t)attempt << 32 | idx);
	v6 = rp_gen_chance(&s.r, c->o.ipv6_share) && c->nv6;
	s.cl = pick_client(c, &s.r, v6);
	s.fp = &rp_gen_os_fps[s.cl->os];
	rp_gen_pick_tags(c, &s.r, &s.tags);
	s.sport = v6 || rp_gen_chance(&s.r, 85) ? 443 : 80;
	s.cport = rp_gen_range(&s.r, s.fp->eph_lo, s.fp->eph_hi);
	s.rtt = s.cl->rtt_ns * rp_gen_range(&s.r, 90, 110) / 100;
	s.ts = s.fp->ts;
	s.cts_off = rp_gen_next(&s.r);
	s.sts_off = rp_gen_next(&s.r);
	s.cid = rp_gen_below(&s.r, 65536);
	s.sid = rp_gen_below(&s.r, 65536);
	/* A Windows host's counter moved on with its other traffic since its last session. */
	s.host_ipid = s.cl->ipid + rp_gen_range(&s.r, 1, 400);
	c_isn = rp_gen_next(&s.r);
	s_isn = rp_gen_next(&s.r);

	s.l3c.v6 = s.l3s.v6 = v6;
	s.l3c.df = s.l3s.df = true;
	if (v6) {
		memcpy(s.l3c.src, s.cl->v6, 16);
		memcpy(s.l3c.dst, rp_gen_server_v6, 16);
		s.l3c.flowlabel = s.cl->os == RP_GEN_OS_WINDOWS ? 0 : rp_gen_below(&s.r, 1 << 20);
		s.l3c.dstopts = rp_gen_chance(&s.r, 5);
		s.l3s.flowlabel = rp_gen_below(&s.r, 1 << 20);
	} else {
		memcpy(s.l3c.src, s.cl->v4, 4);
		memcpy(s.l3c.dst, rp_gen_server_v4, 4);
	}
	memcpy(s.l3s.src, s.l3c.dst, 16);
	memcpy(s.l3s.dst, s.l3c.src, 16);
	s.l3c.ttl = s.fp->ttl - s.cl->hops;
	s.l3s.ttl = 64;
	mss = v6 ? 1440 : 1460;
	s.smss = mss - (s.ts ? 12 : 0);
	s.swin = s.ts ? 509 : 502; /* 65160 or 64240, scaled by 2^7 */
	cwin = s.fp->est_win;
	srv_d = rp_gen_range(&s.r, 20 * US, 120 * US);
	cproc = rp_gen_range(&s.r, 5 * US, 60 * US); /* the client's time to answer */

	/* Handshake. */
	n = rp_gen_syn_opts(o, s.cl->os, mss, tsval(&s, true, 0));
	tx_opts(&s, true, 0, RP_GEN_TH_SYN, c_isn, 0, s.cl->syn_win, o, n, NULL, 0);
	t = srv_d;
	srv_tsv = tsval(&s, false, t);
	n = synack_opts(o, s.ts, mss, srv_tsv, tsval(&s, true, 0));
	tx_opts(&s, false, t, RP_GEN_TH_SYN | RP_GEN_TH_ACK, s_isn, c_isn + 1, s.ts ? 65160 : 64240,
		o, n, NULL, 0);
	t += s.rtt + rp_gen_range(&s.r, 10 * US, 200 * US);
	tx(&s, true, t, RP_GEN_TH_ACK, c_isn + 1, s_isn + 1, cwin, srv_tsv, NULL, 0);

	/* Request. */
	t += rp_gen_range(&s.r, 30 * US, 2 * MS);
	q = rp_gen_range(&s.r, 200, 600);
	build_request(&s, req, q);
	tx(&s, true, t, RP_GEN_TH_PSH | RP_GEN_TH_ACK, c_isn + 1, s_isn + 1, cwin, srv_tsv, req, q);
	s.c_nxt = c_isn + 1 + q;
	s.cli_tsv = tsval(&s, true, t);
	s.s_data = s_isn + 1;

	/* A slow answer is acknowledged first, as Linux does once its quick ACKs are due. */
	think = rp_gen_chance(&s.r, 70) ? rp_gen_range(&s.r, 300 * US, 4 * MS) :
					  rp_gen_range(&s.r, 4 * MS, 40 * MS);
	if (think > 5 * MS)
		tx(&s, false, t + rp_gen_range(&s.r, 30 * US, 80 * US), RP_GEN_TH_ACK, s.s_data,
		   s.c_nxt, s.swin, s.cli_tsv, NULL, 0);
	t += think;

	/* Response. */
	s.nseg = rp_gen_chance(&s.r, 80) ? rp_gen_range(&s.r, 2, 9) :
					   rp_gen_range(&s.r, 10, MAX_SEGS);
	s.len = (s.nseg - 1) * s.smss + rp_gen_range(&s.r, 200, s.smss);
	build_response(&s, c->scratch, s.len);
	s.server_fin = rp_gen_chance(&s.r, 30);
	s_end = s.s_data + s.len;
	s.free_t = t;
	send_segs(&s, cwnd, t);
	for (uint32_t j = 0; j < s.nseg; j++) {
		bool last = j + 1 == s.nseg;
		uint32_t ack = s.s_data + j * s.smss + seg_len(&s, j);
		uint64_t at = s.seg_t[j] + s.rtt + cproc + rp_gen_below(&s.r, 4 * US);
		uint32_t tsecr = s.seg_tsv[acked];

		if (j + 1 - acked < 2 && !last)
			continue; /* delayed ACK: every second full segment */
		if (last && s.server_fin) {
			ack++; /* the FIN came right behind the last segment */
			if (at < s.fin_t + s.rtt)
				at = s.fin_t + s.rtt + 5 * US;
		}
		if (at <= last_ack_t)
			at = last_ack_t + 1 * US;
		/* The receive window grows as data arrives (autotuning). */
		cwin = s.fp->est_win + ((ack - s.s_data) >> (s.fp->ws + 1));
		tx(&s, true, at, RP_GEN_TH_ACK, s.c_nxt, ack, cwin, tsecr, NULL, 0);
		s.cli_tsv = tsval(&s, true, at);
		cwnd += j + 1 - acked;
		acked = j + 1;
		last_ack_t = at;
		send_segs(&s, acked + cwnd, at + rp_gen_range(&s.r, 5 * US, 30 * US));
	}

	/* Close. */
	if (s.server_fin) {
		t = last_ack_t + rp_gen_range(&s.r, 50 * US, 3 * MS);
		tx(&s, true, t, RP_GEN_TH_FIN | RP_GEN_TH_ACK, s.c_nxt, s_end + 1, cwin, s.fin_tsv,
		   NULL, 0);
		cli_fin_tsv = tsval(&s, true, t);
		t += rp_gen_range(&s.r, 20 * US, 120 * US);
		tx(&s, false, t, RP_GEN_TH_ACK, s_end + 1, s.c_nxt + 1, s.swin, cli_fin_tsv, NULL,
		   0);
	} else {
		t = last_ack_t + (rp_gen_chance(&s.r, 60) ? rp_gen_range(&s.r, 1 * MS, 100 * MS) :
							    rp_gen_range(&s.r, 100 * MS, 900 * MS));
		tx(&s, true, t, RP_GEN_TH_FIN | RP_GEN_TH_ACK, s.c_nxt, s_end, cwin,
		   s.seg_tsv[s.nseg - 1], NULL, 0);
		cli_fin_tsv = tsval(&s, true, t);
		t += rp_gen_range(&s.r, 20 * US, 120 * US);
		srv_tsv = tsval(&s, false, t);
		tx(&s, false, t, RP_GEN_TH_FIN | RP_GEN_TH_ACK, s_end, s.c_nxt + 1, s.swin,
		   cli_fin_tsv, NULL, 0);
		t += s.rtt + rp_gen_range(&s.r, 5 * US, 60 * US);
		tx(&s, true, t, RP_GEN_TH_ACK, s.c_nxt + 1, s_end + 1, cwin, srv_tsv, NULL, 0);
	}
	if (!c->measure)
		s.cl->ipid = s.host_ipid;
}

static int sched_cmp(const void *a, const void *b)
{
	const struct rp_gen_sched *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Build the client pool and the schedule. Sessions are measured first (generated and
 * dropped) so each one fits inside the duration: a session longer than the duration is
 * drawn again (up to MAX_ATTEMPTS times, then the shortest is kept). The first opens at 0
 * and the last closes at the end, so the capture spans the whole duration; the others
 * start at random.
 */
int rp_gen_legit_init(struct rp_gen_ctx *c)
{
	uint64_t n = c->o.legit_sessions, np;
	struct rp_gen_rng r;

	c->next[RP_GEN_P_LEGIT] = UINT64_MAX;
	if (!n)
		return 0;
	np = n * 2 / 3 + 20; /* a few hundred for a few hundred sessions: some recur */
	if (np > 20000)
		np = 20000;
	c->clients = calloc(np, sizeof(*c->clients));
	c->v6_clients = calloc(np, sizeof(*c->v6_clients));
	c->sessions = calloc(n, sizeof(*c->sessions));
	if (!c->clients || !c->v6_clients || !c->sessions)
		return -ENOMEM;
	c->nclients = np;
	c->nregular = np / 10 ? np / 10 : 1;
	for (uint32_t j = 0; j < np; j++) {
		rp_gen_rng_init(&r, c->o.seed, RP_GEN_S_CLIENT, j);
		make_client(&c->clients[j], &r, -1, false);
		if (c->clients[j].has_v6) {
			c->v6_clients[c->nv6++] = j;
			if (j < c->nregular)
				c->nv6_regular++;
		}
	}

	c->measure = true;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t len = UINT64_MAX, latest;

		for (uint32_t a = 0; a < MAX_ATTEMPTS && len > c->dur; a++) {
			c->measure_end = 0;
			session(c, i, a, 0);
			if (c->measure_end < len) {
				len = c->measure_end;
				c->sessions[i].attempt = a;
			}
		}
		latest = c->dur > len ? c->dur - len : 0;
		rp_gen_rng_init(&r, c->o.seed, RP_GEN_S_SCHED, i);
		c->sessions[i].idx = i;
		if (i == 0)
			c->sessions[i].start = 0;
		else if (i + 1 == n)
			c->sessions[i].start = latest;
		else
			c->sessions[i].start = rp_gen_range(&r, 0, latest);
	}
	c->measure = false;
	qsort(c->sessions, n, sizeof(*c->sessions), sched_cmp);
	c->nsessions = n;
	c->next[RP_GEN_P_LEGIT] = c->sessions[0].start;
	return c->err;
}

void rp_gen_legit_step(struct rp_gen_ctx *c)
{
	const struct rp_gen_sched *s = &c->sessions[c->next_session++];

	session(c, s->idx, s->attempt, s->start);
	c->next[RP_GEN_P_LEGIT] =
		c->next_session < c->nsessions ? c->sessions[c->next_session].start : UINT64_MAX;
}

/* Two monitoring probes (IPv4, IPv6) in Germany ping the server every second. */
int rp_gen_monitor_init(struct rp_gen_ctx *c)
{
	struct rp_gen_rng *r = &c->mon_rng;

	c->next[RP_GEN_P_MONITOR] = UINT64_MAX;
	if (!c->o.monitor)
		return 0;
	rp_gen_rng_init(r, c->o.seed, RP_GEN_S_MONITOR, 0);
	for (int k = 0; k < 2; k++) {
		make_client(&c->mon[k], r, 1, true);
		c->mon[k].os = RP_GEN_OS_LINUX;
		c->mon_id[k] = rp_gen_below(r, 65536);
		c->mon_next[k] = rp_gen_below(r, RP_GEN_SEC);
		if (c->mon_next[k] >= c->dur)
			c->mon_next[k] = UINT64_MAX;
	}
	c->next[RP_GEN_P_MONITOR] = c->mon_next[0] < c->mon_next[1] ? c->mon_next[0] :
								      c->mon_next[1];
	return 0;
}

void rp_gen_monitor_step(struct rp_gen_ctx *c)
{
	int k = c->mon_next[1] < c->mon_next[0];
	struct rp_gen_client *p = &c->mon[k];
	struct rp_gen_rng *r = &c->mon_rng;
	uint64_t t = c->mon_next[k], now = c->o.start_ns + t;
	struct rp_gen_l3 req = { .v6 = k == 1, .df = true }, rep;
	struct rp_gen_tags tags;
	uint8_t pl[56], pkt[RP_GEN_MAX_PKT];
	uint16_t seq = ++c->mon_seq[k];
	size_t n;

	/* iputils ping: a struct timeval in host (little-endian) order, then 0x10, 0x11, ... */
	for (int i = 0; i < 8; i++) {
		pl[i] = (now / RP_GEN_SEC) >> (8 * i);
		pl[8 + i] = (now % RP_GEN_SEC / US) >> (8 * i);
	}
	for (int i = 16; i < 56; i++)
		pl[i] = i - 16 + 0x10;
	if (req.v6) {
		memcpy(req.src, p->v6, 16);
		memcpy(req.dst, rp_gen_server_v6, 16);
	} else {
		memcpy(req.src, p->v4, 4);
		memcpy(req.dst, rp_gen_server_v4, 4);
	}
	req.ttl = 64 - p->hops;
	req.id = p->ipid++;
	rep = req;
	memcpy(rep.src, req.dst, 16);
	memcpy(rep.dst, req.src, 16);
	rep.ttl = 64;
	rep.df = false;
	rep.id = rp_gen_below(r, 65536);
	rp_gen_pick_tags(c, r, &tags);

	n = rp_gen_icmp_echo(pkt, &req, false, c->mon_id[k], seq, pl, sizeof(pl));
	rp_gen_emit(c, t, RP_PCAPW_DIR_IN, RP_GEN_LEGIT, &tags, pkt, n);
	n = rp_gen_icmp_echo(pkt, &rep, true, c->mon_id[k], seq, pl, sizeof(pl));
	rp_gen_emit(c, t + rp_gen_range(r, 15 * US, 60 * US), RP_PCAPW_DIR_OUT, RP_GEN_LEGIT, &tags,
		    pkt, n);

	c->mon_next[k] = t + RP_GEN_SEC + rp_gen_below(r, 100 * US);
	if (c->mon_next[k] >= c->dur)
		c->mon_next[k] = UINT64_MAX;
	c->next[RP_GEN_P_MONITOR] = c->mon_next[0] < c->mon_next[1] ? c->mon_next[0] :
								      c->mon_next[1];
}
