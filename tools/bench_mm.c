// SPDX-License-Identifier: GPL-2.0
/*
 * bench_mm: the allocator's hot paths, with baselines, in one run.
 *
 *   mm.order0_pair_ns           order-0 alloc+free via the per-thread cache
 *   mm.order0_movable_pair_ns   the same with a movable request
 *   mm.order0_buddy_pair_ns     order-0 straight to the buddy lists
 *   mm.order9_pair_ns           order-9 alloc+free
 *   mm.order0_pair_2t_ratio     2 threads' throughput / 1 thread's (cached)
 *   mm.order9_pair_2t_ratio     the same for order 9
 *   mm.meta_bytes_per_frame     metadata that grows with the pool, per frame
 *   mm.meta_amortized_bytes_per_frame  the same plus struct mm_pool
 *   baseline.*                  glibc malloc/free of 4 KiB, mmap/munmap
 *
 * Times are the median batch over BATCHES batches.  `bench_mm --ops N`
 * instead runs exactly N order-0 pairs and N/100 order-9 pairs, each in a
 * function of its own, and nothing else timed, for valgrind's callgrind.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "mm/mm.h"

#define BATCHES 101
#define PAIRS 100000UL /* per batch */
#define MMAP_BATCHES 21
#define MMAP_PAIRS 10000UL /* a syscall pair is ~1 us: fewer of them */
#define POOL_BYTES (1ULL << 30)
#define TPUT_ROUNDS 5
#define TPUT_MS 400
#define TPUT_CHUNK 1024 /* pairs between looks at the stop flag */

/* The unmovable path; the movable one adds __GFP_MOVABLE.  No zeroing:
 * what is measured is the allocator, not memset. */
#define GFP_BENCH GFP_VMM
#define GFP_BENCH_MOVABLE (__GFP_MOVABLE | __GFP_RECLAIM)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v. */
static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static int make_pool(bool no_pcp, struct mm_pool **pool)
{
	struct mm_config cfg = {
		.pool_bytes = POOL_BYTES,
		.nr_nodes = 1,
		.hugepages = false,
		.no_pcp = no_pcp,
		.quiet = true,
	};
	char err[256];
	int ret = mm_pool_create(&cfg, pool, err, sizeof(err));

	if (ret)
		fprintf(stderr, "bench_mm: creating a pool: %s\n", err);
	return ret;
}

/*
 * n alloc+free pairs; false if an allocation failed (it never should in
 * an idle 1 GiB pool).  The loop calls nothing but the allocator.
 */
static __attribute__((noinline)) bool
run_pairs(struct mm_pool *pool, gfp_t gfp, unsigned int order, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		pfn_t pfn = __alloc_pages(pool, gfp, order, 0, NULL);

		if (unlikely(pfn == PFN_NONE))
			return false;
		__free_pages(pool, pfn, order);
	}
	return true;
}

/* Median ns per pair over BATCHES batches of n pairs; < 0 on failure. */
static double pair_ns(struct mm_pool *pool, gfp_t gfp, unsigned int order,
		      unsigned long n)
{
	double ns[BATCHES];

	/* Unmeasured: creates this thread's cache, faults the descriptors. */
	if (!run_pairs(pool, gfp, order, n))
		return -1;
	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = now_ns();

		if (!run_pairs(pool, gfp, order, n))
			return -1;
		ns[b] = (double)(now_ns() - t0) / n;
	}
	return median(ns, BATCHES);
}

/* One thread of the throughput test, on a cache line of its own. */
struct worker {
	struct mm_pool *pool;
	unsigned int order;
	int cpu;
	int *ready, *go, *stop;
	unsigned long pairs;
	uint64_t ns;
	bool failed;
} __attribute__((aligned(64)));

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	unsigned long pairs = 0;
	cpu_set_t set;
	uint64_t t0;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
		w->failed = true;
	/*
	 * Warm up before the clock starts.  The order-0 pair gives the
	 * thread its cache even for order 9, as a vCPU fault thread has
	 * one: without it every event count is an atomic on the pool.
	 */
	if (!run_pairs(w->pool, GFP_BENCH, 0, 1) ||
	    !run_pairs(w->pool, GFP_BENCH, w->order, TPUT_CHUNK))
		w->failed = true;
	__atomic_add_fetch(w->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(w->go, __ATOMIC_ACQUIRE))
		sched_yield();
	t0 = now_ns();
	while (!__atomic_load_n(w->stop, __ATOMIC_RELAXED)) {
		if (!run_pairs(w->pool, GFP_BENCH, w->order, TPUT_CHUNK)) {
			w->failed = true;
			break;
		}
		pairs += TPUT_CHUNK;
	}
	w->ns = now_ns() - t0;
	w->pairs = pairs;
	return NULL;
}

/*
 * Aggregate pairs per second of nthreads threads pinned to cpus[], each
 * doing pairs of one order on the same pool for TPUT_MS; < 0 on failure.
 * Each thread's rate is over its own running time, so start skew does not
 * count; the main thread sleeps meanwhile.
 */
static double throughput(struct mm_pool *pool, unsigned int order,
			 const int *cpus, int nthreads)
{
	struct timespec run = { TPUT_MS / 1000, (TPUT_MS % 1000) * 1000000L };
	struct timespec nap = { 0, 100000 };
	struct worker w[2];
	pthread_t t[2];
	int ready = 0, go = 0, stop = 0, started;
	bool failed = false;
	double rate = 0;

	for (started = 0; started < nthreads; started++) {
		w[started] = (struct worker){ .pool = pool,
					      .order = order,
					      .cpu = cpus[started],
					      .ready = &ready,
					      .go = &go,
					      .stop = &stop };
		if (pthread_create(&t[started], NULL, worker_fn, &w[started]))
			break;
	}
	if (started == nthreads) {
		while (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) < nthreads)
			nanosleep(&nap, NULL);
		__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
		nanosleep(&run, NULL);
	} else {
		fprintf(stderr, "bench_mm: pthread_create failed\n");
		failed = true;
		__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < started; i++) {
		pthread_join(t[i], NULL);
		failed |= w[i].failed;
		rate += w[i].pairs / (w[i].ns / 1e9);
	}
	return failed ? -1 : rate;
}

/* The first two CPUs this process may run on; false if fewer. */
static bool two_cpus(int cpus[2])
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return false;
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n == 2;
}

/* Interleaved 1- and 2-thread rounds: the median ratio, and rates. */
static int scaling(struct mm_pool *pool, unsigned int order, double *ratio,
		   double *one, double *two)
{
	double r[TPUT_ROUNDS], r1[TPUT_ROUNDS], r2[TPUT_ROUNDS];
	int cpus[2];

	if (!two_cpus(cpus)) {
		fprintf(stderr, "bench_mm: the 2-thread test needs 2 CPUs\n");
		return -1;
	}
	for (int i = 0; i < TPUT_ROUNDS; i++) {
		r1[i] = throughput(pool, order, cpus, 1);
		r2[i] = throughput(pool, order, cpus, 2);
		if (r1[i] <= 0 || r2[i] <= 0)
			return -1;
		r[i] = r2[i] / r1[i];
	}
	*ratio = median(r, TPUT_ROUNDS);
	*one = median(r1, TPUT_ROUNDS);
	*two = median(r2, TPUT_ROUNDS);
	return 0;
}

static double baseline_malloc(void)
{
	double ns[BATCHES];

	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = now_ns();

		for (unsigned long i = 0; i < PAIRS; i++) {
			/* volatile: the compiler may not elide the pair. */
			void *volatile p = malloc(4096);

			free(p);
		}
		ns[b] = (double)(now_ns() - t0) / PAIRS;
	}
	return median(ns, BATCHES);
}

static double baseline_mmap(void)
{
	double ns[MMAP_BATCHES];

	for (int b = 0; b < MMAP_BATCHES; b++) {
		uint64_t t0 = now_ns();

		for (unsigned long i = 0; i < MMAP_PAIRS; i++) {
			void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				return -1;
			munmap(p, 4096);
		}
		ns[b] = (double)(now_ns() - t0) / MMAP_PAIRS;
	}
	return median(ns, MMAP_BATCHES);
}

/*
 * The callgrind mode.  Each order runs in a function of its own (never
 * inlined or cloned), so that callgrind_annotate --inclusive=yes gives its
 * instructions apart from pool creation.
 */
static __attribute__((noinline, noclone)) bool
callgrind_order0_pairs(struct mm_pool *pool, unsigned long n)
{
	return run_pairs(pool, GFP_BENCH, 0, n);
}

static __attribute__((noinline, noclone)) bool
callgrind_order9_pairs(struct mm_pool *pool, unsigned long n)
{
	return run_pairs(pool, GFP_BENCH, pageblock_order, n);
}

static int callgrind_mode(unsigned long n, long order, bool no_pcp)
{
	struct mm_pool *pool;
	bool ok = true;

	if (make_pool(no_pcp, &pool))
		return 1;
	if (order < 0 || order == 0)
		ok = callgrind_order0_pairs(pool, n);
	if (ok && order < 0)
		ok = callgrind_order9_pairs(pool, n / 100);
	else if (ok && order > 0)
		ok = run_pairs(pool, GFP_BENCH, order, n);
	mm_pool_destroy(pool);
	if (!ok)
		fprintf(stderr, "bench_mm: an allocation failed\n");
	return ok ? 0 : 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_mm [--ops N [--order O] [--no-pcp]]\n"
		"\n"
		"With no option, measure the allocator (1 GiB pool, one node)\n"
		"and print a 'name value unit' line per figure (about 10 s).\n"
		"\n"
		"  --ops N     exactly N order-0 alloc+free pairs and N/100\n"
		"              order-9 pairs, nothing timed, for\n"
		"              valgrind --tool=callgrind\n"
		"  --order O   with --ops: N pairs of order O only (0..%d)\n"
		"  --no-pcp    with --ops: a pool without per-thread caches\n"
		"  --help      this text\n",
		MAX_ORDER - 1);
}

/* A decimal in [min, max], all of s; false otherwise. */
static bool parse_ulong(const char *s, unsigned long min, unsigned long max,
			unsigned long *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !errno && !*end && *v >= min && *v <= max;
}

static int measure(void)
{
	struct mm_pool *pool, *buddy;
	double o0, o0m, o0b, o9, ratio, one, two, ratio9, one9, two9, mal, mm;
	int ret = 1;

	if (make_pool(false, &pool))
		return 1;
	if (make_pool(true, &buddy))
		goto out_pool;
	o0 = pair_ns(pool, GFP_BENCH, 0, PAIRS);
	o0m = pair_ns(pool, GFP_BENCH_MOVABLE, 0, PAIRS);
	o0b = pair_ns(buddy, GFP_BENCH, 0, PAIRS);
	o9 = pair_ns(pool, GFP_BENCH, pageblock_order, PAIRS);
	if (o0 < 0 || o0m < 0 || o0b < 0 || o9 < 0) {
		fprintf(stderr, "bench_mm: an allocation failed\n");
		goto out;
	}
	if (scaling(pool, 0, &ratio, &one, &two) ||
	    scaling(pool, pageblock_order, &ratio9, &one9, &two9))
		goto out;
	mal = baseline_malloc();
	mm = baseline_mmap();
	if (mm < 0) {
		perror("bench_mm: mmap");
		goto out;
	}

	printf("mm.order0_pair_ns %.1f ns\n", o0);
	printf("mm.order0_movable_pair_ns %.1f ns\n", o0m);
	printf("mm.order0_buddy_pair_ns %.1f ns\n", o0b);
	printf("mm.order9_pair_ns %.1f ns\n", o9);
	printf("mm.order0_pair_2t_ratio %.2f ratio\n", ratio);
	printf("mm.order0_pairs_1t %.0f pairs/s\n", one);
	printf("mm.order0_pairs_2t %.0f pairs/s\n", two);
	printf("mm.order9_pair_2t_ratio %.2f ratio\n", ratio9);
	printf("mm.order9_pairs_1t %.0f pairs/s\n", one9);
	printf("mm.order9_pairs_2t %.0f pairs/s\n", two9);
	/* What grows with the pool: the frame descriptor, which also holds
	 * the pageblock bits (as Linux's 64-byte struct page is counted,
	 * without struct zone)... */
	printf("mm.meta_bytes_per_frame %.2f bytes\n",
	       (double)(sizeof(struct frame) * pool->nr_frames) /
		       pool->nr_frames);
	/* ... and with the fixed structures (nodes, zones, zonelists,
	 * counters) spread over this 1 GiB pool's frames. */
	printf("mm.meta_amortized_bytes_per_frame %.2f bytes\n",
	       (double)(sizeof(struct frame) * pool->nr_frames +
			sizeof(struct mm_pool)) /
		       pool->nr_frames);
	printf("mm.meta_frame_bytes %zu bytes\n", sizeof(struct frame));
	printf("mm.meta_fixed_bytes %zu bytes\n", sizeof(struct mm_pool));
	/* Allocated per pool but untouched (not resident) unless tracing
	 * is on: reported, not counted above. */
	printf("mm.meta_trace_ring_bytes %zu bytes\n",
	       (size_t)trace_ring_capacity(&pool->trace) *
		       sizeof(struct trace_record));
	printf("baseline.malloc_free_4k_pair_ns %.1f ns\n", mal);
	printf("baseline.mmap_munmap_4k_pair_ns %.1f ns\n", mm);
	ret = 0;
out:
	mm_pool_destroy(buddy);
out_pool:
	mm_pool_destroy(pool);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned long ops = 0, order = ULONG_MAX;
	bool no_pcp = false;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(arg, "--ops")) {
			if (!parse_ulong(argv[++i], 1, ULONG_MAX / 2, &ops)) {
				fprintf(stderr, "bench_mm: --ops takes a count "
						"of pairs, 1 or more\n");
				return 2;
			}
		} else if (!strcmp(arg, "--no-pcp")) {
			no_pcp = true;
		} else if (!strcmp(arg, "--order")) {
			if (!parse_ulong(argv[++i], 0, MAX_ORDER - 1, &order)) {
				fprintf(stderr,
					"bench_mm: --order takes an "
					"order from 0 to %d\n",
					MAX_ORDER - 1);
				return 2;
			}
		} else {
			fprintf(stderr, "bench_mm: unknown argument '%s'\n",
				arg);
			usage(stderr);
			return 2;
		}
	}
	if ((order != ULONG_MAX || no_pcp) && !ops) {
		fprintf(stderr, "bench_mm: --order and --no-pcp need --ops\n");
		return 2;
	}
	if (ops)
		return callgrind_mode(
			ops, order == ULONG_MAX ? -1 : (long)order, no_pcp);
	return measure();
}
