/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fake guests for the compaction tests: each owns a gpa -> pfn map, fills
 * its pages with a signature through the pool mapping, and moves them when
 * compaction asks (a migrate_pages op that copies, remaps, moves the
 * reverse map and frees the old frame, under the guest's lock, as vmm/
 * does).  The op also checks compaction's side of the contract and
 * counts what it was asked.
 */
#ifndef TESTS_FAKE_GUEST_H
#define TESTS_FAKE_GUEST_H

#include <pthread.h>

#include "tests/mm/mm_test.h"

#define FAKE_GUESTS_MAX 8

struct fake_guest {
	uint16_t id; /* owner id, 1.. */
	unsigned long npages;
	pfn_t *map; /* page -> pfn, PFN_NONE: not backed; single stores */
	bool *pinned; /* page was faulted in pinned */
	pthread_mutex_t lock; /* map changes, page contents */
};

struct fake_guests {
	struct mm_pool *pool;
	struct fake_guest g[FAKE_GUESTS_MAX];
	unsigned int n;

	/* How the op behaves. */
	unsigned int fail_every; /* every Nth request: -EAGAIN (0: never) */
	bool free_on_fail; /* ... after its owner dropped the page */
	bool validate; /* mm_validate() at each call, targets in hand */
	unsigned int delay_us; /* each call takes this long (a slow owner) */

	/* What the op saw (atomics). */
	unsigned long calls, reqs, moved, eagain, ebusy;
	unsigned long max_batch;
	unsigned long saw_isolated; /* calls with other targets isolated */
	unsigned long down_moves; /* target below the source's pageblock */
	unsigned long violations; /* against the contract; first in why */
	char why[256];
};

/* n guests of npages each; registers migrate_pages and rmap_check. */
void fake_guests_init(struct fake_guests *fg, struct mm_pool *pool,
		      unsigned int n, unsigned long npages);
/* Free every page and the maps. */
void fake_guests_destroy(struct fake_guests *fg);

/* Back page of guest g with a new frame of gfp (its signature written);
 * pinned marks it FF_PINNED.  The pfn, or PFN_NONE. */
pfn_t fake_guest_fault(struct fake_guests *fg, unsigned int g,
		       unsigned long page, gfp_t gfp, bool pinned);
/* Give page back to the pool (a balloon discard); false if not backed. */
bool fake_guest_discard(struct fake_guests *fg, unsigned int g,
			unsigned long page);
/* Pages whose contents are not their signature. */
unsigned long fake_guests_verify(struct fake_guests *fg);
/* Pages backed, over all guests. */
unsigned long fake_guests_pages(struct fake_guests *fg);
/* Which guest page pfn backs, if any (under no lock: tests only). */
bool fake_guests_find(struct fake_guests *fg, pfn_t pfn, unsigned int *g,
		      unsigned long *page);

#define ck_no_violation(fg)                                                   \
	ck_assert_msg(__atomic_load_n(&(fg)->violations, __ATOMIC_RELAXED) == \
			      0,                                              \
		      "%lu contract violations, first: %s",                   \
		      __atomic_load_n(&(fg)->violations, __ATOMIC_RELAXED),   \
		      (fg)->why)

#endif
