// SPDX-License-Identifier: GPL-2.0
#include "vmm/host/vcpu_load.h"

#include <sched.h>
#include <stdio.h>
#include <unistd.h>

static unsigned int affinity_cpus(void)
{
	cpu_set_t set;
	long n;

	if (!sched_getaffinity(0, sizeof(set), &set))
		return CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned int)n : 1;
}

void vcpu_load_init(struct vcpu_load *l, unsigned int host_cpus)
{
	l->host_cpus = host_cpus ? host_cpus : affinity_cpus();
	l->running = 0;
	l->over = false;
}

bool vcpu_load_add(struct vcpu_load *l, const char *name, unsigned int n,
		   char *msg, size_t len)
{
	l->running += n;
	if (l->running <= l->host_cpus || l->over)
		return false;
	l->over = true;
	snprintf(
		msg, len,
		"guest %s (%u vCPU%s) brings the vCPUs running to %u, more than the %u host CPU%s vmm may use: they take turns, and a guest that spins slows the others (cpu_max= bounds a guest's CPU time, docs/guest.md)",
		name, n, n == 1 ? "" : "s", l->running, l->host_cpus,
		l->host_cpus == 1 ? "" : "s");
	return true;
}

void vcpu_load_sub(struct vcpu_load *l, unsigned int n)
{
	l->running = n < l->running ? l->running - n : 0;
	if (l->running <= l->host_cpus)
		l->over = false;
}
