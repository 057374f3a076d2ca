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

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
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

RP_TESTS(RP_T(test_valid), RP_T(test_empty_is_defaults), RP_T(test_errors_name_line_and_column),
	 RP_T(test_error_keeps_previous), RP_T(test_missing_file))
