// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The replay contract, frame by frame through rp_run_frame(): the program sees the capture's
 * time exactly and clamps time that goes back; direction comes from the record, else the
 * upstream MACs, else the address rule; spoofed internal sources stay inbound.
 */
#include <errno.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "check.h"
#include "frames.h"
#include "rempart/abi.h"
#include "rempart.skel.h"
#include "capture.h"
#include "config.h"
#include "dataplane.h"
#include "replay.h"

static struct rp_dp dp;

static int load(const char *yaml)
{
	struct rp_config cfg;
	char err[256];

	rp_dp_close(&dp);
	if (geteuid() != 0)
		return -EPERM;
	rp_config_defaults(&cfg);
	if (rp_config_parse("t.yaml", (const unsigned char *)yaml, strlen(yaml), &cfg, err,
			    sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -EINVAL;
	}
	if (rp_dp_open(&dp, RP_DP_REPLAY) || rp_dp_apply_config(&dp, &cfg)) {
		rp_config_free(&cfg);
		return -1;
	}
	rp_config_free(&cfg);
	return 0;
}

static int run(struct fb *f, uint64_t t, int dir, union rp_record *rec)
{
	static uint8_t buf[RP_CAP_BUF_SIZE];

	memcpy(buf + RP_CAP_HEADROOM, f->b, f->n);
	memset(rec, 0, sizeof(*rec));
	rp_rec_set_time(&rec->in, t);
	rec->in.cap_len = rec->in.wire_len = f->n;
	rec->in.dir = dir;
	return rp_run_frame(&dp, buf, f->n, rec);
}

static void tcp4(struct fb *f, const uint8_t src[4], const uint8_t dst[4])
{
	fb_eth(f, 0x0800);
	fb_ip4(f, IPPROTO_TCP, 5, 0);
	memcpy(f->b + f->l3 + 12, src, 4);
	memcpy(f->b + f->l3 + 16, dst, 4);
	fb_tcp(f, 5, 0x10);
	fb_fix(f);
}

static void test_program_sees_capture_time_exactly(void)
{
	static const uint64_t times[] = { 1774173600123456789ull, 1774173600123456790ull,
					  1774173601000000000ull, 4102444800999999999ull };
	union rp_record rec;
	struct fb f;

	if (load(""))
		SKIP("needs root and BPF");
	fb_eth(&f, 0x0800);
	fb_ip4(&f, IPPROTO_UDP, 5, 0);
	fb_udp(&f, 10);
	fb_fix(&f);
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		for (int dir = RP_DIR_IN; dir <= RP_DIR_OUT; dir++) {
			CHECK_EQ(run(&f, times[i], dir, &rec), 0);
			CHECK(dp.skel->bss->rp_clock_last == times[i], "entry %d saw %llu, want %llu",
			      dir, (unsigned long long)dp.skel->bss->rp_clock_last,
			      (unsigned long long)times[i]);
		}
	}
	CHECK_EQ(dp.skel->bss->rp_clock_backwards, 0);
	/* Backwards: clamped to the latest time, and counted. */
	CHECK_EQ(run(&f, times[0], RP_DIR_IN, &rec), 0);
	CHECK(dp.skel->bss->rp_clock_last == times[3], "clock went back");
	CHECK_EQ(dp.skel->bss->rp_clock_backwards, 1);
	CHECK_EQ(rec.out.verdict, RP_V_PASS);
}

static const uint8_t up_mac[6] = { 2, 0, 0, 0, 0, 1 }, our_mac[6] = { 2, 0, 0, 0, 0, 2 },
		     other_mac[6] = { 2, 0, 0, 0, 0, 9 };
static const uint8_t internal_host[4] = { 10, 1, 2, 3 }, protected_host[4] = { 192, 0, 2, 10 },
		     outside[4] = { 81, 2, 3, 4 };

static void set_macs(struct fb *f, const uint8_t dst[6], const uint8_t src[6])
{
	memcpy(f->b, dst, 6);
	memcpy(f->b + 6, src, 6);
}

static void test_direction_from_record_wins(void)
{
	union rp_record rec;
	struct fb f;

	if (load("upstream_macs: [\"02:00:00:00:00:01\"]\n"))
		SKIP("needs root and BPF");
	/* The record says out (tc entry) though the MAC says in: the capture wins. */
	tcp4(&f, outside, protected_host);
	set_macs(&f, our_mac, up_mac);
	CHECK_EQ(run(&f, 1, RP_DIR_OUT, &rec), 0);
	CHECK_EQ(rec.out.dir, RP_DIR_OUT);
	CHECK_EQ(rec.out.dir_src, RP_DSRC_CAPTURE);
	CHECK_EQ(run(&f, 2, RP_DIR_IN, &rec), 0);
	CHECK_EQ(rec.out.dir, RP_DIR_IN);
	CHECK_EQ(rec.out.dir_src, RP_DSRC_CAPTURE);
}

static void test_direction_by_upstream_mac(void)
{
	union rp_record rec;
	struct fb f;

	if (load("upstream_macs: [\"02:00:00:00:00:01\"]\n"
		 "internal: { networks: [10.0.0.0/8] }\n"))
		SKIP("needs root and BPF");
	/* From the upstream router: inbound, even with an internal (spoofed) source. */
	tcp4(&f, internal_host, outside);
	set_macs(&f, our_mac, up_mac);
	CHECK_EQ(run(&f, 1, RP_DIR_UNKNOWN, &rec), 0);
	CHECK_EQ(rec.out.dir, RP_DIR_IN);
	CHECK_EQ(rec.out.dir_src, RP_DSRC_MAC);
	/* To the upstream router: outbound, whatever the addresses. */
	tcp4(&f, outside, protected_host);
	set_macs(&f, up_mac, our_mac);
	CHECK_EQ(run(&f, 2, RP_DIR_UNKNOWN, &rec), 0);
	CHECK_EQ(rec.out.dir, RP_DIR_OUT);
	CHECK_EQ(rec.out.dir_src, RP_DSRC_MAC);
	/* Neither MAC known: the address rule decides. */
	tcp4(&f, internal_host, outside);
	set_macs(&f, other_mac, our_mac);
	CHECK_EQ(run(&f, 3, RP_DIR_UNKNOWN, &rec), 0);
	CHECK_EQ(rec.out.dir, RP_DIR_OUT);
	CHECK_EQ(rec.out.dir_src, RP_DSRC_ADDR);
}

static void test_direction_by_address_rule(void)
{
	union rp_record rec;
	struct fb f;

	if (load("internal: { networks: [10.0.0.0/8, \"fd00::/8\"] }\n"
		 "tenants: [{ name: t, services: [{ name: s, addresses: [192.0.2.0/24] }] }]\n"))
		SKIP("needs root and BPF");
	/* Local source to a remote destination: outbound. */
	tcp4(&f, protected_host, outside);
	CHECK_EQ(run(&f, 1, RP_DIR_UNKNOWN, &rec), 0);
	CHECK_EQ(rec.out.dir, RP_DIR_OUT);
	CHECK_EQ(rec.out.dir_src, RP_DSRC_ADDR);
	tcp4(&f, internal_host, outside);
	CHECK_EQ(run(&f, 2, RP_DIR_UNKNOWN, &rec), 0);
	CHECK_EQ(rec.out.dir, RP_DIR_OUT);
	/* Remote source: inbound. */
	tcp4(&f, outside, protected_host);
	CHECK_EQ(run(&f, 3, RP_DIR_UNKNOWN, &rec), 0);
	CHECK_EQ(rec.out.dir, RP_DIR_IN);
	/* A spoofed internal source toward a protected address stays inbound. */
	tcp4(&f, internal_host, protected_host);
	CHECK_EQ(run(&f, 4, RP_DIR_UNKNOWN, &rec), 0);
	CHECK_EQ(rec.out.dir, RP_DIR_IN);
	/* IPv6 local source fd00::1 to 2001:db8::10 (not local here): outbound. */
	fb_eth(&f, 0x86dd);
	fb_ip6(&f, IPPROTO_UDP);
	memset(f.b + f.l3 + 8, 0, 16);
	f.b[f.l3 + 8] = 0xfd, f.b[f.l3 + 23] = 1;
	fb_udp(&f, 4);
	fb_fix(&f);
	CHECK_EQ(run(&f, 5, RP_DIR_UNKNOWN, &rec), 0);
	CHECK_EQ(rec.out.dir, RP_DIR_OUT);
	/* Non-IP: inbound. */
	fb_eth(&f, 0x0806);
	fb_bytes(&f, 28);
	CHECK_EQ(run(&f, 6, RP_DIR_UNKNOWN, &rec), 0);
	CHECK_EQ(rec.out.dir, RP_DIR_IN);
}

/* The tc entry only ever sees outbound frames; XDP in replay takes the record's word. */
static void test_bad_record_aborts(void)
{
	static uint8_t buf[RP_CAP_BUF_SIZE];
	union rp_record rec = {};
	struct xdp_md md = { .data = RP_CAP_HEADROOM, .data_end = RP_CAP_HEADROOM + 60 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_size_in = RP_CAP_HEADROOM + 60,
		    .data_out = buf, .data_size_out = sizeof(buf), .ctx_in = &md,
		    .ctx_size_in = sizeof(md));

	if (load(""))
		SKIP("needs root and BPF");
	/* No magic: the program must refuse to guess. */
	memcpy(buf, &rec, sizeof(rec));
	CHECK_EQ(bpf_prog_test_run_opts(dp.xdp_fd, &opts), 0);
	CHECK_EQ(opts.retval, XDP_ABORTED);
}

RP_TESTS(RP_T(test_program_sees_capture_time_exactly), RP_T(test_direction_from_record_wins),
	 RP_T(test_direction_by_upstream_mac), RP_T(test_direction_by_address_rule),
	 RP_T(test_bad_record_aborts))
