/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one place where the BPF data plane and the userspace control plane meet.
 *
 * Everything here is seen by both compilers (clang -target bpf and the host compiler), so
 * every type is fixed-width, padding is explicit and every size is asserted. Nothing in
 * this header may be declared a second time anywhere else.
 */
#ifndef REMPART_ABI_H
#define REMPART_ABI_H

#include <linux/types.h>
#include "rempart/reasons.h"

#define RP_ASSERT_SIZE(type, size) _Static_assert(sizeof(type) == (size), #type " changed size")

/* What happened to a frame. Values are part of the CSV and JSON outputs. */
enum rp_verdict {
	RP_V_PASS = 0,
	RP_V_DROP = 1,
	RP_V_TX = 2, /* answered in place (challenge), a later issue */
	RP_V_ABORTED = 3, /* the program could not decide (internal error) */
	RP_V_MAX = 4,
};

/* Direction relative to the protected site. */
enum rp_dir {
	RP_DIR_UNKNOWN = 0, /* let the program decide: upstream MACs, else the address rule */
	RP_DIR_IN = 1, /* from upstream toward the protected site */
	RP_DIR_OUT = 2, /* from the protected site toward upstream */
	RP_DIR_MAX = 3,
};

/* How the direction was found, reported in the output record. */
enum rp_dir_src {
	RP_DSRC_HOOK = 0, /* live: the hook that received it */
	RP_DSRC_CAPTURE = 1, /* replay: pcapng flag or Linux cooked packet type */
	RP_DSRC_MAC = 2, /* a configured upstream MAC address */
	RP_DSRC_ADDR = 3, /* the address rule (fallback) */
};

/* Layer-3 class reported per frame. */
enum rp_l3 {
	RP_L3_NONE = 0,
	RP_L3_IPV4 = 4,
	RP_L3_IPV6 = 6,
};

/* Bits of rp_rec_out.pflags: facts the parser learned about the frame. */
#define RP_PF_FRAG_FIRST 0x01 /* first fragment of a fragmented datagram (has the L4 header) */
#define RP_PF_FRAG_LATER 0x02 /* non-first fragment: no L4 header */
#define RP_PF_IP4_OPTS 0x04 /* IPv4 header carries options */
#define RP_PF_IP6_EXT 0x08 /* IPv6 extension headers were walked */
#define RP_PF_L4_SEEN 0x10 /* the transport header was read in full */
#define RP_PF_MALFORMED 0x20 /* the reason is a malformed-frame reason */

/*
 * The replay record: one per frame, 20 bytes, in both directions of one BPF_PROG_TEST_RUN.
 *
 * In, replay fills rp_rec_in; the program reads it, then writes rp_rec_out over it. It
 * travels in the XDP metadata area just before the frame (the XDP entry) or in
 * __sk_buff.cb[0..4] (the tc entry), which is exactly 20 bytes. Live frames carry no record.
 * Twenty bytes also keep the XDP metadata a multiple of four, as the kernel requires.
 */
#define RP_REC_MAGIC_IN 0x5249 /* "RI" */
#define RP_REC_MAGIC_OUT 0x524f /* "RO" */

struct rp_rec_in {
	/* Capture time in ns since the epoch, the program's clock in replay, as two halves:
	 * a __u64 would align the record to 8 and make it 24 bytes, while both carriers (XDP
	 * metadata, __sk_buff.cb) only guarantee 4-byte alignment. */
	__u32 time_lo;
	__u32 time_hi;
	__u32 wire_len; /* length on the wire, used for every byte count */
	__u32 cap_len; /* bytes captured; may be less than wire_len, or under 14 (padded) */
	__u8 dir; /* enum rp_dir */
	__u8 flags; /* reserved, 0 */
	__u16 magic; /* RP_REC_MAGIC_IN */
};
RP_ASSERT_SIZE(struct rp_rec_in, 20);

struct rp_rec_out {
	__u8 verdict; /* enum rp_verdict */
	__u8 dir; /* enum rp_dir as resolved by the program */
	__u16 reason; /* enum rp_reason */
	__u16 service; /* protected service index, 0 = none */
	__u8 level; /* mitigation level in force for that service */
	__u8 l3; /* enum rp_l3 */
	__u8 l4; /* IP protocol of the transport header (also on non-first fragments) */
	__u8 pflags; /* RP_PF_* */
	__u8 vlans; /* VLAN tags seen (0-2) */
	__u8 dir_src; /* enum rp_dir_src */
	__u16 country; /* RP_REC_GEO_SEEN | RP_GEO_CODE when the fence looked the source up
			* (RP_GEO_NONE: not in the dataset), else 0 */
	__u16 spare; /* room for later fields */
	__u16 spare2;
	__u16 magic; /* RP_REC_MAGIC_OUT once the program has written its decision */
};
RP_ASSERT_SIZE(struct rp_rec_out, 20);

#define RP_REC_GEO_SEEN 0x8000

union rp_record {
	struct rp_rec_in in;
	struct rp_rec_out out;
	__u32 words[5];
};
RP_ASSERT_SIZE(union rp_record, 20);

static inline __u64 rp_rec_time(const struct rp_rec_in *r)
{
	return ((__u64)r->time_hi << 32) | r->time_lo;
}

static inline void rp_rec_set_time(struct rp_rec_in *r, __u64 t)
{
	r->time_lo = (__u32)t;
	r->time_hi = (__u32)(t >> 32);
}

/* Counters: one per-CPU array element per service (index 0: traffic to no service). */
#define RP_MAX_SERVICES 256

/*
 * The control plane's registry of service numbers (rp_svc_reg, one entry per number, pinned
 * with the rest of the state and never read by the program): which service owns a number,
 * whether the configuration in force has it, and the number's generation. A control plane
 * that adopts pinned maps reads it back, so every service keeps its number, and with it its
 * counters, held level, heavy-hitter denies, known clients and sketch cells, across a
 * restart, even when the configuration changed in between (src/control.c).
 */
#define RP_SVC_KEY_MAX 132
struct rp_svc_reg {
	char key[RP_SVC_KEY_MAX]; /* "tenant/service"; empty: the number was never used */
	__u16 gen; /* bumped each time another service takes the number */
	__u8 active; /* a service of the configuration in force has it */
	__u8 _pad;
};
RP_ASSERT_SIZE(struct rp_svc_reg, RP_SVC_KEY_MAX + 4);

enum rp_proto_bucket {
	RP_PB_NOT_IP = 0,
	RP_PB_IPV4 = 1,
	RP_PB_IPV6 = 2,
	RP_PB_TCP = 3,
	RP_PB_UDP = 4,
	RP_PB_ICMP = 5,
	RP_PB_ICMP6 = 6,
	RP_PB_OTHER_L4 = 7,
	RP_PB_FRAG_LATER = 8,
	RP_PB_MAX = 9,
};

struct rp_counter {
	__u64 packets; /* GSO super-packets count as their segments */
	__u64 bytes; /* wire length */
};
RP_ASSERT_SIZE(struct rp_counter, 16);

struct rp_svc_counters {
	struct rp_counter reason[RP_REASON_MAX];
	struct rp_counter verdict[RP_V_MAX];
	struct rp_counter dir[RP_DIR_MAX];
	struct rp_counter proto[RP_PB_MAX];
	__u64 syn; /* TCP segments with SYN and without ACK */
	__u64 _reserved[7];
};
RP_ASSERT_SIZE(struct rp_svc_counters, 16 * (RP_REASON_MAX + RP_V_MAX + RP_DIR_MAX + RP_PB_MAX) + 64);
/* The kernel caps a per-CPU value at 32 KiB. */
_Static_assert(sizeof(struct rp_svc_counters) <= 32768, "per-CPU value over 32 KiB");

/* Tunables read by the program on every frame; userspace writes them in place. */
struct rp_knobs {
	__u8 malformed_verdict; /* RP_V_PASS or RP_V_DROP */
	__u8 have_upstream_macs; /* direction by MAC is configured */
	__u8 policy_slot; /* the policy slot in force (include/rempart/policy.h) */
	__u8 _pad[5];
	__u64 hash_seed; /* sketch hashing: random live, 0 in replay (deterministic) */
};
RP_ASSERT_SIZE(struct rp_knobs, 16);

/* Key of the upstream-MAC set (monitor and replay direction). */
struct rp_mac_key {
	__u8 addr[6];
	__u8 _pad[2];
};
RP_ASSERT_SIZE(struct rp_mac_key, 8);

/* Keys of the local-space tries: protected and internal prefixes (the address rule). */
struct rp_lpm_v4 {
	__u32 prefixlen;
	__u32 addr; /* network byte order */
};
RP_ASSERT_SIZE(struct rp_lpm_v4, 8);

struct rp_lpm_v6 {
	__u32 prefixlen;
	__u32 addr[4]; /* network byte order */
};
RP_ASSERT_SIZE(struct rp_lpm_v6, 20);

#define RP_MAX_UPSTREAM_MACS 64
#define RP_MAX_LOCAL_PREFIXES 4096

/* Parser limits. */
#define RP_MAX_VLANS 2
#define RP_MAX_IP6_EXT 6

/* The policy maps' keys and values: every user of the skeleton sees them with the ABI. */
#include "rempart/policy.h"

#endif /* REMPART_ABI_H */
