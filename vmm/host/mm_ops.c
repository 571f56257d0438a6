// SPDX-License-Identifier: GPL-2.0
/*
 * The allocator's ops over the host's guests (internal.h): which guest
 * owns a frame, the OOM killer that stops one so the others live, and
 * reclaim passed on to the reclaim engine (mm/vmscan.h).  Page migration
 * is migrate.c's.
 */
#include <poll.h>
#include <stdio.h>

#include "mm/oom_kill.h"
#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/events.h"
#include "vmm/host/internal.h"
#include "vmm/host/trace_events.h"

/*
 * Runs under every mm lock: only lockless reads of the map.  A guest
 * being reaped is checked through h->dying (its frames go back under the
 * mm locks, so it outlives this walk while one is still its); one being
 * built cannot be: its mappings are not published yet.
 */
static bool host_rmap_check(void *priv, uint16_t owner, gpa_t g, pfn_t pfn)
{
	struct vmm_host *h = priv;
	struct vm *vm;

	if (owner > VMM_MAX_GUESTS)
		return false;
	vm = READ_ONCE(h->vm[owner]);
	if (!vm)
		vm = READ_ONCE(h->dying[owner]);
	if (!vm)
		return READ_ONCE(h->reserved[owner]);
	return vm->mem && guest_mem_maps(vm->mem, g.val, pfn);
}

/* How long the OOM killer waits for a victim's vCPUs to leave KVM_RUN. */
#define OOM_STOP_TIMEOUT_MS 2000

static void wait_stopped(struct vm *vm, int timeout_ms)
{
	struct pollfd p = { .fd = vm->stop_efd, .events = POLLIN };

	/* poll, not read: the main loop consumes the eventfd. */
	poll(&p, 1, timeout_ms);
}

/*
 * The allocator's OOM op: pick the VM with the most badness where memory
 * is needed, stop it, give every frame of it back at once, report.  The
 * allocation that got here retries.  Context: any allocating thread,
 * without mm locks; the victim may be the faulting guest itself.
 */
static bool host_out_of_memory(void *priv, const struct oom_control *oc)
{
	struct vmm_host *h = priv;
	struct oom_candidate c[VMM_MAX_GUESTS];
	struct vm *vms[VMM_MAX_GUESTS], *victim;
	struct oom_victim v;
	unsigned int n = 0;
	char gfp[128], why[HOST_EVENT_TEXT];
	bool killed;

	pthread_mutex_lock(&h->reap_lock);
	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++) {
		struct vm *vm = h->vm[slot];

		if (!vm || !vm->mem ||
		    READ_ONCE(((struct guest_mem *)vm->mem)->dead))
			continue;
		vms[n] = vm;
		c[n] = (struct oom_candidate){
			.owner = slot,
			.id = vm->id,
			.oom_score_adj = vm->spec.oom_score_adj,
			.name = vm->name,
			.swapents = __atomic_load_n(
				&((struct guest_mem *)vm->mem)->stats.swapped,
				__ATOMIC_RELAXED),
		};
		n++;
	}
	pthread_mutex_unlock(&h->lock);
	oom_select_victim(h->pool, oc, c, n, &v);
	oom_report(h->pool, oc, c, n, &v, h->oom_log);
	fflush(h->oom_log);
	if (v.index < 0) {
		pthread_mutex_unlock(&h->reap_lock);
		return v.wait;
	}
	victim = vms[v.index];
	if (oc->offline_pages)
		snprintf(
			why, sizeof(why),
			"for the host's memory limit (%lu MiB more of the pool must go offline)",
			(oc->offline_pages + 255) >> 8);
	else
		snprintf(why, sizeof(why), "for an order-%u %s allocation",
			 oc->order,
			 gfp_flags_str(oc->gfp_mask, gfp, sizeof(gfp)));
	vm_stop(victim, VM_EXIT_OOM_KILL,
		"killed by the OOM killer: %lu frames, badness %ld, oom_score_adj %d, %s",
		c[v.index].total_frames, c[v.index].points,
		c[v.index].oom_score_adj, why);
	/* A victim that was ending by itself keeps its own reason: its
	 * memory goes back now all the same, but it was not a kill. */
	killed = vm_exit_reason(victim, NULL, 0) == VM_EXIT_OOM_KILL;
	if (killed) {
		count_vm_event(h->pool, OOM_KILL);
		if (oc->offline_pages)
			__atomic_fetch_add(&h->headroom.kills, 1,
					   __ATOMIC_RELAXED);
	}
	wait_stopped(victim, OOM_STOP_TIMEOUT_MS);
	guest_mem_reap(victim->mem);
	if (killed) {
		trace_event(&h->pool->trace, TR_OOM_KILL, victim->id,
			    c[v.index].total_frames, c[v.index].points, 0);
		host_event_oom_kill(h, victim, c[v.index].total_frames,
				    c[v.index].points, oc->order, why);
	}
	/* Only now may host_reap() report the victim stopped (it waits for
	 * reap_lock): OOM_KILL comes first. */
	pthread_mutex_unlock(&h->reap_lock);
	return true;
}

/* The allocator's reclaim ops, passed on to the reclaim engine. */
static void host_wake_kswapd(void *priv, int nid, unsigned int order,
			     enum zone_type highest_zoneidx)
{
	struct vmm_host *h = priv;

	vmscan_wake_kswapd(&h->vmscan, nid, order, highest_zoneidx);
}

static unsigned long host_direct_reclaim(void *priv, gfp_t gfp,
					 unsigned int order,
					 const struct alloc_context *ac)
{
	struct vmm_host *h = priv;

	return vmscan_direct_reclaim(&h->vmscan, gfp, order, ac);
}

static unsigned long host_zone_reclaimable(void *priv, struct zone *zone)
{
	struct vmm_host *h = priv;

	return vmscan_zone_reclaimable_pages(&h->vmscan, zone);
}
void host_set_mm_ops(struct vmm_host *h)
{
	struct mm_ops ops = {
		.priv = h,
		.rmap_check = host_rmap_check,
		.out_of_memory = host_out_of_memory,
	};

	host_migrate_init(&ops);
	if (h->reclaim_running) {
		ops.wake_kswapd = host_wake_kswapd;
		ops.direct_reclaim = host_direct_reclaim;
		ops.zone_reclaimable_pages = host_zone_reclaimable;
	}
	mm_set_ops(h->pool, &ops);
}
