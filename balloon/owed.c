// SPDX-License-Identifier: GPL-2.0
/* Whose are the frames a balloon gives back (see owed.h). */
#include "balloon/owed.h"

void reclaim_owed_ask(struct reclaim_owed *o, enum reclaimer_id who,
		      unsigned long pages)
{
	__atomic_add_fetch(&o->pages[who], pages, __ATOMIC_RELAXED);
}

/* Take up to max from *p; what was taken. */
static unsigned long take(unsigned long *p, unsigned long max)
{
	unsigned long old = __atomic_load_n(p, __ATOMIC_RELAXED), n;

	do {
		n = old < max ? old : max;
	} while (n && !__atomic_compare_exchange_n(p, &old, old - n, false,
						   __ATOMIC_RELAXED,
						   __ATOMIC_RELAXED));
	return n;
}

void reclaim_owed_limit(struct reclaim_owed *o, unsigned long room)
{
	unsigned long owed =
		__atomic_load_n(&o->pages[RECLAIM_KSWAPD], __ATOMIC_RELAXED) +
		__atomic_load_n(&o->pages[RECLAIM_DIRECT], __ATOMIC_RELAXED);

	if (owed <= room)
		return;
	owed -= room;
	owed -= take(&o->pages[RECLAIM_KSWAPD], owed);
	take(&o->pages[RECLAIM_DIRECT], owed);
}

unsigned long reclaim_owed_pay(struct reclaim_owed *o, unsigned long pages,
			       enum reclaimer_id *who)
{
	static const enum reclaimer_id order[] = { RECLAIM_DIRECT,
						   RECLAIM_KSWAPD };

	for (unsigned int i = 0; i < NR_RECLAIMERS; i++) {
		unsigned long n = take(&o->pages[order[i]], pages);

		if (n) {
			*who = order[i];
			return n;
		}
	}
	return 0;
}
