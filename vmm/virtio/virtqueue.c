// SPDX-License-Identifier: GPL-2.0
/* Split virtqueues, device side, checked (see virtqueue.h). */
#include <errno.h>
#include <string.h>

#include "vmm/virtio/virtqueue.h"

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

#define AVAIL_IDX 2 /* le16 flags, le16 idx, le16 ring[] */
#define AVAIL_RING 4
#define USED_IDX 2
#define USED_RING 4

static int broken(struct vq *q, int err, const char *why)
{
	q->broken = true;
	q->error = why;
	return err;
}

void vq_reset(struct vq *q, uint16_t num_max)
{
	memset(q, 0, sizeof(*q));
	q->num_max = num_max;
}

static void *ring(const struct vq *q, const struct guest_view *m, uint64_t gpa,
		  uint64_t len)
{
	(void)q;
	return m->hva(m->ctx, gpa, len);
}

int vq_activate(struct vq *q, const struct guest_view *m)
{
	uint64_t n = q->num;

	if (!n || n > q->num_max || (n & (n - 1)))
		return broken(q, -EINVAL, "queue size not a power of two");
	/* Alignment as the spec requires (2.7: 16, 2, 4). */
	if ((q->desc_gpa & 15) || (q->avail_gpa & 1) || (q->used_gpa & 3))
		return broken(q, -EINVAL, "misaligned ring");
	if (!ring(q, m, q->desc_gpa, 16 * n) ||
	    !ring(q, m, q->avail_gpa, 6 + 2 * n) ||
	    !ring(q, m, q->used_gpa, 6 + 8 * n))
		return broken(q, -EFAULT, "ring outside guest RAM");
	q->last_avail = 0;
	q->used_idx = 0;
	q->ready = true;
	return 0;
}

int vq_pop(struct vq *q, const struct guest_view *m, struct vq_elem *e)
{
	uint8_t *avail, *dtab;
	uint16_t avail_idx, head, i;
	unsigned int count = 0;

	if (!q->ready || q->broken)
		return 0;
	avail = ring(q, m, q->avail_gpa, 6 + 2 * q->num);
	dtab = ring(q, m, q->desc_gpa, 16 * q->num);
	if (!avail || !dtab)
		return broken(q, -EFAULT, "ring outside guest RAM");
	/* The driver's index before anything it published. */
	avail_idx = __atomic_load_n((uint16_t *)(avail + AVAIL_IDX),
				    __ATOMIC_ACQUIRE);
	if (avail_idx == q->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - q->last_avail) > q->num)
		return broken(q, -EINVAL, "avail index ran ahead of the ring");
	head = *(uint16_t *)(avail + AVAIL_RING + 2 * (q->last_avail % q->num));
	if (head >= q->num)
		return broken(q, -EINVAL, "descriptor index out of range");
	e->head = head;
	e->nseg = 0;
	for (i = head;; i = *(uint16_t *)(dtab + 16 * i + 14)) {
		struct vring_desc d;

		if (i >= q->num)
			return broken(q, -EINVAL, "next index out of range");
		/* A chain longer than the ring must loop. */
		if (++count > q->num)
			return broken(q, -EINVAL, "descriptor chain loops");
		memcpy(&d, dtab + 16 * i, sizeof(d));
		if (d.flags & VRING_DESC_F_INDIRECT)
			return broken(q, -EINVAL,
				      "indirect descriptor (not offered)");
		if (e->nseg == VQ_MAX_SEG)
			return broken(q, -EINVAL, "chain too long");
		/* Readable parts first, then writable (2.7.4.2). */
		if (e->nseg && e->seg[e->nseg - 1].write &&
		    !(d.flags & VRING_DESC_F_WRITE))
			return broken(q, -EINVAL,
				      "readable after writable descriptor");
		e->seg[e->nseg].hva = d.len ? m->hva(m->ctx, d.addr, d.len) :
					      NULL;
		if (d.len && !e->seg[e->nseg].hva)
			return broken(q, -EFAULT, "buffer outside guest RAM");
		e->seg[e->nseg].gpa = d.addr;
		e->seg[e->nseg].len = d.len;
		e->seg[e->nseg].write = d.flags & VRING_DESC_F_WRITE;
		e->nseg++;
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
	}
	q->last_avail++;
	return 1;
}

int vq_push(struct vq *q, const struct guest_view *m, uint16_t head,
	    uint32_t len)
{
	uint8_t *used = ring(q, m, q->used_gpa, 6 + 8 * q->num);
	struct vring_used_elem el = { head, len };

	if (!used)
		return broken(q, -EFAULT, "ring outside guest RAM");
	memcpy(used + USED_RING + 8 * (q->used_idx % q->num), &el, sizeof(el));
	q->used_idx++;
	/* The element before the index that publishes it. */
	__atomic_store_n((uint16_t *)(used + USED_IDX), q->used_idx,
			 __ATOMIC_RELEASE);
	return 0;
}

bool vq_wants_interrupt(const struct vq *q, const struct guest_view *m)
{
	uint16_t *flags;

	if (!q->ready || q->broken)
		return true;
	flags = ring(q, m, q->avail_gpa, 2);
	return !flags || !(__atomic_load_n(flags, __ATOMIC_ACQUIRE) &
			   VRING_AVAIL_F_NO_INTERRUPT);
}
