// SPDX-License-Identifier: GPL-2.0
/*
 * bench_swapfile: what the swap file's I/O (swap/swapfile.c) costs, with
 * pread/pwrite of the same pages on the same file as the baseline, in
 * one run.
 *
 *   swapfile.write_first_gibs      64-page batches, page-aligned pages,
 *                                  into the blocks reserved at open
 *   swapfile.write_gibs            the same after every cluster was
 *                                  punched out once
 *   swapfile.write_bounce_gibs     the same from misaligned pages: copied
 *                                  into the ring's registered buffer
 *   baseline.pwrite_gibs           pwrite, a page per call
 *   swapfile.read_p50_us, _p99_us  one page per call, random slots
 *   swapfile.read_bounce_p50_us, _p99_us  into a misaligned page
 *   baseline.pread_p50_us, _p99_us pread of the same pages
 *   swapfile.read16_p50_us, _p99_us   16 neighbouring slots per call,
 *                                  per page (read-ahead)
 *   baseline.pread16_p50_us, _p99_us  16 preads of the same, per page
 *   swapfile.read_busy_p50_us, _p99_us  one page, while another thread
 *                                  writes 64-page batches (own rings)
 *   shared_ring.read_busy_p50_us, _p99_us  the same through one ring
 *                                  under one lock (the alternative)
 *
 *   bench_swapfile [PATH [MIB]]    default /var/tmp/bench_swapfile.PID,
 *                                  256 MiB; the file is removed after
 *
 * Times are wall clock (I/O waits are the point); the file is O_DIRECT
 * where the file system allows it (the run says), so reads reach the
 * device, not the page cache.  Reads are timed in rounds, each way
 * once per round in turn (read_lat()).
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "swap/swapfile.h"

#define BATCH 64
#define READS 2000
#define READS16 300

static struct swap_file *f;
static int fd; /* the baseline's: the same file, the same flags */
static unsigned long *slots, nr_slots;
static char *aligned_pages, *misaligned_pages;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void print_pct(const char *name, double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	printf("%s_p50_us %.1f us\n", name, v[n / 2]);
	printf("%s_p99_us %.1f us\n", name, v[n * 99 / 100]);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Fill the file in batches from buf (BATCH pages); GiB/s. */
static double write_all(const char *buf)
{
	const void *src[BATCH];
	double t0 = now_us();
	unsigned long done = 0;

	for (unsigned int i = 0; i < BATCH; i++)
		src[i] = buf + (size_t)i * PAGE_SIZE;
	for (;;) {
		int ret = swap_file_write(f, 0, src, BATCH, slots + done);

		if (ret <= 0)
			break;
		done += ret;
	}
	nr_slots = done;
	return done * PAGE_SIZE / ((now_us() - t0) / 1e6) / (1 << 30);
}

static void free_all(void)
{
	for (unsigned long i = 0; i < nr_slots; i++)
		swap_file_free(f, slots[i]);
}

static double pwrite_all(const char *buf)
{
	double t0 = now_us();

	for (unsigned long i = 0; i < nr_slots; i++)
		if (pwrite(fd, buf + (i % BATCH) * PAGE_SIZE, PAGE_SIZE,
			   (off_t)slots[i] * PAGE_SIZE) != (ssize_t)PAGE_SIZE)
			return 0;
	return nr_slots * PAGE_SIZE / ((now_us() - t0) / 1e6) / (1 << 30);
}

/* Read per neighbouring slots from k: the library's way (into buf, or
 * into buf + 8 when bounce) or the baseline's (pread, a page a call). */
static int read_one(int how, unsigned long k, unsigned int per, char *buf)
{
	void *dst[16];
	unsigned int failed;

	for (unsigned int i = 0; i < per; i++)
		dst[i] = buf + (how == 1 ? 8 : 0) + (size_t)i * PAGE_SIZE;
	if (how < 2)
		return swap_file_read(f, slots + k, dst, per, &failed);
	for (unsigned int j = 0; j < per; j++)
		if (pread(fd, dst[j], PAGE_SIZE,
			  (off_t)slots[k + j] * PAGE_SIZE) !=
		    (ssize_t)PAGE_SIZE)
			return -EIO;
	return 0;
}

/*
 * n rounds of reads of per pages from random slots, one per way in hows
 * (0 the library, 1 the library bouncing, 2 pread), in an order that
 * turns each round, so that the device's moods fall on all alike; each
 * read its own slots (a page read twice would come from the host's
 * cache of the virtual disk).  Per page, in v[way][round].
 */
static int read_lat(double **v, const int *hows, unsigned int nhows,
		    unsigned int n, unsigned int per, char *buf)
{
	static uint64_t s = 88172645463325252ULL;

	for (unsigned int i = 0; i < n; i++) {
		for (unsigned int m = 0; m < nhows; m++) {
			unsigned int w = (i + m) % nhows;
			unsigned long k = rnd(&s) % (nr_slots - per);
			double t0 = now_us();

			if (read_one(hows[w], k, per, buf))
				return -EIO;
			v[w][i] = (now_us() - t0) / per;
		}
	}
	return 0;
}

/* The alternative to rings of their own: one ring, one lock, a writer
 * holding it for its whole batch as a ring's user must. */
static struct io_uring shared;
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static bool stop;

static void shared_io(bool write, const unsigned long *s, char *buf,
		      unsigned int n)
{
	struct io_uring_cqe *cqe;

	pthread_mutex_lock(&shared_lock);
	for (unsigned int i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&shared);
		off_t off = (off_t)s[i] * PAGE_SIZE;

		if (write)
			io_uring_prep_write(sqe, fd, buf + i * PAGE_SIZE,
					    PAGE_SIZE, off);
		else
			io_uring_prep_read(sqe, fd, buf + i * PAGE_SIZE,
					   PAGE_SIZE, off);
	}
	io_uring_submit_and_wait(&shared, n);
	for (unsigned int i = 0; i < n; i++) {
		if (io_uring_wait_cqe(&shared, &cqe))
			break;
		io_uring_cqe_seen(&shared, cqe);
	}
	pthread_mutex_unlock(&shared_lock);
}

/*
 * Write 64-page batches into the free half of the file, in order, over
 * and over, both ways: the library's (stream 1: fresh slots, freed and
 * so punched when the half is used up) and the shared ring's (the same
 * slots, punched the same way), so both writers allocate blocks alike.
 */
static unsigned long *spare, nr_spare;

static void *writer(void *arg)
{
	bool through_shared = arg != NULL;
	const void *src[BATCH];
	unsigned long k = 0;

	for (unsigned int i = 0; i < BATCH; i++)
		src[i] = aligned_pages + (size_t)i * PAGE_SIZE;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		int ret = BATCH;

		if (k + BATCH > nr_spare) {
			ret = 0;
		} else if (through_shared) {
			shared_io(true, spare + k, aligned_pages, BATCH);
		} else {
			ret = swap_file_write(f, 1, src, BATCH, spare + k);
			ret = ret < 0 ? 0 : ret;
		}
		k += ret;
		if (ret == BATCH)
			continue;
		for (unsigned long i = 0; i < k; i++) {
			if (!through_shared)
				swap_file_free(f, spare[i]);
			else
				fallocate(fd,
					  FALLOC_FL_PUNCH_HOLE |
						  FALLOC_FL_KEEP_SIZE,
					  (off_t)spare[i] * PAGE_SIZE,
					  PAGE_SIZE);
		}
		k = 0;
	}
	for (unsigned long i = 0; i < k && !through_shared; i++)
		swap_file_free(f, spare[i]);
	return NULL;
}

static void read_busy(const char *name, bool through_shared, double *v,
		      void *dst)
{
	uint64_t s = 1234567;
	pthread_t t;
	unsigned int failed;

	__atomic_store_n(&stop, false, __ATOMIC_RELAXED);
	pthread_create(&t, NULL, writer, through_shared ? (void *)1 : NULL);
	usleep(20000);
	for (unsigned int i = 0; i < READS; i++) {
		unsigned long k = rnd(&s) % nr_slots;
		double t0 = now_us();

		if (through_shared)
			shared_io(false, slots + k, dst, 1);
		else
			swap_file_read(f, slots + k, &dst, 1, &failed);
		v[i] = now_us() - t0;
	}
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	print_pct(name, v, READS);
}

int main(int argc, char **argv)
{
	char path[256], err[256];
	unsigned long mib = argc > 2 ? strtoul(argv[2], NULL, 0) : 256;
	struct swap_file_config cfg = { .path = path,
					.size = mib << 20,
					.nr_streams = 2 };
	struct swap_file_stats st;
	double *v = malloc(3 * READS * sizeof(*v));
	double *vs[3] = { v, v + READS, v + 2 * READS };
	char *rbuf;
	int ret;

	if (argc > 1)
		snprintf(path, sizeof(path), "%s", argv[1]);
	else
		snprintf(path, sizeof(path), "/var/tmp/bench_swapfile.%d",
			 getpid());
	ret = swap_file_open(&cfg, &f, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "bench_swapfile: %s\n", err);
		return 1;
	}
	swap_file_get_stats(f, &st);
	fd = open(path, O_RDWR | (st.direct_io ? O_DIRECT : 0));
	slots = calloc(st.total, sizeof(*slots));
	aligned_pages = aligned_alloc(PAGE_SIZE, (2 * BATCH + 1) * PAGE_SIZE);
	misaligned_pages = aligned_pages + BATCH * PAGE_SIZE + 8;
	rbuf = aligned_alloc(PAGE_SIZE, 17 * PAGE_SIZE);
	if (fd < 0 || !slots || !aligned_pages || !rbuf || !v ||
	    io_uring_queue_init(BATCH, &shared, 0)) {
		fprintf(stderr, "bench_swapfile: setup failed\n");
		return 1;
	}
	memset(aligned_pages, 0x5a, (2 * BATCH + 1) * PAGE_SIZE);
	printf("# %s: %lu MiB, direct_io %d\n", path, mib, st.direct_io);

	/* The first fill writes the blocks reserved at open, the others
	 * blocks punched out and reserved again. */
	printf("swapfile.write_first_gibs %.2f GiB/s\n",
	       write_all(aligned_pages));
	free_all();
	printf("swapfile.write_bounce_gibs %.2f GiB/s\n",
	       write_all(misaligned_pages));
	free_all();
	printf("swapfile.write_gibs %.2f GiB/s\n", write_all(aligned_pages));
	printf("baseline.pwrite_gibs %.2f GiB/s\n", pwrite_all(aligned_pages));
	/* The writes out of the host's way before reads are timed. */
	fdatasync(fd);

	if (read_lat(vs, (const int[]){ 0, 1, 2 }, 3, READS, 1, rbuf))
		goto err;
	print_pct("swapfile.read", vs[0], READS);
	print_pct("swapfile.read_bounce", vs[1], READS);
	print_pct("baseline.pread", vs[2], READS);
	if (read_lat(vs, (const int[]){ 0, 2 }, 2, READS16, 16, rbuf))
		goto err;
	print_pct("swapfile.read16", vs[0], READS16);
	print_pct("baseline.pread16", vs[1], READS16);
	/* Room for the writer's batches: half the file, punched out. */
	for (unsigned long i = nr_slots / 2; i < nr_slots; i++)
		swap_file_free(f, slots[i]);
	spare = calloc(nr_slots - nr_slots / 2, sizeof(*spare));
	nr_spare = nr_slots - nr_slots / 2;
	memcpy(spare, slots + nr_slots / 2, nr_spare * sizeof(*spare));
	nr_slots /= 2;
	read_busy("swapfile.read_busy", false, v, rbuf);
	read_busy("shared_ring.read_busy", true, v, rbuf);

	ret = 0;
out:
	io_uring_queue_exit(&shared);
	close(fd);
	swap_file_close(f);
	unlink(path);
	free(spare);
	free(rbuf);
	free(aligned_pages);
	free(slots);
	free(v);
	return ret;
err:
	fprintf(stderr, "bench_swapfile: a read failed\n");
	ret = 1;
	goto out;
}
