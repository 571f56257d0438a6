/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vCPU: its fd, its kvm_run page and the thread running KVM_RUN.
 *
 * Getting a vCPU out of KVM_RUN (pause, stop): set run->immediate_exit
 * under vm->lock, then send VCPU_KICK_SIGNAL to its thread.  The signal
 * interrupts a running KVM_RUN (also one blocked in a page fault, which
 * KVM makes interruptible); immediate_exit covers the window where the
 * thread is about to enter.  The thread clears immediate_exit only when
 * it leaves a park with no pause pending, under the same lock.
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
	struct vcpu_stats stats; /* vCPU thread only */
};

int vcpu_create(struct vm *vm, unsigned int idx, const struct kvm_cpuid2 *cpuid,
		struct vcpu **out) __attribute__((warn_unused_result));
int vcpu_start(struct vcpu *v) __attribute__((warn_unused_result));
/* Force the vCPU out of KVM_RUN (vm->lock held). */
void __vcpu_force_exit(struct vcpu *v);
void vcpu_signal(struct vcpu *v);
void vcpu_destroy(struct vcpu *v);

#endif /* VMM_VCPU_H */
