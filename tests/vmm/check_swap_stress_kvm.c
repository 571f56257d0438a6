// SPDX-License-Identifier: GPL-2.0
/*
 * The cold tier with real guests under what else moves their pages:
 *
 *   compaction     two guests (pattern=full and ratio=3) churn their
 *                  memory while one thread swaps their pages out (every
 *                  other page, and reclaim's own choice) through a small
 *                  store and its file, and another compacts (compact_node()
 *                  as direct compaction does, kcompactd proactively, and
 *                  the control socket's host_compact()); the invariant
 *                  checker runs all along
 *   full file      a 4 MiB swap file fills (by writeback, or by pages
 *                  that do not compress alone): said once, the pages
 *                  stay in the store or the guest, a guest beside it
 *                  unaffected
 *   failing file   writes to the file fail (a device error, again and
 *                  again): said once, nothing lost
 *   balloon        inflation and deflation cycles over a guest whose
 *                  freed pages were swapped: those the balloon takes are
 *                  dropped unread, the rest come back intact
 *   read-ahead     a swap-in's read-ahead into the next 2 MiB region: a
 *                  2 MiB fault there never maps over the page read ahead
 *   validator      host_validate() finds swapped GPAs gone wrong
 *
 * Each ends with every guest's verify (its churn also checks each page
 * before it rewrites it) and the books: host_validate() (the pool, the
 * tier, every swapped GPA) and each guest's swapped pages against the
 * tier's entries.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mm/compaction.h"
#include "swap/swapfile.h"
#include "swap/tier.h"
#include "tests/runner.h"
#include "tests/vmm/host_test.h"
#include "tools/frag/frag.h"
#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/compact.h"
#include "vmm/host/swap.h"

#define MiB (1ULL << 20)

/* A macro: a failure names the line that checked. */
#define validate(h)                                                            \
	do {                                                                   \
		char _err[256];                                                \
		ck_assert_msg(host_validate(h, _err, sizeof(_err)) == 0, "%s", \
			      _err);                                           \
	} while (0)

static struct guest_mem *mem_of(struct vmm_host *h, unsigned int id)
{
	struct vm *vm = host_vm(h, id);

	ck_assert_ptr_nonnull(vm);
	return vm->mem;
}

/* Quiet: the guest's swapped pages are exactly the tier's of its own. */
#define assert_books(h, id)   \
	do {                  \
		books(h, id); \
		validate(h);  \
	} while (0)

static void books(struct vmm_host *h, unsigned int id)
{
	struct guest_mem *mem = mem_of(h, id);
	struct guest_mem_stats st;
	char err[256];

	guest_mem_get_stats(mem, &st);
	ck_assert_uint_eq(st.swapped, swap_tier_owned(h->tier, mem->cfg.owner));
	ck_assert_msg(swap_tier_validate(h->tier, err, sizeof(err)) == 0, "%s",
		      err);
}

/* The guests' end: once all are done (a quiet tier), the books of each,
 * then each verified every byte and ended clean, and the tier is empty. */
static void finish(struct vmm_host *h, const unsigned int *id, unsigned int n)
{
	struct swap_tier_stats ts;

	for (unsigned int i = 0; i < n; i++)
		test_wait_guest(h, id[i], NULL);
	for (unsigned int i = 0; i < n; i++)
		assert_books(h, id[i]);
	for (unsigned int i = 0; i < n; i++)
		test_assert_clean(h, id[i]);
	/* Nothing left behind in the tier, and the pool's books hold. */
	swap_tier_get_stats(h->tier, &ts);
	ck_assert_uint_eq(ts.stored + ts.in_file, 0);
	validate(h);
}

static unsigned int phases(struct vmm_host *h, unsigned int id)
{
	struct vm_summary s;

	vm_get_summary(host_vm(h, id), &s);
	return s.exited ? ~0U : s.nr_phases;
}

/* A host with a store in front of a swap file in a directory of its
 * own, and its warnings in a file of the test's. */
struct tier_env {
	char dir[40], path[64];
	FILE *log;
	struct vmm_host *h;
};

/* The host of env: a pool, a store and a file of so many MiB. */
static struct vmm_host *tier_host(struct tier_env *env, unsigned int pool_mib,
				  unsigned int store_mib, unsigned int file_mib)
{
	struct vmm_config cfg = {
		.pool_bytes = (uint64_t)pool_mib << 20,
		.nr_nodes = 1,
		.compaction_off = true,
		.deflate_off = true,
		.swap_store_set = true,
		.swap_store_bytes = (uint64_t)store_mib << 20,
		.swap_file_bytes = (uint64_t)file_mib << 20,
		.swap_file_path = env->path,
	};

	setvbuf(stdout, NULL, _IOLBF, 0); /* what came before a failure */
	strcpy(env->dir, "/var/tmp/check_swap_stress.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(env->dir));
	snprintf(env->path, sizeof(env->path), "%s/swap", env->dir);
	env->h = test_host_cfg(&cfg);
	env->log = tmpfile();
	ck_assert_ptr_nonnull(env->log);
	host_set_output(env->h, NULL, NULL, env->log);
	return env->h;
}

static void tier_host_done(struct tier_env *env)
{
	test_host_done(env->h);
	fclose(env->log);
	unlink(env->path);
	rmdir(env->dir);
}

/* Lines of the warning log that contain what. */
static unsigned int said(FILE *log, const char *what)
{
	char line[512];
	unsigned int n = 0;

	fflush(log);
	rewind(log);
	while (fgets(line, sizeof(line), log)) {
		if (strstr(line, what))
			n++;
		fputs(line, stdout);
	}
	fseek(log, 0, SEEK_END);
	return n;
}

/* ------------------------------------------------ swap and compaction */

struct mover {
	struct vmm_host *h;
	unsigned int id[2];
	bool stop;
	unsigned long swapped, compacted, compact_calls, rounds;
};

/* Every other page of a 2 MiB window of the guest, the window moving
 * round it: swap-outs that leave holes in every pageblock. */
static unsigned int every_other(struct guest_mem *mem, unsigned long round,
				uint64_t *gpa)
{
	uint64_t base = (round * (2 * MiB)) % (40 * MiB);
	unsigned int n = 0;

	for (uint64_t g = base + (round & 1) * PAGE_SIZE;
	     g < base + (2 * MiB) && g < mem->cfg.size; g += 2 * PAGE_SIZE)
		gpa[n++] = g;
	return n;
}

static void *swap_loop(void *arg)
{
	struct mover *m = arg;
	uint64_t gpa[256];

	while (!__atomic_load_n(&m->stop, __ATOMIC_ACQUIRE)) {
		for (unsigned int i = 0; i < 2; i++) {
			struct guest_mem *mem = host_vm(m->h, m->id[i])->mem;
			unsigned int n = every_other(mem, m->rounds, gpa);
			long got = guest_mem_swap_out(mem, gpa, n);

			if (got > 0)
				m->swapped += got;
		}
		m->swapped += host_swap_reclaim(m->h, -1, 256);
		m->rounds++;
		usleep(3000);
	}
	return NULL;
}

static void *compact_loop(void *arg)
{
	struct mover *m = arg;
	struct host_compact_request rq = { .node = -1 };
	struct host_compact_result res;

	while (!__atomic_load_n(&m->stop, __ATOMIC_ACQUIRE)) {
		/* The control socket's compact now and then, else the
		 * node's direct compaction. */
		if (m->compact_calls++ % 8 == 7) {
			ck_assert_int_eq(host_compact(m->h, &rq, &res), 0);
			m->compacted += res.migrated;
		} else {
			long n = compact_node(m->h->pool, 0);

			ck_assert_int_ge(n, 0);
			m->compacted += n;
		}
		usleep(2000);
	}
	return NULL;
}

/*
 * Swap-outs, swap-ins and compaction of the same guests at once, for
 * the guests' 3 s of churn: every page they hold is swapped out, written
 * back, faulted back, migrated, in any order, and they lose none.
 */
START_TEST(test_swap_under_compaction)
{
	struct tier_env env;
	struct vmm_host *h = tier_host(&env, 192, 2, 160);
	struct mover m = { .h = h };
	struct compact_tunables t = h->pool->compact;
	struct swap_tier_stats ts;
	uint64_t migrated = 0, swap_in = 0, swap_out[2];
	unsigned long checks = 0;
	pthread_t swapper, compactor;

	m.id[0] = test_launch(h, "full", 64, 1, 1,
			      "touch 40M pattern=full; hold 300ms; "
			      "churn ws=40M rate=0 time=3s; verify",
			      0);
	m.id[1] = test_launch(h, "ratio", 64, 1, 1,
			      "touch 40M ratio=3; hold 300ms; "
			      "churn ws=40M rate=0 time=3s ratio=3; verify",
			      0);
	test_wait_phases(h, m.id[0], 1);
	test_wait_phases(h, m.id[1], 1);
	t.proactiveness = 100;
	t.interval_ms = 20;
	ck_assert_int_eq(compaction_set_tunables(h->pool, &t), 0);
	ck_assert_int_eq(kcompactd_run(h->pool), 0);
	ck_assert_int_eq(pthread_create(&swapper, NULL, swap_loop, &m), 0);
	ck_assert_int_eq(pthread_create(&compactor, NULL, compact_loop, &m), 0);
	/* Until both churns end (phase 3: touch, hold, churn). */
	while (phases(h, m.id[0]) < 3 || phases(h, m.id[1]) < 3) {
		validate(h);
		checks++;
		usleep(20000);
	}
	__atomic_store_n(&m.stop, true, __ATOMIC_RELEASE);
	pthread_join(swapper, NULL);
	pthread_join(compactor, NULL);
	kcompactd_stop(h->pool);
	validate(h);
	for (unsigned int i = 0; i < 2; i++) {
		struct guest_mem_stats st;

		guest_mem_get_stats(mem_of(h, m.id[i]), &st);
		migrated += st.migrated;
		swap_in += st.swap_in;
		swap_out[i] = st.swap_out;
	}
	swap_tier_get_stats(h->tier, &ts);
	printf("swap_stress: compaction: %lu swap rounds, %lu compactions; migrated %llu, swapped out %llu (full) and %llu (ratio=3), in %llu; %llu written back, %llu read from the file; %lu live checks\n",
	       m.rounds, m.compact_calls, (unsigned long long)migrated,
	       (unsigned long long)swap_out[0], (unsigned long long)swap_out[1],
	       (unsigned long long)swap_in, (unsigned long long)ts.zswpwb,
	       (unsigned long long)ts.pswpin, checks);
	ck_assert_uint_gt(migrated, 0);
	ck_assert_uint_gt(m.compacted, 0);
	ck_assert_uint_gt(swap_out[0], 0);
	ck_assert_uint_gt(swap_out[1], 0);
	ck_assert_uint_gt(swap_in, 0);
	ck_assert_uint_gt(ts.zswpwb, 0);
	ck_assert_uint_gt(ts.pswpin, 0);
	ck_assert_uint_gt(checks, 10);
	finish(h, m.id, 2);
	ck_assert_uint_eq(said(env.log, "swap file"), 0);
	tier_host_done(&env);
}
END_TEST

/* ------------------------------------------------ a full, a failing file */

/* Two guests whose pages the tier is to take (ratio=3 and pattern=full,
 * each in its hold once this returns) and one beside them, churning. */
static void launch_three(struct vmm_host *h, unsigned int *id)
{
	id[0] = test_launch(h, "ratio", 64, 1, 1,
			    "touch 40M ratio=3; hold 1500ms; verify", 0);
	id[1] = test_launch(h, "full", 64, 1, 1,
			    "touch 16M pattern=full; hold 1500ms; verify", 0);
	test_wait_phases(h, id[0], 1);
	test_wait_phases(h, id[1], 1);
	id[2] = test_launch(h, "beside", 64, 1, 1,
			    "touch 24M ratio=3; churn ws=24M rate=0 time=1s "
			    "ratio=3; verify",
			    0);
}

/* Rounds of reclaim asking the tier for more than it can take. */
static unsigned long press(struct vmm_host *h, unsigned int rounds)
{
	unsigned long freed = 0;

	for (unsigned int i = 0; i < rounds; i++)
		freed += host_swap_reclaim(h, -1, 4096);
	return freed;
}

/*
 * A 1 MiB store in front of a 4 MiB file (1023 slots): the guests'
 * pages fill both, and then the tier takes no more.  "Full" is said once
 * however often reclaim asks; what the tier took comes back, what it
 * did not stayed; the guest beside them, churning, is not touched.
 */
START_TEST(test_file_full)
{
	struct tier_env env;
	struct vmm_host *h = tier_host(&env, 256, 1, 4);
	unsigned int id[3];
	struct swap_tier_stats ts;
	struct guest_mem_stats sa, sb;
	unsigned long freed;

	launch_three(h, id);
	freed = press(h, 6);
	swap_tier_get_stats(h->tier, &ts);
	guest_mem_get_stats(mem_of(h, id[0]), &sa);
	guest_mem_get_stats(mem_of(h, id[1]), &sb);
	printf("swap_stress: full file: %lu pages out of %u asked; %llu in the file (%llu free of %llu), %llu stored; refused %llu (ratio=3), %llu (full)\n",
	       freed, 6 * 4096, (unsigned long long)ts.in_file,
	       (unsigned long long)ts.swap_free,
	       (unsigned long long)ts.swap_total, (unsigned long long)ts.stored,
	       (unsigned long long)sa.swap_refused,
	       (unsigned long long)sb.swap_refused);
	ck_assert_uint_gt(freed, 1000);
	/* Far less than asked: what the guests faulted back meanwhile made
	 * room again (more of it in a slowed build), nothing else did. */
	ck_assert_uint_lt(freed, 6 * 4096 / 2);
	ck_assert_uint_le(ts.in_file, ts.swap_total);
	ck_assert_uint_lt(ts.swap_free, 64);
	ck_assert_uint_gt(ts.in_file, 900);
	ck_assert_uint_gt(sa.swap_refused + sb.swap_refused, 0);
	ck_assert_uint_eq(said(env.log, "is full"), 1);
	validate(h);
	finish(h, id, 3);
	swap_tier_get_stats(h->tier, &ts);
	ck_assert_uint_eq(ts.swap_free, ts.swap_total);
	tier_host_done(&env);
}
END_TEST

/*
 * The same with pages that do not compress only: they go to the file as
 * they are, until it is full; then they stay in the guest, and the full
 * file is said once, as when writeback fills it.
 */
START_TEST(test_file_full_incompressible)
{
	struct tier_env env;
	struct vmm_host *h = tier_host(&env, 256, 1, 4);
	unsigned int id = test_launch(h, "full", 64, 1, 1,
				      "touch 16M pattern=full; hold 1500ms; "
				      "verify",
				      0);
	struct guest_mem_stats st;
	struct swap_tier_stats ts;
	unsigned long freed;

	test_wait_phases(h, id, 1);
	freed = press(h, 3);
	guest_mem_get_stats(mem_of(h, id), &st);
	printf("swap_stress: full file, incompressible pages: %lu out, %llu refused\n",
	       freed, (unsigned long long)st.swap_refused);
	swap_tier_get_stats(h->tier, &ts);
	ck_assert_uint_gt(freed, 900);
	ck_assert_uint_lt(freed, 4096); /* of 12288 asked */
	ck_assert_uint_lt(ts.swap_free, 64);
	ck_assert_uint_gt(st.swap_refused, 0);
	ck_assert_uint_eq(said(env.log, "is full"), 1);
	finish(h, &id, 1);
	tier_host_done(&env);
}
END_TEST

/*
 * Writes to the file fail as a failing device's do (EIO, injected into
 * the file's I/O under the tier), round after round: said once, the
 * pages whose write failed stay in the store (ratio=3) or in the guest
 * (pattern=full, which goes to the file uncompressed), each slot that
 * failed is bad, and every guest verifies everything.
 */
START_TEST(test_file_failing)
{
	struct tier_env env;
	struct vmm_host *h = tier_host(&env, 256, 1, 64);
	unsigned int id[3];
	struct swap_tier_stats ts;
	struct swap_file_stats fs;
	unsigned long freed = 0;

	launch_three(h, id);
	/* A write fails now and then: a round's 100th page write, until
	 * six have failed (a round may write less, in a slowed build:
	 * what the guests touched meanwhile decides). */
	for (unsigned int i = 0; i < 24; i++) {
		swap_file_get_stats(h->swap_file, &fs);
		if (fs.write_errors >= 6)
			break;
		swap_file_inject_error(h->swap_file, SWAP_FILE_WRITE, 100,
				       -EIO);
		freed += host_swap_reclaim(h, -1, 2048);
	}
	swap_file_inject_error(h->swap_file, SWAP_FILE_WRITE, -1, 0);
	swap_tier_get_stats(h->tier, &ts);
	swap_file_get_stats(h->swap_file, &fs);
	printf("swap_stress: failing file: %lu pages out, %llu written back, %llu failed, %lu bad slots, %llu in the file\n",
	       freed, (unsigned long long)ts.zswpwb,
	       (unsigned long long)ts.writeback_failed, fs.bad,
	       (unsigned long long)ts.in_file);
	ck_assert_uint_gt(freed, 4096);
	ck_assert_uint_ge(fs.write_errors, 6);
	ck_assert_uint_gt(ts.writeback_failed, 0); /* they stayed stored */
	ck_assert_uint_eq(fs.bad, fs.write_errors);
	ck_assert_uint_eq(said(env.log, "Input/output error"), 1);
	validate(h);
	finish(h, id, 3);
	tier_host_done(&env);
}
END_TEST

/* ------------------------------------------------------------ balloon */

/*
 * Three cycles: the guest touches 48 MiB and frees half (the host does
 * not know: the frames stay backed), the tier takes everything it can,
 * the balloon inflates over most of what the guest has free (among it
 * the swapped pages it freed: dropped unread) and deflates; the guest
 * verifies what it holds (swapped pages come back) and refills the
 * deflated pages (fresh ones: nothing of a dropped page comes back).
 */
START_TEST(test_balloon_cycles)
{
	struct tier_env env;
	struct vmm_host *h = tier_host(&env, 256, 2, 96);
	unsigned int id;
	struct guest_mem_stats st;
	uint64_t dropped = 0;
	const uint64_t inflate = 36 * MiB >> PAGE_SHIFT;

	id = test_launch(h, "cycles", 64, 1, 1,
			 "touch 48M pattern=full; free 24M; hold 3s; verify; "
			 "touch 24M pattern=full; free 24M; hold 3s; verify; "
			 "touch 24M pattern=full; free 24M; hold 3s; verify",
			 0);
	for (unsigned int cycle = 0; cycle < 3; cycle++) {
		unsigned long freed;

		/* Phases: touch, free, hold, verify per cycle. */
		test_wait_phases(h, id, 4 * cycle + 2);
		freed = host_swap_reclaim(h, -1, 16384);
		ck_assert_int_eq(frag_balloon_to(h, id, inflate, 2000), 0);
		ck_assert_int_eq(frag_balloon_to(h, id, 0, 2000), 0);
		guest_mem_get_stats(mem_of(h, id), &st);
		printf("swap_stress: balloon cycle %u: %lu pages swapped out, %llu dropped unread\n",
		       cycle, freed,
		       (unsigned long long)(st.swap_dropped - dropped));
		ck_assert_uint_gt(freed, 4096);
		ck_assert_uint_gt(st.swap_dropped, dropped);
		dropped = st.swap_dropped;
		ck_assert_uint_lt(phases(h, id), 4 * cycle + 3);
		assert_books(h, id);
	}
	test_wait_guest(h, id, NULL);
	guest_mem_get_stats(mem_of(h, id), &st);
	printf("swap_stress: balloon: %llu out, %llu in, %llu dropped unread\n",
	       (unsigned long long)st.swap_out, (unsigned long long)st.swap_in,
	       (unsigned long long)st.swap_dropped);
	ck_assert_uint_gt(st.swap_in, 0);
	ck_assert_uint_eq(st.swap_out,
			  st.swap_in + st.swap_dropped + st.swapped);
	finish(h, &id, 1);
	tier_host_done(&env);
}
END_TEST

/* ------------------------------------------------ read-ahead and regions */

/* A region of guest memory backed whole, with the page before it, from
 * gpa from on; 0 if none. */
static uint64_t backed_region(struct guest_mem *mem, uint64_t from)
{
	uint64_t r = 0;

	pthread_mutex_lock(&mem->lock);
	for (uint64_t g = from; !r && g < mem->cfg.size; g += 2 * MiB) {
		r = g;
		for (uint64_t p = g - PAGE_SIZE; r && p < g + 2 * MiB;
		     p += PAGE_SIZE)
			if (mem->gpa_map[p >> PAGE_SHIFT] == PFN_NONE)
				r = 0;
	}
	pthread_mutex_unlock(&mem->lock);
	return r;
}

/*
 * A swap-in's read-ahead over a 2 MiB boundary, then a fault in the next
 * region, which holds nothing else: that region is not empty (the page
 * read ahead is there), so the fault must not map a fresh 2 MiB block
 * over it.  In four regions, the page before each and its first page
 * are swapped out, the rest of it discarded as a balloon would; the VMM
 * then touches the page before (a read through its mapping faults as a
 * vCPU's does), then the middle of the region.  Every page keeps its
 * contents and the pool's books hold.  The guest is killed at the end,
 * not verified: the discards took its pages.
 */
START_TEST(test_readahead_across_regions)
{
	struct vmm_host *h = test_host(256, 1);
	unsigned int id = test_launch(h, "ahead", 64, 1, 1,
				      "touch 48M ratio=3; hold 30s", 0);
	static char before[2][PAGE_SIZE];
	struct guest_mem *mem;
	volatile char *hva;
	uint64_t r = 2 * MiB;

	test_wait_phases(h, id, 1);
	mem = mem_of(h, id);
	hva = (volatile char *)mem->hva;
	for (unsigned int n = 0; n < 4; n++) {
		uint64_t gpa[2];

		r = backed_region(mem, r + 2 * MiB);
		ck_assert_uint_ne(r, 0);
		gpa[0] = r - PAGE_SIZE;
		gpa[1] = r;
		for (unsigned int i = 0; i < 2; i++)
			memcpy(before[i], (const char *)mem->hva + gpa[i],
			       PAGE_SIZE);
		ck_assert_int_eq(guest_mem_swap_out(mem, gpa, 2), 2);
		ck_assert_int_eq(guest_mem_discard(mem, r + PAGE_SIZE,
						   2 * MiB - PAGE_SIZE),
				 pageblock_nr_pages - 1);
		(void)hva[gpa[0]];
		(void)hva[r + MiB];
		for (unsigned int i = 0; i < 2; i++)
			ck_assert_msg(!memcmp(before[i],
					      (const char *)mem->hva + gpa[i],
					      PAGE_SIZE),
				      "gpa 0x%llx changed",
				      (unsigned long long)gpa[i]);
		validate(h);
	}
	ck_assert_int_eq(host_guest_stop(h, id, VM_EXIT_KILLED, "test"), 0);
	test_wait_guest(h, id, NULL);
	host_reap(h, id);
	validate(h);
	test_host_done(h);
}
END_TEST

/* ------------------------------------------------- the invariant checker */

/* Expect host_validate() to fail with what in its message. */
static void expect_problem(struct vmm_host *h, const char *what)
{
	char err[256];

	ck_assert_int_eq(host_validate(h, err, sizeof(err)), -EUCLEAN);
	printf("swap_stress: invariant checker: %s\n", err);
	ck_assert_msg(strstr(err, what), "%s", err);
}

/*
 * host_validate() (the control socket's query-validate) accounts for
 * every swapped GPA: two swapped pages' entries exchanged, a swapped page
 * that is also backed, a count off by one are each found; put back, all
 * is well again.
 */
START_TEST(test_validator_sees_swapped)
{
	struct vmm_host *h = test_host(256, 1);
	unsigned int id = test_launch(h, "books", 64, 1, 1,
				      "touch 16M ratio=3; hold 1s; verify", 0);
	struct guest_mem *mem;
	uint64_t a = 0, b = 0, backed = 0;
	uint32_t ha;

	test_wait_phases(h, id, 1);
	mem = mem_of(h, id);
	ck_assert_uint_gt(host_swap_reclaim(h, -1, 2048), 1024);
	validate(h);
	pthread_mutex_lock(&mem->lock);
	for (uint64_t p = 0; p < mem->npages && !b; p++)
		if (mem->swap_map[p])
			*(a ? &b : &a) = p;
	while (mem->gpa_map[backed] == PFN_NONE)
		backed++;
	ck_assert_uint_ne(b, 0);
	ha = mem->swap_map[a];
	mem->swap_map[a] = mem->swap_map[b];
	mem->swap_map[b] = ha;
	pthread_mutex_unlock(&mem->lock);
	expect_problem(h, "swap entry");

	pthread_mutex_lock(&mem->lock);
	mem->swap_map[b] = mem->swap_map[a];
	mem->swap_map[a] = ha;
	mem->gpa_map[a] = mem->gpa_map[backed];
	pthread_mutex_unlock(&mem->lock);
	expect_problem(h, "is swapped");

	pthread_mutex_lock(&mem->lock);
	mem->gpa_map[a] = PFN_NONE;
	mem->stats.swapped++;
	pthread_mutex_unlock(&mem->lock);
	expect_problem(h, "counted");

	pthread_mutex_lock(&mem->lock);
	mem->stats.swapped--;
	pthread_mutex_unlock(&mem->lock);
	assert_books(h, id);
	test_assert_clean(h, id);
	test_host_done(h);
}
END_TEST

/* A case each, to run alone with CK_RUN_CASE. */
static void add_case(Suite *s, const char *name, const TTest *t)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, t);
	suite_add_tcase(s, tc);
}

Suite *swap_stress_kvm_suite(void)
{
	Suite *s = suite_create("swap_stress_kvm");

	add_case(s, "compaction", test_swap_under_compaction);
	add_case(s, "full", test_file_full);
	add_case(s, "full_incompressible", test_file_full_incompressible);
	add_case(s, "failing", test_file_failing);
	add_case(s, "balloon", test_balloon_cycles);
	add_case(s, "validator", test_validator_sees_swapped);
	add_case(s, "readahead", test_readahead_across_regions);
	return s;
}
