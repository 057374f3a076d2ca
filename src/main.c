// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rempart: one binary, one subcommand per job. Exit codes: 0 success, 1 runtime failure,
 * 2 usage or configuration error. Errors become exit codes here and nowhere else.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"

static const struct rp_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} rp_cmds[] = {
	{ "run", rp_cmd_run, "protect interfaces: attach the filter and run the control loop" },
	{ "stop", rp_cmd_stop, "detach the filter and remove its pins" },
	{ "stats", rp_cmd_stats, "print the running filter's counters" },
	{ "replay", rp_cmd_replay, "replay a capture through the data plane, offline" },
	{ "check", rp_cmd_check, "validate a configuration file" },
	{ "gen", rp_cmd_gen, "generate a labelled scenario capture (tests, demos, benches)" },
	{ "bench", rp_cmd_bench, "measure the data plane against the parse-and-drop floor" },
	{ "reasons", rp_cmd_reasons, "list every reason code with its meaning" },
	{ "geo", rp_cmd_geo, "country datasets and regions: lookup, info, build, diff" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: rempart [-v] COMMAND [ARGS]\n\n"
		   "rempart filters volumetric attacks and watches for ransomware.\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(rp_cmds) / sizeof(rp_cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", rp_cmds[i].name, rp_cmds[i].summary);
	fprintf(f, "\n'rempart COMMAND --help' describes one command.\n"
		   "Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.\n");
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			rp_log_threshold = RP_LOG_DEBUG;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			rp_err("unknown option '%s'", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t c = 0; c < sizeof(rp_cmds) / sizeof(rp_cmds[0]); c++)
		if (!strcmp(argv[i], rp_cmds[c].name))
			return rp_cmds[c].fn(argc - i, argv + i);
	rp_err("unknown command '%s'", argv[i]);
	usage(stderr);
	return 2;
}
