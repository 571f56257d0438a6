/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest RAM: one host VA range per VM, one KVM memslot per guest NUMA node
 * range, populated on first touch from the pool.
 *
 * Unbacked RAM is a placeholder registered with userfaultfd: anonymous
 * (MISSING) where it never was backed, the pool mapping it had with its
 * pages dropped (MISSING | MINOR) where it was given back (guest_mem.c,
 * unback_range()).  A fault thread per VM takes each first touch, allocates from
 * mm/ (order 9 with a light gfp for an unbacked aligned 2 MiB region, else
 * order 0 for a small fault-around window), maps the frames over the
 * placeholder with mmap(MAP_FIXED | MAP_SHARED) of the pool memfd, and
 * wakes the vCPU.  The GPA -> pfn map here and the frames' owner fields in
 * mm/ are the two directions of the reverse map; both change together
 * under mem->lock.
 */
#ifndef VMM_GUEST_MEM_H
#define VMM_GUEST_MEM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "guest/abi.h"
#include "mm/mm.h"
#include "mm/psi.h"
#include "util/histogram.h"

struct swap_tier;

enum guest_backing {
	GUEST_BACKING_POOL, /* userfaultfd + pool frames (the product) */
	GUEST_BACKING_ANON, /* plain anonymous memory: the kernel's own path */
};

struct guest_mem_config {
	uint16_t owner; /* VM slot in the frames' reverse map */
	/* The guest's id as users see it, never reused (vm.h): what its
	 * trace events and the allocator's current guest name (vm=). */
	unsigned int id;
	const char *name; /* the guest's, for events (outlives the mem) */
	uint64_t size; /* bytes, 2 MiB multiple */
	unsigned int nr_nodes;
	struct guest_node_range node[GUEST_MAX_NODES];
	int pnode[GUEST_MAX_NODES]; /* pool node behind each guest node */
	bool strict; /* bind: never take frames from another pool node */
	uint64_t pinned_start, pinned_size; /* unmovable guest range */
	enum guest_backing backing;
	bool no_huge; /* order 0 only; anonymous: no MADV_HUGEPAGE */
	struct mm_pool *pool;
	int vm_fd; /* KVM VM for the memslots, -1: none (tests) */
	/* The pool cannot back gpa: the VM must stop.  Fault thread. */
	void (*oom)(void *arg, uint64_t gpa);
	/*
	 * The pool had gpa's frames but they could not be mapped, even
	 * after merging mappings (guest_mem_merge_mappings()): -ENOSPC,
	 * mmap said ENOMEM, which with frames at hand is the process at
	 * vm.max_map_count (or the host kernel short of memory); else
	 * mmap's -errno.  A host limit, not the pool: the VM must stop.
	 * Fault thread.
	 */
	void (*host_limit)(void *arg, uint64_t gpa, int err);
	/*
	 * Hold the guest's vCPUs outside KVM_RUN, and let them go again
	 * (migration, collapse); *raised_ns: when the vCPUs were asked to
	 * stop, where the pause starts for the guest.  NULL: nothing runs
	 * the guest (tests: the caller keeps its own hands off).  Called
	 * without mem->lock.
	 */
	int (*pause)(void *arg, uint64_t *raised_ns);
	void (*resume)(void *arg);
	/* Is no vCPU in the guest now (all parked, idle)?  NULL: no. */
	bool (*idle)(void *arg);
	/*
	 * The pressure task of the vCPU whose thread is tid (the thread a
	 * fault came from), NULL for any other thread: the fault thread
	 * stalls it while its fault waits for memory (mm/psi.h).  NULL:
	 * no vCPU stalls.  Fault thread, lockless.
	 */
	struct psi_task *(*psi_task)(void *arg, int tid);
	void *arg;
	/* Migrate with the whole guest paused even where the kernel can
	 * write-protect shared memory through userfaultfd (comparisons). */
	bool migrate_by_pause;
	/* The cold tier its pages may be swapped out to (NULL: none), and
	 * the most pages it may have there (cgroup v2's memory.swap.max;
	 * 0: none). */
	struct swap_tier *tier;
	uint64_t swap_max;
};

struct guest_mem_stats {
	uint64_t faults; /* uffd events served */
	uint64_t spurious; /* of which for a page already backed */
	uint64_t pages; /* 4 KiB pages backed now */
	uint64_t peak_pages;
	/* 2 MiB regions mapped now as one whole pageblock (a fault's
	 * order-9 block, a collapse; MADV_HUGEPAGE): what the host can map
	 * with a PMD and KVM with a 2 MiB entry.  A gauge: a discard or a
	 * migration of any page of a region takes it out. */
	uint64_t huge_maps;
	uint64_t huge_fallbacks;
	uint64_t alloc_failures;
	uint64_t map_failures; /* faults whose frames could not be mapped */
	uint64_t wp_faults; /* writes that waited for a page being moved */
	/* Migration (compaction) and collapse; under lock. */
	uint64_t migrated; /* pages moved to another frame */
	uint64_t migrate_failed; /* requests refused or failed */
	uint64_t migrate_batches; /* pauses taken for them */
	uint64_t collapsed; /* 2 MiB regions made one pageblock again */
	/* The cold tier (swap.c): pages swapped out now (a gauge, as
	 * /proc/PID/status's VmSwap), and the events, in pages: swapped
	 * out, swapped back in by a fault, dropped unread (a discard, the
	 * reap), refused by the tier (kept backed). */
	uint64_t swapped;
	uint64_t swap_out;
	uint64_t swap_in;
	uint64_t swap_dropped;
	uint64_t swap_refused;
	/* Idle page sampling (idle.c), in units (16 pages, or a 2 MiB
	 * region mapped as one pageblock); under lock. */
	uint64_t idle_scanned; /* units a pass looked at */
	uint64_t idle_found; /* ... found untouched since the last pass */
	uint64_t idle_dropped; /* units whose PTEs a pass dropped */
};

/* Fault injection for the remaps of migration, or for the mappings of
 * faults (tests): after `after` more succeed, the next `times` fail as if
 * mmap had said err (no mmap made; 0: ENOMEM). */
struct guest_mem_fail_remap {
	long after;
	long times;
	int err;
};

struct guest_mem {
	struct guest_mem_config cfg;
	uint8_t *hva; /* guest RAM, 2 MiB aligned */
	uint64_t npages;
	int uffd;
	/*
	 * Pages move under migration entries: write-protected through the
	 * uffd (UFFD_FEATURE_WP_HUGETLBFS_SHMEM) while they are copied, so
	 * that only a writer of one of them waits, in the kernel, and
	 * nothing else of the guest stops.  Except when no vCPU is in the
	 * guest (cfg.idle): pausing it then stops nobody and moves pages
	 * faster.  false: the guest is paused (cfg.pause) for each batch.
	 * docs/compaction.md.
	 */
	bool wp; /* under lock */
	bool wp_capable; /* the uffd was set up for write-protection */
	/* ... and for minor faults of shmem: discarded pages keep their
	 * pool mapping, registered, with the pages dropped. */
	bool minor_capable;
	int stop_efd;
	pthread_t fault_thread;
	bool thread_started;

	pthread_mutex_t lock;
	/* Guarded by lock (lockless readers: rmap checks, stats). */
	pfn_t *gpa_map; /* per 4 KiB guest page: pfn or PFN_NONE */
	uint16_t *backed_2m; /* pages backed per 2 MiB region */
	bool *huge_2m; /* per 2 MiB region: counted in stats.huge_maps */
	/* Bit per page: unbacked, and its placeholder is the pool mapping
	 * of a discard (no UFFDIO_ZEROPAGE there: it would fill the pool
	 * file), not the anonymous one. */
	unsigned long *pool_placeholder;
	struct guest_mem_stats stats;
	bool stop_reported; /* the VM was told to stop (oom, host_limit) */
	bool dead; /* reaped: faults get a page of the host's, never a frame */

	struct histogram fault_ns; /* uffd event to wake, per event */
	/*
	 * The longest a vCPU can be held up by one migration batch.  With
	 * migration entries (wp): the first page write-protected to the
	 * last waiter woken (only a writer of those pages waits at all);
	 * paused: vCPUs asked to stop (pause()'s raised_ns) to resume()
	 * returned.
	 */
	struct histogram migrate_pause_ns;
	/* ... of which the work under mem->lock (paused: the rest is
	 * getting the vCPUs out and back). */
	struct histogram migrate_work_ns;
	struct guest_mem_fail_remap fail_remap; /* under lock */
	struct guest_mem_fail_remap fail_map; /* under lock */
	/* Where host_collapse_all() looks next, in 2 MiB regions (its
	 * callers serialize). */
	uint64_t collapse_cursor;
	/* Frames backing this guest on each pool node (lockless reads). */
	unsigned long pages_node[MAX_NUMNODES];
	/* The cold tier, with cfg.tier (made with the guest; entries
	 * under lock): per page, the tier's handle of a page swapped out
	 * (0: none); per 2 MiB region, how many (a region with any is not
	 * faulted in as one block). */
	uint32_t *swap_map;
	uint16_t *swapped_2m;
	/* Bit per page the VMM reads or writes itself (never swapped:
	 * guest_mem_host_hva()); atomics. */
	unsigned long *host_touched;
	uint64_t swap_hand; /* guest_mem_swap_candidates()'s, in pages */
	/* Swap-in read-ahead (swap.c), the fault thread's: where the last
	 * swap-in's run began and ended, the window, the pages of it still
	 * to read ahead after the fault's wake and their direction. */
	uint64_t swap_ra_start, swap_ra_end;
	unsigned int swap_ra_window, swap_ra_more;
	int swap_ra_dir;
	struct histogram swap_in_ns; /* uffd event to wake, per swap-in */
	/* Idle page sampling (idle.c): NULL until the first pass.  Under
	 * lock. */
	struct guest_idle *idle;
};

/*
 * The name of the guest whose fault this thread is serving: set on a
 * guest's fault thread (with mm_set_current_vm(), which the allocator
 * reads), for events about what the allocator did there.  NULL
 * elsewhere.
 */
const char *guest_mem_current_name(void);

int guest_mem_create(const struct guest_mem_config *cfg,
		     struct guest_mem **out) __must_check;
void guest_mem_destroy(struct guest_mem *mem);
/* The host view of [gpa, gpa + len), NULL unless all of it is RAM. */
void *guest_mem_hva_of(struct guest_mem *mem, uint64_t gpa, uint64_t len);
/*
 * The same for the VMM's own reads and writes of guest memory (virtio
 * rings and buffers, the guest's report): those pages are never swapped
 * out from then on, as Linux does not reclaim pages pinned for a
 * device.  A device thread that touched a swapped page would wait for
 * the guest's fault thread, which may itself be in reclaim waiting for
 * that thread (the host's lock): the pages the host touches stay.
 */
void *guest_mem_host_hva(struct guest_mem *mem, uint64_t gpa, uint64_t len);
/* Back [gpa, gpa + len) now, from the calling thread (boot data). */
int guest_mem_back(struct guest_mem *mem, uint64_t gpa, uint64_t len);
/*
 * Give the frames behind [gpa, gpa + len) back to the pool (balloon
 * inflation, free page reporting): the range becomes an unbacked
 * placeholder again and faults in fresh, zeroed frames if touched.
 * Returns the number of frames freed, or -errno (nothing changed).
 */
long guest_mem_discard(struct guest_mem *mem, uint64_t gpa, uint64_t len);
/*
 * Move the guest page at gpa to new_pfn (an order-0 frame the caller
 * allocated), as guest_mem_migrate_pages() does for one request whose
 * old frame is whatever backs gpa.  The caller keeps the guest from
 * writing meanwhile (vm_pause()); no pause is taken here.  -ENOENT: gpa
 * is not backed; -EBUSY: it is pinned; on any error the old frame stays
 * mapped and new_pfn stays the caller's.
 */
int guest_mem_migrate(struct guest_mem *mem, uint64_t gpa, pfn_t new_pfn);
/*
 * Migrate a batch of this guest's pages (the mm_ops migrate_pages op
 * for one owner; vmm/guest_mem/migrate.c).  Every req has owner ==
 * cfg.owner.  Under mem->lock each request is checked again: gpa must
 * still be backed by old_pfn and the guest alive (else -EAGAIN: the
 * balloon discarded it, the OOM killer reaped it, or it was re-faulted),
 * not pinned (-EBUSY).  The others are copied through the pool mapping,
 * remapped with one mmap per run of consecutive GPAs whose new frames are
 * consecutive, their GPA map entries and frame owners moved, the old
 * frames freed.  A run whose remap fails keeps its old frames, mapped and
 * intact; its requests get the error and their new frames stay the
 * caller's.  The batch is cut into pieces of whole runs: with migration
 * entries at most MIGRATE_BATCH_RUNS runs or MIGRATE_BATCH_PAGES pages,
 * which bounds how long mem->lock (and so the guest's faults) waits;
 * under a pause MIGRATE_PAUSE_RUNS runs (a vCPU that wakes meanwhile
 * waits for the whole batch: 8 single pages held an idle guest p99
 * 70-188 us, 16 took it to 164-262 us, in tools/bench_compact), and
 * MIGRATE_PAUSE_PAGES pages when the pause holds running vCPUs, which
 * bounds the pause (about 30 us to get the vCPUs out, 7 us a run, 0.4 us
 * a page, measured).  The req array is reordered (by GPA).  Returns the
 * requests migrated.
 * Context: no lock held; takes mem->lock for each piece.
 */
unsigned int guest_mem_migrate_pages(struct guest_mem *mem,
				     struct migrate_req **req, unsigned int nr);
#define MIGRATE_BATCH_RUNS 16
#define MIGRATE_BATCH_PAGES 512
#define MIGRATE_PAUSE_RUNS 8
#define MIGRATE_PAUSE_PAGES 128
/*
 * khugepaged for this guest: make the 2 MiB GPA region at gpa_2m, fully
 * backed by order-0 frames that are not one pageblock, backed by one
 * order-9 block again (light gfp: no reclaim, no compaction) in GPA order,
 * under one pause, mapped with one mmap that the host may back with a
 * PMD (MADV_HUGEPAGE on both sides), so that KVM maps it with a 2 MiB
 * entry.  0: collapsed; -EEXIST: already one pageblock; -EAGAIN: not
 * fully backed (or it changed meanwhile), or the guest is dead; -EBUSY:
 * pinned, or the region spans guest nodes; -ENOMEM: no free pageblock;
 * -EINVAL: not an aligned region of RAM; other -errno: the remap failed
 * (every page stays where it was).
 */
int guest_mem_collapse(struct guest_mem *mem, uint64_t gpa_2m);
/* Is the region at gpa_2m fully backed but not by one pageblock?
 * (lockless: a hint for a scan) */
bool guest_mem_collapsible(struct guest_mem *mem, uint64_t gpa_2m);
void guest_mem_set_fail_remap(struct guest_mem *mem,
			      const struct guest_mem_fail_remap *f);
void guest_mem_set_fail_map(struct guest_mem *mem,
			    const struct guest_mem_fail_remap *f);
/*
 * No room for another mapping (a fault's mmap failed with ENOMEM while
 * the pool had the frames): collapse this guest's scattered, fully
 * backed 2 MiB regions, each up to 512 mappings, into one pageblock and
 * one mapping each, at most MERGE_MAX_COLLAPSE of them, while pageblocks
 * are free.  Only with migration entries: it runs on the guest's own
 * fault thread, which must not pause the guest (a device thread of it
 * may be waiting in a fault for that very thread, holding the lock a
 * pause takes).  Returns the regions collapsed.
 * Context: the fault thread, no lock held.
 */
long guest_mem_merge_mappings(struct guest_mem *mem);
#define MERGE_MAX_COLLAPSE 32
/* Hold back the few mappings guest_mem_merge_mappings() needs to start
 * with once the process is over vm.max_map_count (guest_mem_create()
 * does; process-wide, held for the process's life). */
void guest_mem_hold_map_reserve(void);
/* Migrate by pausing the guest, or (false) with migration entries;
 * -EOPNOTSUPP where this kernel has none.  (Comparisons, tests.) */
int guest_mem_set_migrate_by_pause(struct guest_mem *mem, bool by_pause);
/*
 * The VM is dead (OOM kill): give every frame back now.  Its vCPUs must be
 * out of KVM_RUN; faults from then on get a page of the host's (the zero
 * page or an anonymous one), never a frame.
 */
void guest_mem_reap(struct guest_mem *mem);
/* Does the map say gpa is backed by pfn? (mm_validate's rmap check) */
bool guest_mem_maps(struct guest_mem *mem, uint64_t gpa, pfn_t pfn);
void guest_mem_get_stats(struct guest_mem *mem, struct guest_mem_stats *st);
/* Which guest node holds gpa. */
int guest_mem_node_of(const struct guest_mem *mem, uint64_t gpa);

/*
 * guest_mem_discard(), also adding the frames freed on each pool node to
 * node_freed[nid] (MAX_NUMNODES entries): reclaim counts its progress
 * per node.
 */
long guest_mem_discard_nodes(struct guest_mem *mem, uint64_t gpa, uint64_t len,
			     unsigned long *node_freed);

/*
 * The cold tier (vmm/guest_mem/swap.c).  Swap out the backed pages at
 * gpa[0 .. nr) (sorted, for runs): each becomes a registered placeholder
 * as a discarded page does, its contents compressed into cfg.tier while
 * no vCPU can touch it, its frame freed.  A page the tier refuses stays
 * backed (mapped again on its next touch); pinned pages, pages not
 * backed and pages past cfg.swap_max are skipped.  Returns the frames
 * freed, or -errno when nothing could be (-ENOSPC: the tier is full,
 * -EOPNOTSUPP: no tier, -EINVAL).
 * Context: no lock held (takes mem->lock).
 */
long guest_mem_swap_out(struct guest_mem *mem, const uint64_t *gpa,
			unsigned int nr);
/*
 * Up to max pages of this guest the tier could take, whose frames are on
 * pool node nid (-1: any): backed, not pinned; coldest first where the
 * cold-page scan knows, then round the guest from where the last call
 * stopped (a clock hand without reference bits: every page gets its
 * turn).  Sorted by GPA, for runs.  The count.  Lockless: a hint that
 * guest_mem_swap_out() checks again.
 */
unsigned int guest_mem_swap_candidates(struct guest_mem *mem, int nid,
				       uint64_t *gpa, unsigned int max);
/* Is the page at gpa swapped out?  (lockless: a hint) */
bool guest_mem_swapped(struct guest_mem *mem, uint64_t gpa);
/*
 * The invariant checker's look at the guest's swapped pages, under
 * mem->lock: each holds no frame and its tier entry is this guest's at
 * that GPA; they are as many as stats.swapped and the per-region counts,
 * and no more than the tier's entries of this owner (which may count
 * one more briefly: a page freed during its writeback).  The backed
 * pages of each 2 MiB region match its count too.  0 or -EUCLEAN with
 * the first problem in err.
 */
int guest_mem_validate_swap(struct guest_mem *mem, char *err, size_t errlen);

/*
 * ---- Idle pages: which guest pages are cold (vmm/guest_mem/idle.c,
 * docs/cold_pages.md) ----
 *
 * Sampling by dropping the host's PTEs of backed pages (MADV_DONTNEED:
 * the frame stays mapped in the GPA map and the pool file) and reading
 * /proc/self/pagemap's present bits a pass later.  Units of UNIT_PAGES
 * aligned pages, or a whole 2 MiB region mapped as one pageblock (one
 * unit, dropped whole).  A unit's age is the passes in a row it was found
 * untouched (0..255, saturating); it goes back to 0 when its mapping
 * changes (a fault maps it, a discard or a swap-out takes it, a migration
 * or a collapse moves it): a new frame is not known to be cold.
 */
#define UNIT_PAGES 16
/*
 * One pass over up to max_units units of the guest, from where the last
 * one stopped: the units the previous pass dropped are aged from their
 * present bits (one pread of a region's pagemap entries), then every
 * backed, unpinned unit is dropped again.  Returns the units looked at,
 * -ENOENT (the guest is dead), -EOPNOTSUPP (not pool-backed), or -errno.
 * Context: no lock held; takes mem->lock a 2 MiB region at a time.
 */
long guest_mem_idle_scan(struct guest_mem *mem, unsigned long max_units);
/*
 * Up to max GPAs of backed, unpinned pages of units at least min_age
 * (1..255) passes idle, oldest first: the cold tier's candidates.
 * Returns how many, 0 when the guest was never scanned, or -EINVAL.
 * Context: no lock held; takes mem->lock.
 */
long guest_mem_cold_pages(struct guest_mem *mem, unsigned int min_age,
			  uint64_t *gpa, unsigned int max);
/* The age of gpa's unit (0: touched, never scanned, or changed). */
int guest_mem_idle_age(struct guest_mem *mem, uint64_t gpa);
/* The scanning state goes (guest_mem_destroy()). */
void guest_mem_idle_free(struct guest_mem *mem);
/* gpa's npages pages have a new mapping, or none: their units are no
 * longer known idle.  mem->lock held. */
void __guest_mem_idle_forget(struct guest_mem *mem, uint64_t gpa,
			     unsigned long npages);

#endif /* VMM_GUEST_MEM_H */
