/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The scenario generator (`rempart gen`): complete legitimate TCP sessions in both
 * directions, a spoofed SYN flood and a fragmented UDP reflection attack, merged in time
 * order into one capture with a label per frame. Everything derives from the seed through
 * the generator's own PRNG: the same options give byte-identical files on every machine.
 * docs/generator.md describes the traffic.
 */
#ifndef RP_GEN_H
#define RP_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcapng_write.h"

#define RP_GEN_UNSET UINT64_MAX
#define RP_GEN_SEC 1000000000ull
/* Default capture start: 2026-03-22T10:00:00Z. */
#define RP_GEN_DEFAULT_START 1774173600ull

enum rp_gen_class { RP_GEN_LEGIT, RP_GEN_SYN_FLOOD, RP_GEN_REFLECTION, RP_GEN_CLASS_MAX };

enum rp_gen_link { RP_GEN_LINK_ETHER, RP_GEN_LINK_SLL, RP_GEN_LINK_SLL2, RP_GEN_LINK_RAW };

struct rp_gen_opts {
	const char *scenario; /* NULL: "sample" */
	uint64_t seed;
	const char *out_path;
	const char *labels_path; /* NULL: no labels */
	enum rp_pcapw_format format;
	enum rp_gen_link link;
	bool no_direction; /* pcapng without epb_flags */
	int vlan; /* 802.1Q ID on every frame; -1: none (with qinq: 100) */
	int qinq; /* 802.1ad outer ID on every frame; -1: none */
	uint32_t snaplen; /* 0: RP_PCAPW_MAX_SNAPLEN */
	/* Scenario settings: RP_GEN_UNSET takes the scenario's value. Times in ns. */
	uint64_t duration_ns, start_ns, attack_start_ns, attack_end_ns;
	uint64_t legit_sessions, syn_pps, reflect_pps, ipv6_share;
	/* From the scenario only (rp_gen_resolve). */
	uint32_t reflect_ipv6_share; /* percent of reflected datagrams over IPv6 */
	bool vlan_mix; /* flows untagged, 802.1Q-tagged or double-tagged */
	bool monitor; /* an ICMP echo probe every second, over IPv4 and IPv6 */
};

struct rp_gen_stats {
	uint64_t frames, bytes; /* bytes: original (wire) lengths */
	uint64_t class_frames[RP_GEN_CLASS_MAX];
	uint64_t dir_frames[3]; /* indexed by enum rp_pcapw_dir */
	uint64_t legit_sessions;
	uint64_t first_ns, last_ns;
};

/* Everything unset, scenario "sample", seed 1, pcapng on Ethernet with direction flags. */
void rp_gen_opts_init(struct rp_gen_opts *o);

/*
 * Fill what is unset from the scenario and check the result. Returns 0, or -EINVAL with
 * the reason in err (user-facing, names the option and the value).
 */
int rp_gen_resolve(struct rp_gen_opts *o, char *err, size_t errlen);

/*
 * Generate the capture (and the labels, if asked) from resolved options. Returns 0 or
 * -errno; the failing file is logged. st may be NULL.
 */
int rp_gen_run(const struct rp_gen_opts *o, struct rp_gen_stats *st);

/* "legit", "syn_flood", "reflection": the label of each class. */
const char *rp_gen_class_name(unsigned int cls);

#endif
