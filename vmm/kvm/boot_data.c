// SPDX-License-Identifier: GPL-2.0
#include "vmm/kvm/boot_data.h"

#include <errno.h>
#include <string.h>

#include "guest/abi.h"
#include "vmm/kvm/vm.h"
#include "vmm/kvm/vm_mem.h"

int boot_data_write(struct vm *vm)
{
	size_t len = strlen(vm->spec.script);
	struct guest_bootinfo *bi;
	char *cmdline;

	bi = vm_mem_hva(vm, GUEST_BOOTINFO_GPA, sizeof(*bi));
	cmdline = vm_mem_hva(vm, GUEST_CMDLINE_GPA, GUEST_CMDLINE_MAX);
	if (!bi || !cmdline || len >= GUEST_CMDLINE_MAX)
		return -EFAULT;
	memset(bi, 0, sizeof(*bi));
	bi->magic = GUEST_BOOTINFO_MAGIC;
	bi->version = 1;
	bi->nr_nodes = vm->nr_nodes;
	bi->ram_size = vm->ram_size;
	bi->tsc_khz = vm->tsc_khz;
	bi->cmdline_gpa = GUEST_CMDLINE_GPA;
	bi->cmdline_len = len;
	bi->nr_vcpus = vm->nr_vcpus;
	/* The pinned range starts at the first page the guest may own. */
	bi->pinned_start = vm->spec.pinned_bytes ? GUEST_RAM_START : 0;
	bi->pinned_size = vm->spec.pinned_bytes;
	for (unsigned int i = 0; i < vm->nr_nodes; i++)
		bi->node[i] = vm->node[i];
	memcpy(cmdline, vm->spec.script, len + 1);
	return 0;
}
