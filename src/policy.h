/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Compiling a configuration into the data plane's policy maps (include/rempart/policy.h),
 * and the deny list's userspace side. The policy goes into the slot not in force and is
 * then switched in with one store; docs/policy.md describes the layout.
 */
#ifndef RP_POLICY_H
#define RP_POLICY_H

#include <stdint.h>

#include "config.h"
#include "dataplane.h"

/*
 * Build cfg into the inactive slot, then flip. index[i] is the data plane's index of
 * cfg->services[i] (1 to RP_MAX_SERVICES - 1; NULL: i + 1), gen[i] that number's generation,
 * the salt of its per-source state (NULL: 0). Returns 0, or -errno with a message in err
 * (the slot in force is untouched on failure).
 */
int rp_policy_apply(struct rp_dp *dp, const struct rp_config *cfg, const uint16_t *index,
		    const uint16_t *gen, char *err, size_t errlen);

/* The deny list: the BPF hashes, the /24 bitmap and the prefix-length lists, kept in step.
 * expires is on the program's clock (0: never); origin enum rp_deny_origin. */
struct rp_deny;
struct rp_deny *rp_deny_new(struct rp_dp *dp);
void rp_deny_free(struct rp_deny *d);
int rp_deny_add(struct rp_deny *d, const struct rp_prefix *p, uint64_t expires, uint8_t origin,
		uint16_t svc);
int rp_deny_del(struct rp_deny *d, const struct rp_prefix *p);
/* Remove entries expired at now; returns how many. */
unsigned int rp_deny_expire(struct rp_deny *d, uint64_t now);
/* Make the configuration's entries exactly cfg->deny (others untouched). */
int rp_deny_sync_config(struct rp_deny *d, const struct rp_config *cfg);
unsigned int rp_deny_count(const struct rp_deny *d);
unsigned int rp_deny_count_heavy(const struct rp_deny *d);
/* Remove the heavy-hitter entries bound to service svc. */
int rp_deny_drop_service(struct rp_deny *d, uint16_t svc);
int rp_deny_check_config(struct rp_deny *d, const struct rp_config *cfg, char *err,
			 size_t errlen);
/* Rewrite the whole /24 map from the entries held here: after adopting pinned maps, whose
 * map may still carry bits of entries that are gone. */
void rp_deny_publish_bits(struct rp_deny *d);

#endif
