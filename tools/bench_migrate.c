// SPDX-License-Identifier: GPL-2.0
/*
 * bench_migrate: pages of a running guest moved by the host's
 * migrate_pages op (what compaction calls), and what the guest pays.
 *
 * One guest re-writes and verifies its memory as fast as it can (churn,
 * which checks each page before it rewrites it; it also times its own
 * stalls, see guest/workload.c) through one churn phase per part:
 *
 *   idle.*              the host does nothing: this machine's own noise
 *   pause.baseline_*    plain vm_pause() + vm_resume(), 200 us apart,
 *                       nothing done in between
 *   migrate.*           migration entries (the product): requests as
 *                       compaction's scanners make them from memory
 *                       faulted in by runs: nr consecutive GPAs into nr
 *                       consecutive free frames, so runs merge into one
 *                       mmap each
 *   migrate.scattered_* every other page: no two requests merge, one
 *                       mmap each (memory a balloon took every other page
 *                       of looks like this to compaction)
 *   migrate.paused_*, migrate.paused_scattered_*  the same with the whole
 *                       guest paused for each batch instead
 *   collapse.*          khugepaged: each region the parts before left
 *                       scattered, back into one pageblock (in pages of
 *                       512: mib_s, batch_pages), and KVM's share of 2 MiB
 *                       mappings before and after (kvm.*)
 *
 * For each: MiB/s moved (calls back to back, with the caller's own
 * allocations and frees); the batch's pause at p50/p99: the longest a
 * vCPU can be held up by it (entries: first page protected to writers
 * woken; paused: vCPUs asked to stop to resume returned); for pauses, the
 * stall the vCPU threads measured (KVM_RUN returned to entered again);
 * and the guest's own count of stalls over 100 us / 200 us / 1 ms, also
 * per batch.  The guest's integrity checks must pass (migrate.guest_ok).
 *
 *   bench_migrate [--vcpus N] [--nr PAGES] [--seconds S] [--idle]
 *
 * --idle: the guest holds its memory (its vCPUs parked outside KVM_RUN)
 * instead of churning: no guest-side figures then.
 *
 * Prints `name value unit` lines.  Needs /dev/kvm.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/bench/bench.h"
#include "util/errf.h"

#define MiB (1ULL << 20)
#define GUEST_MIB 512
#define TOUCH_MIB 256

static unsigned int nr_vcpus = 1, batch_nr = 32;
static double seconds = 1.5;
static bool idle_guest; /* the guest holds its memory instead of churning */

/* What a histogram gained since a copy of it was taken. */
static void hist_since(struct histogram *d, const struct histogram *now,
		       const struct histogram *then)
{
	memset(d, 0, sizeof(*d));
	hist_merge_since(d, now, then);
}

struct figures {
	double mib_s, p50_us, p99_us, stall_p99_us, batch_pages;
	double work_p50_us, work_p99_us;
	unsigned long moved, failed, pauses;
	/* The guest's own view of its churn phase (vm_phase). */
	double guest_stall_max_us, guest_over_200us_pct;
	uint64_t guest_over[3];
};

struct snap {
	struct histogram pause, stall, work;
	struct guest_mem_stats st;
	uint64_t t;
};

static void take(struct vm *vm, struct snap *s)
{
	struct guest_mem *mem = vm->mem;

	s->pause = mem->migrate_pause_ns;
	s->work = mem->migrate_work_ns;
	s->stall = vm->pause_stall_ns;
	guest_mem_get_stats(mem, &s->st);
	s->t = trace_clock_ns();
}

static void figures_since(struct vm *vm, const struct snap *a,
			  struct figures *f)
{
	struct histogram dp, ds, dw;
	struct snap b;

	take(vm, &b);
	hist_since(&dw, &b.work, &a->work);
	f->work_p50_us = hist_percentile(&dw, 50) / 1e3;
	f->work_p99_us = hist_percentile(&dw, 99) / 1e3;
	hist_since(&dp, &b.pause, &a->pause);
	hist_since(&ds, &b.stall, &a->stall);
	f->moved = b.st.migrated - a->st.migrated;
	f->failed = b.st.migrate_failed - a->st.migrate_failed;
	f->mib_s = f->moved * (double)PAGE_SIZE / MiB / ((b.t - a->t) / 1e9);
	f->p50_us = hist_percentile(&dp, 50) / 1e3;
	f->p99_us = hist_percentile(&dp, 99) / 1e3;
	f->stall_p99_us = hist_percentile(&ds, 99) / 1e3;
	f->pauses = dp.n;
	f->batch_pages = dp.n ? (double)(f->moved + f->failed) / (double)dp.n :
				0;
}

/* Plain pauses, 200 us apart, for `seconds`: window (vCPUs asked to
 * stop to resume returned) and the vCPUs' own stall. */
static int baseline(struct bench *b, struct vm *vm, struct figures *f)
{
	struct histogram win = { 0 }, ds, s0 = vm->pause_stall_ns;
	uint64_t end = trace_clock_ns() + (uint64_t)(seconds * 1e9);

	while (trace_clock_ns() < end) {
		uint64_t t0;
		int ret = vm_pause_timed(vm, &t0);

		if (ret)
			return errf(b->err, sizeof(b->err), ret,
				    "vm_pause failed");
		vm_resume(vm);
		hist_add(&win, trace_clock_ns() - t0);
		usleep(200);
	}
	hist_since(&ds, &vm->pause_stall_ns, &s0);
	memset(f, 0, sizeof(*f));
	f->pauses = win.n;
	f->p50_us = hist_percentile(&win, 50) / 1e3;
	f->p99_us = hist_percentile(&win, 99) / 1e3;
	f->stall_p99_us = hist_percentile(&ds, 99) / 1e3;
	return 0;
}

/* n consecutive free frames, or PFN_NONE. */
static pfn_t frames(struct mm_pool *pool, unsigned int n)
{
	unsigned int order = 0;
	pfn_t p;

	while ((1U << order) < n)
		order++;
	p = __alloc_pages(pool, __GFP_MOVABLE, order, 0, NULL);
	if (p == PFN_NONE)
		return p;
	if (order)
		split_page(pool, p, order);
	/* Past n: not needed, back at once. */
	for (unsigned int i = n; i < (1U << order); i++)
		__free_pages(pool, p + i, 0);
	return p;
}

/*
 * Calls of batch_nr requests, back to back, for `seconds`: GPA pages
 * from the start of the guest's memory on, every stride-th, into
 * consecutive new frames (stride 1: they merge into runs).
 */
static int migrate_for(struct bench *b, unsigned int id, unsigned int stride,
		       struct figures *f)
{
	struct mm_pool *pool = host_pool(b->h);
	struct vm *vm = host_vm(b->h, id);
	struct guest_mem *mem = vm->mem;
	struct migrate_req *req = calloc(batch_nr, sizeof(*req));
	uint64_t lo = 4 * MiB, hi = (4 + TOUCH_MIB) * MiB, g = lo, end;
	struct snap s0;

	if (!req)
		return errf(b->err, sizeof(b->err), -ENOMEM, "out of memory");
	take(vm, &s0);
	end = s0.t + (uint64_t)(seconds * 1e9);
	while (trace_clock_ns() < end) {
		pfn_t np = frames(pool, batch_nr);
		unsigned int n = 0;

		if (np == PFN_NONE) {
			free(req);
			return errf(b->err, sizeof(b->err), -ENOMEM,
				    "the pool ran out");
		}
		for (unsigned int i = 0; i < batch_nr; i++) {
			pfn_t old = READ_ONCE(mem->gpa_map[g >> PAGE_SHIFT]);

			if (old == PFN_NONE) {
				__free_pages(pool, np + i, 0);
			} else {
				req[n++] = (struct migrate_req){
					.old_pfn = old,
					.new_pfn = np + i,
					.gpa = { g },
					.owner = id,
				};
			}
			g += stride * PAGE_SIZE;
			if (g >= hi)
				g = lo +
				    (g - lo + PAGE_SIZE) % (stride * PAGE_SIZE);
		}
		host_migrate_pages(b->h, req, n);
		for (unsigned int i = 0; i < n; i++)
			if (req[i].result)
				__free_pages(pool, req[i].new_pfn, 0);
	}
	figures_since(vm, &s0, f);
	free(req);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_migrate [--vcpus N] [--nr PAGES] [--seconds S] [--idle]\n");
	exit(2);
}

static void parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vcpus", required_argument, NULL, 'v' },
		{ "nr", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 's' },
		{ "idle", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "v:n:s:ih", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			nr_vcpus = atoi(optarg);
			break;
		case 'n':
			batch_nr = atoi(optarg);
			break;
		case 's':
			seconds = atof(optarg);
			break;
		case 'i':
			idle_guest = true;
			break;
		default:
			usage();
		}
	}
	if (nr_vcpus < 1 || nr_vcpus > 16 || batch_nr < 1 || batch_nr > 1024 ||
	    seconds <= 0 || seconds > 60)
		usage();
}

/* The guest's view of churn phase n, over the pauses the host made. */
static void guest_view(struct vm *vm, unsigned int n, struct figures *f)
{
	struct vm_summary s;

	vm_get_summary(vm, &s);
	f->guest_stall_max_us = s.phase[n].stall_max_ns / 1e3;
	memcpy(f->guest_over, s.phase[n].stalls_over, sizeof(f->guest_over));
	f->guest_over_200us_pct =
		f->pauses ? 100.0 * s.phase[n].stalls_over[1] / f->pauses : 0;
}

static void print(const char *prefix, const struct figures *f, bool moves,
		  bool pauses)
{
	if (moves) {
		printf("%smib_s %.1f MiB/s\n", prefix, f->mib_s);
		printf("%sbatch_pages %.1f pages\n", prefix, f->batch_pages);
		printf("%swork_p50_us %.1f us\n", prefix, f->work_p50_us);
		printf("%swork_p99_us %.1f us\n", prefix, f->work_p99_us);
	}
	if (pauses) {
		printf("%spauses %lu pauses\n", prefix, f->pauses);
		printf("%spause_p50_us %.1f us\n", prefix, f->p50_us);
		printf("%spause_p99_us %.1f us\n", prefix, f->p99_us);
		/* vCPUs out of KVM_RUN: only where the guest was paused. */
		if (f->stall_p99_us > 0)
			printf("%sstall_p99_us %.1f us\n", prefix,
			       f->stall_p99_us);
	}
	printf("%sguest_stall_max_us %.1f us\n", prefix, f->guest_stall_max_us);
	printf("%sguest_stalls_over_100us %lu stalls\n", prefix,
	       (unsigned long)f->guest_over[0]);
	printf("%sguest_stalls_over_200us %lu stalls\n", prefix,
	       (unsigned long)f->guest_over[1]);
	printf("%sguest_stalls_over_1ms %lu stalls\n", prefix,
	       (unsigned long)f->guest_over[2]);
	if (pauses)
		printf("%sguest_stalls_over_200us_pct %.2f %% of pauses\n",
		       prefix, f->guest_over_200us_pct);
}

/* The parts of the run: one churn phase of the guest each. */
enum part {
	IDLE,
	BASELINE,
	ENTRY_RUNS,
	ENTRY_SCATTERED,
	PAUSE_RUNS,
	PAUSE_SCATTERED,
	COLLAPSE,
	NR_PARTS
};

static const struct {
	const char *prefix;
	bool moves, pauses;
} part_info[NR_PARTS] = {
	[IDLE] = { "idle.", false, false },
	[BASELINE] = { "pause.baseline_", false, true },
	[ENTRY_RUNS] = { "migrate.", true, true },
	[ENTRY_SCATTERED] = { "migrate.scattered_", true, true },
	[PAUSE_RUNS] = { "migrate.paused_", true, true },
	[PAUSE_SCATTERED] = { "migrate.paused_scattered_", true, true },
	[COLLAPSE] = { "collapse.", true, true },
};

/*
 * khugepaged over the guest, one region per call, for `seconds` (or
 * until nothing is left): every region the parts before left scattered
 * goes back into one pageblock.  The same figures, in regions; and how
 * KVM maps the guest before and after (its own statistics).
 */
static void collapse_for(struct vmm_host *h, unsigned int id, struct figures *f,
			 struct kvm_page_stats *before)
{
	struct vm *vm = host_vm(h, id);
	struct snap s0;
	uint64_t end;

	host_guest_kvm_pages(h, id, before);
	take(vm, &s0);
	end = s0.t + (uint64_t)(seconds * 1e9);
	while (trace_clock_ns() < end && host_collapse_all(h, 256, 1) > 0)
		;
	figures_since(vm, &s0, f);
}

/* One churn phase per part, a little longer than the part (phase n + 1
 * is part n); then verify everything. */
static void script_for(char *script, size_t size)
{
	unsigned int ms = (unsigned int)(seconds * 1000) + 300;
	size_t len = snprintf(script, size, "touch %uM", TOUCH_MIB);

	for (int i = 0; i < NR_PARTS; i++)
		len += idle_guest ? snprintf(script + len, size - len,
					     "; hold %ums", ms) :
				    snprintf(script + len, size - len,
					     "; churn ws=%uM rate=0 time=%ums",
					     TOUCH_MIB, ms);
	snprintf(script + len, size - len, "; verify");
}

/* Part i, during the guest's phase i + 1. */
static int run_part(struct bench *b, unsigned int id, int i, bool entries,
		    struct figures *f, struct kvm_page_stats *kvm_before)
{
	struct guest_mem *mem = host_vm(b->h, id)->mem;

	switch (i) {
	case BASELINE:
		return baseline(b, host_vm(b->h, id), f);
	case ENTRY_RUNS:
	case ENTRY_SCATTERED:
		if (!entries)
			return 0;
		guest_mem_set_migrate_by_pause(mem, false);
		return migrate_for(b, id, i == ENTRY_RUNS ? 1 : 2, f);
	case PAUSE_RUNS:
	case PAUSE_SCATTERED:
		guest_mem_set_migrate_by_pause(mem, true);
		return migrate_for(b, id, i == PAUSE_RUNS ? 1 : 2, f);
	default:
		guest_mem_set_migrate_by_pause(mem, !entries);
		collapse_for(b->h, id, f, kvm_before);
		return 0;
	}
}

int main(int argc, char **argv)
{
	/* Pages move when the benchmark moves them: no kcompactd, no
	 * collapse thread. */
	struct vmm_config cfg = { .pool_bytes = 1024 * MiB,
				  .nr_nodes = 1,
				  .hugepages = true,
				  .balloon_off = true,
				  .compaction_off = true };
	struct bench b = { .prog = "bench_migrate" };
	struct figures f[NR_PARTS] = { 0 };
	struct kvm_page_stats kvm_before = { 0 }, kvm_after = { 0 };
	struct guest_spec spec;
	char script[512];
	unsigned int id;
	bool ok, entries;

	parse(argc, argv);
	if (!bench_have_kvm(&b))
		return 0;
	if (bench_host_create(&b, &cfg))
		return bench_fail(&b);
	host_set_output(b.h, NULL, b.null, NULL);
	script_for(script, sizeof(script));
	bench_spec(&spec, "bench", GUEST_MIB, script);
	spec.nr_vcpus = nr_vcpus;
	if (bench_launch_spec(&b, &spec, NULL, &id))
		return bench_fail(&b);
	entries = ((struct guest_mem *)host_vm(b.h, id)->mem)->wp_capable;
	for (int i = BASELINE; i < NR_PARTS; i++)
		if (bench_wait_phases(&b, id, i + 1, BENCH_WAIT_MS) ||
		    run_part(&b, id, i, entries, &f[i], &kvm_before))
			return bench_fail(&b);
	/* The guest touched its memory again through the last phase. */
	if (bench_wait_phases(&b, id, NR_PARTS + 1, BENCH_WAIT_MS))
		return bench_fail(&b);
	host_guest_kvm_pages(b.h, id, &kvm_after);

	ok = bench_guest_ok(&b, id, idle_guest ? 1 : NR_PARTS + 1);
	for (int i = 0; i < NR_PARTS; i++)
		guest_view(host_vm(b.h, id), i + 1, &f[i]);
	ok &= bench_validate(&b);

	printf("bench_migrate: %u vCPU(s), %u-page requests, %.1f s per part, %s guest of %u MiB touched\n",
	       nr_vcpus, batch_nr, seconds, idle_guest ? "idle" : "churning",
	       TOUCH_MIB);
	if (!entries)
		printf("SKIP: migrate.* with migration entries: this kernel cannot write-protect shared memory through userfaultfd\n");
	for (int i = 0; i < NR_PARTS; i++)
		if (entries || (i != ENTRY_RUNS && i != ENTRY_SCATTERED))
			print(part_info[i].prefix, &f[i], part_info[i].moves,
			      part_info[i].pauses);
	printf("collapse.regions %lu regions\n", f[COLLAPSE].moved / 512);
	printf("kvm.pages_2m_before_collapse %.1f %%\n",
	       100 * kvm_page_stats_2m_share(&kvm_before));
	printf("kvm.pages_2m_after_collapse %.1f %%\n",
	       100 * kvm_page_stats_2m_share(&kvm_after));
	printf("migrate.pages %lu pages\n",
	       f[ENTRY_RUNS].moved + f[ENTRY_SCATTERED].moved +
		       f[PAUSE_RUNS].moved + f[PAUSE_SCATTERED].moved);
	printf("migrate.guest_ok %d bool\n", ok);
	bench_host_destroy(&b);
	return ok ? 0 : 1;
}
