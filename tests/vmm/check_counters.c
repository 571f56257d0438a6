// SPDX-License-Identifier: GPL-2.0
/*
 * vmstat's counters against each other and against what the guests, their
 * balloons and the trace saw, after a real overcommit scenario (KVM): each
 * relation docs/counters.md states that holds exactly is asserted here,
 * once.  mm's own relations are checked with fake guests in check_mm
 * (tests/mm/check_vmstat.c).
 */
#include <unistd.h>

#include "balloon/trace.h"
#include "mm/compaction.h"
#include "tests/mm/mm_test.h"
#include "swap/tier.h"
#include "tests/vmm/host_test.h"
#include "vmm/guest_mem/trace.h"
#include "vmm/host/swap.h"

#define NGUESTS 3

/* The test is left out of ThreadSanitizer builds (counters_suite()),
 * and with it its helpers. */
#ifndef __SANITIZE_THREAD__

/* What the trace saw of the events the counters count. */
struct seen {
	unsigned long type[NR_TRACE_EVENTS];
	unsigned long huge_faults; /* vmm_fault order=9 */
	unsigned long compact_ran; /* mm_compaction_end result!=skipped */
	unsigned long kcompactd_asked; /* kcompactd_wake order>0 */
};

static void see(const struct trace_record *rec, void *arg)
{
	struct seen *s = arg;

	if (rec->type >= NR_TRACE_EVENTS)
		return;
	s->type[rec->type]++;
	if (rec->type == TR_FAULT && rec->arg[2] == pageblock_order)
		s->huge_faults++;
	if (rec->type == TR_COMPACT_END && rec->arg[1] != COMPACT_SKIPPED)
		s->compact_ran++;
	/* Woken for an order; a proactive round says order 0. */
	if (rec->type == TR_KCOMPACTD_WAKE && rec->arg[1])
		s->kcompactd_asked++;
}

/* The guests' own counts, summed. */
struct guests {
	uint64_t faults, wp_faults, pages, migrated;
	uint64_t inflated, deflated, frames_freed;
	unsigned int oom_killed;
};

static void sum_guests(struct vmm_host *h, const unsigned int *id,
		       struct guests *g)
{
	memset(g, 0, sizeof(*g));
	for (int i = 0; i < NGUESTS; i++) {
		struct host_guest_info gi;

		ck_assert_int_eq(host_guest_info(h, id[i], &gi), 0);
		ck_assert(gi.has_balloon);
		g->faults += gi.mem.faults;
		g->wp_faults += gi.mem.wp_faults;
		g->pages += gi.mem.pages;
		g->migrated += gi.mem.migrated;
		g->inflated += gi.balloon.c.inflated_pages;
		g->deflated += gi.balloon.c.deflated_pages;
		g->frames_freed += gi.balloon.c.frames_freed;
		g->oom_killed += gi.why == VM_EXIT_OOM_KILL;
	}
}

/*
 * A quiet moment: the trace and the guests read after the counters stood
 * still for 100 ms, and the counters the same after (kswapd may still
 * look at the stopped guests, kcompactd move their pages, a fault thread
 * finish a fault it took before its guest stopped).
 */
static void snapshot(struct vmm_host *h, const unsigned int *id,
		     unsigned long *ev, struct guests *g, struct seen *s,
		     uint64_t *pos)
{
	struct trace_ring *ring = host_trace_ring(h);
	unsigned long again[NR_VM_EVENT_ITEMS];
	uint64_t lost = 0;

	all_vm_events(h->pool, ev);
	for (int i = 0;; i++) {
		ck_assert_msg(i < 100, "the counters never settle");
		usleep(100000);
		trace_ring_drain(ring, pos, &lost, see, s);
		sum_guests(h, id, g);
		all_vm_events(h->pool, again);
		if (!memcmp(ev, again, sizeof(again)))
			break;
		memcpy(ev, again, sizeof(again));
	}
	ck_assert_msg(lost == 0, "%lu trace events lost", (unsigned long)lost);
}

#define ck_eq(a, b)                                         \
	ck_assert_msg((a) == (b), "%s = %lu, %s = %lu", #a, \
		      (unsigned long)(a), #b, (unsigned long)(b))
#define ck_le(a, b)                                          \
	ck_assert_msg((a) <= (b), "%s = %lu > %s = %lu", #a, \
		      (unsigned long)(a), #b, (unsigned long)(b))

/*
 * Three 160 MiB guests on a 256 MiB pool of two nodes, one after another:
 * the first two touch 120 MiB and free most of it, the third touches
 * 120 MiB while they hold.  Both nodes' kswapd and direct reclaim take
 * memory back through the balloons at the same time, faults fall back
 * from 2 MiB blocks, and compaction and collapse move pages to make them
 * again.  About three seconds.
 */
START_TEST(test_counters_agree)
{
	static const char *const script[NGUESTS] = {
		"touch 120M; free 110M; hold 1500ms; touch 30M; verify",
		"sleep 600ms; touch 120M; free 110M; hold 1s; touch 30M; verify",
		"sleep 1200ms; touch 120M; verify",
	};
	struct vmm_config cfg = { .pool_bytes = 256 << 20, .nr_nodes = 2 };
	unsigned long ev[NR_VM_EVENT_ITEMS];
	struct vmm_host *h = test_host_cfg(&cfg);
	struct trace_ring *ring = host_trace_ring(h);
	struct seen seen = { { 0 } };
	struct swap_tier_stats tier;
	unsigned int id[NGUESTS];
	uint64_t pos = trace_ring_head(ring);
	struct guests g;
	char name[8];

	trace_ring_set_events(ring, TRACE_BIT(TR_FAULT) |
					    TRACE_BIT(TR_KSWAPD_WAKE) |
					    TRACE_BIT(TR_DIRECT_RECLAIM_BEGIN) |
					    TRACE_BIT(TR_COMPACT_END) |
					    TRACE_BIT(TR_KCOMPACTD_WAKE));
	trace_ring_enable(ring, true);
	for (int i = 0; i < NGUESTS; i++) {
		snprintf(name, sizeof(name), "g%d", i);
		id[i] = test_launch(h, name, 160, 1, 1, script[i], 0);
	}
	for (int i = 0; i < NGUESTS; i++) {
		enum vm_exit_reason why;
		struct vm_summary s;

		why = test_wait_guest(h, id[i], &s);
		ck_assert_msg(why == VM_EXIT_GUEST_EXIT, "g%d: %s", i,
			      vm_exit_reason_name(why));
		ck_assert_uint_eq(s.verify_bad, 0);
	}
	snapshot(h, id, ev, &g, &seen, &pos);

	/* The scenario did what it is for. */
	ck_assert_uint_gt(ev[PGSTEAL_KSWAPD] + ev[PGSTEAL_DIRECT], 0);
	ck_assert_uint_gt(ev[PAGEOUTRUN], 0);
	ck_assert_uint_gt(ev[THP_FAULT_ALLOC], 0);

	/* Faults: one per userfaultfd event, and the 2 MiB ones traced. */
	ck_eq(ev[PGFAULT], g.faults + g.wp_faults);
	ck_eq(ev[THP_FAULT_ALLOC], seen.huge_faults);

	/* Frames: every one allocated is in use until freed, by a guest
	 * or by the cold tier's store. */
	ck_assert_int_eq(host_swap_get_stats(h, &tier), 0);
	ck_eq(ev[PGALLOC_NORMAL] + ev[PGALLOC_MOVABLE] - ev[PGFREE],
	      g.pages + tier.pool_pages);
	/* The tier's pages: stored less loaded back less dropped unread is
	 * what it holds (no swap file here). */
	ck_eq(ev[ZSWPOUT] - ev[ZSWPIN] - tier.invalidated, tier.stored);

	/* Balloons: pages in and out as the devices counted them; the
	 * frames they gave back, by inflation or by reporting. */
	ck_eq(ev[BALLOON_INFLATE], g.inflated);
	ck_eq(ev[BALLOON_DEFLATE], g.deflated);
	ck_eq(ev[POOL_BALLOON_FREED] + ev[POOL_REPORT_FREED], g.frames_freed);

	/* Reclaim: what each reclaimer got, out of what it asked; both out
	 * of what inflation gave back and the cold tier took (a page into
	 * the store, or straight to the file, frees its frame). */
	ck_le(ev[PGSTEAL_KSWAPD], ev[PGSCAN_KSWAPD]);
	ck_le(ev[PGSTEAL_DIRECT], ev[PGSCAN_DIRECT]);
	ck_le(ev[PGSTEAL_KSWAPD] + ev[PGSTEAL_DIRECT],
	      ev[POOL_BALLOON_FREED] + ev[ZSWPOUT] + ev[PSWPOUT]);

	/* kswapd: a run per wake-up, at most one quick hit per run. */
	ck_eq(ev[PAGEOUTRUN], seen.type[TR_KSWAPD_WAKE]);
	ck_le(ev[KSWAPD_LOW_WMARK_HIT_QUICKLY] +
		      ev[KSWAPD_HIGH_WMARK_HIT_QUICKLY],
	      ev[PAGEOUTRUN]);

	/* Direct reclaim and compaction entries, as traced. */
	ck_eq(ev[ALLOCSTALL_NORMAL] + ev[ALLOCSTALL_MOVABLE],
	      seen.type[TR_DIRECT_RECLAIM_BEGIN]);
	ck_eq(ev[COMPACTSTALL], seen.compact_ran);
	ck_eq(ev[COMPACTSTALL], ev[COMPACTSUCCESS] + ev[COMPACTFAIL]);
	ck_eq(ev[KCOMPACTD_WAKE], seen.kcompactd_asked);
	ck_le(ev[KCOMPACTD_MIGRATE_SCANNED], ev[COMPACTMIGRATE_SCANNED]);
	ck_le(ev[KCOMPACTD_FREE_SCANNED], ev[COMPACTFREE_SCANNED]);

	/* Migration, as the guests counted the pages they had moved. */
	ck_eq(ev[PGMIGRATE_SUCCESS], g.migrated);

	/* The OOM killer. */
	ck_eq(ev[OOM_KILL], g.oom_killed);
	ck_le(ev[OOM_KILL], ev[OOM_INVOKE]);

	/* Every guest gone, every frame free again. */
	for (int i = 0; i < NGUESTS; i++)
		host_reap(h, id[i]);
	all_vm_events(h->pool, ev);
	ck_eq(ev[PGALLOC_NORMAL] + ev[PGALLOC_MOVABLE], ev[PGFREE]);
	test_host_done(h);
}
END_TEST
#endif

Suite *counters_suite(void)
{
	Suite *s = suite_create("counters");
	TCase *tc = tcase_create("kvm");

	tcase_set_timeout(tc, 60);
#ifdef __SANITIZE_THREAD__
	/* As balloon_suite(): reclaim cannot keep up with guests at full
	 * speed when ThreadSanitizer slows every host thread. */
	printf("SKIP: counters after an overcommit scenario: its timing assumes an uninstrumented host (ThreadSanitizer build)\n");
#else
	tcase_add_test(tc, test_counters_agree);
#endif
	suite_add_tcase(s, tc);
	return s;
}
