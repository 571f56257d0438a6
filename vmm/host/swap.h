/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's cold tier (swap/tier.h): made with the host when the
 * compressed store has room (--swap-store), handed to every guest it
 * launches, and the reclaimer that evicts guests' pages into it.
 */
#ifndef VMM_HOST_SWAP_H
#define VMM_HOST_SWAP_H

#include <stddef.h>

struct swap_tier_stats;
struct vmm_host;

/* The tier as the options say (none with --swap-store 0).  0 or -errno
 * with a message in err. */
int host_swap_start(struct vmm_host *h, char *err, size_t errlen);
/* Context: every guest is gone (their copies freed). */
void host_swap_stop(struct vmm_host *h);
/*
 * Evict up to nr pages of guest memory whose frames are on pool node nid
 * (-1: any) into the tier, from the quietest guests first (fewest faults
 * since reclaim last looked; the guest whose fault reclaims last): the
 * frames freed.  Context: kswapd or direct reclaim, no
 * host lock held.
 */
unsigned long host_swap_reclaim(struct vmm_host *h, int nid, unsigned long nr);

/* The tier as a reclaimer of mm's engine (h->vmscan, initialised), after
 * the balloon's shrinker: 0 (nothing to do without a tier) or -errno. */
int host_swap_register(struct vmm_host *h);
void host_swap_unregister(struct vmm_host *h);
/* The tier's state and events (swap/tier.h): 0, or -ENOENT without a
 * tier.  Any thread. */
int host_swap_get_stats(struct vmm_host *h, struct swap_tier_stats *st);
/* The tier itself, NULL: none (benchmarks store pages of their own). */
struct swap_tier *host_swap_tier(struct vmm_host *h);

#endif /* VMM_HOST_SWAP_H */
