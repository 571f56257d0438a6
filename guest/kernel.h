/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-wide state and the small services everything uses: which vCPU am
 * I, time, structured reports to the host, parking an idle vCPU.
 */
#ifndef GUEST_KERNEL_H
#define GUEST_KERNEL_H

#include "guest/abi.h"
#include "guest/types.h"

/* Exit statuses (GR_EXIT args[0]); `exit N` uses N. */
enum guest_status {
	STATUS_OK = 0,
	STATUS_CORRUPT = 1, /* a verify found bad pages */
	STATUS_BAD_SCRIPT = 2,
	STATUS_NO_MEMORY = 3, /* the script asked for more than there is */
	STATUS_BAD_BOOTINFO = 4,
	STATUS_NO_IRQ = 5, /* `balloon irq` without an interrupt line */
};

struct kernel {
	const struct guest_bootinfo *bi;
	uint64_t tsc_khz;
	uint64_t boot_tsc;
	unsigned int nr_cpus;
	uint64_t ram_size;
};

extern struct kernel kernel;
extern char __kernel_start[], __kernel_end[];
extern char cpu_ustack[], cpu_kstack[];

/* The vCPU index, from which per-vCPU stack we are running on. */
unsigned int this_cpu(void);

static inline uint64_t tsc_to_ns(uint64_t tsc)
{
	uint64_t khz = kernel.tsc_khz;

	/* ns = tsc * 10^6 / khz without 128-bit division or overflow */
	return tsc / khz * 1000000 + tsc % khz * 1000000 / khz;
}

uint64_t now_ns(void);
void report(uint32_t type, const char *text, uint64_t a0, uint64_t a1,
	    uint64_t a2, uint64_t a3);
void panic_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Report GR_EXIT and park this vCPU forever. */
__attribute__((noreturn)) void guest_exit(int status);

/* Park until a kick (or spuriously); see GUEST_IDLE_PORT. */
void cpu_idle(void);
/* Park for at most ns (kicks end it early). */
void cpu_sleep_ns(uint64_t ns);
/* Wake the other vCPUs parked in cpu_idle(). */
void cpu_kick_all(void);

void idt_init(void);

#endif /* GUEST_KERNEL_H */
