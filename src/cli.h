/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Subcommand entry points. Each takes argv with argv[0] the command name and returns the
 * process exit code: 0 success, 1 runtime failure, 2 usage or configuration error.
 */
#ifndef RP_CLI_H
#define RP_CLI_H

enum { RP_EXIT_OK = 0, RP_EXIT_FAIL = 1, RP_EXIT_USAGE = 2 };

int rp_cmd_replay(int argc, char **argv); /* replay_cli.c */
int rp_cmd_check(int argc, char **argv); /* config_cli.c */
int rp_cmd_gen(int argc, char **argv); /* gen.c */
int rp_cmd_bench(int argc, char **argv); /* bench.c */
int rp_cmd_reasons(int argc, char **argv); /* reasons.c */
int rp_cmd_run(int argc, char **argv); /* run.c */
int rp_cmd_stop(int argc, char **argv); /* run.c */
int rp_cmd_stats(int argc, char **argv); /* run.c */
int rp_cmd_geo(int argc, char **argv); /* geo_cli.c */

#endif
