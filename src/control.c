// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The control loop's work; see control.h. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "control.h"
#include "log.h"

struct rp_control {
	struct rp_dp *dp;
};

uint64_t rp_control_clock_live(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int rp_control_open(struct rp_control **out, struct rp_dp *dp, const struct rp_config *cfg,
		    uint64_t now_ns)
{
	struct rp_control *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return -ENOMEM;
	c->dp = dp;
	err = rp_control_reload(c, cfg, now_ns);
	if (err) {
		free(c);
		return err;
	}
	*out = c;
	return 0;
}

int rp_control_reload(struct rp_control *c, const struct rp_config *cfg, uint64_t now_ns)
{
	(void)now_ns;
	return rp_dp_apply_config(c->dp, cfg);
}

int rp_control_tick(struct rp_control *c, uint64_t now_ns)
{
	(void)c;
	(void)now_ns;
	return 0;
}

int rp_control_ring_fd(const struct rp_control *c)
{
	(void)c;
	return -1;
}

void rp_control_close(struct rp_control *c)
{
	free(c);
}
