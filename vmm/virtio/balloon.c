// SPDX-License-Identifier: GPL-2.0
/* The virtio-balloon device (see balloon.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/virtio/balloon.h"
#include "mm/trace.h"

#define PAGE 4096ULL
#define QUEUE_SIZE 256

struct balloon_config {
	uint32_t num_pages;
	uint32_t actual;
	uint32_t free_page_hint_cmd_id;
	uint32_t poison_val;
};

static struct virtio_balloon *to_vb(struct virtio_mmio_dev *d)
{
	return d->opaque;
}

static bool test_and_set(uint8_t *map, uint64_t pfn, bool on)
{
	uint8_t bit = 1U << (pfn & 7);
	bool was = map[pfn >> 3] & bit;

	if (on)
		map[pfn >> 3] |= bit;
	else
		map[pfn >> 3] &= ~bit;
	return was;
}

static bool pinned(const struct virtio_balloon *b, uint64_t gpa)
{
	return gpa - b->pinned_start < b->pinned_size;
}

/* Runs of consecutive pages: one call per run. */
static void pass_runs(struct virtio_balloon *b, const uint64_t *pfn,
		      unsigned int n, bool inflate)
{
	unsigned int i = 0;

	while (i < n) {
		unsigned int j = i + 1;
		uint64_t gpa = pfn[i] * PAGE;

		while (j < n && pfn[j] == pfn[j - 1] + 1)
			j++;
		if (inflate) {
			long freed = b->ops.inflate ?
					     b->ops.inflate(b->ops.priv, gpa,
							    (j - i) * PAGE) :
					     0;

			if (freed > 0)
				b->c.frames_freed += freed;
		} else if (b->ops.deflate) {
			b->ops.deflate(b->ops.priv, gpa, (j - i) * PAGE);
		}
		i = j;
	}
}

/* One inflate or deflate buffer: arrays of le32 PFNs. */
static void handle_pfns(struct virtio_balloon *b, const struct vq_elem *e,
			bool inflate)
{
	unsigned int n = 0;

	for (unsigned int s = 0; s < e->nseg; s++) {
		const uint8_t *p = e->seg[s].hva;

		if (e->seg[s].write)
			continue; /* the driver gives, never asks */
		for (uint32_t off = 0; off + 4 <= e->seg[s].len; off += 4) {
			uint32_t pfn;

			memcpy(&pfn, p + off, 4);
			if (pfn >= b->ram_pages) {
				b->c.bad_out_of_range++;
				continue;
			}
			if (pfn < b->host_owned_end / PAGE) {
				b->c.bad_host_owned++;
				continue;
			}
			if (pinned(b, (uint64_t)pfn * PAGE)) {
				b->c.bad_pinned++;
				continue;
			}
			/* Duplicates within a buffer count as already
			 * done: the bit is set by the first. */
			if (test_and_set(b->ballooned, pfn, inflate) ==
			    inflate) {
				if (inflate)
					b->c.bad_already++;
				else
					b->c.bad_not_inflated++;
				continue;
			}
			b->pfn_scratch[n++] = pfn;
			if (n == sizeof(b->pfn_scratch) / sizeof(uint64_t)) {
				pass_runs(b, b->pfn_scratch, n, inflate);
				n = 0;
			}
			if (inflate)
				b->c.inflated_pages++;
			else
				b->c.deflated_pages++;
		}
	}
	pass_runs(b, b->pfn_scratch, n, inflate);
}

static void handle_stats(struct virtio_balloon *b, const struct vq_elem *e)
{
	for (unsigned int s = 0; s < e->nseg; s++) {
		const uint8_t *p = e->seg[s].hva;

		if (e->seg[s].write)
			continue;
		for (uint32_t off = 0; off + 10 <= e->seg[s].len; off += 10) {
			uint16_t tag;
			uint64_t val;

			memcpy(&tag, p + off, 2);
			memcpy(&val, p + off + 2, 8);
			if (tag >= VIRTIO_BALLOON_S_NR)
				continue; /* a tag from a newer spec */
			b->stat[tag] = val;
			b->stats_seen |= 1ULL << tag;
		}
	}
	b->stats_ns = trace_clock_ns();
	b->c.stats_updates++;
}

static void handle_report(struct virtio_balloon *b, const struct vq_elem *e)
{
	for (unsigned int s = 0; s < e->nseg; s++) {
		uint64_t gpa = e->seg[s].gpa, len = e->seg[s].len;
		long freed;

		if ((gpa | len) % PAGE || !len ||
		    gpa / PAGE + len / PAGE > b->ram_pages ||
		    gpa < b->host_owned_end || pinned(b, gpa) ||
		    pinned(b, gpa + len - 1)) {
			b->c.bad_report++;
			continue;
		}
		freed = b->ops.report ? b->ops.report(b->ops.priv, gpa, len) :
					0;
		if (freed > 0)
			b->c.frames_freed += freed;
		b->c.reported_bytes += len;
	}
}

static void notify(struct virtio_mmio_dev *d, unsigned int qi)
{
	struct virtio_balloon *b = to_vb(d);
	struct vq *q = &d->vq[qi];
	struct vq_elem *e = malloc(sizeof(*e));
	uint16_t used_before = q->used_idx;
	int ret;

	if (!e)
		return;
	while ((ret = vq_pop(q, &d->mem, e)) > 0) {
		switch (qi) {
		case BQ_INFLATE:
		case BQ_DEFLATE:
			handle_pfns(b, e, qi == BQ_INFLATE);
			vq_push(q, &d->mem, e->head, 0);
			break;
		case BQ_STATS:
			/* Keep the buffer: giving it back is how we ask for
			 * the next update (5.5.6.3). */
			handle_stats(b, e);
			if (b->stats_held)
				vq_push(q, &d->mem, b->stats_head, 0);
			b->stats_held = true;
			b->stats_head = e->head;
			break;
		case BQ_REPORTING:
			handle_report(b, e);
			vq_push(q, &d->mem, e->head, 0);
			break;
		}
	}
	free(e);
	if (q->used_idx != used_before)
		__virtio_mmio_used(d, qi);
}

static void config_read(struct virtio_mmio_dev *d, unsigned int off,
			uint8_t *data, unsigned int len)
{
	struct virtio_balloon *b = to_vb(d);
	struct balloon_config c = { .num_pages = b->num_pages,
				    .actual = b->actual };

	memcpy(data, (uint8_t *)&c + off, len);
}

/*
 * The host raised the target to pages: a request, unless the balloon
 * holds that much already.  A lower target supersedes the requests above
 * it.  Context: dev.lock held.
 */
static void __request_target(struct virtio_balloon *b, uint32_t pages)
{
	while (b->nr_req && b->req[b->nr_req - 1].target > pages)
		b->nr_req--;
	if (pages > b->actual && pages > b->num_pages &&
	    b->nr_req < BALLOON_MAX_REQUESTS)
		b->req[b->nr_req++] = (struct balloon_request){
			.ns = trace_clock_ns(),
			.target = pages,
		};
}

/* The driver says it holds actual pages: the requests that asks are
 * met.  Context: dev.lock held. */
static void requests_met(struct virtio_balloon *b)
{
	unsigned int n = 0;
	uint64_t now;

	while (n < b->nr_req && b->req[n].target <= b->actual)
		n++;
	if (!n)
		return;
	now = trace_clock_ns();
	for (unsigned int i = 0; i < n; i++)
		hist_add(&b->request_ns, now - b->req[i].ns);
	b->nr_req -= n;
	memmove(b->req, b->req + n, b->nr_req * sizeof(b->req[0]));
}

static void config_write(struct virtio_mmio_dev *d, unsigned int off,
			 const uint8_t *data, unsigned int len)
{
	struct virtio_balloon *b = to_vb(d);

	/* Only actual is the driver's to write. */
	BUILD_BUG_ON(offsetof(struct balloon_config, actual) !=
		     VIRTIO_BALLOON_CONFIG_ACTUAL);
	if (off == VIRTIO_BALLOON_CONFIG_ACTUAL && len == 4) {
		memcpy(&b->actual, data, 4);
		requests_met(b);
		return;
	}
	d->stats.bad_access++;
}

static void reset(struct virtio_mmio_dev *d)
{
	struct virtio_balloon *b = to_vb(d);

	/* A reset device holds no pages: the guest owns them all again,
	 * and they fault in fresh when touched. */
	memset(b->ballooned, 0, (b->ram_pages + 7) / 8);
	b->actual = 0;
	b->nr_req = 0; /* a new driver starts over */
	b->stats_held = false;
}

static const struct virtio_dev_ops balloon_dev_ops = {
	.config_read = config_read,
	.config_write = config_write,
	.notify = notify,
	.reset = reset,
};

int virtio_balloon_init(struct virtio_balloon *b, uint64_t ram_size,
			uint64_t host_owned_end, uint64_t pinned_start,
			uint64_t pinned_size, const struct balloon_ops *ops,
			const struct guest_view *mem)
{
	memset(b, 0, sizeof(*b));
	b->ram_pages = ram_size / PAGE;
	b->host_owned_end = host_owned_end;
	b->ballooned = calloc((b->ram_pages + 7) / 8, 1);
	if (!b->ballooned)
		return -ENOMEM;
	b->pinned_start = pinned_start;
	b->pinned_size = pinned_size;
	b->ops = *ops;
	virtio_mmio_init(&b->dev, VIRTIO_ID_BALLOON,
			 (1ULL << VIRTIO_BALLOON_F_STATS_VQ) |
				 (1ULL << VIRTIO_BALLOON_F_DEFLATE_ON_OOM) |
				 (1ULL << VIRTIO_BALLOON_F_REPORTING),
			 BQ_NR, QUEUE_SIZE, sizeof(struct balloon_config),
			 &balloon_dev_ops, b, mem);
	return 0;
}

void virtio_balloon_destroy(struct virtio_balloon *b)
{
	virtio_mmio_destroy(&b->dev);
	free(b->ballooned);
}

void balloon_set_target(struct virtio_balloon *b, uint32_t pages)
{
	bool changed = false;

	pthread_mutex_lock(&b->dev.lock);
	if (pages > b->ram_pages)
		pages = b->ram_pages;
	if (pages != b->num_pages) {
		__request_target(b, pages);
		b->num_pages = pages;
		__virtio_mmio_config_changed(&b->dev);
		changed = true;
	}
	pthread_mutex_unlock(&b->dev.lock);
	if (changed && b->ops.doorbell)
		b->ops.doorbell(b->ops.priv);
}

void balloon_request_stats(struct virtio_balloon *b)
{
	bool asked = false;

	pthread_mutex_lock(&b->dev.lock);
	if (b->stats_held && !b->dev.vq[BQ_STATS].broken) {
		asked = true;
		vq_push(&b->dev.vq[BQ_STATS], &b->dev.mem, b->stats_head, 0);
		b->stats_held = false;
		/* Linux's driver sends new statistics from this
		 * queue's callback: it needs the interrupt. */
		__virtio_mmio_used(&b->dev, BQ_STATS);
	}
	pthread_mutex_unlock(&b->dev.lock);
	if (asked && b->ops.doorbell)
		b->ops.doorbell(b->ops.priv);
}

void balloon_get_info(struct virtio_balloon *b, struct balloon_info *info)
{
	pthread_mutex_lock(&b->dev.lock);
	info->target = b->num_pages;
	info->actual = b->actual;
	info->driver_ok = __virtio_mmio_driver_ok(&b->dev);
	info->needs_reset = b->dev.status & VIRTIO_STATUS_NEEDS_RESET;
	memcpy(info->stat, b->stat, sizeof(info->stat));
	info->stats_seen = b->stats_seen;
	info->stats_ns = b->stats_ns;
	info->c = b->c;
	info->transport = b->dev.stats;
	pthread_mutex_unlock(&b->dev.lock);
}
