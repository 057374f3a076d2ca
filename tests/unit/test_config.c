// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The configuration parser: what it accepts, and that every error names file:line:col. */
#include "check.h"
#include "config.h"
#include "rempart/abi.h"

static int parse(const char *yaml, struct rp_config *cfg, char *err, size_t len)
{
	rp_config_defaults(cfg);
	return rp_config_parse("t.yaml", (const unsigned char *)yaml, strlen(yaml), cfg, err, len);
}

static void test_valid(void)
{
	struct rp_config c;
	char err[512] = "";
	const char *y = "malformed: pass\n"
			"upstream_macs: [\"02:00:00:00:00:01\", 02:00:00:00:00:0a]\n"
			"internal:\n  networks: [10.0.0.0/8, \"fd00::/8\"]\n"
			"tenants:\n"
			"  - name: aphp\n"
			"    services:\n"
			"      - { name: portal, addresses: [192.0.2.10, \"2001:db8:10::10\"] }\n"
			"      - { name: vpn, addresses: [192.0.2.50/32] }\n";

	if (!CHECK(parse(y, &c, err, sizeof(err)) == 0, "valid config refused: %s", err))
		return;
	CHECK_EQ(c.malformed_verdict, RP_V_PASS);
	CHECK_EQ(c.n_upstream_macs, 2);
	CHECK_EQ(c.upstream_macs[1][5], 0x0a);
	CHECK_EQ(c.n_internal, 2);
	CHECK_EQ(c.n_local, 5);
	CHECK_EQ(c.local[1].family, 6);
	CHECK_EQ(c.local[1].len, 8);
	CHECK_EQ(c.local[3].len, 128);
	CHECK_EQ(c.n_tenants, 1);
	CHECK_EQ(c.n_services, 2);
	CHECK_STR(c.services[1].name, "vpn");
	rp_config_free(&c);
}

static void test_empty_is_defaults(void)
{
	struct rp_config c;
	char err[256];

	CHECK_EQ(parse("", &c, err, sizeof(err)), 0);
	CHECK_EQ(c.malformed_verdict, RP_V_DROP);
	CHECK_EQ(c.n_local, 0);
	rp_config_free(&c);
}

struct bad {
	const char *yaml;
	const char *where; /* "t.yaml:LINE:COL: " prefix */
	const char *says; /* a substring of the message */
};

/* Each case is refused, and its message starts with where and says what. */
static void expect_errors(const struct bad *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct rp_config c;
		char err[512] = "";
		int rc = parse(cases[i].yaml, &c, err, sizeof(err));

		CHECK(rc == -22, "case %zu accepted: %s", i, cases[i].yaml);
		CHECK(!strncmp(err, cases[i].where, strlen(cases[i].where)),
		      "case %zu: '%s' does not start with '%s'", i, err, cases[i].where);
		CHECK(strstr(err, cases[i].says), "case %zu: '%s' does not say '%s'", i, err,
		      cases[i].says);
		rp_config_free(&c);
	}
}

static void test_errors_name_line_and_column(void)
{
	static const struct bad cases[] = {
		{ "malformed: maybe\n", "t.yaml:1:12: ", "neither 'pass' nor 'drop'" },
		{ "internal:\n  networks: [10.0.0.1/8]\n", "t.yaml:2:14: ", "zero host bits" },
		{ "internal:\n  networks: [10.0.0.0/33]\n", "t.yaml:2:14: ", "10.0.0.0/33" },
		{ "tenant: []\n", "t.yaml:1:1: ", "unknown key 'tenant'" },
		{ "upstream_macs: [02:00:00:00:00]\n", "t.yaml:1:17: ", "not a MAC address" },
		{ "malformed: drop\nmalformed: pass\n", "t.yaml:2:1: ", "given twice" },
		{ "tenants:\n  - name: a\n    services:\n      - addresses: [192.0.2.1]\n",
		  "t.yaml:4:9: ", "needs a 'name'" },
		{ "tenants: {name: a}\n", "t.yaml:1:10: ", "expected a list of tenants" },
		{ "tenants:\n  - name: a\n  - name: a\n", "t.yaml:3:5: ", "defined twice" },
		{ "internal: [1\n", "t.yaml:", "" },
		{ "- a\n- b\n", "t.yaml:1:1: ", "expected the top level" },
		{ "tenants:\n  - name: \"a b\"\n", "t.yaml:2:11: ", "use letters" },
	};

	expect_errors(cases, sizeof(cases) / sizeof(cases[0]));
}

/* A rejected file leaves the configuration in force untouched. */
static void test_error_keeps_previous(void)
{
	struct rp_config c;
	char err[256];

	CHECK_EQ(parse("malformed: pass\n", &c, err, sizeof(err)), 0);
	CHECK(rp_config_parse("t.yaml", (const unsigned char *)"malformed: x\n", 13, &c, err,
			      sizeof(err)) != 0,
	      "bad value accepted");
	CHECK_EQ(c.malformed_verdict, RP_V_PASS);
	rp_config_free(&c);
}

static void test_missing_file(void)
{
	struct rp_config c;
	char err[256];

	rp_config_defaults(&c);
	CHECK(rp_config_load("/nonexistent/rempart.yaml", &c, err, sizeof(err)) < 0, "loaded");
	CHECK(strstr(err, "/nonexistent/rempart.yaml: cannot open") == err, "%s", err);
}

/* Inheritance: built-in defaults, then "defaults", then the tenant, then the service; allow
 * lists add up (top level + tenant + service); the order of keys in the file does not matter. */
static void test_inheritance(void)
{
	struct rp_config c;
	char err[512] = "";
	const char *y = "tenants:\n"
			"  - name: a\n"
			"    services:\n"
			"      - { name: s1, addresses: [192.0.2.1], allow: [203.0.113.0/24],\n"
			"          source_limit: { pps: 7 } }\n"
			"      - { name: s2, addresses: [192.0.2.2], class: best-effort,\n"
			"          uses_source_ports: [udp/53] }\n"
			"    class: critical\n"
			"    allow: [198.51.100.0/24]\n"
			"    uses_source_ports: [udp/123]\n"
			"  - name: b\n"
			"    services:\n"
			"      - { name: s1, addresses: [\"2001:db8::/48\"], ports: [udp/500-510, icmpv6] }\n"
			"allow: [192.0.2.200]\n"
			"defaults: { level_floor: 1, heavy_hitter_share: 2.5%, fragments: true }\n";

	if (!CHECK(parse(y, &c, err, sizeof(err)) == 0, "refused: %s", err))
		return;
	CHECK_EQ(c.n_services, 3);
	/* s1: tenant class, defaults' floor and share, its own pps, the built-in burst. */
	CHECK_EQ(c.services[0].set.class, RP_CLASS_CRITICAL);
	CHECK_EQ(c.services[0].set.level_floor, 1);
	CHECK_EQ(c.services[0].set.heavy_hitter_permille, 25);
	CHECK(c.services[0].set.fragments, "fragments not inherited from defaults");
	CHECK_EQ(c.services[0].set.source_limit.pps, 7);
	CHECK_EQ(c.services[0].set.source_limit.burst, 2000);
	CHECK_EQ(c.services[0].set.n_uses_source_ports, 1);
	CHECK_EQ(c.services[0].set.uses_source_ports[0].lo, 123);
	CHECK_EQ(c.services[0].n_allow, 3); /* top + tenant + service */
	CHECK_EQ(c.services[0].allow[0].len, 32);
	CHECK_EQ(c.services[0].allow[2].addr[0], 203);
	/* s2 overrides class and the source ports; its allow list is the top's and tenant's. */
	CHECK_EQ(c.services[1].set.class, RP_CLASS_BEST_EFFORT);
	CHECK_EQ(c.services[1].set.uses_source_ports[0].lo, 53);
	CHECK_EQ(c.services[1].n_allow, 2);
	/* b/s1: nothing from tenant a; built-in class; ports parsed. */
	CHECK_EQ(c.services[2].tenant, 1);
	CHECK_EQ(c.services[2].set.class, RP_CLASS_NORMAL);
	CHECK_EQ(c.services[2].set.source_limit.pps, 1000);
	CHECK_EQ(c.services[2].set.allow_ceiling.pps, 100000);
	CHECK_EQ(c.services[2].n_allow, 1);
	CHECK_EQ(c.services[2].n_ports, 2);
	CHECK_EQ(c.services[2].ports[0].lo, 500);
	CHECK_EQ(c.services[2].ports[0].hi, 510);
	CHECK_EQ(c.services[2].ports[1].proto, 58);
	/* Service addresses are local space too, after the internal networks. */
	CHECK_EQ(c.n_local, 3);
	rp_config_free(&c);
}

static void test_top_level_keys(void)
{
	struct rp_config c;
	char err[512] = "";
	const char *y = "mode: monitor\n"
			"interfaces: [eth0, rp-p]\n"
			"bogons: [10.0.0.0/8]\n"
			"reflection_ports: [53, 123]\n"
			"deny: [81.0.0.0/16, 82.1.2.3]\n"
			"source_prefix: { ipv4: 24, ipv6: 56 }\n"
			"known_clients: { ttl: 2d, learn: no }\n"
			"level_lease: 1500ms\n"
			"internal: { networks: [10.0.0.0/8] }\n";

	if (!CHECK(parse(y, &c, err, sizeof(err)) == 0, "refused: %s", err))
		return;
	CHECK_EQ(c.mode, RP_MODE_MONITOR);
	CHECK_EQ(c.n_interfaces, 2);
	CHECK_STR(c.interfaces[1], "rp-p");
	CHECK_EQ(c.n_bogons, 1);
	CHECK_EQ(c.n_reflection_ports, 2);
	CHECK_EQ(c.reflection_ports[1], 123);
	CHECK_EQ(c.n_deny, 2);
	CHECK_EQ(c.deny[0].len, 16);
	CHECK_EQ(c.source_v4, 24);
	CHECK_EQ(c.source_v6, 56);
	CHECK_EQ(c.known_ttl_ns, 2 * 86400 * 1000000000ull);
	CHECK(!c.known_learn, "learn: no ignored");
	CHECK_EQ(c.level_lease_ns, 1500000000ull);
	CHECK_EQ(c.n_internal, 1);
	rp_config_free(&c);
}

static void test_builtin_defaults(void)
{
	struct rp_config c;
	struct rp_prefix p;
	bool doc = false;
	char err[256];

	CHECK_EQ(parse("", &c, err, sizeof(err)), 0);
	CHECK_EQ(c.mode, RP_MODE_INLINE);
	CHECK(c.n_bogons >= 20, "%u built-in bogons", c.n_bogons);
	rp_prefix_parse("192.0.2.0/24", &p);
	for (unsigned int i = 0; i < c.n_bogons; i++)
		doc |= !memcmp(&c.bogons[i], &p, sizeof(p));
	CHECK(doc, "documentation space is not a built-in bogon");
	CHECK_EQ(c.n_reflection_ports, 16);
	CHECK_EQ(c.source_v4, 32);
	CHECK_EQ(c.source_v6, 64);
	CHECK(c.known_learn, "learning off by default");
	CHECK_EQ(c.level_lease_ns, 5000000000ull);
	rp_config_free(&c);
}

static void test_scalars(void)
{
	struct rp_portspec ps;
	uint64_t ns;

	CHECK_EQ(rp_portspec_parse("tcp/443", &ps), 0);
	CHECK(ps.proto == 6 && ps.lo == 443 && ps.hi == 443, "tcp/443");
	CHECK_EQ(rp_portspec_parse("udp", &ps), 0);
	CHECK(ps.proto == 17 && ps.lo == 0 && ps.hi == 65535, "udp");
	CHECK_EQ(rp_portspec_parse("tcp/any", &ps), 0);
	CHECK_EQ(ps.hi, 65535);
	CHECK_EQ(rp_portspec_parse("icmp", &ps), 0);
	CHECK_EQ(ps.proto, 1);
	CHECK_EQ(rp_portspec_parse("icmpv6", &ps), 0);
	CHECK_EQ(ps.proto, 58);
	CHECK_EQ(rp_portspec_parse("udp/510-500", &ps), -22);
	CHECK_EQ(rp_portspec_parse("udp/65536", &ps), -22);
	CHECK_EQ(rp_portspec_parse("icmp/8", &ps), -22);
	CHECK_EQ(rp_portspec_parse("sctp/1", &ps), -22);
	CHECK_EQ(rp_portspec_parse("tcp/", &ps), -22);
	CHECK_EQ(rp_portspec_parse("tcpx", &ps), -22);
	CHECK_EQ(rp_duration_parse("500ms", &ns), 0);
	CHECK_EQ(ns, 500000000ull);
	CHECK_EQ(rp_duration_parse("90m", &ns), 0);
	CHECK_EQ(ns, 5400000000000ull);
	CHECK_EQ(rp_duration_parse("30", &ns), 0);
	CHECK_EQ(ns, 30000000000ull);
	CHECK_EQ(rp_duration_parse("3w", &ns), -22);
	CHECK_EQ(rp_duration_parse("-1s", &ns), -22);
	CHECK_EQ(rp_duration_parse("99999999999999999999d", &ns), -22);
}

static void test_new_key_errors(void)
{
	static const struct bad cases[] = {
		{ "mode: bridge\n", "t.yaml:1:7: ", "neither 'inline' nor 'monitor'" },
		{ "interfaces: [averyveryverylongname]\n", "t.yaml:1:14: ", "not an interface name" },
		{ "reflection_ports: [53, 0]\n", "t.yaml:1:24: ", "a port" },
		{ "deny: [300.1.1.1]\n", "t.yaml:1:8: ", "'300.1.1.1'" },
		{ "source_prefix: { ipv4: 33 }\n", "t.yaml:1:24: ", "from 8 to 32" },
		{ "known_clients: { ttl: 3 weeks }\n", "t.yaml:1:23: ", "not a duration" },
		{ "known_clients: { learn: maybe }\n", "t.yaml:1:25: ", "neither true nor false" },
		{ "level_lease: 10ms\n", "t.yaml:1:14: ", "out of range" },
		{ "defaults: { class: vip }\n", "t.yaml:1:20: ", "critical, normal or best-effort" },
		{ "defaults: { level_floor: 5 }\n", "t.yaml:1:26: ", "a level" },
		{ "defaults: { heavy_hitter_share: 10 }\n", "t.yaml:1:33: ", "expected 0%" },
		{ "defaults: { source_limit: { rate: 1 } }\n", "t.yaml:1:29: ", "unknown key 'rate'" },
		{ "defaults: { name: x }\n", "t.yaml:1:13: ", "unknown key 'name' in defaults" },
		{ "tenants:\n  - name: a\n    services:\n      - { name: s, addresses: [192.0.2.1],\n"
		  "          ports: [tcp/80, tcp/http] }\n",
		  "t.yaml:5:27: ", "'tcp/http' is not a protocol and ports" },
		{ "tenants:\n  - name: a\n    services:\n      - { name: s }\n", "t.yaml:4:9: ",
		  "needs 'addresses'" },
		{ "tenants:\n  - name: a\n    services:\n      - { name: s, addresses: [192.0.2.1] }\n"
		  "      - { name: s, addresses: [192.0.2.2] }\n",
		  "t.yaml:5:9: ", "defined twice in tenant 'a'" },
		{ "tenants:\n  - name: a\n    services:\n      - { name: s, addresses: [192.0.2.1],\n"
		  "          uses_source_ports: [icmp] }\n",
		  "t.yaml:5:31: ", "takes udp/..." },
		{ "defaults: { uses_source_ports: [udp/53, tcp/53] }\n", "t.yaml:1:41: ",
		  "takes udp/..." },
		{ "tenants:\n  - name: a\n    fragments: 1\n", "t.yaml:3:16: ", "neither true nor false" },
	};

	expect_errors(cases, sizeof(cases) / sizeof(cases[0]));
}

/* geo: and fence: (docs/config.md, docs/geo.md): fences inherit like settings (the allow list
 * replaced as a whole, unknown on its own), resolve to country sets after the whole file,
 * so a fence may name a region defined further down. */
static void test_geo_and_fence(void)
{
	struct rp_config c;
	char err[512] = "";
	const char *y = "defaults:\n"
			"  fence: { allow: [europe_plus] }\n"
			"geo:\n"
			"  dataset: /srv/geo/GeoLite2-Country.mmdb\n"
			"  regions:\n"
			"    europe_plus: [europe, MA, TN, DZ]\n"
			"tenants:\n"
			"  - name: aphp\n"
			"    fence: { unknown: allow }\n"
			"    services:\n"
			"      - { name: portal, addresses: [192.0.2.10] }\n"
			"      - name: vpn\n"
			"        addresses: [192.0.2.50]\n"
			"        fence: { allow: [FR, schengen], unknown: deny }\n"
			"  - name: lab\n"
			"    services:\n"
			"      - { name: web, addresses: [192.0.2.128/26], fence: { allow: [US, unknown] } }\n"
			"      - { name: open, addresses: [192.0.2.192/26] }\n";
	const struct rp_fence_cfg *f;

	if (!CHECK(parse(y, &c, err, sizeof(err)) == 0, "refused: %s", err))
		return;
	CHECK_STR(c.geo.dataset, "/srv/geo/GeoLite2-Country.mmdb");
	CHECK_EQ(c.geo.regions.n, 1);
	/* portal: the defaults' allow list, the tenant's unknown: allow. */
	f = &c.services[0].set.fence;
	CHECK(f->configured, "portal fenced");
	CHECK_EQ(f->unknown, RP_FENCE_UNKNOWN_ALLOW);
	CHECK_EQ(f->n_allow, 1);
	CHECK_STR(f->allow[0].name, "europe_plus");
	CHECK(rp_geo_set_has(f->set, RP_GEO_CODE('M', 'A')) && rp_geo_set_has(f->set, RP_GEO_CODE('G', 'B')),
	      "portal allows europe_plus");
	CHECK(rp_geo_set_has(f->set, RP_GEO_NONE) && rp_geo_set_has(f->set, RP_GEO_CODE('Z', 'Z')),
	      "portal allows unknown");
	CHECK(!rp_geo_set_has(f->set, RP_GEO_CODE('U', 'S')), "portal refuses US");
	/* vpn: its own list, unknown denied. */
	f = &c.services[1].set.fence;
	CHECK_EQ(f->n_allow, 2);
	CHECK(rp_geo_set_has(f->set, RP_GEO_CODE('C', 'H')) && !rp_geo_set_has(f->set, RP_GEO_CODE('G', 'B')),
	      "vpn: schengen");
	CHECK(!rp_geo_set_has(f->set, RP_GEO_NONE), "vpn denies unknown");
	/* web: listing unknown allows it. */
	f = &c.services[2].set.fence;
	CHECK_EQ(f->unknown, RP_FENCE_UNKNOWN_ALLOW);
	CHECK(rp_geo_set_has(f->set, RP_GEO_NONE) && rp_geo_set_has(f->set, RP_GEO_CODE('U', 'S')),
	      "web");
	/* open: the defaults' fence, unknown denied by default. */
	f = &c.services[3].set.fence;
	CHECK(f->configured, "open inherits the defaults' fence");
	CHECK(!rp_geo_set_has(f->set, RP_GEO_NONE), "unknown: deny by default");
	rp_config_free(&c);

	/* No fence anywhere: none configured. */
	CHECK_EQ(parse("tenants:\n  - name: t\n    services:\n      - { name: s, addresses: [192.0.2.1] }\n",
		       &c, err, sizeof(err)), 0);
	CHECK(!c.services[0].set.fence.configured, "no fence");
	CHECK(!c.geo.dataset, "builtin dataset");
	rp_config_free(&c);

	{
		static const struct bad cases[] = {
			{ "defaults:\n  fence: { allow: [FR, atlantis] }\ntenants:\n  - name: t\n    services:\n      - { name: s, addresses: [192.0.2.1] }\n",
			  "t.yaml:2:24: ", "unknown region 'atlantis'" },
			{ "tenants:\n  - name: t\n    services:\n      - name: s\n        addresses: [192.0.2.1]\n        fence: { allow: [unknown], unknown: deny }\n",
			  "t.yaml:6:26: ", "lists 'unknown' but says unknown: deny" },
			{ "defaults:\n  fence: { unknown: maybe }\n", "t.yaml:2:21: ", "neither 'allow' nor 'deny'" },
			{ "defaults:\n  fence: { regions: [eu] }\n", "t.yaml:2:12: ", "unknown key 'regions'" },
			{ "defaults:\n  fence: { allow: FR }\n", "t.yaml:2:19: ", "expected a list" },
		};

		expect_errors(cases, sizeof(cases) / sizeof(cases[0]));
	}
}

/* ---- one document, every fence ---- */

/* A second YAML document ("---") is not silently ignored: its keys would do nothing. */
static void test_second_document_refused(void)
{
	static const char y[] = "malformed: pass\n---\ndeny: [203.0.113.66]\n";
	struct rp_config c;
	char err[512] = "";
	int rc = parse(y, &c, err, sizeof(err));

	CHECK(rc != 0, "a second document was ignored: %u deny entries loaded", c.n_deny);
	rp_config_free(&c);
}

/* An unknown region in a fence fails the load (config.md: "an unknown region fails the
 * load like any other error"), also where no service inherits that fence. */
static void test_unknown_region_in_unused_fence(void)
{
	static const struct bad cases[] = {
		{ "defaults: { fence: { allow: [europ] } }\n", "t.yaml:1:30: ",
		  "unknown region 'europ'" },
		{ "tenants:\n  - name: a\n    fence: { allow: [europ] }\n    services:\n"
		  "      - { name: s, addresses: [192.0.2.1], fence: { allow: [FR] } }\n",
		  "t.yaml:3:22: ", "unknown region 'europ'" },
	};

	expect_errors(cases, sizeof(cases) / sizeof(cases[0]));
}

/* One document per file: past the first only the end of the stream ("...", comments) may
 * follow; a second document, even an empty one, is refused at its start. */
static void test_one_document(void)
{
	static const char *const ok[] = {
		"malformed: pass\n...\n",
		"malformed: pass\n...\n# the end\n",
		"---\nmalformed: pass\n",
		"%YAML 1.1\n---\nmalformed: pass\n",
	};
	static const struct bad cases[] = {
		{ "malformed: pass\n---\ndeny: [203.0.113.66]\n", "t.yaml:2:1: ",
		  "only one document is allowed" },
		{ "malformed: pass\n...\n---\nbogons: []\n", "t.yaml:3:1: ",
		  "only one document is allowed" },
		{ "---\nmalformed: pass\n---\n", "t.yaml:3:1: ", "only one document is allowed" },
		{ "malformed: pass\n---\n[\n", "t.yaml:4:1: ", "did not find expected node" },
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct rp_config c;
		char err[512] = "";

		CHECK(parse(ok[i], &c, err, sizeof(err)) == 0, "case %zu refused: %s", i, err);
		CHECK_EQ(c.malformed_verdict, RP_V_PASS);
		rp_config_free(&c);
	}
	expect_errors(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Every fence is resolved, not only those services end up with: the defaults' and each
 * tenant's, even with no service at all, each error at its own place. */
static void test_every_fence_resolved(void)
{
	static const struct bad cases[] = {
		{ "tenants:\n  - name: a\n    fence: { allow: [FR, atlantis] }\n", "t.yaml:3:26: ",
		  "unknown region 'atlantis'" },
		{ "defaults: { fence: { allow: [uk] } }\ntenants:\n  - name: a\n"
		  "    fence: { allow: [FR] }\n",
		  "t.yaml:1:30: ", "unknown region 'uk'" },
		{ "defaults: { fence: { allow: [unknown], unknown: deny } }\n", "t.yaml:1:30: ",
		  "fence of defaults lists 'unknown' but says unknown: deny" },
		{ "tenants:\n  - name: a\n    fence: { allow: [eu, UK] }\n", "t.yaml:3:26: ",
		  "not an ISO 3166-1 country code" },
	};
	struct rp_config c;
	char err[512] = "";

	expect_errors(cases, sizeof(cases) / sizeof(cases[0]));
	/* A region defined after the fences that name it is fine everywhere. */
	CHECK(parse("defaults: { fence: { allow: [near] } }\n"
		    "tenants:\n  - name: a\n    fence: { allow: [near, US] }\n"
		    "geo: { regions: { near: [FR, BE] } }\n",
		    &c, err, sizeof(err)) == 0,
	      "refused: %s", err);
	rp_config_free(&c);
}

/* Numbers are decimal, with nothing strtod or strtol would also take: a share is digits, an
 * optional fraction, then '%'; a prefix length is digits only. */
static void test_strict_numbers(void)
{
	static const struct {
		const char *share;
		unsigned int permille;
	} shares[] = { { "0%", 0 }, { "0.1%", 1 }, { "2.5%", 25 }, { "100%", 1000 },
		       { "100.0%", 1000 }, { "07%", 70 } };
	static const struct bad cases[] = {
		{ "defaults: { heavy_hitter_share: 1e1% }\n", "t.yaml:1:33: ", "not a share" },
		{ "defaults: { heavy_hitter_share: 0x10% }\n", "t.yaml:1:33: ", "not a share" },
		{ "defaults: { heavy_hitter_share: 10.% }\n", "t.yaml:1:33: ", "not a share" },
		{ "defaults: { heavy_hitter_share: 1.5e-1% }\n", "t.yaml:1:33: ", "not a share" },
		{ "defaults: { heavy_hitter_share: \"+5%\" }\n", "t.yaml:1:33: ", "not a share" },
		{ "defaults: { heavy_hitter_share: \"5 %\" }\n", "t.yaml:1:33: ", "not a share" },
		{ "defaults: { heavy_hitter_share: 1.2.3% }\n", "t.yaml:1:33: ", "not a share" },
		{ "deny: [\"10.0.0.0/+8\"]\n", "t.yaml:1:8: ", "'10.0.0.0/+8'" },
		{ "internal:\n  networks: [\"10.0.0.0/ 8\"]\n", "t.yaml:2:14: ", "'10.0.0.0/ 8'" },
		{ "allow: [\"::/-0\"]\n", "t.yaml:1:9: ", "'::/-0'" },
	};
	struct rp_prefix p;

	for (size_t i = 0; i < sizeof(shares) / sizeof(shares[0]); i++) {
		struct rp_config c;
		char y[128], err[512] = "";

		snprintf(y, sizeof(y),
			 "tenants:\n  - name: a\n    services:\n"
			 "      - { name: s, addresses: [192.0.2.1], heavy_hitter_share: %s }\n",
			 shares[i].share);
		if (CHECK(parse(y, &c, err, sizeof(err)) == 0, "'%s' refused: %s", shares[i].share,
			  err))
			CHECK_EQ(c.services[0].set.heavy_hitter_permille, shares[i].permille);
		rp_config_free(&c);
	}
	expect_errors(cases, sizeof(cases) / sizeof(cases[0]));
	CHECK_EQ(rp_prefix_parse("10.0.0.0/8", &p), 0);
	CHECK_EQ(p.len, 8);
	CHECK_EQ(rp_prefix_parse("::/0", &p), 0);
	CHECK_EQ(p.len, 0);
	CHECK_EQ(rp_prefix_parse("2001:db8::/032", &p), 0);
	CHECK_EQ(p.len, 32);
	CHECK_EQ(rp_prefix_parse("10.0.0.0/+8", &p), -22);
	CHECK_EQ(rp_prefix_parse("10.0.0.0/ 8", &p), -22);
	CHECK_EQ(rp_prefix_parse("10.0.0.0/8 ", &p), -22);
	CHECK_EQ(rp_prefix_parse("0.0.0.0/-0", &p), -22);
	CHECK_EQ(rp_prefix_parse("10.0.0.0/0x8", &p), -22);
	CHECK_EQ(rp_prefix_parse("10.0.0.0/", &p), -22);
	CHECK_EQ(rp_prefix_parse("10.0.0.0/99999999999999999999", &p), -22);
}

/* An interface listed twice is refused at the second mention. */
static void test_duplicate_interface(void)
{
	static const struct bad cases[] = {
		{ "interfaces: [eth0, eth1, eth0]\n", "t.yaml:1:26: ",
		  "interface 'eth0' is listed twice" },
		{ "interfaces:\n  - rp-a\n  - \"rp-a\"\n", "t.yaml:3:5: ", "listed twice" },
	};

	expect_errors(cases, sizeof(cases) / sizeof(cases[0]));
}

/* 17 distinct IPv6 deny lengths: the data plane probes 16; refused at the 17th. */
static void test_deny_ipv6_lengths(void)
{
	char yaml[2048], err[512];
	struct rp_config cfg;
	size_t len = 0;

	len += snprintf(yaml + len, sizeof(yaml) - len, "deny:\n");
	for (int l = 32; l < 32 + 17; l++)
		len += snprintf(yaml + len, sizeof(yaml) - len, "  - \"2001:db8::/%d\"\n", l);
	rp_config_defaults(&cfg);
	CHECK(rp_config_parse("d.yaml", (const unsigned char *)yaml, len, &cfg, err, sizeof(err)) != 0,
	      "17 IPv6 deny lengths accepted");
	CHECK(strstr(err, "d.yaml:18:5:") && strstr(err, "17th distinct IPv6 prefix length"),
	      "error: %s", err);
	rp_config_free(&cfg);
	rp_config_defaults(&cfg);
	CHECK(rp_config_parse("d.yaml", (const unsigned char *)yaml,
			      len - strlen("  - \"2001:db8::/48\"\n"), &cfg, err, sizeof(err)) == 0,
	      "16 lengths refused: %s", err);
	rp_config_free(&cfg);
}

RP_TESTS(RP_T(test_valid), RP_T(test_empty_is_defaults), RP_T(test_errors_name_line_and_column),
	 RP_T(test_error_keeps_previous), RP_T(test_missing_file), RP_T(test_inheritance),
	 RP_T(test_top_level_keys), RP_T(test_builtin_defaults), RP_T(test_scalars),
	 RP_T(test_new_key_errors), RP_T(test_geo_and_fence),
	 RP_T(test_second_document_refused),
	 RP_T(test_unknown_region_in_unused_fence), RP_T(test_one_document),
	 RP_T(test_every_fence_resolved), RP_T(test_strict_numbers),
	 RP_T(test_duplicate_interface), RP_T(test_deny_ipv6_lengths))
