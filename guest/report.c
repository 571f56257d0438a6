// SPDX-License-Identifier: GPL-2.0
/*
 * Reports go to the host through one store of the record's GPA; the host
 * copies the record out while this vCPU is stopped in the I/O exit, so one
 * buffer per vCPU is enough.  The kernel is identity-mapped below 4 GiB,
 * so a pointer is its GPA.
 */
#include "guest/console.h"
#include "guest/io.h"
#include "guest/kernel.h"
#include "guest/layout.h"
#include "guest/lib.h"

struct kernel kernel;
static struct guest_report reports[GUEST_MAX_VCPUS];

unsigned int this_cpu(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	uintptr_t base = (uintptr_t)cpu_ustack;

	if (sp >= base && sp < base + GUEST_MAX_VCPUS * USTACK_SIZE)
		return (sp - base) >> USTACK_SHIFT;
	base = (uintptr_t)cpu_kstack;
	return (sp - base) >> KSTACK_SHIFT; /* in a trap, at CPL0 */
}

uint64_t now_ns(void)
{
	return tsc_to_ns(rdtsc() - kernel.boot_tsc);
}

void report(uint32_t type, const char *text, uint64_t a0, uint64_t a1,
	    uint64_t a2, uint64_t a3)
{
	unsigned int cpu = this_cpu();
	struct guest_report *r = &reports[cpu % GUEST_MAX_VCPUS];

	r->type = type;
	r->vcpu = cpu;
	r->tsc = rdtsc();
	r->args[0] = a0;
	r->args[1] = a1;
	r->args[2] = a2;
	r->args[3] = a3;
	memset(r->text, 0, sizeof(r->text));
	if (text)
		strlcpy(r->text, text, sizeof(r->text));
	pv_write32(GUEST_PV_REPORT, (uint32_t)(uintptr_t)r);
}

void panic_report(const char *fmt, ...)
{
	char msg[GUEST_REPORT_TEXT];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("panic: %s\n", msg);
	report(GR_PANIC, msg, 0, 0, 0, 0);
}

void guest_exit(int status)
{
	printk("exit status %d after %lu ms\n", status, now_ns() / 1000000);
	report(GR_EXIT, NULL, (uint64_t)status, 0, 0, 0);
	for (;;)
		cpu_idle();
}

void cpu_idle(void)
{
	pv_write32(GUEST_PV_IDLE, 0);
}

void cpu_sleep_ns(uint64_t ns)
{
	uint64_t us = ns / 1000;

	if (us == 0)
		us = 1;
	if (us > 0xffffffffUL)
		us = 0xffffffffUL;
	pv_write32(GUEST_PV_SLEEP, (uint32_t)us);
}

void cpu_kick_all(void)
{
	pv_write32(GUEST_PV_KICK, 0);
}
