// SPDX-License-Identifier: GPL-2.0
/*
 * How a round's need is split among the shrinkers (vmscan.h): a pure
 * function, so that it is tested without threads.
 */
#include "mm/vmscan.h"

unsigned long vmscan_split(unsigned long need, const unsigned long *count,
			   unsigned int n, unsigned long *ask)
{
	unsigned long total = 0;

	/*
	 * Cheapest first, each for all it can give: a cheaper page is
	 * never left for a dearer one (a page the guest gives costs it
	 * nothing; a swapped one costs a fault later).
	 */
	for (unsigned int i = 0; i < n; i++) {
		ask[i] = count[i] < need - total ? count[i] : need - total;
		total += ask[i];
	}
	return total;
}
