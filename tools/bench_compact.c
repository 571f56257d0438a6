// SPDX-License-Identifier: GPL-2.0
/*
 * bench_compact: compaction of memory that real guests fragmented.
 *
 * Two guests touch their memory at the same time (each 2 MiB region one
 * pageblock, the guests' pageblocks interleaved in the pool), free every
 * other page they own (`free all every=2`), and the host raises their
 * balloon targets by as much: the balloons take exactly those pages, so
 * every other frame of the guests' pageblocks is free (tools/frag).
 *
 *   remap       the physical limit, no guest at all: one mmap(MAP_FIXED)
 *               per scattered 4 KiB memfd page over a range laid out as
 *               ballooned guest memory is (a page, a placeholder, ...),
 *               bare and inside a KVM memslot
 *   frag        a 1 GiB pool, every other frame the guests', the guests
 *               holding their memory: compact_memory() timed; free
 *               memory in whole pageblocks before and after; host memory
 *               given back by releasing free pageblocks, without and
 *               after compaction
 *   busy        a second pool, one guest churning (re-writing and
 *               verifying its memory as fast as it can), the other
 *               holding: the same compaction, and what the churning
 *               guest felt
 *   collapse    then the balloons deflate and the guests touch those
 *               pages again: each region is backed by frames from all
 *               over the pool; compaction and collapse make them one
 *               pageblock each again.  KVM's share of 2 MiB mappings,
 *               its own statistics, before and after.
 *
 * The guests' own integrity checks must pass (compact.guest_ok).
 * Prints `name value unit` lines.  Needs /dev/kvm.  docs/PERFORMANCE.md
 * has the figures and what limits them.
 *
 *   bench_compact [--remap-pages N] [--no-huge]
 *
 * --no-huge: the guests' memory comes in order-0 frames (64-page
 * fault-around windows) instead of one pageblock per 2 MiB region: the
 * two guests then interleave page by page, and every other frame is free
 * only within each window (docs/compaction.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/kvm.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mm/compaction.h"
#include "tools/bench/bench.h"
#include "tools/frag/frag.h"
#include "util/errf.h"

#define MiB (1ULL << 20)
#define INFLATE_MS 30000
#define REMAP_ROUNDS 3

static unsigned long remap_pages = 32768;
static bool no_huge; /* guests backed by order-0 frames only */

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_compact: %s: %s\n", what, strerror(err));
	exit(1);
}

/* ---------------------------------------------------------------- remap */

static int make_uffd(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0 || ioctl(fd, UFFDIO_API, &api))
		die("userfaultfd", errno);
	return fd;
}

/*
 * Seconds for n remaps of scattered pages, no guest: a range of 2n
 * pages where page 2i maps memfd page 2i (touched: the host has a PTE
 * for it, as it does for a page a vCPU used) and page 2i + 1 is an
 * anonymous placeholder registered with a userfaultfd (a ballooned
 * page); each mapped page is then mapped again, from a page of the
 * memfd's second half (every other one, as compaction's targets are in
 * every-other-page memory).  With kvm, the range is a memslot of a VM
 * without vCPUs: KVM's MMU notifier runs for every change.
 */
static double remap_seconds(unsigned long n, bool kvm)
{
	size_t len = 2 * n * PAGE_SIZE;
	int memfd = memfd_create("bench_compact", MFD_CLOEXEC), uffd, kfd = -1;
	int vmfd = -1;
	uint8_t *pool, *ram, *raw;
	uint64_t t0, t1;

	if (memfd < 0 || ftruncate(memfd, 2 * len))
		die("memfd", errno);
	pool = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
		    0);
	raw = mmap(NULL, len + (2 * MiB), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (pool == MAP_FAILED || raw == MAP_FAILED)
		die("mmap", errno);
	memset(pool, 1, 2 * len);
	ram = (uint8_t *)ALIGN_UP((uintptr_t)raw, (2 * MiB));
	uffd = make_uffd();
	for (unsigned long i = 0; i < 2 * n; i++) {
		uint8_t *a = ram + i * PAGE_SIZE;
		struct uffdio_register reg = {
			.range = { (uintptr_t)a, PAGE_SIZE },
			.mode = UFFDIO_REGISTER_MODE_MISSING,
		};

		if (i % 2 == 0) {
			if (mmap(a, PAGE_SIZE, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, memfd,
				 i * PAGE_SIZE) == MAP_FAILED)
				die("mmap", errno);
			*(volatile uint8_t *)a = 2;
		} else if (mmap(a, PAGE_SIZE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
					MAP_FIXED,
				-1, 0) == MAP_FAILED ||
			   ioctl(uffd, UFFDIO_REGISTER, &reg)) {
			die("placeholder", errno);
		}
	}
	if (kvm) {
		struct kvm_userspace_memory_region slot = {
			.memory_size = len,
			.userspace_addr = (uintptr_t)ram,
		};

		kfd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
		vmfd = kfd < 0 ? -1 : ioctl(kfd, KVM_CREATE_VM, 0);
		if (vmfd < 0 || ioctl(vmfd, KVM_SET_USER_MEMORY_REGION, &slot))
			die("KVM memslot", errno);
	}
	t0 = trace_clock_ns();
	for (unsigned long i = 0; i < n; i++)
		if (mmap(ram + 2 * i * PAGE_SIZE, PAGE_SIZE,
			 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, memfd,
			 len + (2 * i + 1) * PAGE_SIZE) == MAP_FAILED)
			die("remap", errno);
	t1 = trace_clock_ns();
	if (vmfd >= 0) {
		close(vmfd);
		close(kfd);
	}
	close(uffd);
	munmap(raw, len + (2 * MiB));
	munmap(pool, 2 * len);
	close(memfd);
	return (t1 - t0) / 1e9;
}

/* MiB/s of the median of REMAP_ROUNDS rounds, bare and with KVM
 * interleaved so that both see the same host. */
static void remap_limit(double *bare, double *kvm)
{
	double s[2][REMAP_ROUNDS];

	for (int r = 0; r < REMAP_ROUNDS; r++)
		for (int k = 0; k < 2; k++)
			s[k][r] = remap_seconds(remap_pages, k);
	*bare = remap_pages * (double)PAGE_SIZE / MiB /
		bench_median(s[0], REMAP_ROUNDS);
	*kvm = remap_pages * (double)PAGE_SIZE / MiB /
	       bench_median(s[1], REMAP_ROUNDS);
}

/* ---------------------------------------------------------------- guests */

static int host(struct bench *b, uint64_t mib)
{
	struct vmm_config cfg = { .pool_bytes = mib * MiB,
				  .nr_nodes = 1,
				  .hugepages = true,
				  .deflate_off = true,
				  /* Compaction and collapse run when the
				   * benchmark says so, and only then. */
				  .compaction_off = true };
	int ret = bench_host_create(b, &cfg);

	b->res.no_huge = no_huge;
	return ret;
}

/* Both guests, each running its script. */
static int launch2(struct bench *b, const char *script_a, const char *script_b,
		   uint64_t mib, unsigned int *id)
{
	int ret = bench_launch(b, "a", mib, script_a, &id[0]);

	return ret ? ret : bench_launch(b, "b", mib, script_b, &id[1]);
}

/* Both guests got to phase n. */
static int wait_phases2(struct bench *b, const unsigned int *id, unsigned int n)
{
	int ret = bench_wait_phases(b, id[0], n, BENCH_WAIT_MS);

	return ret ? ret : bench_wait_phases(b, id[1], n, BENCH_WAIT_MS);
}

/* After phase 1 (free all every=2): each balloon takes what its guest
 * freed.  Pages ballooned in all, in *total. */
static int balloon_freed(struct bench *b, const unsigned int *id,
			 uint64_t *total)
{
	int ret = wait_phases2(b, id, 2);

	*total = 0;
	for (int i = 0; i < 2 && !ret; i++) {
		uint64_t freed = frag_phase_bytes(b->h, id[i], 1) >> PAGE_SHIFT;

		ret = frag_balloon_to(b->h, id[i], freed, INFLATE_MS);
		if (ret)
			errf(b->err, sizeof(b->err), ret, "inflating: %s",
			     strerror(-ret));
		*total += freed;
	}
	return ret;
}

static int resident(struct bench *b, uint64_t *bytes)
{
	struct pool_footprint fp;
	int ret;

	pool_return_free_pageblocks(host_pool(b->h));
	ret = pool_footprint(host_pool(b->h), &fp);
	if (ret)
		return errf(b->err, sizeof(b->err), ret, "pool footprint: %s",
			    strerror(-ret));
	*bytes = fp.resident_bytes;
	return 0;
}

/* What one compact_memory() did, and what the guests' batches cost. */
struct run {
	double ms, mib_s;
	long moved;
	/* Per batch, every guest's: the longest a vCPU can have been held
	 * up (migrate_pause_ns; docs/compaction.md). */
	struct histogram pause;
	uint64_t batches;
};

/* The pauses of the guests' migration batches (docs/compaction.md). */
static const struct histogram *pauses(struct bench *b, unsigned int id)
{
	return &((struct guest_mem *)host_vm(b->h, id)->mem)->migrate_pause_ns;
}

static int compact_timed(struct bench *b, const unsigned int *id, struct run *r)
{
	struct histogram before[2];
	uint64_t t0, t1;

	memset(r, 0, sizeof(*r));
	for (int i = 0; i < 2; i++)
		before[i] = *pauses(b, id[i]);
	t0 = trace_clock_ns();
	r->moved = compact_memory(host_pool(b->h));
	t1 = trace_clock_ns();
	if (r->moved < 0)
		return errf(b->err, sizeof(b->err), (int)r->moved,
			    "compact_memory: %s", strerror((int)-r->moved));
	for (int i = 0; i < 2; i++)
		hist_merge_since(&r->pause, pauses(b, id[i]), &before[i]);
	r->ms = (t1 - t0) / 1e6;
	r->mib_s = r->moved * (double)PAGE_SIZE / MiB / ((t1 - t0) / 1e9);
	return 0;
}

static void print_run(const char *prefix, const struct run *r)
{
	printf("%s_ms %.1f ms\n", prefix, r->ms);
	printf("%s_pages %ld pages\n", prefix, r->moved);
	printf("%s_mib_s %.1f MiB/s\n", prefix, r->mib_s);
	printf("%s_batches %lu batches\n", prefix, (unsigned long)r->pause.n);
	printf("%s_pause_p50_us %.1f us\n", prefix,
	       hist_percentile(&r->pause, 50) / 1e3);
	printf("%s_pause_p99_us %.1f us\n", prefix,
	       hist_percentile(&r->pause, 99) / 1e3);
}

/* --------------------------------------------------------------- parts */

/*
 * A 1 GiB pool that two guests of 512 MiB fill, each touching 496 MiB:
 * every other frame theirs once the balloons have taken what they
 * freed; what they never touched (some 20 MiB) stays whole.
 */
static int frag_1g(struct bench *b, double *mib_s, bool *ok)
{
	const char *script = "touch 496M; free all every=2; hold 6s; verify";
	unsigned long in_blocks, free;
	uint64_t ballooned, r0, r1, r2;
	struct frag_layout l;
	unsigned int id[2];
	struct run r;
	int ret = host(b, 1024);

	if (ret)
		return ret;
	ret = launch2(b, script, script, 512, id);
	if (!ret)
		ret = balloon_freed(b, id, &ballooned);
	if (ret)
		goto out;
	frag_layout(host_pool(b->h), &l);
	free_in_pageblocks(host_pool(b->h), &in_blocks, &free);
	printf("frag.ballooned_mib %.1f MiB\n",
	       (double)(ballooned << PAGE_SHIFT) / MiB);
	printf("frag.guest_pageblocks %lu blocks\n", l.guest_blocks);
	printf("frag.every_other_frame_pageblocks %lu blocks\n", l.alternating);
	printf("frag.two_guest_pageblocks %lu blocks\n", l.shared);
	printf("frag.free_mib %.1f MiB\n", (double)(free << PAGE_SHIFT) / MiB);
	printf("compact.free_in_blocks_before_pct %.1f %%\n",
	       free ? 100.0 * in_blocks / free : 100);
	/* Released now, without compaction: what that gives. */
	ret = resident(b, &r0);
	if (!ret)
		ret = resident(b, &r1);
	if (!ret)
		ret = compact_timed(b, id, &r);
	if (ret)
		goto out;
	free_in_pageblocks(host_pool(b->h), &in_blocks, &free);
	ret = resident(b, &r2);
	if (ret)
		goto out;
	print_run("frag.compact", &r);
	printf("compact.frag_1g_ms %.1f ms\n", r.ms);
	printf("compact.mib_s %.1f MiB/s\n", r.mib_s);
	*mib_s = r.mib_s;
	printf("compact.pause_p99_us %.1f us\n",
	       hist_percentile(&r.pause, 99) / 1e3);
	printf("compact.pause_max_us %.1f us\n", r.pause.max / 1e3);
	printf("compact.free_in_blocks_pct %.1f %%\n",
	       free ? 100.0 * in_blocks / free : 100);
	printf("compact.host_returned_without_mib %.1f MiB\n",
	       (double)(r0 - r1) / MiB);
	printf("compact.host_returned_mib %.1f MiB\n", (double)(r1 - r2) / MiB);
	printf("compact.host_resident_before_mib %.1f MiB\n", (double)r1 / MiB);
	printf("compact.host_resident_after_mib %.1f MiB\n", (double)r2 / MiB);
	*ok = bench_validate(b) && bench_guest_ok(b, id[0], 1) &&
	      bench_guest_ok(b, id[1], 1);
out:
	bench_host_destroy(b);
	return ret;
}

/*
 * A second pool: guests of 256 MiB touching 240 MiB each.  "a" churns
 * (re-writes and verifies its memory as fast as it can), first with the
 * host doing nothing (its baseline), then while the fragmented memory is
 * compacted (busy.*); "b" holds.  Then the balloons deflate, the guests
 * touch those pages again and read everything back; compaction and
 * collapse until nothing more collapses; the guests read everything
 * again, and KVM maps what they read.
 */
enum {
	P_FREE = 1,
	P_BASELINE = 3, /* a: churn, host idle */
	P_CHURN, /* a: churn, host compacting */
	P_DEFLATE, /* hold: the balloons deflate */
	P_RETOUCHED = 8, /* touch, verify done */
	P_COLLAPSED = 10, /* hold (collapse), verify done */
};

/* What the churning guest felt in phase p (its own timing), per second
 * of the phase. */
static void print_stalls(const char *prefix, const struct vm_phase *p)
{
	double s = p->ns / 1e9;

	printf("%s_s %.2f s\n", prefix, s);
	printf("%s_guest_stall_max_us %.1f us\n", prefix,
	       p->stall_max_ns / 1e3);
	printf("%s_guest_stalls_over_200us_per_s %.1f stalls/s\n", prefix,
	       p->stalls_over[1] / s);
	printf("%s_guest_stalls_over_1ms_per_s %.1f stalls/s\n", prefix,
	       p->stalls_over[2] / s);
}

static int kvm_pages(struct bench *b, struct kvm_page_stats *ps)
{
	int ret = frag_kvm_pages(b->h, ps);

	if (ret)
		return errf(b->err, sizeof(b->err), ret, "KVM statistics: %s",
			    strerror(-ret));
	return 0;
}

static int busy_and_collapse(struct bench *b, bool *ok)
{
	const char *head = "touch 240M; free all every=2; hold 2s";
	const char *tail = "hold 1500ms; touch 120M; verify; hold 3s; verify; "
			   "hold 1s; verify";
	char sa[256], sb[256];
	unsigned int id[2];
	struct kvm_page_stats kvm0, kvm1;
	struct vm_summary s;
	long collapsed = 0, n, moved = 0;
	uint64_t t0, t1, ballooned;
	struct run r;
	int ret = host(b, 1024);

	if (ret)
		return ret;
	snprintf(sa, sizeof(sa),
		 "%s; churn ws=120M rate=0 time=1s; "
		 "churn ws=120M rate=0 time=4s; %s",
		 head, tail);
	snprintf(sb, sizeof(sb), "%s; hold 1s; hold 4s; %s", head, tail);
	ret = launch2(b, sa, sb, 256, id);
	if (!ret)
		ret = balloon_freed(b, id, &ballooned);
	if (!ret)
		ret = bench_wait_phases(b, id[0], P_CHURN, BENCH_WAIT_MS);
	if (!ret)
		ret = compact_timed(b, id, &r);
	if (ret)
		goto out;
	host_guest_summary(b->h, id[0], &s);
	print_run("busy.compact", &r);
	printf("busy.compact_within_churn %d bool\n", s.nr_phases == P_CHURN);

	ret = wait_phases2(b, id, P_DEFLATE);
	if (ret)
		goto out;
	host_guest_summary(b->h, id[0], &s);
	print_stalls("busy.baseline", &s.phase[P_BASELINE]);
	print_stalls("busy.churn", &s.phase[P_CHURN]);
	for (int i = 0; i < 2; i++) {
		ret = frag_balloon_to(b->h, id[i], 0, INFLATE_MS);
		if (ret) {
			errf(b->err, sizeof(b->err), ret, "deflating: %s",
			     strerror(-ret));
			goto out;
		}
	}
	ret = wait_phases2(b, id, P_RETOUCHED);
	if (!ret)
		ret = kvm_pages(b, &kvm0);
	if (ret)
		goto out;
	t0 = trace_clock_ns();
	do {
		moved += compact_memory(host_pool(b->h));
		n = host_collapse_all(b->h, 4096, 4096);
		collapsed += n > 0 ? n : 0;
	} while (n > 0);
	t1 = trace_clock_ns();
	ret = wait_phases2(b, id, P_COLLAPSED);
	if (!ret)
		ret = kvm_pages(b, &kvm1);
	if (ret)
		goto out;
	printf("collapse.regions %ld regions\n", collapsed);
	printf("collapse.pages_compacted %ld pages\n", moved);
	printf("collapse.ms %.1f ms\n", (t1 - t0) / 1e6);
	printf("collapse.kvm_pages_4k_before %lu entries\n",
	       (unsigned long)kvm0.pages_4k);
	printf("collapse.kvm_pages_2m_before %lu entries\n",
	       (unsigned long)kvm0.pages_2m);
	printf("collapse.kvm_pages_4k_after %lu entries\n",
	       (unsigned long)kvm1.pages_4k);
	printf("collapse.kvm_pages_2m_after %lu entries\n",
	       (unsigned long)kvm1.pages_2m);
	printf("compact.pages_2m_before_pct %.1f %%\n",
	       100 * kvm_page_stats_2m_share(&kvm0));
	printf("compact.pages_2m_pct %.1f %%\n",
	       100 * kvm_page_stats_2m_share(&kvm1));
	*ok = bench_validate(b) && bench_guest_ok(b, id[0], 1) &&
	      bench_guest_ok(b, id[1], 1);
out:
	bench_host_destroy(b);
	return ret;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_compact [--remap-pages N] [--no-huge]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "remap-pages", required_argument, NULL, 'r' },
		{ "no-huge", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench b = { .prog = "bench_compact" };
	uint64_t t0 = trace_clock_ns();
	double bare, kvm, mib_s = 0;
	bool ok = false, ok2 = false;
	int c;

	while ((c = getopt_long(argc, argv, "r:nh", opts, NULL)) != -1) {
		if (c == 'n') {
			no_huge = true;
			continue;
		}
		if (c != 'r')
			usage();
		remap_pages = strtoul(optarg, NULL, 0);
		if (remap_pages < 64 || remap_pages > (1UL << 20))
			usage();
	}
	if (!bench_have_kvm(&b))
		return 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	remap_limit(&bare, &kvm);
	printf("compact.remap_limit_mib_s %.1f MiB/s\n", bare);
	printf("compact.remap_limit_kvm_mib_s %.1f MiB/s\n", kvm);
	printf("compact.remap_limit_us %.2f us\n",
	       PAGE_SIZE / (bare * MiB) * 1e6);
	printf("compact.remap_limit_kvm_us %.2f us\n",
	       PAGE_SIZE / (kvm * MiB) * 1e6);
	if (frag_1g(&b, &mib_s, &ok))
		return bench_fail(&b);
	printf("compact.vs_remap_limit %.2f ratio\n", mib_s / bare);
	printf("compact.vs_remap_limit_kvm %.2f ratio\n", mib_s / kvm);
	if (busy_and_collapse(&b, &ok2))
		return bench_fail(&b);
	ok &= ok2;
	printf("compact.guest_ok %d bool\n", ok);
	printf("compact.bench_s %.1f s\n", (trace_clock_ns() - t0) / 1e9);
	return ok ? 0 : 1;
}
