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
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm/kvm/cpu_cgroup.h"
#include "vmm/host/host.h"
#include "vmm/kvm/kvm.h"

#define ROUNDS 3
#define NEIGHBOUR "touch 32M; churn ws=32M rate=0 time=3s; verify"
#define SPINNER "touch 400M; repeat 1000000 { verify }"

static unsigned int launch(struct vmm_host *h, const char *name, uint64_t mib,
			   unsigned int vcpus, unsigned int cpu_max,
			   const char *script)
{
	struct guest_spec spec = { .mem_bytes = mib << 20,
				   .nr_vcpus = vcpus,
				   .nr_vnodes = 1,
				   .vnode_to_pnode = { -1 },
				   .cpu_max_pct = cpu_max,
				   .script = (char *)script };
	struct vm_resources res = { .pool = h->pool, .quiet = true };
	unsigned int id;
	char err[256];

	snprintf(spec.name, sizeof(spec.name), "%s", name);
	if (host_launch(h, &spec, &res, &id, err, sizeof(err))) {
		fprintf(stderr, "bench_cpu: %s\n", err);
		exit(1);
	}
	return id;
}

static void wait_phases(struct vmm_host *h, unsigned int id, unsigned int n)
{
	struct vm_summary s;

	for (int i = 0; i < 60000; i++) {
		vm_get_summary(host_vm(h, id), &s);
		if (s.nr_phases >= n)
			return;
		usleep(1000);
	}
	fprintf(stderr, "bench_cpu: guest %u never got to phase %u\n", id, n);
	exit(1);
}

static void end(struct vmm_host *h, unsigned int id)
{
	struct vm *vm = host_vm(h, id);
	struct pollfd p = { .fd = vm->stop_efd, .events = POLLIN };

	vm_stop(vm, VM_EXIT_STOPPED, "benchmark done");
	poll(&p, 1, 10000);
	host_reap(h, id);
}

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The neighbour's churn in GiB/s, beside a spinner if spin_max >= 0;
 * *cpus: the CPUs vmm used meanwhile.
 */
static double neighbour(struct vmm_host *h, int spin_max, double *cpus)
{
	unsigned int spinner = 0, n;
	struct vm_summary s;
	double t0, c0;

	if (spin_max >= 0) {
		spinner = launch(h, "spinner", 512, 16, spin_max, SPINNER);
		wait_phases(h, spinner, 2); /* touched, verifying */
	}
	n = launch(h, "neighbour", 64, 1, 0, NEIGHBOUR);
	wait_phases(h, n, 1); /* touched: the churn begins */
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	wait_phases(h, n, 2);
	*cpus = (now(CLOCK_PROCESS_CPUTIME_ID) - c0) /
		(now(CLOCK_MONOTONIC) - t0);
	vm_get_summary(host_vm(h, n), &s);
	end(h, n);
	if (spinner)
		end(h, spinner);
	return s.phase[1].bytes / (s.phase[1].ns / 1e9) / (1 << 30);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(void)
{
	struct vmm_config cfg = { .pool_bytes = 1ULL << 30,
				  .nr_nodes = 1,
				  .hugepages = true };
	double alone[ROUNDS], unbounded[ROUNDS], bounded[ROUNDS];
	double cpus[3][ROUNDS];
	struct cpu_cgroup *probe;
	struct vmm_host *h;
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
	if (host_create(&cfg, &h, err, sizeof(err))) {
		fprintf(stderr, "bench_cpu: %s\n", err);
		return 1;
	}
	h->out = fopen("/dev/null", "we");
	h->oom_log = h->warn_log = h->out;
	for (int i = 0; i < ROUNDS; i++) {
		alone[i] = neighbour(h, -1, &cpus[0][i]);
		unbounded[i] = neighbour(h, 0, &cpus[1][i]);
		bounded[i] = neighbour(h, 50, &cpus[2][i]);
		unbounded[i] /= alone[i];
		bounded[i] /= alone[i];
	}
	host_destroy(h);
	printf("cpu.neighbour_alone_gib_s %.1f GiB/s\n", median(alone, ROUNDS));
	printf("cpu.neighbour_unbounded %.3f ratio\n",
	       median(unbounded, ROUNDS));
	printf("cpu.neighbour_bounded %.3f ratio\n", median(bounded, ROUNDS));
	printf("cpu.bound_gain %.2f ratio\n",
	       median(bounded, ROUNDS) / median(unbounded, ROUNDS));
	printf("cpu.vmm_cpus_alone %.2f CPUs\n", median(cpus[0], ROUNDS));
	printf("cpu.vmm_cpus_unbounded %.2f CPUs\n", median(cpus[1], ROUNDS));
	printf("cpu.vmm_cpus_bounded %.2f CPUs\n", median(cpus[2], ROUNDS));
	return 0;
}
