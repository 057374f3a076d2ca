/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The generator's PRNG: xoshiro256** seeded through splitmix64. Every producer (one session,
 * the SYN flood, the reflection attack, ...) owns a stream derived from (seed, stream,
 * index), so what one produces does not depend on how the merge interleaves the others.
 * Integer arithmetic only: the same seed gives the same bytes on every machine. Never time()
 * or rand().
 */
#ifndef RP_GEN_RNG_H
#define RP_GEN_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rp_gen_rng {
	uint64_t s[4];
};

static inline uint64_t rp_gen_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void rp_gen_rng_init(struct rp_gen_rng *r, uint64_t seed, uint32_t stream,
				   uint64_t index)
{
	uint64_t x = rp_gen_mix64(rp_gen_mix64(rp_gen_mix64(seed) ^ stream) + index);

	for (int i = 0; i < 4; i++) {
		x += 0x9e3779b97f4a7c15ull; /* splitmix64 */
		r->s[i] = rp_gen_mix64(x);
	}
}

static inline uint64_t rp_gen_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rp_gen_next(struct rp_gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rp_gen_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rp_gen_rotl(s[3], 45);
	return res;
}

/* Uniform in [0, n); n > 0. */
static inline uint64_t rp_gen_below(struct rp_gen_rng *r, uint64_t n)
{
	if (n <= (1ull << 32))
		return ((rp_gen_next(r) >> 32) * n) >> 32;
	return rp_gen_next(r) % n;
}

/* Uniform in [lo, hi], both included. */
static inline uint64_t rp_gen_range(struct rp_gen_rng *r, uint64_t lo, uint64_t hi)
{
	return lo + rp_gen_below(r, hi - lo + 1);
}

/* True with probability pct percent. */
static inline int rp_gen_chance(struct rp_gen_rng *r, uint32_t pct)
{
	return rp_gen_below(r, 100) < pct;
}

static inline void rp_gen_fill(struct rp_gen_rng *r, uint8_t *p, size_t len)
{
	while (len >= 8) {
		uint64_t v = rp_gen_next(r);

		for (int i = 0; i < 8; i++)
			p[i] = v >> (8 * i);
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t v = rp_gen_next(r);

		for (size_t i = 0; i < len; i++)
			p[i] = v >> (8 * i);
	}
}

#endif
