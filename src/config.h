/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The configuration: YAML read with libyaml into plain structs. docs/config.md lists every
 * key with its default and the inheritance rule (defaults -> tenant -> service). Every error
 * names the file, line and column and what was expected.
 *
 * The parser resolves inheritance: each rp_service_cfg holds its effective settings and its
 * effective allow list, so nothing downstream (policy.c, the data plane) knows about
 * inheritance.
 */
#ifndef RP_CONFIG_H
#define RP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "geo_region.h"

#define RP_CFG_MAX_NAME 64

struct rp_prefix {
	uint8_t family; /* 4 or 6 */
	uint8_t len;
	uint8_t addr[16]; /* network order; IPv4 in the first 4 bytes */
};

/* A protocol and port range: "tcp/443", "udp/500-510", "tcp/any", "icmp", "icmpv6". */
struct rp_portspec {
	uint8_t proto; /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6 */
	uint16_t lo, hi; /* inclusive; 0-65535 for "any"; 0-0 for ICMP */
};

enum rp_class {
	RP_CLASS_BEST_EFFORT = 0,
	RP_CLASS_NORMAL = 1,
	RP_CLASS_CRITICAL = 2,
};

/* A rate with its burst: "pps" per second, up to "burst" frames at once. 0 pps: no limit. */
struct rp_rate_cfg {
	uint32_t pps;
	uint32_t burst;
};

/* Detection thresholds (read by the detection issue; stored and validated now). */
struct rp_thresholds_cfg {
	uint64_t pps;
	uint64_t mbps;
	uint64_t syn_pps;
};

/* fence.unknown: whether the region `unknown` passes the fence (docs/geo.md). */
enum rp_fence_unknown {
	RP_FENCE_UNKNOWN_UNSET = 0, /* not written: deny */
	RP_FENCE_UNKNOWN_ALLOW = 1,
	RP_FENCE_UNKNOWN_DENY = 2,
};

/*
 * The geo-fence of a service (level 3, docs/geo.md): the countries admitted. "fence:" given
 * at any level of the inheritance sets configured; allow (a list, replaced as a whole)
 * and unknown inherit separately. After a successful parse, set holds the resolved
 * countries: the allow list's codes and regions, plus the region `unknown` when
 * unknown is allow (or `unknown` is listed).
 */
struct rp_fence_cfg {
	bool configured; /* false: the service has no fence */
	uint8_t unknown; /* enum rp_fence_unknown */
	unsigned int n_allow;
	struct rp_geo_name *allow; /* as written, with their places */
	__u64 set[RP_GEO_SET_WORDS];
};

/* The top-level "geo:" section. */
struct rp_geo_cfg {
	char *dataset; /* a path; NULL: the built-in dataset (rp_geo_default_path()) */
	struct rp_geo_regions regions; /* resolved */
};

/* Settings that inherit: top-level "defaults", then the tenant, then the service. */
struct rp_svc_settings {
	uint8_t class; /* enum rp_class; default normal */
	bool fragments; /* the service needs IP fragments (IKE); default false */
	uint8_t level_floor; /* 0-4; default 0 */
	struct rp_rate_cfg source_limit; /* per-source token bucket at level >= 2 */
	struct rp_rate_cfg allow_ceiling; /* per allow-list entry */
	uint16_t heavy_hitter_permille; /* share of the service's traffic; default 100 (10 %) */
	struct rp_thresholds_cfg thresholds;
	/* Reflection source ports this service legitimately receives from (resolvers). */
	unsigned int n_uses_source_ports;
	struct rp_portspec *uses_source_ports;
	struct rp_fence_cfg fence;
};

struct rp_service_cfg {
	char name[RP_CFG_MAX_NAME];
	unsigned int tenant; /* index into tenants */
	unsigned int n_addresses;
	struct rp_prefix *addresses;
	unsigned int n_ports; /* 0: every protocol and port */
	struct rp_portspec *ports;
	struct rp_svc_settings set; /* effective, inheritance resolved */
	unsigned int n_allow; /* effective: top-level + tenant + service allow lists */
	struct rp_prefix *allow;
};

struct rp_tenant_cfg {
	char name[RP_CFG_MAX_NAME];
};

enum rp_run_mode {
	RP_MODE_INLINE = 0,
	RP_MODE_MONITOR = 1,
};

#define RP_MAX_IFACES 16

struct rp_config {
	/* rempart run: "mode: inline|monitor" (default inline) and "interfaces: [eth0, ...]". */
	uint8_t mode; /* enum rp_run_mode */
	unsigned int n_interfaces;
	char (*interfaces)[16]; /* IFNAMSIZ */
	uint8_t malformed_verdict; /* RP_V_PASS or RP_V_DROP; default drop */
	unsigned int n_upstream_macs;
	uint8_t (*upstream_macs)[6];
	/* Protected and internal prefixes together: the local space of the address rule. */
	unsigned int n_local;
	struct rp_prefix *local;
	unsigned int n_internal; /* the first n_internal of local are internal networks */
	/* Bogon source space (inbound). Default: the built-in list (docs/config.md); "[]" none. */
	unsigned int n_bogons;
	struct rp_prefix *bogons;
	/* UDP source ports of reflection attacks. Default: the built-in list. */
	unsigned int n_reflection_ports;
	uint16_t *reflection_ports;
	/* Static deny list (top level only), never expires. */
	unsigned int n_deny;
	struct rp_prefix *deny;
	/* Per-source key: IPv4 /source_v4, IPv6 /source_v6. Defaults 32 and 64. */
	uint8_t source_v4, source_v6;
	uint64_t known_ttl_ns; /* known-client lifetime; default 14 days */
	bool known_learn; /* learn known clients at level 0; default true */
	uint64_t level_lease_ns; /* level expiry the control plane renews; default 5 s */
	struct rp_geo_cfg geo;
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
/* "tcp/443", "udp/500-510", "tcp/any", "icmp", "icmpv6". Returns 0 or -EINVAL. */
int rp_portspec_parse(const char *s, struct rp_portspec *p);
/* "30s", "500ms", "14d", "2h", "90m" or a bare number of seconds. Returns 0 or -EINVAL. */
int rp_duration_parse(const char *s, uint64_t *ns);

#endif
