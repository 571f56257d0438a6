// SPDX-License-Identifier: GPL-2.0
/* Polling virtio-mmio driver core (see virtio.h). */
#include "guest/virtio.h"
#include "guest/console.h"
#include "guest/io.h"
#include "guest/kernel.h"
#include "guest/lib.h"

static uint32_t mmio_read(struct virtio_dev *d, unsigned int off)
{
	return *(volatile uint32_t *)(uintptr_t)(d->base + off);
}

static void mmio_write(struct virtio_dev *d, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(d->base + off) = v;
}

static void set_status(struct virtio_dev *d, uint32_t bits)
{
	mmio_write(d, VIRTIO_MMIO_STATUS,
		   mmio_read(d, VIRTIO_MMIO_STATUS) | bits);
}

uint64_t virtio_init(struct virtio_dev *d, uint64_t base, uint32_t device_id,
		     uint64_t wanted)
{
	uint64_t offered;

	d->base = base;
	d->broken = true;
	if (mmio_read(d, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC ||
	    mmio_read(d, VIRTIO_MMIO_VERSION) != 2 ||
	    mmio_read(d, VIRTIO_MMIO_DEVICE_ID) != device_id)
		return 0;
	mmio_write(d, VIRTIO_MMIO_STATUS, 0); /* reset */
	set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(d, VIRTIO_STATUS_DRIVER);
	mmio_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	offered = mmio_read(d, VIRTIO_MMIO_DEVICE_FEATURES);
	mmio_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	offered |= (uint64_t)mmio_read(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	d->features = offered & (wanted | (1ULL << VIRTIO_F_VERSION_1));
	if (!(d->features & (1ULL << VIRTIO_F_VERSION_1)))
		goto fail;
	mmio_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	mmio_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)d->features);
	mmio_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	mmio_write(d, VIRTIO_MMIO_DRIVER_FEATURES, d->features >> 32);
	set_status(d, VIRTIO_STATUS_FEATURES_OK);
	if (!(mmio_read(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		goto fail;
	d->broken = false;
	return d->features;
fail:
	set_status(d, VIRTIO_STATUS_FAILED);
	return 0;
}

int virtio_setup_vq(struct virtio_dev *d, struct virtqueue *vq, uint16_t index)
{
	uint32_t max;

	memset(vq, 0, sizeof(*vq));
	vq->dev = d;
	vq->index = index;
	mmio_write(d, VIRTIO_MMIO_QUEUE_SEL, index);
	if (mmio_read(d, VIRTIO_MMIO_QUEUE_READY))
		return -1;
	max = mmio_read(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (!max)
		return -1;
	vq->num = max < VQ_SIZE ? max : VQ_SIZE;
	for (uint16_t i = 0; i < vq->num; i++)
		vq->desc[i].next = i + 1;
	vq->nr_free = vq->num;
	/* A polling driver: no interrupts for used buffers (2.7.7). */
	vq->avail.flags = VRING_AVAIL_F_NO_INTERRUPT;
	mmio_write(d, VIRTIO_MMIO_QUEUE_NUM, vq->num);
	mmio_write(d, VIRTIO_MMIO_QUEUE_DESC_LOW,
		   (uint32_t)(uintptr_t)vq->desc);
	mmio_write(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uintptr_t)vq->desc >> 32);
	mmio_write(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW,
		   (uint32_t)(uintptr_t)&vq->avail);
	mmio_write(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH,
		   (uintptr_t)&vq->avail >> 32);
	mmio_write(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW,
		   (uint32_t)(uintptr_t)&vq->used);
	mmio_write(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH,
		   (uintptr_t)&vq->used >> 32);
	mmio_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
	vq->ready = true;
	return 0;
}

void vq_set_interrupts(struct virtqueue *vq, bool on)
{
	__atomic_store_n(&vq->avail.flags, on ? 0 : VRING_AVAIL_F_NO_INTERRUPT,
			 __ATOMIC_RELEASE);
}

uint32_t virtio_irq_ack(struct virtio_dev *d)
{
	uint32_t why = mmio_read(d, VIRTIO_MMIO_INTERRUPT_STATUS);

	if (why)
		mmio_write(d, VIRTIO_MMIO_INTERRUPT_ACK, why);
	return why;
}

void virtio_driver_ok(struct virtio_dev *d)
{
	set_status(d, VIRTIO_STATUS_DRIVER_OK);
}

bool virtio_needs_reset(struct virtio_dev *d)
{
	if (!d->broken &&
	    (mmio_read(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET))
		d->broken = true;
	return d->broken;
}

uint32_t virtio_config_read32(struct virtio_dev *d, unsigned int off)
{
	uint32_t gen, v;

	/* A consistent snapshot: retry while the generation moves. */
	do {
		gen = mmio_read(d, VIRTIO_MMIO_CONFIG_GENERATION);
		v = mmio_read(d, VIRTIO_MMIO_CONFIG + off);
	} while (gen != mmio_read(d, VIRTIO_MMIO_CONFIG_GENERATION));
	return v;
}

void virtio_config_write32(struct virtio_dev *d, unsigned int off, uint32_t v)
{
	mmio_write(d, VIRTIO_MMIO_CONFIG + off, v);
}

int vq_add(struct virtqueue *vq, const uint64_t *addr, const uint32_t *len,
	   const bool *writable, unsigned int n)
{
	uint16_t head = vq->free_head, d = head, last = head;

	if (!vq->ready || !n || n > vq->nr_free)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		last = d;
		vq->desc[d].addr = addr[i];
		vq->desc[d].len = len[i];
		vq->desc[d].flags =
			(writable && writable[i] ? VRING_DESC_F_WRITE : 0) |
			(i + 1 < n ? VRING_DESC_F_NEXT : 0);
		d = vq->desc[d].next;
	}
	vq->free_head = vq->desc[last].next;
	vq->nr_free -= n;
	vq->avail.ring[vq->avail.idx % vq->num] = head;
	/* The descriptors before the index that publishes them. */
	__atomic_store_n(&vq->avail.idx, vq->avail.idx + 1, __ATOMIC_RELEASE);
	return head;
}

void vq_kick(struct virtqueue *vq)
{
	if (!(__atomic_load_n(&vq->used.flags, __ATOMIC_ACQUIRE) & 1))
		mmio_write(vq->dev, VIRTIO_MMIO_QUEUE_NOTIFY, vq->index);
}

int vq_get_used(struct virtqueue *vq, uint32_t *len)
{
	uint16_t idx = __atomic_load_n(&vq->used.idx, __ATOMIC_ACQUIRE);
	struct vring_used_elem e;
	uint16_t d, n = 1;

	if (idx == vq->last_used)
		return -1;
	e = vq->used.ring[vq->last_used % vq->num];
	vq->last_used++;
	if (e.id >= vq->num) {
		vq->dev->broken = true;
		return -1;
	}
	if (len)
		*len = e.len;
	/* Put the chain back on the free list. */
	for (d = e.id; vq->desc[d].flags & VRING_DESC_F_NEXT && n < vq->num;
	     n++)
		d = vq->desc[d].next;
	vq->desc[d].next = vq->free_head;
	vq->free_head = e.id;
	vq->nr_free += n;
	return e.id;
}

int vq_send_wait(struct virtqueue *vq, const uint64_t *addr,
		 const uint32_t *len, const bool *writable, unsigned int n,
		 uint64_t timeout_ns)
{
	uint64_t deadline = now_ns() + timeout_ns, wait = 1000;
	int head = vq_add(vq, addr, len, writable, n);

	if (head < 0)
		return -1;
	vq_kick(vq);
	for (;;) {
		int id = vq_get_used(vq, NULL);

		if (id == head)
			return 0;
		if (virtio_needs_reset(vq->dev) || now_ns() > deadline)
			return -1;
		/* Most devices answer within the notify exit; back off. */
		cpu_sleep_ns(wait);
		if (wait < 1000000)
			wait *= 2;
	}
}
