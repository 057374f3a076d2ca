/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The control loop's work, shared by replay (capture time) and rempart run (the kernel's
 * coarse monotonic clock, the same clock the program reads live): applying a policy
 * atomically, renewing service levels before they lapse, expiring deny entries, and
 * draining the heavy-hitter ring buffer. docs/architecture.md says who calls what.
 */
#ifndef RP_CONTROL_H
#define RP_CONTROL_H

#include <stdint.h>

#include "config.h"
#include "dataplane.h"

struct rp_control;

/* Attach the control state to a loaded data plane and apply cfg. Returns 0 or -errno
 * (message logged); on failure nothing was changed in the maps. */
int rp_control_open(struct rp_control **out, struct rp_dp *dp, const struct rp_config *cfg,
		    uint64_t now_ns);
/* Apply a new configuration atomically (build the inactive policy slot, then flip).
 * On failure the policy in force stays and -errno is returned (message logged). */
int rp_control_reload(struct rp_control *c, const struct rp_config *cfg, uint64_t now_ns);
/* One control tick at now_ns (program clock): renew levels, expire deny entries, drain
 * the ring buffer. Returns 0 or -errno. */
int rp_control_tick(struct rp_control *c, uint64_t now_ns);
/* Hold service svc (1-based, config order) at level until the program-clock time until
 * (0: until changed); level 0 releases it. The lease is renewed every tick while held. */
int rp_control_set_level(struct rp_control *c, unsigned int svc, uint8_t level, uint64_t until);
/* The deny list (operators' blocks, heavy-hitter denies). */
struct rp_deny *rp_control_deny(struct rp_control *c);

/* The ring buffer's epoll fd (readable when heavy-hitter reports wait), or -1. */
int rp_control_ring_fd(const struct rp_control *c);
void rp_control_close(struct rp_control *c);

/* The program's clock, live: CLOCK_MONOTONIC_COARSE in ns (bpf_ktime_get_coarse_ns). */
uint64_t rp_control_clock_live(void);

#endif
