// SPDX-License-Identifier: GPL-2.0
/*
 * swap/swap_map.c: slots handed out in clusters (each stream's pages
 * together, in file order), counts, the cache bit, bad slots, a full
 * file, clusters back on their lists, the odd last cluster, and threads
 * allocating and freeing at once without a slot handed out twice.
 */
#include <pthread.h>
#include <stdio.h>

#include "swap/swap_map.h"
#include "tests/swap/swap_test.h"

#define ck_swap_validate(m)                                              \
	do {                                                             \
		char _err[256];                                          \
		int _ret = swap_map_validate(m, _err, sizeof(_err));     \
		ck_assert_msg(_ret == 0, "swap_map_validate: %s", _err); \
	} while (0)

static struct swap_map *make(unsigned long slots, unsigned int streams)
{
	struct swap_map *m;

	ck_assert_int_eq(swap_map_create(slots, streams, &m), 0);
	ck_swap_validate(m);
	return m;
}

START_TEST(test_create)
{
	struct swap_map *m;
	struct swap_map_stats st;

	ck_assert_int_eq(swap_map_create(1, 1, &m), -EINVAL);
	ck_assert_int_eq(swap_map_create(1024, 0, &m), -EINVAL);
	ck_assert_int_eq(swap_map_create(1024, 65, &m), -EINVAL);
	m = make(4 * SWAPFILE_CLUSTER, 2);
	swap_map_get_stats(m, &st);
	ck_assert_uint_eq(st.total, 4 * SWAPFILE_CLUSTER - 1); /* header */
	ck_assert_uint_eq(st.free, st.total);
	ck_assert_uint_eq(st.free_clusters, 3);
	ck_assert_uint_eq(st.nonfull_clusters, 1); /* the header's */
	ck_assert_int_eq(swap_count(m, 0), -EINVAL);
	ck_assert_int_eq(swap_count(m, 4 * SWAPFILE_CLUSTER), -EINVAL);
	ck_assert_int_eq(swap_count(m, 1), 0);
	swap_map_destroy(m);
}
END_TEST

/* Each stream fills a cluster of its own, in order, however the calls
 * interleave: what one evicts together sits together. */
START_TEST(test_streams)
{
	struct swap_map *m = make(8 * SWAPFILE_CLUSTER, 2);
	unsigned long a[600], b[600], last_a = 0, last_b = 0;
	unsigned int na = 0, nb = 0;

	while (na < 600) {
		int got = swap_alloc(m, 0, 10, a + na);

		ck_assert_int_eq(got, 10);
		na += got;
		ck_assert_int_eq(swap_alloc(m, 1, 10, b + nb), 10);
		nb += 10;
	}
	for (unsigned int i = 0; i < 600; i++) {
		ck_assert_int_eq(swap_count(m, a[i]), 1);
		ck_assert_int_eq(swap_count(m, b[i]), 1);
		if (i) {
			ck_assert_uint_gt(a[i], last_a);
			ck_assert_uint_gt(b[i], last_b);
		}
		/* Never in the other stream's clusters. */
		for (unsigned int j = 0; j < 600; j += 50)
			ck_assert_uint_ne(a[i] / SWAPFILE_CLUSTER,
					  b[j] / SWAPFILE_CLUSTER);
		last_a = a[i];
		last_b = b[i];
	}
	/* Each began at the start of a free cluster (free ones come
	 * before the header's, which has a hole), and went on in order. */
	ck_assert_uint_eq(a[1], a[0] + 1);
	ck_assert_uint_eq(a[0] % SWAPFILE_CLUSTER, 0);
	ck_assert_uint_eq(b[0] % SWAPFILE_CLUSTER, 0);
	ck_swap_validate(m);
	swap_map_destroy(m);
}
END_TEST

/* A file filled to the last slot: -ENOSPC, a freed slot comes back. */
START_TEST(test_full)
{
	unsigned long slots = 3 * SWAPFILE_CLUSTER;
	struct swap_map *m = make(slots, 2);
	unsigned long *off = malloc(slots * sizeof(*off)), one;
	struct swap_map_stats st;
	unsigned long n = 0;
	int got;

	while ((got = swap_alloc(m, n % 2, 100, off + n)) > 0)
		n += got;
	ck_assert_int_eq(got, -ENOSPC);
	ck_assert_uint_eq(n, slots - 1);
	swap_map_get_stats(m, &st);
	ck_assert_uint_eq(st.free, 0);
	ck_swap_validate(m);
	ck_assert_int_eq(swap_free(m, off[700]), 0);
	ck_assert_int_eq(swap_alloc(m, 0, 4, &one), 1);
	ck_assert_uint_eq(one, off[700]);
	ck_assert_int_eq(swap_alloc(m, 1, 1, &one), -ENOSPC);
	for (unsigned long i = 0; i < n; i++)
		ck_assert_int_eq(swap_free(m, off[i]), 0);
	swap_map_get_stats(m, &st);
	ck_assert_uint_eq(st.free, slots - 1);
	ck_swap_validate(m);
	free(off);
	swap_map_destroy(m);
}
END_TEST

START_TEST(test_counts)
{
	struct swap_map *m = make(2 * SWAPFILE_CLUSTER, 1);
	unsigned long off;

	ck_assert_int_eq(swap_alloc(m, 0, 1, &off), 1);
	ck_assert_int_eq(swap_alloc(m, 1, 1, &off), -EINVAL);
	ck_assert_int_eq(swap_alloc(m, 0, 0, &off), -EINVAL);
	for (int n = 2; n <= SWAP_MAP_MAX; n++) {
		ck_assert_int_eq(swap_duplicate(m, off), 0);
		ck_assert_int_eq(swap_count(m, off), n);
	}
	ck_assert_int_eq(swap_duplicate(m, off), -EOVERFLOW);
	for (int n = SWAP_MAP_MAX - 1; n >= 0; n--)
		ck_assert_int_eq(swap_free(m, off), n);
	ck_assert_int_eq(swap_free(m, off), -ENOENT); /* a double free */
	ck_assert_int_eq(swap_duplicate(m, off), -ENOENT);
	ck_assert_int_eq(swap_free(m, 0), -EINVAL);
	ck_assert_int_eq(swap_free(m, 2 * SWAPFILE_CLUSTER), -EINVAL);
	ck_swap_validate(m);
	swap_map_destroy(m);
}
END_TEST

/* The cache bit: I/O in flight keeps a slot that nothing references. */
START_TEST(test_cache)
{
	struct swap_map *m = make(2 * SWAPFILE_CLUSTER, 1);
	struct swap_map_stats st;
	unsigned long off, again;

	ck_assert_int_eq(swap_alloc(m, 0, 1, &off), 1);
	ck_assert_int_eq(swapcache_prepare(m, off), 0);
	ck_assert_int_eq(swapcache_prepare(m, off), -EEXIST);
	ck_assert_int_eq(swap_free(m, off), 0);
	ck_assert_int_eq(swap_count(m, off), 0);
	ck_assert_int_eq(swapcache_prepare(m, off), -EEXIST);
	ck_assert_int_eq(swap_duplicate(m, off), -ENOENT);
	swap_map_get_stats(m, &st);
	ck_assert_uint_eq(st.free, st.total - 1); /* still held */
	ck_assert_int_eq(swapcache_clear(m, off), 0);
	ck_assert_int_eq(swapcache_clear(m, off), -ENOENT);
	swap_map_get_stats(m, &st);
	ck_assert_uint_eq(st.free, st.total);
	ck_assert_int_eq(swapcache_prepare(m, off), -ENOENT);
	/* Cleared with a reference left: the slot stays in use. */
	ck_assert_int_eq(swap_alloc(m, 0, 1, &again), 1);
	ck_assert_int_eq(swapcache_prepare(m, again), 0);
	ck_assert_int_eq(swapcache_clear(m, again), 0);
	ck_assert_int_eq(swap_count(m, again), 1);
	ck_assert_int_eq(swap_free(m, again), 0);
	ck_swap_validate(m);
	swap_map_destroy(m);
}
END_TEST

/* A bad slot is never handed out again and leaves SwapTotal. */
START_TEST(test_bad)
{
	struct swap_map *m = make(SWAPFILE_CLUSTER, 1);
	unsigned long off[SWAPFILE_CLUSTER];
	struct swap_map_stats st;
	int n;

	ck_assert_int_eq(swap_alloc(m, 0, 3, off), 3);
	ck_assert_int_eq(swap_mark_bad(m, off[1]), 0);
	ck_assert_int_eq(swap_count(m, off[1]), SWAP_MAP_BAD);
	ck_assert_int_eq(swap_mark_bad(m, off[1]), -ENOENT);
	ck_assert_int_eq(swap_free(m, off[1]), -ENOENT);
	ck_assert_int_eq(swap_duplicate(m, off[2]), 0);
	ck_assert_int_eq(swap_mark_bad(m, off[2]), -EBUSY);
	swap_map_get_stats(m, &st);
	ck_assert_uint_eq(st.bad, 1);
	ck_assert_uint_eq(st.total, SWAPFILE_CLUSTER - 2);
	ck_assert_int_eq(swap_free(m, off[0]), 0);
	ck_assert_int_eq(swap_free(m, off[2]), 1);
	ck_assert_int_eq(swap_free(m, off[2]), 0);
	n = swap_alloc(m, 0, SWAPFILE_CLUSTER, off);
	ck_assert_int_eq(n, SWAPFILE_CLUSTER - 2);
	for (int i = 0; i < n; i++)
		ck_assert_uint_ne(off[i], 2); /* the bad one */
	ck_swap_validate(m);
	swap_map_destroy(m);
}
END_TEST

/* A cluster whose slots all come back is free again, at the list's
 * tail; the last cluster's slots past the file never exist. */
START_TEST(test_clusters)
{
	unsigned long slots = 2 * SWAPFILE_CLUSTER + 100;
	struct swap_map *m = make(slots, 1);
	unsigned long *off = malloc(slots * sizeof(*off));
	struct swap_map_stats st;
	int n;

	swap_map_get_stats(m, &st);
	ck_assert_uint_eq(st.total, slots - 1);
	ck_assert_uint_eq(st.free_clusters, 1);
	ck_assert_uint_eq(st.nonfull_clusters, 2);
	n = swap_alloc(m, 0, slots, off);
	ck_assert_int_eq(n, slots - 1);
	for (int i = 0; i < n; i++)
		ck_assert_uint_lt(off[i], slots);
	/* Cluster 1 all back: a free cluster. */
	for (int i = 0; i < n; i++)
		if (off[i] / SWAPFILE_CLUSTER == 1)
			ck_assert_int_eq(swap_free(m, off[i]), 0);
	swap_map_get_stats(m, &st);
	ck_assert_uint_eq(st.free_clusters, 1);
	ck_assert_uint_eq(st.nonfull_clusters, 0);
	ck_swap_validate(m);
	/* Half of cluster 0 back: nonfull. */
	for (int i = 0; i < n; i += 2)
		if (off[i] / SWAPFILE_CLUSTER == 0)
			ck_assert_int_eq(swap_free(m, off[i]), 0);
	swap_map_get_stats(m, &st);
	ck_assert_uint_eq(st.nonfull_clusters, 1);
	/* The free cluster is taken before the one with holes. */
	ck_assert_int_eq(swap_alloc(m, 0, 1, off), 1);
	ck_assert_uint_eq(off[0], SWAPFILE_CLUSTER);
	ck_swap_validate(m);
	free(off);
	swap_map_destroy(m);
}
END_TEST

/* Threads, a stream each: no slot is handed out twice, none is lost. */
struct worker {
	struct swap_map *m;
	unsigned int id;
	uint8_t *owner; /* by slot: 1 + the thread that holds it */
	unsigned long full;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	enum { HELD = 1024 };
	unsigned long held[HELD];
	unsigned int nheld = 0;
	uint64_t rng = 77 + w->id;

	for (unsigned int round = 0; round < 3000; round++) {
		unsigned long got[16];
		int n;

		if (nheld + 16 <= HELD && test_rand(&rng) % 2) {
			n = swap_alloc(w->m, w->id, 1 + test_rand(&rng) % 16,
				       got);
			if (n == -ENOSPC) {
				w->full++;
				continue;
			}
			ck_assert_int_gt(n, 0);
			for (int i = 0; i < n; i++) {
				uint8_t none = 0;

				ck_assert_msg(__atomic_compare_exchange_n(
						      &w->owner[got[i]], &none,
						      w->id + 1, false,
						      __ATOMIC_RELAXED,
						      __ATOMIC_RELAXED),
					      "slot %lu handed out twice",
					      got[i]);
				held[nheld++] = got[i];
			}
		} else if (nheld) {
			unsigned int k = test_rand(&rng) % nheld;

			__atomic_store_n(&w->owner[held[k]], 0,
					 __ATOMIC_RELAXED);
			ck_assert_int_eq(swap_free(w->m, held[k]), 0);
			held[k] = held[--nheld];
		}
	}
	for (unsigned int i = 0; i < nheld; i++) {
		__atomic_store_n(&w->owner[held[i]], 0, __ATOMIC_RELAXED);
		ck_assert_int_eq(swap_free(w->m, held[i]), 0);
	}
	return NULL;
}

START_TEST(test_threads)
{
	enum { T = 4 };
	/* Fewer than one thread alone wants, and in two clusters for four
	 * streams: full files, and slots taken from others' clusters. */
	unsigned long slots = SWAPFILE_CLUSTER + 112;
	struct swap_map *m = make(slots, T);
	uint8_t *owner = calloc(slots, 1);
	struct worker w[T];
	pthread_t t[T];
	struct swap_map_stats st;
	unsigned long full = 0;

	for (unsigned int i = 0; i < T; i++) {
		w[i] = (struct worker){ m, i, owner, 0 };
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker, &w[i]), 0);
	}
	for (unsigned int i = 0; i < T; i++) {
		pthread_join(t[i], NULL);
		full += w[i].full;
	}
	printf("swap_map: %u threads, %lu allocations found the file full\n", T,
	       full);
	ck_assert_uint_gt(full, 0);
	swap_map_get_stats(m, &st);
	ck_assert_uint_eq(st.free, slots - 1);
	ck_swap_validate(m);
	free(owner);
	swap_map_destroy(m);
}
END_TEST

/* With discards on, an emptied cluster is held back until its owner has
 * discarded it: no stream writes into blocks being punched.  The
 * header's cluster never empties. */
START_TEST(test_discard)
{
	struct swap_map *m = make(3 * SWAPFILE_CLUSTER, 1);
	unsigned long a[SWAPFILE_CLUSTER], b[2 * SWAPFILE_CLUSTER];
	struct swap_map_stats st;
	unsigned int n = SWAPFILE_CLUSTER - 1;

	swap_map_set_discard(m);
	ck_assert_int_eq(swap_alloc(m, 0, SWAPFILE_CLUSTER, a),
			 SWAPFILE_CLUSTER); /* cluster 1, the first free */
	ck_assert_uint_eq(a[0], SWAPFILE_CLUSTER);
	ck_assert_int_eq(swap_alloc(m, 0, 8, b), 8); /* cluster 2 */
	ck_assert_int_eq(swap_alloc(m, 0, SWAPFILE_CLUSTER, b + 8),
			 SWAPFILE_CLUSTER); /* the rest of 2, then 0 */
	for (unsigned int i = 0; i < SWAPFILE_CLUSTER + 8; i++)
		if (b[i] < SWAPFILE_CLUSTER)
			ck_assert_int_eq(swap_free(m, b[i]), 0);
	ck_assert_int_eq(swap_discard_take(m), -1); /* the header's */
	for (unsigned int i = 0; i < SWAPFILE_CLUSTER; i++)
		ck_assert_int_eq(swap_free(m, a[i]), 0);
	swap_map_get_stats(m, &st);
	ck_assert_uint_eq(st.discard_clusters, 1);
	ck_assert_uint_eq(st.free_clusters, 0);
	ck_swap_validate(m);
	/* Waiting, and while discarded: not handed out. */
	ck_assert_int_eq(swap_alloc(m, 0, 2 * SWAPFILE_CLUSTER, b), (int)n);
	ck_assert_int_eq(swap_alloc(m, 0, 1, a), -ENOSPC);
	ck_assert_int_eq(swap_discard_take(m), 1);
	ck_assert_int_eq(swap_discard_take(m), -1);
	ck_swap_validate(m);
	ck_assert_int_eq(swap_alloc(m, 0, 1, a), -ENOSPC);
	swap_discard_done(m, 1);
	swap_map_get_stats(m, &st);
	ck_assert_uint_eq(st.discard_clusters, 0);
	ck_assert_uint_eq(st.free_clusters, 1);
	ck_swap_validate(m);
	ck_assert_int_eq(swap_alloc(m, 0, 1, a), 1);
	ck_assert_uint_eq(a[0], SWAPFILE_CLUSTER);
	swap_map_destroy(m);
}
END_TEST

Suite *swap_map_suite(void)
{
	Suite *s = suite_create("swap_map");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_create);
	tcase_add_test(tc, test_streams);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_counts);
	tcase_add_test(tc, test_cache);
	tcase_add_test(tc, test_bad);
	tcase_add_test(tc, test_clusters);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_discard);
	suite_add_tcase(s, tc);
	return s;
}
