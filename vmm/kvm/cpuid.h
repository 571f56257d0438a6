/* SPDX-License-Identifier: GPL-2.0 */
/* What a vCPU's CPUID says: the host's, with the vCPU's APIC id. */
#ifndef VMM_KVM_CPUID_H
#define VMM_KVM_CPUID_H

#include <linux/kvm.h>

int x86_setup_cpuid(int vcpu_fd, unsigned int idx,
		    const struct kvm_cpuid2 *cpuid)
	__attribute__((warn_unused_result));

#endif /* VMM_KVM_CPUID_H */
