// SPDX-License-Identifier: GPL-2.0
/* virtio-balloon driver (see balloon.h). */
#include "guest/balloon.h"
#include "guest/console.h"
#include "guest/io.h"
#include "guest/irq.h"
#include "guest/layout.h"
#include "guest/kernel.h"
#include "guest/lib.h"
#include "guest/palloc.h"
#include "guest/virtio.h"
#include "guest/workload.h"

#define VIRTIO_ID_BALLOON 5
#define VIRTIO_BALLOON_F_STATS_VQ 1
#define VIRTIO_BALLOON_F_DEFLATE_ON_OOM 2
#define VIRTIO_BALLOON_F_REPORTING 5

/* Config space: num_pages (host's target), actual (ours). */
#define CFG_NUM_PAGES 0
#define CFG_ACTUAL 4

#define VIRTIO_BALLOON_S_MEMFREE 4
#define VIRTIO_BALLOON_S_MEMTOT 5
#define VIRTIO_BALLOON_S_AVAIL 6

/* PFNs per inflate/deflate buffer: 64 MiB of guest memory per round trip
 * (Linux uses 256; a larger batch amortises the exit). */
#define PFN_BATCH 16384
#define REPORT_BATCH 16 /* chunks per free page report */
#define REPORT_DELAY_NS 2000000000ULL /* as Linux's page reporting */
#define HOST_TIMEOUT_NS 5000000000ULL
#define POLL_BUDGET_NS 20000000ULL /* per poll, then back to the workload */

struct stat_entry {
	uint16_t tag;
	uint64_t val;
} __attribute__((packed));

static struct {
	struct virtio_dev dev;
	struct virtqueue inflate, deflate, stats, report;
	bool present, has_stats, has_report, deflate_on_oom, deaf;
	bool irq_mode; /* interrupts on (balloon irq) */
	uint64_t irq_seen; /* irq_count already serviced */
	uint64_t irq_used, irq_config; /* interrupts by reason */
	uint8_t *ballooned; /* bit per guest page */
	uint64_t nr_pfns;
	uint64_t actual; /* pages in the balloon */
	uint64_t deflate_cursor;
	uint64_t used_cursor;
	uint64_t next_report_ns;
	unsigned int next_node;
	uint32_t pfns[PFN_BATCH];
	struct stat_entry stat[3];
} b;

uint64_t balloon_meta_bytes(uint64_t ram_size)
{
	return ((ram_size >> PAGE_SHIFT) + 7) / 8;
}

static bool test_bit(uint64_t pfn)
{
	return b.ballooned[pfn >> 3] & (1U << (pfn & 7));
}

static void set_bit_to(uint64_t pfn, bool on)
{
	if (on)
		b.ballooned[pfn >> 3] |= 1U << (pfn & 7);
	else
		b.ballooned[pfn >> 3] &= ~(1U << (pfn & 7));
}

static void fill_stats(void)
{
	uint64_t free = 0;

	for (unsigned int n = 0; n < palloc_nr_nodes(); n++)
		free += palloc_nr_free(n);
	b.stat[0] = (struct stat_entry){ VIRTIO_BALLOON_S_MEMFREE,
					 free << PAGE_SHIFT };
	b.stat[1] =
		(struct stat_entry){ VIRTIO_BALLOON_S_MEMTOT, kernel.ram_size };
	b.stat[2] = (struct stat_entry){ VIRTIO_BALLOON_S_AVAIL,
					 free << PAGE_SHIFT };
}

static void post_stats(void)
{
	uint64_t addr = (uintptr_t)b.stat;
	uint32_t len = sizeof(b.stat);

	fill_stats();
	if (vq_add(&b.stats, &addr, &len, NULL, 1) >= 0)
		vq_kick(&b.stats);
}

/*
 * Set the device up on first use, not at boot: each register access is an
 * exit to the host (about 75 us here, nested), and some 60 of them would
 * delay the workload's first phase by milliseconds.
 */
static bool setup_pending;
static bool balloon_setup(void);

bool balloon_init(void *meta)
{
	const struct guest_bootinfo *bi = kernel.bi;

	b.ballooned = meta;
	b.nr_pfns = kernel.ram_size >> PAGE_SHIFT;
	for (unsigned int i = 0; i < bi->nr_devices && i < GUEST_MAX_DEVICES;
	     i++)
		if (bi->dev[i].device_id == VIRTIO_ID_BALLOON)
			setup_pending = true;
	return setup_pending;
}

static bool balloon_setup(void)
{
	const struct guest_bootinfo *bi = kernel.bi;
	uint64_t want = (1ULL << VIRTIO_BALLOON_F_STATS_VQ) |
			(1ULL << VIRTIO_BALLOON_F_DEFLATE_ON_OOM) |
			(1ULL << VIRTIO_BALLOON_F_REPORTING);
	uint64_t f = 0;
	uint16_t q = 0;

	setup_pending = false;
	for (unsigned int i = 0; i < bi->nr_devices && i < GUEST_MAX_DEVICES;
	     i++) {
		if (bi->dev[i].device_id != VIRTIO_ID_BALLOON)
			continue;
		f = virtio_init(&b.dev, bi->dev[i].mmio_gpa, VIRTIO_ID_BALLOON,
				want);
		break;
	}
	if (!f)
		return false;
	/* Queues are numbered in order, skipping absent ones, as Linux's
	 * driver and QEMU's device do. */
	if (virtio_setup_vq(&b.dev, &b.inflate, q++) ||
	    virtio_setup_vq(&b.dev, &b.deflate, q++))
		return false;
	b.has_stats = f & (1ULL << VIRTIO_BALLOON_F_STATS_VQ);
	if (b.has_stats && virtio_setup_vq(&b.dev, &b.stats, q++))
		return false;
	b.has_report = f & (1ULL << VIRTIO_BALLOON_F_REPORTING);
	if (b.has_report && virtio_setup_vq(&b.dev, &b.report, q++))
		return false;
	b.deflate_on_oom = f & (1ULL << VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
	virtio_driver_ok(&b.dev);
	if (b.has_stats)
		post_stats();
	b.present = true;
	b.next_report_ns = now_ns() + REPORT_DELAY_NS;
	printk("balloon: virtio-balloon at %lx, features %lx\n",
	       bi->dev[0].mmio_gpa, f);
	return true;
}

static bool chunk_backed(uint64_t pfn)
{
	/* Sample: a chunk the workload used is backed on the host. */
	for (uint32_t i = 0; i < CHUNK_PAGES; i += 64)
		if (workload_page_used(pfn + i))
			return true;
	return false;
}

/*
 * Free pages for the balloon: whole chunks first (the host can give back
 * whole hugepages), and among them the ones we have used, which the host
 * backs: giving back a page it never backed frees nothing there.  Then
 * single pages.
 */
static uint32_t gather_free(uint32_t want)
{
	uint64_t spare[64];
	unsigned int nspare = 0, nodes = palloc_nr_nodes();
	uint32_t n = 0;

	for (unsigned int tries = 0;
	     n + CHUNK_PAGES <= want && tries < nodes;) {
		uint64_t pfn;

		if (!palloc_alloc_chunk(b.next_node, true, &pfn)) {
			b.next_node = (b.next_node + 1) % nodes;
			tries++;
			continue;
		}
		if (!chunk_backed(pfn) && nspare < 64) {
			spare[nspare++] = pfn; /* later, if nothing better */
			continue;
		}
		for (uint32_t i = 0; i < CHUNK_PAGES; i++)
			b.pfns[n++] = pfn + i;
	}
	/* Then free pages we used, wherever they are: those are what the
	 * host needs back. */
	for (uint64_t scanned = 0; n < want && scanned < b.nr_pfns; scanned++) {
		uint64_t pfn = b.used_cursor;

		b.used_cursor = (b.used_cursor + 1) % b.nr_pfns;
		if (workload_page_used(pfn) && !test_bit(pfn) &&
		    palloc_take(pfn))
			b.pfns[n++] = pfn;
	}
	while (nspare) {
		uint64_t pfn = spare[--nspare];

		if (n + CHUNK_PAGES > want) {
			palloc_free(pfn, CHUNK_PAGES);
			continue;
		}
		for (uint32_t i = 0; i < CHUNK_PAGES; i++)
			b.pfns[n++] = pfn + i;
	}
	/* The pinned range never goes to the host.  Its chunks are
	 * skipped, not taken and given back: the next call would find the
	 * same free pages first, for ever. */
	for (unsigned int tries = 0; n < want && tries < nodes;) {
		uint64_t pfn;
		uint32_t got = palloc_alloc_run_unpinned(
			b.next_node, MIN(want - n, 64U), &pfn);

		if (!got) {
			b.next_node = (b.next_node + 1) % nodes;
			tries++;
			continue;
		}
		for (uint32_t i = 0; i < got; i++)
			b.pfns[n++] = pfn + i;
	}
	return n;
}

static int send_pfns(struct virtqueue *vq, uint32_t n)
{
	uint64_t addr = (uintptr_t)b.pfns;
	uint32_t len = n * sizeof(uint32_t);

	return vq_send_wait(vq, &addr, &len, NULL, 1, HOST_TIMEOUT_NS);
}

static void set_actual(void)
{
	virtio_config_write32(&b.dev, CFG_ACTUAL, (uint32_t)b.actual);
}

static void inflate(uint64_t want)
{
	uint32_t n = gather_free(MIN(want, (uint64_t)PFN_BATCH));

	if (!n)
		return;
	if (send_pfns(&b.inflate, n)) {
		/* The host did not take them: keep them ours. */
		for (uint32_t i = 0; i < n; i++)
			palloc_free(b.pfns[i], 1);
		return;
	}
	for (uint32_t i = 0; i < n;) {
		uint64_t pfn = b.pfns[i];

		/* A whole chunk: its 512 bits at once. */
		if (!(pfn % CHUNK_PAGES) && i + CHUNK_PAGES <= n &&
		    b.pfns[i + CHUNK_PAGES - 1] == pfn + CHUNK_PAGES - 1) {
			memset(&b.ballooned[pfn >> 3], 0xff, CHUNK_PAGES / 8);
			workload_chunk_returned(pfn);
			i += CHUNK_PAGES;
			continue;
		}
		set_bit_to(pfn, true);
		/* The host discards the contents: it comes back zero. */
		workload_page_returned(pfn);
		i++;
	}
	b.actual += n;
	set_actual();
}

static uint64_t deflate(uint64_t want)
{
	uint32_t n = 0;
	uint64_t scanned = 0;

	want = MIN(want, (uint64_t)PFN_BATCH);
	while (n < want && scanned < b.nr_pfns) {
		uint64_t pfn = b.deflate_cursor;

		b.deflate_cursor = (b.deflate_cursor + 1) % b.nr_pfns;
		scanned++;
		if (test_bit(pfn))
			b.pfns[n++] = (uint32_t)pfn;
	}
	if (!n || send_pfns(&b.deflate, n))
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		set_bit_to(b.pfns[i], false);
		palloc_free(b.pfns[i], 1);
	}
	b.actual -= n;
	set_actual();
	return n;
}

static void report_free(void)
{
	uint64_t addr[REPORT_BATCH], pfn[REPORT_BATCH];
	uint32_t len[REPORT_BATCH];
	bool wr[REPORT_BATCH];
	unsigned int n = 0;

	for (unsigned int node = 0; node < palloc_nr_nodes(); node++)
		while (n < REPORT_BATCH &&
		       palloc_take_unreported_chunk(node, &pfn[n])) {
			addr[n] = pfn[n] << PAGE_SHIFT;
			len[n] = CHUNK_SIZE;
			wr[n] = true;
			n++;
		}
	if (!n)
		return;
	if (!vq_send_wait(&b.report, addr, len, wr, n, HOST_TIMEOUT_NS))
		for (unsigned int i = 0; i < n; i++)
			for (uint32_t k = 0; k < CHUNK_PAGES; k++)
				workload_page_returned(pfn[i] + k);
	for (unsigned int i = 0; i < n; i++)
		palloc_return_reported_chunk(pfn[i]);
}

/* The bottom half of the interrupt: what the device said, acknowledged. */
static void irq_service(void)
{
	uint64_t n = READ_ONCE(irq_count);
	uint32_t why;

	if (n == b.irq_seen)
		return;
	b.irq_seen = n;
	why = virtio_irq_ack(&b.dev);
	b.irq_used += !!(why & VIRTIO_INT_USED);
	b.irq_config += !!(why & VIRTIO_INT_CONFIG);
}

void balloon_poll(void)
{
	uint64_t target, t0;

	if (setup_pending && !b.deaf)
		balloon_setup();
	if (!b.present || b.deaf || virtio_needs_reset(&b.dev))
		return;
	if (b.irq_mode)
		irq_service();
	/* Follow the target in batches, but give the workload its vCPU
	 * back after a while. */
	t0 = now_ns();
	do {
		uint64_t before = b.actual;

		target = virtio_config_read32(&b.dev, CFG_NUM_PAGES);
		if (target > b.actual)
			inflate(target - b.actual);
		else if (target < b.actual)
			deflate(b.actual - target);
		if (b.actual == before)
			break;
	} while (b.actual != target && now_ns() - t0 < POLL_BUDGET_NS);
	if (b.has_stats && vq_get_used(&b.stats, NULL) >= 0)
		post_stats();
	if (b.has_report && now_ns() >= b.next_report_ns) {
		report_free();
		b.next_report_ns = now_ns() + REPORT_DELAY_NS;
	}
}

uint64_t balloon_deflate_on_oom(uint64_t pages)
{
	uint64_t done = 0, n;

	if (setup_pending && !b.deaf)
		balloon_setup();
	if (!b.present || !b.deflate_on_oom || b.deaf)
		return 0;
	while (done < pages && (n = deflate(pages - done)))
		done += n;
	return done;
}

void balloon_set_deaf(bool deaf)
{
	/* A deaf driver is one the host sees, then never hears from. */
	if (setup_pending)
		balloon_setup();
	b.deaf = deaf;
}

int balloon_use_irq(void)
{
	const char *why;

	if (setup_pending)
		balloon_setup();
	if (!b.present)
		return -1;
	why = irq_enable(kernel.bi->dev[0].irq);
	if (why) {
		printk("balloon: no interrupts: %s\n", why);
		return -1;
	}
	vq_set_interrupts(&b.inflate, true);
	vq_set_interrupts(&b.deflate, true);
	if (b.has_stats)
		vq_set_interrupts(&b.stats, true);
	if (b.has_report)
		vq_set_interrupts(&b.report, true);
	b.irq_mode = true;
	printk("balloon: interrupts on GSI %u, vector 0x%x\n",
	       kernel.bi->dev[0].irq, IRQ_VECTOR_VIRTIO);
	return 0;
}

void balloon_report_irqs(void)
{
	if (!b.irq_mode)
		return;
	irq_service();
	report(GR_STAT, "irq_used", b.irq_used, READ_ONCE(irq_count), 0, 0);
	report(GR_STAT, "irq_config", b.irq_config, 0, 0, 0);
}

uint64_t balloon_pages(void)
{
	return b.actual;
}

void balloon_evil(unsigned int kind)
{
	struct virtqueue *q = &b.inflate;
	uint64_t pfn;

	if (setup_pending)
		balloon_setup();
	if (!b.present)
		return;
	switch (kind) {
	case 0:
		/* A page to balloon twice, one beyond RAM, two of the
		 * host's boot area (this boot info, these page tables),
		 * one pinned page (if there is a pinned range), one
		 * duplicated. */
		if (!palloc_alloc_run(0, 1, &pfn))
			return;
		b.pfns[0] = (uint32_t)pfn;
		b.pfns[1] = (uint32_t)pfn;
		b.pfns[2] = 0xfffffff0;
		b.pfns[3] = GUEST_BOOTINFO_GPA >> PAGE_SHIFT;
		b.pfns[4] = GUEST_PGTABLE_GPA >> PAGE_SHIFT;
		b.pfns[5] = (uint32_t)(kernel.bi->pinned_start >> PAGE_SHIFT);
		if (send_pfns(q, kernel.bi->pinned_size ? 6 : 5))
			return;
		/* The whole boot area, reported free. */
		if (b.has_report) {
			uint64_t addr = 0;
			uint32_t len = GUEST_RAM_START;
			bool wr = true;

			if (vq_send_wait(&b.report, &addr, &len, &wr, 1,
					 HOST_TIMEOUT_NS))
				return;
		}
		/* ... and the same page again. */
		b.pfns[0] = (uint32_t)pfn;
		if (send_pfns(q, 1))
			return;
		set_bit_to(pfn, true);
		workload_page_returned(pfn);
		b.actual++;
		set_actual();
		break;
	case 1:
	case 2: {
		uint16_t d = q->free_head;

		/* Hand-made: a chain whose next points at itself, or a
		 * buffer past the end of RAM. */
		q->desc[d].addr = kind == 1 ? (uintptr_t)b.pfns :
					      kernel.ram_size + (1 << 20);
		q->desc[d].len = 4;
		q->desc[d].flags = kind == 1 ? VRING_DESC_F_NEXT : 0;
		q->desc[d].next = d;
		q->avail.ring[q->avail.idx % q->num] = d;
		__atomic_store_n(&q->avail.idx, q->avail.idx + 1,
				 __ATOMIC_RELEASE);
		vq_kick(q);
		if (virtio_needs_reset(&b.dev))
			printk("balloon: the device wants a reset, as it should\n");
		break;
	}
	}
}
