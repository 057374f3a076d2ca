// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * YAML configuration through libyaml's document API: the whole file becomes a node tree
 * whose every node knows its line and column, so each error can point at its place.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config.h"
#include "file.h"
#include "rempart/abi.h"
#include "rempart/policy.h"

#define RP_SEC 1000000000ull
#define RP_CFG_MAX_ALLOW 65536
#define RP_CFG_MAX_DENY 262144

struct rp_cfg_ctx {
	const char *name;
	yaml_document_t *doc;
	struct rp_config *cfg;
	char *err;
	size_t errlen;
	struct rp_svc_settings top_set; /* "defaults", over the built-in ones */
	struct rp_prefix *top_allow; /* the top-level allow list */
	unsigned int n_top_allow;
	void **scratch; /* lists owned by the parse (tenants' and defaults' settings) */
	unsigned int n_scratch;
	/* Each tenant's effective fence (its allow list in scratch), resolved with the services'
	 * at the end, so that a fence no service inherits is still checked. */
	struct rp_fence_cfg *tenant_fences;
	unsigned int n_tenant_fences;
};

static int __attribute__((format(printf, 3, 4)))
cfg_err(struct rp_cfg_ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int off;

	off = snprintf(c->err, c->errlen, "%s:%zu:%zu: ", c->name, n ? n->start_mark.line + 1 : 0,
		       n ? n->start_mark.column + 1 : 0);
	if (off < 0 || (size_t)off >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + off, c->errlen - off, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a value";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static int expect(struct rp_cfg_ctx *c, const yaml_node_t *n, yaml_node_type_t t, const char *what)
{
	if (n->type == t)
		return 0;
	return cfg_err(c, n, "expected %s, found %s", what, node_kind(n));
}

static int grow(void **arr, unsigned int n, size_t size)
{
	void *p;

	if (n & (n - 1) && n > 1)
		return 0;
	p = realloc(*arr, (n ? 2 * n : 1) * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	return 0;
}

int rp_prefix_parse(const char *s, struct rp_prefix *p)
{
	char buf[64], *slash, *end;
	long len;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	memset(p, 0, sizeof(*p));
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = 4;
		p->len = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = 6;
		p->len = 128;
	} else {
		return -EINVAL;
	}
	if (slash) {
		/* Decimal digits only: strtol alone would take "/+8", "/ 8" and "/-0". */
		if (!slash[1] || slash[1 + strspn(slash + 1, "0123456789")])
			return -EINVAL;
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || *end || len > p->len)
			return -EINVAL;
		p->len = len;
	}
	/* Host bits must be zero, so "10.1.2.3/8" is caught as the typo it usually is. */
	for (int bit = p->len; bit < (p->family == 4 ? 32 : 128); bit++)
		if (p->addr[bit / 8] & (0x80 >> (bit % 8)))
			return -EINVAL;
	return 0;
}

int rp_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6 ||
	    strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = b[i];
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* Scalars: protocols and ports, durations, numbers, booleans */

int rp_portspec_parse(const char *s, struct rp_portspec *p)
{
	static const struct {
		const char *name;
		uint8_t proto;
		bool ports;
	} protos[] = {
		{ "tcp", IPPROTO_TCP, true },
		{ "udp", IPPROTO_UDP, true },
		{ "icmpv6", IPPROTO_ICMPV6, false },
		{ "icmp", IPPROTO_ICMP, false },
	};
	const char *rest = NULL;
	size_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		size_t n = strlen(protos[i].name);

		if (!strncmp(s, protos[i].name, n) && (s[n] == 0 || s[n] == '/')) {
			rest = s + n;
			break;
		}
	}
	if (!rest)
		return -EINVAL;
	p->proto = protos[i].proto;
	if (!protos[i].ports)
		return *rest ? -EINVAL : 0;
	p->lo = 0;
	p->hi = 65535;
	if (!*rest || !strcmp(rest, "/any"))
		return 0;
	{
		char *end;
		unsigned long lo, hi;

		rest++;
		if (*rest < '0' || *rest > '9')
			return -EINVAL;
		errno = 0;
		lo = strtoul(rest, &end, 10);
		hi = lo;
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return -EINVAL;
			hi = strtoul(end + 1, &end, 10);
		}
		if (errno || *end || lo > 65535 || hi > 65535 || lo > hi)
			return -EINVAL;
		p->lo = lo;
		p->hi = hi;
	}
	return 0;
}

int rp_duration_parse(const char *s, uint64_t *ns)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {
		{ "", 1000000000ull },	  { "ms", 1000000ull },	   { "s", 1000000000ull },
		{ "m", 60000000000ull },  { "h", 3600000000000ull }, { "d", 86400000000000ull },
	};
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].unit)) {
			if (v > UINT64_MAX / units[i].ns)
				return -EINVAL;
			*ns = v * units[i].ns;
			return 0;
		}
	return -EINVAL;
}

static int get_uint(struct rp_cfg_ctx *c, const yaml_node_t *v, uint64_t lo, uint64_t hi,
		    uint64_t *out, const char *what)
{
	unsigned long long x;
	char *end;

	if (expect(c, v, YAML_SCALAR_NODE, what))
		return -EINVAL;
	errno = 0;
	x = strtoull(scalar(v), &end, 10);
	if (scalar(v)[0] < '0' || scalar(v)[0] > '9' || errno || *end || x < lo || x > hi)
		return cfg_err(c, v, "'%s' is not %s (a whole number from %" PRIu64 " to %" PRIu64
				     ")",
			       scalar(v), what, lo, hi);
	*out = x;
	return 0;
}

static int get_bool(struct rp_cfg_ctx *c, const yaml_node_t *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no",
										   "off" };

	if (expect(c, v, YAML_SCALAR_NODE, "true or false"))
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		if (!strcmp(scalar(v), yes[i]))
			return *out = true, 0;
		if (!strcmp(scalar(v), no[i]))
			return *out = false, 0;
	}
	return cfg_err(c, v, "'%s' is neither true nor false", scalar(v));
}

static int get_duration(struct rp_cfg_ctx *c, const yaml_node_t *v, uint64_t lo, uint64_t hi,
			uint64_t *out, const char *what)
{
	uint64_t ns;

	if (expect(c, v, YAML_SCALAR_NODE, "a duration"))
		return -EINVAL;
	if (rp_duration_parse(scalar(v), &ns))
		return cfg_err(c, v, "'%s' is not a duration (expected e.g. 500ms, 30s, 90m, 2h, 14d)",
			       scalar(v));
	if (ns < lo || ns > hi)
		return cfg_err(c, v, "%s '%s' is out of range (%" PRIu64 " ms to %" PRIu64 " ms)",
			       what, scalar(v), lo / 1000000, hi / 1000000);
	*out = ns;
	return 0;
}

/* A list node: each item must be a scalar; fn parses one into arr[n] (elements of size). */
typedef int (*rp_item_fn)(struct rp_cfg_ctx *c, const yaml_node_t *v, void *elem);

static int get_list(struct rp_cfg_ctx *c, const yaml_node_t *list, void **arr, unsigned int *n,
		    size_t size, unsigned int max, rp_item_fn fn, const char *what)
{
	yaml_node_item_t *it;
	int err;

	err = expect(c, list, YAML_SEQUENCE_NODE, what);
	if (err)
		return err;
	for (it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
		const yaml_node_t *v = yaml_document_get_node(c->doc, *it);

		if (*n >= max)
			return cfg_err(c, v, "more than %u entries", max);
		if (grow(arr, *n, size))
			return -ENOMEM;
		err = fn(c, v, (char *)*arr + (size_t)*n * size);
		if (err)
			return err;
		(*n)++;
	}
	return 0;
}

static int item_prefix(struct rp_cfg_ctx *c, const yaml_node_t *v, void *elem)
{
	if (expect(c, v, YAML_SCALAR_NODE, "an address or prefix"))
		return -EINVAL;
	if (rp_prefix_parse(scalar(v), elem))
		return cfg_err(c, v,
			       "'%s' is not an IPv4 or IPv6 address or prefix with zero host bits (expected e.g. 192.0.2.0/24 or 2001:db8::/32)",
			       scalar(v));
	return 0;
}

static int item_portspec(struct rp_cfg_ctx *c, const yaml_node_t *v, void *elem)
{
	if (expect(c, v, YAML_SCALAR_NODE, "a protocol and ports"))
		return -EINVAL;
	if (rp_portspec_parse(scalar(v), elem))
		return cfg_err(c, v,
			       "'%s' is not a protocol and ports (expected tcp/443, udp/500-510, tcp/any, icmp or icmpv6)",
			       scalar(v));
	return 0;
}

static int item_port(struct rp_cfg_ctx *c, const yaml_node_t *v, void *elem)
{
	uint64_t x;
	int err = get_uint(c, v, 1, 65535, &x, "a port");

	*(uint16_t *)elem = x;
	return err;
}

static int item_mac(struct rp_cfg_ctx *c, const yaml_node_t *v, void *elem)
{
	if (expect(c, v, YAML_SCALAR_NODE, "a MAC address"))
		return -EINVAL;
	if (rp_mac_parse(scalar(v), elem))
		return cfg_err(c, v, "'%s' is not a MAC address (expected e.g. 02:00:00:00:00:01)",
			       scalar(v));
	return 0;
}

static int item_ifname(struct rp_cfg_ctx *c, const yaml_node_t *v, void *elem)
{
	size_t len;

	if (expect(c, v, YAML_SCALAR_NODE, "an interface name"))
		return -EINVAL;
	len = strlen(scalar(v));
	if (!len || len > 15 || strchr(scalar(v), '/') || strchr(scalar(v), ' '))
		return cfg_err(c, v, "'%s' is not an interface name (1 to 15 characters, no '/')",
			       scalar(v));
	memcpy(elem, scalar(v), len + 1);
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* Mappings */

typedef int (*rp_key_fn)(struct rp_cfg_ctx *c, const yaml_node_t *val, void *arg);

/* A key; phase 1 keys run after every phase 0 key of the same mapping, whatever the order in
 * the file (settings and allow lists before the services that inherit them). */
struct rp_key {
	const char *name;
	rp_key_fn fn;
	uint8_t phase;
};

static int walk_map(struct rp_cfg_ctx *c, const yaml_node_t *map, const struct rp_key *keys,
		    unsigned int nkeys, void *arg, const char *what)
{
	uint64_t seen = 0;
	int err;

	err = expect(c, map, YAML_MAPPING_NODE, what);
	if (err)
		return err;
	for (int phase = 0; phase < 2; phase++) {
		yaml_node_pair_t *pr;

		for (pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
			const yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
			const yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
			unsigned int i;

			if (phase == 0) {
				err = expect(c, k, YAML_SCALAR_NODE, "a key");
				if (err)
					return err;
			}
			for (i = 0; i < nkeys; i++)
				if (!strcmp(keys[i].name, scalar(k)))
					break;
			if (i == nkeys) {
				char known[512] = "";

				for (unsigned int j = 0; j < nkeys; j++)
					snprintf(known + strlen(known), sizeof(known) - strlen(known),
						 "%s%s", j ? ", " : "", keys[j].name);
				return cfg_err(c, k, "unknown key '%s' in %s (expected one of: %s)",
					       scalar(k), what, known);
			}
			if (phase == 0) {
				if (seen & (1ull << i))
					return cfg_err(c, k, "key '%s' given twice", scalar(k));
				seen |= 1ull << i;
			}
			if (keys[i].phase != phase)
				continue;
			err = keys[i].fn(c, v, arg);
			if (err)
				return err;
		}
	}
	return 0;
}

#define NKEYS(k) (sizeof(k) / sizeof((k)[0]))

/* ------------------------------------------------------------------------------------ */
/* Settings that inherit (defaults -> tenant -> service) */

static int key_class(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	struct rp_svc_settings *s = arg;

	if (expect(c, v, YAML_SCALAR_NODE, "critical, normal or best-effort"))
		return -EINVAL;
	if (!strcmp(scalar(v), "critical"))
		s->class = RP_CLASS_CRITICAL;
	else if (!strcmp(scalar(v), "normal"))
		s->class = RP_CLASS_NORMAL;
	else if (!strcmp(scalar(v), "best-effort"))
		s->class = RP_CLASS_BEST_EFFORT;
	else
		return cfg_err(c, v, "class '%s': expected critical, normal or best-effort",
			       scalar(v));
	return 0;
}

static int key_fragments(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	return get_bool(c, v, &((struct rp_svc_settings *)arg)->fragments);
}

static int key_level_floor(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	uint64_t x;
	int err = get_uint(c, v, 0, 4, &x, "a level");

	((struct rp_svc_settings *)arg)->level_floor = x;
	return err;
}

static int key_pps(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	uint64_t x;
	int err = get_uint(c, v, 0, 100000000, &x, "frames per second");

	((struct rp_rate_cfg *)arg)->pps = x;
	return err;
}

static int key_burst(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	uint64_t x;
	int err = get_uint(c, v, 1, 100000000, &x, "a burst in frames");

	((struct rp_rate_cfg *)arg)->burst = x;
	return err;
}

static int get_rate(struct rp_cfg_ctx *c, const yaml_node_t *v, struct rp_rate_cfg *r,
		    const char *what)
{
	static const struct rp_key keys[] = { { "pps", key_pps, 0 }, { "burst", key_burst, 0 } };

	return walk_map(c, v, keys, NKEYS(keys), r, what);
}

static int key_source_limit(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	return get_rate(c, v, &((struct rp_svc_settings *)arg)->source_limit,
			"source_limit (pps, burst)");
}

static int key_allow_ceiling(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	return get_rate(c, v, &((struct rp_svc_settings *)arg)->allow_ceiling,
			"allow_ceiling (pps, burst)");
}

/* "10%", "2.5%": a share of the service's inbound frames, kept in permille; "0%" turns the
 * heavy-hitter reports off. */
static int key_heavy_hitter(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	const char *s;
	size_t i, frac;
	double x = -1;

	if (expect(c, v, YAML_SCALAR_NODE, "a percentage"))
		return -EINVAL;
	s = scalar(v);
	/* Decimal digits, an optional fraction, then '%': strtod alone would take "1e1%",
	 * "0x10%" or "10.%". */
	i = strspn(s, "0123456789");
	if (i && s[i] == '.') {
		frac = strspn(s + i + 1, "0123456789");
		i += frac ? frac + 1 : 0;
	}
	if (i && !strcmp(s + i, "%"))
		x = strtod(s, NULL);
	if (x < 0 || x > 100 || (x > 0 && x < 0.1))
		return cfg_err(c, v, "'%s' is not a share (expected 0%% or 0.1%% to 100%%, e.g. 10%%)",
			       s);
	((struct rp_svc_settings *)arg)->heavy_hitter_permille = (uint16_t)(x * 10 + 0.5);
	return 0;
}

static int key_th_pps(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	return get_uint(c, v, 0, UINT32_MAX, &((struct rp_thresholds_cfg *)arg)->pps,
			"frames per second");
}

static int key_th_mbps(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	return get_uint(c, v, 0, 10000000, &((struct rp_thresholds_cfg *)arg)->mbps,
			"megabits per second");
}

static int key_th_syn(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	return get_uint(c, v, 0, UINT32_MAX, &((struct rp_thresholds_cfg *)arg)->syn_pps,
			"SYNs per second");
}

static int key_thresholds(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	static const struct rp_key keys[] = { { "pps", key_th_pps, 0 },
					      { "mbps", key_th_mbps, 0 },
					      { "syn_pps", key_th_syn, 0 } };

	return walk_map(c, v, keys, NKEYS(keys), &((struct rp_svc_settings *)arg)->thresholds,
			"thresholds (pps, mbps, syn_pps)");
}

/* Lists owned by the parse (tenants' and defaults' settings) go to the scratch list. */
static int scratch_keep(struct rp_cfg_ctx *c, void *p)
{
	if (grow((void **)&c->scratch, c->n_scratch, sizeof(void *))) {
		free(p);
		return -ENOMEM;
	}
	c->scratch[c->n_scratch++] = p;
	return 0;
}

static int key_uses_source_ports(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	struct rp_svc_settings *s = arg;
	struct rp_portspec *arr = NULL;
	unsigned int n = 0;
	int err;

	err = get_list(c, v, (void **)&arr, &n, sizeof(*arr), 64, item_portspec,
		       "a list of protocols and ports");
	if (!err)
		for (unsigned int i = 0; i < n && !err; i++)
			if (arr[i].proto != IPPROTO_UDP)
				err = cfg_err(c, yaml_document_get_node(c->doc,
									 v->data.sequence.items.start[i]),
					      "uses_source_ports takes udp/... (reflection is UDP)");
	if (err || (arr && scratch_keep(c, arr))) {
		if (err)
			free(arr);
		return err ? err : -ENOMEM;
	}
	s->uses_source_ports = arr;
	s->n_uses_source_ports = n;
	return 0;
}

/* A region or country name, with its place for the errors of the resolution (after the
 * whole file is read, since regions may be defined after the fences that use them). */
static int item_geo_name(struct rp_cfg_ctx *c, const yaml_node_t *v, void *elem)
{
	struct rp_geo_name *n = elem;

	if (expect(c, v, YAML_SCALAR_NODE, "a country code or region name"))
		return -EINVAL;
	if (strlen(scalar(v)) >= RP_GEO_NAME_MAX)
		return cfg_err(c, v, "'%s' is too long for a country code or region name",
			       scalar(v));
	memset(n, 0, sizeof(*n));
	strcpy(n->name, scalar(v));
	n->line = v->start_mark.line + 1;
	n->col = v->start_mark.column + 1;
	return 0;
}

static int key_fence_allow(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	struct rp_fence_cfg *f = arg;
	struct rp_geo_name *arr = NULL;
	unsigned int n = 0;
	int err;

	err = get_list(c, v, (void **)&arr, &n, sizeof(*arr), RP_GEO_NCODES, item_geo_name,
		       "a list of country codes and region names");
	if (err || (arr && scratch_keep(c, arr))) {
		if (err)
			free(arr);
		return err ? err : -ENOMEM;
	}
	f->allow = arr;
	f->n_allow = n;
	return 0;
}

static int key_fence_unknown(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	struct rp_fence_cfg *f = arg;

	if (expect(c, v, YAML_SCALAR_NODE, "'allow' or 'deny'"))
		return -EINVAL;
	if (!strcmp(scalar(v), "allow"))
		f->unknown = RP_FENCE_UNKNOWN_ALLOW;
	else if (!strcmp(scalar(v), "deny"))
		f->unknown = RP_FENCE_UNKNOWN_DENY;
	else
		return cfg_err(c, v, "fence.unknown: '%s' is neither 'allow' nor 'deny'",
			       scalar(v));
	return 0;
}

static int key_fence(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	static const struct rp_key keys[] = { { "allow", key_fence_allow, 0 },
					      { "unknown", key_fence_unknown, 0 } };
	struct rp_fence_cfg *f = &((struct rp_svc_settings *)arg)->fence;

	f->configured = true;
	return walk_map(c, v, keys, NKEYS(keys), f, "fence (allow, unknown)");
}

#define SETTINGS_KEYS                                                                    \
	{ "class", key_class, 0 }, { "fragments", key_fragments, 0 },                    \
		{ "level_floor", key_level_floor, 0 },                                   \
		{ "source_limit", key_source_limit, 0 },                                 \
		{ "allow_ceiling", key_allow_ceiling, 0 },                               \
		{ "heavy_hitter_share", key_heavy_hitter, 0 },                           \
		{ "thresholds", key_thresholds, 0 },                                     \
		{ "uses_source_ports", key_uses_source_ports, 0 },                       \
		{ "fence", key_fence, 0 }

static int key_defaults(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	static const struct rp_key keys[] = { SETTINGS_KEYS };

	(void)arg;
	return walk_map(c, v, keys, NKEYS(keys), &c->top_set, "defaults");
}

/* ------------------------------------------------------------------------------------ */
/* Tenants and services */

static int key_name(struct rp_cfg_ctx *c, const yaml_node_t *v, char *dst)
{
	size_t len;

	if (expect(c, v, YAML_SCALAR_NODE, "a name"))
		return -EINVAL;
	len = strlen(scalar(v));
	if (len == 0 || len >= RP_CFG_MAX_NAME)
		return cfg_err(c, v, "a name must have 1 to %d characters", RP_CFG_MAX_NAME - 1);
	for (size_t i = 0; i < len; i++) {
		char ch = scalar(v)[i];

		if (!(ch == '-' || ch == '_' || ch == '.' || (ch >= '0' && ch <= '9') ||
		      (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
			return cfg_err(c, v, "name '%s': use letters, digits, '-', '_' or '.'",
				       scalar(v));
	}
	memcpy(dst, scalar(v), len + 1);
	return 0;
}

/* The service being parsed. Its settings come first, so that the settings keys (which take
 * a struct rp_svc_settings *) work on it directly; they start as the tenant's. */
struct rp_svc_parse {
	struct rp_svc_settings set;
	struct rp_service_cfg *svc;
	struct rp_prefix *allow;
	unsigned int n_allow;
};

static int key_svc_name(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	return key_name(c, v, ((struct rp_svc_parse *)arg)->svc->name);
}

static int key_svc_addresses(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	struct rp_service_cfg *s = ((struct rp_svc_parse *)arg)->svc;

	return get_list(c, v, (void **)&s->addresses, &s->n_addresses, sizeof(struct rp_prefix),
			RP_MAX_LOCAL_PREFIXES, item_prefix, "a list of addresses or prefixes");
}

static int key_svc_ports(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	struct rp_service_cfg *s = ((struct rp_svc_parse *)arg)->svc;

	return get_list(c, v, (void **)&s->ports, &s->n_ports, sizeof(struct rp_portspec), 256,
			item_portspec, "a list of protocols and ports");
}

static int key_svc_allow(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	struct rp_svc_parse *sp = arg;

	return get_list(c, v, (void **)&sp->allow, &sp->n_allow, sizeof(struct rp_prefix),
			RP_CFG_MAX_ALLOW, item_prefix, "a list of addresses or prefixes");
}

/* allow lists concatenated: top level, tenant, service. */
static int concat_allow(struct rp_service_cfg *s, const struct rp_prefix *const *lists,
			const unsigned int *ns, int nlists)
{
	unsigned int total = 0, k = 0;

	for (int i = 0; i < nlists; i++)
		total += ns[i];
	if (!total)
		return 0;
	s->allow = malloc(total * sizeof(*s->allow));
	if (!s->allow)
		return -ENOMEM;
	for (int i = 0; i < nlists; i++)
		for (unsigned int j = 0; j < ns[i]; j++)
			s->allow[k++] = lists[i][j];
	s->n_allow = total;
	return 0;
}

/* The service's own copy of its fence's names (inherited lists belong to the parse). */
static int dup_fence(struct rp_svc_settings *set)
{
	struct rp_geo_name *p;

	if (!set->fence.n_allow) {
		set->fence.allow = NULL;
		return 0;
	}
	p = malloc(set->fence.n_allow * sizeof(*p));
	if (!p)
		return -ENOMEM;
	memcpy(p, set->fence.allow, set->fence.n_allow * sizeof(*p));
	set->fence.allow = p;
	return 0;
}

static int dup_ports(struct rp_svc_settings *set)
{
	struct rp_portspec *p;

	if (!set->n_uses_source_ports) {
		set->uses_source_ports = NULL;
		return 0;
	}
	p = malloc(set->n_uses_source_ports * sizeof(*p));
	if (!p)
		return -ENOMEM;
	memcpy(p, set->uses_source_ports, set->n_uses_source_ports * sizeof(*p));
	set->uses_source_ports = p;
	return 0;
}

static int add_local(struct rp_cfg_ctx *c, const yaml_node_t *at, const struct rp_prefix *p,
		     unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (c->cfg->n_local >= RP_MAX_LOCAL_PREFIXES)
			return cfg_err(c, at, "more than %d protected and internal prefixes",
				       RP_MAX_LOCAL_PREFIXES);
		if (grow((void **)&c->cfg->local, c->cfg->n_local, sizeof(*p)))
			return -ENOMEM;
		c->cfg->local[c->cfg->n_local++] = p[i];
	}
	return 0;
}

/* The tenant being parsed: its settings (from the defaults) and its allow list. */
struct rp_tenant_parse {
	struct rp_svc_settings set;
	unsigned int idx;
	struct rp_prefix *allow;
	unsigned int n_allow;
};

static int key_services(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	static const struct rp_key keys[] = {
		{ "name", key_svc_name, 0 },	{ "addresses", key_svc_addresses, 0 },
		{ "ports", key_svc_ports, 0 }, { "allow", key_svc_allow, 0 },
		SETTINGS_KEYS,
	};
	struct rp_tenant_parse *tp = arg;
	yaml_node_item_t *it;
	int err;

	if (expect(c, v, YAML_SEQUENCE_NODE, "a list of services"))
		return -EINVAL;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		const yaml_node_t *s = yaml_document_get_node(c->doc, *it);
		struct rp_svc_parse sp = { .set = tp->set };
		const struct rp_prefix *lists[3] = { c->top_allow, tp->allow, NULL };
		unsigned int ns[3] = { c->n_top_allow, tp->n_allow, 0 };

		if (c->cfg->n_services >= RP_MAX_SERVICES - 1)
			return cfg_err(c, s, "more than %d services", RP_MAX_SERVICES - 1);
		if (grow((void **)&c->cfg->services, c->cfg->n_services, sizeof(*sp.svc)))
			return -ENOMEM;
		sp.svc = &c->cfg->services[c->cfg->n_services];
		memset(sp.svc, 0, sizeof(*sp.svc));
		/* Counted now, so that rp_config_free releases what this service holds even if
		 * its parse fails half-way. */
		c->cfg->n_services++;
		sp.svc->tenant = tp->idx;
		err = walk_map(c, s, keys, NKEYS(keys), &sp, "a service");
		lists[2] = sp.allow;
		ns[2] = sp.n_allow;
		if (!err && !sp.svc->name[0])
			err = cfg_err(c, s, "a service needs a 'name'");
		if (!err && !sp.svc->n_addresses)
			err = cfg_err(c, s, "service '%s' needs 'addresses' (its destinations)",
				      sp.svc->name);
		for (unsigned int j = 0; !err && j + 1 < c->cfg->n_services; j++)
			if (c->cfg->services[j].tenant == tp->idx &&
			    !strcmp(c->cfg->services[j].name, sp.svc->name))
				err = cfg_err(c, s, "service '%s' is defined twice in tenant '%s'",
					      sp.svc->name, c->cfg->tenants[tp->idx].name);
		if (!err)
			err = add_local(c, s, sp.svc->addresses, sp.svc->n_addresses);
		if (!err)
			err = concat_allow(sp.svc, lists, ns, 3);
		free(sp.allow);
		if (!err) {
			err = dup_ports(&sp.set);
			if (!err) {
				err = dup_fence(&sp.set);
				if (err)
					free(sp.set.uses_source_ports);
			}
			if (!err)
				sp.svc->set = sp.set;
		}
		if (err)
			return err;
	}
	return 0;
}

static int key_tenant_name(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	return key_name(c, v, c->cfg->tenants[((struct rp_tenant_parse *)arg)->idx].name);
}

static int key_tenant_allow(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	struct rp_tenant_parse *tp = arg;

	return get_list(c, v, (void **)&tp->allow, &tp->n_allow, sizeof(struct rp_prefix),
			RP_CFG_MAX_ALLOW, item_prefix, "a list of addresses or prefixes");
}

static int key_tenants(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	static const struct rp_key keys[] = {
		{ "name", key_tenant_name, 0 },
		{ "allow", key_tenant_allow, 0 },
		{ "services", key_services, 1 },
		SETTINGS_KEYS,
	};
	yaml_node_item_t *it;
	int err;

	(void)arg;
	if (expect(c, v, YAML_SEQUENCE_NODE, "a list of tenants"))
		return -EINVAL;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		const yaml_node_t *t = yaml_document_get_node(c->doc, *it);
		struct rp_tenant_parse tp = { .set = c->top_set, .idx = c->cfg->n_tenants };

		if (grow((void **)&c->cfg->tenants, tp.idx, sizeof(struct rp_tenant_cfg)))
			return -ENOMEM;
		memset(&c->cfg->tenants[tp.idx], 0, sizeof(struct rp_tenant_cfg));
		/* The name is read before the services (phase 0), which print it. */
		err = walk_map(c, t, keys, NKEYS(keys), &tp, "a tenant");
		free(tp.allow);
		if (err)
			return err;
		if (grow((void **)&c->tenant_fences, c->n_tenant_fences, sizeof(tp.set.fence)))
			return -ENOMEM;
		c->tenant_fences[c->n_tenant_fences++] = tp.set.fence;
		if (!c->cfg->tenants[tp.idx].name[0])
			return cfg_err(c, t, "a tenant needs a 'name'");
		for (unsigned int j = 0; j < tp.idx; j++)
			if (!strcmp(c->cfg->tenants[j].name, c->cfg->tenants[tp.idx].name))
				return cfg_err(c, t, "tenant '%s' is defined twice",
					       c->cfg->tenants[tp.idx].name);
		c->cfg->n_tenants++;
	}
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* The top level */

static int key_mode(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	(void)arg;
	if (expect(c, v, YAML_SCALAR_NODE, "'inline' or 'monitor'"))
		return -EINVAL;
	if (!strcmp(scalar(v), "inline"))
		c->cfg->mode = RP_MODE_INLINE;
	else if (!strcmp(scalar(v), "monitor"))
		c->cfg->mode = RP_MODE_MONITOR;
	else
		return cfg_err(c, v, "mode: '%s' is neither 'inline' nor 'monitor'", scalar(v));
	return 0;
}

static int key_interfaces(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	int err;

	(void)arg;
	err = get_list(c, v, (void **)&c->cfg->interfaces, &c->cfg->n_interfaces, 16,
		       RP_MAX_IFACES, item_ifname, "a list of interface names");
	if (err)
		return err;
	/* Attaching twice to one interface fails at start: say so now, at the second one. */
	for (unsigned int i = 1; i < c->cfg->n_interfaces; i++)
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(c->cfg->interfaces[i], c->cfg->interfaces[j]))
				return cfg_err(c,
					       yaml_document_get_node(c->doc,
								      v->data.sequence.items.start[i]),
					       "interface '%s' is listed twice (expected each interface once)",
					       c->cfg->interfaces[i]);
	return 0;
}

static int key_malformed(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	(void)arg;
	if (expect(c, v, YAML_SCALAR_NODE, "'pass' or 'drop'"))
		return -EINVAL;
	if (!strcmp(scalar(v), "drop"))
		c->cfg->malformed_verdict = RP_V_DROP;
	else if (!strcmp(scalar(v), "pass"))
		c->cfg->malformed_verdict = RP_V_PASS;
	else
		return cfg_err(c, v, "malformed: '%s' is neither 'pass' nor 'drop'", scalar(v));
	return 0;
}

static int key_upstream_macs(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	(void)arg;
	return get_list(c, v, (void **)&c->cfg->upstream_macs, &c->cfg->n_upstream_macs, 6,
			RP_MAX_UPSTREAM_MACS, item_mac, "a list of MAC addresses");
}

static int key_networks(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	(void)arg;
	/* Internal networks come first in local[]; services' addresses follow (phase 1). */
	return get_list(c, v, (void **)&c->cfg->local, &c->cfg->n_local,
			sizeof(struct rp_prefix), RP_MAX_LOCAL_PREFIXES, item_prefix,
			"a list of addresses or prefixes");
}

static int key_internal(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	static const struct rp_key keys[] = { { "networks", key_networks, 0 } };
	int err = walk_map(c, v, keys, NKEYS(keys), arg, "internal");

	c->cfg->n_internal = c->cfg->n_local;
	return err;
}

static int key_bogons(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	(void)arg;
	/* The file's list replaces the built-in one. */
	c->cfg->bogons = NULL;
	c->cfg->n_bogons = 0;
	return get_list(c, v, (void **)&c->cfg->bogons, &c->cfg->n_bogons,
			sizeof(struct rp_prefix), RP_CFG_MAX_ALLOW, item_prefix,
			"a list of prefixes");
}

static int key_reflection_ports(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	(void)arg;
	c->cfg->reflection_ports = NULL;
	c->cfg->n_reflection_ports = 0;
	return get_list(c, v, (void **)&c->cfg->reflection_ports, &c->cfg->n_reflection_ports,
			sizeof(uint16_t), 1024, item_port, "a list of UDP source ports");
}

static int key_deny(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	bool len6[129] = { false };
	unsigned int distinct = 0, i = 0;
	yaml_node_item_t *it;
	int err;

	(void)arg;
	err = get_list(c, v, (void **)&c->cfg->deny, &c->cfg->n_deny, sizeof(struct rp_prefix),
		       RP_CFG_MAX_DENY, item_prefix, "a list of addresses or prefixes");
	if (err)
		return err;
	/* The data plane probes IPv6 deny entries one length at a time, RP_MAX_LENS at most. */
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++, i++) {
		const struct rp_prefix *p = &c->cfg->deny[i];

		if (p->family != 6 || len6[p->len])
			continue;
		len6[p->len] = true;
		if (++distinct > RP_MAX_LENS)
			return cfg_err(c, yaml_document_get_node(c->doc, *it),
				       "deny: a %uth distinct IPv6 prefix length (/%u) (expected at most %d "
				       "distinct IPv6 lengths: the data plane probes one per length)",
				       distinct, p->len, RP_MAX_LENS);
	}
	return 0;
}

static int key_top_allow(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	(void)arg;
	return get_list(c, v, (void **)&c->top_allow, &c->n_top_allow, sizeof(struct rp_prefix),
			RP_CFG_MAX_ALLOW, item_prefix, "a list of addresses or prefixes");
}

static int key_src_v4(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	uint64_t x;
	int err = get_uint(c, v, 8, 32, &x, "an IPv4 prefix length");

	(void)arg;
	c->cfg->source_v4 = x;
	return err;
}

static int key_src_v6(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	uint64_t x;
	int err = get_uint(c, v, 16, 128, &x, "an IPv6 prefix length");

	(void)arg;
	c->cfg->source_v6 = x;
	return err;
}

static int key_source_prefix(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	static const struct rp_key keys[] = { { "ipv4", key_src_v4, 0 },
					      { "ipv6", key_src_v6, 0 } };

	return walk_map(c, v, keys, NKEYS(keys), arg, "source_prefix (ipv4, ipv6)");
}

static int key_known_ttl(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	(void)arg;
	return get_duration(c, v, 60 * RP_SEC, 365 * 86400 * RP_SEC, &c->cfg->known_ttl_ns,
			    "known_clients.ttl");
}

static int key_known_learn(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	(void)arg;
	return get_bool(c, v, &c->cfg->known_learn);
}

static int key_known_clients(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	static const struct rp_key keys[] = { { "ttl", key_known_ttl, 0 },
					      { "learn", key_known_learn, 0 } };

	return walk_map(c, v, keys, NKEYS(keys), arg, "known_clients (ttl, learn)");
}

static int key_level_lease(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	(void)arg;
	return get_duration(c, v, RP_SEC / 2, 3600 * RP_SEC, &c->cfg->level_lease_ns,
			    "level_lease");
}

/* ------------------------------------------------------------------------------------ */
/* geo: the dataset and the regions */

static int key_geo_dataset(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	(void)arg;
	if (expect(c, v, YAML_SCALAR_NODE, "'builtin' or a path"))
		return -EINVAL;
	if (!scalar(v)[0])
		return cfg_err(c, v, "geo.dataset: expected 'builtin' or a path");
	if (!strcmp(scalar(v), "builtin"))
		return 0;
	c->cfg->geo.dataset = strdup(scalar(v));
	return c->cfg->geo.dataset ? 0 : -ENOMEM;
}

static int key_geo_regions(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	struct rp_geo_regions *rs = &c->cfg->geo.regions;
	yaml_node_pair_t *pr;
	int err;

	(void)arg;
	if (expect(c, v, YAML_MAPPING_NODE, "a mapping of region names to lists"))
		return -EINVAL;
	for (pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top; pr++) {
		const yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
		const yaml_node_t *m = yaml_document_get_node(c->doc, pr->value);
		struct rp_geo_region *r;

		if (item_geo_name(c, k, &(struct rp_geo_name){}))
			return -EINVAL;
		if (grow((void **)&rs->r, rs->n, sizeof(*rs->r)))
			return -ENOMEM;
		r = &rs->r[rs->n++];
		memset(r, 0, sizeof(*r));
		item_geo_name(c, k, &r->name);
		err = get_list(c, m, (void **)&r->members, &r->n, sizeof(*r->members),
			       RP_GEO_NCODES, item_geo_name,
			       "a list of country codes and region names");
		if (err)
			return err;
	}
	err = rp_geo_regions_resolve(rs, c->name, c->err, c->errlen);
	return err == -ENOMEM ? -ENOMEM : err ? -EINVAL : 0;
}

static int key_geo(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	static const struct rp_key keys[] = { { "dataset", key_geo_dataset, 0 },
					      { "regions", key_geo_regions, 0 } };

	return walk_map(c, v, keys, NKEYS(keys), arg, "geo (dataset, regions)");
}

/* A fence's names to its country set, now that every region is known; whose says whose fence
 * it is in the messages ("service 'x'", "tenant 'a'", "defaults"). */
static int resolve_fence(struct rp_cfg_ctx *c, struct rp_fence_cfg *f, const char *whose)
{
	const struct rp_geo_name unknown = { .name = "unknown" };

	memset(f->set, 0, sizeof(f->set));
	if (!f->configured)
		return 0;
	for (unsigned int k = 0; k < f->n_allow; k++) {
		if (!strcmp(f->allow[k].name, "unknown")) {
			if (f->unknown == RP_FENCE_UNKNOWN_DENY) {
				snprintf(c->err, c->errlen,
					 "%s:%u:%u: fence of %s lists 'unknown' but says unknown: deny",
					 c->name, f->allow[k].line, f->allow[k].col, whose);
				return -EINVAL;
			}
			f->unknown = RP_FENCE_UNKNOWN_ALLOW;
		}
		if (rp_geo_name_set(&c->cfg->geo.regions, &f->allow[k], f->set, c->name, c->err,
				    c->errlen))
			return -EINVAL;
	}
	if (f->unknown == RP_FENCE_UNKNOWN_ALLOW)
		rp_geo_name_set(NULL, &unknown, f->set, c->name, c->err, c->errlen);
	return 0;
}

/* Every fence, in the order of inheritance: the defaults', each tenant's, each service's.
 * The defaults' and the tenants' are checked even where every service overrides them (or
 * there is no service), so that a typo there never passes silently. */
static int resolve_fences(struct rp_cfg_ctx *c)
{
	char whose[RP_CFG_MAX_NAME + 16];

	if (resolve_fence(c, &c->top_set.fence, "defaults"))
		return -EINVAL;
	for (unsigned int i = 0; i < c->n_tenant_fences; i++) {
		snprintf(whose, sizeof(whose), "tenant '%s'", c->cfg->tenants[i].name);
		if (resolve_fence(c, &c->tenant_fences[i], whose))
			return -EINVAL;
	}
	for (unsigned int i = 0; i < c->cfg->n_services; i++) {
		snprintf(whose, sizeof(whose), "service '%s'", c->cfg->services[i].name);
		if (resolve_fence(c, &c->cfg->services[i].set.fence, whose))
			return -EINVAL;
	}
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* Defaults */

/* IANA special-purpose space that is never a legitimate source from the Internet
 * (RFC 6890 and its updates); docs/config.md lists it. */
static const char *const default_bogon_text[] = {
	"0.0.0.0/8",	   "10.0.0.0/8",      "100.64.0.0/10", "127.0.0.0/8",
	"169.254.0.0/16",  "172.16.0.0/12",   "192.0.0.0/24",  "192.0.2.0/24",
	"192.168.0.0/16",  "198.18.0.0/15",   "198.51.100.0/24", "203.0.113.0/24",
	"224.0.0.0/4",	   "240.0.0.0/4",     "::/128",	       "::1/128",
	"::ffff:0:0/96",   "100::/64",	      "2001:db8::/32", "3fff::/20",
	"fc00::/7",	   "fe80::/10",	      "ff00::/8",
};
#define N_DEFAULT_BOGONS (sizeof(default_bogon_text) / sizeof(default_bogon_text[0]))
static struct rp_prefix default_bogons[N_DEFAULT_BOGONS];

/* UDP source ports of the usual reflection and amplification attacks. */
static uint16_t default_reflection_ports[] = { 19,   53,   111,	 123,  137,   161,
					       389,  520,  1900, 3283, 3702,  5353,
					       5683, 10001, 11211, 37810 };

static void init_default_bogons(void)
{
	for (size_t i = 0; i < N_DEFAULT_BOGONS; i++)
		rp_prefix_parse(default_bogon_text[i], &default_bogons[i]);
}

void rp_config_defaults(struct rp_config *cfg)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, init_default_bogons);
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = RP_MODE_INLINE;
	cfg->malformed_verdict = RP_V_DROP;
	cfg->bogons = default_bogons;
	cfg->n_bogons = N_DEFAULT_BOGONS;
	cfg->reflection_ports = default_reflection_ports;
	cfg->n_reflection_ports =
		sizeof(default_reflection_ports) / sizeof(default_reflection_ports[0]);
	cfg->source_v4 = 32;
	cfg->source_v6 = 64;
	cfg->known_ttl_ns = 14 * 86400 * RP_SEC;
	cfg->known_learn = true;
	cfg->level_lease_ns = 5 * RP_SEC;
}

static void settings_defaults(struct rp_svc_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->class = RP_CLASS_NORMAL;
	s->source_limit = (struct rp_rate_cfg){ 1000, 2000 };
	s->allow_ceiling = (struct rp_rate_cfg){ 100000, 200000 };
	s->heavy_hitter_permille = 100;
}

void rp_config_free(struct rp_config *cfg)
{
	for (unsigned int i = 0; i < cfg->n_services; i++) {
		free(cfg->services[i].addresses);
		free(cfg->services[i].ports);
		free(cfg->services[i].allow);
		free(cfg->services[i].set.uses_source_ports);
		free(cfg->services[i].set.fence.allow);
	}
	free(cfg->geo.dataset);
	rp_geo_regions_free(&cfg->geo.regions);
	free(cfg->services);
	free(cfg->tenants);
	free(cfg->interfaces);
	free(cfg->upstream_macs);
	free(cfg->local);
	if (cfg->bogons != default_bogons)
		free(cfg->bogons);
	if (cfg->reflection_ports != default_reflection_ports)
		free(cfg->reflection_ports);
	free(cfg->deny);
	memset(cfg, 0, sizeof(*cfg));
}

/* libyaml's own message, at its place. */
static void yaml_err(const yaml_parser_t *parser, const char *name, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s:%zu:%zu: %s%s%s", name, parser->problem_mark.line + 1,
		 parser->problem_mark.column + 1,
		 parser->problem ? parser->problem : "invalid YAML", parser->context ? " " : "",
		 parser->context ? parser->context : "");
}

int rp_config_parse(const char *name, const unsigned char *buf, size_t len, struct rp_config *out,
		    char *err, size_t errlen)
{
	static const struct rp_key keys[] = {
		{ "mode", key_mode, 0 },
		{ "interfaces", key_interfaces, 0 },
		{ "malformed", key_malformed, 0 },
		{ "upstream_macs", key_upstream_macs, 0 },
		{ "internal", key_internal, 0 },
		{ "bogons", key_bogons, 0 },
		{ "reflection_ports", key_reflection_ports, 0 },
		{ "deny", key_deny, 0 },
		{ "allow", key_top_allow, 0 },
		{ "source_prefix", key_source_prefix, 0 },
		{ "known_clients", key_known_clients, 0 },
		{ "level_lease", key_level_lease, 0 },
		{ "defaults", key_defaults, 0 },
		{ "geo", key_geo, 0 },
		{ "tenants", key_tenants, 1 },
	};
	struct rp_config cfg;
	struct rp_cfg_ctx c = { .name = name, .cfg = &cfg, .err = err, .errlen = errlen };
	yaml_parser_t parser;
	yaml_document_t doc, more;
	yaml_node_t *root;
	int ret;

	rp_config_defaults(&cfg);
	settings_defaults(&c.top_set);
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_err(&parser, name, err, errlen);
		yaml_parser_delete(&parser);
		return -EINVAL;
	}
	/* One document per file: a second one ("---") would otherwise be read by nobody, its
	 * keys silently doing nothing. Past the first, only the end of the stream may follow. */
	if (yaml_document_get_root_node(&doc)) {
		if (!yaml_parser_load(&parser, &more)) {
			yaml_err(&parser, name, err, errlen);
			ret = -EINVAL;
		} else {
			ret = 0;
			if (yaml_document_get_root_node(&more)) {
				snprintf(err, errlen,
					 "%s:%zu:%zu: a second YAML document: only one document is allowed per file (expected the end of the file)",
					 name, more.start_mark.line + 1, more.start_mark.column + 1);
				ret = -EINVAL;
			}
			yaml_document_delete(&more);
		}
		if (ret) {
			yaml_document_delete(&doc);
			yaml_parser_delete(&parser);
			return ret;
		}
	}
	c.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	/* An empty file is the built-in defaults. */
	ret = root ? walk_map(&c, root, keys, NKEYS(keys), NULL, "the top level") : 0;
	if (!ret)
		ret = resolve_fences(&c);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	for (unsigned int i = 0; i < c.n_scratch; i++)
		free(c.scratch[i]);
	free(c.scratch);
	free(c.tenant_fences);
	free(c.top_allow);
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, errlen, "%s: out of memory", name);
		rp_config_free(&cfg);
		return ret;
	}
	rp_config_free(out);
	*out = cfg;
	return 0;
}

int rp_config_load(const char *path, struct rp_config *cfg, char *err, size_t errlen)
{
	unsigned char *buf;
	size_t len;
	int ret = rp_read_file(path, &buf, &len, err, errlen);

	if (ret)
		return ret;
	ret = rp_config_parse(path, buf, len, cfg, err, errlen);
	free(buf);
	return ret;
}
