// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * YAML configuration through libyaml's document API: the whole file becomes a node tree
 * whose every node knows its line and column, so each error can point at its place.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config.h"
#include "rempart/abi.h"

struct rp_cfg_ctx {
	const char *name;
	yaml_document_t *doc;
	struct rp_config *cfg;
	char *err;
	size_t errlen;
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
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || len < 0 || len > p->len)
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

static int add_prefixes(struct rp_cfg_ctx *c, const yaml_node_t *list)
{
	yaml_node_item_t *it;
	int err;

	err = expect(c, list, YAML_SEQUENCE_NODE, "a list of addresses or prefixes");
	if (err)
		return err;
	for (it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
		const yaml_node_t *v = yaml_document_get_node(c->doc, *it);
		struct rp_prefix p;

		err = expect(c, v, YAML_SCALAR_NODE, "an address or prefix");
		if (err)
			return err;
		if (rp_prefix_parse(scalar(v), &p))
			return cfg_err(c, v,
				       "'%s' is not an IPv4 or IPv6 address or prefix with zero host bits (expected e.g. 192.0.2.0/24 or 2001:db8::/32)",
				       scalar(v));
		if (grow((void **)&c->cfg->local, c->cfg->n_local, sizeof(p)))
			return -ENOMEM;
		if (c->cfg->n_local >= RP_MAX_LOCAL_PREFIXES)
			return cfg_err(c, v, "more than %d prefixes", RP_MAX_LOCAL_PREFIXES);
		c->cfg->local[c->cfg->n_local++] = p;
	}
	return 0;
}

typedef int (*rp_key_fn)(struct rp_cfg_ctx *c, const yaml_node_t *val, void *arg);

struct rp_key {
	const char *name;
	rp_key_fn fn;
};

/* Walk a mapping; each key must be one of keys[], and appear once. */
static int walk_map(struct rp_cfg_ctx *c, const yaml_node_t *map, const struct rp_key *keys,
		    unsigned int nkeys, void *arg, const char *what)
{
	yaml_node_pair_t *pr;
	unsigned int seen = 0;
	int err;

	err = expect(c, map, YAML_MAPPING_NODE, what);
	if (err)
		return err;
	for (pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		const yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
		const yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
		unsigned int i;

		err = expect(c, k, YAML_SCALAR_NODE, "a key");
		if (err)
			return err;
		for (i = 0; i < nkeys; i++)
			if (!strcmp(keys[i].name, scalar(k)))
				break;
		if (i == nkeys) {
			char known[256] = "";

			for (unsigned int j = 0; j < nkeys; j++)
				snprintf(known + strlen(known), sizeof(known) - strlen(known),
					 "%s%s", j ? ", " : "", keys[j].name);
			return cfg_err(c, k, "unknown key '%s' in %s (expected one of: %s)",
				       scalar(k), what, known);
		}
		if (seen & (1u << i))
			return cfg_err(c, k, "key '%s' given twice", scalar(k));
		seen |= 1u << i;
		err = keys[i].fn(c, v, arg);
		if (err)
			return err;
	}
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
	yaml_node_item_t *it;

	(void)arg;
	if (expect(c, v, YAML_SEQUENCE_NODE, "a list of MAC addresses"))
		return -EINVAL;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		const yaml_node_t *m = yaml_document_get_node(c->doc, *it);
		uint8_t mac[6];

		if (expect(c, m, YAML_SCALAR_NODE, "a MAC address"))
			return -EINVAL;
		if (rp_mac_parse(scalar(m), mac))
			return cfg_err(c, m, "'%s' is not a MAC address (expected e.g. 02:00:00:00:00:01)",
				       scalar(m));
		if (c->cfg->n_upstream_macs >= RP_MAX_UPSTREAM_MACS)
			return cfg_err(c, m, "more than %d upstream MACs", RP_MAX_UPSTREAM_MACS);
		if (grow((void **)&c->cfg->upstream_macs, c->cfg->n_upstream_macs, 6))
			return -ENOMEM;
		memcpy(c->cfg->upstream_macs[c->cfg->n_upstream_macs++], mac, 6);
	}
	return 0;
}

static int key_networks(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	int err;

	(void)arg;
	/* Internal networks come first in local[]; services' addresses follow. */
	if (c->cfg->n_local != c->cfg->n_internal)
		return cfg_err(c, v, "internal networks must be given once");
	err = add_prefixes(c, v);
	c->cfg->n_internal = c->cfg->n_local;
	return err;
}

static int key_internal(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	static const struct rp_key keys[] = { { "networks", key_networks } };

	return walk_map(c, v, keys, 1, arg, "internal");
}

static int key_name(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	char *dst = arg;
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

static int key_addresses(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	(void)arg;
	return add_prefixes(c, v);
}

static int key_service_name(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	struct rp_service_cfg *s = arg;

	return key_name(c, v, s->name);
}

static int key_services(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	static const struct rp_key keys[] = { { "name", key_service_name },
					      { "addresses", key_addresses } };
	unsigned int tenant = *(unsigned int *)arg;
	yaml_node_item_t *it;
	int err;

	if (expect(c, v, YAML_SEQUENCE_NODE, "a list of services"))
		return -EINVAL;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		const yaml_node_t *s = yaml_document_get_node(c->doc, *it);
		struct rp_service_cfg *svc;

		if (c->cfg->n_services >= RP_MAX_SERVICES - 1)
			return cfg_err(c, s, "more than %d services", RP_MAX_SERVICES - 1);
		if (grow((void **)&c->cfg->services, c->cfg->n_services, sizeof(*svc)))
			return -ENOMEM;
		svc = &c->cfg->services[c->cfg->n_services];
		memset(svc, 0, sizeof(*svc));
		svc->tenant = tenant;
		err = walk_map(c, s, keys, 2, svc, "a service");
		if (err)
			return err;
		if (!svc->name[0])
			return cfg_err(c, s, "a service needs a 'name'");
		c->cfg->n_services++;
	}
	return 0;
}

static int key_tenant_name(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	(void)arg;
	return key_name(c, v, c->cfg->tenants[c->cfg->n_tenants].name);
}

static int key_tenants(struct rp_cfg_ctx *c, const yaml_node_t *v, void *arg)
{
	static const struct rp_key keys[] = { { "name", key_tenant_name },
					      { "services", key_services } };
	yaml_node_item_t *it;
	int err;

	(void)arg;
	if (expect(c, v, YAML_SEQUENCE_NODE, "a list of tenants"))
		return -EINVAL;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		const yaml_node_t *t = yaml_document_get_node(c->doc, *it);
		unsigned int idx = c->cfg->n_tenants;

		if (grow((void **)&c->cfg->tenants, idx, sizeof(struct rp_tenant_cfg)))
			return -ENOMEM;
		memset(&c->cfg->tenants[idx], 0, sizeof(struct rp_tenant_cfg));
		err = walk_map(c, t, keys, 2, &idx, "a tenant");
		if (err)
			return err;
		if (!c->cfg->tenants[idx].name[0])
			return cfg_err(c, t, "a tenant needs a 'name'");
		for (unsigned int j = 0; j < idx; j++)
			if (!strcmp(c->cfg->tenants[j].name, c->cfg->tenants[idx].name))
				return cfg_err(c, t, "tenant '%s' is defined twice",
					       c->cfg->tenants[idx].name);
		c->cfg->n_tenants++;
	}
	return 0;
}

void rp_config_defaults(struct rp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->malformed_verdict = RP_V_DROP;
}

void rp_config_free(struct rp_config *cfg)
{
	free(cfg->upstream_macs);
	free(cfg->local);
	free(cfg->tenants);
	free(cfg->services);
	memset(cfg, 0, sizeof(*cfg));
}

int rp_config_parse(const char *name, const unsigned char *buf, size_t len, struct rp_config *out,
		    char *err, size_t errlen)
{
	static const struct rp_key keys[] = {
		{ "malformed", key_malformed },
		{ "upstream_macs", key_upstream_macs },
		{ "internal", key_internal },
		{ "tenants", key_tenants },
	};
	struct rp_config cfg;
	struct rp_cfg_ctx c = { .name = name, .cfg = &cfg, .err = err, .errlen = errlen };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int ret;

	rp_config_defaults(&cfg);
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%zu:%zu: %s%s%s", name, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1,
			 parser.problem ? parser.problem : "invalid YAML",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return -EINVAL;
	}
	c.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	/* An empty file is the built-in defaults. */
	ret = root ? walk_map(&c, root, keys, sizeof(keys) / sizeof(keys[0]), NULL,
			      "the top level") :
		     0;
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
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
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, n;
	FILE *f = fopen(path, "rb");
	int ret;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return ret;
	}
	do {
		if (len == cap) {
			unsigned char *p = realloc(buf, cap ? 2 * cap : 4096);

			if (!p) {
				free(buf);
				fclose(f);
				snprintf(err, errlen, "%s: out of memory", path);
				return -ENOMEM;
			}
			buf = p;
			cap = cap ? 2 * cap : 4096;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	ret = rp_config_parse(path, buf, len, cfg, err, errlen);
	free(buf);
	return ret;
}
