// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The generator's driver: scenarios and their defaults, the merge of the producers' frames
 * in time order, the link layer, and the capture and label files.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_traffic.h"
#include "log.h"

#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101
#define LINKTYPE_LINUX_SLL 113
#define LINKTYPE_LINUX_SLL2 276

#define MAX_DURATION (86400 * RP_GEN_SEC)
#define MAX_PPS 10000000ull
#define MAX_SESSIONS 10000000ull
#define DEFAULT_QINQ_INNER 100

/*
 * The scenarios. Legitimate sessions are a rate, so a longer --duration keeps the same
 * density; the attacks run from 30 % to 80 % of the duration unless told otherwise.
 */
static const struct scenario {
	const char *name;
	uint32_t sessions_per_s, syn_pps, reflect_pps, ipv6_share, reflect_ipv6_share;
	bool vlan_mix, monitor;
} scenarios[] = {
	{ "sample", 30, 4000, 800, 15, 10, false, true },
	{ "legit", 30, 0, 0, 15, 0, false, false },
	{ "synflood", 20, 5000, 0, 10, 0, false, false },
	{ "reflect", 20, 0, 1500, 10, 15, false, false },
	{ "mixed", 30, 3000, 600, 30, 20, true, true },
};

const char *rp_gen_class_name(unsigned int cls)
{
	static const char *const names[RP_GEN_CLASS_MAX] = {
		[RP_GEN_LEGIT] = "legit",
		[RP_GEN_SYN_FLOOD] = "syn_flood",
		[RP_GEN_REFLECTION] = "reflection",
	};

	return cls < RP_GEN_CLASS_MAX ? names[cls] : "?";
}

void rp_gen_opts_init(struct rp_gen_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->format = RP_PCAPW_PCAPNG;
	o->link = RP_GEN_LINK_ETHER;
	o->vlan = -1;
	o->qinq = -1;
	o->duration_ns = o->start_ns = o->attack_start_ns = o->attack_end_ns = RP_GEN_UNSET;
	o->legit_sessions = o->syn_pps = o->reflect_pps = o->ipv6_share = RP_GEN_UNSET;
}

static double sec(uint64_t ns)
{
	return ns / 1e9;
}

int rp_gen_resolve(struct rp_gen_opts *o, char *err, size_t errlen)
{
	const struct scenario *sc = NULL;
	const char *name = o->scenario ? o->scenario : "sample";

	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (!strcmp(name, scenarios[i].name))
			sc = &scenarios[i];
	if (!sc) {
		snprintf(err, errlen,
			 "--scenario: unknown scenario '%s' (sample, legit, synflood, reflect, "
			 "mixed)",
			 name);
		return -EINVAL;
	}
	if (o->duration_ns == RP_GEN_UNSET)
		o->duration_ns = 10 * RP_GEN_SEC;
	if (o->start_ns == RP_GEN_UNSET)
		o->start_ns = RP_GEN_DEFAULT_START * RP_GEN_SEC;
	if (o->legit_sessions == RP_GEN_UNSET)
		o->legit_sessions =
			(sc->sessions_per_s * o->duration_ns + RP_GEN_SEC / 2) / RP_GEN_SEC;
	if (o->syn_pps == RP_GEN_UNSET)
		o->syn_pps = sc->syn_pps;
	if (o->reflect_pps == RP_GEN_UNSET)
		o->reflect_pps = sc->reflect_pps;
	if (o->ipv6_share == RP_GEN_UNSET)
		o->ipv6_share = sc->ipv6_share;
	if (o->attack_start_ns == RP_GEN_UNSET)
		o->attack_start_ns = o->duration_ns / 10 * 3;
	if (o->attack_end_ns == RP_GEN_UNSET)
		o->attack_end_ns = o->duration_ns / 10 * 8;
	o->reflect_ipv6_share = sc->reflect_ipv6_share;
	o->vlan_mix = sc->vlan_mix;
	o->monitor = sc->monitor;

	if (!o->out_path) {
		snprintf(err, errlen, "no output file: -o FILE is required");
		return -EINVAL;
	}
	if (!o->duration_ns || o->duration_ns > MAX_DURATION) {
		snprintf(err, errlen, "--duration: %g s is out of range (above 0, at most 86400)",
			 sec(o->duration_ns));
		return -EINVAL;
	}
	if (o->start_ns > UINT64_MAX / 2) {
		snprintf(err, errlen, "--start: %g is too far in the future", sec(o->start_ns));
		return -EINVAL;
	}
	if (o->legit_sessions > MAX_SESSIONS) {
		snprintf(err, errlen, "--legit-sessions: %" PRIu64 " is above %llu",
			 o->legit_sessions, MAX_SESSIONS);
		return -EINVAL;
	}
	if (o->syn_pps > MAX_PPS || o->reflect_pps > MAX_PPS) {
		snprintf(err, errlen, "--%s: %" PRIu64 " is above %llu per second",
			 o->syn_pps > MAX_PPS ? "syn-pps" : "reflect-pps",
			 o->syn_pps > MAX_PPS ? o->syn_pps : o->reflect_pps, MAX_PPS);
		return -EINVAL;
	}
	if (o->ipv6_share > 100) {
		snprintf(err, errlen, "--ipv6-share: %" PRIu64 " is not a percentage",
			 o->ipv6_share);
		return -EINVAL;
	}
	if ((o->syn_pps || o->reflect_pps) && o->attack_start_ns >= o->attack_end_ns) {
		snprintf(err, errlen, "--attack-start %g s is not before --attack-end %g s",
			 sec(o->attack_start_ns), sec(o->attack_end_ns));
		return -EINVAL;
	}
	if ((o->syn_pps || o->reflect_pps) && o->attack_end_ns > o->duration_ns) {
		snprintf(err, errlen, "--attack-end %g s is after the end of --duration %g s",
			 sec(o->attack_end_ns), sec(o->duration_ns));
		return -EINVAL;
	}
	if (o->vlan > 4094 || o->qinq > 4094) {
		snprintf(err, errlen, "--%s: %d is not a VLAN ID (0 to 4094)",
			 o->vlan > 4094 ? "vlan" : "qinq", o->vlan > 4094 ? o->vlan : o->qinq);
		return -EINVAL;
	}
	if (o->snaplen > RP_PCAPW_MAX_SNAPLEN) {
		snprintf(err, errlen, "--snaplen: %u is above %u", o->snaplen,
			 RP_PCAPW_MAX_SNAPLEN);
		return -EINVAL;
	}
	return 0;
}

void rp_gen_pick_tags(struct rp_gen_ctx *c, struct rp_gen_rng *r, struct rp_gen_tags *t)
{
	uint32_t x = rp_gen_below(r, 100); /* always drawn: tag options change only the tags */

	memset(t, 0, sizeof(*t));
	if (c->o.qinq >= 0) {
		t->n = 2;
		t->id[0] = c->o.qinq;
		t->id[1] = c->o.vlan >= 0 ? c->o.vlan : DEFAULT_QINQ_INNER;
	} else if (c->o.vlan >= 0) {
		t->n = 1;
		t->id[0] = c->o.vlan;
	} else if (c->o.vlan_mix && x >= 50) {
		/* Half untagged, then VLAN 100, VLAN 200, and 802.1ad 10 over 100. */
		t->n = x < 90 ? 1 : 2;
		t->id[0] = x < 75 ? 100 : x < 90 ? 200 : 10;
		t->id[1] = 100;
	}
}

/* The merge heap, ordered by (time, emission order). */
static bool before(const struct rp_gen_frame *a, const struct rp_gen_frame *b)
{
	return a->ts != b->ts ? a->ts < b->ts : a->seq < b->seq;
}

static int heap_push(struct rp_gen_ctx *c, struct rp_gen_frame *f)
{
	size_t i;

	if (c->nheap == c->capheap) {
		size_t cap = c->capheap ? c->capheap * 2 : 4096;
		struct rp_gen_frame **h = realloc(c->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		c->heap = h;
		c->capheap = cap;
	}
	for (i = c->nheap++; i && before(f, c->heap[(i - 1) / 2]); i = (i - 1) / 2)
		c->heap[i] = c->heap[(i - 1) / 2];
	c->heap[i] = f;
	return 0;
}

static struct rp_gen_frame *heap_pop(struct rp_gen_ctx *c)
{
	struct rp_gen_frame *top = c->heap[0], *last = c->heap[--c->nheap];
	size_t i = 0, n = c->nheap;

	for (;;) {
		size_t k = 2 * i + 1;

		if (k >= n)
			break;
		if (k + 1 < n && before(c->heap[k + 1], c->heap[k]))
			k++;
		if (!before(c->heap[k], last))
			break;
		c->heap[i] = c->heap[k];
		i = k;
	}
	if (n)
		c->heap[i] = last;
	return top;
}

void rp_gen_emit(struct rp_gen_ctx *c, uint64_t t, unsigned int dir, unsigned int cls,
		 const struct rp_gen_tags *tags, const uint8_t *pkt, size_t len)
{
	struct rp_gen_frame *f;

	if (c->measure) {
		if (t > c->measure_end)
			c->measure_end = t;
		return;
	}
	if (c->err)
		return;
	if (!len) { /* a builder refused: a bug in the generator, not the user's doing */
		c->err = -EINVAL;
		return;
	}
	f = malloc(sizeof(*f) + len);
	if (!f) {
		c->err = -ENOMEM;
		return;
	}
	f->ts = t;
	f->seq = c->seq++;
	f->dir = dir;
	f->cls = cls;
	f->tags = *tags;
	f->len = len;
	memcpy(f->data, pkt, len);
	if (heap_push(c, f)) {
		free(f);
		c->err = -ENOMEM;
	}
}

/*
 * The link header of a frame; returns its length. Ethernet: the fixed MACs, then the tags.
 * Linux cooked v1/v2: packet type 0 (to us) inbound and 4 (outgoing) outbound, the
 * sender's MAC, and VLAN tags after the header the way libpcap reinserts them (protocol
 * field = outer TPID). Raw: nothing, and no tags.
 */
static size_t link_hdr(uint8_t *b, enum rp_gen_link link, const struct rp_gen_frame *f)
{
	bool out = f->dir == RP_PCAPW_DIR_OUT;
	const uint8_t *src = out ? rp_gen_mac_protected : rp_gen_mac_upstream;
	const uint8_t *dst = out ? rp_gen_mac_upstream : rp_gen_mac_protected;
	uint8_t chain[10];
	size_t nc = 0;

	for (int i = 0; i < f->tags.n; i++, nc += 4) {
		put16(chain + nc, f->tags.n == 2 && i == 0 ? 0x88a8 : 0x8100);
		put16(chain + nc + 2, f->tags.id[i]);
	}
	put16(chain + nc, (f->data[0] >> 4) == 6 ? 0x86dd : 0x0800);
	nc += 2;

	switch (link) {
	case RP_GEN_LINK_ETHER:
		memcpy(b, dst, 6);
		memcpy(b + 6, src, 6);
		memcpy(b + 12, chain, nc);
		return 12 + nc;
	case RP_GEN_LINK_SLL: /* pkttype, ARPHRD_ETHER, addr len, addr[8], protocol */
		put16(b, out ? 4 : 0);
		put16(b + 2, 1);
		put16(b + 4, 6);
		memcpy(b + 6, src, 6);
		memset(b + 12, 0, 2);
		memcpy(b + 14, chain, nc);
		return 14 + nc;
	case RP_GEN_LINK_SLL2: /* protocol, reserved, ifindex, ARPHRD_ETHER, pkttype, len, addr */
		memcpy(b, chain, 2);
		memset(b + 2, 0, 4);
		b[7] = 2; /* ifindex 2, the usual first NIC */
		put16(b + 8, 1);
		b[10] = out ? 4 : 0;
		b[11] = 6;
		memcpy(b + 12, src, 6);
		memset(b + 18, 0, 2);
		memcpy(b + 20, chain + 2, nc - 2);
		return 20 + nc - 2;
	case RP_GEN_LINK_RAW:
		break;
	}
	return 0;
}

struct out {
	struct rp_pcapw *w;
	FILE *labels;
	struct rp_gen_stats st;
};

static int write_frame(struct rp_gen_ctx *c, struct out *out, const struct rp_gen_frame *f)
{
	uint8_t b[RP_GEN_MAX_LINK_HDR + RP_GEN_MAX_PKT + 64];
	size_t hl = link_hdr(b, c->o.link, f), len = hl + f->len;
	uint64_t ts = c->o.start_ns + f->ts;
	int err;

	memcpy(b + hl, f->data, f->len);
	/*
	 * Frames shorter than Ethernet's 60 bytes arrive padded: capture on the receiving
	 * host shows the padding, capture of what it sends does not.
	 */
	if (f->dir == RP_PCAPW_DIR_IN && c->o.link != RP_GEN_LINK_RAW) {
		size_t eth_len = 14 + 4 * f->tags.n + f->len;

		if (eth_len < 60) {
			memset(b + len, 0, 60 - eth_len);
			len += 60 - eth_len;
		}
	}
	err = rp_pcapw_write(out->w, ts, b, len, f->dir);
	if (err) {
		rp_err("%s: %s", c->o.out_path, strerror(-err));
		return err;
	}
	out->st.frames++;
	if (out->labels && fprintf(out->labels, "%" PRIu64 ",%s\n", out->st.frames,
				   rp_gen_class_name(f->cls)) < 0) {
		err = errno ? -errno : -EIO;
		rp_err("%s: %s", c->o.labels_path, strerror(-err));
		return err;
	}
	out->st.bytes += len;
	out->st.class_frames[f->cls]++;
	out->st.dir_frames[f->dir & 3]++;
	if (out->st.frames == 1)
		out->st.first_ns = ts;
	out->st.last_ns = ts;
	return 0;
}

static void (*const steps[RP_GEN_P_MAX])(struct rp_gen_ctx *) = {
	[RP_GEN_P_LEGIT] = rp_gen_legit_step,
	[RP_GEN_P_MONITOR] = rp_gen_monitor_step,
	[RP_GEN_P_SYN] = rp_gen_syn_step,
	[RP_GEN_P_REFLECT] = rp_gen_refl_step,
};

/*
 * Step the producer with the earliest next event, and write the heap's first frame as soon
 * as no producer can still emit anything before it. Equal times keep emission order.
 */
static int merge(struct rp_gen_ctx *c, struct out *out)
{
	for (;;) {
		uint64_t pn = UINT64_MAX;
		int p = -1, err;

		for (int k = 0; k < RP_GEN_P_MAX; k++) {
			if (c->next[k] < pn) {
				pn = c->next[k];
				p = k;
			}
		}
		if (c->nheap && c->heap[0]->ts < pn) {
			struct rp_gen_frame *f = heap_pop(c);

			err = write_frame(c, out, f);
			free(f);
			if (err)
				return err;
			continue;
		}
		if (p < 0)
			return 0;
		steps[p](c);
		if (c->err)
			return c->err;
	}
}

static void ctx_free(struct rp_gen_ctx *c)
{
	while (c->nheap)
		free(heap_pop(c));
	free(c->heap);
	free(c->clients);
	free(c->v6_clients);
	free(c->sessions);
	free(c->reflectors);
	free(c);
}

int rp_gen_run(const struct rp_gen_opts *o, struct rp_gen_stats *st)
{
	static const uint32_t linktypes[] = {
		[RP_GEN_LINK_ETHER] = LINKTYPE_ETHERNET,
		[RP_GEN_LINK_SLL] = LINKTYPE_LINUX_SLL,
		[RP_GEN_LINK_SLL2] = LINKTYPE_LINUX_SLL2,
		[RP_GEN_LINK_RAW] = LINKTYPE_RAW,
	};
	struct rp_pcapw_opts wo = {
		.format = o->format,
		.linktype = linktypes[o->link],
		.snaplen = o->snaplen,
		.dir_flags = !o->no_direction,
		.app = "rempart gen",
	};
	struct out out = { 0 };
	struct rp_gen_ctx *c;
	int err, err2;

	if (o->duration_ns == RP_GEN_UNSET || !o->out_path)
		return -EINVAL; /* not resolved */
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->o = *o;
	c->dur = o->duration_ns;

	err = rp_gen_legit_init(c);
	if (!err)
		err = rp_gen_monitor_init(c);
	if (!err)
		err = rp_gen_syn_init(c);
	if (!err)
		err = rp_gen_refl_init(c);
	if (err) {
		rp_err("generating: %s", strerror(-err));
		goto out;
	}

	err = rp_pcapw_open(&out.w, o->out_path, &wo);
	if (err) {
		rp_err("%s: cannot create: %s", o->out_path, strerror(-err));
		goto out;
	}
	if (o->labels_path) {
		out.labels = fopen(o->labels_path, "w");
		if (!out.labels) {
			err = -errno;
			rp_err("%s: cannot create: %s", o->labels_path, strerror(-err));
			goto out;
		}
		fputs("frame,class\n", out.labels);
	}

	err = merge(c, &out);
	if (err == -ENOMEM || err == -EINVAL)
		rp_err("generating: %s", strerror(-err));
out:
	err2 = rp_pcapw_close(out.w);
	if (err2 && !err) {
		rp_err("%s: %s", o->out_path, strerror(-err2));
		err = err2;
	}
	if (out.labels && fclose(out.labels) && !err) {
		err = errno ? -errno : -EIO;
		rp_err("%s: %s", o->labels_path, strerror(-err));
	}
	out.st.legit_sessions = c->nsessions;
	if (st)
		*st = out.st;
	ctx_free(c);
	return err;
}
