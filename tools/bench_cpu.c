// SPDX-License-Identifier: GPL-2.0
/*
 * bench_cpu: what a guest whose 16 vCPUs spin does to a 1-vCPU neighbour,
 * with and without cpu_max= (docs/guest.md, "CPU").
 *
 *   cpu.neighbour_alone_gib_s   the neighbour's churn (re-touched GiB/s),
 *                               alone in the host
 *   cpu.neighbour_unbounded     its throughput beside the spinning guest,
 *                               over alone
 *   cpu.neighbour_bounded       the same with the spinner at cpu_max=50
 *   cpu.bound_gain              bounded over unbounded
 *   cpu.vmm_cpus_alone/_unbounded/_bounded  CPUs the whole vmm process
 *                               used meanwhile (the neighbour's vCPU is
 *                               about one): what the bound held back
 *
 * The spinner verifies 400 MiB over and over on 16 vCPUs; the neighbour
 * churns 32 MiB for 3 s.  The three cases run ROUNDS times, interleaved in
 * one host, and the medians are reported: other work on this 2-core host
 * moves absolute numbers, ratios from one run much less.
 *
 * Prints `name value unit` lines.  Needs /dev/kvm, and a cpu cgroup it may
 * make for the bounded case (root).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/bench/bench.h"
#include "vmm/kvm/cpu_cgroup.h"
#include "vmm/kvm/kvm.h"

#define ROUNDS 3
#define NEIGHBOUR "touch 32M; churn ws=32M rate=0 time=3s; verify"
#define SPINNER "touch 400M; repeat 1000000 { verify }"

static int launch(struct bench *b, const char *name, uint64_t mib,
		  unsigned int vcpus, unsigned int cpu_max, const char *script,
		  unsigned int *id)
{
	struct guest_spec spec;

	bench_spec(&spec, name, mib, script);
	spec.nr_vcpus = vcpus;
	spec.vnode_to_pnode[0] = -1;
	spec.cpu_max_pct = cpu_max;
	return bench_launch_spec(b, &spec, NULL, id);
}

static void end(struct bench *b, unsigned int id)
{
	host_guest_stop(b->h, id, VM_EXIT_STOPPED, "benchmark done");
	host_guest_wait(b->h, id, 10000);
	host_reap(b->h, id);
}

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The neighbour's churn in GiB/s in *gibs, beside a spinner if
 * spin_max >= 0; *cpus: the CPUs vmm used meanwhile.
 */
static int neighbour(struct bench *b, int spin_max, double *gibs, double *cpus)
{
	unsigned int spinner = 0, n;
	struct vm_summary s;
	double t0, c0;
	int ret = 0;

	if (spin_max >= 0) {
		ret = launch(b, "spinner", 512, 16, spin_max, SPINNER,
			     &spinner);
		/* touched, verifying */
		if (!ret)
			ret = bench_wait_phases(b, spinner, 2, BENCH_WAIT_MS);
	}
	if (!ret)
		ret = launch(b, "neighbour", 64, 1, 0, NEIGHBOUR, &n);
	/* touched: the churn begins */
	if (!ret)
		ret = bench_wait_phases(b, n, 1, BENCH_WAIT_MS);
	if (ret)
		return ret;
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	ret = bench_wait_phases(b, n, 2, BENCH_WAIT_MS);
	if (ret)
		return ret;
	*cpus = (now(CLOCK_PROCESS_CPUTIME_ID) - c0) /
		(now(CLOCK_MONOTONIC) - t0);
	host_guest_summary(b->h, n, &s);
	end(b, n);
	if (spinner)
		end(b, spinner);
	*gibs = s.phase[1].bytes / (s.phase[1].ns / 1e9) / (1 << 30);
	return 0;
}

int main(void)
{
	struct vmm_config cfg = { .pool_bytes = 1ULL << 30,
				  .nr_nodes = 1,
				  .hugepages = true };
	double alone[ROUNDS], unbounded[ROUNDS], bounded[ROUNDS];
	double cpus[3][ROUNDS];
	struct bench b = { .prog = "bench_cpu" };
	struct cpu_cgroup *probe;
	char err[256];
	int fd;

	fd = kvm_open_dev(KVM_DEV, err, sizeof(err));
	if (fd < 0) {
		printf("SKIP: bench_cpu: %s\n", err);
		return 0;
	}
	close(fd);
	snprintf(err, sizeof(err), "vmm-bench-%d", (int)getpid());
	if (cpu_cgroup_create(NULL, err, 50, &probe, err, sizeof(err))) {
		printf("SKIP: bench_cpu: no cpu cgroup: %s\n", err);
		return 0;
	}
	cpu_cgroup_destroy(probe);
	if (bench_host_create(&b, &cfg))
		return bench_fail(&b);
	host_set_output(b.h, NULL, b.null, b.null);
	for (int i = 0; i < ROUNDS; i++) {
		if (neighbour(&b, -1, &alone[i], &cpus[0][i]) ||
		    neighbour(&b, 0, &unbounded[i], &cpus[1][i]) ||
		    neighbour(&b, 50, &bounded[i], &cpus[2][i]))
			return bench_fail(&b);
		unbounded[i] /= alone[i];
		bounded[i] /= alone[i];
	}
	bench_host_destroy(&b);
	printf("cpu.neighbour_alone_gib_s %.1f GiB/s\n",
	       bench_median(alone, ROUNDS));
	printf("cpu.neighbour_unbounded %.3f ratio\n",
	       bench_median(unbounded, ROUNDS));
	printf("cpu.neighbour_bounded %.3f ratio\n",
	       bench_median(bounded, ROUNDS));
	printf("cpu.bound_gain %.2f ratio\n",
	       bench_median(bounded, ROUNDS) / bench_median(unbounded, ROUNDS));
	printf("cpu.vmm_cpus_alone %.2f CPUs\n", bench_median(cpus[0], ROUNDS));
	printf("cpu.vmm_cpus_unbounded %.2f CPUs\n",
	       bench_median(cpus[1], ROUNDS));
	printf("cpu.vmm_cpus_bounded %.2f CPUs\n",
	       bench_median(cpus[2], ROUNDS));
	return 0;
}
