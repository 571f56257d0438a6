// SPDX-License-Identifier: GPL-2.0
/*
 * Trace events of every layer (mm/trace.h, balloon/trace.h,
 * vmm/guest_mem/trace.h, vmm/host/trace_events.h) in one ring: probes,
 * masks, names and keys as the trace format has always had them.  The
 * ring itself is tested with mm's events in the vmstat suite.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/host/trace_events.h"

struct probed {
	int n;
	enum trace_event_type type;
	uint64_t arg[4];
};

static void probe(void *priv, enum trace_event_type type, const uint64_t arg[4])
{
	struct probed *p = priv;

	p->n++;
	p->type = type;
	memcpy(p->arg, arg, sizeof(p->arg));
}

/*
 * A probe sees the events of its mask whether the ring records or not,
 * and only those; writing from an index leaves older events out.
 */
START_TEST(test_trace_probe_and_since)
{
	struct probed got = { 0 };
	struct trace_ring tr;
	char *buf = NULL;
	size_t len = 0;
	uint64_t since;
	FILE *f;

	ck_assert_int_eq(trace_ring_init(&tr, 64), 0);
	trace_set_probe(&tr, probe, &got);
	trace_event(&tr, TR_KSWAPD_WAKE, 1, 2, 3, 4);
	ck_assert_int_eq(got.n, 0); /* no mask yet */
	trace_set_probe_mask(&tr, TRACE_BIT(TR_KSWAPD_WAKE));
	trace_event(&tr, TR_PAGE_FREE, 9, 0, 0, 0);
	trace_event(&tr, TR_KSWAPD_WAKE, 1, 2, 3, 4);
	ck_assert_int_eq(got.n, 1);
	ck_assert_int_eq(got.type, TR_KSWAPD_WAKE);
	ck_assert_uint_eq(got.arg[3], 4);
	ck_assert_uint_eq(trace_ring_head(&tr), 0); /* the ring is off */

	trace_ring_enable(&tr, true);
	trace_event(&tr, TR_PAGE_FREE, 0x11, 0, 0, 0);
	since = trace_ring_head(&tr);
	trace_event(&tr, TR_PAGE_FREE, 0x22, 0, 0, 0);
	trace_event(&tr, TR_KSWAPD_WAKE, 5, 6, 7, 8);
	ck_assert_int_eq(got.n, 2);
	trace_ring_enable(&tr, false);
	trace_event(&tr, TR_KSWAPD_WAKE, 5, 6, 7, 8);
	ck_assert_int_eq(got.n, 3); /* the probe outlives the ring */
	trace_set_probe_mask(&tr, 0);
	trace_event(&tr, TR_KSWAPD_WAKE, 5, 6, 7, 8);
	ck_assert_int_eq(got.n, 3);

	f = open_memstream(&buf, &len);
	ck_assert_int_eq(trace_ring_write_since(&tr, since, f), 2);
	fclose(f);
	ck_assert_ptr_null(strstr(buf, "pfn=0x11"));
	ck_assert_ptr_nonnull(strstr(buf, "pfn=0x22"));
	ck_assert_ptr_nonnull(strstr(buf, "event=kswapd_wake node=5"));
	free(buf);
	trace_ring_destroy(&tr);
}
END_TEST

/* Masked-out event types are not recorded; names and keys look up. */
START_TEST(test_trace_mask_and_lookup)
{
	struct trace_ring tr;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_int_eq(trace_ring_init(&tr, 16), 0);
	trace_ring_enable(&tr, true);
	trace_ring_set_events(&tr, ~(1ULL << TR_PAGE_FREE));
	trace_event(&tr, TR_PAGE_FREE, 1, 0, 0, 0);
	trace_event(&tr, TR_FAULT, 3, 0x200000, 9, 1234);
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(trace_ring_write(&tr, f), 1);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(
		buf, " event=vmm_fault vm=3 gpa=0x200000 order=9 ns=1234\n"));
	free(buf);
	ck_assert_int_eq(trace_event_lookup("kswapd_sleep"), TR_KSWAPD_SLEEP);
	ck_assert_int_eq(trace_event_lookup("kswapd"), -1);
	ck_assert_str_eq(trace_event_key(TR_BALLOON_ACTUAL, 1), "actual");
	ck_assert_ptr_null(trace_event_key(TR_VM_STATE, 2));
	ck_assert_ptr_null(trace_event_key(NR_TRACE_EVENTS, 0));
	trace_ring_destroy(&tr);
}
END_TEST

/*
 * Every event keeps its name and keys, whichever layer declares it: what
 * trace files always said (tools/trace and scripts read them by name).
 */
static const struct trace_event_info every_event[] = {
	{ "mm_page_alloc", { "pfn", "order", "gfp", "migratetype" } },
	{ "mm_page_free", { "pfn", "order", NULL, NULL } },
	{ "mm_page_alloc_fail", { "order", "gfp", "nid", NULL } },
	{ "mm_watermark_breach", { "node", "zone", "free", "low" } },
	{ "mm_slowpath_begin", { "order", "gfp", "nid", "vm" } },
	{ "mm_slowpath_end", { "order", "pfn", "ns", NULL } },
	{ "mm_wakeup_kswapd", { "node", "order", "zone", NULL } },
	{ "mm_vmscan_direct_reclaim_begin", { "order", "gfp", NULL, NULL } },
	{ "mm_vmscan_direct_reclaim_end",
	  { "nr_reclaimed", "ns", "vm", NULL } },
	{ "mm_compaction_begin", { "order", "prio", NULL, NULL } },
	{ "mm_compaction_end", { "order", "result", "ns", "vm" } },
	{ "mm_compaction_zone_begin",
	  { "zone", "order", "migrate_pfn", "free_pfn" } },
	{ "mm_compaction_zone_end", { "zone", "result", "migrated", "ns" } },
	{ "mm_compaction_isolate_migratepages",
	  { "start_pfn", "end_pfn", "nr_scanned", "nr_taken" } },
	{ "mm_compaction_isolate_freepages",
	  { "start_pfn", "end_pfn", "nr_scanned", "nr_taken" } },
	{ "mm_compaction_migratepages",
	  { "nr", "nr_migrated", "nr_failed", "ns" } },
	{ "mm_compaction_suitable", { "zone", "order", "result", NULL } },
	{ "mm_compaction_deferred",
	  { "zone", "order", "considered", "defer_shift" } },
	{ "mm_compaction_defer_compaction",
	  { "zone", "order", "considered", "defer_shift" } },
	{ "mm_compaction_defer_reset",
	  { "zone", "order", "considered", "defer_shift" } },
	{ "mm_compaction_wakeup_kcompactd", { "node", "order", "zone", NULL } },
	{ "mm_compaction_kcompactd_wake",
	  { "node", "order", "zone", "score" } },
	{ "mm_compaction_kcompactd_sleep",
	  { "node", "score", "proactive_defer", NULL } },
	{ "mm_slowpath_retry",
	  { "order", "no_progress_loops", "compaction_retries", NULL } },
	{ "mm_oom", { "order", "gfp", "progress", NULL } },
	{ "mm_offline_pages", { "nr_pages", "nr_offline", NULL, NULL } },
	{ "mm_online_pages", { "nr_pages", "nr_offline", NULL, NULL } },
	{ "mm_page_alloc_extfrag",
	  { "pfn", "order", "fallback_mt", "stolen" } },
	{ "vmm_fault", { "vm", "gpa", "order", "ns" } },
	{ "kswapd_wake", { "node", "free", "low", "high" } },
	{ "kswapd_sleep", { "node", "free", "reclaimed", "ns" } },
	{ "balloon_request", { "vm", "target", "actual", NULL } },
	{ "balloon_done", { "vm", "pages", "ns", NULL } },
	{ "migrate_batch", { "vm", "pages", "pause_ns", "failed" } },
	{ "swap_out", { "vm", "pages", "refused", "ns" } },
	{ "swap_in", { "vm", "pages", "file", "ns" } },
	{ "oom_kill", { "vm", "frames", "badness", NULL } },
	{ "vm_state", { "vm", "state", NULL, NULL } },
	{ "balloon_actual", { "vm", "actual", "target", NULL } },
	{ "node_free", { "node", "free", "low", "high" } },
	{ "vm_mem", { "vm", "pages", "balloon", "target" } },
	{ "node_watermarks", { "node", "min", "low", "high" } },
	{ "balloon_deflate", { "vm", "node", "pages", "target" } },
};

START_TEST(test_trace_names_and_keys)
{
	unsigned int known = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(every_event); i++) {
		const struct trace_event_info *e = &every_event[i];
		int t = trace_event_lookup(e->name);

		ck_assert_msg(t >= 0, "%s is not known", e->name);
		ck_assert_str_eq(trace_event_name(t), e->name);
		for (unsigned int k = 0; k < 4; k++) {
			const char *key = trace_event_key(t, k);

			if (!e->key[k])
				ck_assert_msg(!key, "%s has key %s", e->name,
					      key);
			else
				ck_assert_msg(key && !strcmp(key, e->key[k]),
					      "%s: key %u is %s, not %s",
					      e->name, k, key ? key : "none",
					      e->key[k]);
		}
	}
	for (unsigned int t = 0; t < NR_TRACE_EVENTS; t++)
		known += !!strcmp(trace_event_name(t), "unknown");
	ck_assert_uint_eq(known, ARRAY_SIZE(every_event));
}
END_TEST

/* The layers' tables are registered once: again is fine, another is not. */
START_TEST(test_trace_register_again)
{
	static const struct trace_event_info other[] = {
		{ "not_kswapd", { "node", NULL, NULL, NULL } },
	};
	const struct trace_events taken = { TR_KSWAPD_SLEEP, 1, other };

	ck_assert_int_eq(host_trace_events_register(), 0);
	ck_assert_int_eq(host_trace_events_register(), 0);
	ck_assert_int_eq(trace_register_events(&reclaim_trace_events), 0);
	ck_assert_int_eq(trace_register_events(&taken), -EEXIST);
	ck_assert_str_eq(trace_event_name(TR_KSWAPD_SLEEP), "kswapd_sleep");
	ck_assert_int_eq(trace_event_lookup("not_kswapd"), -1);
}
END_TEST

Suite *trace_events_suite(void)
{
	Suite *s = suite_create("trace_events");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_trace_probe_and_since);
	tcase_add_test(tc, test_trace_mask_and_lookup);
	tcase_add_test(tc, test_trace_names_and_keys);
	tcase_add_test(tc, test_trace_register_again);
	suite_add_tcase(s, tc);
	return s;
}
