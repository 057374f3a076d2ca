// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reading a whole file (src/file.h): configurations and country datasets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"

int rp_read_file(const char *path, unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	size_t len = 0, cap = 0, n;
	unsigned char *buf = NULL;

	*out = NULL;
	*outlen = 0;
	if (!f) {
		int e = errno;

		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(e));
		return -e;
	}
	do {
		if (len + 1 >= cap) {
			unsigned char *p = realloc(buf, cap ? 2 * cap : 1 << 16);

			if (!p) {
				free(buf);
				fclose(f);
				snprintf(err, errlen, "%s: out of memory", path);
				return -ENOMEM;
			}
			buf = p;
			cap = cap ? 2 * cap : 1 << 16;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		snprintf(err, errlen, "%s: read error", path);
		return -EIO;
	}
	fclose(f);
	buf[len] = 0;
	*out = buf;
	*outlen = len;
	return 0;
}
