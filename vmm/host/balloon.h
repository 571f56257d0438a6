/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM's virtio-balloon device and the host's side of reclaim: the device
 * in the VM's MMIO window (listed in its boot info), inflations and
 * reports turned into frames back in the pool (the reclaim engine's
 * progress, vmscan_progress()), and the reclaim_ops that let the
 * balloon's shrinker see and steer every guest's balloon.
 */
#ifndef VMM_HOST_BALLOON_H
#define VMM_HOST_BALLOON_H

#include "balloon/shrinker.h"
#include "vmm/virtio/balloon.h"
#include "util/event_loop.h"

struct vmm_host;
struct vm;

struct vm_balloon {
	struct virtio_balloon vb;
	struct vmm_host *h;
	struct vm *vm;
	/* With an event loop: queue notifications through a KVM ioeventfd
	 * on QueueNotify, served by the loop (no exit to our vCPU thread). */
	int notify_efd;
	bool ioeventfd_on; /* registered with KVM (once the driver is live) */
	struct ev notify_ev;
	struct evloop *loop; /* serving notify_ev, if any */
	/* With an irqchip: interrupts are writes to irq_efd, a KVM irqfd on
	 * GUEST_VIRTIO_GSI. */
	int irq_efd;
	bool irqfd_on; /* registered with KVM (once the driver is live) */
	uint64_t irqfd_ns; /* what registering it cost (KVM_IRQFD) */
	/* The target set by hand (balloon-set), in pages; 0: none.  Reclaim
	 * never deflates below it, and may inflate beyond it.  Guarded by
	 * h->lock. */
	unsigned long user_target;
	/* What kswapd and direct reclaim asked of it and are still owed:
	 * the frames its inflations free count as theirs (owed.h). */
	struct reclaim_owed owed;
};

/* Before vm_start: create the device and tell the guest about it. */
int host_balloon_attach(struct vmm_host *h, struct vm *vm,
			struct vm_balloon **out)
	__attribute__((warn_unused_result));
void host_balloon_detach(struct vm_balloon *b);
/* Serve b's queue notifications from loop through an ioeventfd; without
 * this they are handled in the vCPU's MMIO exit.  Both steps at once: */
int host_balloon_ioeventfd(struct vm_balloon *b, struct evloop *loop);
/* ... or the eventfd first (any thread, before vm_start), then polling
 * it from the loop's thread (notifications that came meanwhile wait in
 * the eventfd). */
int host_balloon_notify_fd(struct vm_balloon *b);
int host_balloon_serve(struct vm_balloon *b, struct evloop *loop);
/* Set the balloon's target (the device clamps it to RAM), and forget
 * what reclaim is owed beyond it (owed.h). */
void host_balloon_target(struct vm_balloon *b, uint32_t pages);
/* Set the balloon's target by hand, kept until set again (0: the
 * balloon is the reclaim policy's again).  Context: h->lock held. */
void host_balloon_set_user_target(struct vm_balloon *b, unsigned long pages);
/* Start the reclaim engine (kswapd per node) with the balloons' shrinker
 * registered; the allocator gets its reclaim ops from host_set_mm_ops()
 * after.  Other reclaimers register with h->vmscan. */
int host_reclaim_start(struct vmm_host *h) __attribute__((warn_unused_result));
void host_reclaim_stop(struct vmm_host *h);

#endif
