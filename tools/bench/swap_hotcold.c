// SPDX-License-Identifier: GPL-2.0
/*
 * Cold pages evicted, hot ones kept (swap_hotcold.h): a guest, the
 * holder, touches 256 MiB (ratio=4) and keeps re-touching a working set
 * of 32 MiB of it as fast as it can (`churn ... pick=ws`: its 32 MiB of
 * lowest GPA, docs/guest.md), the other 224 MiB untouched; the scanner
 * ages pages every 100 ms.  After AGE_MS of that, a second guest, the
 * grower, touches 332 MiB of the 448 MiB pool and then churns all of it
 * for 3 s (hot too: the tier should find nothing there): the tier has
 * to find about 150 MiB, and the holder churns on under that pressure,
 * 2-3 s of it with the pool full (swap.hotcold_pressure_s).  At the end
 * of its churn:
 *
 *   cold evicted   its cold pages (the 224 MiB) in the tier, over them
 *   hot evicted    its refaults (each a hot page the tier took and the
 *                  churn needed back), over its hot pages (the 32 MiB)
 *   blind          the share of all it holds the tier took: what a
 *                  choice blind to use would take of each (the baseline)
 *
 * Which of its pages are hot is read from the pages themselves while it
 * holds, before the churn: the pages of the first generation of a
 * `touch` at ratio 4 (guest/fill.h) are its own, and the WS_MIB of them
 * of lowest GPA are the working set.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "guest/fill.h"
#include "mm/mm.h"
#include "tools/bench/swap_hotcold.h"
#include "util/clock.h"
#include "util/errf.h"
#include "vmm/guest_mem/guest_mem.h"

#define MiB (1ULL << 20)
#define HOLDER_MIB 288
#define HELD_MIB 256
#define WS_MIB 32
#define RATIO 4
#define POOL_MIB 448
#define GROWER_MIB 384
/* The churn before the grower starts: a few scanner passes. */
#define AGE_MS 800

#define HOLDER_SCRIPT                      \
	"touch 256M ratio=4; hold 300ms; " \
	"churn ws=32M rate=0 time=6s pick=ws; verify"
#define GROWER_SCRIPT "touch 332M ratio=3; churn ws=332M rate=0 time=3s; verify"

enum page_kind { NOT_HELD, HOT, COLD };

/*
 * Each of the holder's pages: held or not, hot (the first WS_MIB held
 * in GPA order) or cold.  The holder holds after its touch: nothing
 * changes its pages meanwhile, and nothing evicts them (no pressure
 * yet).
 */
static int classify(struct bench *b, unsigned int id, uint8_t *kind)
{
	struct guest_mem *mem = host_vm(b->h, id)->mem;
	struct mm_pool *pool = host_pool(b->h);
	uint64_t held = 0;

	for (uint64_t g = 0; g < HOLDER_MIB * MiB; g += PAGE_SIZE) {
		pfn_t pfn = READ_ONCE(mem->gpa_map[g >> PAGE_SHIFT]);

		kind[g >> PAGE_SHIFT] = NOT_HELD;
		if (g < GUEST_RAM_START || pfn == PFN_NONE ||
		    *(volatile uint64_t *)pfn_to_virt(pool, pfn) !=
			    fill_word(g, 1, RATIO, 0))
			continue;
		kind[g >> PAGE_SHIFT] =
			held++ < (WS_MIB * MiB >> PAGE_SHIFT) ? HOT : COLD;
	}
	if (held != HELD_MIB * MiB >> PAGE_SHIFT)
		return errf(b->err, sizeof(b->err), -EIO,
			    "the holder holds %llu pages, not %llu",
			    (unsigned long long)held,
			    (unsigned long long)(HELD_MIB * MiB >> PAGE_SHIFT));
	return 0;
}

/* Its cold and hot pages in the tier now. */
static void count_out(struct bench *b, unsigned int id, const uint8_t *kind,
		      uint64_t *cold, uint64_t *hot)
{
	struct guest_mem *mem = host_vm(b->h, id)->mem;

	*cold = *hot = 0;
	for (uint64_t g = 0; g < HOLDER_MIB * MiB; g += PAGE_SIZE) {
		if (kind[g >> PAGE_SHIFT] == NOT_HELD ||
		    !guest_mem_swapped(mem, g))
			continue;
		if (kind[g >> PAGE_SHIFT] == HOT)
			(*hot)++;
		else
			(*cold)++;
	}
}

static bool oom_killed(struct bench *b, unsigned int id)
{
	struct host_guest_info gi;

	return !host_guest_info(b->h, id, &gi) &&
	       (gi.why == VM_EXIT_OOM_KILL || gi.why == VM_EXIT_OOM);
}

static double pct(uint64_t part, uint64_t whole)
{
	double p = 100.0 * part / whole;

	return p > 100 ? 100 : p;
}

int bench_swap_hot_cold(const char *prog)
{
	struct vmm_config cfg = { .pool_bytes = POOL_MIB * MiB,
				  .nr_nodes = 1,
				  .hugepages = true,
				  .compaction_off = true,
				  .cold_scan_interval_ms = 100,
				  .cold_age_ms = 300 };
	const uint64_t hot = WS_MIB * MiB >> PAGE_SHIFT,
		       cold = (HELD_MIB - WS_MIB) * MiB >> PAGE_SHIFT;
	uint8_t *kind = malloc(HOLDER_MIB * MiB >> PAGE_SHIFT);
	struct bench b = { .prog = prog };
	struct host_guest_info gi, g2;
	struct vm_summary sum;
	uint64_t full_ns = 0;
	double pressure_s = 0;
	uint64_t cold_out = 0, hot_out = 0;
	unsigned int holder, grower;
	int ret;

	ret = kind ? bench_host_create(&b, &cfg) :
		     errf(b.err, sizeof(b.err), -ENOMEM, "no memory");
	/* Its touch done, it holds: which pages are which. */
	if (!ret)
		ret = bench_start(&b, "holder", HOLDER_MIB, HOLDER_SCRIPT, 1,
				  &holder);
	if (!ret)
		ret = classify(&b, holder, kind);
	/* Then it churns; a few passes age its pages first. */
	if (!ret)
		ret = bench_wait_phases(&b, holder, 2, BENCH_WAIT_MS);
	if (!ret) {
		usleep(AGE_MS * 1000);
		ret = bench_launch(&b, "grower", GROWER_MIB, GROWER_SCRIPT,
				   &grower);
	}
	/*
	 * The grower has touched all it needs: the pool is full, and it
	 * churns all of it.  Then the end of the holder's churn under
	 * that pressure: what the tier holds of it then.
	 */
	if (!ret) {
		ret = bench_wait_phases(&b, grower, 1, BENCH_WAIT_MS);
		/* Killed for it instead: said below. */
		if (ret == -ESRCH && oom_killed(&b, grower))
			ret = 0;
	}
	if (!ret) {
		full_ns = clock_now_ns(&clock_monotonic);
		if (!host_guest_summary(b.h, holder, &sum) &&
		    sum.nr_phases >= 3)
			ret = errf(
				b.err, sizeof(b.err), -EAGAIN,
				"the holder's churn ended before the grower had its memory");
	}
	if (!ret)
		ret = bench_wait_phases(&b, holder, 3, BENCH_WAIT_MS);
	if (!ret) {
		pressure_s = (clock_now_ns(&clock_monotonic) - full_ns) / 1e9;
		count_out(&b, holder, kind, &cold_out, &hot_out);
		ret = host_guest_info(b.h, holder, &gi);
	}
	if (!ret && !bench_guest_ok(&b, holder, 2))
		ret = errf(b.err, sizeof(b.err), -EIO,
			   "the holder did not keep its pages intact");
	/* The one that grew got what it needed, or was killed for it. */
	if (!ret && !bench_wait_end(&b, grower, BENCH_WAIT_MS) &&
	    !host_guest_info(b.h, grower, &g2) && g2.sum.exit_status &&
	    !oom_killed(&b, grower))
		ret = errf(b.err, sizeof(b.err), -EIO, "the grower failed: %s",
			   g2.detail);
	if (!ret) {
		printf("swap.hotcold_grower_killed %d bool\n",
		       oom_killed(&b, grower));
		printf("swap.hotcold_pressure_s %.1f s\n", pressure_s);
		printf("swap.hotcold_out_pages %llu pages\n",
		       (unsigned long long)gi.mem.swap_out);
		printf("swap.hotcold_refaults %llu pages\n",
		       (unsigned long long)gi.mem.swap_in);
		printf("swap.hotcold_hot_in_tier %llu pages\n",
		       (unsigned long long)hot_out);
		printf("swap.cold_evicted_pct %.1f %%\n", pct(cold_out, cold));
		printf("swap.hot_evicted_pct %.1f %%\n",
		       pct(gi.mem.swap_in, hot));
		printf("swap.hotcold_blind_pct %.1f %%\n",
		       pct(gi.mem.swap_out, hot + cold));
	}
	if (ret)
		bench_fail(&b);
	bench_host_destroy(&b);
	free(kind);
	return ret;
}
