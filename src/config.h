/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The configuration: YAML read with libyaml into plain structs. Foundation I knows the
 * keys that replay and direction need; docs/config.md lists every key with its default.
 * Every error names the file, line and column and what was expected.
 */
#ifndef RP_CONFIG_H
#define RP_CONFIG_H

#include <stdint.h>
#include <stddef.h>

#define RP_CFG_MAX_NAME 64

struct rp_prefix {
	uint8_t family; /* 4 or 6 */
	uint8_t len;
	uint8_t addr[16]; /* network order; IPv4 in the first 4 bytes */
};

struct rp_service_cfg {
	char name[RP_CFG_MAX_NAME];
	unsigned int tenant; /* index into tenants */
};

struct rp_tenant_cfg {
	char name[RP_CFG_MAX_NAME];
};

struct rp_config {
	uint8_t malformed_verdict; /* RP_V_PASS or RP_V_DROP; default drop */
	unsigned int n_upstream_macs;
	uint8_t (*upstream_macs)[6];
	/* Protected and internal prefixes together: the local space of the address rule. */
	unsigned int n_local;
	struct rp_prefix *local;
	unsigned int n_internal; /* the first n_internal of local are internal networks */
	unsigned int n_tenants;
	struct rp_tenant_cfg *tenants;
	unsigned int n_services;
	struct rp_service_cfg *services;
};

/* The built-in defaults (no file). */
void rp_config_defaults(struct rp_config *cfg);

/*
 * Load FILE into *cfg (replaced only on success). On error returns -EINVAL (or -errno for
 * I/O) and writes "FILE:LINE:COL: what was wrong, what was expected" into err.
 */
int rp_config_load(const char *path, struct rp_config *cfg, char *err, size_t errlen);
/* Same, from a buffer; name is used in messages. */
int rp_config_parse(const char *name, const unsigned char *buf, size_t len, struct rp_config *cfg,
		    char *err, size_t errlen);
void rp_config_free(struct rp_config *cfg);

/* "192.0.2.0/24", "2001:db8::/32" or a bare address (full length). Returns 0 or -EINVAL. */
int rp_prefix_parse(const char *s, struct rp_prefix *p);
/* "02:00:00:00:00:01". Returns 0 or -EINVAL. */
int rp_mac_parse(const char *s, uint8_t mac[6]);

#endif
