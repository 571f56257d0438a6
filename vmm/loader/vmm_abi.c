// SPDX-License-Identifier: GPL-2.0
/*
 * vmm's own guest ABI (guest/abi.h; docs/guest.md, "What kernel=
 * accepts"): an ELF64 executable loaded at its physical addresses above
 * the host-owned boot area, every vCPU entered at its entry point in
 * 64-bit mode at CPL0 with %rdi at the boot information, %rsi its index
 * and a boot stack of its own.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/errf.h"
#include "vmm/loader/elf.h"
#include "vmm/loader/loader.h"
#include "vmm/loader/x86_long_mode.h"

static bool vmm_abi_probe(const void *image, size_t len)
{
	return len >= EI_NIDENT && !memcmp(image, ELFMAG, SELFMAG) &&
	       ((const unsigned char *)image)[EI_CLASS] == ELFCLASS64;
}

static int vmm_abi_load(const struct boot_vm *bv, const void *image, size_t len,
			struct boot_entry *entry, char *err, size_t errlen)
{
	struct elf_info info;
	int ret;

	ret = elf_check(image, len, GUEST_KERNEL_GPA, bv->ram_size, &info, err,
			errlen);
	if (ret)
		return ret;
	ret = bv->populate(bv->ctx, info.lo, info.hi - info.lo);
	if (ret)
		return errf(err, errlen, ret,
			    "cannot back the kernel image: %s", strerror(-ret));
	ret = elf_load(image, &info, bv->hva, bv->ctx, err, errlen);
	entry->rip = info.entry;
	return ret;
}

/* The boot information and the command line (struct guest_bootinfo). */
static int write_bootinfo(const struct boot_vm *bv, char *err, size_t errlen)
{
	size_t len = strlen(bv->cmdline);
	struct guest_bootinfo *bi;
	char *cmdline;

	bi = bv->hva(bv->ctx, GUEST_BOOTINFO_GPA, sizeof(*bi));
	cmdline = bv->hva(bv->ctx, GUEST_CMDLINE_GPA, GUEST_CMDLINE_MAX);
	if (!bi || !cmdline)
		return errf(err, errlen, -EFAULT, "boot info: no boot area");
	if (len >= GUEST_CMDLINE_MAX)
		return errf(err, errlen, -E2BIG,
			    "command line of %zu bytes: at most %d", len,
			    GUEST_CMDLINE_MAX - 1);
	if (bv->nr_devices > GUEST_MAX_DEVICES ||
	    bv->nr_nodes > GUEST_MAX_NODES)
		return errf(err, errlen, -E2BIG,
			    "boot info: %u devices, %u nodes: at most %d, %d",
			    bv->nr_devices, bv->nr_nodes, GUEST_MAX_DEVICES,
			    GUEST_MAX_NODES);
	memset(bi, 0, sizeof(*bi));
	bi->magic = GUEST_BOOTINFO_MAGIC;
	bi->version = 1;
	bi->nr_nodes = bv->nr_nodes;
	bi->ram_size = bv->ram_size;
	bi->tsc_khz = bv->tsc_khz;
	bi->cmdline_gpa = GUEST_CMDLINE_GPA;
	bi->cmdline_len = len;
	bi->nr_vcpus = bv->nr_vcpus;
	/* The pinned range starts at the first page the guest may own. */
	bi->pinned_start = bv->pinned_size ? GUEST_RAM_START : 0;
	bi->pinned_size = bv->pinned_size;
	for (unsigned int i = 0; i < bv->nr_nodes; i++)
		bi->node[i] = bv->node[i];
	bi->nr_devices = bv->nr_devices;
	for (unsigned int i = 0; i < bv->nr_devices; i++)
		bi->dev[i] = (struct guest_device){
			.mmio_gpa = bv->dev[i].mmio_gpa,
			.device_id = bv->dev[i].device_id,
			.irq = bv->dev[i].irq,
		};
	memcpy(cmdline, bv->cmdline, len + 1);
	return 0;
}

static int vmm_abi_setup(const struct boot_vm *bv, char *err, size_t errlen)
{
	int ret = write_bootinfo(bv, err, errlen);

	if (ret)
		return ret;
	ret = x86_long_mode_tables(bv);
	if (ret)
		return errf(err, errlen, ret,
			    "page tables/GDT: %s (RAM too large?)",
			    strerror(-ret));
	return 0;
}

static void vmm_abi_vcpu_state(const struct boot_entry *entry, unsigned int idx,
			       struct kvm_sregs *sr, struct kvm_regs *r)
{
	x86_long_mode_sregs(sr);
	*r = (struct kvm_regs){
		.rip = entry->rip,
		.rdi = GUEST_BOOTINFO_GPA,
		.rsi = idx,
		.rsp = GUEST_BOOT_STACK_TOP - idx * GUEST_BOOT_STACK_SIZE,
		.rflags = X86_RFLAGS_FIXED | X86_RFLAGS_IOPL3,
	};
}

const struct guest_abi vmm_guest_abi = {
	.name = "vmm",
	.probe = vmm_abi_probe,
	.load = vmm_abi_load,
	.setup = vmm_abi_setup,
	.vcpu_state = vmm_abi_vcpu_state,
};
