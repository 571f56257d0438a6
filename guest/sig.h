/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page signatures.  Every page the workload owns carries data derived
 * from its GPA and its generation, so that a page that comes back
 * zero-filled, swapped with another page, half-copied or stale (an older
 * generation) fails the check.  Two kinds:
 *
 *  - sparse (the default): three 64-bit words, the first, the last and
 *    one in between whose position depends on the page; writing three
 *    words keeps a touch dominated by the host's fault cost;
 *  - filled at a ratio R (touch ratio=R, fill.h): every byte of the page,
 *    data that lz4 compresses about R:1; every byte is checked.
 *    pattern=full is ratio 1: every word random.
 *
 * The expected state of each page lives outside the pages themselves,
 * in page_state: 16 bits per guest page, 0 = not owned by the workload.
 */
#ifndef GUEST_SIG_H
#define GUEST_SIG_H

#include "guest/fill.h"
#include "guest/lib.h"
#include "guest/types.h"

/* page_state: the generation (1..255) and the ratio (0: sparse). */
#define PS_GEN_MASK 0x00ff
#define PS_RATIO_SHIFT 8
#define SIG_WORDS 3

static inline uint16_t ps_make(unsigned int gen, unsigned int ratio)
{
	return (uint16_t)(gen | ratio << PS_RATIO_SHIFT);
}

static inline unsigned int ps_gen(uint16_t state)
{
	return state & PS_GEN_MASK;
}

static inline unsigned int ps_ratio(uint16_t state)
{
	return state >> PS_RATIO_SHIFT;
}

static inline unsigned int sig_pos(uint64_t pfn, unsigned int slot)
{
	if (slot == 0)
		return 0;
	if (slot == 1)
		return PAGE_SIZE / 8 - 1;
	return 1 + pfn * 7 % (PAGE_SIZE / 8 - 2);
}

/* The expected word at index i of page pfn in state (one it checks). */
static inline uint64_t sig_word(uint64_t pfn, uint16_t state, unsigned int i)
{
	uint64_t v;

	if (ps_ratio(state))
		return fill_word(pfn << 12, ps_gen(state), ps_ratio(state), i);
	v = fill_mix((pfn << 12) ^ ((uint64_t)ps_gen(state) << 52) ^
		     ((uint64_t)i << 40) ^ 0x766d6d2d73696721ULL);
	return v ? v : 1; /* never zero: a zero-filled page must fail */
}

static inline uint16_t sig_next_gen(uint16_t state)
{
	unsigned int gen = ps_gen(state) + 1;

	return ps_make(gen > PS_GEN_MASK ? 1 : gen, ps_ratio(state));
}

static inline void sig_write(uint64_t pfn, uint16_t state)
{
	uint64_t *p = (uint64_t *)(uintptr_t)(pfn << 12);

	if (ps_ratio(state)) {
		fill_page(p, pfn << 12, ps_gen(state), ps_ratio(state));
		return;
	}
	for (unsigned int s = 0; s < SIG_WORDS; s++) {
		unsigned int i = sig_pos(pfn, s);

		p[i] = sig_word(pfn, state, i);
	}
}

/* Returns true if good; else *off is the offset of the first bad byte. */
static inline bool sig_check(uint64_t pfn, uint16_t state, unsigned int *off)
{
	const volatile uint64_t *p = (const uint64_t *)(uintptr_t)(pfn << 12);
	int bad;

	if (ps_ratio(state)) {
		bad = fill_check(p, pfn << 12, ps_gen(state), ps_ratio(state));
		if (bad < 0)
			return true;
		*off = bad;
		return false;
	}
	/* In the order of the words, so the first bad one is reported. */
	for (unsigned int s = 0; s < SIG_WORDS; s++) {
		unsigned int i = s == 1 ? sig_pos(pfn, 2) :
				 s == 2 ? sig_pos(pfn, 1) :
					  0;
		uint64_t diff = p[i] ^ sig_word(pfn, state, i);

		if (diff) {
			*off = i * 8 + __builtin_ctzll(diff) / 8;
			return false;
		}
	}
	return true;
}

#endif /* GUEST_SIG_H */
