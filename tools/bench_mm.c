// SPDX-License-Identifier: GPL-2.0
/*
 * bench_mm: the allocator's hot paths, with baselines, in one run.
 *
 *   mm.order0_pair_ns         order-0 alloc+free via the per-thread cache
 *   mm.order0_buddy_pair_ns   the same straight to the buddy lists
 *   mm.order9_pair_ns         order-9 alloc+free
 *   mm.order0_pair_2t_ratio   2 threads' throughput / 1 thread's (cached)
 *   mm.meta_bytes_per_frame   frame descriptor bytes per frame
 *   mm.meta_fixed_bytes       per-pool structures, whatever its size
 *   baseline.*                glibc malloc/free of 4 KiB, mmap/munmap
 *
 * Times are the median over batches.  `bench_mm --ops N` instead runs
 * exactly N order-0 pairs and N/100 order-9 pairs and nothing else timed,
 * for `valgrind --tool=callgrind` (instructions per operation).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "mm/mm.h"

#define BATCHES 101
#define PAIRS 100000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double median_ns_per(uint64_t *batch_ns, int n, unsigned long per)
{
	qsort(batch_ns, n, sizeof(*batch_ns), cmp_u64);
	return (double)batch_ns[n / 2] / per;
}

static struct mm_pool *make_pool(bool no_pcp)
{
	struct mm_config cfg = {
		.pool_bytes = 1ULL << 30,
		.nr_nodes = 1,
		.quiet = true,
		.no_pcp = no_pcp,
	};
	struct mm_pool *pool;
	char err[256];

	if (mm_pool_create(&cfg, &pool, err, sizeof(err))) {
		fprintf(stderr, "bench_mm: %s\n", err);
		exit(1);
	}
	return pool;
}

/* alloc+free pairs of one order; returns the median ns per pair. */
static double pairs(struct mm_pool *pool, unsigned int order, int batches,
		    unsigned long n)
{
	uint64_t t[BATCHES];

	for (int b = 0; b < batches; b++) {
		uint64_t t0 = now_ns();

		for (unsigned long i = 0; i < n; i++) {
			pfn_t p = __alloc_pages(pool, GFP_VMM, order, 0, NULL);

			if (p == PFN_NONE)
				abort();
			__free_pages(pool, p, order);
		}
		t[b] = now_ns() - t0;
	}
	return median_ns_per(t, batches, n);
}

struct worker {
	struct mm_pool *pool;
	int cpu;
	uint64_t deadline;
	unsigned long done;
	pthread_barrier_t *bar;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	/* Warm this thread's cache before the clock starts. */
	__free_pages(w->pool, __alloc_pages(w->pool, GFP_VMM, 0, 0, NULL), 0);
	pthread_barrier_wait(w->bar);
	while (now_ns() < w->deadline) {
		for (int i = 0; i < 1000; i++) {
			pfn_t p = __alloc_pages(w->pool, GFP_VMM, 0, 0, NULL);

			__free_pages(w->pool, p, 0);
		}
		w->done += 1000;
	}
	return NULL;
}

/* Pairs per second with nthreads threads for ms milliseconds. */
static double throughput(struct mm_pool *pool, int nthreads, int ms)
{
	struct worker w[2];
	pthread_t t[2];
	pthread_barrier_t bar;
	unsigned long total = 0;
	uint64_t start;

	pthread_barrier_init(&bar, NULL, nthreads + 1);
	for (int i = 0; i < nthreads; i++) {
		w[i] = (struct worker){ .pool = pool, .cpu = i, .bar = &bar };
		w[i].deadline = UINT64_MAX;
	}
	for (int i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, worker, &w[i]);
	start = now_ns();
	for (int i = 0; i < nthreads; i++)
		__atomic_store_n(&w[i].deadline, start + ms * 1000000ULL,
				 __ATOMIC_RELAXED);
	pthread_barrier_wait(&bar);
	start = now_ns();
	for (int i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
		total += w[i].done;
	}
	pthread_barrier_destroy(&bar);
	return total / ((now_ns() - start) / 1e9);
}

static double baseline_malloc(void)
{
	uint64_t t[BATCHES];

	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < PAIRS; i++) {
			void *volatile p = malloc(4096);

			free(p);
		}
		t[b] = now_ns() - t0;
	}
	return median_ns_per(t, BATCHES, PAIRS);
}

static double baseline_mmap(void)
{
	uint64_t t[21];

	for (int b = 0; b < 21; b++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < 10000; i++) {
			void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			munmap(p, 4096);
		}
		t[b] = now_ns() - t0;
	}
	return median_ns_per(t, 21, 10000);
}

static int callgrind_mode(unsigned long n, unsigned int order)
{
	struct mm_pool *pool = make_pool(false);

	for (unsigned long i = 0; i < n; i++)
		__free_pages(pool, __alloc_pages(pool, GFP_VMM, order, 0, NULL),
			     order);
	mm_pool_destroy(pool);
	return 0;
}

int main(int argc, char **argv)
{
	struct mm_pool *pool, *buddy;
	double one, two;

	if ((argc == 3 || argc == 5) && !strcmp(argv[1], "--ops")) {
		char *end;
		unsigned long n = strtoul(argv[2], &end, 10), order = 0;

		if (argc == 5 && !strcmp(argv[3], "--order") && *end == 0)
			order = strtoul(argv[4], &end, 10);
		if (*end || !n || order >= MAX_ORDER ||
		    (argc == 5 && strcmp(argv[3], "--order"))) {
			fprintf(stderr,
				"bench_mm: --ops N [--order O]: N > 0, O < %d\n",
				MAX_ORDER);
			return 2;
		}
		return callgrind_mode(n, order);
	}
	if (argc != 1) {
		fprintf(stderr,
			"usage: bench_mm [--ops N [--order O]]\n"
			"  prints name value unit lines; --ops N runs exactly N alloc+free\n"
			"  pairs of order O (default 0) and nothing else, for\n"
			"  valgrind --tool=callgrind\n");
		return !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ?
			       0 :
			       2;
	}
	pool = make_pool(false);
	buddy = make_pool(true);
	printf("mm.order0_pair_ns %.1f ns\n", pairs(pool, 0, BATCHES, PAIRS));
	printf("mm.order0_buddy_pair_ns %.1f ns\n",
	       pairs(buddy, 0, BATCHES, PAIRS));
	printf("mm.order9_pair_ns %.1f ns\n",
	       pairs(pool, pageblock_order, BATCHES, PAIRS / 10));
	one = throughput(pool, 1, 1000);
	two = throughput(pool, 2, 1000);
	printf("mm.order0_pair_2t_ratio %.2f ratio\n", two / one);
	printf("mm.order0_pairs_1t %.0f pairs/s\n", one);
	printf("mm.order0_pairs_2t %.0f pairs/s\n", two);
	/* What grows with the pool: the descriptor (pageblock state lives
	 * in it).  Fixed per-pool structures are reported apart, as Linux's
	 * 64-byte struct page does not count struct zone either. */
	printf("mm.meta_bytes_per_frame %.2f bytes\n",
	       (double)(sizeof(struct frame) * pool->nr_frames) /
		       pool->nr_frames);
	printf("mm.meta_fixed_bytes %zu bytes\n", sizeof(*pool));
	printf("baseline.malloc_free_4k_pair_ns %.1f ns\n", baseline_malloc());
	printf("baseline.mmap_munmap_4k_pair_ns %.1f ns\n", baseline_mmap());
	mm_pool_destroy(buddy);
	mm_pool_destroy(pool);
	return 0;
}
