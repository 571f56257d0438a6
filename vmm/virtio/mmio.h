/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio-mmio transport, version 2 (virtio 1.x, 4.2.2), device side.
 * One 4 KiB register window per device; the vCPU loop hands every access
 * to virtio_mmio_access().  Bad accesses (wrong size, misaligned, writes
 * to read-only registers) are ignored and counted; a driver that breaks a
 * queue gets DEVICE_NEEDS_RESET.  The device's own behaviour comes
 * through virtio_dev_ops.
 *
 * Context: any vCPU thread, and host threads through the device's own API;
 * dev->lock serialises them.  Ops are called with dev->lock held.
 */
#ifndef VMM_VIRTIO_MMIO_H
#define VMM_VIRTIO_MMIO_H

#include <pthread.h>

#include "guest/virtio_regs.h"
#include "vmm/virtio/virtqueue.h"

#define VIRTIO_MMIO_MAX_QUEUES 8

#define VIRTIO_VENDOR_ID 0x4d4d56 /* "VMM" */

struct virtio_mmio_dev;

struct virtio_dev_ops {
	/* Config space access at offset (inside the device's config). */
	void (*config_read)(struct virtio_mmio_dev *d, unsigned int off,
			    uint8_t *data, unsigned int len);
	void (*config_write)(struct virtio_mmio_dev *d, unsigned int off,
			     const uint8_t *data, unsigned int len);
	/* The driver notified queue q (it is ready and not broken). */
	void (*notify)(struct virtio_mmio_dev *d, unsigned int q);
	/* Reset: forget everything the driver set up. */
	void (*reset)(struct virtio_mmio_dev *d);
};

/*
 * How the device interrupts the guest: the VMM's irqfd (an edge on the
 * device's GSI, as Firecracker does for virtio-mmio).  Called with
 * dev->lock held, from whatever thread served the queue; must not block.
 */
typedef void (*virtio_irq_fn)(void *arg);

struct virtio_mmio_stats {
	uint64_t bad_access; /* wrong size, misaligned, read-only */
	uint64_t notifies;
	uint64_t broken_queues;
	uint64_t resets;
	uint64_t irqs; /* interrupts raised */
	uint64_t irqs_suppressed; /* used buffers with NO_INTERRUPT set */
};

struct virtio_mmio_dev {
	pthread_mutex_t lock;
	uint32_t device_id;
	uint64_t device_features;
	uint32_t config_len;
	const struct virtio_dev_ops *ops;
	void *opaque;
	virtio_irq_fn irq; /* NULL: no interrupts, the driver polls */
	void *irq_arg;
	struct guest_view mem;
	/* Guarded by lock: */
	uint64_t driver_features;
	uint32_t dev_feat_sel, drv_feat_sel, queue_sel;
	uint32_t status;
	uint32_t interrupt_status;
	uint32_t config_generation;
	unsigned int nr_queues;
	struct vq vq[VIRTIO_MMIO_MAX_QUEUES];
	struct virtio_mmio_stats stats;
};

void virtio_mmio_init(struct virtio_mmio_dev *d, uint32_t device_id,
		      uint64_t features, unsigned int nr_queues,
		      uint16_t queue_size, uint32_t config_len,
		      const struct virtio_dev_ops *ops, void *opaque,
		      const struct guest_view *mem);
void virtio_mmio_destroy(struct virtio_mmio_dev *d);
/* One access at offset in the window; never fails (bad ones counted). */
void virtio_mmio_access(struct virtio_mmio_dev *d, uint64_t offset,
			uint8_t *data, unsigned int len, bool is_write);
/* A notification that does not say which queue (an ioeventfd): serve
 * every live queue. */
void virtio_mmio_notify_all(struct virtio_mmio_dev *d);
/* Interrupts go to fn(arg) from now on (NULL: none). */
void virtio_mmio_set_irq(struct virtio_mmio_dev *d, virtio_irq_fn fn,
			 void *arg);
/* Device side, lock held: used buffers were added to queue q. */
void __virtio_mmio_used(struct virtio_mmio_dev *d, unsigned int q);
/* Device side, lock held: a queue went bad, the driver must reset. */
void __virtio_mmio_needs_reset(struct virtio_mmio_dev *d, unsigned int q);
/* Device side, lock held: the config changed (bumps the generation). */
void __virtio_mmio_config_changed(struct virtio_mmio_dev *d);
bool __virtio_mmio_driver_ok(const struct virtio_mmio_dev *d);

#endif /* VMM_VIRTIO_MMIO_H */
