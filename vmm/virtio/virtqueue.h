/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Split virtqueues (virtio 1.x, 2.7), device side, for guests that may be
 * hostile: every ring and buffer must lie in guest RAM, every index must
 * be in range, chains are bounded (a loop is an error, not a hang).
 * Indirect descriptors are not offered, so a chain that uses one is an
 * error.  Errors are -EINVAL or -EFAULT; the device then marks itself
 * DEVICE_NEEDS_RESET and stops using the queue.
 */
#ifndef VMM_VIRTQUEUE_H
#define VMM_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#define VQ_MAX_SIZE 1024
#define VQ_MAX_SEG 64 /* segments we accept in one chain */

#include "guest/virtio_regs.h"

/* How the device reaches guest RAM: NULL unless all of it is RAM. */
struct guest_view {
	void *ctx;
	void *(*hva)(void *ctx, uint64_t gpa, uint64_t len);
};

struct vq {
	uint16_t num_max;
	uint16_t num; /* set by the driver, power of two <= num_max */
	bool ready;
	bool broken;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint16_t last_avail; /* next avail entry to take */
	uint16_t used_idx; /* our copy of used->idx */
	const char *error; /* why it broke */
};

struct vq_seg {
	void *hva;
	uint64_t gpa;
	uint32_t len;
	bool write; /* device-writable */
};

struct vq_elem {
	uint16_t head;
	unsigned int nseg;
	struct vq_seg seg[VQ_MAX_SEG];
};

void vq_reset(struct vq *q, uint16_t num_max);
/* Check the rings once the driver sets QueueReady. */
int vq_activate(struct vq *q, const struct guest_view *m);
/* Take the next available chain: 1, 0 when there is none, or -errno (the
 * queue is then broken). */
int vq_pop(struct vq *q, const struct guest_view *m, struct vq_elem *e);
/* Give a chain back with len bytes written. */
int vq_push(struct vq *q, const struct guest_view *m, uint16_t head,
	    uint32_t len);
/* Does the driver want an interrupt for used buffers (2.7.7)?  A ring we
 * cannot read gets one: an interrupt too many is harmless. */
bool vq_wants_interrupt(const struct vq *q, const struct guest_view *m);

#endif /* VMM_VIRTQUEUE_H */
