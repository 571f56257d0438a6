/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private futexes on 32-bit words, for the few places where a condition
 * variable's mutex would sit on a latency-critical path (vm_pause).
 */
#ifndef VMM_FUTEX_H
#define VMM_FUTEX_H

#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Sleep while *word == val, at most timeout (NULL: no limit). */
static inline void futex_wait(unsigned int *word, unsigned int val,
			      const struct timespec *timeout)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, timeout, NULL, 0);
}

static inline void futex_wake_all(unsigned int *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}

#endif /* VMM_FUTEX_H */
