// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "replay.h"
#include "report.h"

static void replay_usage(FILE *f)
{
	fprintf(f,
		"usage: rempart replay CAPTURE [-c CONFIG] [--json] [--verdicts FILE]\n"
		"                      [--write-passed FILE] [--write-dropped FILE]\n\n"
		"Replay a pcap or pcapng capture (Ethernet, Linux cooked v1/v2, raw IP) through the\n"
		"real data plane, offline, with the capture's timestamps as the clock. Prints what\n"
		"rempart would have done with each frame: a summary, or JSON with --json.\n\n"
		"  -c, --config FILE      policy to replay with (default: built-in defaults)\n"
		"      --json             print the summary as JSON, with per-tick rates\n"
		"      --verdicts FILE    CSV, one row per frame (numbered from 1, as tcpdump does):\n"
		"                         frame,verdict,reason,service,level,dir,dir_src,l3,l4,frag,\n"
		"                         vlans,wire_len,cap_len,time,country\n"
		"      --write-passed FILE   the frames that passed, as a pcap\n"
		"      --write-dropped FILE  the frames that were dropped, as a pcap\n"
		"      --no-merge-ticks   run every empty 100 ms tick instead of merging idle time\n"
		"      --level SERVICE=LEVEL[@FROM[-TO]]\n"
		"                         hold a service at a level (0-4) as an operator would, from\n"
		"                         FROM to TO seconds after the first frame (default: all\n"
		"                         along); repeatable\n\n"
		"Needs root (BPF_PROG_TEST_RUN). Exit: 0 done, 1 failure or damaged capture (the\n"
		"frames before the damage are still reported), 2 usage or configuration error.\n"
		"'rempart reasons' lists every reason code.\n");
}

/* "portal=4@5-20": the service by name (or tenant/name), a level, seconds. */
static int parse_hold(const char *s, const struct rp_config *cfg, struct rp_level_hold *h)
{
	char name[RP_CFG_MAX_NAME * 2 + 2], *end;
	const char *eq = strchr(s, '='), *slash;
	double from = 0, to = 0;
	size_t n;

	if (!eq || (n = eq - s) == 0 || n >= sizeof(name))
		return -1;
	memcpy(name, s, n);
	name[n] = 0;
	memset(h, 0, sizeof(*h));
	slash = strchr(name, '/');
	for (unsigned int i = 0; i < cfg->n_services && !h->svc; i++) {
		const struct rp_service_cfg *sv = &cfg->services[i];

		if (slash ? (!strncmp(name, cfg->tenants[sv->tenant].name, slash - name) &&
			     !cfg->tenants[sv->tenant].name[slash - name] && !strcmp(slash + 1, sv->name)) :
			    !strcmp(name, sv->name))
			h->svc = i + 1;
	}
	if (!h->svc || eq[1] < '0' || eq[1] > '4')
		return -1;
	h->level = eq[1] - '0';
	end = (char *)eq + 2;
	if (*end == '@') {
		from = strtod(end + 1, &end);
		if (*end == '-')
			to = strtod(end + 1, &end);
		if (from < 0 || to < 0 || (to && to <= from))
			return -1;
	}
	if (*end)
		return -1;
	h->from_ns = (uint64_t)(from * 1e9);
	h->to_ns = (uint64_t)(to * 1e9);
	return 0;
}

int rp_cmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "verdicts", required_argument, NULL, 'V' },
		{ "write-passed", required_argument, NULL, 'P' },
		{ "write-dropped", required_argument, NULL, 'D' },
		{ "no-merge-ticks", no_argument, NULL, 'M' },
		{ "level", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct rp_replay_opts o = {};
	struct rp_replay_result *res;
	struct rp_config cfg;
	const char *config = NULL, *holds[RP_MAX_HOLDS];
	char err[512];
	int json = 0, c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'V':
			o.verdicts = optarg;
			break;
		case 'P':
			o.write_passed = optarg;
			break;
		case 'D':
			o.write_dropped = optarg;
			break;
		case 'M':
			o.no_merge_ticks = true;
			break;
		case 'L':
			if (o.n_holds >= RP_MAX_HOLDS) {
				rp_err("at most %d --level holds", RP_MAX_HOLDS);
				return RP_EXIT_USAGE;
			}
			holds[o.n_holds++] = optarg;
			break;
		case 'h':
			replay_usage(stdout);
			return RP_EXIT_OK;
		default:
			replay_usage(stderr);
			return RP_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		rp_err(optind >= argc ? "replay needs a capture file" : "replay takes one capture file");
		replay_usage(stderr);
		return RP_EXIT_USAGE;
	}
	o.capture = argv[optind];
	rp_config_defaults(&cfg);
	if (config && rp_config_load(config, &cfg, err, sizeof(err))) {
		rp_err("%s", err);
		return RP_EXIT_USAGE;
	}
	o.cfg = &cfg;
	for (unsigned int i = 0; i < o.n_holds; i++) {
		if (parse_hold(holds[i], &cfg, &o.holds[i])) {
			rp_err("--level '%s': expected SERVICE=LEVEL[@FROM[-TO]], a service of the "
			       "configuration, a level 0-4 and seconds", holds[i]);
			rp_config_free(&cfg);
			return RP_EXIT_USAGE;
		}
	}
	res = calloc(1, sizeof(*res));
	if (!res) {
		rp_config_free(&cfg);
		return RP_EXIT_FAIL;
	}
	ret = rp_replay(&o, res);
	if (ret == 0 || ret == -EIO) {
		if (json)
			rp_report_json(stdout, o.capture, res);
		else
			rp_report_text(stdout, o.capture, res);
		if (ret == -EIO)
			rp_err("%s", res->damage);
	}
	rp_replay_result_free(res);
	free(res);
	rp_config_free(&cfg);
	if (ret == -EINVAL || ret == -ENOENT)
		return RP_EXIT_USAGE;
	return ret ? RP_EXIT_FAIL : RP_EXIT_OK;
}
