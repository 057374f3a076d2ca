// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `rempart gen`: the command line of the scenario generator (gen_run.c does the work). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>

#include "cli.h"
#include "gen.h"
#include "log.h"
#include "send.h"

static const char usage[] =
	"usage: rempart gen [options] -o FILE\n"
	"       rempart gen [options] [-o FILE] --send IFACE [--pps N] [--both]\n"
	"Write a labelled capture: legitimate TCP sessions toward 192.0.2.10 and\n"
	"2001:db8:10::10, a spoofed SYN flood and a fragmented UDP reflection attack.\n"
	"The same options give the same bytes.\n"
	"\n"
	"  -o, --output FILE       the capture to write (required without --send)\n"
	"      --labels FILE       CSV \"frame,class\", one row per frame: legit, syn_flood,\n"
	"                          reflection\n"
	"      --scenario NAME     sample (default), legit, synflood, reflect or mixed\n"
	"      --seed N            PRNG seed (default 1)\n"
	"      --format FMT        pcapng (default) or pcap (classic, nanosecond, no direction)\n"
	"      --link LINK         ether (default), sll, sll2 or raw\n"
	"      --no-direction      pcapng without the epb_flags direction of each frame\n"
	"      --vlan ID           an 802.1Q tag on every frame\n"
	"      --qinq OUTER_ID     an 802.1ad outer tag on every frame, over the 802.1Q tag\n"
	"                          of --vlan (default 100)\n"
	"      --snaplen N         store at most N bytes of each frame, keep its length\n"
	"      --duration SEC      length of the capture (default 10)\n"
	"      --start EPOCH_SEC   time of the capture start (default 1774173600,\n"
	"                          2026-03-22T10:00:00Z)\n"
	"      --legit-sessions N  legitimate TCP sessions (default: the scenario's rate\n"
	"                          times the duration)\n"
	"      --syn-pps N         spoofed SYNs per second during the attack\n"
	"      --reflect-pps N     reflected UDP datagrams per second during the attack\n"
	"      --ipv6-share PCT    percent of the legitimate sessions over IPv6\n"
	"      --attack-start SEC  start of the attacks (default 30 % of the duration)\n"
	"      --attack-end SEC    end of the attacks (default 80 % of the duration)\n"
	"      --send IFACE        send the frames out of IFACE (AF_PACKET, needs root or\n"
	"                          CAP_NET_RAW), in capture order, as they are (MACs\n"
	"                          included); only the inbound ones (and those without a\n"
	"                          direction) unless --both. With -o the capture is kept too\n"
	"      --pps N             with --send: at most N frames per second (default: as\n"
	"                          fast as the socket takes them)\n"
	"      --both              with --send: also the frames marked outbound\n"
	"  -h, --help              show this text\n"
	"\n"
	"Scenario defaults, addresses and classes: docs/generator.md\n";

enum {
	OPT_SCENARIO = 256,
	OPT_SEED,
	OPT_LABELS,
	OPT_FORMAT,
	OPT_LINK,
	OPT_NO_DIRECTION,
	OPT_VLAN,
	OPT_QINQ,
	OPT_SNAPLEN,
	OPT_DURATION,
	OPT_START,
	OPT_LEGIT,
	OPT_SYN_PPS,
	OPT_REFLECT_PPS,
	OPT_IPV6_SHARE,
	OPT_ATTACK_START,
	OPT_ATTACK_END,
	OPT_SEND,
	OPT_PPS,
	OPT_BOTH,
};

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ "scenario", required_argument, NULL, OPT_SCENARIO },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "labels", required_argument, NULL, OPT_LABELS },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "link", required_argument, NULL, OPT_LINK },
	{ "no-direction", no_argument, NULL, OPT_NO_DIRECTION },
	{ "vlan", required_argument, NULL, OPT_VLAN },
	{ "qinq", required_argument, NULL, OPT_QINQ },
	{ "snaplen", required_argument, NULL, OPT_SNAPLEN },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "start", required_argument, NULL, OPT_START },
	{ "legit-sessions", required_argument, NULL, OPT_LEGIT },
	{ "syn-pps", required_argument, NULL, OPT_SYN_PPS },
	{ "reflect-pps", required_argument, NULL, OPT_REFLECT_PPS },
	{ "ipv6-share", required_argument, NULL, OPT_IPV6_SHARE },
	{ "attack-start", required_argument, NULL, OPT_ATTACK_START },
	{ "attack-end", required_argument, NULL, OPT_ATTACK_END },
	{ "send", required_argument, NULL, OPT_SEND },
	{ "pps", required_argument, NULL, OPT_PPS },
	{ "both", no_argument, NULL, OPT_BOTH },
	{ 0 },
};

/* A decimal integer, nothing else; 0 or -EINVAL. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || *end || *out > max)
		return -EINVAL;
	return 0;
}

/* Seconds with up to 9 decimals ("2", "2.5", "0.001") into ns; 0 or -EINVAL. */
static int parse_sec(const char *s, uint64_t *ns)
{
	uint64_t whole = 0, frac = 0, scale = 100000000;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (whole > (UINT64_MAX / RP_GEN_SEC - 9) / 10)
			return -EINVAL;
		whole = whole * 10 + (*s - '0');
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10) {
			if (!scale)
				return -EINVAL;
			frac += (*s - '0') * scale;
		}
	}
	if (*s)
		return -EINVAL;
	*ns = whole * RP_GEN_SEC + frac;
	return 0;
}

static int pick(const char *s, const char *const *names, int *out)
{
	for (int i = 0; names[i]; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Parse argv into o (unset scenario settings stay RP_GEN_UNSET). 0 or RP_EXIT_USAGE. */
static int parse(int argc, char **argv, struct rp_gen_opts *o, struct rp_send_opts *so,
		 bool *help)
{
	static const char *const formats[] = { "pcapng", "pcap", NULL };
	static const char *const links[] = { "ether", "sll", "sll2", "raw", NULL };
	const char *name = NULL;
	uint64_t v = 0;
	int c, i = 0;

	optind = 0; /* glibc: a full reset, whatever parsed argv before */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		const char *a = optarg;
		int err = 0;

		switch (c) {
		case 'o':
			o->out_path = a;
			break;
		case 'h':
			*help = true;
			return 0;
		case OPT_SCENARIO:
			o->scenario = a;
			break;
		case OPT_SEED:
			err = parse_u64(a, UINT64_MAX, &o->seed);
			break;
		case OPT_LABELS:
			o->labels_path = a;
			break;
		case OPT_FORMAT:
			err = pick(a, formats, &i);
			o->format = i;
			break;
		case OPT_LINK:
			err = pick(a, links, &i);
			o->link = i;
			break;
		case OPT_NO_DIRECTION:
			o->no_direction = true;
			break;
		case OPT_VLAN:
		case OPT_QINQ:
			err = parse_u64(a, 4094, &v);
			*(c == OPT_VLAN ? &o->vlan : &o->qinq) = v;
			break;
		case OPT_SNAPLEN:
			err = parse_u64(a, RP_PCAPW_MAX_SNAPLEN, &v);
			if (!err && !v)
				err = -EINVAL;
			o->snaplen = v;
			break;
		case OPT_DURATION:
			err = parse_sec(a, &o->duration_ns);
			break;
		case OPT_START:
			err = parse_sec(a, &o->start_ns);
			break;
		case OPT_ATTACK_START:
			err = parse_sec(a, &o->attack_start_ns);
			break;
		case OPT_ATTACK_END:
			err = parse_sec(a, &o->attack_end_ns);
			break;
		case OPT_LEGIT:
			err = parse_u64(a, UINT32_MAX, &o->legit_sessions);
			break;
		case OPT_SYN_PPS:
			err = parse_u64(a, UINT32_MAX, &o->syn_pps);
			break;
		case OPT_REFLECT_PPS:
			err = parse_u64(a, UINT32_MAX, &o->reflect_pps);
			break;
		case OPT_IPV6_SHARE:
			err = parse_u64(a, 100, &o->ipv6_share);
			break;
		case OPT_SEND:
			so->ifname = a;
			if (!*a || strlen(a) >= IF_NAMESIZE)
				err = -EINVAL;
			break;
		case OPT_PPS:
			err = parse_u64(a, 100000000, &so->pps);
			if (!err && !so->pps)
				err = -EINVAL;
			break;
		case OPT_BOTH:
			so->both = true;
			break;
		case ':':
			rp_err("gen: %s needs a value", argv[optind - 1]);
			return RP_EXIT_USAGE;
		default:
			rp_err("gen: unknown option '%s' (see rempart gen --help)",
			       argv[optind - 1]);
			return RP_EXIT_USAGE;
		}
		if (err) {
			for (i = 0; longopts[i].name; i++)
				if (longopts[i].val == c)
					name = longopts[i].name;
			rp_err("gen: --%s: invalid value '%s'", name ? name : "?", a);
			return RP_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		rp_err("gen: unexpected argument '%s'", argv[optind]);
		return RP_EXIT_USAGE;
	}
	if (!so->ifname && (so->pps || so->both)) {
		rp_err("gen: --pps and --both go with --send IFACE");
		return RP_EXIT_USAGE;
	}
	return 0;
}

/* --send: the capture's frames out of the interface. */
static int send_frames(const char *path, const struct rp_send_opts *so)
{
	struct rp_send_stats ss;

	if (rp_send_capture(path, so, &ss))
		return RP_EXIT_FAIL;
	printf("%s: %" PRIu64 " frames sent, %" PRIu64 " failed, %" PRIu64
	       " outbound frames not sent%s\n",
	       so->ifname, ss.sent, ss.failed, ss.skipped_out, so->both ? "" : " (--both sends them)");
	if (ss.failed) {
		rp_err("gen: --send %s: %" PRIu64 " frames failed, the first with: %s", so->ifname,
		       ss.failed, strerror(ss.first_errno));
		return RP_EXIT_FAIL;
	}
	return RP_EXIT_OK;
}

int rp_cmd_gen(int argc, char **argv)
{
	struct rp_gen_opts o;
	struct rp_gen_stats st;
	struct rp_send_opts so = { 0 };
	char tmp[] = "/tmp/rempart-send.XXXXXX";
	bool help = false;
	char err[256];
	int rc;

	rp_gen_opts_init(&o);
	rc = parse(argc, argv, &o, &so, &help);
	if (rc)
		return rc;
	if (help) {
		fputs(usage, stdout);
		return RP_EXIT_OK;
	}
	if (so.ifname && !o.out_path) {
		/* Nothing to keep: generate into a temporary file, send it, remove it. */
		int fd = mkstemp(tmp);

		if (fd < 0) {
			rp_err("gen: cannot create a temporary capture: %s", strerror(errno));
			return RP_EXIT_FAIL;
		}
		close(fd);
		o.out_path = tmp;
		if (rp_gen_resolve(&o, err, sizeof(err))) {
			rp_err("gen: %s", err);
			unlink(tmp);
			return RP_EXIT_USAGE;
		}
		rc = rp_gen_run(&o, &st) ? RP_EXIT_FAIL : send_frames(tmp, &so);
		unlink(tmp);
		return rc;
	}
	if (rp_gen_resolve(&o, err, sizeof(err))) {
		rp_err("gen: %s", err);
		return RP_EXIT_USAGE;
	}
	if (rp_gen_run(&o, &st))
		return RP_EXIT_FAIL;
	printf("%s: %" PRIu64 " frames (legit %" PRIu64 ", syn_flood %" PRIu64
	       ", reflection %" PRIu64 "), %" PRIu64 " legitimate sessions, %.3f s\n",
	       o.out_path, st.frames, st.class_frames[RP_GEN_LEGIT],
	       st.class_frames[RP_GEN_SYN_FLOOD], st.class_frames[RP_GEN_REFLECTION],
	       st.legit_sessions, st.frames ? (st.last_ns - st.first_ns) / 1e9 : 0.0);
	if (o.labels_path)
		printf("%s: %" PRIu64 " labels\n", o.labels_path, st.frames);
	if (so.ifname)
		return send_frames(o.out_path, &so);
	return RP_EXIT_OK;
}
