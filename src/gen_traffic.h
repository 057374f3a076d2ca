/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Inside the generator: the producers of traffic and the merge that orders their frames.
 *
 * Each producer (legitimate sessions, the ICMP monitor, the SYN flood, the reflection
 * attack) has the time of its next event in ctx->next[]. Stepping it emits every frame of
 * that event (a whole TCP session, one SYN, the fragments of one datagram), all at or after
 * that time, into a heap ordered by (time, emission order). The merge writes the heap's
 * first frame once no producer has an event before it, so memory stays bounded by what is
 * in flight, not by the length of the capture.
 */
#ifndef RP_GEN_TRAFFIC_H
#define RP_GEN_TRAFFIC_H

#include "gen.h"
#include "gen_pkt.h"
#include "gen_rng.h"

#define RP_GEN_US 1000ull
#define RP_GEN_MS 1000000ull

/* PRNG streams: one per producer kind, indexed within. */
enum rp_gen_stream {
	RP_GEN_S_CLIENT = 1,
	RP_GEN_S_SCHED,
	RP_GEN_S_SESSION,
	RP_GEN_S_MONITOR,
	RP_GEN_S_SYN,
	RP_GEN_S_REFLECTOR,
	RP_GEN_S_REFLECT,
};

enum rp_gen_producer {
	RP_GEN_P_LEGIT,
	RP_GEN_P_MONITOR,
	RP_GEN_P_SYN,
	RP_GEN_P_REFLECT,
	RP_GEN_P_MAX
};

struct rp_gen_tags {
	uint8_t n;
	uint16_t id[2]; /* outer first */
};

struct rp_gen_frame {
	uint64_t ts; /* ns from the capture start */
	uint64_t seq; /* emission order: ties keep it */
	uint8_t dir; /* enum rp_pcapw_dir */
	uint8_t cls; /* enum rp_gen_class */
	struct rp_gen_tags tags;
	uint16_t len;
	uint8_t data[]; /* the IP packet */
};

/* Operating systems and what their TCP/IP stacks put in a SYN. */
enum rp_gen_os {
	RP_GEN_OS_LINUX,
	RP_GEN_OS_WINDOWS,
	RP_GEN_OS_MACOS,
	RP_GEN_OS_ANDROID,
	RP_GEN_OS_MAX
};
enum rp_gen_ipid { RP_GEN_IPID_HOST, RP_GEN_IPID_CONN, RP_GEN_IPID_RANDOM };

struct rp_gen_os_fp {
	const char *name;
	uint8_t ttl; /* initial */
	uint16_t syn_win[2]; /* the SYN window: a host uses one of these */
	uint8_t ws; /* window scale it offers */
	bool ts; /* sends TCP timestamps */
	uint16_t est_win; /* window field once established (scaled) */
	uint16_t eph_lo, eph_hi; /* ephemeral ports */
	enum rp_gen_ipid ipid;
	uint8_t weight; /* share in the client mix, percent */
};

extern const struct rp_gen_os_fp rp_gen_os_fps[RP_GEN_OS_MAX];

struct rp_gen_client {
	uint8_t v4[4], v6[16];
	bool has_v6;
	uint8_t os, country, hops;
	uint16_t syn_win;
	uint16_t ipid; /* Windows: the per-host counter */
	uint64_t rtt_ns;
};

struct rp_gen_reflector {
	bool v6;
	uint8_t addr[16];
	uint16_t port;
	uint8_t ttl;
};

struct rp_gen_sched {
	uint64_t start;
	uint32_t idx;
	uint32_t attempt; /* which draw of the session fits the duration */
};

struct rp_gen_ctx {
	struct rp_gen_opts o;
	uint64_t dur; /* o.duration_ns */
	int err; /* first -errno met */

	/* The merge. */
	struct rp_gen_frame **heap;
	size_t nheap, capheap;
	uint64_t seq;
	uint64_t next[RP_GEN_P_MAX]; /* UINT64_MAX: done */
	/* Measuring a session's length: emit() records the last time and keeps nothing. */
	bool measure;
	uint64_t measure_end;

	/* Legitimate traffic. */
	struct rp_gen_client *clients;
	uint32_t nclients, nregular;
	uint32_t *v6_clients, nv6, nv6_regular;
	struct rp_gen_sched *sessions;
	uint32_t nsessions, next_session;
	struct rp_gen_rng mon_rng;
	struct rp_gen_client mon[2]; /* the probes: IPv4, IPv6 */
	uint16_t mon_id[2], mon_seq[2];
	uint64_t mon_next[2];

	/* Attacks. */
	struct rp_gen_rng syn_rng, refl_rng;
	struct rp_gen_reflector *reflectors;
	uint32_t nrefl4, nrefl6;

	uint8_t scratch[65536]; /* payloads */
	uint8_t frags[RP_GEN_MAX_FRAGS][RP_GEN_MAX_PKT];
};

/* gen_run.c: queue one IP packet of class cls, seen at t (ns from the capture start). */
void rp_gen_emit(struct rp_gen_ctx *c, uint64_t t, unsigned int dir, unsigned int cls,
		 const struct rp_gen_tags *tags, const uint8_t *pkt, size_t len);
/* The VLAN tags of a new flow: the options' tags, or a draw when the scenario mixes them. */
void rp_gen_pick_tags(struct rp_gen_ctx *c, struct rp_gen_rng *r, struct rp_gen_tags *t);

/* gen_tcp.c: legitimate TCP sessions and the ICMP monitor. */
unsigned int rp_gen_pick_os(struct rp_gen_rng *r);
size_t rp_gen_syn_opts(uint8_t *o, unsigned int os, uint16_t mss, uint32_t tsval);
int rp_gen_legit_init(struct rp_gen_ctx *c);
void rp_gen_legit_step(struct rp_gen_ctx *c);
int rp_gen_monitor_init(struct rp_gen_ctx *c);
void rp_gen_monitor_step(struct rp_gen_ctx *c);

/* gen_attack.c: the spoofed SYN flood and the UDP reflection attack. */
int rp_gen_syn_init(struct rp_gen_ctx *c);
void rp_gen_syn_step(struct rp_gen_ctx *c);
int rp_gen_refl_init(struct rp_gen_ctx *c);
void rp_gen_refl_step(struct rp_gen_ctx *c);

/* The protected service. */
extern const uint8_t rp_gen_server_v4[4];
extern const uint8_t rp_gen_server_v6[16];

#endif
