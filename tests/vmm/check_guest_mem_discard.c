// SPDX-License-Identifier: GPL-2.0
/*
 * guest_mem_discard() against a guest that keeps touching the pages it
 * gives back: no page of the guest range may ever be present in the host
 * where the GPA map says it is unbacked (that would be host memory
 * outside the pool), and the pool's accounting must balance.  A thread
 * plays the vCPU: it writes to the very page being discarded, as fast as
 * it can, so that any moment where the page is neither mapped nor
 * registered with the userfaultfd is found.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "tests/mm/mm_test.h"
#include "vmm/guest_mem/guest_mem.h"

#define OWNER 7
#define GUEST_MIB 8
#define RACE_NS 1000000000ULL /* how long to hammer, each test */

static struct guest_mem *validated_mem;

static bool rmap(void *priv, uint16_t owner, gpa_t g, pfn_t pfn)
{
	(void)priv;
	return owner == OWNER && guest_mem_maps(validated_mem, g.val, pfn);
}

static struct guest_mem *new_mem(struct mm_pool *pool, bool no_huge)
{
	struct guest_mem_config cfg = {
		.owner = OWNER,
		.size = GUEST_MIB << 20,
		.nr_nodes = 1,
		.node = { { 0, GUEST_MIB << 20 } },
		.pool = pool,
		.vm_fd = -1,
		.no_huge = no_huge,
	};
	struct mm_ops ops = { .rmap_check = rmap };
	struct guest_mem *mem;

	ck_assert_int_eq(guest_mem_create(&cfg, &mem), 0);
	validated_mem = mem;
	mm_set_ops(pool, &ops);
	return mem;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The present bit of each page of [hva, hva + n pages) (pagemap bit 63). */
static void read_present(const void *hva, uint64_t n, bool *present)
{
	uint64_t *e = malloc(n * sizeof(*e));
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	ck_assert_ptr_nonnull(e);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, e, n * sizeof(*e),
			       (uintptr_t)hva / PAGE_SIZE * sizeof(*e)),
			 (ssize_t)(n * sizeof(*e)));
	close(fd);
	for (uint64_t i = 0; i < n; i++)
		present[i] = e[i] >> 63;
	free(e);
}

/*
 * Pages of [first, first + n) that the host backs although the GPA map
 * says they are not.  Under mem->lock: the GPA map and the mappings
 * change together under it, and a touch of an unbacked page waits in the
 * userfault for the fault thread, which waits for the lock.
 */
static uint64_t stray_pages(struct guest_mem *mem, uint64_t first, uint64_t n)
{
	bool *present = malloc(n);
	uint64_t stray = 0;

	ck_assert_ptr_nonnull(present);
	pthread_mutex_lock(&mem->lock);
	read_present(mem->hva + first * PAGE_SIZE, n, present);
	for (uint64_t i = 0; i < n; i++)
		stray += present[i] && mem->gpa_map[first + i] == PFN_NONE;
	pthread_mutex_unlock(&mem->lock);
	free(present);
	return stray;
}

struct hammer {
	struct guest_mem *mem;
	uint64_t target; /* GPA page to write to */
	uint64_t writes;
	bool stop;
};

/* Run the calling thread on CPU cpu (of 2 or more): the writer and the
 * discarding thread must run at the same time for the test to mean
 * anything, which a loaded scheduler does not promise otherwise. */
static void pin_to(int cpu)
{
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* The vCPU: write to the target page, without a pause. */
static void *hammer_fn(void *arg)
{
	struct hammer *h = arg;

	pin_to(1);
	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
		uint64_t t = __atomic_load_n(&h->target, __ATOMIC_ACQUIRE);
		volatile uint64_t *p =
			(volatile uint64_t *)(h->mem->hva + t * PAGE_SIZE);

		*p = t;
		__atomic_add_fetch(&h->writes, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* The pool and the guest agree: what the GPA map holds is what the
 * pool lent, and every lent frame is accounted. */
static void check_accounting(struct mm_pool *pool, struct guest_mem *mem)
{
	struct guest_mem_stats st;
	uint64_t backed = 0;

	pthread_mutex_lock(&mem->lock);
	for (uint64_t i = 0; i < mem->npages; i++)
		backed += mem->gpa_map[i] != PFN_NONE;
	pthread_mutex_unlock(&mem->lock);
	guest_mem_get_stats(mem, &st);
	ck_assert_uint_eq(st.pages, backed);
	ck_assert_uint_eq(mem->pages_node[0], backed);
	drain_all_pages(pool);
	ck_assert_uint_eq(mm_nr_free_pages(pool) + backed, pool->nr_frames);
	ck_validate(pool);
}

/*
 * Discard the page the guest is writing to, again and again, each a run
 * of its own, and look after each discard for a page present in the host
 * but unbacked in the GPA map.  The target walks over 64 pages spread
 * over the guest so that runs of every shape (a huge map split, a
 * fault-around window) are discarded.
 */
static void race_discard(bool no_huge)
{
	struct mm_pool *pool = test_pool(64, 1, 0);
	struct guest_mem *mem = new_mem(pool, no_huge);
	struct hammer h = { .mem = mem };
	uint64_t t0, t1, rounds = 0, leaks = 0, discarded = 0, seen;
	pthread_t t;

	ck_assert_int_eq(guest_mem_back(mem, 0, GUEST_MIB << 20), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, hammer_fn, &h), 0);
	pin_to(0);
	t0 = now_ns();
	while (now_ns() - t0 < RACE_NS) {
		uint64_t page =
			(rounds * 37) % 64 * (mem->npages / 64) + rounds % 7;
		long freed;

		__atomic_store_n(&h.target, page, __ATOMIC_RELEASE);
		/* Let the writer get onto it (it may be refaulting): spin,
		 * so that it is running when the discard starts, but not
		 * for long (2 CPUs: the fault thread must run too). */
		seen = __atomic_load_n(&h.writes, __ATOMIC_ACQUIRE);
		t1 = now_ns();
		while (__atomic_load_n(&h.writes, __ATOMIC_ACQUIRE) <
			       seen + 2 &&
		       now_ns() - t0 < RACE_NS)
			if (now_ns() - t1 > 100000)
				sched_yield();
		freed = guest_mem_discard(mem, page * PAGE_SIZE, PAGE_SIZE);
		ck_assert_int_ge(freed, 0);
		discarded += freed;
		/* Given back, yet the host backs it: memory the pool does
		 * not account, and for the guest a page that is not its
		 * frame. */
		if (freed)
			leaks += stray_pages(mem, page, 1);
		rounds++;
	}
	__atomic_store_n(&h.stop, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	ck_assert_msg(
		!leaks,
		"%lu of %lu pages discarded were present in the host afterwards (%lu rounds in %.2f s)",
		(unsigned long)leaks, (unsigned long)discarded,
		(unsigned long)rounds, (now_ns() - t0) / 1e9);
	ck_assert_uint_eq(stray_pages(mem, 0, mem->npages), 0);
	ck_assert_msg(discarded > 100, "only %lu pages discarded, %lu rounds",
		      (unsigned long)discarded, (unsigned long)rounds);
	check_accounting(pool, mem);
	guest_mem_destroy(mem);
	drain_all_pages(pool);
	ck_assert_uint_eq(mm_nr_free_pages(pool), pool->nr_frames);
	mm_pool_destroy(pool);
}

START_TEST(test_discard_while_touched)
{
	race_discard(false);
}
END_TEST

START_TEST(test_discard_while_touched_order0)
{
	race_discard(true);
}
END_TEST

/*
 * A VM killed after a discard: a host thread that still touches its memory
 * (the VM's devices, say) moves on with a page of the host's, both where
 * the placeholder is the pool mapping of a discard and where it is the
 * anonymous one, and nothing of it reaches the pool: not a frame, not the
 * pool file behind the old frames.
 */
START_TEST(test_dead_touch)
{
	struct mm_pool *pool = test_pool(16, 1, 0);
	struct guest_mem *mem = new_mem(pool, false);
	volatile uint64_t *discarded, *reaped, *never;
	pfn_t old;

	discarded = guest_mem_hva_of(mem, 5 * PAGE_SIZE, 8);
	reaped = guest_mem_hva_of(mem, 9 * PAGE_SIZE, 8);
	never = guest_mem_hva_of(mem, 4 << 20, 8);
	*discarded = 0x1111;
	*reaped = 0x2222;
	old = READ_ONCE(mem->gpa_map[5]);
	ck_assert_uint_ne(old, PFN_NONE);
	ck_assert_int_eq(guest_mem_discard(mem, 5 * PAGE_SIZE, PAGE_SIZE), 1);
	guest_mem_reap(mem);
	drain_all_pages(pool);
	ck_assert_uint_eq(mm_nr_free_pages(pool), pool->nr_frames);
	ck_assert_uint_eq(*discarded, 0);
	ck_assert_uint_eq(*reaped, 0);
	ck_assert_uint_eq(*never, 0);
	*discarded = 0x3333;
	*reaped = 0x4444;
	*never = 0x5555;
	ck_assert_uint_eq(*(uint64_t *)pfn_to_virt(pool, old), 0x1111);
	ck_assert_uint_eq(*(uint64_t *)pfn_to_virt(pool, old + 4), 0x2222);
	drain_all_pages(pool);
	ck_assert_uint_eq(mm_nr_free_pages(pool), pool->nr_frames);
	ck_validate(pool);
	guest_mem_destroy(mem);
	mm_pool_destroy(pool);
}
END_TEST

Suite *guest_mem_discard_suite(void)
{
	Suite *s = suite_create("guest_mem_discard");
	TCase *tc = tcase_create("race");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_discard_while_touched);
	tcase_add_test(tc, test_discard_while_touched_order0);
	tcase_add_test(tc, test_dead_touch);
	suite_add_tcase(s, tc);
	return s;
}
