// SPDX-License-Identifier: GPL-2.0
/*
 * What the host tells: how each guest ended (host_reap()), the pool's
 * statistics, the periodic stats line, and the pool at the end.
 */
#include <inttypes.h>
#include <string.h>

#include "mm/compaction.h"
#include "vmm/guest_mem/guest_mem.h"
#include "swap/tier.h"
#include "vmm/host/balloon.h"
#include "vmm/host/cold.h"
#include "vmm/host/internal.h"
#include "vmm/kvm/kvm_stats.h"

static const char *integrity(const struct vm_summary *s)
{
	if (s->nr_corrupt || s->verify_bad)
		return "FAILED";
	return s->nr_verify ? "ok" : "not checked";
}

/* How KVM maps the guest (its own statistics), what migration and
 * collapse did to it, and what idle sampling found. */
static void print_guest_mappings(struct vmm_host *h, struct vm *vm,
				 const struct guest_mem_stats *ms, FILE *f)
{
	struct guest_mem *mem = vm->mem;
	struct kvm_page_stats ps;

	if (vm->vm_fd >= 0 && !kvm_vm_page_stats(vm->vm_fd, &ps))
		fprintf(f,
			"  kvm: %" PRIu64 " x 4 KiB, %" PRIu64
			" x 2 MiB, %" PRIu64
			" x 1 GiB mappings (%.1f%% of mapped memory in 2 MiB)\n",
			ps.pages_4k, ps.pages_2m, ps.pages_1g,
			100 * kvm_page_stats_2m_share(&ps));
	if (mem && (ms->swap_out || ms->swap_refused)) {
		struct host_guest_swap sw;

		pthread_mutex_lock(&h->lock);
		__host_vm_swap(h, vm, ms, &sw);
		pthread_mutex_unlock(&h->lock);
		fprintf(f,
			"  swap: %" PRIu64 " pages out, %" PRIu64
			" back in by faults (p50 %.1f us, p99 %.1f us), %" PRIu64
			" dropped unread, %" PRIu64 " refused; %" PRIu64
			" KiB there at the end\n",
			ms->swap_out, ms->swap_in,
			hist_percentile(&mem->swap_in_ns, 50) / 1e3,
			hist_percentile(&mem->swap_in_ns, 99) / 1e3,
			ms->swap_dropped, ms->swap_refused, ms->swapped * 4);
		/* Its share of the tier, and the refaults (vmstat's names). */
		fprintf(f,
			"  swap: stored %" PRIu64 " KiB compressed and %" PRIu64
			" KiB in the swap file; refaulted %" PRIu64 " KiB\n",
			sw.stored_bytes >> 10, sw.file_bytes >> 10,
			sw.refaulted_bytes >> 10);
	}
	if (mem && (ms->migrate_batches || ms->collapsed))
		fprintf(f,
			"  migration: %" PRIu64 " pages moved, %" PRIu64
			" not, %" PRIu64 " regions collapsed; %" PRIu64
			" pauses, p50 %.1f us, p99 %.1f us, max %.1f us\n",
			ms->migrated, ms->migrate_failed, ms->collapsed,
			ms->migrate_batches,
			hist_percentile(&mem->migrate_pause_ns, 50) / 1e3,
			hist_percentile(&mem->migrate_pause_ns, 99) / 1e3,
			__atomic_load_n(&mem->migrate_pause_ns.max,
					__ATOMIC_RELAXED) /
				1e3);
	if (mem && ms->idle_scanned)
		fprintf(f,
			"  idle sampling: %" PRIu64 " units looked at, %" PRIu64
			" found idle, %" PRIu64 " dropped\n",
			ms->idle_scanned, ms->idle_found, ms->idle_dropped);
}

static void print_guest_summary(struct vmm_host *h, struct vm *vm, FILE *f)
{
	struct guest_mem_stats ms = { 0 };
	struct vm_summary s;
	char detail[VM_DETAIL_MAX];
	enum vm_exit_reason why = vm_exit_reason(vm, detail, sizeof(detail));

	vm_get_summary(vm, &s);
	if (vm->mem)
		guest_mem_get_stats(vm->mem, &ms);
	fprintf(f, "guest %s (id %u): %s%s%s\n", vm->name, vm->id,
		vm_exit_reason_name(why), detail[0] ? ": " : "", detail);
	fprintf(f,
		"  memory: %" PRIu64 " MiB RAM, faulted in %" PRIu64
		" KiB (peak %" PRIu64 " KiB), %" PRIu64 " x 2 MiB, %" PRIu64
		" faults\n",
		vm->ram_size >> 20, ms.pages * 4, ms.peak_pages * 4,
		ms.huge_maps, ms.faults);
	fprintf(f,
		"  integrity: %s (%u verify, %" PRIu64
		" pages checked, %" PRIu64 " bad, %u corrupt)\n",
		integrity(&s), s.nr_verify, s.verify_checked, s.verify_bad,
		s.nr_corrupt);
	if (s.booted)
		fprintf(f,
			"  boot: %.3f ms to booted, %.3f ms to the first phase (%.3f ms since vmm started)\n",
			s.boot_ns / 1e6, s.first_phase_ns / 1e6,
			(vm->start_ns + s.first_phase_ns - h->start_ns) / 1e6);
	for (unsigned int i = 0; i < s.nr_phases && i < VM_MAX_PHASES; i++)
		fprintf(f, "  phase %-24.24s %10.3f ms %10" PRIu64 " KiB\n",
			s.phase[i].name, s.phase[i].ns / 1e6,
			s.phase[i].bytes >> 10);
	print_guest_mappings(h, vm, &ms, f);
}

/* What its balloon did, and the interrupts it raised. */
static void print_guest_balloon(struct vm *vm, struct vm_balloon *b, FILE *f)
{
	struct balloon_info bi;

	balloon_get_info(&b->vb, &bi);
	fprintf(f,
		"  balloon: %" PRIu64 " pages inflated, %" PRIu64
		" deflated, %" PRIu64 " MiB reported free, %" PRIu64
		" frames back to the pool, %" PRIu64
		" bad PFNs ignored, %s, notifications %s\n",
		bi.c.inflated_pages, bi.c.deflated_pages,
		bi.c.reported_bytes >> 20, bi.c.frames_freed,
		bi.c.bad_out_of_range + bi.c.bad_host_owned + bi.c.bad_pinned +
			bi.c.bad_already + bi.c.bad_not_inflated,
		bi.needs_reset ? "device needs reset" :
		bi.driver_ok   ? "driver ok" :
				 "no driver",
		b->ioeventfd_on ? "by ioeventfd" : "by MMIO exit");
	if (b->irq_efd >= 0) {
		struct vm_summary s;

		vm_get_summary(vm, &s);
		fprintf(f,
			"  interrupts: %" PRIu64
			" raised by irqfd on GSI %u (%" PRIu64
			" suppressed by the driver); the guest took %" PRIu64
			" (used buffers %" PRIu64 ", config %" PRIu64
			"); KVM_IRQFD took %.0f us\n",
			bi.transport.irqs, GUEST_VIRTIO_GSI,
			bi.transport.irqs_suppressed, s.irq_taken, s.irq_used,
			s.irq_config, b->irqfd_ns / 1e3);
	}
}

void host_report_guest(struct vmm_host *h, struct vm *vm, struct vm_balloon *b,
		       FILE *f)
{
	print_guest_summary(h, vm, f);
	if (b)
		print_guest_balloon(vm, b, f);
	if (vm->mem) {
		struct pool_footprint fp;

		/* While its mappings still exist: how much of the pool the
		 * host backs with hugepages. */
		if (!pool_footprint(h->pool, &fp))
			fprintf(f,
				"  host: pool %" PRIu64
				" MiB resident, %" PRIu64
				" MiB in host hugepages\n",
				fp.resident_bytes >> 20,
				fp.hugepage_bytes >> 20);
	}
}

static void node_stats(struct vmm_host *h, unsigned int nid,
		       struct host_node_stats *ns)
{
	struct pglist_data *pgdat = &h->pool->node_data[nid];

	ns->free = node_nr_free_pages(h->pool, nid);
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];

		for (int w = 0; w < NR_WMARK; w++)
			ns->wmark[w] += wmark_pages(zone, w);
		ns->offline += READ_ONCE(zone->nr_offline_pages);
	}
	ns->spanned = pgdat->node_spanned_pages;
	ns->frag_score = fragmentation_score_node(pgdat);
	if (h->reclaim_running)
		ns->deflated = reclaim_node_deflated(&h->reclaim, nid);
}

void host_get_stats(struct vmm_host *h, struct host_stats *st)
{
	struct mm_pool *pool = h->pool;

	memset(st, 0, sizeof(*st));
	st->pool_bytes = pool->size;
	st->nr_nodes = pool->nr_nodes < VMM_MAX_POOL_NODES ? pool->nr_nodes :
							     VMM_MAX_POOL_NODES;
	st->hugepages = pool->hugepages;
	st->free = mm_nr_free_pages(pool);
	st->nr_running = host_nr_running(h);
	if (READ_ONCE(pool->compact.proactiveness)) {
		st->frag_score_low = fragmentation_score_wmark(pool, true);
		st->frag_score_high = fragmentation_score_wmark(pool, false);
	}
	for (unsigned int nid = 0; nid < st->nr_nodes; nid++)
		node_stats(h, nid, &st->node[nid]);
	if (h->tier) {
		struct swap_tier_stats ts;

		swap_tier_get_stats(h->tier, &ts);
		st->tier = (struct host_tier_stats){
			.present = true,
			.swap_total = ts.swap_total,
			.swap_free = ts.swap_free,
			.zswap = ts.pool_pages,
			.zswapped = ts.stored,
			.in_file = ts.in_file,
		};
	}
}

unsigned int host_zone_stats(struct vmm_host *h, struct host_zone_stats *zs,
			     unsigned int max)
{
	struct mm_pool *pool = h->pool;
	unsigned int n = 0;

	for (unsigned int i = 0; i < pool->nr_zones && n < max; i++) {
		const struct zone *z = pool->zones[i];

		if (!populated_zone(z))
			continue;
		zs[n] = (struct host_zone_stats){
			.node = z->node,
			.name = z->name,
			.free = zone_page_state_free(z),
			.managed = zone_managed_pages(z),
			.returned = READ_ONCE(z->nr_returned_pages),
			.offline = READ_ONCE(z->nr_offline_pages),
		};
		for (int w = 0; w < NR_WMARK; w++)
			zs[n].wmark[w] = wmark_pages(z, w);
		n++;
	}
	return n;
}

void host_pool_latency(struct vmm_host *h, struct host_pool_latency *lat)
{
	hist_snapshot(&lat->direct_reclaim, &h->pool->direct_reclaim_ns);
	hist_snapshot(&lat->direct_compact, &h->pool->direct_compact_ns);
}

void host_print_stats_line(struct vmm_host *h, FILE *f)
{
	struct host_stats st;

	host_get_stats(h, &st);
	fprintf(f, "[%8.3f s]", (trace_clock_ns() - h->start_ns) / 1e9);
	for (unsigned int nid = 0; nid < st.nr_nodes; nid++) {
		const struct host_node_stats *ns = &st.node[nid];

		fprintf(f, " node%u free %lu MiB (min %lu low %lu high %lu)",
			nid, ns->free >> 8, ns->wmark[WMARK_MIN] >> 8,
			ns->wmark[WMARK_LOW] >> 8, ns->wmark[WMARK_HIGH] >> 8);
		if (ns->offline)
			fprintf(f, " offline %lu MiB", ns->offline >> 8);
	}
	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++) {
		struct guest_mem_stats ms;

		if (!h->vm[slot] || !h->vm[slot]->mem)
			continue;
		guest_mem_get_stats(h->vm[slot]->mem, &ms);
		fprintf(f, " | %s %" PRIu64 " MiB", h->vm[slot]->name,
			ms.pages >> 8);
	}
	pthread_mutex_unlock(&h->lock);
	fputc('\n', f);
	fflush(f);
}

/* One /proc/meminfo line: the name padded to 16 with its colon, kB. */
static void meminfo_line(FILE *f, const char *name, uint64_t pages)
{
	char label[24];

	snprintf(label, sizeof(label), "%s:", name);
	fprintf(f, "%-16s%8" PRIu64 " kB\n", label, pages << (PAGE_SHIFT - 10));
}

void host_show_meminfo(struct vmm_host *h, FILE *f)
{
	unsigned long managed = 0;
	struct host_stats st;

	host_get_stats(h, &st);
	for (unsigned int i = 0; i < h->pool->nr_zones; i++)
		managed += zone_managed_pages(h->pool->zones[i]);
	meminfo_line(f, "MemTotal", managed);
	meminfo_line(f, "MemFree", st.free);
	meminfo_line(f, "SwapTotal", st.tier.swap_total);
	meminfo_line(f, "SwapFree", st.tier.swap_free);
	meminfo_line(f, "Zswap", st.tier.zswap);
	meminfo_line(f, "Zswapped", st.tier.zswapped);
}

void host_print_pool_summary(struct vmm_host *h, FILE *f)
{
	static const enum vm_event_item shown[] = {
		PGALLOC_NORMAL,
		PGALLOC_MOVABLE,
		PGFREE,
		PGFAULT,
		THP_FAULT_ALLOC,
		THP_FAULT_FALLBACK,
		ALLOCSTALL_NORMAL,
		ALLOCSTALL_MOVABLE,
		PGSTEAL_KSWAPD,
		PGSTEAL_DIRECT,
		ALLOC_FAIL,
		OOM_INVOKE,
		EXTFRAG_FALLBACK,
		ZSWPOUT,
		ZSWPIN,
	};
	struct pool_footprint fp = { 0 };

	pool_footprint(h->pool, &fp);
	fprintf(f,
		"pool: %" PRIu64
		" MiB in %u node(s), %lu MiB free, host holds %" PRIu64
		" MiB (%" PRIu64 " MiB in host hugepages%s)\n",
		h->pool->size >> 20, h->pool->nr_nodes,
		mm_nr_free_pages(h->pool) >> 8, fp.resident_bytes >> 20,
		fp.hugepage_bytes >> 20,
		h->pool->hugepages ? "" : "; host hugepages unavailable");
	if (fp.offline_bytes || READ_ONCE(h->headroom.kills)) {
		unsigned long kills = READ_ONCE(h->headroom.kills);

		fprintf(f,
			"host limits: %" PRIu64
			" MiB of the pool offline (the host would not back it)",
			fp.offline_bytes >> 20);
		if (kills)
			fprintf(f,
				"; %lu guest(s) OOM-killed to take it offline",
				kills);
		fputc('\n', f);
	}
	if (h->tier) {
		struct swap_tier_stats ts;

		/* meminfo's Zswap (the store's memory) and Zswapped (what
		 * it holds, uncompressed). */
		swap_tier_get_stats(h->tier, &ts);
		fprintf(f, "cold tier: ");
		/* With a swap file, its size and free space as meminfo's
		 * SwapTotal and SwapFree. */
		if (h->swap_file)
			fprintf(f,
				"SwapTotal %" PRIu64 " kB, SwapFree %" PRIu64
				" kB, ",
				ts.swap_total * 4, ts.swap_free * 4);
		fprintf(f,
			"Zswap %" PRIu64 " kB, Zswapped %" PRIu64
			" kB; %" PRIu64 " pages stored, %" PRIu64
			" loaded, %" PRIu64 " refused (%" PRIu64
			" store full, %" PRIu64 " compressed poorly)\n",
			ts.pool_pages * 4, ts.stored * 4, ts.zswpout, ts.zswpin,
			ts.pool_limit_hit + ts.reject_compress_poor +
				ts.reject_alloc_fail + ts.reject_compress_fail,
			ts.pool_limit_hit, ts.reject_compress_poor);
		host_cold_show(h, f);
	}
	if (h->cfg.swap_proactive_ms) {
		uint64_t evicted = 0, backoffs = 0;

		for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++) {
			evicted += __atomic_load_n(&h->proactive[slot].evicted,
						   __ATOMIC_RELAXED);
			backoffs += __atomic_load_n(
				&h->proactive[slot].backoffs, __ATOMIC_RELAXED);
		}
		fprintf(f,
			"proactive: %" PRIu64
			" cold pages evicted ahead of need, %" PRIu64
			" times held back by a guest's stall\n",
			evicted, backoffs);
	}
	mm_show_buddyinfo(h->pool, f);
	for (size_t i = 0; i < ARRAY_SIZE(shown); i++)
		fprintf(f, "%s %lu\n", vmstat_text[shown[i]],
			vm_event_sum(h->pool, shown[i]));
}
