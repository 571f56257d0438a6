// SPDX-License-Identifier: GPL-2.0
/* IOAPIC and LAPIC programming for virtio interrupts (see irq.h). */
#include "guest/irq.h"
#include "guest/io.h"
#include "guest/kernel.h"
#include "guest/layout.h"

/* IOAPIC (82093AA datasheet): an index register and a data window. */
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_REDTBL(pin) (0x10 + 2 * (pin))
#define IOAPIC_NR_PINS 24

/* LAPIC registers (SDM Vol. 3, 11.4.1). */
#define LAPIC_ID 0x20
#define LAPIC_SVR 0xf0
#define LAPIC_SVR_ENABLE (1U << 8)
#define LAPIC_LVT0 0x350
#define LAPIC_LVT_MASKED (1U << 16)

uint64_t irq_count;

static void ioapic_write(unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(GUEST_IOAPIC_GPA + IOAPIC_REGSEL) =
		reg;
	*(volatile uint32_t *)(uintptr_t)(GUEST_IOAPIC_GPA + IOAPIC_WIN) = v;
}

static uint32_t lapic_read(unsigned int reg)
{
	return *(volatile uint32_t *)(uintptr_t)(GUEST_LAPIC_GPA + reg);
}

static void lapic_write(unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(GUEST_LAPIC_GPA + reg) = v;
}

const char *irq_enable(unsigned int gsi)
{
	uint32_t apic_id;

	if (!gsi || gsi >= IOAPIC_NR_PINS)
		return "no interrupt line (the host has no irqchip)";
	if (kernel.ram_size > GUEST_IOAPIC_GPA)
		return "RAM covers the IOAPIC";
	/* The LAPIC and IOAPIC are MMIO that KVM emulates in the kernel:
	 * reachable from CPL3 because the host maps them user. */
	apic_id = lapic_read(LAPIC_ID) >> 24;
	/* KVM routes each GSI below 16 to the 8259 too, whose vectors start
	 * at 0 until programmed, and wires the 8259 to LINT0 as ExtINT: a
	 * kernel that uses the IOAPIC masks that path (we cannot reach the
	 * 8259's ports at CPL3). */
	lapic_write(LAPIC_LVT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | IRQ_VECTOR_SPURIOUS);
	/* Fixed delivery, physical destination, active high, edge. */
	ioapic_write(IOAPIC_REDTBL(gsi) + 1, apic_id << 24);
	ioapic_write(IOAPIC_REDTBL(gsi), IRQ_VECTOR_VIRTIO);
	asm volatile("ud2" : : "a"(GATE_MAGIC_IRQ_ON) : "memory");
	return NULL;
}
