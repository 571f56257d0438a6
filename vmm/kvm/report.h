/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's report port (GUEST_REPORT_PORT): validate the record's GPA,
 * copy it out, and account it in the VM's summary.
 */
#ifndef VMM_REPORT_H
#define VMM_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/abi.h"

struct vm;

#define VM_MAX_PHASES 64
#define VM_MAX_CORRUPT 16

struct vm_phase {
	char name[GUEST_REPORT_TEXT];
	uint64_t index;
	uint64_t ns; /* guest-measured duration */
	uint64_t bytes;
	/* A churn's GR_STAT "churn_stall_ns" (see vm_summary), 0 else. */
	uint64_t stall_max_ns;
	uint64_t stalls_over[3];
};

struct vm_summary {
	bool booted;
	uint64_t boot_ns; /* vm_start to GR_BOOTED, host clock */
	uint64_t first_phase_ns; /* vm_start to the first GR_PHASE_START */
	unsigned int nr_phases; /* GR_PHASE_END seen (first 64 kept) */
	struct vm_phase phase[VM_MAX_PHASES];
	unsigned int nr_verify; /* GR_VERIFY seen */
	uint64_t verify_checked, verify_bad;
	uint64_t verify_first_bad; /* GPA of the first bad page, if any */
	unsigned int nr_corrupt; /* GR_CORRUPT seen (first 16 GPAs kept) */
	uint64_t corrupt_gpa[VM_MAX_CORRUPT];
	unsigned int nr_panics;
	char panic[GUEST_REPORT_TEXT]; /* the first one */
	bool exited;
	int exit_status;
	uint64_t nr_reports;
	uint64_t touched_by_vcpu[GUEST_MAX_VCPUS]; /* GR_STAT "touched" */
	/* Interrupts the guest's driver took, by reason (GR_STAT irq_*). */
	uint64_t irq_used, irq_config, irq_taken;
	uint64_t mmio_unknown; /* accesses no handler claimed */
	/* GR_STAT "churn_stall_ns": the longest gap between two page
	 * re-touches of a churn, as the guest timed it, and how many gaps
	 * passed 100 us, 200 us, 1 ms (summed over churns). */
	uint64_t churn_stall_max_ns;
	uint64_t churn_stalls_over[3];
};

/* outl to the report port with value gpa.  Context: vCPU thread. */
int report_handle(struct vm *vm, unsigned int vcpu, uint32_t gpa);
const char *report_type_name(uint32_t type);

#endif /* VMM_REPORT_H */
