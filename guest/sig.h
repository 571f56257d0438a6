/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page signatures.  Every page the workload owns carries three 64-bit
 * words derived from its GPA and its generation: the first word, the last
 * word, and one in between whose position depends on the page.  A page
 * that comes back zero-filled, swapped with another page, half-copied or
 * stale (an older generation) fails the check.  Writing three words keeps
 * a touch dominated by the host's fault cost.
 *
 * The expected generation lives in a byte per guest page (page_state),
 * outside the pages themselves; 0 = not owned by the workload.  Bit 7
 * marks a page touched with pattern=full (every word written, every word
 * verified).
 */
#ifndef GUEST_SIG_H
#define GUEST_SIG_H

#include "guest/lib.h"
#include "guest/types.h"

#define SIG_FULL 0x80
#define SIG_GEN_MASK 0x7f
#define SIG_WORDS 3

static inline uint64_t sig_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static inline unsigned int sig_pos(uint64_t pfn, unsigned int slot)
{
	if (slot == 0)
		return 0;
	if (slot == 1)
		return PAGE_SIZE / 8 - 1;
	return 1 + pfn * 7 % (PAGE_SIZE / 8 - 2);
}

/* The expected word at index i of page pfn at generation state. */
static inline uint64_t sig_word(uint64_t pfn, uint8_t state, unsigned int i)
{
	uint64_t v =
		sig_mix((pfn << 12) ^ ((uint64_t)(state & SIG_GEN_MASK) << 52) ^
			((uint64_t)i << 40) ^ 0x766d6d2d73696721ULL);

	return v ? v : 1; /* never zero: a zero-filled page must fail */
}

static inline uint8_t sig_next_gen(uint8_t state)
{
	uint8_t gen = (state & SIG_GEN_MASK) + 1;

	return (gen > SIG_GEN_MASK ? 1 : gen) | (state & SIG_FULL);
}

static inline void sig_write(uint64_t pfn, uint8_t state)
{
	uint64_t *p = (uint64_t *)(uintptr_t)(pfn << 12);

	if (state & SIG_FULL) {
		for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
			p[i] = sig_word(pfn, state, i);
		return;
	}
	for (unsigned int s = 0; s < SIG_WORDS; s++) {
		unsigned int i = sig_pos(pfn, s);

		p[i] = sig_word(pfn, state, i);
	}
}

/* Returns true if good; else *idx is the first bad word's index. */
static inline bool sig_check(uint64_t pfn, uint8_t state, unsigned int *idx)
{
	const volatile uint64_t *p = (const uint64_t *)(uintptr_t)(pfn << 12);

	if (state & SIG_FULL) {
		for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
			if (p[i] != sig_word(pfn, state, i)) {
				*idx = i;
				return false;
			}
		return true;
	}
	for (unsigned int s = 0; s < SIG_WORDS; s++) {
		unsigned int i = sig_pos(pfn, s);

		if (p[i] != sig_word(pfn, state, i)) {
			*idx = i;
			return false;
		}
	}
	return true;
}

#endif /* GUEST_SIG_H */
