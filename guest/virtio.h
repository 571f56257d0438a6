/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A polling virtio-mmio (version 2) driver core: device set-up, feature
 * negotiation and split virtqueues in the guest's own memory.  Queues ask
 * for no interrupts (the guest runs at CPL3 and polls the used rings)
 * unless a driver turns them on (irq.h).
 */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H

#include "guest/types.h"

#include "guest/virtio_regs.h"

#define VQ_SIZE 64

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[VQ_SIZE];
	uint16_t used_event;
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[VQ_SIZE];
	uint16_t avail_event;
};

struct virtqueue {
	struct vring_desc desc[VQ_SIZE] __attribute__((aligned(16)));
	struct vring_avail avail __attribute__((aligned(2)));
	struct vring_used used __attribute__((aligned(4)));
	struct virtio_dev *dev;
	uint16_t index; /* queue number on the device */
	uint16_t num; /* entries in use, <= VQ_SIZE */
	uint16_t free_head; /* first free descriptor */
	uint16_t nr_free;
	uint16_t last_used; /* next used entry to consume */
	bool ready;
};

struct virtio_dev {
	uint64_t base; /* MMIO window */
	uint64_t features; /* negotiated */
	bool broken; /* the device asked for a reset, or failed set-up */
};

/* Probe and negotiate: returns the negotiated features or 0 on failure
 * (dev->broken then says why it failed). */
uint64_t virtio_init(struct virtio_dev *dev, uint64_t base, uint32_t device_id,
		     uint64_t wanted);
int virtio_setup_vq(struct virtio_dev *dev, struct virtqueue *vq,
		    uint16_t index);
/* Interrupts for this queue's used buffers, or not (the default). */
void vq_set_interrupts(struct virtqueue *vq, bool on);
/* Read InterruptStatus and acknowledge it; returns the reasons. */
uint32_t virtio_irq_ack(struct virtio_dev *dev);
/* Features done, queues set up: tell the device we are live. */
void virtio_driver_ok(struct virtio_dev *dev);

/* Post one buffer made of n (addr, len, writable) pieces; -1 if full. */
int vq_add(struct virtqueue *vq, const uint64_t *addr, const uint32_t *len,
	   const bool *writable, unsigned int n);
void vq_kick(struct virtqueue *vq);
/* Next completed buffer's id, or -1 if none yet. */
int vq_get_used(struct virtqueue *vq, uint32_t *len);
/* Post, kick and wait (sleeping in short steps) until it is used.
 * Returns 0, or -1 if the device broke or did not answer in time. */
int vq_send_wait(struct virtqueue *vq, const uint64_t *addr,
		 const uint32_t *len, const bool *writable, unsigned int n,
		 uint64_t timeout_ns);

uint32_t virtio_config_read32(struct virtio_dev *dev, unsigned int off);
void virtio_config_write32(struct virtio_dev *dev, unsigned int off,
			   uint32_t v);
bool virtio_needs_reset(struct virtio_dev *dev);

#endif /* GUEST_VIRTIO_H */
