// SPDX-License-Identifier: GPL-2.0
#include "vmm/kvm/cpuid.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

/* The host's CPUID with this vCPU's APIC ids filled in. */
int x86_setup_cpuid(int fd, unsigned int idx, const struct kvm_cpuid2 *c)
{
	size_t sz = sizeof(*c) + c->nent * sizeof(c->entries[0]);
	struct kvm_cpuid2 *mine = malloc(sz);
	int ret = 0;

	if (!mine)
		return -ENOMEM;
	memcpy(mine, c, sz);
	for (unsigned int i = 0; i < mine->nent; i++) {
		struct kvm_cpuid_entry2 *e = &mine->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffff) | (idx << 24);
		if (e->function == 0xb || e->function == 0x1f)
			e->edx = idx;
	}
	if (ioctl(fd, KVM_SET_CPUID2, mine))
		ret = -errno;
	free(mine);
	return ret;
}
