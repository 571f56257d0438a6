/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Proactive eviction into the cold tier, as Meta's Senpai does it with
 * memory.high: at each pass of the cold page scanner, every guest whose
 * memory stall (its PSI some total, the stall its vCPUs had waiting for
 * memory) grew by less than --swap-proactive per 6 s since the last pass
 * gives a step of its cold pages (untouched for the cold age) to the
 * tier, before any pressure asks for them; a guest that stalled more is
 * left alone until it stalls less.  The memory freed is there for the
 * next guest that grows, without a reclaim stall.
 *
 * Context: the cold scanner's thread (cold.c).
 */
#ifndef VMM_HOST_PROACTIVE_H
#define VMM_HOST_PROACTIVE_H

#include <stdint.h>

struct vmm_host;

/* Pages a step takes at most, and at least (of a guest's backed pages:
 * PROACTIVE_STEP_PCT per cent). */
#define PROACTIVE_STEP_PCT 1
#define PROACTIVE_STEP_MIN 256
#define PROACTIVE_STEP_MAX 4096

/* One round over the guests, now (ns, trace clock). */
void host_swap_proactive(struct vmm_host *h, uint64_t now);

#endif /* VMM_HOST_PROACTIVE_H */
