/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin, checked wrappers over the /dev/kvm system and VM ioctls.  Every
 * call returns a file descriptor or 0 on success and -errno on failure.
 */
#ifndef VMM_KVM_H
#define VMM_KVM_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KVM_DEV "/dev/kvm"

/*
 * Open the KVM device (path, KVM_DEV) and check the API version and the
 * capabilities we use: the fd, or -errno with what went wrong and what
 * to do about it in err ("cannot open /dev/kvm: Permission denied: run
 * as root ...").
 */
int kvm_open_dev(const char *path, char *err, size_t errlen);
int kvm_create_vm(int kvm_fd);
int kvm_vcpu_mmap_size(int kvm_fd);
int kvm_set_memslot(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size,
		    void *hva);
/*
 * The in-kernel irqchip (PIC, IOAPIC, a LAPIC per vCPU), before any vCPU
 * exists.  With it, HLT no longer exits to userspace.
 */
int kvm_create_irqchip(int vm_fd);
/* Signalling efd raises an edge on gsi (KVM_IRQFD); deassign undoes it. */
int kvm_irqfd(int vm_fd, int efd, uint32_t gsi, bool deassign);
/* With an irqchip, KVM keeps application processors waiting for
 * INIT/SIPI; our vCPUs all start in long mode at once. */
int kvm_vcpu_set_runnable(int vcpu_fd);
/* A vCPU halted with interrupts off, which nothing can ever wake. */
bool kvm_vcpu_halted_for_good(int vcpu_fd);
/* The host's supported CPUID (malloc'd, caller frees). */
int kvm_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **out);
const char *kvm_exit_name(uint32_t reason);

#endif /* VMM_KVM_H */
