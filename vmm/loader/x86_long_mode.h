/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entering a guest directly in 64-bit mode, one named step at a time
 * (SDM Vol. 3): identity page tables with 2 MiB pages and the user bit
 * over RAM, the MMIO window and the interrupt controllers, a GDT with
 * kernel and user segments, then per vCPU the segment and control
 * registers.  The layout is vmm's guest ABI (guest/abi.h).
 */
#ifndef VMM_LOADER_X86_LONG_MODE_H
#define VMM_LOADER_X86_LONG_MODE_H

#include <linux/kvm.h>

#include "vmm/loader/loader.h"

#define X86_RFLAGS_FIXED (1UL << 1) /* always 1 */
#define X86_RFLAGS_IOPL3 (3UL << 12) /* I/O privilege level 3 */

/* Page tables at GUEST_PGTABLE_GPA and the GDT at GUEST_GDT_GPA. */
int x86_long_mode_tables(const struct boot_vm *bv)
	__attribute__((warn_unused_result));
/* Segments, descriptor tables, CR0/CR3/CR4 and EFER for 64-bit mode. */
void x86_long_mode_sregs(struct kvm_sregs *sr);

#endif /* VMM_LOADER_X86_LONG_MODE_H */
