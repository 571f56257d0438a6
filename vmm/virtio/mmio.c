// SPDX-License-Identifier: GPL-2.0
/* The virtio-mmio transport, device side (see mmio.h). */
#include <string.h>

#include "mm/types.h"
#include "vmm/virtio/mmio.h"

void virtio_mmio_init(struct virtio_mmio_dev *d, uint32_t device_id,
		      uint64_t features, unsigned int nr_queues,
		      uint16_t queue_size, uint32_t config_len,
		      const struct virtio_dev_ops *ops, void *opaque,
		      const struct guest_view *mem)
{
	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
	d->device_id = device_id;
	d->device_features = features | (1ULL << VIRTIO_F_VERSION_1);
	d->nr_queues = nr_queues;
	d->config_len = config_len;
	d->ops = ops;
	d->opaque = opaque;
	d->mem = *mem;
	for (unsigned int i = 0; i < nr_queues; i++)
		vq_reset(&d->vq[i], queue_size);
}

void virtio_mmio_destroy(struct virtio_mmio_dev *d)
{
	pthread_mutex_destroy(&d->lock);
}

/* status is written under the lock and read without it by the VMM's
 * MMIO hook (vmm/host/balloon.c): single stores. */
static void reset(struct virtio_mmio_dev *d)
{
	WRITE_ONCE(d->status, 0);
	d->driver_features = 0;
	d->interrupt_status = 0;
	d->queue_sel = d->dev_feat_sel = d->drv_feat_sel = 0;
	for (unsigned int i = 0; i < d->nr_queues; i++)
		vq_reset(&d->vq[i], d->vq[i].num_max);
	d->stats.resets++;
	if (d->ops->reset)
		d->ops->reset(d);
}

bool __virtio_mmio_driver_ok(const struct virtio_mmio_dev *d)
{
	return (d->status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(d->status & VIRTIO_STATUS_NEEDS_RESET);
}

void virtio_mmio_set_irq(struct virtio_mmio_dev *d, virtio_irq_fn fn, void *arg)
{
	pthread_mutex_lock(&d->lock);
	d->irq = fn;
	d->irq_arg = arg;
	pthread_mutex_unlock(&d->lock);
}

/*
 * InterruptStatus says why (4.2.2.1); the line itself is an edge per
 * reason raised, so a driver that acknowledged everything and then gets
 * more work is interrupted again.  A driver that does not negotiate
 * DRIVER_OK gets no interrupts: it has no handler yet.
 */
static void __raise(struct virtio_mmio_dev *d, uint32_t why)
{
	d->interrupt_status |= why;
	if (d->irq && (d->status & VIRTIO_STATUS_DRIVER_OK)) {
		d->stats.irqs++;
		d->irq(d->irq_arg);
	}
}

void __virtio_mmio_used(struct virtio_mmio_dev *d, unsigned int q)
{
	if (q < d->nr_queues && !vq_wants_interrupt(&d->vq[q], &d->mem)) {
		d->stats.irqs_suppressed++;
		return;
	}
	__raise(d, VIRTIO_INT_USED);
}

void __virtio_mmio_needs_reset(struct virtio_mmio_dev *d, unsigned int q)
{
	(void)q;
	d->stats.broken_queues++;
	WRITE_ONCE(d->status, d->status | VIRTIO_STATUS_NEEDS_RESET);
	__raise(d, VIRTIO_INT_CONFIG);
}

void __virtio_mmio_config_changed(struct virtio_mmio_dev *d)
{
	d->config_generation++;
	__raise(d, VIRTIO_INT_CONFIG);
}

static struct vq *cur_vq(struct virtio_mmio_dev *d)
{
	return d->queue_sel < d->nr_queues ? &d->vq[d->queue_sel] : NULL;
}

static uint32_t reg_read(struct virtio_mmio_dev *d, uint64_t off)
{
	struct vq *q = cur_vq(d);

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return d->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_VENDOR_ID;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return d->dev_feat_sel > 1 ? 0 :
					     (uint32_t)(d->device_features >>
							(32 * d->dev_feat_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? q->num_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return d->interrupt_status;
	case VIRTIO_MMIO_STATUS:
		return d->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return d->config_generation;
	}
	d->stats.bad_access++;
	return 0;
}

static void set_status(struct virtio_mmio_dev *d, uint32_t v)
{
	if (!v) {
		reset(d);
		return;
	}
	/* FEATURES_OK only if what the driver took is what we offer, with
	 * VERSION_1 (a legacy driver is refused). */
	if ((v & VIRTIO_STATUS_FEATURES_OK) &&
	    !(d->status & VIRTIO_STATUS_FEATURES_OK) &&
	    ((d->driver_features & ~d->device_features) ||
	     !(d->driver_features & (1ULL << VIRTIO_F_VERSION_1))))
		v &= ~VIRTIO_STATUS_FEATURES_OK;
	/* The device owns NEEDS_RESET; the driver cannot clear it. */
	WRITE_ONCE(d->status, v | (d->status & VIRTIO_STATUS_NEEDS_RESET));
}

static void set_addr(uint64_t *a, uint32_t v, bool high)
{
	*a = high ? (*a & 0xffffffffULL) | ((uint64_t)v << 32) :
		    (*a & ~0xffffffffULL) | v;
}

static void __notify(struct virtio_mmio_dev *d, unsigned int q)
{
	if (d->vq[q].ready && !d->vq[q].broken && __virtio_mmio_driver_ok(d)) {
		d->ops->notify(d, q);
		if (d->vq[q].broken)
			__virtio_mmio_needs_reset(d, q);
	}
}

void virtio_mmio_notify_all(struct virtio_mmio_dev *d)
{
	pthread_mutex_lock(&d->lock);
	d->stats.notifies++;
	for (unsigned int q = 0; q < d->nr_queues; q++)
		__notify(d, q);
	pthread_mutex_unlock(&d->lock);
}

static void reg_write(struct virtio_mmio_dev *d, uint64_t off, uint32_t v)
{
	struct vq *q = cur_vq(d);
	/* Queue layout may change only while the queue is not live. */
	bool q_writable = q && !q->ready &&
			  !(d->status & VIRTIO_STATUS_DRIVER_OK);

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		d->dev_feat_sel = v;
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (d->drv_feat_sel <= 1 &&
		    !(d->status & VIRTIO_STATUS_FEATURES_OK)) {
			unsigned int sh = 32 * d->drv_feat_sel;

			d->driver_features &= ~(0xffffffffULL << sh);
			d->driver_features |= (uint64_t)v << sh;
			return;
		}
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		d->drv_feat_sel = v;
		return;
	case VIRTIO_MMIO_QUEUE_SEL:
		d->queue_sel = v;
		return;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (q_writable) {
			q->num = v > 0xffff ? 0 : v;
			return;
		}
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (q && v == 1 && !q->ready) {
			if (vq_activate(q, &d->mem))
				__virtio_mmio_needs_reset(d, d->queue_sel);
			return;
		}
		if (q && v == 0) {
			vq_reset(q, q->num_max);
			return;
		}
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		d->stats.notifies++;
		if (v < d->nr_queues)
			__notify(d, v);
		return;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		d->interrupt_status &= ~v;
		return;
	case VIRTIO_MMIO_STATUS:
		set_status(d, v);
		return;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (q_writable) {
			set_addr(&q->desc_gpa, v,
				 off == VIRTIO_MMIO_QUEUE_DESC_HIGH);
			return;
		}
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if (q_writable) {
			set_addr(&q->avail_gpa, v,
				 off == VIRTIO_MMIO_QUEUE_DRIVER_HIGH);
			return;
		}
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (q_writable) {
			set_addr(&q->used_gpa, v,
				 off == VIRTIO_MMIO_QUEUE_DEVICE_HIGH);
			return;
		}
		break;
	}
	d->stats.bad_access++;
}

void virtio_mmio_access(struct virtio_mmio_dev *d, uint64_t off, uint8_t *data,
			unsigned int len, bool is_write)
{
	pthread_mutex_lock(&d->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		unsigned int c = off - VIRTIO_MMIO_CONFIG;

		/* Config space: any width, inside the device's config. */
		if (c + len > d->config_len || !len || len > 8) {
			d->stats.bad_access++;
			if (!is_write)
				memset(data, 0, len);
		} else if (is_write) {
			if (d->ops->config_write)
				d->ops->config_write(d, c, data, len);
		} else {
			d->ops->config_read(d, c, data, len);
		}
	} else if (len != 4 || (off & 3)) {
		/* Registers are 32-bit, aligned (4.2.2.2). */
		d->stats.bad_access++;
		if (!is_write)
			memset(data, 0, len);
	} else if (is_write) {
		uint32_t v;

		memcpy(&v, data, 4);
		reg_write(d, off, v);
	} else {
		uint32_t v = reg_read(d, off);

		memcpy(data, &v, 4);
	}
	pthread_mutex_unlock(&d->lock);
}
