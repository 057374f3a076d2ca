// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the capture reader: arbitrary bytes as a capture file, read to the
 * end through the same path replay uses (libpcap plus the pcapng flag walker, link-type
 * conversion). Crash files replay with: build/fuzz_capture CRASHFILE.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[RP_CAP_BUF_SIZE];
	struct rp_capture *c;
	struct rp_frame f;
	char path[64], err[512];
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (rp_capture_open(path, &c, err, sizeof(err)) == 0) {
		for (int n = 0; n < 100000 && rp_capture_next(c, buf, &f) == 1; n++) {
			if (f.len > RP_CAP_MAX_FRAME || f.len > f.cap_len + 14 || f.wire_len < f.cap_len)
				abort();
		}
		rp_capture_close(c);
	}
	close(fd);
	return 0;
}
