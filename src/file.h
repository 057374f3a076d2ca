/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Reading a whole file, with errors that name it. */
#ifndef RP_FILE_H
#define RP_FILE_H

#include <stddef.h>

/*
 * Read path into a malloc'd buffer, NUL-terminated (the NUL is not counted in *len).
 * Returns 0, or -errno with "PATH: what went wrong" in err; *buf is then NULL.
 */
int rp_read_file(const char *path, unsigned char **buf, size_t *len, char *err, size_t errlen);

#endif
