// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target for what a guest controls: the virtio-mmio registers, the
 * split virtqueues and the balloon's buffers.
 *
 * Input: the first 64 KiB fill guest RAM (the rest of RAM stays zero);
 * then 8-byte records drive the device: u16 register offset, u8 flags
 * (bit 0 write, bits 1-2 log2 size), u8 pad, u32 value.  A notify, a
 * reset or a write of garbage: anything goes, nothing may crash, hang or
 * touch memory outside the 1 MiB of guest RAM.
 *
 *   make fuzz && build/fuzz/fuzz_virtqueue -max_total_time=120 tests/fuzz/virtqueue
 *
 * Built normally (without -DFUZZING) it replays files given as arguments,
 * so the corpus doubles as a regression test.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/virtio/balloon.h"

#define FUZZ_RAM (1 << 20)
#define FUZZ_IMAGE (64 << 10)

static uint8_t *ram;

static void *hva(void *ctx, uint64_t gpa, uint64_t len)
{
	(void)ctx;
	return gpa < FUZZ_RAM && len <= FUZZ_RAM - gpa ? ram + gpa : NULL;
}

static long give(void *p, uint64_t gpa, uint64_t len)
{
	(void)p;
	/* The device must only pass ranges inside RAM. */
	if (gpa >= FUZZ_RAM || len > FUZZ_RAM - gpa)
		abort();
	return len / 4096;
}

static void take(void *p, uint64_t gpa, uint64_t len)
{
	give(p, gpa, len);
}

/* Interrupts are raised as under vmm (an irqfd write there). */
static void irq(void *arg)
{
	++*(unsigned long *)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long irqs;
	struct balloon_ops ops = { .inflate = give,
				   .deflate = take,
				   .report = give };
	struct guest_view view = { .hva = hva };
	struct virtio_balloon *vb = calloc(1, sizeof(*vb));
	size_t img = size < FUZZ_IMAGE ? size : FUZZ_IMAGE;

	if (!ram)
		ram = malloc(FUZZ_RAM);
	memset(ram, 0, FUZZ_RAM);
	memcpy(ram, data, img);
	if (!vb || virtio_balloon_init(vb, FUZZ_RAM, 16 << 10, 64 << 10,
				       64 << 10, &ops, &view))
		abort();
	virtio_mmio_set_irq(&vb->dev, irq, &irqs);
	for (size_t off = img; off + 8 <= size; off += 8) {
		uint16_t reg;
		uint8_t flags = data[off + 2];
		uint8_t buf[8];
		unsigned int len = 1U << ((flags >> 1) & 3);

		memcpy(&reg, data + off, 2);
		memcpy(buf, data + off + 4, 4);
		memset(buf + 4, 0, 4);
		virtio_mmio_access(&vb->dev, reg & 0xfff, buf, len, flags & 1);
		if ((reg & 0xfff) == 0xff0)
			balloon_set_target(vb, *(uint32_t *)buf);
		if ((reg & 0xfff) == 0xff4)
			balloon_request_stats(vb);
	}
	virtio_balloon_destroy(vb);
	free(vb);
	return 0;
}

#ifndef FUZZING
int main(int argc, char **argv)
{
	int failed = 0;

	if (argc < 2) {
		fprintf(stderr,
			"usage: fuzz_virtqueue FILE...\n"
			"  replays inputs; build with `make fuzz` to fuzz\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *buf = malloc(1 << 20);
		size_t n;

		if (!f || !buf) {
			fprintf(stderr, "fuzz_virtqueue: %s: cannot read\n",
				argv[i]);
			failed = 1;
			free(buf);
			if (f)
				fclose(f);
			continue;
		}
		n = fread(buf, 1, 1 << 20, f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
		free(buf);
	}
	printf("fuzz_virtqueue: %d input(s) replayed\n", argc - 1);
	return failed;
}
#endif
