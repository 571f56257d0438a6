// SPDX-License-Identifier: GPL-2.0
#include "vmm/kvm/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/errf.h"

static const struct {
	int cap;
	const char *name;
} needed_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_GET_TSC_KHZ, "KVM_CAP_GET_TSC_KHZ" },
};

/* Who may open it, for a permission error. */
static void access_hint(const char *path, char *buf, size_t len)
{
	char names[1024];
	struct group gr, *g = NULL;
	struct stat st;

	if (stat(path, &st)) {
		snprintf(buf, len, "run as root");
		return;
	}
	getgrgid_r(st.st_gid, &gr, names, sizeof(names), &g);
	if (st.st_gid &&
	    (st.st_mode & (S_IRGRP | S_IWGRP)) == (S_IRGRP | S_IWGRP))
		snprintf(buf, len, "run as root or join the %s group",
			 g ? g->gr_name : "device's");
	else
		snprintf(buf, len,
			 "run as root (%s is mode %04o, group %s: root's only)",
			 path, st.st_mode & 07777, g ? g->gr_name : "?");
}

static int open_error(const char *path, int e, char *err, size_t errlen)
{
	char hint[160];

	switch (e) {
	case ENOENT:
		snprintf(
			hint, sizeof(hint),
			": is the kvm module loaded? (modprobe kvm_intel or kvm_amd; in a VM, nested virtualisation must be on)");
		break;
	case EACCES:
	case EPERM:
		hint[0] = ':';
		hint[1] = ' ';
		access_hint(path, hint + 2, sizeof(hint) - 2);
		break;
	case ENXIO:
	case ENODEV:
		snprintf(
			hint, sizeof(hint),
			": KVM has no hardware support here (virtualisation off in the firmware?)");
		break;
	default:
		hint[0] = '\0';
	}
	return errf(err, errlen, -e, "cannot open %s: %s%s", path, strerror(e),
		    hint);
}

int kvm_open_dev(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		return open_error(path, errno, err, errlen);
	ret = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION) {
		close(fd);
		if (ret < 0)
			return errf(err, errlen, -ENODEV,
				    "%s is not KVM (KVM_GET_API_VERSION: %s)",
				    path, strerror(errno));
		return errf(err, errlen, -EPROTO,
			    "%s: KVM API version %d, vmm needs %d", path, ret,
			    KVM_API_VERSION);
	}
	for (size_t i = 0; i < sizeof(needed_caps) / sizeof(needed_caps[0]);
	     i++) {
		if (ioctl(fd, KVM_CHECK_EXTENSION, needed_caps[i].cap) <= 0) {
			close(fd);
			return errf(err, errlen, -EOPNOTSUPP,
				    "%s lacks %s, which vmm needs", path,
				    needed_caps[i].name);
		}
	}
	return fd;
}

int kvm_create_vm(int kvm_fd)
{
	int fd;

	/*
	 * KVM_CREATE_VM registers an MMU notifier, which gives up with
	 * EINTR while a signal is pending, and a thread that runs an
	 * io_uring has one whenever completions queued task work for it
	 * (TIF_NOTIFY_SIGNAL).  The task work runs on the way back to user
	 * space, so trying again succeeds.
	 */
	do
		fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	while (fd < 0 && errno == EINTR);
	return fd < 0 ? -errno : fd;
}

int kvm_create_irqchip(int vm_fd)
{
	return ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0) ? -errno : 0;
}

int kvm_irqfd(int vm_fd, int efd, uint32_t gsi, bool deassign)
{
	struct kvm_irqfd irqfd = {
		.fd = (uint32_t)efd,
		.gsi = gsi,
		.flags = deassign ? KVM_IRQFD_FLAG_DEASSIGN : 0,
	};

	return ioctl(vm_fd, KVM_IRQFD, &irqfd) ? -errno : 0;
}

int kvm_vcpu_set_runnable(int vcpu_fd)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	return ioctl(vcpu_fd, KVM_SET_MP_STATE, &mp) ? -errno : 0;
}

#define X86_EFLAGS_IF (1UL << 9)

bool kvm_vcpu_halted_for_good(int vcpu_fd)
{
	struct kvm_mp_state mp;
	struct kvm_regs regs;

	/* No NMIs are ever sent to our guests, so IF=0 is final. */
	return !ioctl(vcpu_fd, KVM_GET_MP_STATE, &mp) &&
	       mp.mp_state == KVM_MP_STATE_HALTED &&
	       !ioctl(vcpu_fd, KVM_GET_REGS, &regs) &&
	       !(regs.rflags & X86_EFLAGS_IF);
}

int kvm_vcpu_mmap_size(int kvm_fd)
{
	int n = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

	return n < 0 ? -errno : n;
}

int kvm_set_memslot(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size,
		    void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) ? -errno : 0;
}

int kvm_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **out)
{
	/* Grow until KVM stops saying E2BIG. */
	for (unsigned int n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c;

		c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c)
			return -ENOMEM;
		c->nent = n;
		if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c)) {
			*out = c;
			return 0;
		}
		free(c);
		if (errno != E2BIG)
			return -errno;
	}
	return -E2BIG;
}

const char *kvm_exit_name(uint32_t reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "unknown",
		[KVM_EXIT_EXCEPTION] = "exception",
		[KVM_EXIT_IO] = "io",
		[KVM_EXIT_HYPERCALL] = "hypercall",
		[KVM_EXIT_DEBUG] = "debug",
		[KVM_EXIT_HLT] = "hlt",
		[KVM_EXIT_MMIO] = "mmio",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "irq_window_open",
		[KVM_EXIT_SHUTDOWN] = "shutdown",
		[KVM_EXIT_FAIL_ENTRY] = "fail_entry",
		[KVM_EXIT_INTR] = "intr",
		[KVM_EXIT_SET_TPR] = "set_tpr",
		[KVM_EXIT_TPR_ACCESS] = "tpr_access",
		[KVM_EXIT_S390_SIEIC] = "s390_sieic",
		[KVM_EXIT_S390_RESET] = "s390_reset",
		[KVM_EXIT_DCR] = "dcr",
		[KVM_EXIT_NMI] = "nmi",
		[KVM_EXIT_INTERNAL_ERROR] = "internal_error",
		[KVM_EXIT_OSI] = "osi",
		[KVM_EXIT_PAPR_HCALL] = "papr_hcall",
		[KVM_EXIT_S390_UCONTROL] = "s390_ucontrol",
		[KVM_EXIT_WATCHDOG] = "watchdog",
		[KVM_EXIT_S390_TSCH] = "s390_tsch",
		[KVM_EXIT_EPR] = "epr",
		[KVM_EXIT_SYSTEM_EVENT] = "system_event",
		[KVM_EXIT_S390_STSI] = "s390_stsi",
		[KVM_EXIT_IOAPIC_EOI] = "ioapic_eoi",
		[KVM_EXIT_HYPERV] = "hyperv",
		[KVM_EXIT_ARM_NISV] = "arm_nisv",
		[KVM_EXIT_X86_RDMSR] = "x86_rdmsr",
		[KVM_EXIT_X86_WRMSR] = "x86_wrmsr",
		[KVM_EXIT_DIRTY_RING_FULL] = "dirty_ring_full",
		[KVM_EXIT_AP_RESET_HOLD] = "ap_reset_hold",
		[KVM_EXIT_X86_BUS_LOCK] = "x86_bus_lock",
		[KVM_EXIT_XEN] = "xen",
		[KVM_EXIT_RISCV_SBI] = "riscv_sbi",
		[KVM_EXIT_RISCV_CSR] = "riscv_csr",
		[KVM_EXIT_NOTIFY] = "notify",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	if (reason == 38)
		return "loongarch_iocsr";
	if (reason == 39)
		return "memory_fault";
	return "?";
}
