/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one decision code. Both entry points and every mode (inline, monitor, replay) call
 * rp_decide(); they differ only in where the frame, its lengths, its time and its direction
 * come from, and in how the verdict is returned. There is no other copy of this logic.
 */
#ifndef RP_BPF_DECIDE_H
#define RP_BPF_DECIDE_H

#include "parse.h"
#include "maps.h"
#include "clock.h"
#include "direction.h"
#include "counters.h"
#include "policy.h"

/* What an entry point hands to the decision code. */
struct rp_input {
	void *data;
	void *data_end;
	__u64 rec_time; /* replay: capture time from the record */
	__u32 wire_len;
	__u32 cap_len; /* bytes of the frame we hold (replay: from the record) */
	__u32 segs; /* frames this buffer stands for (GSO on tc egress), at least 1 */
	void *xdp; /* live XDP: the context, for the frame's whole length (rp_wire_len()) */
	__u8 dir; /* enum rp_dir; RP_DIR_UNKNOWN lets the program resolve it */
	__u8 dir_src;
};

static __always_inline int rp_decide(const struct rp_input *in, struct rp_rec_out *out)
{
	__u8 dir = in->dir, dir_src = in->dir_src;
	int reason, verdict = RP_V_PASS;
	struct rp_scratch *s;
	struct rp_facts *f;
	struct rp_pkt *p;
	__u32 zero = 0;
	__u16 service = 0;
	__u8 level = 0;
	__u64 now;

	/*
	 * The parsed facts live in per-CPU map memory, not on the stack: the verifier does not
	 * track values stored in maps, so the paths through the parser's unrolled loops meet
	 * again in equal states after it instead of each carrying its own copy of every field
	 * through the stages. (It also keeps the stack under 512 bytes for the whole chain.)
	 */
	s = bpf_map_lookup_elem(&rp_scratch, &zero);
	if (!s)
		return RP_V_PASS;
	f = &s->f;
	p = &f->p;
	__builtin_memset(p, 0, sizeof(*p));
	p->wire_len = in->wire_len;
	p->cap_len = in->cap_len;
	now = rp_now(in->rec_time, &s->clock);

	reason = rp_parse(p, in->data, in->data_end, in->xdp);
	/* A frame the parser did not vouch for may hold more than its linear part: count it
	 * whole. (Bytes past the IP length of a frame it did vouch for are not counted.) */
	if (reason != RP_R_ok)
		rp_wire_len(p, in->xdp);
	/* A GSO super-packet leaves as segs frames, each with its own headers on the wire. */
	if (in->segs > 1 && (p->pflags & RP_PF_L4_SEEN))
		p->wire_len += (in->segs - 1) * (p->l4_off + p->l4_hlen);
	if (dir == RP_DIR_UNKNOWN)
		dir = rp_resolve_dir(p, in->data, in->data_end, &dir_src);

	if (!rp_reason_malformed(reason) && p->l3 != RP_L3_NONE) {
		/* The stages read the parser's output where it wrote it (f->p), and count the
		 * frame themselves. */
		f->now = now;
		f->payload = p->l4_len > p->l4_hlen ? p->l4_len - p->l4_hlen : 0;
		f->dir = dir;
		f->dir_src = dir_src;
		f->country = 0;
		f->parse_reason = reason;
		f->segs = in->segs;
		verdict = rp_policy(f);
		service = f->svc;
		level = f->level;
		reason = f->reason;
	} else {
		/* Malformed, or not IP: no stage sees it. */
		if (rp_reason_malformed(reason)) {
			p->pflags |= RP_PF_MALFORMED;
			verdict = rp_knobs.malformed_verdict == RP_V_PASS ? RP_V_PASS : RP_V_DROP;
		}
		rp_count_pkt(0, p, reason, verdict, dir, in->segs);
	}

	out->verdict = verdict;
	out->dir = dir;
	out->reason = reason;
	out->service = service;
	out->level = level;
	out->l3 = p->l3;
	out->l4 = p->l4;
	out->pflags = p->pflags;
	out->vlans = p->vlans;
	out->dir_src = dir_src;
	out->country = p->l3 != RP_L3_NONE && !rp_reason_malformed(reason) ? f->country : 0;
	out->spare = 0;
	out->spare2 = 0;
	out->magic = RP_REC_MAGIC_OUT;
	return verdict;
}

#endif /* RP_BPF_DECIDE_H */
