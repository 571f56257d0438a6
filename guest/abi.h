/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the host (vmm/) and our freestanding guest (guest/):
 * guest-physical layout, the boot-info block, and the paravirt report port.
 * Included by both sides, so it uses only fixed-width types and no libc.
 *
 * Boot: the host loads the guest ELF, builds identity-mapped page tables
 * with 2 MiB pages (user bit set, so CPL3 code can touch all RAM), a GDT
 * with kernel and user segments, and enters the ELF entry point in 64-bit
 * mode at CPL0 with %rdi = GUEST_BOOTINFO_GPA, %rsi = vCPU index and
 * %rsp = GUEST_BOOT_STACK_TOP - index * GUEST_BOOT_STACK_SIZE.  Every vCPU
 * starts this way (there is no INIT/SIPI).
 * The guest loads its TSS and IDT and drops to CPL3 with iretq: on this
 * host CPL0 code is emulated instruction by instruction.  At CPL3 it talks
 * to the host through the MMIO page GUEST_PV_GPA (port I/O faults there).
 */
#ifndef GUEST_ABI_H
#define GUEST_ABI_H

#ifdef __ASSEMBLY__
#define ABI_UL(x) x
#else
#if __STDC_HOSTED__
#include <stdint.h>
#else
#include "guest/types.h" /* the guest is built with -nostdinc */
#endif
#define ABI_UL(x) x##UL
#endif

/* ---- guest-physical layout (all below 2 MiB is host-owned boot data) */
#define GUEST_GDT_GPA ABI_UL(0x1000) /* 16 slots, host-built */
#define GUEST_BOOTINFO_GPA ABI_UL(0x2000) /* struct guest_bootinfo */
#define GUEST_CMDLINE_GPA ABI_UL(0x3000) /* NUL-terminated */
#define GUEST_CMDLINE_MAX 4096
#define GUEST_PGTABLE_GPA ABI_UL(0x10000) /* PML4, PDPTs, PDs */
#define GUEST_PGTABLE_MAX ABI_UL(0x70000) /* up to 0x80000 */
#define GUEST_BOOT_STACK_TOP ABI_UL(0x90000)
#define GUEST_BOOT_STACK_SIZE ABI_UL(0x1000) /* x GUEST_MAX_VCPUS below TOP */
#define GUEST_MAX_VCPUS 16 /* boot stacks end at GUEST_PGTABLE_MAX */
#define GUEST_KERNEL_GPA ABI_UL(0x100000) /* ELF is linked here */
#define GUEST_RAM_START ABI_UL(0x200000) /* first frame the guest may own */

/* Devices live in a hole far above RAM, mapped by the page tables but
 * backed by no memslot, so every access exits to the host. */
#define GUEST_MMIO_GPA ABI_UL(0x4000000000) /* 256 GiB */
#define GUEST_MMIO_SIZE ABI_UL(0x200000)
#define GUEST_MMIO_DEV_SIZE ABI_UL(0x1000) /* one virtio-mmio device */
#define GUEST_RAM_MAX GUEST_MMIO_GPA

/*
 * Interrupts, where the host has an in-kernel irqchip: a virtio device
 * raises an edge on its GSI, an IOAPIC pin (as Firecracker's virtio-mmio
 * devices do; a Linux guest finds it in virtio_mmio.device=...:GSI).  The
 * IOAPIC and the LAPIC sit at their PC addresses, mapped by the host's
 * page tables when guest RAM ends below them.
 */
#define GUEST_VIRTIO_GSI 5
#define GUEST_IOAPIC_GPA ABI_UL(0xfec00000)
#define GUEST_LAPIC_GPA ABI_UL(0xfee00000)

/* GDT selectors the host sets up (TSS at 0x28 is filled in by the guest). */
#define GUEST_SEL_KCODE 0x08
#define GUEST_SEL_KDATA 0x10
#define GUEST_SEL_UDATA 0x18 /* RPL 3 when loaded: 0x1b */
#define GUEST_SEL_UCODE 0x20 /* RPL 3 when loaded: 0x23 */
#define GUEST_SEL_TSS 0x28 /* 16-byte system descriptor */

/* ---- ports */
#define GUEST_SERIAL_PORT 0x3f8 /* 8250 THR/LSR */
#define GUEST_REPORT_PORT 0x500 /* outl: GPA (< 4 GiB) of a guest_report */
/*
 * A vCPU with nothing to do cannot hlt at CPL3 and must not spin on a
 * 2-core host: it parks itself with outb to GUEST_IDLE_PORT and the host
 * keeps it out of KVM_RUN until some vCPU of the same VM writes
 * GUEST_KICK_PORT (or the VM stops).
 */
#define GUEST_IDLE_PORT 0x501
#define GUEST_KICK_PORT 0x502
/*
 * A kick is sticky: it marks every other vCPU of the VM "kicked", and an
 * idle write by a kicked vCPU returns at once (clearing the mark).  So a
 * vCPU that checks for work, finds none and then parks cannot miss a kick
 * that came in between.  Wake-ups may be spurious: always re-check.
 *
 * outl N to GUEST_SLEEP_PORT parks like GUEST_IDLE_PORT but for at most N
 * microseconds: how the guest sleeps without spinning.
 */
#define GUEST_SLEEP_PORT 0x503

/*
 * The same services as MMIO registers, for CPL3 code: kvm_pvm runs guest
 * user mode with the hardware IOPL forced to 0, so in/out at CPL3 raise
 * #GP whatever IOPL the guest sets (measured), while an MMIO access exits
 * to the host as usual.  The guest uses this page; the ports remain for
 * CPL0 code and other guests.  Registers take plain stores:
 */
#define GUEST_PV_GPA (GUEST_MMIO_GPA + GUEST_MMIO_SIZE - 0x1000)
#define GUEST_PV_CONSOLE 0x00 /* 1..8 bytes of console output; NULs skipped */
#define GUEST_PV_REPORT 0x08 /* 4 bytes: GPA of a guest_report */
#define GUEST_PV_IDLE 0x10 /* any: as GUEST_IDLE_PORT */
#define GUEST_PV_KICK 0x18 /* any: as GUEST_KICK_PORT */
#define GUEST_PV_SLEEP 0x20 /* 4 bytes: as GUEST_SLEEP_PORT */
/*
 * Read, 4 bytes: 1 once the host asks the guest to shut down (`vmmctl
 * stop`, like an ACPI power button), else 0.  Polled by the guest at its
 * safe points; the host ends vCPU 0's nap when it asks.  A guest that
 * never reads it is stopped by force when the host's time-out passes.
 */
#define GUEST_PV_POWER 0x28

#define GUEST_BOOTINFO_MAGIC ABI_UL(0x766d6d2d626f6f74) /* "vmm-boot" */
#define GUEST_MAX_NODES 8
#define GUEST_MAX_DEVICES 4

#ifndef __ASSEMBLY__
struct guest_node_range {
	uint64_t start; /* GPA, 2 MiB aligned */
	uint64_t size; /* bytes, 2 MiB multiple */
};

struct guest_device {
	uint64_t mmio_gpa; /* virtio-mmio register window */
	uint32_t device_id; /* virtio device id (5 = balloon) */
	uint32_t irq; /* GSI (IOAPIC pin) of its interrupt; 0: none */
};

struct guest_bootinfo {
	uint64_t magic; /* GUEST_BOOTINFO_MAGIC */
	uint32_t version; /* 1 */
	uint32_t nr_nodes;
	uint64_t ram_size; /* bytes of guest RAM, GPA 0 .. ram_size */
	uint64_t tsc_khz; /* from KVM_GET_TSC_KHZ */
	uint64_t cmdline_gpa;
	uint32_t cmdline_len;
	uint32_t nr_devices;
	uint32_t nr_vcpus;
	uint32_t reserved;
	uint64_t pinned_start; /* GPA range that is never ballooned */
	uint64_t pinned_size;
	struct guest_node_range node[GUEST_MAX_NODES];
	struct guest_device dev[GUEST_MAX_DEVICES];
};

/*
 * Structured events.  The guest fills a guest_report in its own memory
 * below 4 GiB and writes its GPA with outl to GUEST_REPORT_PORT; the host
 * copies it out while the vCPU is stopped in the I/O exit, so one static
 * buffer per vCPU suffices.  text is NUL-terminated (or full: the host
 * keeps at most GUEST_REPORT_TEXT - 1 bytes of it, whatever the guest
 * wrote).  A GR_PANIC's text is the guest's last word: the host puts it
 * in the reason the guest stopped.
 */
enum guest_report_type {
	GR_BOOTED = 1, /* args: [0] = TSC at entry */
	GR_PHASE_START, /* text = phase; args[0] = phase index */
	GR_PHASE_END, /* text = phase; args: [0] index, [1] ns, [2] bytes */
	GR_VERIFY, /* args: [0] pages checked, [1] pages bad, [2] first bad GPA */
	GR_CORRUPT, /* args: [0] GPA of the first bad byte, [1] expected,
		     * [2] found (the 8-byte word holding it), [3] page GPA */
	GR_STAT, /* text = key; args[0] = value */
	GR_PANIC, /* text = message */
	GR_EXIT, /* args[0] = status (0 = workload passed) */
	GR_NR_TYPES,
};

#define GUEST_REPORT_TEXT 128

struct guest_report {
	uint32_t type;
	uint32_t vcpu;
	uint64_t tsc;
	uint64_t args[4];
	char text[GUEST_REPORT_TEXT];
};

_Static_assert(sizeof(struct guest_report) == 176, "report ABI");
#endif

#endif /* GUEST_ABI_H */
