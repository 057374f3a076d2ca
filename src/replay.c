// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "rempart/abi.h"
#include "rempart.skel.h"
#include "capture.h"
#include "control.h"
#include "policy.h"
#include "log.h"
#include "reasons.h"
#include "geo.h"
#include "replay.h"

/*
 * test_run on a tc program builds an skb whose data must fit one page with its headroom and
 * shared info; longer outbound frames are passed cut, with their true lengths in the record
 * (the program only reads headers).
 */
#define RP_TC_MAX_DATA 3584
#define RP_RUN_MIN_LEN 64

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int rp_pin_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return -errno;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	return 0;
}

int rp_run_frame(const struct rp_dp *dp, uint8_t *buf, uint32_t len, union rp_record *rec)
{
	int err;

	/* test_run refuses frames under 14 bytes, and on tc under a full IP header: pad with
	 * zeros. The record keeps the true lengths, and the program parses only cap_len. */
	if (len < RP_RUN_MIN_LEN) {
		memset(buf + RP_CAP_HEADROOM + len, 0, RP_RUN_MIN_LEN - len);
		len = RP_RUN_MIN_LEN;
	}
	rec->in.magic = RP_REC_MAGIC_IN;
	if (rec->in.dir == RP_DIR_OUT) {
		struct __sk_buff skb = {}, skb_out = {};
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf + RP_CAP_HEADROOM,
			    .data_size_in = len < RP_TC_MAX_DATA ? len : RP_TC_MAX_DATA,
			    .ctx_in = &skb, .ctx_size_in = sizeof(skb), .ctx_out = &skb_out,
			    .ctx_size_out = sizeof(skb_out));

		memcpy(skb.cb, rec->words, sizeof(rec->words));
		err = bpf_prog_test_run_opts(dp->tc_fd, &opts);
		if (err)
			return -errno;
		memcpy(rec->words, skb_out.cb, sizeof(rec->words));
	} else {
		struct xdp_md md = { .data = RP_CAP_HEADROOM, .data_end = RP_CAP_HEADROOM + len };
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf,
			    .data_size_in = RP_CAP_HEADROOM + len, .data_out = buf,
			    .data_size_out = RP_CAP_BUF_SIZE, .ctx_in = &md, .ctx_size_in = sizeof(md));

		memcpy(buf, rec->words, sizeof(rec->words));
		err = bpf_prog_test_run_opts(dp->xdp_fd, &opts);
		if (err)
			return -errno;
		memcpy(rec->words, buf, sizeof(rec->words));
	}
	if (rec->out.magic != RP_REC_MAGIC_OUT) {
		memset(rec, 0, sizeof(*rec));
		rec->out.verdict = RP_V_ABORTED;
		rec->out.reason = RP_R_no_record;
	}
	return 0;
}

int rp_proto_l3_bucket(const struct rp_rec_out *o)
{
	return o->l3 == RP_L3_IPV4 ? RP_PB_IPV4 : o->l3 == RP_L3_IPV6 ? RP_PB_IPV6 : RP_PB_NOT_IP;
}

int rp_proto_l4_bucket(const struct rp_rec_out *o)
{
	if (o->l3 == RP_L3_NONE)
		return -1;
	if (o->pflags & RP_PF_FRAG_LATER)
		return RP_PB_FRAG_LATER;
	switch (o->l4) {
	case 6:
		return RP_PB_TCP;
	case 17:
		return RP_PB_UDP;
	case 1:
		return RP_PB_ICMP;
	case 58:
		return RP_PB_ICMP6;
	default:
		return RP_PB_OTHER_L4;
	}
}

static void tally(struct rp_tally *t, uint32_t bytes)
{
	t->frames++;
	t->bytes += bytes;
}

struct rp_read_arg {
	const struct rp_dp *dp;
	unsigned int n_services;
	struct rp_svc_counters one;
};

/* The tick's totals: every service in use, and 0 (traffic to no service). */
static int read_counters(void *arg, struct rp_svc_counters *sum)
{
	struct rp_read_arg *a = arg;
	uint64_t *dst = (uint64_t *)sum;
	const uint64_t *src = (const uint64_t *)&a->one;
	int err = rp_dp_read_counters(a->dp, 0, sum);

	for (unsigned int s = 1; !err && s <= a->n_services; s++) {
		err = rp_dp_read_counters(a->dp, s, &a->one);
		for (size_t w = 0; !err && w < sizeof(*sum) / sizeof(uint64_t); w++)
			dst[w] += src[w];
	}
	return err;
}

/*
 * Entries in force at now of a set-associative state table (rp_known, rp_pending: 64-byte
 * sets of 16-byte ways, include/rempart/policy.h): ways with a tag (tag_len bytes at
 * offset 0) and an expiry (32 bits at exp_off, program clock >> RP_KNOWN_TIME_SHIFT) still
 * ahead. Read through mmap.
 */
static uint64_t ways_in_force(int fd, uint32_t nsets, size_t tag_len, size_t exp_off,
			      uint64_t now)
{
	size_t len = (size_t)nsets * 64;
	const uint8_t *sets = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	uint32_t t = (uint32_t)(now >> RP_KNOWN_TIME_SHIFT);
	uint64_t n = 0;

	if (sets == MAP_FAILED)
		return 0;
	for (size_t way = 0; way < len / 16; way++) {
		const uint8_t *w = sets + way * 16;
		uint64_t tag = 0;
		uint32_t exp;

		memcpy(&tag, w, tag_len);
		memcpy(&exp, w + exp_off, sizeof(exp));
		n += tag && (int32_t)(exp - t) > 0;
	}
	munmap((void *)sets, len);
	return n;
}

/* First fragments still remembered at now (the table is an array: count live entries). */
static uint64_t frag_entries(int fd, uint64_t now)
{
	struct rp_frag_ent e;
	uint64_t n = 0;

	for (uint32_t i = 0; i < RP_MAX_FRAGS; i++)
		if (!bpf_map_lookup_elem(fd, &i, &e) && e.expires > now)
			n++;
	return n;
}

/* Start and end the operator's holds that fall due by now. */
static int apply_holds(const struct rp_replay_opts *o, struct rp_control *ctl, uint64_t start,
		       uint64_t now)
{
	for (unsigned int i = 0; i < o->n_holds; i++) {
		const struct rp_level_hold *h = &o->holds[i];
		uint64_t from = start + h->from_ns, to = h->to_ns ? start + h->to_ns : 0;

		if (now >= from && (!to || now < to)) {
			int err = rp_control_set_level(ctl, h->svc, h->level, to);

			if (err)
				return err;
		}
	}
	return 0;
}

static const char *frag_name(uint8_t pflags)
{
	if (pflags & RP_PF_FRAG_LATER)
		return "later";
	if (pflags & RP_PF_FRAG_FIRST)
		return "first";
	return "none";
}

/* Decimal digits of v at p; returns the end. */
static char *put_u64(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

/*
 * One CSV row. Formatted by hand: fprintf's parsing of a 14-field format cost about 0.8 us a
 * row, a third of a test run, and the verdict log is on for most forensic replays.
 */
static void write_verdict_row(FILE *f, uint64_t n, int64_t rel_ns, const struct rp_frame *fr,
			      const struct rp_rec_out *o)
{
	char row[256], l4buf[8], *p = row;
	uint64_t a = rel_ns < 0 ? -(uint64_t)rel_ns : (uint64_t)rel_ns;
	uint64_t frac = a % 1000000000ull;

	p = put_u64(p, n);
	*p++ = ',';
	p = put_str(p, rp_verdict_name(o->verdict));
	*p++ = ',';
	p = put_str(p, rp_reason_name(o->reason));
	*p++ = ',';
	p = put_u64(p, o->service);
	*p++ = ',';
	p = put_u64(p, o->level);
	*p++ = ',';
	p = put_str(p, rp_dir_name(o->dir));
	*p++ = ',';
	p = put_str(p, rp_dir_src_name(o->dir_src));
	*p++ = ',';
	p = put_str(p, o->l3 == RP_L3_IPV4 ? "ipv4" : o->l3 == RP_L3_IPV6 ? "ipv6" : "none");
	*p++ = ',';
	p = put_str(p, o->l3 ? rp_l4_name(o->l4, l4buf, sizeof(l4buf)) : "none");
	*p++ = ',';
	p = put_str(p, frag_name(o->pflags));
	*p++ = ',';
	p = put_u64(p, o->vlans);
	*p++ = ',';
	p = put_u64(p, fr->wire_len);
	*p++ = ',';
	p = put_u64(p, fr->cap_len);
	*p++ = ',';
	if (rel_ns < 0)
		*p++ = '-';
	p = put_u64(p, a / 1000000000ull);
	*p++ = '.';
	for (uint64_t d = 100000000ull; d; d /= 10)
		*p++ = '0' + (frac / d) % 10;
	*p++ = ',';
	if (o->country & RP_REC_GEO_SEEN)
		p = put_str(p, rp_geo_cc_name(o->country & ~RP_REC_GEO_SEEN));
	*p++ = '\n';
	fwrite(row, 1, p - row, f);
}

/* The fences' per-country counters, fenced services in configuration order (their rows in
 * rp_geo_counters, as policy.c numbers them), and the dataset they judged with. */
static int read_geo(struct rp_dp *dp, const struct rp_config *cfg, struct rp_replay_result *res)
{
	int fd = bpf_map__fd(dp->skel->maps.rp_geo_counters), ncpu = dp->ncpus;
	struct rp_geo_count *v = calloc(ncpu, sizeof(*v));
	unsigned int row = 0;

	if (!cfg || !dp->geo_path || !v) {
		free(v);
		return dp->geo_path && cfg && !v ? -ENOMEM : 0;
	}
	snprintf(res->geo_dataset, sizeof(res->geo_dataset), "%s %s", dp->geo_name, dp->geo_date);
	for (unsigned int i = 0; i < cfg->n_services && row < RP_MAX_FENCED; i++) {
		if (!cfg->services[i].set.fence.configured)
			continue;
		for (uint32_t cc = 0; cc < RP_GEO_NCODES; cc++) {
			struct rp_geo_row r = { .svc = i + 1, .cc = cc };
			struct rp_geo_row *grown;
			struct rp_geo_count t;

			if (rp_geo_counts_sum(fd, ncpu, v, row, cc, &t) ||
			    (!t.pass_pkts && !t.drop_pkts))
				continue;
			r.pass = t.pass_pkts;
			r.pass_bytes = t.pass_bytes;
			r.drop = t.drop_pkts;
			r.drop_bytes = t.drop_bytes;
			grown = realloc(res->geo, (res->n_geo + 1) * sizeof(*res->geo));
			if (!grown) {
				free(v);
				return -ENOMEM;
			}
			res->geo = grown;
			res->geo[res->n_geo++] = r;
		}
		row++;
	}
	free(v);
	return 0;
}

#define RP_VERDICT_HEADER \
	"frame,verdict,reason,service,level,dir,dir_src,l3,l4,frag,vlans,wire_len,cap_len,time,country\n"

int rp_replay(const struct rp_replay_opts *o, struct rp_replay_result *res)
{
	struct rp_capture *cap = NULL;
	struct rp_dp dp = { .skel = NULL };
	pcap_dumper_t *passed = NULL, *dropped = NULL;
	FILE *vf = NULL;
	uint8_t *buf = NULL;
	char err[512];
	uint64_t last_t = 0, t_start, ticks, pol_ns = 0;
	struct rp_control *ctl = NULL;
	struct rp_read_arg rd = {};
	int ret, rc;

	memset(res, 0, sizeof(*res));
	ret = rp_capture_open(o->capture, &cap, err, sizeof(err));
	if (ret) {
		rp_err("%s", err);
		return ret;
	}
	snprintf(res->format, sizeof(res->format), "%s", rp_capture_format(cap));
	snprintf(res->link, sizeof(res->link), "%s", rp_capture_link_name(cap));

	ret = rp_pin_cpu();
	if (ret)
		rp_warn("cannot pin to one CPU (%s); per-CPU state may spread", strerror(-ret));
	t_start = mono_ns();
	ret = rp_dp_open(&dp, RP_DP_REPLAY);
	res->load_ns = mono_ns() - t_start;
	if (ret)
		goto out;
	rd.dp = &dp;
	rd.n_services = o->cfg->n_services;
	for (unsigned int i = 0; i < o->cfg->n_services && i + 1 < RP_MAX_SERVICES; i++)
		snprintf(res->service_name[i + 1], sizeof(res->service_name[0]), "%s/%s",
			 o->cfg->tenants[o->cfg->services[i].tenant].name, o->cfg->services[i].name);

	buf = malloc(RP_CAP_BUF_SIZE);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	if (o->verdicts) {
		vf = fopen(o->verdicts, "w");
		if (!vf) {
			ret = -errno;
			rp_err("%s: cannot write: %s", o->verdicts, strerror(errno));
			goto out;
		}
		setvbuf(vf, NULL, _IOFBF, 1 << 20);
		fputs(RP_VERDICT_HEADER, vf);
	}
	if (o->write_passed && !(passed = pcap_dump_open(rp_capture_pcap(cap), o->write_passed))) {
		rp_err("%s: %s", o->write_passed, pcap_geterr(rp_capture_pcap(cap)));
		ret = -EIO;
		goto out;
	}
	if (o->write_dropped && !(dropped = pcap_dump_open(rp_capture_pcap(cap), o->write_dropped))) {
		rp_err("%s: %s", o->write_dropped, pcap_geterr(rp_capture_pcap(cap)));
		ret = -EIO;
		goto out;
	}

	t_start = mono_ns();
	for (;;) {
		struct rp_frame fr;
		union rp_record rec = {};
		int l4;

		rc = rp_capture_next(cap, buf, &fr);
		if (rc == 0)
			break;
		if (rc < 0) {
			res->damaged = true;
			snprintf(res->damage, sizeof(res->damage), "%s", rp_capture_error(cap));
			break;
		}
		if (res->frames == 0) {
			res->first_ns = fr.time_ns;
			last_t = fr.time_ns;
			uint64_t t_pol = mono_ns();

			rp_tick_init(&res->tick, fr.time_ns, read_counters, &rd);
			/* The policy goes in on the capture's clock, as the daemon's does on its: a
			 * one-time cost, counted with the load, not with the frame loop. */
			ret = rp_control_open(&ctl, &dp, o->cfg, fr.time_ns);
			if (ret)
				goto out;
			pol_ns = mono_ns() - t_pol;
		}
		/* The tick runs on capture time, never backwards (the program clamps alike). */
		if (fr.time_ns > last_t)
			last_t = fr.time_ns;
		ticks = res->tick.ticks;
		ret = rp_tick_advance(&res->tick, last_t, !o->no_merge_ticks);
		if (!ret && (ticks != res->tick.ticks || res->frames == 0)) {
			/* A control tick at each tick boundary, on capture time. */
			ret = apply_holds(o, ctl, res->first_ns, last_t);
			if (!ret)
				ret = rp_control_tick(ctl, last_t);
		}
		if (ret)
			goto out;

		rp_rec_set_time(&rec.in, fr.time_ns);
		rec.in.wire_len = fr.wire_len;
		rec.in.cap_len = fr.cap_len;
		rec.in.dir = fr.dir;
		if (fr.cap_len < 14)
			res->padded++;
		if (fr.len < fr.cap_len)
			res->cut++;
		ret = rp_run_frame(&dp, buf, fr.len, &rec);
		if (ret) {
			rp_err("test run failed on frame %llu: %s",
			       (unsigned long long)res->frames + 1, strerror(-ret));
			goto out;
		}
		rp_tick_touch(&res->tick);
		res->frames++;
		res->bytes += fr.wire_len;
		res->last_ns = last_t;
		tally(&res->verdict[rec.out.verdict & 3], fr.wire_len);
		tally(&res->reason[rec.out.reason & (RP_REASON_MAX - 1)], fr.wire_len);
		tally(&res->service[rec.out.service % RP_MAX_SERVICES], fr.wire_len);
		tally(&res->dir[rec.out.dir % RP_DIR_MAX], fr.wire_len);
		tally(&res->dir_src[rec.out.dir_src & 3], fr.wire_len);
		tally(&res->proto[rp_proto_l3_bucket(&rec.out)], fr.wire_len);
		l4 = rp_proto_l4_bucket(&rec.out);
		if (l4 >= 0)
			tally(&res->proto[l4], fr.wire_len);
		if (vf)
			write_verdict_row(vf, res->frames, (int64_t)(fr.time_ns - res->first_ns), &fr,
					  &rec.out);
		if (rec.out.verdict == RP_V_DROP ? dropped : passed)
			pcap_dump((u_char *)(rec.out.verdict == RP_V_DROP ? dropped : passed),
				  fr.hdr, fr.orig);
	}
	if (vf)
		fflush(vf);
	res->loop_ns = mono_ns() - t_start - pol_ns;
	res->load_ns += pol_ns;
	if (res->frames) {
		ret = rp_tick_finish(&res->tick);
		if (ret)
			goto out;
	}
	res->clock_backwards = dp.skel->bss->rp_clock_backwards;
	res->state.known = ways_in_force(bpf_map__fd(dp.skel->maps.rp_known), RP_KNOWN_SETS,
					 sizeof(__u64), offsetof(struct rp_known_way, expires),
					 last_t);
	res->state.pending = ways_in_force(bpf_map__fd(dp.skel->maps.rp_pending),
					   RP_PENDING_SETS, sizeof(__u32),
					   offsetof(struct rp_pending_way, expires), last_t);
	res->state.frags = frag_entries(bpf_map__fd(dp.skel->maps.rp_frags), last_t);
	res->state.deny = ctl ? rp_deny_count(rp_control_deny(ctl)) : 0;
	res->state.hh_lost = dp.skel->bss->rp_hh_lost;
	ret = read_geo(&dp, o->cfg, res);
	if (!ret)
		ret = res->damaged ? -EIO : 0;
out:
	if (vf && fclose(vf) && !ret) {
		rp_err("%s: write failed: %s", o->verdicts, strerror(errno));
		ret = -EIO;
	}
	if (passed)
		pcap_dump_close(passed);
	if (dropped)
		pcap_dump_close(dropped);
	free(buf);
	rp_control_close(ctl);
	rp_dp_close(&dp);
	rp_capture_close(cap);
	return ret;
}

void rp_replay_result_free(struct rp_replay_result *res)
{
	rp_tick_free(&res->tick);
	free(res->geo);
	res->geo = NULL;
	res->n_geo = 0;
}
