/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The policy and per-source state as the data plane sees them: map keys and values shared by
 * bpf/policy.h (the stages) and src/policy.c (which compiles a configuration into them).
 * docs/policy.md describes the stages, the level table and why each structure was chosen.
 *
 * Two kinds of maps:
 *  - the POLICY (services, ports, allow lists, bogons, local space, reflection ports) lives
 *    in two slots; userspace fills the inactive slot, then flips rp_policy_slot in one
 *    store, so no frame ever sees half a policy;
 *  - STATE (deny entries, levels, the sketch, known clients, pending proofs, fragments)
 *    is single-copy and outlives reloads.
 */
#ifndef REMPART_POLICY_H
#define REMPART_POLICY_H

#include <linux/types.h>
#include "rempart/abi.h"
#include "rempart/geo.h"

#define RP_SLOTS 2
#define RP_MAX_LENS 16 /* distinct prefix lengths per kind of prefix set */

/* Mitigation levels (DESIGN §4, docs/policy.md). */
enum rp_level {
	RP_LVL_WATCH = 0,
	RP_LVL_SCRUB = 1,
	RP_LVL_LIMIT = 2,
	RP_LVL_FENCE = 3,
	RP_LVL_SHIELD = 4,
	RP_LVL_MAX = 5,
};

/* Kinds of prefix set in rp_ptab. */
enum rp_pfx_kind {
	RP_PK_SITE = 0, /* protected destinations: value = site */
	RP_PK_ALLOW = 1, /* allow list entries, per service: value = ceiling bucket */
	RP_PK_BOGON = 2, /* bogon sources */
	RP_PK_LOCAL = 3, /* protected and internal space (spoofed-local sources) */
	RP_PK_MAX = 4,
};

/*
 * Source classification, IPv4 and IPv6 alike: one byte per /16 (of the address's first 16
 * bits), eight bytes per array element, one array per slot. It answers "could this source
 * be in set X?" with one direct-indexed load; only the SUB bits send a frame on to the
 * hash probes.
 */
#define RP_C16_BOGON_ALL 0x01
#define RP_C16_BOGON_SUB 0x02
#define RP_C16_LOCAL_ALL 0x04
#define RP_C16_LOCAL_SUB 0x08
#define RP_C16_ALLOW_SUB 0x10
#define RP_C16_ELEMS (65536 / 8) /* per family and slot */

/* A per-entry rate ceiling (allow lists): a token bucket in the map value. Updated without
 * locks from every CPU: a lost update costs one token, never correctness. */
struct rp_bucket {
	__u64 stamp; /* program clock of the last refill */
	__u32 tokens_milli; /* tokens in 1/1000 frame */
	__u32 _pad;
};
RP_ASSERT_SIZE(struct rp_bucket, 16);

union rp_pfx_val {
	struct {
		__u16 site; /* RP_PK_SITE: index into the port table */
		__u16 svc; /* first service owning this prefix (unlisted ports, fragments) */
	} site;
	struct rp_bucket bucket; /* RP_PK_ALLOW */
	__u8 present; /* RP_PK_BOGON, RP_PK_LOCAL */
};
RP_ASSERT_SIZE(union rp_pfx_val, 16);

/*
 * The static policy's exact-match entries (sites, allow-list entries, bogon and local
 * prefixes longer than /16, ports, used source ports) in one open-addressing table per slot,
 * compiled by src/policy.c into an array map: a lookup is a multiply-shift hash and at most
 * RP_PTAB_PROBES adjacent entries, with no call into the kernel's hash table code. The
 * compiler places every entry within RP_PTAB_PROBES of its home (it reseeds until it does),
 * so a lookup that meets an empty entry or runs out of probes has its answer.
 */
#define RP_PTAB_BITS 17
#define RP_PTAB_SIZE (1u << RP_PTAB_BITS) /* entries per slot */
#define RP_PTAB_MAX_FILL (RP_PTAB_SIZE / 4) /* entries per slot the compiler accepts */
#define RP_PTAB_PROBES 6

/* The tag of an entry: kind | prefix length << 8 | family << 16 | RP_PT_USED; 0 is empty.
 * Kinds: enum rp_pfx_kind, and these two. */
#define RP_PT_PORT 8 /* key: site, proto, port (RP_PORT_ANY: any) -> val.site.svc */
#define RP_PT_USES 9 /* key: svc, port: a UDP source port the service uses */
#define RP_PT_USED 0x1000000u

static inline __u32 rp_ptab_tag(__u32 kind, __u32 len, __u32 family)
{
	return kind | len << 8 | family << 16 | RP_PT_USED;
}

/* Ports of a site: RP_PORT_ANY is the wildcard port of a "tcp/any" entry; proto
 * RP_PROTO_ANY a service without ports. */
#define RP_PORT_ANY 0x10000
#define RP_PROTO_ANY 0xff

/*
 * A site's ports, inline in its entry (the same cache line): when every port entry of the
 * site is an exact TCP or UDP port and there are at most RP_SITE_PORTS of them, the site
 * entry lists them all, and the program finds the service there instead of probing the
 * table for (site, proto, port), then (site, proto, any), then (site, any, any).
 */
#define RP_SITE_PORTS 6
struct rp_site_port {
	__u16 port; /* host order */
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 svc; /* the service that claimed it first (< RP_MAX_SERVICES) */
};
RP_ASSERT_SIZE(struct rp_site_port, 4);

struct rp_ptab_ent {
	__u32 key[4]; /* the address masked to len (network order; IPv4 in key[0]), or the
		       * port key */
	__u32 tag; /* rp_ptab_tag(); 0: empty */
	__u16 svc; /* RP_PK_ALLOW: the service; else 0 */
	__u8 nports; /* RP_PK_SITE: 1 + the entries of ports[] when they are all the site's
		      * ports; 0: probe the table */
	__u8 _pad;
	union rp_pfx_val val;
	/* One cache line per entry (allow buckets are written per frame); a site's ports. */
	struct rp_site_port ports[RP_SITE_PORTS];
};
RP_ASSERT_SIZE(struct rp_ptab_ent, 64);
_Static_assert(RP_MAX_SERVICES <= 256, "rp_site_port.svc is 8 bits");

/*
 * The home of a key: the same code in the program and in the compiler. Two independent
 * multiplies (the key's two halves, each mixed with the seed) instead of a chain of four:
 * every frame makes two to four of these lookups, and a dependent multiply chain was the
 * largest single cost of the service lookup (docs/bench.md). The seed enters both halves,
 * so reseeding moves every entry, including entries that share a half.
 */
static inline __u32 rp_ptab_hash(const __u32 *k, __u32 tag, __u32 svc, __u64 seed)
{
	__u64 a = ((__u64)k[1] << 32 | k[0]) ^ seed;
	__u64 b = ((__u64)k[3] << 32 | k[2]) ^ ((__u64)tag << 32 | svc) ^ (seed >> 29 | seed << 35);
	__u64 h = a * 0x9e3779b97f4a7c15ull ^ b * 0xc2b2ae3d27d4eb4full;

	/* Fold the halves and multiply once more, keeping the top bits. Addresses are in
	 * network order, so for IPv4 the bits that vary most (the last bytes) sit high in a;
	 * without the second multiply, 30,000 consecutive allow entries (100.64.0.0 up) put
	 * some entry 6 or more places from home under 95 % of seeds, against 1 % with it
	 * (random keys: about 1 %), and the compiler's 64 reseeds failed about one policy
	 * load in eight. */
	return (__u32)((h ^ h >> 32) * 0x9e3779b97f4a7c15ull >> 32) >> (32 - RP_PTAB_BITS);
}

/* A fence's country set as the program holds it: RP_GEO_SET_WORDS rounded up to a power of
 * two, so that a masked word index is in bounds for the verifier whatever the code. */
#define RP_FENCE_WORDS 16
_Static_assert(RP_FENCE_WORDS >= RP_GEO_SET_WORDS && RP_FENCE_WORDS * 64 >= 1024,
	       "the fence set must cover every 10-bit code");

/* Per-service policy (slotted): rp_svcs[slot * RP_MAX_SERVICES + svc]. */
#define RP_SF_FRAGMENTS 0x01 /* the service needs IP fragments */
#define RP_SF_LEARN 0x02 /* learn known clients at level 0 */
#define RP_SF_TCP 0x04 /* the service has TCP ports (known clients apply) */
#define RP_SF_FENCE 0x08 /* the service has a geo-fence, armed from level 3 */

/* Stages, each switchable per service (bench increments and operators). */
#define RP_ST_ALLOW 0x01
#define RP_ST_DENY 0x02
#define RP_ST_SANITY 0x04
#define RP_ST_SCRUB 0x08
#define RP_ST_LIMIT 0x10
#define RP_ST_KNOWN 0x20 /* fence and shield exemptions for known clients */
#define RP_ST_SKETCH 0x40 /* sketch updates and heavy-hitter reports */
#define RP_ST_FENCE 0x80 /* the geo-fence (level 3) */
#define RP_ST_ALL 0xff

struct rp_svc_policy {
	__u16 tenant;
	__u8 class; /* enum rp_class (config.h) */
	__u8 flags; /* RP_SF_* */
	__u8 floor; /* level floor */
	__u8 stages; /* RP_ST_* enabled */
	__u8 in_use;
	__u8 fence_idx; /* RP_SF_FENCE: the service's row in rp_geo_counters */
	/* Per-source limit (level >= 2), a GCRA in the sketch's cells (RP_SK_TAT_SHIFT):
	 * the emission interval T = 1/pps in units of 2^RP_SK_TAT_SHIFT ns, 32.32 fixed
	 * point (0: no limit), and the tolerance tau - T = (burst - 1) T in those units, at
	 * most RP_SK_TOL_MAX. */
	__u64 src_interval;
	__u32 src_tol;
	/* Allow-list ceiling per entry: frames per second, and the burst in 1/1000 frame. */
	__u32 allow_pps;
	__u32 allow_burst_milli;
	/* The salt of the service's per-source state (sketch cells, known clients, pending
	 * proofs): its number | the number's generation << 16. A number another service owned
	 * before gets the next generation, so none of the former owner's hashed state matches
	 * the new owner's frames (src/control.c). */
	__u32 salt;
	/* RP_SF_FENCE: the countries the fence admits, one bit per RP_GEO_CODE (the region
	 * `unknown` included when the fence admits it). */
	__u64 fence[RP_FENCE_WORDS];
};
RP_ASSERT_SIZE(struct rp_svc_policy, 32 + 8 * RP_FENCE_WORDS);

/* Per-country counters of the fence stage, per fenced service (rp_geo_counters, per CPU):
 * row fence_idx, column RP_GEO_CODE. Counted when the fence judges a frame (level 3 and
 * up, after allow lists and known clients). */
#define RP_MAX_FENCED 32
struct rp_geo_count {
	__u64 pass_pkts, pass_bytes, drop_pkts, drop_bytes;
};
RP_ASSERT_SIZE(struct rp_geo_count, 32);

/* Slot-wide policy values (rp_glob[slot]). */
struct rp_glob {
	__u8 nlens4[RP_PK_MAX];
	__u8 nlens6[RP_PK_MAX];
	__u8 lens4[RP_PK_MAX][RP_MAX_LENS]; /* longest first */
	__u8 lens6[RP_PK_MAX][RP_MAX_LENS];
	__u8 src_len4, src_len6; /* per-source key length */
	/* The slot of the geo tables this policy's fences read: written with the tables it
	 * names, so the policy flip switches the countries and the fences together. */
	__u8 geo_slot;
	__u8 _pad[5];
	__u64 known_ttl_ns;
	__u64 ptab_seed; /* rp_ptab_hash's seed for this slot */
};
RP_ASSERT_SIZE(struct rp_glob, 8 + 128 + 8 + 8 + 8);

/*
 * Deny list (state, not slotted): two bits per IPv4 /24 in front of exact hashes. FULL: an
 * entry without expiry and not a heavy-hitter one covers the whole /24, so the frame is
 * denied with no probe. PART: other entries touch the /24; probe the lengths in
 * rp_deny_lens (those of PART entries only). IPv6 entries are probed by length.
 */
#define RP_DENY_BITS_ELEMS (1u << 19) /* 2^24 /24s, 32 per __u64 */
/* The summary in front of it: one bit per IPv4 /21 (a quarter of a word of the /24 map), set
 * while any of its /24s has a bit. 256 KiB, so it stays in cache where the 4 MiB /24 map
 * cannot: a random source outside every entry's /21 costs one cached load (docs/policy.md). */
#define RP_DENY_SUM_ELEMS (RP_DENY_BITS_ELEMS * 4 / 64)
#define RP_DENY24_FULL 1
#define RP_DENY24_PART 2
#define RP_MAX_DENY 262144

enum rp_deny_origin {
	RP_DO_CONFIG = 0, /* the configuration's deny list: always */
	RP_DO_OPERATOR = 1, /* an operator's block: always */
	RP_DO_HEAVY = 2, /* a heavy-hitter deny: level >= 2 of its service only */
};

struct rp_deny4_key {
	__u8 len;
	__u8 _pad[3];
	__u32 addr;
};
RP_ASSERT_SIZE(struct rp_deny4_key, 8);

struct rp_deny6_key {
	__u8 len;
	__u8 _pad[3];
	__u32 addr[4];
};
RP_ASSERT_SIZE(struct rp_deny6_key, 20);

struct rp_deny_val {
	__u64 expires; /* program clock; 0 never */
	__u16 svc; /* RP_DO_HEAVY: the service; 0 any */
	__u8 origin; /* enum rp_deny_origin */
	__u8 _pad[5];
};
RP_ASSERT_SIZE(struct rp_deny_val, 16);

/* Prefix lengths present in the deny hashes (longest first), kept in .data. */
struct rp_deny_lens {
	__u8 n4, n6;
	__u8 lens4[33];
	__u8 lens6[RP_MAX_LENS];
	__u8 _pad[13];
};
RP_ASSERT_SIZE(struct rp_deny_lens, 64);

/* The level in force per service: lapses to the floor when not renewed. */
struct rp_level_val {
	__u8 level;
	__u8 _pad[7];
	__u64 expires; /* program clock */
};
RP_ASSERT_SIZE(struct rp_level_val, 16);

/*
 * Count-min sketch, one cache line per key: a key's hash picks a line, and in each of the
 * RP_SKETCH_ROWS rows of that line one of two cells. A new source therefore costs one cache
 * miss, not one per row. Each cell holds the theoretical arrival time of a GCRA (the
 * per-source limit, charged at the rate of the frame's own service) and a count that
 * halves every 2^(UNIT + EPOCH) ns (heavy hitters); the line's stamp says when its counts
 * were last halved and its arrival times last brought up to date.
 */
#define RP_SKETCH_ROWS 3
#define RP_SKETCH_BITS 15
#define RP_SKETCH_LINES (1u << RP_SKETCH_BITS)
#define RP_SKETCH_UNIT_SHIFT 20 /* the line's stamp: 2^20 ns (~1.05 ms) */
#define RP_SKETCH_EPOCH_SHIFT 7 /* the seen count halves every 2^7 units (~134 ms) */
/*
 * The GCRA's clock: theoretical arrival times in units of 2^10 ns (~1.02 us), 32 bits,
 * wrapping (2^42 ns, ~73 min), compared as signed differences with the frame's time. A
 * cell is never more than RP_SK_AHEAD ahead (tau plus one interval), and every time a line
 * is restamped its cells in the past are set to now, so none is more than RP_SK_STALE line
 * units behind; a line not restamped for longer is reset whole. Both stay under 2^31.
 */
#define RP_SK_TAT_SHIFT 10
#define RP_SK_TOL_MAX (1u << 30) /* tau - T at most ~1100 s */
#define RP_SK_AHEAD (RP_SK_TOL_MAX + (1u << 21)) /* tol + one interval (T <= 2^20 at 1 pps) */
#define RP_SK_STALE (1u << (30 - (RP_SKETCH_UNIT_SHIFT - RP_SK_TAT_SHIFT))) /* line units */
_Static_assert(RP_SK_AHEAD < (1u << 31) &&
		       ((__u64)RP_SK_STALE + 64) << (RP_SKETCH_UNIT_SHIFT - RP_SK_TAT_SHIFT) <
			       (1ull << 31),
	       "the sketch's arrival times must compare as signed 32-bit differences");

struct rp_cell {
	__u32 tat; /* theoretical arrival time, 2^RP_SK_TAT_SHIFT ns, wrapping */
	__u32 seen; /* decayed frame count */
};

struct rp_sk_line {
	__u32 stamp; /* program clock >> RP_SKETCH_UNIT_SHIFT, wrapping */
	__u32 reported; /* cells (bit c: cell[c]) of keys reported as heavy in the stamp's epoch */
	struct rp_cell cell[2 * RP_SKETCH_ROWS + 1]; /* row r: cells 2r and 2r + 1; one spare */
};
RP_ASSERT_SIZE(struct rp_sk_line, 64);

/*
 * The sketch's keyed hash of (service, family, source key): one multiply per lane (the
 * key's two halves, the service and family), each lane XORed with the secret seed first,
 * the products folded. The top RP_SKETCH_BITS bits pick the line and the RP_SKETCH_ROWS
 * bits below them the cells: the top bits of a product depend on every bit of its lane, so
 * which keys share a line, and which line-mates share cells, depends on the seed. (Before
 * 2026-12-05 the service was XORed into the key's top bits, so a source and the same
 * source with those bits changed, toward another service, shared every cell whatever the
 * seed: a flood to one service could drain a chosen client's bucket at another. And the
 * cells came from low bits, which for an IPv4 key depended on the seed alone: line-mates
 * shared all three cells. tests/bpf/test_policy.c checks both.)
 */
static inline __u64 rp_sketch_hash(const __u32 *key, __u32 salt, __u32 family, __u64 seed)
{
	return (((__u64)key[0] << 32 | key[1]) ^ seed) * 0x9e3779b97f4a7c15ull ^
	       (((__u64)key[2] << 32 | key[3]) ^ (seed >> 23 | seed << 41)) * 0xc2b2ae3d27d4eb4full ^
	       (((__u64)salt << 8 | family) ^ (seed >> 7 | seed << 57)) * 0x165667b19e3779f9ull;
}

static inline __u32 rp_sketch_line_of(__u64 x)
{
	return (__u32)(x >> (64 - RP_SKETCH_BITS));
}

/* The cell of row r (0 to RP_SKETCH_ROWS - 1) in the line. */
static inline __u32 rp_sketch_cell_of(__u64 x, __u32 r)
{
	return 2 * r + ((x >> (64 - RP_SKETCH_BITS - 1 - r)) & 1);
}

/* Per-service heavy-hitter threshold on the decayed count, written by the control plane
 * every tick from the service's rate and share; 0: no reports. */
struct rp_hh_val {
	__u32 seen_threshold;
	__u32 _pad;
};
RP_ASSERT_SIZE(struct rp_hh_val, 8);

/* A heavy-hitter candidate, through the ring buffer. */
struct rp_hh_event {
	__u64 time;
	__u32 addr[4]; /* source key (masked) */
	__u32 seen; /* decayed count (pps ~ seen * 1e9 / 2^28) */
	__u16 svc;
	__u8 family; /* 4 or 6 */
	__u8 _pad;
};
RP_ASSERT_SIZE(struct rp_hh_event, 32);
#define RP_HH_RING_BYTES (256 * 1024)

/* Known clients (proven sources) and their pending proofs. */
#define RP_MAX_KNOWN 262144
#define RP_MAX_PENDING 65536
#define RP_PENDING_TTL_NS (30ull * 1000000000ull)

struct rp_src_key {
	__u16 svc;
	__u8 family;
	__u8 _pad;
	__u32 addr[4]; /* masked to the per-source length */
};
RP_ASSERT_SIZE(struct rp_src_key, 20);

/*
 * The known clients: a set-associative table in an array map (rp_known), RP_KNOWN_WAYS ways
 * of one cache line per set, instead of the kernel's hash table (a 20-byte jhash and a bucket
 * walk per frame at levels 3 and 4). A way holds a 64-bit keyed fingerprint of (service,
 * family, source key): rp_known_hash() with the program's secret hash_seed, whose top bits
 * also pick the set; nobody who cannot read the seed can aim a spoofed source at a known
 * client's fingerprint. Only a proof writes a way (an empty, else expired, else the one
 * expiring first), so a flood never evicts anything. Times are in units of 2^24 ns
 * (16.8 ms), 32 bits, compared modulo 2^32: any TTL up to a year (configuration's bound).
 */
#define RP_KNOWN_WAYS 4
#define RP_KNOWN_SET_BITS 16
#define RP_KNOWN_SETS (1u << RP_KNOWN_SET_BITS)
#define RP_KNOWN_TIME_SHIFT 24
_Static_assert(RP_KNOWN_SETS * RP_KNOWN_WAYS == RP_MAX_KNOWN, "known-client capacity");

struct rp_known_way {
	__u64 tag; /* rp_known_hash(); 0: empty */
	__u32 expires; /* program clock >> RP_KNOWN_TIME_SHIFT */
	__u32 learned; /* when first proven, the same units */
};
struct rp_known_set {
	struct rp_known_way w[RP_KNOWN_WAYS];
};
RP_ASSERT_SIZE(struct rp_known_set, 64);

/* The keyed mix of three 64-bit words (each injective in its part of the key): three
 * independent multiplies, folded; a collision is then a matter of chance, not structure. */
static inline __u64 rp_state_hash(__u64 a, __u64 b, __u64 c, __u64 seed)
{
	__u64 h = (a ^ seed) * 0x9e3779b97f4a7c15ull ^ (b ^ (seed >> 23 | seed << 41)) *
		  0xc2b2ae3d27d4eb4full ^ (c ^ (seed >> 7 | seed << 57)) * 0x165667b19e3779f9ull;

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return h;
}

static inline __u64 rp_known_hash(__u32 salt, __u8 family, const __u32 *addr, __u64 seed)
{
	return rp_state_hash((__u64)addr[0] << 32 | addr[1], (__u64)addr[2] << 32 | addr[3],
			     (__u64)salt << 8 | family, seed) |
	       1;
}

static inline __u32 rp_known_set_of(__u64 h)
{
	return (__u32)(h >> (64 - RP_KNOWN_SET_BITS));
}

/*
 * Pending proofs: the same kind of table as the known clients (4 ways of 16 bytes per cache
 * line, an array map), for the service's unacknowledged data toward one client connection
 * (service, client port, family, full client address). The way's tag is 32 bits of the
 * keyed hash whose top 16 bits picked the set: 48 bits must match, and a forged proof must
 * also fall in the 64 KiB window of 4 GiB of sequence space.
 */
#define RP_PENDING_SET_BITS 14
#define RP_PENDING_SETS (1u << RP_PENDING_SET_BITS)
_Static_assert(RP_PENDING_SETS * 4 == RP_MAX_PENDING, "pending capacity");

struct rp_pending_way {
	__u32 tag; /* rp_pending_hash()'s low half | 1; 0: empty */
	__u32 seq_lo; /* first byte of the service's unacknowledged data */
	__u32 seq_hi; /* one past its last byte */
	__u32 expires; /* program clock >> RP_KNOWN_TIME_SHIFT */
};
struct rp_pending_set {
	struct rp_pending_way w[4];
};
RP_ASSERT_SIZE(struct rp_pending_set, 64);

static inline __u64 rp_pending_hash(__u32 salt, __u16 cport, __u8 family, const __u32 *addr,
				    __u64 seed)
{
	return rp_state_hash((__u64)addr[0] << 32 | addr[1], (__u64)addr[2] << 32 | addr[3],
			     1ull << 63 | (__u64)salt << 24 | (__u64)cport << 8 | family, seed);
}

static inline __u32 rp_pending_set_of(__u64 h)
{
	return (__u32)(h >> (64 - RP_PENDING_SET_BITS));
}

/* First fragments that passed, for services that need fragments. */
#define RP_MAX_FRAGS 16384
#define RP_FRAG_TTL_NS (30ull * 1000000000ull)

/*
 * A direct-mapped table in an array: the entry at hash(source, destination, id, protocol).
 * Recording a first fragment is one store, with no allocation and no LRU list; a newer
 * first fragment that lands on the same entry replaces the older one, whose later fragments
 * then count as orphans. expires 0: never used.
 */
struct rp_frag_ent {
	__u32 saddr[4];
	__u32 daddr[4];
	__u32 id;
	__u8 proto;
	__u8 family;
	__u16 svc;
	__u64 expires;
	__u8 level;
	__u8 _pad[3];
	/* The service's rp_svc_policy.salt when the first fragment passed: a later fragment
	 * follows only while the number has the same owner (not reused since). */
	__u32 salt;
	__u8 _pad2[8];
};
RP_ASSERT_SIZE(struct rp_frag_ent, 64);

#endif /* REMPART_POLICY_H */
