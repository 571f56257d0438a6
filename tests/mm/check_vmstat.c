// SPDX-License-Identifier: GPL-2.0
/* mm/vmstat.c, mm/trace.c, mm/gfp.c: reports in /proc formats, events. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/mm/compaction_test.h"

static char *capture(struct mm_pool *pool,
		     void (*show)(struct mm_pool *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	show(pool, f);
	fclose(f);
	return buf;
}

static int count_matches(const char *text, const char *re)
{
	regex_t r;
	int n = 0;
	const char *p = text;
	regmatch_t m;

	ck_assert_int_eq(regcomp(&r, re, REG_EXTENDED | REG_NEWLINE), 0);
	while (!regexec(&r, p, 1, &m, 0)) {
		n++;
		p += m.rm_eo;
	}
	regfree(&r);
	return n;
}

START_TEST(test_buddyinfo_format)
{
	struct mm_pool *pool = test_pool(32, 2, 4);
	char *s = capture(pool, mm_show_buddyinfo);

	/* "Node 0, zone   Normal      0 ... " with 11 orders, %6lu each. */
	ck_assert_int_eq(
		count_matches(
			s,
			"^Node [0-9]+, zone +(Normal|Movable) ( +[0-9]+ ){11}$"),
		4);
	ck_assert_ptr_nonnull(strstr(s, "Node 0, zone   Normal      0      0"));
	free(s);
	mm_pool_destroy(pool);
}
END_TEST

START_TEST(test_pagetypeinfo_format)
{
	struct mm_pool *pool = test_pool(32, 1, 0);
	char *s = capture(pool, mm_show_pagetypeinfo);

	ck_assert_ptr_nonnull(
		strstr(s, "Page block order: 9\nPages per block:  512\n\n"));
	ck_assert_int_eq(
		count_matches(
			s,
			"^Node +0, zone +Normal, type +(Unmovable|Movable|HighAtomic|Isolate) ( +[0-9]+ ){11}$"),
		4);
	ck_assert_ptr_nonnull(
		strstr(s, "Number of blocks type     Unmovable      Movable"));
	/* All 16 pageblocks start movable. */
	ck_assert_int_eq(
		count_matches(s, "^Node 0, zone +Normal +0 +16 +0 +0 $"), 1);
	free(s);
	mm_pool_destroy(pool);
}
END_TEST

START_TEST(test_zoneinfo_format)
{
	struct mm_pool *pool = test_pool(1024, 1, 0);
	char *s;

	/* This thread's pageset, once it has one. */
	__free_pages(pool, __alloc_pages(pool, GFP_VMM, 0, 0, NULL), 0);
	drain_all_pages(pool);
	s = capture(pool, mm_show_zoneinfo);

	ck_assert_ptr_nonnull(strstr(s, "Node 0, zone   Normal\n"));
	ck_assert_ptr_nonnull(strstr(s, "\n  pages free     262144\n"));
	ck_assert_ptr_nonnull(strstr(s, "\n        min      1024\n"));
	ck_assert_ptr_nonnull(strstr(s, "\n        low      1286\n"));
	ck_assert_ptr_nonnull(strstr(s, "\n        high     1548\n"));
	ck_assert_ptr_nonnull(strstr(s, "\n        protection: (0, 0)"));
	ck_assert_ptr_nonnull(strstr(s, "\n  start_pfn:           0\n"));
	/* A pageset per thread, numbered as Linux numbers CPUs. */
	ck_assert_int_eq(count_matches(s, "^    cpu: 0$"), 1);
	ck_assert_int_eq(count_matches(s, "^    cpu: 1$"), 0);
	/* Nothing printed that vmm does not measure. */
	ck_assert_ptr_null(strstr(s, "boost"));
	ck_assert_ptr_null(strstr(s, "cma"));
	ck_assert_ptr_null(strstr(s, "node_unreclaimable"));
	free(s);
	mm_pool_destroy(pool);
}
END_TEST

START_TEST(test_vmstat_counts)
{
	struct mm_pool *pool = test_pool(32, 1, 8);
	pfn_t p[5];
	char *s;

	for (int i = 0; i < 5; i++)
		p[i] = __alloc_pages(pool, i < 3 ? GFP_GUEST : GFP_VMM, 0, 0,
				     NULL);
	for (int i = 0; i < 5; i++)
		__free_pages(pool, p[i], 0);
	ck_assert_uint_eq(vm_event_sum(pool, PGALLOC_MOVABLE), 3);
	ck_assert_uint_eq(vm_event_sum(pool, PGALLOC_NORMAL), 2);
	ck_assert_uint_eq(vm_event_sum(pool, PGFREE), 5);
	s = capture(pool, mm_show_vmstat);
	ck_assert_ptr_nonnull(strstr(s, "\npgalloc_movable 3\n"));
	ck_assert_ptr_nonnull(strstr(s, "\npgalloc_normal 2\n"));
	ck_assert_ptr_nonnull(strstr(s, "\npgfree 5\n"));
	ck_assert_ptr_nonnull(strstr(s, "nr_free_pages "));
	/* Every counter is printed once, by its vmstat_text name. */
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++) {
		char key[64];

		snprintf(key, sizeof(key), "\n%s ", vmstat_text[i]);
		ck_assert_ptr_nonnull(strstr(s, key));
	}
	free(s);
	mm_pool_destroy(pool);
}
END_TEST

/* Frames in use, by a walk of the pool: the blocks handed out. */
static unsigned long frames_in_use(struct mm_pool *pool)
{
	unsigned long n = 0;

	for (pfn_t p = 0; p < pool->nr_frames;) {
		struct frame *f = &pool->frames[p];
		unsigned int step = 1;

		if (frame_state(f) == FRAME_INUSE) {
			step = 1U << f->order;
			n += step;
		} else if (frame_state(f) == FRAME_BUDDY) {
			step = 1U << f->order;
		}
		p += step;
	}
	return n;
}

/* What the trace saw of the entries the counters count. */
struct entries {
	unsigned long direct_reclaim, compact_ran, alloc_fail, oom;
};

static void see_entry(const struct trace_record *r, void *arg)
{
	struct entries *e = arg;

	e->direct_reclaim += r->type == TR_DIRECT_RECLAIM_BEGIN;
	e->compact_ran += r->type == TR_COMPACT_END &&
			  r->arg[1] != COMPACT_SKIPPED;
	e->alloc_fail += r->type == TR_ALLOC_FAIL;
	e->oom += r->type == TR_OOM;
}

/* Direct reclaim as a balloon would do it: guest 0 gives pages back. */
static unsigned long reclaim_batch;

static unsigned long fake_balloon_reclaim(void *priv, gfp_t gfp,
					  unsigned int order,
					  const struct alloc_context *ac)
{
	struct fake_guests *fg = priv;
	unsigned long got = 0;

	(void)gfp, (void)order, (void)ac;
	for (unsigned long p = 0; p < fg->g[0].npages && got < reclaim_batch;
	     p++)
		got += fake_guest_discard(fg, 0, p);
	return got;
}

/*
 * mm's counters against each other and against the trace, with fake
 * guests: direct compaction moving their pages, direct reclaim through a
 * fake balloon, an allocation that fails and one that calls the OOM
 * killer.  The KVM scenario's relations are in tests/vmm/check_counters.c.
 */
START_TEST(test_vmstat_relations)
{
	unsigned long ev[NR_VM_EVENT_ITEMS], before[NR_VM_EVENT_ITEMS], n;
	struct entries seen = { 0 };
	uint64_t pos, lost = 0;
	struct frag s;
	pfn_t block, *held;

	setup_fragmented(&s, MIB, GFP_GUEST);
	held = calloc(s.pool->nr_frames, sizeof(*held));
	s.pool->ops.direct_reclaim = fake_balloon_reclaim;
	trace_ring_set_events(
		&s.pool->trace,
		TRACE_BIT(TR_DIRECT_RECLAIM_BEGIN) | TRACE_BIT(TR_COMPACT_END) |
			TRACE_BIT(TR_ALLOC_FAIL) | TRACE_BIT(TR_OOM));
	pos = trace_ring_head(&s.pool->trace);
	trace_ring_enable(&s.pool->trace, true);
	/* The events from here on, as traced from here on. */
	all_vm_events(s.pool, before);

	/* Half the pool free, not one order-9 block: direct compaction
	 * moves guest pages to make one. */
	block = __alloc_pages(s.pool, GFP_GUEST, pageblock_order, 0, NULL);
	ck_assert_uint_ne(block, PFN_NONE);
	/* The pool full: a guest's fault reclaims directly. */
	n = test_fill(s.pool, GFP_NOWAIT | __GFP_NOWARN, 0, 0, held,
		      s.pool->nr_frames);
	reclaim_batch = 32;
	held[n] = __alloc_pages(s.pool, GFP_GUEST, 0, 0, NULL);
	ck_assert_uint_ne(held[n++], PFN_NONE);
	/* Nothing left to reclaim: an allocation that may fail does; one
	 * that may not calls the OOM killer (there is none) first. */
	reclaim_batch = 0;
	for (int i = 0; i < 2; i++) {
		gfp_t gfp = GFP_VMM | __GFP_NOWARN | (i ? 0 : __GFP_NORETRY);

		while ((held[n] = __alloc_pages(s.pool, gfp, 0, 0, NULL)) !=
		       PFN_NONE)
			n++;
	}

	all_vm_events(s.pool, ev);
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		ev[i] -= before[i];
	trace_ring_drain(&s.pool->trace, &pos, &lost, see_entry, &seen);
	ck_assert_uint_eq(lost, 0);
	/* Direct compaction: each stall succeeded or failed, as traced;
	 * each page moved was isolated, and so was its target. */
	ck_assert_uint_ge(ev[COMPACTSTALL], 1);
	ck_assert_uint_eq(ev[COMPACTSTALL],
			  ev[COMPACTSUCCESS] + ev[COMPACTFAIL]);
	ck_assert_uint_eq(ev[COMPACTSTALL], seen.compact_ran);
	ck_assert_uint_gt(ev[PGMIGRATE_SUCCESS], 0);
	ck_assert_uint_eq(ev[PGMIGRATE_SUCCESS], s.fg.moved);
	ck_assert_uint_le(2 * ev[PGMIGRATE_SUCCESS], ev[COMPACTISOLATED]);
	/* Entries into direct reclaim, failures, OOM calls, as traced. */
	ck_assert_uint_ge(ev[ALLOCSTALL_NORMAL] + ev[ALLOCSTALL_MOVABLE], 2);
	ck_assert_uint_eq(ev[ALLOCSTALL_NORMAL] + ev[ALLOCSTALL_MOVABLE],
			  seen.direct_reclaim);
	ck_assert_uint_ge(ev[ALLOC_FAIL], 2);
	ck_assert_uint_eq(ev[ALLOC_FAIL], seen.alloc_fail);
	ck_assert_uint_ge(ev[OOM_INVOKE], 1);
	ck_assert_uint_eq(ev[OOM_INVOKE], seen.oom);

	/* Every frame handed out, compaction's targets too, is in use
	 * until it is freed; with all of it back, none is. */
	ck_assert_uint_eq(vm_event_sum(s.pool, PGALLOC_NORMAL) +
				  vm_event_sum(s.pool, PGALLOC_MOVABLE) -
				  vm_event_sum(s.pool, PGFREE),
			  frames_in_use(s.pool));
	__free_pages(s.pool, block, pageblock_order);
	while (n)
		__free_pages(s.pool, held[--n], 0);
	free(held);
	fake_guests_destroy(&s.fg);
	ck_assert_uint_eq(frames_in_use(s.pool), 0);
	ck_assert_uint_eq(vm_event_sum(s.pool, PGALLOC_NORMAL) +
				  vm_event_sum(s.pool, PGALLOC_MOVABLE),
			  vm_event_sum(s.pool, PGFREE));
	ck_validate(s.pool);
	mm_pool_destroy(s.pool);
}
END_TEST

START_TEST(test_trace_events)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	pfn_t p;
	long n;

	/* Disabled: nothing recorded. */
	p = __alloc_pages(pool, GFP_VMM, 0, 0, NULL);
	__free_pages(pool, p, 0);
	trace_ring_enable(&pool->trace, true);
	p = __alloc_pages(pool, GFP_GUEST, 2, 0, NULL);
	__free_pages(pool, p, 2);
	test_fill(pool, GFP_VMM, 0, 0, NULL, ~0UL);
	f = open_memstream(&buf, &len);
	n = trace_ring_write(&pool->trace, f);
	fclose(f);
	ck_assert_int_gt(n, 4);
	ck_assert_int_eq(
		count_matches(
			buf,
			"^ts=[0-9]+ tid=[0-9]+ event=mm_page_alloc pfn=0x[0-9a-f]+ order=2 gfp=0x[0-9a-f]+ migratetype=1$"),
		1);
	ck_assert_int_eq(
		count_matches(
			buf,
			"^ts=[0-9]+ tid=[0-9]+ event=mm_page_free pfn=0x[0-9a-f]+ order=2$"),
		1);
	ck_assert_int_ge(count_matches(buf, "event=mm_slowpath_begin order=0"),
			 1);
	ck_assert_int_ge(
		count_matches(buf, "event=mm_watermark_breach node=0 zone=0"),
		1);
	ck_assert_int_eq(count_matches(buf, "event=mm_page_alloc_fail order=0"),
			 1);
	free(buf);
	mm_pool_destroy(pool);
}
END_TEST

/* The ring keeps the newest events, oldest first, once it wraps. */
START_TEST(test_trace_wrap)
{
	struct trace_ring tr;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_int_eq(trace_ring_init(&tr, 10), 0); /* rounds up to 16 */
	trace_ring_enable(&tr, true);
	for (uint64_t i = 0; i < 100; i++)
		trace_event(&tr, TR_PAGE_FREE, i, 0, 0, 0);
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(trace_ring_write(&tr, f), 16);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "pfn=0x54 "));
	ck_assert_ptr_null(strstr(buf, "pfn=0x53 "));
	ck_assert(strstr(buf, "pfn=0x54 ") < strstr(buf, "pfn=0x63 "));
	free(buf);
	trace_ring_destroy(&tr);
}
END_TEST

static void collect_pfn(const struct trace_record *r, void *arg)
{
	uint64_t **out = arg;

	*(*out)++ = r->arg[0];
}

/*
 * A reader that keeps up gets every event once, in order; one that falls
 * behind gets the newest and counts what it lost.
 */
START_TEST(test_trace_drain)
{
	struct trace_ring tr;
	uint64_t got[64], *p = got, pos = 0, lost = 0;

	ck_assert_int_eq(trace_ring_init(&tr, 16), 0);
	trace_ring_enable(&tr, true);
	for (uint64_t i = 0; i < 10; i++)
		trace_event(&tr, TR_PAGE_FREE, i, 0, 0, 0);
	ck_assert_int_eq(trace_ring_drain(&tr, &pos, &lost, collect_pfn, &p),
			 10);
	ck_assert_uint_eq(pos, 10);
	ck_assert_uint_eq(lost, 0);
	ck_assert_int_eq(trace_ring_drain(&tr, &pos, &lost, collect_pfn, &p),
			 0);
	/* 40 more into 16 slots: the reader at 10 lost 50 - 16 - 10. */
	for (uint64_t i = 10; i < 50; i++)
		trace_event(&tr, TR_PAGE_FREE, i, 0, 0, 0);
	ck_assert_int_eq(trace_ring_drain(&tr, &pos, &lost, collect_pfn, &p),
			 16);
	ck_assert_uint_eq(lost, 24);
	ck_assert_uint_eq(pos, 50);
	for (int i = 0; i < 10; i++)
		ck_assert_uint_eq(got[i], i);
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(got[10 + i], 34 + i);
	trace_ring_destroy(&tr);
}
END_TEST

/* A record a writer has claimed but not finished ends the drain there. */
START_TEST(test_trace_drain_unfinished)
{
	struct trace_ring tr;
	uint64_t got[8], *p = got, pos = 0, lost = 0;

	ck_assert_int_eq(trace_ring_init(&tr, 8), 0);
	trace_ring_enable(&tr, true);
	trace_event(&tr, TR_PAGE_FREE, 1, 0, 0, 0);
	trace_event(&tr, TR_PAGE_FREE, 2, 0, 0, 0);
	tr.buf->rec[1].seq = 0; /* as a writer of index 1 would leave it */
	ck_assert_int_eq(trace_ring_drain(&tr, &pos, &lost, collect_pfn, &p),
			 1);
	ck_assert_uint_eq(pos, 1);
	tr.buf->rec[1].seq = 2; /* ... until it is done */
	ck_assert_int_eq(trace_ring_drain(&tr, &pos, &lost, collect_pfn, &p),
			 1);
	ck_assert_uint_eq(got[1], 2);
	ck_assert_uint_eq(lost, 0);
	trace_ring_destroy(&tr);
}
END_TEST

/*
 * mm names its own events only (kswapd's among them: the reclaim engine
 * is mm's): the layers above register theirs, and an
 * id nobody registered prints as unknown, its values kept.
 */
START_TEST(test_trace_layers)
{
	static const struct trace_event_info mine[] = {
		{ "test_first", { "pfn", "n", NULL, NULL } },
		{ "test_second", { NULL, NULL, NULL, "flags" } },
	};
	const struct trace_events t = { NR_TRACE_EVENTS - 2, 2, mine };
	const struct trace_events past_end = { NR_TRACE_EVENTS - 1, 2, mine };
	const struct trace_events other = { NR_TRACE_EVENTS - 1, 1, mine };
	struct trace_ring tr;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_int_eq(trace_event_lookup("mm_page_free"), TR_PAGE_FREE);
	ck_assert_int_eq(trace_event_lookup("kswapd_wake"), TR_KSWAPD_WAKE);
	ck_assert_int_eq(trace_event_lookup("balloon_request"), -1);
	ck_assert_int_eq(trace_event_lookup("vmm_fault"), -1);
	ck_assert_int_eq(trace_event_lookup("test_first"), -1);
	ck_assert_str_eq(trace_event_name(NR_MM_TRACE_EVENTS), "unknown");

	ck_assert_int_eq(trace_register_events(&past_end), -EINVAL);
	ck_assert_int_eq(trace_register_events(&t), 0);
	ck_assert_int_eq(trace_register_events(&t), 0);
	ck_assert_int_eq(trace_register_events(&other), -EEXIST);
	ck_assert_int_eq(trace_event_lookup("test_second"),
			 NR_TRACE_EVENTS - 1);
	ck_assert_str_eq(trace_event_key(NR_TRACE_EVENTS - 2, 1), "n");

	ck_assert_int_eq(trace_ring_init(&tr, 16), 0);
	trace_ring_enable(&tr, true);
	trace_event(&tr, NR_TRACE_EVENTS - 2, 0x12, 3, 0, 0);
	trace_event(&tr, NR_TRACE_EVENTS - 1, 1, 2, 3, 0xff);
	trace_event(&tr, NR_TRACE_EVENTS - 3, 5, 6, 7, 8);
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(trace_ring_write(&tr, f), 3);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, " event=test_first pfn=0x12 n=3\n"));
	ck_assert_ptr_nonnull(strstr(buf, " event=test_second flags=0xff\n"));
	ck_assert_ptr_nonnull(
		strstr(buf, " event=unknown_61 arg0=5 arg1=6 arg2=7 arg3=8\n"));
	free(buf);
	trace_ring_destroy(&tr);
}
END_TEST

START_TEST(test_gfp_names)
{
	char b[128];

	ck_assert_str_eq(gfp_flags_str(GFP_GUEST, b, sizeof(b)), "GFP_GUEST");
	ck_assert_str_eq(gfp_flags_str(GFP_GUEST | __GFP_NOWARN, b, sizeof(b)),
			 "GFP_GUEST|__GFP_NOWARN");
	ck_assert_str_eq(gfp_flags_str(0, b, sizeof(b)), "0");
	ck_assert_str_eq(gfp_flags_str(1U << 30, b, sizeof(b)), "0x40000000");
}
END_TEST

Suite *vmstat_suite(void)
{
	Suite *s = suite_create("vmstat");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_buddyinfo_format);
	tcase_add_test(tc, test_pagetypeinfo_format);
	tcase_add_test(tc, test_zoneinfo_format);
	tcase_add_test(tc, test_vmstat_counts);
	tcase_add_test(tc, test_vmstat_relations);
	tcase_add_test(tc, test_trace_events);
	tcase_add_test(tc, test_trace_wrap);
	tcase_add_test(tc, test_trace_drain);
	tcase_add_test(tc, test_trace_drain_unfinished);
	tcase_add_test(tc, test_trace_layers);
	tcase_add_test(tc, test_gfp_names);
	suite_add_tcase(s, tc);
	return s;
}
