/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry at CPL0 in 64-bit mode, exception stubs, and the halt and crash
 * paths.  kvm_pvm answers `int n` at CPL3 with #UD, so there are no DPL3
 * gates: the workload enters CPL0 on purpose with ud2 and a magic value
 * in %rax, which the #UD stub recognises.
 *
 * On this host every CPL0 instruction is emulated by KVM (~0.6 us each),
 * so this file does only what needs CPL0 and then leaves for CPL3 with
 * iretq: a per-vCPU GDT copy with this vCPU's TSS descriptor (several
 * vCPUs cannot share one: ltr marks it busy), lgdt, lidt, ltr.  The IDT
 * itself is filled later at CPL3 by idt_init() (lidt only records where
 * it is).
 *
 * In: %rdi = bootinfo GPA, %rsi = vCPU index, %rsp = boot stack.
 */
#include "guest/abi.h"
#include "guest/layout.h"

	.section .text.entry, "ax"
	.code64
	.globl _start
_start:
	cld
	mov %rdi, %r12			/* bootinfo */
	mov %rsi, %rbx			/* vCPU index */

	/* This vCPU's GDT: a copy of the host's 16 slots. */
	mov %rbx, %rdi
	shl $CPU_GDT_SHIFT, %rdi
	add $cpu_gdt, %rdi
	mov %rdi, %r13
	mov $GUEST_GDT_GPA, %rsi
	mov $16, %ecx
	rep movsq

	/* TSS: rsp0 = top of this vCPU's kernel stack, no I/O bitmap. */
	mov %rbx, %rax
	shl $CPU_TSS_SHIFT, %rax
	add $cpu_tss, %rax
	lea 1(%rbx), %rcx
	shl $KSTACK_SHIFT, %rcx
	add $cpu_kstack, %rcx
	mov %rcx, TSS_RSP0(%rax)
	movw $(TSS_LIMIT + 1), TSS_IOMAP(%rax)

	/* 64-bit available TSS descriptor (type 9, present), base in %rax. */
	mov %rax, %rdx
	and $0xffffff, %edx
	shl $16, %rdx
	or $TSS_LIMIT, %rdx
	mov %rax, %rcx
	shr $24, %rcx
	and $0xff, %ecx
	shl $56, %rcx
	or %rcx, %rdx
	movabs $0x0000890000000000, %rcx
	or %rcx, %rdx
	mov %rdx, GUEST_SEL_TSS(%r13)
	mov %rax, %rcx
	shr $32, %rcx
	mov %rcx, GUEST_SEL_TSS + 8(%r13)

	sub $16, %rsp
	movw $(16 * 8 - 1), (%rsp)
	mov %r13, 2(%rsp)
	lgdt (%rsp)
	movw $(IDT_ENTRIES * 16 - 1), (%rsp)
	movq $idt, 2(%rsp)
	lidt (%rsp)
	add $16, %rsp
	mov $GUEST_SEL_TSS, %ax
	ltr %ax

	/* iretq to CPL3 on this vCPU's user stack. */
	lea 1(%rbx), %rcx
	shl $USTACK_SHIFT, %rcx
	add $cpu_ustack, %rcx
	sub $8, %rcx			/* as if called: rsp + 8 is 16-aligned */
	pushq $(GUEST_SEL_UDATA | 3)
	push %rcx
	pushq $USER_RFLAGS
	pushq $(GUEST_SEL_UCODE | 3)
	pushq $guest_main
	mov %r12, %rdi
	mov %rbx, %rsi
	iretq

/* Exception stubs: push a dummy error code where the CPU pushes none. */
.macro TRAP vec, has_err
trap_\vec:
	.if \has_err == 0
	pushq $0
	.endif
	pushq $\vec
	jmp trap_common
.endm

	.text
TRAP 0, 0
TRAP 1, 0
TRAP 2, 0
TRAP 3, 0
TRAP 4, 0
TRAP 5, 0
TRAP 6, 0
TRAP 7, 0
TRAP 8, 1
TRAP 9, 0
TRAP 10, 1
TRAP 11, 1
TRAP 12, 1
TRAP 13, 1
TRAP 14, 1
TRAP 15, 0
TRAP 16, 0
TRAP 17, 1
TRAP 18, 0
TRAP 19, 0
TRAP 20, 0
TRAP 21, 1
TRAP 22, 0
TRAP 23, 0
TRAP 24, 0
TRAP 25, 0
TRAP 26, 0
TRAP 27, 0
TRAP 28, 0
TRAP 29, 1
TRAP 30, 1
TRAP 31, 0

/*
 * Frame: vector, error code, then the CPU's RIP, CS, RFLAGS, RSP, SS.
 * trap_panic() reports and never returns; if it did, fall into a triple
 * fault anyway.
 */
trap_common:
	/* A deliberate ud2 from the halt/crash commands (see gate()). */
	cmpq $6, (%rsp)
	jne 1f
	push %rcx			/* the interrupt gate returns: keep it */
	movabs $GATE_MAGIC_IRQ_ON, %rcx
	cmp %rcx, %rax
	pop %rcx
	je gate_irq_on
	movabs $GATE_MAGIC_HALT, %rcx
	cmp %rcx, %rax
	je gate_halt
	movabs $GATE_MAGIC_CRASH, %rcx
	cmp %rcx, %rax
	je gate_crash
1:	mov %rsp, %rdi
	mov %cr2, %rsi
	and $~0xf, %rsp
	call trap_panic
	jmp triple_fault

/* Back to CPL3 past the ud2, with RFLAGS.IF set in the frame. */
gate_irq_on:
	orq $0x200, 32(%rsp)		/* RFLAGS in vec, err, RIP, CS, RFLAGS */
	addq $2, 16(%rsp)		/* RIP past the ud2 */
	add $16, %rsp
	iretq

/*
 * The virtio interrupt: count it and end it at the LAPIC; the driver at
 * CPL3 sees the count move and does the rest (a threaded handler).  Every
 * instruction here is emulated, so there are few.
 */
	.globl irq_virtio_entry
irq_virtio_entry:
	push %rax
	lock incq irq_count(%rip)
	movabs $(GUEST_LAPIC_GPA + LAPIC_EOI), %rax
	movl $0, (%rax)
	pop %rax
	iretq

/* Spurious interrupts need no EOI (SDM Vol. 3, 11.9). */
	.globl irq_spurious_entry
irq_spurious_entry:
	iretq

/* The `halt` command: with no irqchip the host sees KVM_EXIT_HLT; with
 * one, its watchdog finds the vCPU halted with interrupts off. */
gate_halt:
	cli
1:	hlt
	jmp 1b

/* The `crash` command: no IDT, so the fault triple-faults. */
gate_crash:
triple_fault:
	lidt null_idtr
	ud2
	jmp triple_fault

	.section .rodata
	.balign 8
	.globl trap_vectors
trap_vectors:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad trap_\n
	.endr
null_idtr:
	.word 0
	.quad 0

	.section .note.GNU-stack, "", @progbits
