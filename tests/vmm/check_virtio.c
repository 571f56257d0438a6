// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/virtio/mmio.c, vmm/virtio/virtqueue.c, vmm/virtio/balloon.c against a
 * test driver in a fake guest memory: well-formed use, and every kind of
 * hostile input (each must be ignored and counted, or break the queue
 * with DEVICE_NEEDS_RESET; never touch memory outside guest RAM).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/virtio/balloon.h"

#define RAM (16 << 20)
/* Rings of queue q at DESC + q * QSTRIDE, AVAIL + ..., USED + ... */
#define QSTRIDE 0x4000
#define DESC 0x10000
#define AVAIL 0x11000
#define USED 0x12000
#define BUF 0x20000
#define QSZ 16

static uint8_t *ram;

static void *hva(void *ctx, uint64_t gpa, uint64_t len)
{
	(void)ctx;
	return gpa < RAM && len <= RAM - gpa ? ram + gpa : NULL;
}

struct calls {
	uint64_t inflate_runs, inflated, deflated, reported;
	uint64_t last_gpa, last_len;
};

static struct calls calls;
static unsigned int doorbells;

static void on_doorbell(void *p)
{
	(void)p;
	doorbells++;
}

static long on_inflate(void *p, uint64_t gpa, uint64_t len)
{
	(void)p;
	calls.inflate_runs++;
	calls.inflated += len / 4096;
	calls.last_gpa = gpa;
	calls.last_len = len;
	return len / 4096;
}

static void on_deflate(void *p, uint64_t gpa, uint64_t len)
{
	(void)p, (void)gpa;
	calls.deflated += len / 4096;
}

static long on_report(void *p, uint64_t gpa, uint64_t len)
{
	(void)p, (void)gpa;
	calls.reported += len;
	return len / 4096;
}

static struct virtio_balloon vb;

static uint32_t rd(uint64_t off)
{
	uint32_t v;

	virtio_mmio_access(&vb.dev, off, (uint8_t *)&v, 4, false);
	return v;
}

static void wr(uint64_t off, uint32_t v)
{
	virtio_mmio_access(&vb.dev, off, (uint8_t *)&v, 4, true);
}

static void setup(void)
{
	struct balloon_ops ops = { .inflate = on_inflate,
				   .deflate = on_deflate,
				   .report = on_report,
				   .doorbell = on_doorbell };
	struct guest_view view = { .hva = hva };

	ram = calloc(1, RAM);
	doorbells = 0;
	memset(&calls, 0, sizeof(calls));
	/* The host's: the first 2 MiB; pinned: the 2 MiB after. */
	ck_assert_int_eq(virtio_balloon_init(&vb, RAM, 2 << 20, 2 << 20,
					     2 << 20, &ops, &view),
			 0);
}

static void teardown(void)
{
	virtio_balloon_destroy(&vb);
	free(ram);
}

static unsigned int cur; /* the queue set_desc/post/used_idx work on */

static void setup_queue(unsigned int q, uint64_t desc, uint64_t avail,
			uint64_t used)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, QSZ);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, desc >> 32);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, avail >> 32);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, used >> 32);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

/*
 * Driver side: reset, negotiate everything, set up every queue at its own
 * clean rings (queue q's descriptors at desc + q * QSTRIDE...), go live;
 * set_desc/post/used_idx then work on queue q.
 */
static void bring_up(unsigned int q, uint64_t desc, uint64_t avail,
		     uint64_t used)
{
	cur = q;
	memset(ram + DESC, 0, BQ_NR * QSTRIDE);
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0x26);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(VIRTIO_MMIO_STATUS,
	   rd(VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_FEATURES_OK);
	for (unsigned int i = 0; i < BQ_NR; i++)
		setup_queue(i, desc + i * QSTRIDE, avail + i * QSTRIDE,
			    used + i * QSTRIDE);
	wr(VIRTIO_MMIO_STATUS,
	   rd(VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
}

static void set_desc(unsigned int i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	uint8_t *d = ram + DESC + cur * QSTRIDE + 16 * i;

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

/* Publish head at the next avail slot and notify queue q. */
static void post(unsigned int q, uint16_t head)
{
	uint8_t *avail = ram + AVAIL + q * QSTRIDE;
	uint16_t *idx = (uint16_t *)(avail + 2);

	((uint16_t *)(avail + 4))[*idx % QSZ] = head;
	(*idx)++;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

static uint16_t used_idx(void)
{
	return *(uint16_t *)(ram + USED + cur * QSTRIDE + 2);
}

static bool needs_reset(void)
{
	return rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET;
}

static void pfns(const uint32_t *p, unsigned int n)
{
	memcpy(ram + BUF, p, n * 4);
	set_desc(0, BUF, n * 4, 0, 0);
}

static unsigned int irqs_raised;

static void count_irq(void *arg)
{
	ck_assert_ptr_eq(arg, &irqs_raised);
	irqs_raised++;
}

/* The driver's avail->flags of queue q (VRING_AVAIL_F_NO_INTERRUPT). */
static void avail_flags(unsigned int q, uint16_t flags)
{
	memcpy(ram + AVAIL + q * QSTRIDE, &flags, 2);
}

/*
 * Interrupts: one edge per reason raised once the driver is live, the
 * reason in InterruptStatus until acknowledged, used-buffer interrupts
 * suppressed while the driver asks for none, config changes and broken
 * queues always reported.
 */
START_TEST(test_interrupts)
{
	uint32_t p[2] = { 1024, 1025 };

	virtio_mmio_set_irq(&vb.dev, count_irq, &irqs_raised);
	irqs_raised = 0;
	/* Not live yet: the reason is noted, no edge. */
	balloon_set_target(&vb, 10);
	ck_assert_uint_eq(irqs_raised, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_INT_CONFIG);
	bring_up(BQ_INFLATE, DESC, AVAIL, USED);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_INT_CONFIG);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);

	/* A used buffer, interrupts wanted. */
	pfns(p, 2);
	post(BQ_INFLATE, 0);
	ck_assert_uint_eq(used_idx(), 1);
	ck_assert_uint_eq(irqs_raised, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_INT_USED);
	ck_assert_uint_eq(vb.dev.stats.irqs, 1);

	/* The driver polls: NO_INTERRUPT suppresses the edge (the status
	 * bit is not set either: there is nothing to acknowledge). */
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_INT_USED);
	avail_flags(BQ_INFLATE, VRING_AVAIL_F_NO_INTERRUPT);
	p[0] = 2000;
	pfns(p, 1);
	post(BQ_INFLATE, 0);
	ck_assert_uint_eq(used_idx(), 2);
	ck_assert_uint_eq(irqs_raised, 1);
	ck_assert_uint_eq(vb.dev.stats.irqs_suppressed, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);

	/* A notify with nothing new: no used buffer, no interrupt. */
	avail_flags(BQ_INFLATE, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, BQ_INFLATE);
	ck_assert_uint_eq(irqs_raised, 1);

	/* Config changes cannot be suppressed. */
	balloon_set_target(&vb, 20);
	ck_assert_uint_eq(irqs_raised, 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_INT_CONFIG);
	balloon_set_target(&vb, 20); /* no change, no interrupt */
	ck_assert_uint_eq(irqs_raised, 2);

	/* A queue broken by the driver: DEVICE_NEEDS_RESET, and it is told. */
	set_desc(0, BUF, 4, VRING_DESC_F_NEXT, 0); /* loops on itself */
	post(BQ_INFLATE, 0);
	ck_assert(needs_reset());
	ck_assert_uint_eq(irqs_raised, 3);

	/* After a reset nothing is raised until the driver is live again. */
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	balloon_set_target(&vb, 30);
	ck_assert_uint_eq(irqs_raised, 3);
}
END_TEST

/*
 * The doorbell (a polling driver's wake-up): rung when the target moves
 * and when the host asks for statistics, not for a target that stays.
 */
START_TEST(test_doorbell)
{
	struct stat_entry {
		uint16_t tag;
		uint64_t val;
	} __attribute__((packed)) st = { 4, 1 << 20 };

	bring_up(BQ_STATS, DESC, AVAIL, USED);
	balloon_set_target(&vb, 100);
	ck_assert_uint_eq(doorbells, 1);
	balloon_set_target(&vb, 100);
	ck_assert_uint_eq(doorbells, 1);
	balloon_set_target(&vb, 0);
	ck_assert_uint_eq(doorbells, 2);
	/* No statistics buffer held yet: nothing to ask with. */
	balloon_request_stats(&vb);
	ck_assert_uint_eq(doorbells, 2);
	memcpy(ram + BUF, &st, sizeof(st));
	set_desc(0, BUF, sizeof(st), 0, 0);
	post(BQ_STATS, 0);
	balloon_request_stats(&vb);
	ck_assert_uint_eq(doorbells, 3);
	ck_assert_uint_eq(used_idx(), 1);
}
END_TEST

START_TEST(test_registers)
{
	uint8_t b;

	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_VERSION), 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BALLOON);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1); /* VERSION_1 */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0x26);
	/* Bad accesses: a byte register read, a misaligned one, writing
	 * the magic. */
	virtio_mmio_access(&vb.dev, VIRTIO_MMIO_STATUS, &b, 1, false);
	virtio_mmio_access(&vb.dev, 0x71, &b, 1, true);
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
	ck_assert_uint_eq(vb.dev.stats.bad_access, 3);
	/* No VERSION_1: FEATURES_OK refused. */
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0x2);
	wr(VIRTIO_MMIO_STATUS,
	   rd(VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_FEATURES_OK);
	ck_assert(!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK));
	/* Config: target from the host, actual from the driver. */
	balloon_set_target(&vb, 1234);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG), 1234);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), 1);
	wr(VIRTIO_MMIO_CONFIG + 4, 77);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG + 4), 77);
	wr(VIRTIO_MMIO_CONFIG, 99); /* num_pages is the host's */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG), 1234);
	/* Reset. */
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
}
END_TEST

START_TEST(test_inflate_deflate)
{
	uint32_t p[9] = {
		1024, 1025, 1026, 2000, 9999999, 100, 1024, 3000, 600
	};
	struct balloon_info info;

	bring_up(BQ_INFLATE, DESC, AVAIL, USED);
	pfns(p, 9);
	post(BQ_INFLATE, 0);
	ck_assert_uint_eq(used_idx(), 1);
	balloon_get_info(&vb, &info);
	/* 1024-1026 one run, 2000, 3000: three runs, five pages. */
	ck_assert_uint_eq(calls.inflate_runs, 3);
	ck_assert_uint_eq(calls.inflated, 5);
	ck_assert_uint_eq(info.c.bad_out_of_range, 1);
	ck_assert_uint_eq(info.c.bad_host_owned, 1); /* pfn 100 < 2 MiB */
	ck_assert_uint_eq(info.c.bad_pinned, 1); /* pfn 600 */
	ck_assert_uint_eq(info.c.bad_already, 1); /* the second 1024 */
	/* Inflating again: all already in the balloon. */
	pfns(p, 3);
	post(BQ_INFLATE, 0);
	balloon_get_info(&vb, &info);
	ck_assert_uint_eq(info.c.bad_already, 4);
	/* Deflate: 1025 yes, 3500 was never inflated. */
	cur = BQ_DEFLATE;
	p[0] = 1025;
	p[1] = 3500;
	pfns(p, 2);
	post(BQ_DEFLATE, 0);
	balloon_get_info(&vb, &info);
	ck_assert_uint_eq(calls.deflated, 1);
	ck_assert_uint_eq(info.c.bad_not_inflated, 1);
	ck_assert(!needs_reset());
}
END_TEST

START_TEST(test_stats_and_reports)
{
	uint8_t st[30];
	uint16_t tag;
	uint64_t val;
	struct balloon_info info;

	bring_up(BQ_STATS, DESC, AVAIL, USED);
	tag = VIRTIO_BALLOON_S_MEMFREE, val = 123 << 20;
	memcpy(st, &tag, 2), memcpy(st + 2, &val, 8);
	tag = 999, val = 1; /* unknown tag: skipped */
	memcpy(st + 10, &tag, 2), memcpy(st + 12, &val, 8);
	tag = VIRTIO_BALLOON_S_MEMTOT, val = 16 << 20;
	memcpy(st + 20, &tag, 2), memcpy(st + 22, &val, 8);
	memcpy(ram + BUF, st, sizeof(st));
	set_desc(0, BUF, sizeof(st), 0, 0);
	post(BQ_STATS, 0);
	balloon_get_info(&vb, &info);
	ck_assert_uint_eq(info.stat[VIRTIO_BALLOON_S_MEMFREE], 123 << 20);
	ck_assert_uint_eq(info.stat[VIRTIO_BALLOON_S_MEMTOT], 16 << 20);
	/* Held until the host asks again. */
	ck_assert_uint_eq(used_idx(), 0);
	balloon_request_stats(&vb);
	ck_assert_uint_eq(used_idx(), 1);

	/* Free page reporting: device-writable ranges; the reporting queue
	 * is the fourth (STATS_VQ offered, FREE_PAGE_HINT not). */
	cur = BQ_REPORTING;
	set_desc(0, 4 << 20, 2 << 20, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
		 1);
	set_desc(1, 1 << 20, 4096, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
		 2); /* boot area */
	set_desc(2, 3 << 20, 4096, VRING_DESC_F_WRITE, 0); /* pinned */
	post(BQ_REPORTING, 0);
	balloon_get_info(&vb, &info);
	ck_assert_uint_eq(calls.reported, 2 << 20);
	ck_assert_uint_eq(info.c.bad_report, 2);
}
END_TEST

/* Each hostile queue breaks only that queue, with DEVICE_NEEDS_RESET. */
START_TEST(test_hostile_queues)
{
	uint32_t p[1] = { 1024 };

	/* Rings outside RAM: refused at QueueReady. */
	wr(VIRTIO_MMIO_STATUS, 0);
	setup_queue(BQ_INFLATE, RAM - 64, AVAIL, USED);
	ck_assert(needs_reset());
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);

	/* Head index out of range. */
	bring_up(BQ_INFLATE, DESC, AVAIL, USED);
	pfns(p, 1);
	post(BQ_INFLATE, QSZ + 3);
	ck_assert(needs_reset());

	/* A descriptor loop. */
	bring_up(BQ_INFLATE, DESC, AVAIL, USED);
	set_desc(0, BUF, 4, VRING_DESC_F_NEXT, 1);
	set_desc(1, BUF, 4, VRING_DESC_F_NEXT, 0);
	post(BQ_INFLATE, 0);
	ck_assert(needs_reset());

	/* A buffer outside RAM. */
	bring_up(BQ_INFLATE, DESC, AVAIL, USED);
	set_desc(0, RAM - 2, 8, 0, 0);
	post(BQ_INFLATE, 0);
	ck_assert(needs_reset());

	/* Indirect descriptors were not offered. */
	bring_up(BQ_INFLATE, DESC, AVAIL, USED);
	set_desc(0, BUF, 16, 4 /* INDIRECT */, 0);
	post(BQ_INFLATE, 0);
	ck_assert(needs_reset());

	/* The avail index running ahead of the ring. */
	bring_up(BQ_INFLATE, DESC, AVAIL, USED);
	*(uint16_t *)(ram + AVAIL + cur * QSTRIDE + 2) = QSZ + 5;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, BQ_INFLATE);
	ck_assert(needs_reset());
	ck_assert_uint_eq(calls.inflated, 0);

	/* After a reset everything works again. */
	bring_up(BQ_INFLATE, DESC, AVAIL, USED);
	pfns(p, 1);
	post(BQ_INFLATE, 0);
	ck_assert(!needs_reset());
	ck_assert_uint_eq(calls.inflated, 1);
}
END_TEST

/* The avail index wraps at 65535 -> 0 without losing a buffer. */
START_TEST(test_index_wrap)
{
	uint32_t p[1];

	bring_up(BQ_INFLATE, DESC, AVAIL, USED);
	vb.dev.vq[BQ_INFLATE].last_avail = 65534;
	vb.dev.vq[BQ_INFLATE].used_idx = 65534;
	*(uint16_t *)(ram + AVAIL + cur * QSTRIDE + 2) = 65534;
	for (int i = 0; i < 4; i++) {
		p[0] = 1024 + i;
		pfns(p, 1);
		post(BQ_INFLATE, 0);
	}
	ck_assert(!needs_reset());
	ck_assert_uint_eq(calls.inflated, 4);
	ck_assert_uint_eq(used_idx(), 2);
}
END_TEST

Suite *virtio_suite(void)
{
	Suite *s = suite_create("virtio");
	TCase *tc = tcase_create("balloon_device");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_registers);
	tcase_add_test(tc, test_inflate_deflate);
	tcase_add_test(tc, test_stats_and_reports);
	tcase_add_test(tc, test_hostile_queues);
	tcase_add_test(tc, test_index_wrap);
	tcase_add_test(tc, test_interrupts);
	tcase_add_test(tc, test_doorbell);
	suite_add_tcase(s, tc);
	return s;
}
