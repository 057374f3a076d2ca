/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Sending a capture's frames out of an interface (`rempart gen --send IFACE`): every
 * Ethernet frame through one AF_PACKET SOCK_RAW socket, optionally paced. Frames marked
 * outbound are skipped unless both directions are asked for.
 */
#ifndef RP_SEND_H
#define RP_SEND_H

#include <stdbool.h>
#include <stdint.h>

struct rp_send_opts {
	const char *ifname;
	uint64_t pps; /* 0: as fast as the socket takes them */
	bool both; /* also the frames marked outbound */
};

struct rp_send_stats {
	uint64_t sent, failed, skipped_out;
	int first_errno; /* the first send error, 0 if none */
};

/* Send the frames of the capture at path. Returns 0, or -errno (message logged) when the
 * capture or the socket cannot be opened; per-frame failures are counted in st. */
int rp_send_capture(const char *path, const struct rp_send_opts *o, struct rp_send_stats *st);

#endif
