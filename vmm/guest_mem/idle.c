// SPDX-License-Identifier: GPL-2.0
/*
 * Which guest pages are idle: sampling by dropping the host's PTEs.
 *
 * A backed guest page is a MAP_SHARED mapping of a pool frame.  A pass
 * drops the PTEs of a unit of pages (MADV_DONTNEED): the frame stays in
 * the pool file's page cache and in the GPA map, KVM's MMU notifier drops
 * its shadow entries, and the guest's next touch of the unit refaults the
 * same frame in the host kernel (these VMAs are not registered with the
 * userfaultfd: no round trip through the fault thread), which sets the
 * page's present bit in /proc/self/pagemap.  The next pass reads those
 * bits: a unit with a present page was touched (age 0), one without was
 * not (age + 1); then it drops the unit again.  docs/cold_pages.md has
 * what else was tried on this host and what each gave.
 *
 * A unit is UNIT_PAGES aligned pages (the host's read fault-around maps
 * that much of a file mapping at once, so a finer grain would not say
 * more), or a whole 2 MiB region mapped as one pageblock: that one is
 * dropped whole (a 4 KiB drop would split the host's PMD) and aged as one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/guest_mem/internal.h"

#define UNIT_SIZE (UNIT_PAGES << PAGE_SHIFT)
#define UNITS_2M (pageblock_nr_pages / UNIT_PAGES)
#define PM_PRESENT (1ULL << 63)
#define LONG_BITS (8 * sizeof(unsigned long))

struct guest_idle {
	uint64_t nr_units;
	uint8_t *age; /* per unit: passes found untouched, saturating */
	/* Bit per unit: its backed pages were dropped by a pass and have
	 * had the same mapping since, so their present bits mean touches. */
	unsigned long *dropped;
	uint64_t cursor; /* the 2 MiB region the next pass starts at */
	int pagemap_fd;
	uint64_t pm[pageblock_nr_pages]; /* one region's pagemap entries */
};

static bool test_dropped(const struct guest_idle *gi, uint64_t u)
{
	return gi->dropped[u / LONG_BITS] & (1UL << (u % LONG_BITS));
}

static void set_dropped(struct guest_idle *gi, uint64_t u, bool on)
{
	if (on)
		gi->dropped[u / LONG_BITS] |= 1UL << (u % LONG_BITS);
	else
		gi->dropped[u / LONG_BITS] &= ~(1UL << (u % LONG_BITS));
}

void __guest_mem_idle_forget(struct guest_mem *mem, uint64_t gpa,
			     unsigned long npages)
{
	struct guest_idle *gi = mem->idle;
	uint64_t u, end;

	if (!gi || !npages)
		return;
	end = (gpa + (npages << PAGE_SHIFT) + UNIT_SIZE - 1) / UNIT_SIZE;
	for (u = gpa / UNIT_SIZE; u < end && u < gi->nr_units; u++) {
		gi->age[u] = 0;
		set_dropped(gi, u, false);
	}
}

/* The scanning state, made at the first pass (a guest never scanned
 * pays nothing).  mem->lock held. */
static int idle_init(struct guest_mem *mem)
{
	struct guest_idle *gi = calloc(1, sizeof(*gi));

	if (!gi)
		return -ENOMEM;
	gi->nr_units = mem->npages / UNIT_PAGES;
	gi->age = calloc(gi->nr_units, 1);
	gi->dropped = calloc((gi->nr_units + LONG_BITS - 1) / LONG_BITS,
			     sizeof(*gi->dropped));
	gi->pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (!gi->age || !gi->dropped || gi->pagemap_fd < 0) {
		int ret = gi->pagemap_fd < 0 ? -errno : -ENOMEM;

		mem->idle = gi;
		guest_mem_idle_free(mem);
		return ret;
	}
	mem->idle = gi;
	return 0;
}

void guest_mem_idle_free(struct guest_mem *mem)
{
	struct guest_idle *gi = mem->idle;

	if (!gi)
		return;
	if (gi->pagemap_fd >= 0)
		close(gi->pagemap_fd);
	free(gi->age);
	free(gi->dropped);
	free(gi);
	mem->idle = NULL;
}

/* Does [gpa, gpa + n pages) hold a pinned page?  Never dropped. */
static bool overlaps_pinned(const struct guest_mem *mem, uint64_t gpa,
			    unsigned long n)
{
	return mem->cfg.pinned_size &&
	       gpa < mem->cfg.pinned_start + mem->cfg.pinned_size &&
	       mem->cfg.pinned_start < gpa + (n << PAGE_SHIFT);
}

/* Is any page of [page, page + n) backed?  Is any backed one present
 * (gi->pm: the entries of the region)?  mem->lock held. */
static bool unit_backed(const struct guest_mem *mem, uint64_t page,
			unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		if (mem->gpa_map[page + i] != PFN_NONE)
			return true;
	return false;
}

static bool unit_touched(const struct guest_mem *mem,
			 const struct guest_idle *gi, uint64_t page,
			 unsigned long n)
{
	uint64_t base = ALIGN_DOWN(page, pageblock_nr_pages);

	for (unsigned long i = 0; i < n; i++)
		if (mem->gpa_map[page + i] != PFN_NONE &&
		    gi->pm[page + i - base] & PM_PRESENT)
			return true;
	return false;
}

/* Drop the PTEs of the backed pages of [page, page + n): one madvise per
 * run of them (a placeholder is never touched).  mem->lock held. */
static int drop_backed(struct guest_mem *mem, uint64_t page, unsigned long n)
{
	unsigned long i = 0, j;

	while (i < n) {
		if (mem->gpa_map[page + i] == PFN_NONE) {
			i++;
			continue;
		}
		for (j = i + 1; j < n && mem->gpa_map[page + j] != PFN_NONE;
		     j++)
			;
		if (madvise(mem->hva + ((page + i) << PAGE_SHIFT),
			    (j - i) << PAGE_SHIFT, MADV_DONTNEED))
			return -errno;
		i = j;
	}
	return 0;
}

/*
 * One 2 MiB region: age the units the last pass dropped, then drop them
 * all again, the region's backed runs with one madvise each (each is a
 * TLB flush and an MMU notifier call into KVM: per unit they cost 50 us
 * a unit with the guest running, bench_swap).  Returns the units looked
 * at, or -errno.  mem->lock held.
 */
static long scan_region(struct guest_mem *mem, uint64_t r)
{
	struct guest_idle *gi = mem->idle;
	uint64_t gpa2m = r * HUGE_SIZE, page2m = gpn(gpa2m);
	uint64_t u0 = r * UNITS_2M;
	bool huge = mem->huge_2m[r], any_dropped = false;
	unsigned long per = huge ? pageblock_nr_pages : UNIT_PAGES;
	uint64_t run = 0, first = 0; /* units to drop: [first, first + run) */
	long seen = 0;
	int ret;

	if (!mem->backed_2m[r])
		return 0;
	for (uint64_t u = u0; u < u0 + UNITS_2M && !any_dropped; u++)
		any_dropped = test_dropped(gi, u);
	/* One read of the region's entries, not one per page. */
	if (any_dropped && pread(gi->pagemap_fd, gi->pm, sizeof(gi->pm),
				 (uintptr_t)(mem->hva + gpa2m) / PAGE_SIZE *
					 sizeof(uint64_t)) != sizeof(gi->pm))
		return -EIO;
	for (unsigned long i = 0; i <= UNITS_2M; i += per / UNIT_PAGES) {
		uint64_t u = u0 + i, page = page2m + i * UNIT_PAGES;
		uint64_t gpa = page << PAGE_SHIFT;
		unsigned int age;

		if (i == UNITS_2M || overlaps_pinned(mem, gpa, per) ||
		    !unit_backed(mem, page, per)) {
			/* The run of units to drop ends here. */
			if (run) {
				ret = drop_backed(mem, first * UNIT_PAGES,
						  run * UNIT_PAGES);
				if (ret)
					return ret;
				run = 0;
			}
			if (i < UNITS_2M)
				__guest_mem_idle_forget(mem, gpa, per);
			continue;
		}
		age = gi->age[u];
		if (test_dropped(gi, u)) {
			if (unit_touched(mem, gi, page, per)) {
				age = 0;
			} else {
				age += age < UINT8_MAX;
				mem->stats.idle_found++;
			}
		}
		for (unsigned long k = 0; k < per / UNIT_PAGES; k++) {
			gi->age[u + k] = age;
			set_dropped(gi, u + k, true);
		}
		if (!run)
			first = u;
		run += per / UNIT_PAGES;
		seen++;
	}
	mem->stats.idle_scanned += seen;
	mem->stats.idle_dropped += seen;
	return seen;
}

long guest_mem_idle_scan(struct guest_mem *mem, unsigned long max_units)
{
	uint64_t nr_regions = mem->cfg.size / HUGE_SIZE;
	unsigned long budget = max_units;
	long seen = 0, ret = 0;

	if (mem->cfg.backing != GUEST_BACKING_POOL)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&mem->lock);
	if (!mem->idle)
		ret = idle_init(mem);
	pthread_mutex_unlock(&mem->lock);
	if (ret)
		return ret;
	/* A region at a time under mem->lock: a fault, a discard or a
	 * migration of this guest waits for one region's drops at most. */
	for (uint64_t n = 0; n < nr_regions && budget; n++) {
		pthread_mutex_lock(&mem->lock);
		if (mem->dead) {
			pthread_mutex_unlock(&mem->lock);
			return -ENOENT;
		}
		ret = scan_region(mem, mem->idle->cursor);
		mem->idle->cursor = (mem->idle->cursor + 1) % nr_regions;
		pthread_mutex_unlock(&mem->lock);
		if (ret < 0)
			return ret;
		seen += ret;
		budget -= (unsigned long)ret < budget ? (unsigned long)ret :
							budget;
	}
	return seen;
}

/* The backed, unpinned pages of unit u into gpa[*n .. end).  mem->lock
 * held. */
static void emit_unit(const struct guest_mem *mem, uint64_t u, uint64_t *gpa,
		      unsigned int *n, unsigned int end)
{
	uint64_t page = u * UNIT_PAGES;

	for (unsigned long i = 0; i < UNIT_PAGES && *n < end; i++) {
		uint64_t g = (page + i) << PAGE_SHIFT;

		if (mem->gpa_map[page + i] != PFN_NONE && !in_pinned(mem, g))
			gpa[(*n)++] = g;
	}
}

static unsigned int unit_pages(const struct guest_mem *mem, uint64_t u)
{
	unsigned int n = 0;

	for (unsigned long i = 0; i < UNIT_PAGES; i++)
		n += mem->gpa_map[u * UNIT_PAGES + i] != PFN_NONE;
	return n;
}

/* Is unit u cold at min_age?  mem->lock held. */
static bool unit_cold(const struct guest_mem *mem, uint64_t u,
		      unsigned int min_age)
{
	const struct guest_idle *gi = mem->idle;

	return gi->age[u] >= min_age && test_dropped(gi, u);
}

long guest_mem_cold_pages(struct guest_mem *mem, unsigned int min_age,
			  uint64_t *gpa, unsigned int max)
{
	/* Pages per age, then where each age's pages start in gpa[]:
	 * a counting sort, oldest first, in two walks of the ages. */
	uint64_t pages[UINT8_MAX + 1] = { 0 };
	unsigned int at[UINT8_MAX + 1], end[UINT8_MAX + 1], pos = 0;
	struct guest_idle *gi;
	long total = 0;

	if (mem->cfg.backing != GUEST_BACKING_POOL)
		return -EOPNOTSUPP;
	if (!min_age || min_age > UINT8_MAX)
		return -EINVAL;
	pthread_mutex_lock(&mem->lock);
	gi = mem->idle;
	if (!gi || mem->dead)
		goto out;
	for (uint64_t u = 0; u < gi->nr_units; u++)
		if (unit_cold(mem, u, min_age))
			pages[gi->age[u]] += unit_pages(mem, u);
	for (int a = UINT8_MAX; a >= (int)min_age; a--) {
		at[a] = pos;
		pos += pages[a] < max - pos ? pages[a] : max - pos;
		end[a] = pos;
	}
	for (uint64_t u = 0; u < gi->nr_units && pos; u++) {
		unsigned int a = gi->age[u];

		if (unit_cold(mem, u, min_age) && at[a] < end[a])
			emit_unit(mem, u, gpa, &at[a], end[a]);
	}
	total = pos;
out:
	pthread_mutex_unlock(&mem->lock);
	return total;
}

int guest_mem_idle_age(struct guest_mem *mem, uint64_t gpa)
{
	int age = 0;

	if (gpa >= mem->cfg.size)
		return -EINVAL;
	pthread_mutex_lock(&mem->lock);
	if (mem->idle)
		age = mem->idle->age[gpa / UNIT_SIZE];
	pthread_mutex_unlock(&mem->lock);
	return age;
}
