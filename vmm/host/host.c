// SPDX-License-Identifier: GPL-2.0
/* The host: the pool, its guests, and how they ended. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mm/compaction.h"
#include "mm/oom_kill.h"
#include "util/errf.h"
#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/host.h"
#include "vmm/host/balloon.h"
#include "vmm/host/events.h"
#include "vmm/host/limits.h"
#include "vmm/host/trace_events.h"
#include "util/sysctl.h"
#include "vmm/kvm/kvm_stats.h"

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

/* The allocator's reclaim ops, passed on to the reclaimer. */
static void host_wake_kswapd(void *priv, int nid, unsigned int order,
			     enum zone_type highest_zoneidx)
{
	struct vmm_host *h = priv;

	reclaim_wake_kswapd(&h->reclaim, nid, order, highest_zoneidx);
}

static unsigned long host_direct_reclaim(void *priv, gfp_t gfp,
					 unsigned int order,
					 const struct alloc_context *ac)
{
	struct vmm_host *h = priv;

	return reclaim_direct(&h->reclaim, gfp, order, ac);
}

static unsigned long host_zone_reclaimable(void *priv, struct zone *zone)
{
	struct vmm_host *h = priv;

	return reclaim_zone_reclaimable_pages(&h->reclaim, zone);
}

/* kcompactd per node with the configured knobs, and the collapse thread. */
static int host_compaction_start(struct vmm_host *h, char *err, size_t errlen)
{
	const struct vmm_config *cfg = &h->cfg;
	struct compact_tunables t = h->pool->compact;
	int ret;

	if (cfg->proactiveness_set)
		t.proactiveness = cfg->proactiveness;
	if (cfg->extfrag_threshold)
		t.extfrag_threshold = cfg->extfrag_threshold;
	if (cfg->compact_batch)
		t.batch = cfg->compact_batch;
	ret = compaction_set_tunables(h->pool, &t);
	if (ret)
		return errf(err, errlen, ret, "compaction settings: %s",
			    strerror(-ret));
	ret = kcompactd_run(h->pool);
	if (ret)
		return errf(err, errlen, ret, "starting kcompactd: %s",
			    strerror(-ret));
	if (!cfg->collapse_off) {
		ret = host_khugepaged_start(h);
		if (ret) {
			kcompactd_stop(h->pool);
			return errf(err, errlen, ret,
				    "starting the collapse thread: %s",
				    strerror(-ret));
		}
	}
	return 0;
}

int host_create(const struct vmm_config *cfg, struct vmm_host **out, char *err,
		size_t errlen)
{
	struct mm_config mc = {
		.pool_bytes = cfg->pool_bytes,
		.nr_nodes = cfg->nr_nodes,
		.movable_bytes = cfg->movable_bytes,
		.min_free_kbytes = cfg->min_free_kbytes,
		.watermark_scale_factor = cfg->watermark_scale_factor,
		.hugepages = cfg->hugepages,
		.trace_events = cfg->trace_events,
	};
	struct mm_ops ops = {
		.rmap_check = host_rmap_check,
		.out_of_memory = host_out_of_memory,
	};
	struct vmm_host *h;
	int ret;

	*out = NULL;
	BUILD_BUG_ON(VMM_MAX_POOL_NODES > MAX_NUMNODES);
	ret = host_trace_events_register();
	if (ret)
		return errf(err, errlen, ret, "trace events: %s",
			    strerror(-ret));
	memcpy(mc.distance, cfg->distance, sizeof(cfg->distance));
	h = calloc(1, sizeof(*h));
	if (!h)
		return errf(err, errlen, -ENOMEM, "no memory");
	h->cfg = *cfg;
	h->out = stdout;
	h->start_ns = trace_clock_ns();
	h->next_id = 1;
	h->oom_log = stderr;
	h->warn_log = stderr;
	vcpu_load_init(&h->vcpu_load, 0);
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->reap_lock, NULL);
	pthread_mutex_init(&h->collapse_lock, NULL);
	if (!cfg->host_limits_off) {
		ret = host_limits_fit_pool(cfg, &mc.pool_bytes, h->pool_note,
					   sizeof(h->pool_note), err, errlen);
		if (ret)
			goto err_free;
		h->cfg.pool_bytes = mc.pool_bytes;
	}
	ret = mm_pool_create(&mc, &h->pool, err, errlen);
	if (ret)
		goto err_free;
	ops.priv = h;
	host_events_init(h);
	if (cfg->trace_path) {
		ret = host_trace_start(h, cfg->trace_path, HOST_TRACE_REPLACE,
				       err, errlen);
		if (ret)
			goto err_pool;
	}
	host_migrate_init(&ops);
	if (!cfg->balloon_off) {
		ret = host_reclaim_start(h);
		if (ret) {
			errf(err, errlen, ret, "starting kswapd: %s",
			     strerror(-ret));
			goto err_trace;
		}
		ops.wake_kswapd = host_wake_kswapd;
		ops.direct_reclaim = host_direct_reclaim;
		ops.zone_reclaimable_pages = host_zone_reclaimable;
	}
	mm_set_ops(h->pool, &ops);
	if (!cfg->compaction_off) {
		ret = host_compaction_start(h, err, errlen);
		if (ret)
			goto err_reclaim;
	}
	if (!cfg->host_limits_off) {
		ret = host_headroom_start(h);
		if (ret) {
			errf(err, errlen, ret,
			     "starting the host limits thread: %s",
			     strerror(-ret));
			goto err_compaction;
		}
	}
	host_ensure_max_map_count(
		host_map_count_for(mc.pool_bytes >> PAGE_SHIFT), false);
	*out = h;
	return 0;
err_compaction:
	host_khugepaged_stop(h);
	kcompactd_stop(h->pool);
err_reclaim:
	host_reclaim_stop(h);
err_trace:
	if (host_trace_path(h)) {
		struct host_trace_result res;

		host_trace_stop(h, &res, NULL);
	}
err_pool:
	mm_pool_destroy(h->pool);
err_free:
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->reap_lock);
	pthread_mutex_destroy(&h->collapse_lock);
	free(h);
	return ret;
}

static int load_image(const struct guest_spec *spec, void **image, size_t *len,
		      char *err, size_t errlen)
{
	struct stat st;
	void *buf;
	int fd;

	if (!spec->kernel_path) {
		*image = (void *)guest_image_start;
		*len = guest_image_end - guest_image_start;
		return 0;
	}
	fd = open(spec->kernel_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errf(err, errlen, -errno, "kernel %s: %s",
			    spec->kernel_path, strerror(errno));
	if (fstat(fd, &st) || st.st_size <= 0 || st.st_size > (64 << 20)) {
		close(fd);
		return errf(err, errlen, -EINVAL,
			    "kernel %s: not a regular file of 1 byte to 64 MiB",
			    spec->kernel_path);
	}
	buf = malloc(st.st_size);
	if (!buf || read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		close(fd);
		return errf(err, errlen, -EIO, "kernel %s: read failed",
			    spec->kernel_path);
	}
	close(fd);
	*image = buf;
	*len = st.st_size;
	return 0;
}

int host_launch_prepare(struct vmm_host *h, const struct guest_spec *spec,
			const struct vm_resources *res, struct host_launch *hl,
			char *err, size_t errlen)
{
	/* What the host's options say, for callers without their own. */
	struct vm_resources def = { .pool = h->pool,
				    .no_irqchip = h->cfg.irqchip_off,
				    .quiet = h->cfg.console_off };
	struct vm_balloon *balloon = NULL;
	unsigned int id, slot;
	struct vm *vm;
	size_t len = 0;
	void *image = NULL;
	int ret;

	memset(hl, 0, sizeof(*hl));
	/* The slot is the frames' owner: reserved until commit or abort.
	 * The id is new, whatever becomes of the launch. */
	pthread_mutex_lock(&h->lock);
	for (slot = 1; slot <= VMM_MAX_GUESTS &&
		       (h->vm[slot] || h->reserved[slot] || h->dying[slot]);
	     slot++)
		;
	if (slot <= VMM_MAX_GUESTS)
		WRITE_ONCE(h->reserved[slot], true);
	id = h->next_id++;
	pthread_mutex_unlock(&h->lock);
	if (slot > VMM_MAX_GUESTS)
		return errf(err, errlen, -ENOSPC, "already %d guests",
			    VMM_MAX_GUESTS);
	ret = load_image(spec, &image, &len, err, errlen);
	if (ret)
		goto err_unreserve;
	if (res)
		def = *res;
	def.slot = slot;
	def.migrate_by_pause |= h->cfg.migrate_by_pause;
	ret = vm_create_res(spec, id, &def, image, len, &vm, err, errlen);
	if (image != guest_image_start)
		free(image);
	if (ret)
		goto err_unreserve;
	if (h->reclaim_running && vm->res.pool) {
		ret = host_balloon_attach(h, vm, &balloon);
		if (!ret && h->loop)
			ret = host_balloon_notify_fd(balloon);
		if (ret) {
			host_balloon_detach(balloon);
			vm_destroy(vm);
			errf(err, errlen, ret, "balloon device: %s",
			     strerror(-ret));
			goto err_unreserve;
		}
	}
	hl->id = id;
	hl->slot = slot;
	hl->vm = vm;
	hl->balloon = balloon;
	return 0;
err_unreserve:
	pthread_mutex_lock(&h->lock);
	WRITE_ONCE(h->reserved[slot], false);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

void host_launch_abort(struct vmm_host *h, struct host_launch *hl)
{
	if (!hl->vm)
		return;
	host_balloon_detach(hl->balloon);
	vm_destroy(hl->vm);
	pthread_mutex_lock(&h->lock);
	WRITE_ONCE(h->reserved[hl->slot], false);
	pthread_mutex_unlock(&h->lock);
	memset(hl, 0, sizeof(*hl));
}

int host_launch_commit(struct vmm_host *h, struct host_launch *hl, char *err,
		       size_t errlen)
{
	struct vm *vm = hl->vm;
	unsigned int id = hl->id, slot = hl->slot;
	char warning[sizeof(hl->warning)];
	bool warn;
	int ret;

	if (hl->balloon && h->loop) {
		ret = host_balloon_serve(hl->balloon, h->loop);
		if (ret) {
			host_launch_abort(h, hl);
			return errf(err, errlen, ret, "balloon device: %s",
				    strerror(-ret));
		}
	}
	pthread_mutex_lock(&h->lock);
	host_trace_name(h, id, vm->name);
	h->balloon[slot] = hl->balloon;
	WRITE_ONCE(h->vm[slot], vm);
	WRITE_ONCE(h->reserved[slot], false);
	h->nr_running++;
	warn = vcpu_load_add(&h->vcpu_load, vm->name, vm->nr_vcpus, warning,
			     sizeof(warning));
	pthread_mutex_unlock(&h->lock);
	memset(hl, 0, sizeof(*hl));
	if (warn) {
		fprintf(h->warn_log, "vmm: warning: %s\n", warning);
		memcpy(hl->warning, warning, sizeof(warning));
	}
	trace_event(&h->pool->trace, TR_VM_STATE, id, VM_RUNNING, 0, 0);
	host_event_guest_started(h, vm);
	ret = vm_start(vm);
	if (ret) {
		vm_stop(vm, VM_EXIT_HOST_ERROR, "vm_start: %s", strerror(-ret));
		errf(err, errlen, ret, "starting the vCPUs: %s",
		     strerror(-ret));
	}
	return ret;
}

int host_launch(struct vmm_host *h, const struct guest_spec *spec,
		const struct vm_resources *res, unsigned int *idp, char *err,
		size_t errlen)
{
	struct host_launch hl;
	int ret;

	ret = host_launch_prepare(h, spec, res, &hl, err, errlen);
	if (ret)
		return ret;
	if (idp)
		*idp = hl.id;
	return host_launch_commit(h, &hl, err, errlen);
}

void host_stop_all(struct vmm_host *h, const char *why)
{
	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++)
		if (h->vm[slot])
			vm_stop(h->vm[slot], VM_EXIT_STOPPED, "%s", why);
	pthread_mutex_unlock(&h->lock);
}

unsigned int host_shutdown_all(struct vmm_host *h)
{
	unsigned int n = 0;

	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++)
		if (h->vm[slot] && !vm_request_shutdown(h->vm[slot], 0))
			n++;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void host_kill_unresponsive(struct vmm_host *h)
{
	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++)
		if (h->vm[slot] && vm_shutdown_requested(h->vm[slot]))
			vm_stop(h->vm[slot], VM_EXIT_KILLED,
				"asked to shut down, still running at the time-out");
	pthread_mutex_unlock(&h->lock);
}

unsigned int host_nr_running(struct vmm_host *h)
{
	unsigned int n;

	pthread_mutex_lock(&h->lock);
	n = h->nr_running;
	pthread_mutex_unlock(&h->lock);
	return n;
}

static const char *integrity(const struct vm_summary *s)
{
	if (s->nr_corrupt || s->verify_bad)
		return "FAILED";
	return s->nr_verify ? "ok" : "not checked";
}

/* How KVM maps the guest (its own statistics), and what migration and
 * collapse did to it. */
static void print_guest_mappings(struct vm *vm,
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
	print_guest_mappings(vm, &ms, f);
}

/* Guarded by h->lock: the slot of guest id, 0 if none (vm[0] and
 * balloon[0] are never used: NULL). */
static unsigned int __slot_of(struct vmm_host *h, unsigned int id)
{
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++)
		if (h->vm[slot] && h->vm[slot]->id == id)
			return slot;
	return 0;
}

struct vm *host_vm(struct vmm_host *h, unsigned int id)
{
	struct vm *vm;

	pthread_mutex_lock(&h->lock);
	vm = h->vm[__slot_of(h, id)];
	pthread_mutex_unlock(&h->lock);
	return vm;
}

struct vm_balloon *host_vm_balloon(struct vmm_host *h, unsigned int id)
{
	struct vm_balloon *b;

	pthread_mutex_lock(&h->lock);
	b = h->balloon[__slot_of(h, id)];
	pthread_mutex_unlock(&h->lock);
	return b;
}

unsigned int host_next_id(struct vmm_host *h)
{
	unsigned int id;

	pthread_mutex_lock(&h->lock);
	id = h->next_id;
	pthread_mutex_unlock(&h->lock);
	return id;
}

void host_reap(struct vmm_host *h, unsigned int id)
{
	struct vm_balloon *balloon;
	unsigned int slot;
	struct vm *vm;

	pthread_mutex_lock(&h->lock);
	slot = __slot_of(h, id);
	vm = h->vm[slot];
	pthread_mutex_unlock(&h->lock);
	if (!vm)
		return;
	vm_wait(vm);
	serial_flush(&vm->serial);
	print_guest_summary(h, vm, h->out);
	if (h->balloon[slot]) {
		struct vm_balloon *b = h->balloon[slot];
		struct balloon_info bi;

		balloon_get_info(&b->vb, &bi);
		fprintf(h->out,
			"  balloon: %" PRIu64 " pages inflated, %" PRIu64
			" deflated, %" PRIu64 " MiB reported free, %" PRIu64
			" frames back to the pool, %" PRIu64
			" bad PFNs ignored, %s, notifications %s\n",
			bi.c.inflated_pages, bi.c.deflated_pages,
			bi.c.reported_bytes >> 20, bi.c.frames_freed,
			bi.c.bad_out_of_range + bi.c.bad_host_owned +
				bi.c.bad_pinned + bi.c.bad_already +
				bi.c.bad_not_inflated,
			bi.needs_reset ? "device needs reset" :
			bi.driver_ok   ? "driver ok" :
					 "no driver",
			b->ioeventfd_on ? "by ioeventfd" : "by MMIO exit");
		if (b->irq_efd >= 0) {
			struct vm_summary s;

			vm_get_summary(vm, &s);
			fprintf(h->out,
				"  interrupts: %" PRIu64
				" raised by irqfd on GSI %u (%" PRIu64
				" suppressed by the driver); the guest took %" PRIu64
				" (used buffers %" PRIu64 ", config %" PRIu64
				"); KVM_IRQFD took %.0f us\n",
				bi.transport.irqs, GUEST_VIRTIO_GSI,
				bi.transport.irqs_suppressed, s.irq_taken,
				s.irq_used, s.irq_config, b->irqfd_ns / 1e3);
		}
	}
	if (vm->mem) {
		struct pool_footprint fp;

		/* While its mappings still exist: how much of the pool the
		 * host backs with hugepages. */
		if (!pool_footprint(h->pool, &fp))
			fprintf(h->out,
				"  host: pool %" PRIu64
				" MiB resident, %" PRIu64
				" MiB in host hugepages\n",
				fp.resident_bytes >> 20,
				fp.hugepage_bytes >> 20);
	}
	/*
	 * Under reap_lock: an OOM killer that stopped this guest holds it
	 * until it has reported the kill, which comes first.  A killer that
	 * comes later finds the guest gone from vm[].
	 */
	pthread_mutex_lock(&h->reap_lock);
	trace_event(&h->pool->trace, TR_VM_STATE, id, VM_STOPPED, 0, 0);
	host_event_guest_stopped(h, vm);
	pthread_mutex_lock(&h->lock);
	host_trace_name_end(h, id);
	WRITE_ONCE(h->dying[slot], vm);
	WRITE_ONCE(h->vm[slot], NULL);
	balloon = h->balloon[slot];
	h->balloon[slot] = NULL;
	h->nr_running--;
	vcpu_load_sub(&h->vcpu_load, vm->nr_vcpus);
	pthread_mutex_unlock(&h->lock);
	pthread_mutex_unlock(&h->reap_lock);
	/* Every frame of the guest goes back to the pool here. */
	vm_destroy(vm);
	pthread_mutex_lock(&h->lock);
	WRITE_ONCE(h->dying[slot], NULL);
	pthread_mutex_unlock(&h->lock);
	host_balloon_detach(balloon);
}

void host_print_stats_line(struct vmm_host *h, FILE *f)
{
	fprintf(f, "[%8.3f s]", (trace_clock_ns() - h->start_ns) / 1e9);
	for (unsigned int nid = 0; nid < h->pool->nr_nodes; nid++) {
		unsigned long min = 0, low = 0, high = 0, offline = 0;

		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone =
				&h->pool->node_data[nid].node_zones[z];

			min += min_wmark_pages(zone);
			low += low_wmark_pages(zone);
			high += high_wmark_pages(zone);
			offline += READ_ONCE(zone->nr_offline_pages);
		}
		fprintf(f, " node%u free %lu MiB (min %lu low %lu high %lu)",
			nid, node_nr_free_pages(h->pool, nid) >> 8, min >> 8,
			low >> 8, high >> 8);
		if (offline)
			fprintf(f, " offline %lu MiB", offline >> 8);
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

void host_print_pool_summary(struct vmm_host *h, FILE *f)
{
	static const enum vm_event_item shown[] = {
		PGALLOC_NORMAL,	    PGALLOC_MOVABLE, PGFREE,
		PGALLOC_FAIL,	    THP_FAULT_ALLOC, THP_FAULT_FALLBACK,
		ALLOCSTALL_MOVABLE, OOM_STALL,	     EXTFRAG_FALLBACK,
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
	mm_show_buddyinfo(h->pool, f);
	for (size_t i = 0; i < ARRAY_SIZE(shown); i++)
		fprintf(f, "%s %lu\n", vmstat_text[shown[i]],
			vm_event_sum(h->pool, shown[i]));
}

int host_validate(struct vmm_host *h, char *err, size_t errlen)
{
	return mm_validate(h->pool, err, errlen);
}

void host_destroy(struct vmm_host *h)
{
	if (!h)
		return;
	/* Nothing takes the pool offline, nor kills for it, from here on. */
	host_headroom_stop(h);
	host_stop_all(h, "host shutting down");
	/* Nothing moves guest pages from here on. */
	host_khugepaged_stop(h);
	kcompactd_stop(h->pool);
	host_reclaim_stop(h);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++)
		if (h->vm[slot])
			host_reap(h, h->vm[slot]->id);
	host_trace_finish(h, stderr);
	host_events_free(h);
	mm_pool_destroy(h->pool);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->reap_lock);
	pthread_mutex_destroy(&h->collapse_lock);
	free(h);
}
