// SPDX-License-Identifier: GPL-2.0
#include "guest/smp.h"
#include "guest/io.h"
#include "guest/kernel.h"

static struct {
	uint32_t ready;
	uint32_t seq; /* bumped for each job */
	uint32_t nr_done;
	smp_job_fn fn;
	void *arg;
} smp;

void smp_boot_done(void)
{
	WRITE_ONCE(smp.ready, 1);
	cpu_kick_all();
}

void smp_run(smp_job_fn fn, void *arg)
{
	unsigned int n = kernel.nr_cpus;

	if (n == 1) {
		fn(arg);
		return;
	}
	smp.fn = fn;
	smp.arg = arg;
	WRITE_ONCE(smp.nr_done, 0);
	atomic_add_return(&smp.seq, 1);
	cpu_kick_all();
	fn(arg);
	if (atomic_add_return(&smp.nr_done, 1) == n)
		return;
	/* The last vCPU to finish kicks; kicks are sticky (abi.h). */
	while (READ_ONCE(smp.nr_done) != n)
		cpu_idle();
}

void smp_secondary(void)
{
	uint32_t seen = 0;

	while (!READ_ONCE(smp.ready))
		cpu_idle();
	for (;;) {
		while (READ_ONCE(smp.seq) == seen)
			cpu_idle();
		seen = READ_ONCE(smp.seq);
		smp.fn(smp.arg);
		if (atomic_add_return(&smp.nr_done, 1) == kernel.nr_cpus)
			cpu_kick_all();
	}
}
