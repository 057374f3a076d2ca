// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "config.h"
#include "log.h"

static void check_usage(FILE *f)
{
	fprintf(f, "usage: rempart check -c CONFIG\n\n"
		   "Validate a configuration without touching the system. Errors name the file,\n"
		   "line and column. Exit: 0 valid, 2 invalid. Keys: docs/config.md.\n");
}

int rp_cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = { { "config", required_argument, NULL, 'c' },
						   { "help", no_argument, NULL, 'h' },
						   {} };
	struct rp_config cfg;
	const char *path = NULL;
	char err[512];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		if (c == 'c') {
			path = optarg;
		} else if (c == 'h') {
			check_usage(stdout);
			return RP_EXIT_OK;
		} else {
			check_usage(stderr);
			return RP_EXIT_USAGE;
		}
	}
	if (!path || optind != argc) {
		check_usage(stderr);
		return RP_EXIT_USAGE;
	}
	rp_config_defaults(&cfg);
	if (rp_config_load(path, &cfg, err, sizeof(err))) {
		rp_err("%s", err);
		return RP_EXIT_USAGE;
	}
	printf("%s: valid: %u tenants, %u services, %u local prefixes (%u internal), %u upstream MACs\n",
	       path, cfg.n_tenants, cfg.n_services, cfg.n_local, cfg.n_internal,
	       cfg.n_upstream_macs);
	rp_config_free(&cfg);
	return RP_EXIT_OK;
}
