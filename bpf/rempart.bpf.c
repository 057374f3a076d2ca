// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rempart's data plane: two entry points over one decision code (decide.h).
 *
 *   rp_xdp        XDP (xdp.frags), inbound frames live; both directions on a mirror port
 *                 (rp_monitor); inbound and undetermined frames in replay.
 *   rp_tc_egress  tc egress, outbound frames live and in replay.
 *   rp_geo_probe  tests only: the country lookup over an array of addresses.
 *
 * In replay (rp_replay) each run carries a 20-byte record (abi.h): in the XDP metadata area
 * on rp_xdp, in __sk_buff.cb on rp_tc_egress. The program reads time, lengths and
 * direction from it and writes its decision over it.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "decide.h"
#include "geo.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static __always_inline int rp_xdp_verdict(int verdict)
{
	/* A mirror port carries copies: count and decide, but never hand them to the stack. */
	if (rp_monitor)
		return XDP_DROP;
	return verdict == RP_V_DROP ? XDP_DROP : XDP_PASS;
}

SEC("xdp.frags")
int rp_xdp(struct xdp_md *ctx)
{
	struct rp_input in = {
		.data = (void *)(long)ctx->data,
		.data_end = (void *)(long)ctx->data_end,
		.segs = 1,
	};
	union rp_record out = {};
	int verdict;

	if (rp_replay) {
		union rp_record *rec = (void *)(long)ctx->data_meta;

		if ((void *)(rec + 1) > in.data || rec->in.magic != RP_REC_MAGIC_IN)
			return XDP_ABORTED;
		in.rec_time = rp_rec_time(&rec->in);
		in.wire_len = rec->in.wire_len;
		in.cap_len = rec->in.cap_len;
		in.dir = rec->in.dir > RP_DIR_OUT ? RP_DIR_UNKNOWN : rec->in.dir;
		in.dir_src = RP_DSRC_CAPTURE;
		verdict = rp_decide(&in, &out.out);
		__builtin_memcpy(rec, &out, sizeof(out));
		return verdict == RP_V_DROP ? XDP_DROP : XDP_PASS;
	}

	/* The linear part; the parser asks for the whole length when it needs it. */
	in.cap_len = in.data_end - in.data;
	in.wire_len = in.cap_len;
	in.xdp = ctx;
	in.dir = rp_monitor ? RP_DIR_UNKNOWN : RP_DIR_IN;
	in.dir_src = RP_DSRC_HOOK;
	verdict = rp_decide(&in, &out.out);
	return rp_xdp_verdict(verdict);
}

/* Enough to hold any header stack the parser reads. */
#define RP_TC_PULL 256

SEC("tc")
int rp_tc_egress(struct __sk_buff *skb)
{
	struct rp_input in = { .dir = RP_DIR_OUT, .segs = 1 };
	union rp_record rec = {};
	int verdict;

	if (rp_replay) {
		rec.words[0] = skb->cb[0];
		rec.words[1] = skb->cb[1];
		rec.words[2] = skb->cb[2];
		rec.words[3] = skb->cb[3];
		rec.words[4] = skb->cb[4];
		if (rec.in.magic != RP_REC_MAGIC_IN)
			return TC_ACT_SHOT;
		in.rec_time = rp_rec_time(&rec.in);
		in.wire_len = rec.in.wire_len;
		in.cap_len = rec.in.cap_len;
		in.dir_src = RP_DSRC_CAPTURE;
	} else {
		/* Locally generated packets may hold their headers in paged data. */
		if (skb->data_end - skb->data < RP_TC_PULL && skb->len > skb->data_end - skb->data)
			bpf_skb_pull_data(skb, skb->len < RP_TC_PULL ? skb->len : RP_TC_PULL);
		in.wire_len = skb->len;
		/* A GSO super-packet leaves as gso_segs frames. */
		if (skb->gso_segs > 1)
			in.segs = skb->gso_segs;
		in.dir_src = RP_DSRC_HOOK;
	}
	in.data = (void *)(long)skb->data;
	in.data_end = (void *)(long)skb->data_end;
	if (!rp_replay)
		in.cap_len = in.data_end - in.data;

	verdict = rp_decide(&in, &rec.out);
	if (rp_replay) {
		skb->cb[0] = rec.words[0];
		skb->cb[1] = rec.words[1];
		skb->cb[2] = rec.words[2];
		skb->cb[3] = rec.words[3];
		skb->cb[4] = rec.words[4];
	}
	return verdict == RP_V_DROP ? TC_ACT_SHOT : TC_ACT_OK;
}

/*
 * The country lookup alone, for tests (tests/bpf/test_geo.c): the frame is an array of
 * struct rp_geo_probe records; each gets its code written in place (test_run's data_out).
 * Separate from rp_xdp: never attached.
 */
__noinline int rp_geo_probe_one(__u32 v6, __u32 a0, __u32 a1, __u32 a2, __u32 a3)
{
	__u32 a[4] = { a0, a1, a2, a3 };

	return rp_geo_country(v6, a);
}

SEC("xdp")
int rp_geo_probe(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;

	for (int i = 0; i < RP_GEO_PROBE_MAX; i++) {
		struct rp_geo_probe *r = data + i * sizeof(*r);

		if ((void *)(r + 1) > data_end)
			break;
		r->code = rp_geo_probe_one(r->family == 6, r->addr[0], r->addr[1], r->addr[2],
					   r->addr[3]);
	}
	return XDP_DROP;
}
