/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The replay report: a human summary, or JSON for machines. */
#ifndef RP_REPORT_H
#define RP_REPORT_H

#include <stdio.h>

#include "replay.h"

void rp_report_text(FILE *f, const char *path, const struct rp_replay_result *r);
void rp_report_json(FILE *f, const char *path, const struct rp_replay_result *r);
/* A JSON string literal with escapes. */
void rp_json_string(FILE *f, const char *s);

#endif
