/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The benchmark's frames, built in C with correct IPv4 header and TCP/UDP checksums (the
 * data plane does not check them, but a capture made from these frames must read as clean
 * traffic in tcpdump and Wireshark). Independent of the scenario generator on purpose: the
 * bench must keep measuring the same frames whatever the generator turns into.
 *
 * The first RP_BF_MIX_COUNT kinds are the parser's realistic mix, each with its share.
 */
#ifndef RP_BENCH_FRAMES_H
#define RP_BENCH_FRAMES_H

#include <stdint.h>

#define RP_BENCH_FRAME_MAX 1600

enum rp_bench_frame_kind {
	/* the mix */
	RP_BF_VLAN_IP4_TCP = 0, /* 802.1Q, IPv4, TCP ACK with timestamps and data */
	RP_BF_IP6_EXT_FRAG, /* IPv6, hop-by-hop, destination options, fragment (first), UDP */
	RP_BF_IP4_FRAG_FIRST, /* IPv4 first fragment of a large UDP reply (reflection) */
	RP_BF_IP4_FRAG_LATER, /* IPv4 non-first fragment of the same datagram */
	RP_BF_IP4_UDP, /* plain IPv4 UDP */
	RP_BF_IP6_TCP, /* IPv6 TCP SYN with the usual options */
	RP_BF_MIX_COUNT,
	/* outside the mix */
	RP_BF_IP4_TCP_SYN = RP_BF_MIX_COUNT, /* IPv4 TCP SYN with the usual options */
	RP_BF_COUNT,
};

struct rp_bench_frame {
	const char *name; /* short name for tables and JSON */
	unsigned int share; /* percent of the mix (frames); 0 outside the mix */
	uint8_t family; /* 4 or 6 */
	uint8_t frag; /* 0 none, 1 first fragment, 2 non-first fragment */
	uint8_t l4; /* IP protocol of the transport header */
	uint8_t vlans;
	uint16_t l3_off;
	uint16_t src_off; /* the IPv4 source, or the IPv6 source's /64 prefix */
	uint32_t len;
	uint8_t data[RP_BENCH_FRAME_MAX];
};

/* Build one frame. Returns 0, or -EINVAL for an unknown kind. */
int rp_bench_frame_build(enum rp_bench_frame_kind kind, struct rp_bench_frame *f);

/* The Internet checksum of len bytes, folded, starting from a partial sum. */
uint32_t rp_bench_csum_add(uint32_t sum, const void *data, uint32_t len);
uint16_t rp_bench_csum_fold(uint32_t sum);

#endif
