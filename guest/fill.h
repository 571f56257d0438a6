/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page contents that compress the way real memory does.  A page filled at
 * ratio R (1..FILL_RATIO_MAX) holds deterministic data derived from its
 * GPA and a generation that lz4 compresses about R:1: ratio 1 is 512
 * random words (incompressible); from 2 up, each 256-byte block begins
 * with a few pointer-like words (48 random bits, the top two bytes zero,
 * as user-space pointers and counters are) and ends in zeros.  lz4
 * stores the random bytes as literals and each run of zeros as one match
 * of about 5 bytes, so a page of L random words compresses to about
 * 8 L + 16 x 5 bytes: L = 512 / R - 10 gives R:1 (measured: 2.0, 3.0,
 * 4.0 for R = 2, 3, 4; zstd level 1 finds the zero bytes among the
 * literals too, about 1.15 times better, as it does on real memory).
 *
 * Pure integer arithmetic, no SSE, no table: the guest writes and checks
 * it at CPL3 and the host's tests and benchmarks generate the same pages
 * (this header is all of it).  One hash per random word, a store of zero
 * for the rest.
 */
#ifndef GUEST_FILL_H
#define GUEST_FILL_H

#include "guest/types.h"

#define FILL_RATIO_MAX 8
#define FILL_PAGE_WORDS 512
#define FILL_BLOCKS 16 /* of 32 words, 256 bytes */
#define FILL_BLOCK_WORDS (FILL_PAGE_WORDS / FILL_BLOCKS)

/* splitmix64's finaliser: a good 64-bit mix in five operations. */
static inline uint64_t fill_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* The random words of a page at ratio r. */
static inline unsigned int fill_random_words(unsigned int r)
{
	return r <= 1 ? FILL_PAGE_WORDS : FILL_PAGE_WORDS / r - 10;
}

/* Of them, those that begin block b (spread evenly over the blocks). */
static inline unsigned int fill_block_random(unsigned int r, unsigned int b)
{
	unsigned int l = fill_random_words(r);

	return l * (b + 1) / FILL_BLOCKS - l * b / FILL_BLOCKS;
}

static inline uint64_t fill_seed(uint64_t gpa, unsigned int gen, unsigned int r)
{
	return fill_mix(gpa ^ ((uint64_t)gen << 52) ^ ((uint64_t)r << 48) ^
			0x66696c6c2d706167ULL);
}

/* Random word i of a page with this seed: never zero, so a page that
 * comes back zero-filled fails. */
static inline uint64_t fill_random(uint64_t seed, unsigned int i,
				   unsigned int r)
{
	uint64_t v = fill_mix(seed + i * 0x9e3779b97f4a7c15ULL);

	if (r > 1)
		v &= 0x0000ffffffffffffULL;
	return v ? v : 1;
}

/* The expected word i of the page at gpa, generation gen, ratio r. */
static inline uint64_t fill_word(uint64_t gpa, unsigned int gen, unsigned int r,
				 unsigned int i)
{
	unsigned int w = i % FILL_BLOCK_WORDS;

	if (w >= fill_block_random(r, i / FILL_BLOCK_WORDS))
		return 0;
	return fill_random(fill_seed(gpa, gen, r), i, r);
}

static inline void fill_page(uint64_t *p, uint64_t gpa, unsigned int gen,
			     unsigned int r)
{
	uint64_t seed = fill_seed(gpa, gen, r);

	for (unsigned int b = 0; b < FILL_BLOCKS; b++) {
		unsigned int i = b * FILL_BLOCK_WORDS,
			     k = i + fill_block_random(r, b);

		for (; i < k; i++)
			p[i] = fill_random(seed, i, r);
		for (; i < (b + 1) * FILL_BLOCK_WORDS; i++)
			p[i] = 0;
	}
}

/*
 * Every byte of the page against what fill_page() wrote: -1 if all are
 * right, else the offset of the first wrong byte.  volatile: the guest
 * reads memory the host may have changed behind its back.
 */
static inline int fill_check(const volatile uint64_t *p, uint64_t gpa,
			     unsigned int gen, unsigned int r)
{
	uint64_t seed = fill_seed(gpa, gen, r);

	for (unsigned int b = 0; b < FILL_BLOCKS; b++) {
		unsigned int i = b * FILL_BLOCK_WORDS,
			     k = i + fill_block_random(r, b);
		uint64_t diff = 0;

		for (; i < k && !diff; i++)
			diff = p[i] ^ fill_random(seed, i, r);
		for (; i < (b + 1) * FILL_BLOCK_WORDS && !diff; i++)
			diff = p[i];
		if (diff) /* little-endian: the low byte first */
			return (i - 1) * 8 + __builtin_ctzll(diff) / 8;
	}
	return -1;
}

#endif /* GUEST_FILL_H */
