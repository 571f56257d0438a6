/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPUs against host CPUs.  vCPU threads beyond the CPUs vmm may run on
 * take turns: a guest that spins slows its neighbours by as much as it
 * has vCPUs.  The host says so when a launch makes the vCPUs running
 * exceed its CPUs, once per crossing: again only after they fitted in
 * between.  Context: the caller serialises (host->lock).
 */
#ifndef VMM_VCPU_LOAD_H
#define VMM_VCPU_LOAD_H

#include <stdbool.h>
#include <stddef.h>

struct vcpu_load {
	unsigned int host_cpus; /* CPUs vmm may run on */
	unsigned int running; /* vCPUs of the guests running */
	bool over; /* running > host_cpus, and said so */
};

/* host_cpus 0: the CPUs in vmm's affinity mask (taskset, cpusets). */
void vcpu_load_init(struct vcpu_load *l, unsigned int host_cpus);
/*
 * Guest `name` starts n vCPUs: true, with the warning in msg, when that
 * makes the vCPUs running exceed the host's CPUs and they did not
 * already.
 */
bool vcpu_load_add(struct vcpu_load *l, const char *name, unsigned int n,
		   char *msg, size_t len);
void vcpu_load_sub(struct vcpu_load *l, unsigned int n);

#endif /* VMM_VCPU_LOAD_H */
