/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Splitting a phase across vCPUs.  vCPU 0 runs the script; the others wait
 * parked on the idle port.  smp_run() publishes a job (a function), kicks
 * them, does its share, and parks until the last one is done.  Jobs split
 * work themselves with atomics on shared counters.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

typedef void (*smp_job_fn)(void *arg);

/* Run fn(arg) on every vCPU at once; returns when all have finished. */
void smp_run(smp_job_fn fn, void *arg);
/* The secondary vCPUs' loop (never returns). */
__attribute__((noreturn)) void smp_secondary(void);
/* vCPU 0: the kernel is set up, let the others in. */
void smp_boot_done(void);

#endif /* GUEST_SMP_H */
