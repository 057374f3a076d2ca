/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The reason codes: why a frame got its verdict.
 *
 * This is a stable interface. Metrics, CSV verdict logs, JSON events and user scripts print
 * and match these names and numbers. A code is never renumbered and never reused; a code
 * that is no longer produced stays listed with its name. Each area owns a range:
 *
 *   0x00-0x3f  parsing (the frame itself)
 *   0x40-0x7f  policy (service lookup, allow and deny lists, sanity, fragments, levels)
 *   0x80-0x9f  geo
 *   0xa0-0xbf  rates and heavy hitters
 *   0xc0-0xdf  SYN/ACK validation
 *   0xe0-0xfe  ransomware watch (exfiltration, lateral movement)
 *   0xff       internal error
 *
 * RP_REASONS(X) expands X(name, code, summary) once per code, so the enum and the name
 * table are generated from the same list and cannot drift apart.
 */
#ifndef REMPART_REASONS_H
#define REMPART_REASONS_H

#define RP_REASON_AREA_PARSE 0x00
#define RP_REASON_AREA_POLICY 0x40
#define RP_REASON_AREA_GEO 0x80
#define RP_REASON_AREA_RATE 0xa0
#define RP_REASON_AREA_SYN 0xc0
#define RP_REASON_AREA_WATCH 0xe0
#define RP_REASON_MAX 256

/* clang-format off */
#define RP_REASONS(X)                                                                          \
	/* parsing: a frame that parsed cleanly as far as the program needs */                  \
	X(ok,               0x00, "parsed, no stage objected")                                    \
	X(not_ip,           0x01, "neither IPv4 nor IPv6 (ARP, LLDP, ...): passed untouched")     \
	X(eth_truncated,    0x02, "shorter than an Ethernet header")                              \
	X(vlan_truncated,   0x03, "802.1Q/802.1ad tag cut short")                                 \
	X(vlan_too_deep,    0x04, "more than two VLAN tags")                                      \
	X(ip4_truncated,    0x05, "IPv4 header (with its options) cut short")                     \
	X(ip4_bad_version,  0x06, "EtherType IPv4 but version field is not 4")                    \
	X(ip4_bad_ihl,      0x07, "IPv4 header length under 20 bytes")                            \
	X(ip4_bad_len,      0x08, "IPv4 total length smaller than its header")                    \
	X(ip4_len_exceeds,  0x09, "IPv4 total length larger than the frame on the wire")          \
	X(ip4_bad_frag,     0x0a, "IPv4 fragment reaching past 65535 bytes")                      \
	X(ip6_truncated,    0x0b, "IPv6 header cut short")                                        \
	X(ip6_bad_version,  0x0c, "EtherType IPv6 but version field is not 6")                    \
	X(ip6_len_exceeds,  0x0d, "IPv6 payload length larger than the frame on the wire")        \
	X(ip6_ext_truncated,0x0e, "IPv6 extension header cut short")                              \
	X(ip6_ext_too_deep, 0x0f, "more IPv6 extension headers than the parser follows")          \
	X(ip6_jumbo,        0x10, "IPv6 payload length 0 (jumbogram), impossible on this link")   \
	X(tcp_truncated,    0x11, "TCP header cut short")                                         \
	X(tcp_bad_doff,     0x12, "TCP data offset under 5 words or past the packet")             \
	X(udp_truncated,    0x13, "UDP header cut short")                                         \
	X(udp_bad_len,      0x14, "UDP length field smaller than its header or past the packet")  \
	X(icmp_truncated,   0x15, "ICMP or ICMPv6 header cut short")                              \
	X(snap_cut,         0x16, "capture snap length cut the headers; judged as far as seen")   \
	X(ip6_bad_frag,     0x17, "IPv6 fragment reaching past 65535 bytes")                      \
	/* policy: service lookup, allow and deny lists, sanity, fragments, levels */          \
	X(allowed,          0x40, "source on the service's allow list: passed before any drop")   \
	X(allow_ceiling,    0x41, "allow-listed source over its entry's rate ceiling")            \
	X(deny,             0x42, "source on the deny list (configuration or operator)")          \
	X(bogon,            0x43, "bogon source address arriving from outside")                   \
	X(spoofed_local,    0x44, "protected or internal source address arriving from outside")   \
	X(tcp_bad_flags,    0x45, "impossible TCP flag combination (SYN+FIN, SYN+RST, none, ...)")\
	X(reflection,       0x46, "UDP from a reflection source port the service does not use")   \
	X(frag_unneeded,    0x47, "IP fragment toward a service that needs none")                 \
	X(frag_orphan,      0x48, "later fragment whose first fragment was not passed")           \
	X(port_unlisted,    0x49, "protected address, protocol or port no service lists")         \
	X(shield,           0x4a, "level 4: not allow-listed, not a known client, not critical")  \
	X(known_client,     0x4b, "known client: passed through the fence or the shield")         \
	X(frag_follow,      0x4c, "later fragment that followed its passed first fragment")       \
	/* geo */                                                                              \
	X(geo_fence,        0x80, "level 3: source country outside the service's fence")          \
	/* rates and heavy hitters */                                                            \
	X(src_rate,         0xa0, "source over its per-source token bucket (level 2)")            \
	X(deny_heavy,       0xa1, "heavy-hitter deny in force for the service (level 2)")         \
	/* internal */                                                                            \
	X(no_record,        0xff, "replay record missing or damaged (internal error)")
/* clang-format on */

enum rp_reason {
#define RP_REASON_ENUM(name, code, summary) RP_R_##name = code,
	RP_REASONS(RP_REASON_ENUM)
#undef RP_REASON_ENUM
};

#endif /* REMPART_REASONS_H */
