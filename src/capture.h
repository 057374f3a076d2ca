/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reading captures for replay: pcap and pcapng through libpcap, link types Ethernet, Linux
 * cooked v1/v2 and raw IPv4/IPv6. Every frame comes out as an Ethernet frame (the data
 * plane's input), with its capture time, its wire and captured lengths, and its direction
 * when the capture records one (pcapng epb_flags, or the cooked packet type).
 */
#ifndef RP_CAPTURE_H
#define RP_CAPTURE_H

#include <stdint.h>
#include <stddef.h>
/* libpcap's classic-BPF header clashes with linux/bpf.h; we never compile filters. */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>
#include <pcap/dlt.h>

/* Room before each frame in the caller's buffer: the replay record goes there. */
#define RP_CAP_HEADROOM 20
/* Largest frame handed on (Ethernet header included); longer frames are cut to this, and
 * keep their true lengths. */
#define RP_CAP_MAX_FRAME 65535
#define RP_CAP_BUF_SIZE (RP_CAP_HEADROOM + RP_CAP_MAX_FRAME + 64)

struct rp_capture;

struct rp_frame {
	uint8_t *data; /* the Ethernet frame, inside the caller's buffer */
	uint32_t len; /* bytes at data (at most RP_CAP_MAX_FRAME) */
	uint32_t cap_len; /* captured bytes, Ethernet-equivalent */
	uint32_t wire_len; /* bytes on the wire, Ethernet-equivalent */
	uint64_t time_ns; /* capture time, ns since the epoch */
	uint8_t dir; /* enum rp_dir; RP_DIR_UNKNOWN when the capture says nothing */
	const struct pcap_pkthdr *hdr; /* the original record, for writing it back out */
	const uint8_t *orig;
};

/* Open a capture. Returns 0, or -errno with a message for the user in err. */
int rp_capture_open(const char *path, struct rp_capture **out, char *err, size_t errlen);

/*
 * Read the next frame into buf (RP_CAP_BUF_SIZE bytes; the frame starts at
 * buf + RP_CAP_HEADROOM). Returns 1 for a frame, 0 at the clean end of the file, or -EIO
 * when the file is damaged: rp_capture_error() then says what and where. Every frame
 * before the damage has been returned.
 */
int rp_capture_next(struct rp_capture *c, uint8_t *buf, struct rp_frame *f);

const char *rp_capture_error(const struct rp_capture *c);
/* "pcap" or "pcapng", and a link type name such as "Ethernet". */
const char *rp_capture_format(const struct rp_capture *c);
const char *rp_capture_link_name(const struct rp_capture *c);
pcap_t *rp_capture_pcap(struct rp_capture *c);
void rp_capture_close(struct rp_capture *c);

#endif
