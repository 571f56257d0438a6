// SPDX-License-Identifier: GPL-2.0
/*
 * IDT and exceptions.  The IDT is filled here at CPL3 (entry.S only did
 * lidt): at CPL0 each of these stores would be emulated.  trap_panic()
 * runs at CPL0 after a fault, so it is slow, which does not matter: it
 * reports the fault and then triple-faults the VM on purpose.
 */
#include "guest/console.h"
#include "guest/io.h"
#include "guest/kernel.h"
#include "guest/layout.h"
#include "guest/lib.h"

struct idt_entry {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type; /* P | DPL | 0xe (64-bit interrupt gate) */
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
};

#define GATE_INTR 0x8e /* present, DPL0 */

/* Per-vCPU areas, laid out as entry.S expects (see layout.h). */
struct idt_entry idt[IDT_ENTRIES] __attribute__((aligned(4096)));
uint64_t cpu_gdt[GUEST_MAX_VCPUS][16] __attribute__((aligned(128)));
uint8_t cpu_tss[GUEST_MAX_VCPUS][1 << CPU_TSS_SHIFT]
	__attribute__((aligned(128)));
char cpu_kstack[GUEST_MAX_VCPUS * KSTACK_SIZE] __attribute__((aligned(4096)));
char cpu_ustack[GUEST_MAX_VCPUS * USTACK_SIZE] __attribute__((aligned(4096)));

extern const uint64_t trap_vectors[32];
extern char irq_virtio_entry[], irq_spurious_entry[];

static void set_gate(unsigned int vec, uint64_t handler, uint8_t type)
{
	struct idt_entry *e = &idt[vec];

	e->off_lo = handler & 0xffff;
	e->sel = GUEST_SEL_KCODE;
	e->ist = 0;
	e->type = type;
	e->off_mid = (handler >> 16) & 0xffff;
	e->off_hi = handler >> 32;
	e->reserved = 0;
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 32; v++)
		set_gate(v, trap_vectors[v], GATE_INTR);
	set_gate(IRQ_VECTOR_VIRTIO, (uint64_t)irq_virtio_entry, GATE_INTR);
	set_gate(IRQ_VECTOR_SPURIOUS, (uint64_t)irq_spurious_entry, GATE_INTR);
}

/* frame: vector, error code, RIP, CS, RFLAGS, RSP, SS (see entry.S) */
void trap_panic(const uint64_t *frame, uint64_t cr2)
{
	char msg[GUEST_REPORT_TEXT];

	snprintf(msg, sizeof(msg), "exception %lu err %lx rip %lx", frame[0],
		 frame[1], frame[2]);
	printk("panic: %s cr2 %lx rsp %lx rflags %lx cs %lx\n", msg, cr2,
	       frame[5], frame[4], frame[3]);
	report(GR_PANIC, msg, frame[0], frame[1], frame[2], cr2);
}
