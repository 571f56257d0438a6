/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's own per-vCPU areas, shared by entry.S and C.  They live in
 * the kernel image's bss (below GUEST_RAM_START), so a vCPU finds its
 * index from its stack pointer alone.
 */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

#define KSTACK_SHIFT 12 /* CPL0 stack (exceptions, gates): 4 KiB */
#define KSTACK_SIZE (1 << KSTACK_SHIFT)
#define USTACK_SHIFT 14 /* CPL3 stack (everything else): 16 KiB */
#define USTACK_SIZE (1 << USTACK_SHIFT)
#define CPU_GDT_SHIFT 7 /* a copy of the host's 16-slot GDT */
#define CPU_TSS_SHIFT 7 /* 104-byte TSS, 128-byte slots */
#define TSS_LIMIT 103
#define TSS_RSP0 4
#define TSS_IOMAP 102

#define IDT_ENTRIES 256
/* ud2 with %rax = one of these: the #UD stub halts or triple-faults. */
#define GATE_MAGIC_HALT 0x686c7421686c7421
#define GATE_MAGIC_CRASH 0x63727368216d6521
/* ... or returns to CPL3 with interrupts on (IF cannot be set at CPL3
 * here: kvm_pvm forces IOPL 0, so sti faults). */
#define GATE_MAGIC_IRQ_ON 0x6972716f6e216972

/* Vectors: the virtio interrupt, and the LAPIC's spurious vector. */
#define IRQ_VECTOR_VIRTIO 0x40
#define IRQ_VECTOR_SPURIOUS 0xff
#define LAPIC_EOI 0xb0

/* RFLAGS for CPL3: IF=0, bit 1 reserved; IOPL=3 asked for, though
 * kvm_pvm does not grant it (abi.h). */
#define USER_RFLAGS 0x3002

#endif /* GUEST_LAYOUT_H */
