// SPDX-License-Identifier: GPL-2.0
/*
 * The pool: one memfd mapped once, cut into nodes and zones, and the
 * bookkeeping of what the host really holds for it.
 *
 * Releasing a 4 KiB piece of a host hugepage gives nothing back (the shmem
 * THP is split, Shmem does not drop), so memory goes back to the host one
 * whole free 2 MiB pageblock at a time (fallocate PUNCH_HOLE).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "mm/internal.h"

#define SHMEM_THP "/sys/kernel/mm/transparent_hugepage/shmem_enabled"
#define POOL_MIN_BYTES (MAX_ORDER_NR_PAGES * PAGE_SIZE)

/* The bracketed word of a sysfs choice file: "always [advise] never". */
static int read_sysfs_choice(const char *path, char *buf, size_t len)
{
	char line[256], *a, *b;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	a = strchr(line, '[');
	b = a ? strchr(a, ']') : NULL;
	if (!a || !b)
		return -EINVAL;
	*b = 0;
	snprintf(buf, len, "%s", a + 1);
	return 0;
}

/*
 * The pool wants host hugepages: shmem THP must not be "never" (or
 * "deny").  Switch it to "advise" when we can, and say so: it is a host
 * setting, and it stays after we exit.
 */
static bool enable_shmem_thp(struct mm_pool *pool)
{
	char mode[32];
	FILE *f;

	if (read_sysfs_choice(SHMEM_THP, mode, sizeof(mode)))
		goto unavailable;
	if (strcmp(mode, "never") && strcmp(mode, "deny"))
		return true;
	f = fopen(SHMEM_THP, "we");
	if (!f)
		goto unavailable;
	/* The write happens at fclose(), which closes the file either
	 * way: never a second fclose(). */
	if (fputs("advise", f) < 0) {
		fclose(f);
		goto unavailable;
	}
	if (fclose(f))
		goto unavailable;
	pr_info(pool,
		"set %s to \"advise\" (was \"%s\") so the pool can use host hugepages",
		SHMEM_THP, mode);
	return true;
unavailable:
	pr_info(pool,
		"host hugepages unavailable (%s): the pool carries on with 4 KiB pages",
		SHMEM_THP);
	return false;
}

static int host_nr_nodes(void)
{
	char buf[64];
	int lo, hi, n;
	FILE *f = fopen("/sys/devices/system/node/online", "re");

	if (!f)
		return 1;
	n = fgets(buf, sizeof(buf), f) ? sscanf(buf, "%d-%d", &lo, &hi) : 0;
	fclose(f);
	return n == 2 ? hi - lo + 1 : 1;
}

/* Bind each pool node to a host node when the host has several. */
static void bind_nodes(struct mm_pool *pool)
{
	int host_nodes = host_nr_nodes();

	if (host_nodes < 2)
		return;
	for (unsigned int nid = 0; nid < pool->nr_nodes; nid++) {
		pg_data_t *pgdat = &pool->node_data[nid];
		unsigned long mask = 1UL << (nid % host_nodes);
		long ret = syscall(SYS_mbind,
				   pfn_to_virt(pool, pgdat->node_start_pfn),
				   pgdat->node_spanned_pages << PAGE_SHIFT,
				   2 /* MPOL_BIND */, &mask, host_nodes + 1, 0);

		if (ret)
			pr_warn(pool, "mbind of node %u to host node %d: %s",
				nid, nid % host_nodes, strerror(errno));
		else
			pgdat->host_node = nid % host_nodes;
	}
}

/*
 * Shmem hugepages the host has allocated, system-wide (/proc/meminfo).
 * Mapping-based counts (smaps ShmemPmdMapped) count a hugepage once per
 * VMA that maps it with a PMD, which overstates it once guest mappings
 * are split by ballooning; the allocation count does not.
 */
static uint64_t shmem_hugepages_kb(void)
{
	char line[256];
	unsigned long kb = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "ShmemHugePages: %lu", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static int pool_map(struct mm_pool *pool, const struct mm_config *cfg,
		    char *err, size_t errlen)
{
	char name[32];

	/* A name per pool, so smaps tells its mappings from another's. */
	snprintf(name, sizeof(name), "vmm-pool-%llu",
		 (unsigned long long)pool->generation);
	pool->memfd = memfd_create(name, MFD_CLOEXEC);
	if (pool->memfd < 0)
		return errf(err, errlen, -errno, "memfd_create: %s",
			    strerror(errno));
	if (ftruncate(pool->memfd, pool->size))
		return errf(err, errlen, -errno,
			    "sizing the pool memfd to %" PRIu64 " bytes: %s",
			    pool->size, strerror(errno));
	if (cfg->hugepages)
		pool->hugepages = enable_shmem_thp(pool);
	pool->shmem_huge_base = shmem_hugepages_kb() << 10;
	pool->base = mmap(NULL, pool->size, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_NORESERVE, pool->memfd, 0);
	if (pool->base == MAP_FAILED) {
		pool->base = NULL;
		return errf(err, errlen, -errno, "mapping the pool: %s",
			    strerror(errno));
	}
	if (pool->hugepages && madvise(pool->base, pool->size, MADV_HUGEPAGE))
		pr_warn(pool, "MADV_HUGEPAGE on the pool: %s", strerror(errno));
	return 0;
}

int mm_pool_create(const struct mm_config *cfg, struct mm_pool **out, char *err,
		   size_t errlen)
{
	struct mm_pool *pool;
	struct sysinfo si;
	uint64_t unit;
	int ret;

	*out = NULL;
	if (cfg->nr_nodes < 1 || cfg->nr_nodes > MAX_NUMNODES)
		return errf(err, errlen, -EINVAL,
			    "%u nodes: the pool has 1 to %d nodes",
			    cfg->nr_nodes, MAX_NUMNODES);
	unit = (uint64_t)cfg->nr_nodes * POOL_MIN_BYTES;
	if (cfg->pool_bytes < unit)
		return errf(
			err, errlen, -EINVAL,
			"a pool of %" PRIu64
			" bytes is too small: %u node(s) need at least %" PRIu64
			" bytes",
			cfg->pool_bytes, cfg->nr_nodes, unit);
	if (cfg->pool_bytes / PAGE_SIZE >= PFN_NONE)
		return errf(err, errlen, -EINVAL,
			    "a pool of %" PRIu64
			    " bytes has too many frames for 32-bit pfns",
			    cfg->pool_bytes);
	if (!sysinfo(&si) &&
	    cfg->pool_bytes > (uint64_t)si.totalram * si.mem_unit)
		return errf(err, errlen, -ENOMEM,
			    "a pool of %" PRIu64
			    " MiB is more than the host's %" PRIu64
			    " MiB of RAM",
			    cfg->pool_bytes >> 20,
			    ((uint64_t)si.totalram * si.mem_unit) >> 20);

	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return errf(err, errlen, -ENOMEM, "no memory for the pool");
	pool->memfd = -1;
	pool->quiet = cfg->quiet;
	/* Whole MAX_ORDER blocks per node: zones must align to them. */
	pool->size = cfg->pool_bytes / unit * unit;
	pool->nr_frames = pool->size >> PAGE_SHIFT;
	pool->watermark_scale_factor =
		cfg->watermark_scale_factor ? cfg->watermark_scale_factor : 10;
	pool->lowmem_reserve_ratio =
		cfg->lowmem_reserve_ratio ? cfg->lowmem_reserve_ratio : 32;
	pool->min_free_kbytes =
		cfg->min_free_kbytes ?
			cfg->min_free_kbytes :
			calculate_min_free_kbytes(pool->size >> 10);
	pool->min_free_kbytes_set = cfg->min_free_kbytes != 0;
	pool->pcp_batch = cfg->pcp_batch;
	pool->pcp_high = cfg->pcp_high;
	pool->no_pcp = cfg->no_pcp;
	pthread_mutex_init(&pool->oom_lock, NULL);
	pthread_mutex_init(&pool->hotplug_lock, NULL);
	pthread_mutex_init(&pool->fail.lock, NULL);
	pcp_pool_init(pool);

	ret = pcp_key_create(pool);
	if (ret) {
		errf(err, errlen, ret, "pthread_key_create: %s",
		     strerror(-ret));
		goto err_pcp;
	}
	ret = trace_ring_init(&pool->trace,
			      cfg->trace_events ? cfg->trace_events : 65536);
	if (ret) {
		errf(err, errlen, ret, "no memory for the trace ring");
		goto err_key;
	}
	pool->frames = calloc(pool->nr_frames, sizeof(*pool->frames));
	if (!pool->frames) {
		ret = errf(err, errlen, -ENOMEM,
			   "no memory for %lu frame descriptors",
			   pool->nr_frames);
		goto err_trace;
	}
	ret = pool_map(pool, cfg, err, errlen);
	if (ret)
		goto err_map;
	ret = build_nodes(pool, cfg, err, errlen);
	if (ret)
		goto err_map;
	bind_nodes(pool);
	setup_per_zone_wmarks(pool);
	compaction_pool_init(pool);
	*out = pool;
	return 0;

err_map:
	if (pool->base)
		munmap(pool->base, pool->size);
	if (pool->memfd >= 0)
		close(pool->memfd);
	free(pool->frames);
err_trace:
	trace_ring_destroy(&pool->trace);
err_key:
	pthread_key_delete(pool->pcp_key);
err_pcp:
	pthread_mutex_destroy(&pool->pcp_list_lock);
	free(pool);
	return ret;
}

void mm_pool_destroy(struct mm_pool *pool)
{
	if (!pool)
		return;
	/* kcompactd first: it allocates and frees through the rest. */
	compaction_pool_destroy(pool);
	pcp_pool_destroy(pool);
	destroy_nodes(pool);
	munmap(pool->base, pool->size);
	close(pool->memfd);
	free(pool->frames);
	trace_ring_destroy(&pool->trace);
	pthread_mutex_destroy(&pool->oom_lock);
	pthread_mutex_destroy(&pool->hotplug_lock);
	pthread_mutex_destroy(&pool->fail.lock);
	free(pool);
}

void mm_set_ops(struct mm_pool *pool, const struct mm_ops *ops)
{
	pool->ops = *ops;
}

int pool_footprint(struct mm_pool *pool, struct pool_footprint *fp)
{
	uint64_t huge;
	struct stat st;

	if (fstat(pool->memfd, &st))
		return -errno;
	fp->resident_bytes = (uint64_t)st.st_blocks * 512;
	huge = shmem_hugepages_kb() << 10;
	/* What was there before the pool is somebody else's. */
	huge = huge > pool->shmem_huge_base ? huge - pool->shmem_huge_base : 0;
	fp->hugepage_bytes = huge < fp->resident_bytes ? huge :
							 fp->resident_bytes;
	fp->returned_bytes = 0;
	for (unsigned int z = 0; z < pool->nr_zones; z++)
		fp->returned_bytes +=
			(uint64_t)READ_ONCE(pool->zones[z]->nr_returned_pages)
			<< PAGE_SHIFT;
	fp->offline_bytes = (uint64_t)pool_nr_offline_pages(pool) << PAGE_SHIFT;
	return 0;
}

#define RETURN_BATCH 64

int pool_punch_pageblock(struct mm_pool *pool, pfn_t pb)
{
	if (fallocate(pool->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      pfn_to_offset(pb), pageblock_nr_pages << PAGE_SHIFT)) {
		int ret = -errno;

		pr_warn(pool, "punching pfn 0x%x: %s", pb, strerror(-ret));
		return ret;
	}
	return 0;
}

/* Whole pageblocks of a free block that the host still holds. */
static bool block_has_resident(struct mm_pool *pool, pfn_t pfn,
			       unsigned int order)
{
	for (pfn_t p = pfn; p < pfn + (1U << order); p += pageblock_nr_pages)
		if (!pageblock_returned(pool, p))
			return true;
	return false;
}

/*
 * Take free blocks of pageblock order or more that the host still backs
 * off the free lists, so nobody allocates them while the host releases
 * them (as free page reporting isolates what it reports).  Zone lock held.
 */
static int isolate_returnable(struct mm_pool *pool, struct zone *zone,
			      struct pool_release *r, int max)
{
	int n = 0;

	for (int o = MAX_ORDER - 1; o >= pageblock_order && n < max; o--) {
		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++) {
			pfn_t p = zone->free_area[o].free_list[mt];

			while (p != PFN_NONE && n < max) {
				pfn_t next = pool->frames[p].lru.next;

				if (block_has_resident(pool, p, o)) {
					del_page_from_free_list(pool, zone, p,
								o, mt);
					WRITE_ONCE(zone->nr_free_pages,
						   zone->nr_free_pages -
							   (1L << o));
					/* Not a tail: the invariant checker
					 * may walk by meanwhile. */
					set_frame_state(&pool->frames[p],
							FRAME_RELEASING, o);
					zone->nr_releasing_pages += 1UL << o;
					r[n++] = (struct pool_release){
						.pfn = p,
						.order = o,
						.mt = mt,
						.zone_id = zone->zone_id,
					};
				}
				p = next;
			}
		}
	}
	return n;
}

int pool_release_begin(struct mm_pool *pool, struct pool_release *r, int max)
{
	int n = 0;

	for (unsigned int z = 0; z < pool->nr_zones && n < max; z++) {
		struct zone *zone = pool->zones[z];

		pthread_mutex_lock(&zone->lock);
		n += isolate_returnable(pool, zone, r + n, max - n);
		pthread_mutex_unlock(&zone->lock);
	}
	return n;
}

void pool_release_pageblock_done(struct mm_pool *pool, pfn_t pb)
{
	struct zone *zone = page_zone(pool, pb);

	/* Isolated: nobody else touches these frames meanwhile.  The host
	 * gives zeroes back. */
	for (pfn_t q = pb; q < pb + pageblock_nr_pages; q++)
		frame_flags_update(&pool->frames[q], FF_DIRTY, 0);
	pthread_mutex_lock(&zone->lock);
	if (!(pb_get(&pool->frames[pb]) & PB_RETURNED)) {
		pb_set(&pool->frames[pb], PB_RETURNED | PB_CLEAN);
		WRITE_ONCE(zone->nr_returned_pages,
			   zone->nr_returned_pages + (long)pageblock_nr_pages);
	}
	pthread_mutex_unlock(&zone->lock);
	count_vm_event(pool, POOL_PAGEBLOCK_RETURNED);
}

void pool_release_end(struct mm_pool *pool, const struct pool_release *r, int n)
{
	for (int i = 0; i < n; i++) {
		struct zone *zone = pool->zones[r[i].zone_id];

		pthread_mutex_lock(&zone->lock);
		zone->nr_releasing_pages -= 1UL << r[i].order;
		__free_one_page(pool, zone, r[i].pfn, r[i].order, r[i].mt);
		pthread_mutex_unlock(&zone->lock);
	}
}

long pool_return_free_pageblocks(struct mm_pool *pool)
{
	struct pool_release r[RETURN_BATCH];
	long returned = 0, round;
	int n;

	do {
		n = pool_release_begin(pool, r, RETURN_BATCH);
		round = 0;
		for (int i = 0; i < n; i++) {
			for (pfn_t p = r[i].pfn;
			     p < r[i].pfn + (1U << r[i].order);
			     p += pageblock_nr_pages) {
				if (pageblock_returned(pool, p))
					continue;
				if (pool_punch_pageblock(pool, p))
					continue;
				pool_release_pageblock_done(pool, p);
				round++;
			}
		}
		pool_release_end(pool, r, n);
		returned += round;
	} while (n == RETURN_BATCH && round);
	return returned;
}
