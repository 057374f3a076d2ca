/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small capture writer: pcapng (one section, one interface, Enhanced Packet Blocks carrying
 * the epb_flags direction bits) or classic pcap with nanosecond timestamps.
 *
 * libpcap 1.10 can only write classic pcap, and has no way to record a per-packet direction,
 * which replay reads from pcapng epb_flags: so we write the files ourselves. Every field is
 * written little-endian whatever the host, so the same frames give the same bytes everywhere.
 */
#ifndef RP_PCAPNG_WRITE_H
#define RP_PCAPNG_WRITE_H

#include <stdbool.h>
#include <stdint.h>

enum rp_pcapw_format { RP_PCAPW_PCAPNG, RP_PCAPW_PCAP };

/* Direction, as epb_flags bits 0-1 encode it. */
enum rp_pcapw_dir { RP_PCAPW_DIR_UNKNOWN = 0, RP_PCAPW_DIR_IN = 1, RP_PCAPW_DIR_OUT = 2 };

#define RP_PCAPW_MAX_SNAPLEN 262144

struct rp_pcapw_opts {
	enum rp_pcapw_format format;
	uint32_t linktype; /* LINKTYPE_* value, e.g. 1 Ethernet, 113 Linux cooked */
	uint32_t snaplen; /* frames longer than this are cut; 0 means RP_PCAPW_MAX_SNAPLEN */
	bool dir_flags; /* pcapng only: an epb_flags option on every frame */
	const char *app; /* pcapng only: shb_userappl, or NULL */
};

struct rp_pcapw;

/* Create path (truncating it) and write the file header. Returns 0 or -errno. */
int rp_pcapw_open(struct rp_pcapw **out, const char *path, const struct rp_pcapw_opts *o);

/*
 * Append one frame of len bytes seen at ts_ns (ns since the epoch) in direction dir
 * (enum rp_pcapw_dir). At most snaplen bytes are stored; the original length stays len.
 * Returns 0 or -errno.
 */
int rp_pcapw_write(struct rp_pcapw *w, uint64_t ts_ns, const void *data, uint32_t len,
		   unsigned int dir);

/* Flush and close; frees w in every case. Returns 0, or -errno if any write failed. */
int rp_pcapw_close(struct rp_pcapw *w);

#endif
