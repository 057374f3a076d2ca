/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Names of the stable enums of abi.h and reasons.h, for every output. */
#ifndef RP_REASONS_NAMES_H
#define RP_REASONS_NAMES_H

#include "rempart/abi.h"

/* Name of a reason code ("reason_0x2a" for a code this build does not know). */
const char *rp_reason_name(unsigned int code);
const char *rp_reason_summary(unsigned int code);
/* The code of a reason name, or -1. */
int rp_reason_by_name(const char *name);
const char *rp_verdict_name(unsigned int verdict);
const char *rp_dir_name(unsigned int dir);
const char *rp_dir_src_name(unsigned int src);
/* Name of a protocol counter bucket (RP_PB_*): "ipv4", "tcp", "frag_later", ... */
const char *rp_proto_bucket_name(unsigned int pb);
/* "tcp", "udp", "icmp", "icmp6" or the decimal protocol number, in buf. */
const char *rp_l4_name(unsigned int l4, char *buf, unsigned int len);

#endif
