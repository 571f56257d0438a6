/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest ABIs: what an image must be, and what it finds when it starts.
 * The VM core (vmm/kvm/) knows none of it: it asks guest_abi_find()
 * which ABI takes an image and calls that ABI's steps at their moments:
 *
 *   load()        once the VM's memory exists: check the image against
 *                 the RAM (nothing is written when it does not fit),
 *                 back it and copy it in; say where the vCPUs start;
 *   setup()       before the first vCPU runs: whatever the ABI promises
 *                 at entry (boot information, the devices, page and
 *                 descriptor tables);
 *   vcpu_state()  per vCPU: its segment, control and general registers.
 *
 * One ABI today, vmm's own (guest/abi.h, docs/guest.md): an ELF64 image
 * entered in 64-bit mode at CPL0 with a boot-info pointer.  A Linux boot
 * protocol (a bzImage, boot_params with an e820 map, 64-bit entry with
 * %rsi at the zero page) would be a second struct guest_abi beside it,
 * for hosts with hardware virtualization (docs/guest.md says why not
 * here); the VM core would not change.
 */
#ifndef VMM_LOADER_H
#define VMM_LOADER_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/abi.h"

/* A device the guest is told of (a virtio-mmio window). */
struct boot_device {
	uint64_t mmio_gpa;
	uint32_t device_id; /* virtio device id */
	uint32_t irq; /* its GSI; 0: none (the guest polls) */
};

/* The VM as an ABI sees it: plain data, and its memory through calls. */
struct boot_vm {
	uint64_t ram_size;
	unsigned int nr_nodes;
	const struct guest_node_range *node;
	unsigned int nr_vcpus;
	uint64_t tsc_khz; /* 0: unknown */
	const char *cmdline;
	uint64_t pinned_size; /* never ballooned, from GUEST_RAM_START */
	bool irqchip; /* an IOAPIC and LAPICs exist */
	unsigned int nr_devices;
	const struct boot_device *dev;
	/* Host memory behind [gpa, gpa + len) of RAM, NULL outside it. */
	void *(*hva)(void *ctx, uint64_t gpa, uint64_t len);
	/* Back [gpa, gpa + len) before it is written (from the pool). */
	int (*populate)(void *ctx, uint64_t gpa, uint64_t len);
	void *ctx;
};

/* Where the vCPUs start: load() says, vcpu_state() uses. */
struct boot_entry {
	uint64_t rip;
};

struct guest_abi {
	const char *name;
	/* Does the image look like this ABI's (its magic, no more)? */
	bool (*probe)(const void *image, size_t len);
	int (*load)(const struct boot_vm *bv, const void *image, size_t len,
		    struct boot_entry *entry, char *err, size_t errlen);
	int (*setup)(const struct boot_vm *bv, char *err, size_t errlen);
	/* sr holds KVM's reset state (KVM_GET_SREGS); r is zeroed. */
	void (*vcpu_state)(const struct boot_entry *entry, unsigned int idx,
			   struct kvm_sregs *sr, struct kvm_regs *r);
};

/* vmm's own ABI (vmm/loader/vmm_abi.c). */
extern const struct guest_abi vmm_guest_abi;

/*
 * The ABI whose probe takes the image, else the default one (vmm's), so
 * that a damaged image gets that ABI's precise message.  *why says what
 * the image looked like when no probe took it ("" otherwise), e.g. a
 * Linux bzImage, which no ABI here boots.
 */
const struct guest_abi *guest_abi_find(const void *image, size_t len, char *why,
				       size_t whylen);

#endif /* VMM_LOADER_H */
