/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vCPU: its fd, its kvm_run page and the thread running KVM_RUN.
 *
 * Getting a vCPU out of KVM_RUN (pause, stop): set run->immediate_exit,
 * then send VCPU_KICK_SIGNAL to its thread.  The signal interrupts a
 * running KVM_RUN (also one blocked in a page fault, which KVM makes
 * interruptible); immediate_exit covers the window where the thread is
 * about to enter.  The thread clears immediate_exit when it leaves a park
 * and is not stopping; it then looks at pause_req and stop again before
 * it enters, so a kick that raced with the clear is never lost.
 *
 * Pause protocol (vm_pause/vm_resume, all atomics sequentially
 * consistent): a vCPU that parks (pause or idle) sets v->out and counts
 * itself in vm->nr_out; one that leaves clears both, then reads pause_req
 * and the VM's state before KVM_RUN.  A pauser raises pause_req, kicks the
 * vCPUs not out, and waits for nr_out == nr_vcpus: once it sees that,
 * every vCPU is parked and any that leaves its park reads pause_req
 * raised and parks again, so none enters KVM_RUN until the resume.
 */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct vm;

struct vcpu_stats {
	uint64_t exits, io, mmio, idle, unknown_io;
};

struct vcpu {
	struct vm *vm;
	unsigned int idx;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool thread_started;
	bool kicked; /* vm->lock: sticky GUEST_KICK_PORT (abi.h) */
	bool halt_watch; /* halt_timer runs (irqchip: vcpu.c) */
	timer_t halt_timer;
	bool out; /* atomic: parked (counted in vm->nr_out) */
	/* atomic: held by a pause and not yet back in KVM_RUN since */
	bool pause_held;
	struct vcpu_stats stats; /* vCPU thread only */
};

int vcpu_create(struct vm *vm, unsigned int idx, const struct kvm_cpuid2 *cpuid,
		struct vcpu **out) __attribute__((warn_unused_result));
int vcpu_start(struct vcpu *v) __attribute__((warn_unused_result));
/* Force the vCPU out of KVM_RUN: immediate_exit, then vcpu_signal(). */
void __vcpu_force_exit(struct vcpu *v);
void vcpu_signal(struct vcpu *v);
/*
 * Threads that spin while a pause begins or lasts (the pauser waiting for
 * the kicks to land, paused vCPUs waiting for the resume), in the whole
 * process: at most one fewer than the CPUs.  A spinner waits for another
 * thread to run (the kicked vCPU, the pauser doing its work); with every
 * CPU spinning that thread waits for a scheduler tick.  Measured on 2
 * CPUs: two spinning vCPUs beside the pausing thread took the pause's
 * p99 from about 0.15 ms to 1.7 ms.  false: no slot, sleep instead.
 */
bool pause_spin_get(void);
void pause_spin_put(void);
/* The vCPU the calling thread runs, NULL for other threads. */
struct vcpu *vcpu_current(void);
void vcpu_destroy(struct vcpu *v);

#endif /* VMM_VCPU_H */
