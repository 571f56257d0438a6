/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entering the guest directly in 64-bit long mode, one named step at a
 * time: identity page tables (2 MiB pages, user bit) over RAM and the MMIO
 * window, a GDT with kernel and user segments, then per vCPU the control
 * registers, segment registers, CPUID and the entry registers.
 */
#ifndef VMM_X86_BOOT_H
#define VMM_X86_BOOT_H

#include <linux/kvm.h>
#include <stdint.h>

struct vm;

/* Page tables at GUEST_PGTABLE_GPA and the GDT at GUEST_GDT_GPA. */
int x86_boot_build_tables(struct vm *vm) __attribute__((warn_unused_result));
/* Long mode, CPUID and the entry state of vCPU idx. */
int x86_boot_setup_vcpu(struct vm *vm, int vcpu_fd, unsigned int idx,
			const struct kvm_cpuid2 *cpuid)
	__attribute__((warn_unused_result));

#endif /* VMM_X86_BOOT_H */
