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
	/*
	 * The policy figures (docs/bench.md): inbound frames toward the protected services
	 * web (192.0.2.10, 2001:db8:10::10, tcp/80,443), vpn (192.0.2.50, udp/500,4500,
	 * critical, fragments) and dns (192.0.2.53, udp/53, tcp/53). Sources are simulated
	 * public addresses (documentation space is bogon space). Shares are of the policy mix.
	 */
	RP_BF_P_FIRST,
	RP_BF_P_WEB4_ACK = RP_BF_P_FIRST, /* 25 % known client: TCP ACK+PSH, 100 bytes */
	RP_BF_P_WEB6_ACK, /* 10 % known client, IPv6: TCP ACK+PSH, 100 bytes */
	RP_BF_P_VPN4, /* 15 % VPN peer: UDP 4500 to 4500 */
	RP_BF_P_VPN_FRAG1, /* 5 % VPN peer: first fragment of a 2000-byte UDP 4500 datagram */
	RP_BF_P_VPN_FRAG2, /* 5 % its later fragment */
	RP_BF_P_DNS_ALLOW, /* 10 % allow-listed resolver: UDP query to 53 */
	RP_BF_P_ATK_SYN4, /* 15 % attack: IPv4 TCP SYN to web 443 */
	RP_BF_P_ATK_SYN6, /* 5 % attack: IPv6 TCP SYN to web 443 */
	RP_BF_P_ATK_DNS4, /* 5 % attack: UDP query flood to dns 53 */
	RP_BF_P_ATK_IKE4, /* 5 % attack: UDP 500 to the vpn (critical) */
	RP_BF_P_END,
	/* The same conversations outbound, as tc egress sees them (shares of that mix). */
	RP_BF_O_FIRST = RP_BF_P_END,
	RP_BF_O_WEB4_DATA = RP_BF_O_FIRST, /* 35 % web to its client: 1000 bytes of data */
	RP_BF_O_WEB6_DATA, /* 10 % the same, IPv6 */
	RP_BF_O_VPN4, /* 20 % vpn to its peer: UDP 4500 to 4500 */
	RP_BF_O_DNS_REPLY, /* 5 % dns answer to the resolver */
	RP_BF_O_SYNACK4, /* 20 % web SYN-ACK to an attack source */
	RP_BF_O_SYNACK6, /* 5 % the same, IPv6 */
	RP_BF_O_DNS_ATK, /* 5 % dns answer to an attack query */
	RP_BF_O_END,
	RP_BF_COUNT = RP_BF_O_END,
};

/* The server's sequence number in the web conversation: RP_BF_O_WEB*_DATA carry
 * [RP_BF_SRV_SEQ, RP_BF_SRV_SEQ + RP_BF_SRV_DATA) and RP_BF_P_WEB*_ACK acknowledge it all,
 * the proof that makes their source a known client (docs/policy.md). */
#define RP_BF_SRV_SEQ 0x71a2b3c4u
#define RP_BF_SRV_DATA 1000u

/* The frames' simulated sources (IPv4, network order bytes), for the deny list to avoid. */
#define RP_BF_NSRC4 6
extern const uint8_t rp_bench_src4[RP_BF_NSRC4][4];

struct rp_bench_frame {
	const char *name; /* short name for tables and JSON */
	unsigned int share; /* percent of the mix (frames); 0 outside the mix */
	uint8_t family; /* 4 or 6 */
	uint8_t frag; /* 0 none, 1 first fragment, 2 non-first fragment */
	uint8_t l4; /* IP protocol of the transport header */
	uint8_t vlans;
	uint16_t l3_off;
	uint16_t src_off; /* what the entry's LCG rewrites: the IPv4 source, or the IPv6
			   * source's /64 prefix; for outbound frames (RP_BF_O_*) the client,
			   * their destination */
	uint8_t out; /* an outbound frame (tc egress) */
	uint32_t len;
	uint8_t data[RP_BENCH_FRAME_MAX];
};

/* Build one frame. Returns 0, or -EINVAL for an unknown kind. */
int rp_bench_frame_build(enum rp_bench_frame_kind kind, struct rp_bench_frame *f);

struct bench;
/*
 * One measurement (src/bench.c): prog_fd put behind the bench entry of the hook (tc or
 * XDP), frame f with source rewrite vary, repeat test runs. *ns is wall time per run,
 * *retval the program's verdict. 0, or -errno; a failed tail call is -EPROTO.
 */
int rp_bench_measure(struct bench *skel, int tc, int prog_fd, const struct rp_bench_frame *f,
		     int vary, uint32_t repeat, int *retval, double *ns);

/* The Internet checksum of len bytes, folded, starting from a partial sum. */
uint32_t rp_bench_csum_add(uint32_t sum, const void *data, uint32_t len);
uint16_t rp_bench_csum_fold(uint32_t sum);

#endif
