/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event counters, declared once: the enum and the names of /proc/vmstat
 * come from the same X-macro, and every printer (the /proc formats, the
 * control socket, the end-of-run summary, the overcommit report, the
 * metrics) walks it.  Each counter counts one thing in one unit; a name
 * Linux has means what Linux's counter of that name means, and vmm's own
 * have names Linux's /proc/vmstat does not use.  docs/counters.md says,
 * for every one, what it counts, in what unit, where, and how that
 * compares with Linux; a counter nothing here can fill is not declared.
 * Counters are per thread (no atomics on the hot path) and summed when
 * read, as Linux folds its per-cpu diffs.  Gauges (free pages and the
 * like) live in struct zone, not here.
 */
#ifndef MM_VMSTAT_H
#define MM_VMSTAT_H

#include <stdio.h>

#include "mm/types.h"

/* Linux's counters first, in the order of its /proc/vmstat; then vmm's. */
#define VM_EVENTS(X)                                                      \
	X(WORKINGSET_REFAULT_ANON, "workingset_refault_anon")             \
	X(WORKINGSET_ACTIVATE_ANON, "workingset_activate_anon")           \
	X(PSWPIN, "pswpin")                                               \
	X(PSWPOUT, "pswpout")                                             \
	X(PGALLOC_NORMAL, "pgalloc_normal")                               \
	X(PGALLOC_MOVABLE, "pgalloc_movable")                             \
	X(ALLOCSTALL_NORMAL, "allocstall_normal")                         \
	X(ALLOCSTALL_MOVABLE, "allocstall_movable")                       \
	X(PGFREE, "pgfree")                                               \
	X(PGFAULT, "pgfault")                                             \
	X(PGSTEAL_KSWAPD, "pgsteal_kswapd")                               \
	X(PGSTEAL_DIRECT, "pgsteal_direct")                               \
	X(PGSCAN_KSWAPD, "pgscan_kswapd")                                 \
	X(PGSCAN_DIRECT, "pgscan_direct")                                 \
	X(KSWAPD_LOW_WMARK_HIT_QUICKLY, "kswapd_low_wmark_hit_quickly")   \
	X(KSWAPD_HIGH_WMARK_HIT_QUICKLY, "kswapd_high_wmark_hit_quickly") \
	X(PAGEOUTRUN, "pageoutrun")                                       \
	X(OOM_KILL, "oom_kill")                                           \
	X(PGMIGRATE_SUCCESS, "pgmigrate_success")                         \
	X(PGMIGRATE_FAIL, "pgmigrate_fail")                               \
	X(COMPACTMIGRATE_SCANNED, "compact_migrate_scanned")              \
	X(COMPACTFREE_SCANNED, "compact_free_scanned")                    \
	X(COMPACTISOLATED, "compact_isolated")                            \
	X(COMPACTSTALL, "compact_stall")                                  \
	X(COMPACTFAIL, "compact_fail")                                    \
	X(COMPACTSUCCESS, "compact_success")                              \
	X(KCOMPACTD_WAKE, "compact_daemon_wake")                          \
	X(KCOMPACTD_MIGRATE_SCANNED, "compact_daemon_migrate_scanned")    \
	X(KCOMPACTD_FREE_SCANNED, "compact_daemon_free_scanned")          \
	X(THP_FAULT_ALLOC, "thp_fault_alloc")                             \
	X(THP_FAULT_FALLBACK, "thp_fault_fallback")                       \
	X(BALLOON_INFLATE, "balloon_inflate")                             \
	X(BALLOON_DEFLATE, "balloon_deflate")                             \
	X(ZSWPIN, "zswpin")                                               \
	X(ZSWPOUT, "zswpout")                                             \
	X(ZSWPWB, "zswpwb")                                               \
	X(ALLOC_FAIL, "alloc_fail")                                       \
	X(ALLOC_WARN, "alloc_warn")                                       \
	X(FAIL_PAGE_ALLOC, "fail_page_alloc")                             \
	X(OOM_INVOKE, "oom_invoke")                                       \
	X(EXTFRAG_FALLBACK, "extfrag_fallback")                           \
	X(EXTFRAG_STEAL_BLOCK, "extfrag_steal_block")                     \
	X(PCP_BULK_REFILL, "pcp_bulk_refill")                             \
	X(PCP_BULK_FREE, "pcp_bulk_free")                                 \
	X(PCP_DRAIN, "pcp_drain")                                         \
	X(POOL_PAGEBLOCK_RETURNED, "pool_pageblock_returned")             \
	X(POOL_PAGEBLOCK_REFAULT, "pool_pageblock_refault")               \
	X(POOL_BALLOON_FREED, "pool_balloon_freed")                       \
	X(POOL_REPORT_FREED, "pool_report_freed")

enum vm_event_item {
#define X(e, name) e,
	VM_EVENTS(X)
#undef X
		NR_VM_EVENT_ITEMS
};

extern const char *const vmstat_text[NR_VM_EVENT_ITEMS];

struct mm_pool;

void count_vm_events(struct mm_pool *pool, enum vm_event_item item,
		     unsigned long delta);
static inline void count_vm_event(struct mm_pool *pool, enum vm_event_item item)
{
	count_vm_events(pool, item, 1);
}

/* Sum of every thread's counts; exact when no thread is counting. */
void all_vm_events(struct mm_pool *pool, unsigned long *ret);
unsigned long vm_event_sum(struct mm_pool *pool, enum vm_event_item item);

/* Reports in the exact formats of the /proc files of the same names. */
void mm_show_buddyinfo(struct mm_pool *pool, FILE *f);
void mm_show_zoneinfo(struct mm_pool *pool, FILE *f);
void mm_show_pagetypeinfo(struct mm_pool *pool, FILE *f);
void mm_show_vmstat(struct mm_pool *pool, FILE *f);

#endif /* MM_VMSTAT_H */
