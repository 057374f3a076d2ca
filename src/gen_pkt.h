/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Building the generator's packets: IPv4/IPv6 headers, TCP, UDP and ICMP echo with real
 * checksums, UDP datagrams split into IPv4 or IPv6 fragments, and the link-layer headers
 * (Ethernet with VLAN tags, Linux cooked v1/v2) put in front of them at write time.
 */
#ifndef RP_GEN_PKT_H
#define RP_GEN_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RP_GEN_MTU 1500
/* Largest IP packet the builders produce (one MTU; larger UDP datagrams are fragmented). */
#define RP_GEN_MAX_PKT RP_GEN_MTU
/* Largest UDP payload rp_gen_udp_frags() takes. */
#define RP_GEN_MAX_UDP 16384
#define RP_GEN_MAX_FRAGS (RP_GEN_MAX_UDP / 1448 + 2)
/* Largest link header: Linux cooked v2 (20) + two VLAN tags (8). */
#define RP_GEN_MAX_LINK_HDR 28

#define RP_GEN_TH_FIN 0x01
#define RP_GEN_TH_SYN 0x02
#define RP_GEN_TH_RST 0x04
#define RP_GEN_TH_PSH 0x08
#define RP_GEN_TH_ACK 0x10

/* The fixed MACs: the upstream router and the protected host's interface. */
extern const uint8_t rp_gen_mac_upstream[6];
extern const uint8_t rp_gen_mac_protected[6];

/* The IP layer of one packet. Addresses are in network order; IPv4 uses the first 4 bytes. */
struct rp_gen_l3 {
	bool v6;
	uint8_t src[16], dst[16];
	uint8_t ttl; /* hop limit for IPv6 */
	uint16_t id; /* IPv4 identification */
	bool df; /* IPv4 don't-fragment */
	uint32_t flowlabel; /* IPv6, 20 bits */
	bool dstopts; /* IPv6: a destination-options header (PadN only) before the payload */
};

struct rp_gen_tcph {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const uint8_t *opts; /* already padded to a multiple of 4 bytes */
	uint8_t optlen;
};

/*
 * Each builder writes one IP packet into buf (RP_GEN_MAX_PKT bytes) and returns its length,
 * or 0 if it would not fit.
 */
size_t rp_gen_tcp(uint8_t *buf, const struct rp_gen_l3 *l3, const struct rp_gen_tcph *th,
		  const uint8_t *payload, size_t len);
size_t rp_gen_icmp_echo(uint8_t *buf, const struct rp_gen_l3 *l3, bool reply, uint16_t id,
			uint16_t seq, const uint8_t *payload, size_t len);

/*
 * A UDP datagram, fragmented to fit the MTU when it must: IPv4 fragments share l3->id (MF
 * and offsets set), IPv6 ones carry a fragment header with frag_id. The UDP checksum covers
 * the whole datagram. Writes up to RP_GEN_MAX_FRAGS packets of RP_GEN_MAX_PKT bytes into
 * frags and their lengths into lens; returns their number, or 0 if len is too large.
 */
int rp_gen_udp_frags(uint8_t (*frags)[RP_GEN_MAX_PKT], size_t *lens, const struct rp_gen_l3 *l3,
		     uint32_t frag_id, uint16_t sport, uint16_t dport, const uint8_t *payload,
		     size_t len);

/* Internet checksum helpers (RFC 1071): add bytes to a running sum, then fold it. */
uint32_t rp_gen_csum_add(uint32_t sum, const void *p, size_t len);
uint16_t rp_gen_csum_fold(uint32_t sum);

/* Big-endian stores, shared by the generator's frame builders. */
static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

#endif
