/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host calls, TSC and atomics.  At CPL3 the host is reached through the
 * MMIO page GUEST_PV_GPA (abi.h: port I/O faults at CPL3 on kvm_pvm);
 * the port helpers are for CPL0 code.
 */
#ifndef GUEST_IO_H
#define GUEST_IO_H

#include "guest/abi.h"
#include "guest/types.h"

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void pv_write64(unsigned int reg, uint64_t v)
{
	*(volatile uint64_t *)(GUEST_PV_GPA + reg) = v;
}

static inline void pv_write32(unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(GUEST_PV_GPA + reg) = v;
}

static inline uint32_t pv_read32(unsigned int reg)
{
	return *(volatile uint32_t *)(GUEST_PV_GPA + reg);
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define atomic_add_return(p, v) __atomic_add_fetch((p), (v), __ATOMIC_ACQ_REL)

struct spinlock {
	uint32_t locked;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif /* GUEST_IO_H */
