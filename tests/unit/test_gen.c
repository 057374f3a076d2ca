// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The scenario generator: determinism, labels, checksums, fragments, the pcapng direction
 * flags, snap length and the link types. Captures are read back with libpcap, except the
 * pcapng options, which libpcap 1.10 does not expose and the test parses itself.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>
#include <pcap/dlt.h>

#include "check.h"
#include "gen.h"

static char dir[64];

static const char *tmp(const char *name)
{
	static char paths[8][128];
	static int k;
	char *p = paths[k++ % 8];

	if (!dir[0]) {
		strcpy(dir, "/tmp/rp_test_gen.XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	snprintf(p, 128, "%s/%s", dir, name);
	return p;
}

/* Short captures keep the tests fast: 2 s of the scenario, the attacks from 0.6 s. */
static void opts(struct rp_gen_opts *o, const char *scenario, uint64_t seed, const char *out)
{
	rp_gen_opts_init(o);
	o->scenario = scenario;
	o->seed = seed;
	o->out_path = out;
	o->duration_ns = 2 * RP_GEN_SEC;
}

static int gen(struct rp_gen_opts *o, struct rp_gen_stats *st)
{
	char err[256];

	if (!CHECK(!rp_gen_resolve(o, err, sizeof(err)), "resolve: %s", err))
		return -1;
	return CHECK(!rp_gen_run(o, st), "rp_gen_run failed") ? 0 : -1;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = 0;
	*len = n;
	fclose(f);
	return buf;
}

/* Every frame of a capture, through libpcap. */
struct frame {
	uint64_t ns;
	uint32_t caplen, len;
	uint8_t *data;
};

struct frames {
	size_t n;
	int dlt;
	struct frame *f;
};

static int read_frames(const char *path, struct frames *fr)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p;
	size_t cap = 0;
	int rc;

	memset(fr, 0, sizeof(*fr));
	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!CHECK(p, "%s: %s", path, errbuf))
		return -1;
	fr->dlt = pcap_datalink(p);
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		struct frame *f;

		if (fr->n == cap) {
			cap = cap ? cap * 2 : 1024;
			fr->f = realloc(fr->f, cap * sizeof(*fr->f));
		}
		f = &fr->f[fr->n++];
		f->ns = (uint64_t)h->ts.tv_sec * RP_GEN_SEC + h->ts.tv_usec;
		f->caplen = h->caplen;
		f->len = h->len;
		f->data = malloc(h->caplen);
		memcpy(f->data, d, h->caplen);
	}
	CHECK_EQ(rc, PCAP_ERROR_BREAK); /* a clean end of file */
	pcap_close(p);
	return 0;
}

static void free_frames(struct frames *fr)
{
	for (size_t i = 0; i < fr->n; i++)
		free(fr->f[i].data);
	free(fr->f);
}

static uint16_t be16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The IP packet in an Ethernet frame, past any VLAN tags; NULL if none. */
static const uint8_t *eth_l3(const struct frame *f, size_t *len, int *ntags)
{
	size_t off = 12;

	*ntags = 0;
	while (off + 2 <= f->caplen &&
	       (be16(f->data + off) == 0x8100 || be16(f->data + off) == 0x88a8)) {
		off += 4;
		(*ntags)++;
	}
	if (off + 2 > f->caplen)
		return NULL;
	*len = f->caplen - off - 2;
	return f->data + off + 2;
}

/* An independent RFC 1071 sum, so the test does not trust the generator's own. */
static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += be16(p + i);
	if (n & 1)
		s += p[n - 1] << 8;
	return s;
}

static int sum_ok(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

static uint32_t pseudo(const uint8_t *ip, int v6, uint8_t proto, uint32_t len)
{
	uint32_t s = v6 ? sum16(0, ip + 8, 32) : sum16(0, ip + 12, 8);

	return s + proto + (len >> 16) + (len & 0xffff);
}

/* IPv6: skip destination options; returns the upper protocol and its offset, or -1. */
static int ip6_upper(const uint8_t *ip, size_t *off, int *frag)
{
	uint8_t nh = ip[6];

	*off = 40;
	*frag = 0;
	while (nh == 60 || nh == 44) {
		if (nh == 44) {
			*frag = 1;
			*off += 8;
			return ip[*off - 8];
		}
		nh = ip[*off];
		*off += 8 + ip[*off + 1] * 8;
	}
	return nh;
}

static void test_same_seed_same_bytes(void)
{
	struct rp_gen_opts o;
	char *a, *b, *la, *lb;
	size_t na, nb, nla, nlb;

	opts(&o, "mixed", 7, tmp("a.pcapng"));
	o.labels_path = tmp("a.csv");
	if (gen(&o, NULL))
		return;
	opts(&o, "mixed", 7, tmp("b.pcapng"));
	o.labels_path = tmp("b.csv");
	if (gen(&o, NULL))
		return;
	a = slurp(tmp("a.pcapng"), &na);
	b = slurp(tmp("b.pcapng"), &nb);
	la = slurp(tmp("a.csv"), &nla);
	lb = slurp(tmp("b.csv"), &nlb);
	if (CHECK(a && b && la && lb, "cannot read the outputs back")) {
		CHECK(na > 100000, "a capture of %zu bytes is too small", na);
		CHECK(na == nb && !memcmp(a, b, na), "same seed, different captures");
		CHECK(nla == nlb && !memcmp(la, lb, nla), "same seed, different labels");
	}
	free(b);
	opts(&o, "mixed", 8, tmp("b.pcapng"));
	if (!gen(&o, NULL)) {
		b = slurp(tmp("b.pcapng"), &nb);
		CHECK(b && (na != nb || memcmp(a, b, na)), "another seed, the same capture");
	}
	free(a);
	free(b);
	free(la);
	free(lb);
}

static void test_labels_one_row_per_frame(void)
{
	static const char *const scen[] = { "sample", "legit", "synflood", "reflect", "mixed" };

	for (size_t s = 0; s < 5; s++) {
		struct rp_gen_opts o;
		struct rp_gen_stats st;
		struct frames fr;
		uint64_t n[RP_GEN_CLASS_MAX] = { 0 }, row = 0;
		char line[64];
		FILE *f;

		opts(&o, scen[s], 1, tmp("l.pcapng"));
		o.labels_path = tmp("l.csv");
		if (gen(&o, &st) || read_frames(tmp("l.pcapng"), &fr))
			return;
		f = fopen(tmp("l.csv"), "r");
		if (!CHECK(f, "no labels"))
			return;
		CHECK(fgets(line, sizeof(line), f) && !strcmp(line, "frame,class\n"),
		      "%s: bad header", scen[s]);
		while (fgets(line, sizeof(line), f)) {
			unsigned long long k;
			char cls[32];
			int c;

			row++;
			if (!CHECK(sscanf(line, "%llu,%31s", &k, cls) == 2 && k == row,
				   "%s: row %llu is '%s'", scen[s], (unsigned long long)row, line))
				break;
			for (c = 0; c < RP_GEN_CLASS_MAX; c++)
				if (!strcmp(cls, rp_gen_class_name(c)))
					n[c]++;
		}
		fclose(f);
		CHECK(row == fr.n, "%s: %llu labels for %zu frames", scen[s],
		      (unsigned long long)row, fr.n);
		CHECK_EQ(st.frames, fr.n);
		CHECK_EQ(n[RP_GEN_LEGIT] + n[RP_GEN_SYN_FLOOD] + n[RP_GEN_REFLECTION], row);
		for (int c = 0; c < RP_GEN_CLASS_MAX; c++)
			CHECK_EQ(n[c], st.class_frames[c]);
		CHECK(n[RP_GEN_LEGIT] > 100, "%s: %llu legit frames", scen[s],
		      (unsigned long long)n[RP_GEN_LEGIT]);
		CHECK((n[RP_GEN_SYN_FLOOD] > 0) == (s == 0 || s == 2 || s == 4),
		      "%s: syn_flood frames %llu", scen[s],
		      (unsigned long long)n[RP_GEN_SYN_FLOOD]);
		CHECK((n[RP_GEN_REFLECTION] > 0) == (s == 0 || s == 3 || s == 4),
		      "%s: reflection frames %llu", scen[s],
		      (unsigned long long)n[RP_GEN_REFLECTION]);
		/* The capture spans the duration; in wire order, times never go back. */
		CHECK_EQ(fr.f[fr.n - 1].ns - fr.f[0].ns, 2 * RP_GEN_SEC);
		for (size_t i = 1; i < fr.n; i++)
			if (!CHECK(fr.f[i].ns >= fr.f[i - 1].ns, "%s: frame %zu goes back in time",
				   scen[s], i + 1))
				break;
		free_frames(&fr);
	}
}

/* The README demo: about 10 s, every class, some IPv6, under 50k frames. */
static void test_sample_defaults(void)
{
	struct rp_gen_opts o;
	struct rp_gen_stats st;
	struct frames fr;
	size_t v6 = 0, len;
	int tags;

	rp_gen_opts_init(&o);
	o.out_path = tmp("s.pcapng");
	if (gen(&o, &st) || read_frames(o.out_path, &fr))
		return;
	CHECK(st.frames > 20000 && st.frames < 50000, "%llu frames", (unsigned long long)st.frames);
	CHECK_EQ(fr.f[0].ns, RP_GEN_DEFAULT_START * RP_GEN_SEC);
	CHECK_EQ(fr.f[fr.n - 1].ns - fr.f[0].ns, 10 * RP_GEN_SEC);
	for (size_t i = 0; i < fr.n; i++) {
		const uint8_t *ip = eth_l3(&fr.f[i], &len, &tags);

		v6 += ip && ip[0] >> 4 == 6;
	}
	CHECK(v6 > 300, "%zu IPv6 frames", v6);
	for (int c = 0; c < RP_GEN_CLASS_MAX; c++)
		CHECK(st.class_frames[c] > 1000, "%s: %llu frames", rp_gen_class_name(c),
		      (unsigned long long)st.class_frames[c]);
	free_frames(&fr);
}

static void test_checksums_valid(void)
{
	struct rp_gen_opts o;
	struct frames fr;
	size_t tcp = 0, udp = 0, icmp = 0, ip4 = 0, len;
	int tags;

	opts(&o, "mixed", 3, tmp("c.pcapng"));
	if (gen(&o, NULL) || read_frames(o.out_path, &fr))
		return;
	for (size_t i = 0; i < fr.n; i++) {
		const uint8_t *ip = eth_l3(&fr.f[i], &len, &tags), *l4;
		uint32_t l4len;
		int proto, v6, frag;
		size_t off;

		if (!CHECK(ip, "frame %zu: no IP", i + 1))
			break;
		v6 = ip[0] >> 4 == 6;
		if (!v6) {
			off = (ip[0] & 15) * 4;
			if (!CHECK(sum_ok(sum16(0, ip, off)), "frame %zu: IPv4 header checksum",
				   i + 1))
				break;
			ip4++;
			proto = ip[9];
			l4len = be16(ip + 2) - off;
			frag = be16(ip + 6) & 0x3fff;
		} else {
			proto = ip6_upper(ip, &off, &frag);
			l4len = be16(ip + 4) + 40 - off;
		}
		if (frag)
			continue; /* test_fragments_reassemble checks those */
		l4 = ip + off;
		if (!CHECK(off + l4len <= len, "frame %zu: IP length beyond the frame", i + 1))
			break;
		if (proto == 1) {
			CHECK(sum_ok(sum16(0, l4, l4len)), "frame %zu: ICMP checksum", i + 1);
			icmp++;
			continue;
		}
		if (!CHECK(sum_ok(sum16(pseudo(ip, v6, proto, l4len), l4, l4len)),
			   "frame %zu: protocol %d checksum", i + 1, proto))
			break;
		tcp += proto == 6;
		udp += proto == 17;
		icmp += proto == 58;
	}
	CHECK(tcp > 1000 && udp > 10 && icmp > 2 && ip4 > 1000,
	      "checked tcp %zu udp %zu icmp %zu ipv4 %zu", tcp, udp, icmp, ip4);
	free_frames(&fr);
}

/*
 * Fragments: same id, contiguous offsets, MF on all but the last, payloads summing to the
 * UDP length, and the UDP checksum right over the reassembled datagram.
 */
static void test_fragments_reassemble(void)
{
	struct rp_gen_opts o;
	struct frames fr;
	size_t done4 = 0, done6 = 0, len;
	uint8_t dg[70000], first[40];
	uint32_t have = 0, want = 0, id = 0;
	int open = 0, tags, v6_open = 0;

	opts(&o, "reflect", 4, tmp("f.pcapng"));
	if (gen(&o, NULL) || read_frames(o.out_path, &fr))
		return;
	for (size_t i = 0; i < fr.n; i++) {
		const uint8_t *ip = eth_l3(&fr.f[i], &len, &tags), *pl;
		uint32_t foff, plen, fid;
		int more, v6 = ip[0] >> 4 == 6;

		if (!v6) {
			size_t hl = (ip[0] & 15) * 4;

			if (ip[9] != 17 || !(be16(ip + 6) & 0x3fff))
				continue;
			foff = (be16(ip + 6) & 0x1fff) * 8;
			more = !!(be16(ip + 6) & 0x2000);
			fid = be16(ip + 4);
			pl = ip + hl;
			plen = be16(ip + 2) - hl;
		} else {
			if (ip[6] != 44)
				continue;
			foff = be16(ip + 42) & ~7u;
			more = ip[43] & 1;
			fid = be32(ip + 44);
			pl = ip + 48;
			plen = be16(ip + 4) - 8;
		}
		if (foff == 0) {
			if (!CHECK(!open, "frame %zu: a datagram starts before the last ended",
				   i + 1))
				break;
			open = 1;
			v6_open = v6;
			id = fid;
			have = 0;
			want = be16(pl + 4); /* the UDP length */
			memcpy(first, ip, 40);
		}
		if (!CHECK(open && fid == id && foff == have && v6 == v6_open,
			   "frame %zu: fragment out of sequence", i + 1))
			break;
		memcpy(dg + have, pl, plen);
		have += plen;
		if (more) {
			CHECK(plen % 8 == 0, "frame %zu: %u bytes in a non-last fragment", i + 1,
			      plen);
			continue;
		}
		open = 0;
		if (!CHECK(have == want, "frame %zu: fragments hold %u bytes, UDP says %u", i + 1,
			   have, want))
			break;
		CHECK(sum_ok(sum16(pseudo(first, v6, 17, have), dg, have)),
		      "frame %zu: UDP checksum of the reassembled datagram", i + 1);
		if (v6)
			done6++;
		else
			done4++;
	}
	CHECK(!open, "a datagram is left incomplete");
	CHECK(done4 > 100 && done6 > 10, "reassembled %zu IPv4 and %zu IPv6 datagrams", done4,
	      done6);
	free_frames(&fr);
}

/*
 * The pcapng itself: SHB, one IDB (Ethernet, if_tsresol 9) and EPBs whose epb_flags agree
 * with the MACs: inbound from the upstream router, outbound from the protected host.
 */
static void check_pcapng(const char *path, int with_flags, const struct rp_gen_stats *st)
{
	static const uint8_t up[6] = { 2, 0, 0, 0, 0, 1 }, prot[6] = { 2, 0, 0, 0, 0, 2 };
	size_t n, off, nin = 0, nout = 0, nepb = 0;
	uint8_t *b = (uint8_t *)slurp(path, &n);
	int tsresol = 0;

	if (!CHECK(b && n > 64, "%s unreadable", path))
		return;
	CHECK_EQ(le32(b), 0x0a0d0d0a);
	CHECK_EQ(le32(b + 8), 0x1a2b3c4d);
	off = le32(b + 4);
	CHECK_EQ(le32(b + off), 1); /* IDB */
	CHECK_EQ(b[off + 8] | b[off + 9] << 8, 1); /* LINKTYPE_ETHERNET */
	for (size_t o = off + 16; o + 4 <= off + le32(b + off + 4) - 4;) {
		uint16_t code = b[o] | b[o + 1] << 8, len = b[o + 2] | b[o + 3] << 8;

		if (code == 9 && len == 1)
			tsresol = b[o + 4];
		if (!code)
			break;
		o += 4 + ((len + 3) & ~3);
	}
	CHECK_EQ(tsresol, 9);
	for (off += le32(b + off + 4); off + 12 <= n; off += le32(b + off + 4)) {
		uint32_t blen = le32(b + off + 4), caplen = le32(b + off + 20), flags = 0;
		const uint8_t *src = b + off + 28 + 6;
		int has = 0;

		if (!CHECK(le32(b + off) == 6 && blen >= 32 && off + blen <= n,
			   "bad block at offset %zu", off))
			break;
		nepb++;
		for (size_t o = off + 28 + ((caplen + 3) & ~3u); o + 4 <= off + blen - 4;) {
			uint16_t code = b[o] | b[o + 1] << 8, len = b[o + 2] | b[o + 3] << 8;

			if (!code)
				break;
			if (code == 2 && len == 4) {
				flags = le32(b + o + 4);
				has = 1;
			}
			o += 4 + ((len + 3) & ~3);
		}
		if (!with_flags) {
			if (!CHECK(!has && blen == 32 + ((caplen + 3) & ~3u), "EPB %zu has options",
				   nepb))
				break;
			continue;
		}
		if (!CHECK(has, "EPB %zu has no epb_flags", nepb))
			break;
		if ((flags & 3) == 1) {
			nin++;
			CHECK(!memcmp(src, up, 6), "EPB %zu inbound, not from upstream", nepb);
		} else if ((flags & 3) == 2) {
			nout++;
			CHECK(!memcmp(src, prot, 6), "EPB %zu outbound, not from protected", nepb);
		} else {
			CHECK(0, "EPB %zu: direction %u", nepb, flags & 3);
		}
	}
	CHECK_EQ(nepb, st->frames);
	if (with_flags) {
		CHECK_EQ(nin, st->dir_frames[RP_PCAPW_DIR_IN]);
		CHECK_EQ(nout, st->dir_frames[RP_PCAPW_DIR_OUT]);
		CHECK(nout > 500 && nin > nout, "in %zu, out %zu", nin, nout);
	}
	free(b);
}

static void test_pcapng_direction_flags(void)
{
	struct rp_gen_opts o;
	struct rp_gen_stats st;

	opts(&o, "sample", 2, tmp("d.pcapng"));
	if (!gen(&o, &st))
		check_pcapng(o.out_path, 1, &st);
	opts(&o, "sample", 2, tmp("nd.pcapng"));
	o.no_direction = true;
	if (!gen(&o, &st))
		check_pcapng(o.out_path, 0, &st);
}

/* Outbound frames are those from the protected addresses: the frames agree. */
static int from_server(const uint8_t *ip)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x10, [15] = 0x10 };

	if (ip[0] >> 4 == 4)
		return !memcmp(ip + 12, "\xc0\x00\x02\x0a", 4);
	return !memcmp(ip + 8, v6, 16);
}

static void test_snaplen_keeps_length(void)
{
	struct rp_gen_opts o;
	struct frames full, cut;
	size_t cut_n = 0;

	opts(&o, "sample", 6, tmp("full.pcapng"));
	if (gen(&o, NULL) || read_frames(o.out_path, &full))
		return;
	opts(&o, "sample", 6, tmp("cut.pcapng"));
	o.snaplen = 96;
	if (gen(&o, NULL) || read_frames(o.out_path, &cut))
		return;
	if (CHECK_EQ(full.n, cut.n)) {
		for (size_t i = 0; i < cut.n; i++) {
			struct frame *a = &full.f[i], *b = &cut.f[i];

			if (!CHECK(b->len == a->len && b->caplen == (a->len < 96 ? a->len : 96) &&
					   !memcmp(a->data, b->data, b->caplen),
				   "frame %zu: %u/%u bytes, full %u", i + 1, b->caplen, b->len,
				   a->len))
				break;
			cut_n += b->caplen < b->len;
		}
	}
	CHECK(cut_n > 1000, "only %zu frames cut", cut_n);
	free_frames(&full);
	free_frames(&cut);
}

static void test_link_sll_packet_types(void)
{
	struct rp_gen_opts o;
	struct frames fr;
	size_t nout = 0, nin = 0;

	opts(&o, "sample", 9, tmp("sll.pcap"));
	o.link = RP_GEN_LINK_SLL;
	o.format = RP_PCAPW_PCAP;
	if (gen(&o, NULL) || read_frames(o.out_path, &fr))
		return;
	CHECK_EQ(fr.dlt, 113);
	for (size_t i = 0; i < fr.n; i++) {
		const uint8_t *d = fr.f[i].data;
		int out = from_server(d + 16);

		if (!CHECK(be16(d) == (out ? 4 : 0) && be16(d + 2) == 1 && be16(d + 4) == 6 &&
				   d[11] == (out ? 2 : 1),
			   "frame %zu: packet type %u, address ..%02x", i + 1, be16(d), d[11]))
			break;
		CHECK(fr.f[i].len == fr.f[i].caplen, "frame %zu: wire length", i + 1);
		nout += out;
		nin += !out;
	}
	CHECK(nout > 500 && nin > 1000, "in %zu, out %zu", nin, nout);
	free_frames(&fr);
}

static void test_links_and_tags(void)
{
	struct rp_gen_opts o;
	struct frames fr;
	size_t len;
	int tags;

	/* Linux cooked v2: protocol first, packet type at byte 10. */
	opts(&o, "legit", 1, tmp("sll2.pcapng"));
	o.link = RP_GEN_LINK_SLL2;
	if (!gen(&o, NULL) && !read_frames(o.out_path, &fr)) {
		CHECK_EQ(fr.dlt, 276);
		for (size_t i = 0; i < fr.n; i++)
			if (!CHECK(fr.f[i].data[10] == (from_server(fr.f[i].data + 20) ? 4 : 0),
				   "frame %zu: sll2 packet type", i + 1))
				break;
		free_frames(&fr);
	}
	/* Raw: the IP packet only. */
	opts(&o, "legit", 1, tmp("raw.pcapng"));
	o.link = RP_GEN_LINK_RAW;
	if (!gen(&o, NULL) && !read_frames(o.out_path, &fr)) {
		CHECK_EQ(fr.dlt, DLT_RAW); /* libpcap maps LINKTYPE_RAW (101) to DLT_RAW */
		for (size_t i = 0; i < fr.n; i++) {
			const uint8_t *ip = fr.f[i].data;
			uint32_t l = ip[0] >> 4 == 4 ? be16(ip + 2) : be16(ip + 4) + 40u;

			if (!CHECK(l == fr.f[i].len, "frame %zu: raw length", i + 1))
				break;
		}
		free_frames(&fr);
	}
	/* 802.1ad over 802.1Q on every frame. */
	opts(&o, "mixed", 1, tmp("qinq.pcapng"));
	o.qinq = 7;
	if (!gen(&o, NULL) && !read_frames(o.out_path, &fr)) {
		for (size_t i = 0; i < fr.n; i++) {
			const uint8_t *d = fr.f[i].data;

			eth_l3(&fr.f[i], &len, &tags);
			if (!CHECK(tags == 2 && be16(d + 12) == 0x88a8 && be16(d + 14) == 7 &&
					   be16(d + 16) == 0x8100 && be16(d + 18) == 100,
				   "frame %zu: tags", i + 1))
				break;
			CHECK(fr.f[i].len >= 60, "frame %zu: %u bytes", i + 1, fr.f[i].len);
		}
		free_frames(&fr);
	}
}

/* Classic pcap: the nanosecond magic, no options. */
static void test_pcap_nanoseconds(void)
{
	struct rp_gen_opts o;
	size_t n;
	uint8_t *b;

	opts(&o, "legit", 1, tmp("ns.pcap"));
	o.format = RP_PCAPW_PCAP;
	o.start_ns = 1000 * RP_GEN_SEC + 123;
	if (gen(&o, NULL))
		return;
	b = (uint8_t *)slurp(o.out_path, &n);
	if (!CHECK(b && n > 40, "no file"))
		return;
	CHECK_EQ(le32(b), 0xa1b23c4d);
	CHECK_EQ(le32(b + 20), 1);
	CHECK_EQ(le32(b + 24), 1000);
	CHECK_EQ(le32(b + 28), 123);
	free(b);
}

/*
 * Every legitimate TCP connection is complete and consistent: SYN, SYN-ACK acknowledging
 * ISN + 1, and a FIN each way whose sequence numbers follow the data.
 */
static void test_sessions_complete(void)
{
	struct conn {
		uint8_t key[40];
		uint32_t cisn, sisn, cbytes, sbytes;
		int syn, synack, cfin, sfin, v6;
	} *cs = calloc(4096, sizeof(*cs));
	struct rp_gen_opts o;
	struct rp_gen_stats st;
	struct frames fr;
	size_t nc = 0, len;
	int tags;

	opts(&o, "legit", 12, tmp("t.pcapng"));
	o.ipv6_share = 30;
	if (gen(&o, &st) || read_frames(o.out_path, &fr))
		return;
	for (size_t i = 0; i < fr.n; i++) {
		const uint8_t *ip = eth_l3(&fr.f[i], &len, &tags), *th;
		int v6 = ip[0] >> 4 == 6, out = from_server(ip), frag;
		uint8_t key[40] = { 0 };
		uint32_t seq, ack, dlen;
		size_t off, k;
		struct conn *c;

		if (v6) {
			if (ip6_upper(ip, &off, &frag) != 6)
				continue;
			dlen = be16(ip + 4) + 40 - off;
		} else {
			if (ip[9] != 6)
				continue;
			off = (ip[0] & 15) * 4;
			dlen = be16(ip + 2) - off;
		}
		th = ip + off;
		dlen -= (th[12] >> 4) * 4;
		/* The client's address and port name the connection. */
		memcpy(key, out ? (v6 ? ip + 24 : ip + 16) : (v6 ? ip + 8 : ip + 12), v6 ? 16 : 4);
		memcpy(key + 16, out ? th + 2 : th, 2);
		for (k = 0; k < nc && memcmp(cs[k].key, key, sizeof(key)); k++)
			;
		if (k == nc) {
			if (!CHECK(nc < 4096, "too many connections"))
				break;
			memcpy(cs[nc++].key, key, sizeof(key));
		}
		c = &cs[k];
		c->v6 = v6;
		seq = be32(th + 4);
		ack = be32(th + 8);
		if (th[13] == 0x02) {
			CHECK(!c->syn && !out, "frame %zu: second SYN", i + 1);
			c->syn = 1;
			c->cisn = seq;
		} else if (th[13] == 0x12) {
			CHECK(c->syn && ack == c->cisn + 1, "frame %zu: SYN-ACK", i + 1);
			c->synack = 1;
			c->sisn = seq;
		} else if (!out) {
			CHECK(c->synack && seq == c->cisn + 1 + c->cbytes + c->cfin,
			      "frame %zu: client seq", i + 1);
			CHECK((int32_t)(ack - (c->sisn + 1 + c->sbytes + c->sfin)) <= 0,
			      "frame %zu: client acks ahead", i + 1);
			c->cbytes += dlen;
			c->cfin |= th[13] & 1;
		} else {
			CHECK(c->synack && seq == c->sisn + 1 + c->sbytes + c->sfin,
			      "frame %zu: server seq", i + 1);
			c->sbytes += dlen;
			c->sfin |= th[13] & 1;
		}
		if (rp_t_failed)
			break;
	}
	CHECK_EQ(nc, st.legit_sessions);
	for (size_t k = 0; k < nc; k++)
		if (!CHECK(cs[k].cfin && cs[k].sfin && cs[k].cbytes >= 200 && cs[k].sbytes > 1400,
			   "connection %zu incomplete", k))
			break;
	free(cs);
	free_frames(&fr);
}

static void test_resolve_rejects(void)
{
	struct rp_gen_opts o;
	char err[256];

	opts(&o, "nosuch", 1, "x");
	CHECK_EQ(rp_gen_resolve(&o, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "nosuch"), "message: %s", err);
	opts(&o, "sample", 1, "x");
	o.attack_end_ns = 3 * RP_GEN_SEC; /* after the 2 s duration */
	CHECK_EQ(rp_gen_resolve(&o, err, sizeof(err)), -EINVAL);
	opts(&o, "sample", 1, "x");
	o.attack_start_ns = o.attack_end_ns = RP_GEN_SEC;
	CHECK_EQ(rp_gen_resolve(&o, err, sizeof(err)), -EINVAL);
	opts(&o, "sample", 1, NULL);
	CHECK_EQ(rp_gen_resolve(&o, err, sizeof(err)), -EINVAL);
	opts(&o, "legit", 1, "x");
	o.attack_start_ns = 5 * RP_GEN_SEC; /* no attack: no window to check */
	CHECK_EQ(rp_gen_resolve(&o, err, sizeof(err)), 0);
	CHECK_EQ(o.legit_sessions, 60); /* 30 per second */
}

static void cleanup(void)
{
	char cmd[128];

	if (dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", dir);
	}
}

static void test_zz_cleanup(void)
{
	cleanup();
}

RP_TESTS(RP_T(test_same_seed_same_bytes), RP_T(test_labels_one_row_per_frame),
	 RP_T(test_sample_defaults), RP_T(test_checksums_valid), RP_T(test_fragments_reassemble),
	 RP_T(test_pcapng_direction_flags), RP_T(test_snaplen_keeps_length),
	 RP_T(test_link_sll_packet_types), RP_T(test_links_and_tags), RP_T(test_pcap_nanoseconds),
	 RP_T(test_sessions_complete), RP_T(test_resolve_rejects), RP_T(test_zz_cleanup))
