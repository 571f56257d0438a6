/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the VM layer reaches guest RAM, and nothing more: the only place
 * that knows how RAM is backed is the file implementing this.  The interim
 * implementation (vm_mem_anon.c) uses plain anonymous memory; the pool +
 * userfaultfd version replaces it without touching the rest of vmm/.
 *
 * Named vm_mem_* (not guest_mem_*) so that it sits on top of mm's
 * struct guest_mem rather than colliding with it.
 */
#ifndef VMM_VM_MEM_H
#define VMM_VM_MEM_H

#include <stdint.h>

struct vm;

/* Reserve host VA for vm->ram_size bytes, set vm->ram_hva and vm->mem,
 * register one KVM memslot per guest node (slot = node index). */
int vm_mem_init(struct vm *vm) __attribute__((warn_unused_result));
void vm_mem_destroy(struct vm *vm);
/* The host view of [gpa, gpa + len), NULL unless all of it is RAM. */
void *vm_mem_hva(struct vm *vm, uint64_t gpa, uint64_t len);
/* Back [gpa, gpa + len) now (boot data the host writes before start). */
int vm_mem_populate(struct vm *vm, uint64_t gpa, uint64_t len)
	__attribute__((warn_unused_result));

#endif /* VMM_VM_MEM_H */
