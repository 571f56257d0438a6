// SPDX-License-Identifier: GPL-2.0
/* Balloons in VMs, and the host's reclaim over them (balloon.h). */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mm/mm.h"
#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/host.h"
#include "vmm/host/balloon.h"
#include "vmm/host/swap.h"
#include "vmm/host/trace_events.h"
#include "vmm/kvm/kvm.h"
#include "vmm/kvm/vm_mem.h"

/* Statistics older than this are asked for again. */
#define STATS_MAX_AGE_NS 1000000000ULL

static void *view_hva(void *ctx, uint64_t gpa, uint64_t len)
{
	return vm_mem_hva(ctx, gpa, len);
}

/* The frames behind [gpa, gpa + len) back to the pool: how many (and
 * on which pool nodes, added to nodes[]). */
static long discard(struct vm_balloon *b, uint64_t gpa, uint64_t len,
		    unsigned long *nodes)
{
	long freed = b->vm->mem ? guest_mem_discard_nodes(b->vm->mem, gpa, len,
							  nodes) :
				  0;

	return freed > 0 ? freed : 0;
}

/* What one run of the guest's gave back since t0: reclaim's progress,
 * node by node. */
static long given_back(struct vm_balloon *b, long freed,
		       const unsigned long *nodes, uint64_t t0)
{
	if (!freed)
		return 0;
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		vmscan_progress(&b->h->vmscan, nid, nodes[nid]);
	trace_event(&b->h->pool->trace, TR_BALLOON_DONE, b->vm->id, freed,
		    trace_clock_ns() - t0, 0);
	return freed;
}

/* The guest put [gpa, gpa + len) in its balloon: the frames go back to
 * the pool, those of pages reclaim asked for as its pgsteal. */
static long on_inflate(void *priv, uint64_t gpa, uint64_t len)
{
	struct vm_balloon *b = priv;
	struct mm_pool *pool = b->h->pool;
	uint64_t t0 = trace_clock_ns(), end = gpa + len;
	unsigned long nodes[MAX_NUMNODES] = { 0 };
	long freed = 0;

	count_vm_events(pool, BALLOON_INFLATE, len >> PAGE_SHIFT);
	while (gpa < end) {
		enum reclaimer_id who;
		unsigned long n = reclaim_owed_pay(
			&b->owed, (end - gpa) >> PAGE_SHIFT, &who);
		long f;

		if (!n) { /* nobody's: a target set by hand */
			freed += discard(b, gpa, end - gpa, nodes);
			break;
		}
		f = discard(b, gpa, (uint64_t)n << PAGE_SHIFT, nodes);
		count_vm_events(pool, reclaimer_vm_event(PGSTEAL, who), f);
		freed += f;
		gpa += (uint64_t)n << PAGE_SHIFT;
	}
	count_vm_events(pool, POOL_BALLOON_FREED, freed);
	return given_back(b, freed, nodes, t0);
}

static long on_report(void *priv, uint64_t gpa, uint64_t len)
{
	struct vm_balloon *b = priv;
	uint64_t t0 = trace_clock_ns();
	unsigned long nodes[MAX_NUMNODES] = { 0 };
	long freed = discard(b, gpa, len, nodes);

	count_vm_events(b->h->pool, POOL_REPORT_FREED, freed);
	return given_back(b, freed, nodes, t0);
}

static void on_deflate(void *priv, uint64_t gpa, uint64_t len)
{
	struct vm_balloon *b = priv;

	/* Nothing to do now: the pages fault in when the guest touches
	 * them.  Count them. */
	(void)gpa;
	count_vm_events(b->h->pool, BALLOON_DEFLATE, len >> PAGE_SHIFT);
}

static void register_ioeventfd(struct vm_balloon *b)
{
	struct kvm_ioeventfd io = {
		.addr = GUEST_MMIO_GPA + VIRTIO_MMIO_QUEUE_NOTIFY,
		.len = 4,
		.fd = b->notify_efd,
	};

	/* On failure notifications keep coming as MMIO exits: fine. */
	if (ioctl(b->vm->vm_fd, KVM_IOEVENTFD, &io))
		fprintf(stderr,
			"vmm: guest %s: KVM_IOEVENTFD: %s (notifications by MMIO exit)\n",
			b->vm->name, strerror(errno));
}

/* Context: dev->lock held, any thread; an eventfd write never blocks. */
static void balloon_irq(void *arg)
{
	struct vm_balloon *b = arg;
	uint64_t one = 1;

	if (write(b->irq_efd, &one, sizeof(one)) < 0) {
		/* Only at 2^64 - 1 pending: the guest is flooded anyway. */
	}
}

static void register_irqfd(struct vm_balloon *b)
{
	uint64_t t0 = trace_clock_ns();
	int ret = kvm_irqfd(b->vm->vm_fd, b->irq_efd, GUEST_VIRTIO_GSI, false);

	b->irqfd_ns = trace_clock_ns() - t0;
	/* Interrupts raised before this are pending on the eventfd: KVM
	 * injects them as it registers it. */
	if (ret)
		fprintf(stderr,
			"vmm: guest %s: KVM_IRQFD: %s (the guest gets no interrupts)\n",
			b->vm->name, strerror(-ret));
}

/*
 * Our guest's driver runs on vCPU 0 and polls between naps (it runs at
 * CPL3 without interrupts): wake it when there is something to do, so it
 * can nap long and still answer at once.
 */
static void on_doorbell(void *priv)
{
	struct vm_balloon *b = priv;

	vm_kick_vcpu(b->vm, 0);
}

static int balloon_mmio(struct vm *vm, void *opaque, uint64_t gpa,
			uint8_t *data, uint32_t len, bool is_write)
{
	struct vm_balloon *b = opaque;

	(void)vm;
	virtio_mmio_access(&b->vb.dev, gpa - GUEST_MMIO_GPA, data, len,
			   is_write);
	/* The guest says how far it got: where a request completes. */
	if (is_write &&
	    gpa - GUEST_MMIO_GPA ==
		    VIRTIO_MMIO_CONFIG + VIRTIO_BALLOON_CONFIG_ACTUAL &&
	    trace_event_enabled(&b->h->pool->trace, TR_BALLOON_ACTUAL)) {
		struct balloon_info info;

		balloon_get_info(&b->vb, &info);
		trace_event(&b->h->pool->trace, TR_BALLOON_ACTUAL, b->vm->id,
			    info.actual, info.target, 0);
	}
	/*
	 * The ioeventfd goes in once a driver is live, not at VM creation:
	 * registering it before the first KVM_RUN costs this host about
	 * 10 ms of boot time, and a guest that never loads a driver never
	 * needs it.  Only vCPU threads get here; the exchange makes it once.
	 */
	if (is_write && gpa - GUEST_MMIO_GPA == VIRTIO_MMIO_STATUS &&
	    (READ_ONCE(b->vb.dev.status) & VIRTIO_STATUS_DRIVER_OK)) {
		if (b->notify_efd >= 0 &&
		    !__atomic_exchange_n(&b->ioeventfd_on, true,
					 __ATOMIC_ACQ_REL))
			register_ioeventfd(b);
		/* Likewise the irqfd (KVM_IRQFD costs an SRCU grace
		 * period); a guest that never goes live never needs it. */
		if (b->irq_efd >= 0 &&
		    !__atomic_exchange_n(&b->irqfd_on, true, __ATOMIC_ACQ_REL))
			register_irqfd(b);
	}
	return 0;
}

/* The device writes used rings from the event loop: held off while
 * a paused guest's pages move (vm_pause_devices()). */
static void quiesce_lock(void *arg)
{
	pthread_mutex_lock(&((struct virtio_mmio_dev *)arg)->lock);
}

static void quiesce_unlock(void *arg)
{
	pthread_mutex_unlock(&((struct virtio_mmio_dev *)arg)->lock);
}

int host_balloon_attach(struct vmm_host *h, struct vm *vm,
			struct vm_balloon **out)
{
	struct balloon_ops ops = { .inflate = on_inflate,
				   .deflate = on_deflate,
				   .report = on_report,
				   .doorbell = on_doorbell };
	struct guest_view view = { .ctx = vm, .hva = view_hva };
	struct vm_balloon *b;
	int ret;

	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->h = h;
	b->vm = vm;
	b->notify_efd = -1;
	b->irq_efd = -1;
	ops.priv = b;
	ret = virtio_balloon_init(&b->vb, vm->ram_size, GUEST_RAM_START,
				  vm->spec.pinned_bytes ? GUEST_RAM_START : 0,
				  vm->spec.pinned_bytes, &ops, &view);
	if (ret)
		goto err_free;
	ret = vm_register_mmio(vm, GUEST_MMIO_GPA, GUEST_MMIO_DEV_SIZE,
			       balloon_mmio, b);
	if (ret)
		goto err_dev;
	ret = vm_add_quiesce(vm,
			     &(struct vm_quiesce){ quiesce_lock, quiesce_unlock,
						   &b->vb.dev });
	if (ret)
		goto err_dev;
	/* The guest is told where its balloon is when it starts. */
	ret = vm_add_device(vm,
			    &(struct boot_device){
				    .mmio_gpa = GUEST_MMIO_GPA,
				    .device_id = VIRTIO_ID_BALLOON,
				    .irq = vm->irqchip ? GUEST_VIRTIO_GSI : 0,
			    });
	if (ret)
		goto err_dev;
	if (vm->irqchip) {
		b->irq_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (b->irq_efd < 0) {
			ret = -errno;
			goto err_dev;
		}
		virtio_mmio_set_irq(&b->vb.dev, balloon_irq, b);
	}
	*out = b;
	return 0;
err_dev:
	virtio_balloon_destroy(&b->vb);
err_free:
	free(b);
	return ret;
}

static void on_notify(struct evloop *l, struct ev *e, int res)
{
	struct vm_balloon *b = e->arg;
	uint64_t n;

	(void)l, (void)res;
	if (read(b->notify_efd, &n, sizeof(n)) != sizeof(n))
		return;
	/* The ioeventfd does not say which queue: look at them all. */
	virtio_mmio_notify_all(&b->vb.dev);
}

int host_balloon_notify_fd(struct vm_balloon *b)
{
	b->notify_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return b->notify_efd < 0 ? -errno : 0;
}

int host_balloon_serve(struct vm_balloon *b, struct evloop *loop)
{
	int ret;

	/* Polled from now; KVM signals it once a driver is live. */
	ret = evloop_add_poll(loop, &b->notify_ev, b->notify_efd, on_notify, b);
	if (!ret)
		b->loop = loop;
	return ret;
}

int host_balloon_ioeventfd(struct vm_balloon *b, struct evloop *loop)
{
	int ret = host_balloon_notify_fd(b);

	return ret ? ret : host_balloon_serve(b, loop);
}

static void release_balloon(struct evloop *l, struct ev *e)
{
	(void)l;
	free(e->arg);
}

void host_balloon_detach(struct vm_balloon *b)
{
	if (!b)
		return;
	/* The VM fd is closed by now: its ioeventfd went with it. */
	if (b->notify_efd >= 0)
		close(b->notify_efd);
	if (b->irq_efd >= 0)
		close(b->irq_efd);
	virtio_balloon_destroy(&b->vb);
	/* The loop's poll still points at b: free it once that is over. */
	if (b->loop && !ev_idle(&b->notify_ev)) {
		b->notify_ev.release = release_balloon;
		evloop_del(b->loop, &b->notify_ev);
		return;
	}
	free(b);
}

/* ------------------------------------------------------------------ */
/* reclaim_ops over the host's guests                                   */

/* Pages of vm's RAM whose home is pool node nid (-1: anywhere): where
 * faults on those GPAs allocate first (a strict guest: only there). */
static unsigned long home_pages(const struct vm *vm, int nid)
{
	unsigned long pages = 0;

	for (unsigned int n = 0; n < vm->nr_nodes; n++)
		if (nid < 0 || vm->pnode[n] == nid)
			pages += vm->node[n].size >> PAGE_SHIFT;
	return pages;
}

static unsigned int rc_snapshot(void *priv, int nid, struct reclaim_guest *g,
				unsigned int max)
{
	struct vmm_host *h = priv;
	uint64_t now = trace_clock_ns();
	unsigned int n = 0;

	pthread_mutex_lock(&h->lock);
	for (unsigned int id = 1; id <= VMM_MAX_GUESTS && n < max; id++) {
		struct vm_balloon *b = h->balloon[id];
		struct guest_mem *mem;
		struct balloon_info info;
		unsigned long on = 0, total = 0;

		if (!b || !h->vm[id] || !(mem = h->vm[id]->mem) ||
		    READ_ONCE(mem->dead))
			continue;
		balloon_get_info(&b->vb, &info);
		if (!info.driver_ok)
			continue; /* no driver: nothing to ask */
		for (unsigned int k = 0; k < MAX_NUMNODES; k++) {
			unsigned long p = READ_ONCE(mem->pages_node[k]);

			total += p;
			if (nid < 0 || (int)k == nid)
				on += p;
		}
		if (!info.stats_ns || now - info.stats_ns > STATS_MAX_AGE_NS)
			balloon_request_stats(&b->vb);
		g[n++] = (struct reclaim_guest){
			.id = id,
			.vm = h->vm[id]->id,
			.frames = on,
			.total_frames = total,
			.balloon = info.target,
			.ram_pages = h->vm[id]->ram_size >> PAGE_SHIFT,
			.home_pages = home_pages(h->vm[id], nid),
			.kept = b->user_target,
			.guest_free =
				(info.stats_seen &
				 (1ULL << VIRTIO_BALLOON_S_MEMFREE)) ?
					(long)(info.stat[VIRTIO_BALLOON_S_MEMFREE] >>
					       PAGE_SHIFT) :
					-1,
			.responsive = !info.needs_reset,
			.has_floor = h->vm[id]->spec.floor_set,
			.floor_pages = h->vm[id]->spec.floor_bytes >>
				       PAGE_SHIFT,
		};
	}
	pthread_mutex_unlock(&h->lock);
	return n;
}

void host_balloon_target(struct vm_balloon *b, uint32_t pages)
{
	struct balloon_info info;

	balloon_set_target(&b->vb, pages);
	balloon_get_info(&b->vb, &info);
	reclaim_owed_limit(&b->owed, info.target > info.actual ?
					     info.target - info.actual :
					     0);
}

static void rc_adjust(void *priv, unsigned int id, long delta,
		      enum reclaimer_id who)
{
	struct vmm_host *h = priv;
	struct vm_balloon *b;

	pthread_mutex_lock(&h->lock);
	b = id <= VMM_MAX_GUESTS ? h->balloon[id] : NULL;
	if (b) {
		struct balloon_info info;
		long t;

		balloon_get_info(&b->vb, &info);
		t = (long)info.target + delta;
		/* A deflation never goes below a target set by hand (the
		 * user may have set it since the snapshot). */
		if (delta < 0 && t < (long)b->user_target)
			t = (long)info.target < (long)b->user_target ?
				    (long)info.target :
				    (long)b->user_target;
		if (delta > 0)
			reclaim_owed_ask(&b->owed, who, delta);
		host_balloon_target(b, t < 0 ? 0 : (uint32_t)t);
	}
	pthread_mutex_unlock(&h->lock);
}

void host_balloon_set_user_target(struct vm_balloon *b, unsigned long pages)
{
	b->user_target = pages;
	host_balloon_target(b, (uint32_t)pages);
}

static unsigned long rc_actual(void *priv, unsigned int id)
{
	struct vmm_host *h = priv;
	struct balloon_info info = { 0 };

	pthread_mutex_lock(&h->lock);
	if (id <= VMM_MAX_GUESTS && h->balloon[id])
		balloon_get_info(&h->balloon[id]->vb, &info);
	pthread_mutex_unlock(&h->lock);
	return info.actual;
}

int host_reclaim_start(struct vmm_host *h)
{
	struct reclaim_ops ops = {
		.priv = h,
		.snapshot = rc_snapshot,
		.adjust = rc_adjust,
		.actual = rc_actual,
	};
	struct balloon_tunables bt;
	struct vmscan_tunables t;
	int ret;

	balloon_default_tunables(&bt);
	vmscan_default_tunables(&t);
	if (h->cfg.balloon_floor_bytes)
		bt.policy.floor_pages = h->cfg.balloon_floor_bytes >>
					PAGE_SHIFT;
	/* The balloon's step is the engine's batch too: a round asks at
	 * least a step, and kswapd goes past HIGH by one. */
	if (h->cfg.balloon_step_bytes)
		bt.policy.min_step = t.batch_pages =
			h->cfg.balloon_step_bytes >> PAGE_SHIFT;
	if (h->cfg.deflate_step_bytes)
		bt.policy.max_deflate_step = h->cfg.deflate_step_bytes >>
					     PAGE_SHIFT;
	if (h->cfg.guest_timeout_ms)
		bt.guest_timeout_ms = h->cfg.guest_timeout_ms;
	if (h->cfg.deflate_margin_pct)
		t.deflate_margin_pct = h->cfg.deflate_margin_pct;
	if (h->cfg.direct_timeout_ms)
		t.direct_timeout_ms = h->cfg.direct_timeout_ms;
	if (h->cfg.kswapd_step_ms)
		t.step_timeout_ms = h->cfg.kswapd_step_ms;
	t.deflate = !h->cfg.deflate_off;
	ret = vmscan_init(&h->vmscan);
	if (ret)
		return ret;
	balloon_reclaim_init(&h->reclaim, h->pool, &ops, &bt);
	ret = register_shrinker(&h->vmscan, &h->reclaim.shrinker);
	/* The cold tier next: asked for what the balloons cannot give. */
	if (!ret) {
		ret = host_swap_register(h);
		if (ret)
			unregister_shrinker(&h->vmscan, &h->reclaim.shrinker);
	}
	if (!ret) {
		ret = vmscan_start(&h->vmscan, h->pool, &t);
		if (ret) {
			host_swap_unregister(h);
			unregister_shrinker(&h->vmscan, &h->reclaim.shrinker);
		}
	}
	if (ret) {
		balloon_reclaim_destroy(&h->reclaim);
		return ret;
	}
	h->reclaim_running = true;
	return 0;
}

void host_reclaim_stop(struct vmm_host *h)
{
	if (!h->reclaim_running)
		return;
	vmscan_stop(&h->vmscan);
	host_swap_unregister(h);
	unregister_shrinker(&h->vmscan, &h->reclaim.shrinker);
	balloon_reclaim_destroy(&h->reclaim);
	h->reclaim_running = false;
}
