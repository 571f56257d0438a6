// SPDX-License-Identifier: GPL-2.0
/*
 * guest_main: where every vCPU lands at CPL3 (entry.S).  vCPU 0 checks
 * the boot info, fills the IDT, sets up the page allocator, parses and
 * runs the script; the others join phases through smp.c.
 */
#include "guest/balloon.h"
#include "guest/console.h"
#include "guest/io.h"
#include "guest/kernel.h"
#include "guest/lib.h"
#include "guest/palloc.h"
#include "guest/script.h"
#include "guest/smp.h"
#include "guest/workload.h"

static struct script script;
static char cmdline[GUEST_CMDLINE_MAX];

static const char *check_bootinfo(const struct guest_bootinfo *bi)
{
	uint64_t end = 0;

	if (bi->magic != GUEST_BOOTINFO_MAGIC || bi->version != 1)
		return "bad boot info magic/version";
	if (!bi->nr_nodes || bi->nr_nodes > GUEST_MAX_NODES)
		return "bad node count";
	if (!bi->nr_vcpus || bi->nr_vcpus > GUEST_MAX_VCPUS)
		return "bad vCPU count";
	for (unsigned int i = 0; i < bi->nr_nodes; i++) {
		if (bi->node[i].start != end || bi->node[i].size % CHUNK_SIZE)
			return "node ranges not contiguous 2 MiB runs";
		end += bi->node[i].size;
	}
	if (end != bi->ram_size || end > GUEST_RAM_MAX)
		return "node ranges do not cover RAM";
	if (bi->cmdline_len >= GUEST_CMDLINE_MAX ||
	    bi->cmdline_gpa + bi->cmdline_len > GUEST_RAM_START)
		return "bad command line";
	return NULL;
}

static void boot(const struct guest_bootinfo *bi, uint64_t tsc0)
{
	const char *err;
	char sz[24];
	void *meta;

	kernel.bi = bi;
	kernel.boot_tsc = tsc0;
	kernel.tsc_khz = bi->tsc_khz ? bi->tsc_khz : 1000000;
	kernel.nr_cpus = 1;
	idt_init();
	err = check_bootinfo(bi);
	if (err) {
		panic_report("%s", err);
		guest_exit(STATUS_BAD_BOOTINFO);
	}
	kernel.nr_cpus = bi->nr_vcpus;
	kernel.ram_size = bi->ram_size;
	if (palloc_init(workload_meta_bytes(bi->ram_size) +
				balloon_meta_bytes(bi->ram_size),
			&meta))
		guest_exit(STATUS_BAD_BOOTINFO);
	workload_init(meta);
	balloon_init((char *)meta + workload_meta_bytes(bi->ram_size));
	printk("guest: %s RAM, %u node(s), %u vCPU(s), TSC %lu kHz, "
	       "kernel+metadata end %lx\n",
	       fmt_size(sz, sizeof(sz), bi->ram_size), bi->nr_nodes,
	       bi->nr_vcpus, bi->tsc_khz, palloc_first_pfn() << 12);
	report(GR_BOOTED, "booted", tsc0, 0, 0, 0);
}

void guest_main(const struct guest_bootinfo *bi, unsigned int cpu)
{
	uint64_t tsc0 = rdtsc();
	struct script_env env = { bi->ram_size, bi->nr_nodes };
	int status;

	if (cpu != 0)
		smp_secondary();
	boot(bi, tsc0);
	memcpy(cmdline, (const char *)(uintptr_t)bi->cmdline_gpa,
	       bi->cmdline_len);
	cmdline[bi->cmdline_len] = '\0';
	if (script_parse(&script, cmdline, bi->cmdline_len, &env)) {
		panic_report("script %s", script.error);
		guest_exit(STATUS_BAD_SCRIPT);
	}
	smp_boot_done();
	status = workload_run(&script);
	balloon_report_irqs();
	guest_exit(status);
}
