/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest's CPU bound (the SPEC key cpu_max=): its vCPU threads in a cgroup
 * of their own whose CPU time the kernel caps, as cpu.max does for a
 * service.  cgroup v2 (cpu.max, a threaded child) where vmm's own v2
 * cgroup has the cpu controller, else the v1 cpu controller
 * (cpu.cfs_quota_us / cpu.cfs_period_us).  The cgroup is
 * vmm-PID-ID-NAME under vmm's own cgroup of that hierarchy; it is made at
 * launch, each vCPU thread joins it before it first enters the guest, and
 * it is removed when the guest ends (docs/guest.md, "CPU").
 */
#ifndef VMM_CPU_CGROUP_H
#define VMM_CPU_CGROUP_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/config/config.h" /* CPU_MAX_PCT, the range of cpu_max= */

struct cpu_cgroup;

/* "150" or "150%": -EINVAL (not a number), -ERANGE (outside 1..1600). */
int cpu_max_parse(const char *s, unsigned int *pct);

/*
 * Make the cgroup `name` under parent (NULL: vmm's own cgroup, found as
 * above) with CPU time capped at pct percent of one CPU.  Errors are
 * -errno with what failed, and where, in err.
 */
int cpu_cgroup_create(const char *parent, const char *name, unsigned int pct,
		      struct cpu_cgroup **out, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* The calling thread joins it; -errno.  Any thread. */
int cpu_cgroup_attach_self(struct cpu_cgroup *cg)
	__attribute__((warn_unused_result));
const char *cpu_cgroup_path(const struct cpu_cgroup *cg);
/* Remove it, once the threads that joined it have exited. */
void cpu_cgroup_destroy(struct cpu_cgroup *cg);

#endif /* VMM_CPU_CGROUP_H */
