// SPDX-License-Identifier: GPL-2.0
/*
 * bench_fault: guest RAM faulted in through userfaultfd from the pool,
 * against the kernel's own anonymous fault path, in one run.
 *
 * A 1-vCPU guest touches 1 GiB (one write per page); its touch phase,
 * timed by the guest, gives GiB/s.  Three backings, interleaved over
 * several rounds, medians reported:
 *   order9  pool frames, an order-9 block per aligned 2 MiB region
 *   order0  pool frames, order 0 only (16-page fault-around)
 *   native  plain anonymous memory with MADV_HUGEPAGE, no userfaultfd:
 *           the kernel's own fault path as a stock VMM (QEMU) sets it up
 * Then per-fault service latency (uffd event to wake) of the order-0
 * runs, boot time of `vmm run` from process start to the first workload
 * phase, and host memory per idle guest with 16 guests.
 *
 * Prints `name value unit` lines.  Needs /dev/kvm.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tools/bench/bench.h"

#define TOUCH_MIB 1024
#define ROUNDS 3

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Run one touch guest; GiB/s of its touch phase, or < 0. */
static double touch_run(struct bench *b, const struct vm_resources *res,
			struct histogram *lat)
{
	struct guest_spec spec;
	struct vm_summary s;
	char script[64];
	unsigned int id;
	double gibs = -1;
	struct vm *vm;

	snprintf(script, sizeof(script), "touch %dM", TOUCH_MIB);
	bench_spec(&spec, "bench", TOUCH_MIB + 64, script);
	if (bench_launch_spec(b, &spec, res, &id)) {
		fprintf(stderr, "bench_fault: launch: %s\n", b->err);
		return -1;
	}
	vm = host_vm(b->h, id);
	if (!bench_wait_end(b, id, 60000)) {
		host_guest_summary(b->h, id, &s);
		if (s.nr_phases >= 1 && s.phase[0].ns)
			gibs = (TOUCH_MIB / 1024.0) / (s.phase[0].ns / 1e9);
		if (lat && vm->mem && res->pool) {
			struct guest_mem_stats st;

			hist_merge(lat,
				   &((struct guest_mem *)vm->mem)->fault_ns);
			guest_mem_get_stats(vm->mem, &st);
			if (getenv("BENCH_VERBOSE"))
				fprintf(stderr,
					"faults %lu spurious %lu pages %lu\n",
					st.faults, st.spurious, st.pages);
		}
	}
	host_reap(b->h, id);
	return gibs;
}

/* Process start of `vmm run` to its "first workload phase" line. */
static double boot_ms(const char *vmm)
{
	char line[512];
	int pipefd[2];
	uint64_t t0, t = 0;
	pid_t pid;
	FILE *f;

	if (pipe(pipefd))
		return -1;
	t0 = now_ns();
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execl(vmm, vmm, "run", "--pool", "256M", "--guest",
		      "name=boot,mem=64M,script=touch 1M", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	f = fdopen(pipefd[0], "r");
	while (f && fgets(line, sizeof(line), f))
		if (!t && strstr(line, "first workload phase"))
			t = now_ns();
	if (f)
		fclose(f);
	waitpid(pid, NULL, 0);
	return t ? (t - t0) / 1e6 : -1;
}

/*
 * Host memory that is not guest RAM, in KiB: this process's anonymous
 * memory (smaps_rollup walks the page tables, so it is exact) and the
 * kernel's: unreclaimable slab (KVM's VM and vCPU structures, shadow
 * pages), kernel stacks, page tables.  The kernel's numbers are
 * machine-wide: run on a quiet machine.
 */
static long host_overhead_kib(void)
{
	char line[256];
	long anon = 0, slab = 0, pt = 0, spt = 0, ks = 0;
	FILE *f = fopen("/proc/self/smaps_rollup", "re");

	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "Anonymous: %ld", &anon);
	if (f)
		fclose(f);
	f = fopen("/proc/meminfo", "re");
	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "SUnreclaim: %ld", &slab);
		sscanf(line, "PageTables: %ld", &pt);
		sscanf(line, "SecPageTables: %ld", &spt);
		sscanf(line, "KernelStack: %ld", &ks);
	}
	if (f)
		fclose(f);
	return anon + slab + pt + spt + ks;
}

/* 16 idle guests: host memory each beyond its guest RAM. */
static double overhead_per_guest(struct bench *b)
{
	enum { N = 16 };
	struct guest_spec spec;
	unsigned int id[N];
	long before, after;
	char name[16];

	before = host_overhead_kib();
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "idle%d", i);
		bench_spec(&spec, name, 64, "touch 4M; hold 3s");
		spec.vnode_to_pnode[0] = -1;
		if (bench_launch_spec(b, &spec, NULL, &id[i])) {
			bench_fail(b);
			return -1;
		}
	}
	/* All booted and holding (or as far as they got in 2 s). */
	for (int i = 0; i < N; i++)
		bench_wait_phases(b, id[i], 1, 2000);
	after = host_overhead_kib();
	host_stop_all(b->h, "benchmark done");
	for (int i = 0; i < N; i++)
		host_reap(b->h, id[i]);
	return (double)(after - before) / N;
}

int main(int argc, char **argv)
{
	struct vmm_config cfg = {
		.pool_bytes = (uint64_t)(TOUCH_MIB + 512) << 20,
		.nr_nodes = 1,
		.hugepages = true,
	};
	double g9[ROUNDS], g0[ROUNDS], gn[ROUNDS], boot[7];
	struct bench b = { .prog = "bench_fault" };
	struct histogram lat = { 0 };
	char vmm[4096];
	int nb = 0;

	(void)argc;
	if (!bench_have_kvm(&b))
		return 0;
	if (bench_host_create(&b, &cfg))
		return bench_fail(&b);
	for (int r = 0; r < ROUNDS; r++) {
		struct vm_resources pool9 = { .pool = host_pool(b.h) };
		struct vm_resources pool0 = { .pool = host_pool(b.h),
					      .no_huge = true };
		struct vm_resources native = {
			.backing = GUEST_BACKING_ANON,
		};

		g9[r] = touch_run(&b, &pool9, NULL);
		g0[r] = touch_run(&b, &pool0, &lat);
		gn[r] = touch_run(&b, &native, NULL);
		/* Give the pool back to the host between rounds, so every
		 * round starts from the same (cold) state as native. */
		pool_return_free_pageblocks(host_pool(b.h));
	}
	printf("fault.order9_gib_s %.3f GiB/s\n", bench_median(g9, ROUNDS));
	printf("fault.order0_gib_s %.3f GiB/s\n", bench_median(g0, ROUNDS));
	printf("fault.native_gib_s %.3f GiB/s\n", bench_median(gn, ROUNDS));
	printf("fault.order9_vs_native %.2f ratio\n",
	       bench_median(g9, ROUNDS) / bench_median(gn, ROUNDS));
	printf("fault.order0_vs_native %.2f ratio\n",
	       bench_median(g0, ROUNDS) / bench_median(gn, ROUNDS));
	printf("fault.order0_p50_us %.2f us\n",
	       hist_percentile(&lat, 50) / 1e3);
	printf("fault.order0_p99_us %.2f us\n",
	       hist_percentile(&lat, 99) / 1e3);
	printf("fault.order0_events %" PRIu64 " count\n", lat.n);
	printf("guest.overhead_kib %.0f KiB\n", overhead_per_guest(&b));
	bench_host_destroy(&b);

	snprintf(vmm, sizeof(vmm), "%s/../vmm", dirname(argv[0]));
	if (!access(vmm, X_OK)) {
		for (int i = 0; i < 7; i++) {
			double ms = boot_ms(vmm);

			if (ms > 0)
				boot[nb++] = ms;
		}
	}
	if (nb)
		printf("boot.ms %.2f ms\n", bench_median(boot, nb));
	else
		printf("SKIP: boot.ms: %s did not run\n", vmm);
	return 0;
}
