/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One printf-checked logging family. Messages go to stderr, prefixed with the program. */
#ifndef RP_LOG_H
#define RP_LOG_H

enum rp_log_level { RP_LOG_ERR, RP_LOG_WARN, RP_LOG_INFO, RP_LOG_DEBUG };

extern int rp_log_threshold;

void rp_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define rp_err(...) rp_log(RP_LOG_ERR, __VA_ARGS__)
#define rp_warn(...) rp_log(RP_LOG_WARN, __VA_ARGS__)
#define rp_info(...) rp_log(RP_LOG_INFO, __VA_ARGS__)
#define rp_dbg(...) rp_log(RP_LOG_DEBUG, __VA_ARGS__)

#endif
