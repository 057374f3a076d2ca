// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `rempart gen --send`: a capture's frames out of an interface (send.h). */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include "rempart/abi.h"
#include "capture.h"
#include "log.h"
#include "send.h"

/* Sleep until start + n / pps seconds (CLOCK_MONOTONIC, absolute: no drift). */
static void pace(const struct timespec *start, uint64_t n, uint64_t pps)
{
	uint64_t ns = n * 1000000000ull / pps;
	struct timespec t = {
		.tv_sec = start->tv_sec + (time_t)(ns / 1000000000ull),
		.tv_nsec = start->tv_nsec + (long)(ns % 1000000000ull),
	};

	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
}

int rp_send_capture(const char *path, const struct rp_send_opts *o, struct rp_send_stats *st)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_halen = ETH_ALEN };
	struct rp_capture *cap = NULL;
	struct timespec start;
	struct rp_frame f;
	uint8_t *buf;
	char err[256];
	int fd, ret;

	memset(st, 0, sizeof(*st));
	sll.sll_ifindex = (int)if_nametoindex(o->ifname);
	if (!sll.sll_ifindex) {
		rp_err("--send: no interface '%s' here", o->ifname);
		return -ENODEV;
	}
	buf = malloc(RP_CAP_BUF_SIZE);
	if (!buf)
		return -ENOMEM;
	/* Protocol 0: this socket only sends, it never receives a copy of the traffic. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		rp_err("--send: AF_PACKET socket: %s%s", strerror(-ret),
		       ret == -EPERM ? " (needs root or CAP_NET_RAW)" : "");
		free(buf);
		return ret;
	}
	ret = rp_capture_open(path, &cap, err, sizeof(err));
	if (ret) {
		rp_err("--send: %s", err);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		ret = rp_capture_next(cap, buf, &f);
		if (ret <= 0)
			break;
		if (f.dir == RP_DIR_OUT && !o->both) {
			st->skipped_out++;
			continue;
		}
		if (o->pps)
			pace(&start, st->sent + st->failed, o->pps);
		if (f.len >= ETH_HLEN)
			memcpy(sll.sll_addr, f.data, ETH_ALEN);
		if (f.len >= ETH_HLEN &&
		    sendto(fd, f.data, f.len, 0, (struct sockaddr *)&sll, sizeof(sll)) == (ssize_t)f.len) {
			st->sent++;
		} else {
			if (!st->first_errno)
				st->first_errno = f.len < ETH_HLEN ? EINVAL : errno;
			st->failed++;
		}
	}
	if (ret < 0)
		rp_err("--send: %s", rp_capture_error(cap));
out:
	rp_capture_close(cap);
	close(fd);
	free(buf);
	return ret < 0 ? ret : 0;
}
