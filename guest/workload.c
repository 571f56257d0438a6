// SPDX-License-Identifier: GPL-2.0
/*
 * Each command is one phase, reported with GR_PHASE_START/END (ns, bytes).
 * touch and verify run on all vCPUs (smp_run); the rest on vCPU 0.
 * page_state[] holds each page's expected generation and fill (sig.h).
 */
#include "guest/workload.h"
#include "guest/balloon.h"
#include "guest/console.h"
#include "guest/io.h"
#include "guest/kernel.h"
#include "guest/layout.h"
#include "guest/lib.h"
#include "guest/palloc.h"
#include "guest/power.h"
#include "guest/sig.h"
#include "guest/smp.h"

#define MAX_CORRUPT_REPORTS 16

/* run_list()'s own returns, besides an exit status: */
#define RUN_EXIT_0 (-1) /* `exit` with status 0 */
#define RUN_POWER_OFF (-2) /* the host asked us to shut down */

static struct {
	uint16_t *page_state; /* per guest page: 0 = not ours (sig.h) */
	/* Per guest page, one bit: touched since boot (or since the host
	 * took it back).  A page touched for the first time must read
	 * zero: the host never hands one guest another's data. */
	uint8_t *used;
	uint64_t nr_pfns;
	uint64_t owned; /* pages */
	uint64_t lo_pfn, hi_pfn; /* bounds of owned pages (inclusive) */
	uint64_t bad_total; /* bad pages found, ever */
	unsigned int phase;
	unsigned int next_node; /* round robin for touch without node= */
	uint64_t rng;
} wl;

/* Shared by the vCPUs of one touch or verify job. */
struct job {
	struct spinlock lock;
	/* touch */
	uint64_t remaining;
	uint16_t node;
	uint8_t ratio; /* 0: sparse (sig.h) */
	bool short_of_memory;
	uint64_t touched;
	/* verify */
	uint64_t next_chunk, nr_chunks;
	uint64_t checked, bad, first_bad, reported;
};

uint64_t workload_meta_bytes(uint64_t ram_size)
{
	uint64_t pages = ram_size >> PAGE_SHIFT;

	return pages * sizeof(*wl.page_state) + (pages + 7) / 8;
}

void workload_init(void *meta)
{
	wl.page_state = meta;
	wl.nr_pfns = kernel.ram_size >> PAGE_SHIFT;
	wl.used = (uint8_t *)(wl.page_state + wl.nr_pfns);
	memset(wl.used, 0, (wl.nr_pfns + 7) / 8);
	wl.lo_pfn = UINT64_MAX;
	wl.hi_pfn = 0;
	wl.rng = rdtsc() | 1;
}

/* The first bad byte of a page, at offset off: the GPA of that byte, and
 * the word that holds it as expected and as found. */
static void report_corrupt(struct job *j, uint64_t pfn, uint16_t state,
			   unsigned int off)
{
	unsigned int idx = off / 8;
	uint64_t expect = sig_word(pfn, state, idx);
	uint64_t found = ((volatile uint64_t *)(uintptr_t)(pfn << 12))[idx];

	if (atomic_add_return(&j->reported, 1) > MAX_CORRUPT_REPORTS)
		return;
	printk("corrupt page %lx: byte %u, word %u expected %lx found %lx\n",
	       pfn << 12, off, idx, expect, found);
	report(GR_CORRUPT, "corrupt", (pfn << 12) + off, expect, found,
	       pfn << 12);
}

static void note_bad(struct job *j, uint64_t pfn)
{
	uint64_t gpa = pfn << 12, cur = READ_ONCE(j->first_bad);

	atomic_add_return(&j->bad, 1);
	while (gpa < cur &&
	       !__atomic_compare_exchange_n(&j->first_bad, &cur, gpa, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		;
}

/* Check one owned page; false (reported) if bad. */
static bool check_page(struct job *j, uint64_t pfn)
{
	uint16_t st = wl.page_state[pfn];
	unsigned int off;

	if (sig_check(pfn, st, &off))
		return true;
	report_corrupt(j, pfn, st, off);
	note_bad(j, pfn);
	return false;
}

/* Mark pfn used; true if this is its first use. */
static bool first_use(uint64_t pfn)
{
	uint8_t bit = 1U << (pfn & 7);

	return !(__atomic_fetch_or(&wl.used[pfn >> 3], bit, __ATOMIC_RELAXED) &
		 bit);
}

void workload_chunk_returned(uint64_t pfn)
{
	/* Chunk-aligned: whole bytes of the bitmap.  Only vCPU 0 (the
	 * balloon) clears, and a chunk in the balloon is not being
	 * touched, so plain stores are enough. */
	memset(&wl.used[pfn >> 3], 0, CHUNK_PAGES / 8);
}

bool workload_page_used(uint64_t pfn)
{
	return __atomic_load_n(&wl.used[pfn >> 3], __ATOMIC_RELAXED) &
	       (1U << (pfn & 7));
}

void workload_page_returned(uint64_t pfn)
{
	__atomic_fetch_and(&wl.used[pfn >> 3], (uint8_t) ~(1U << (pfn & 7)),
			   __ATOMIC_RELAXED);
}

/* A page we never wrote must be all zero where we are about to write:
 * every word of a page we fill, the signature words of a sparse one. */
static void check_fresh(struct job *j, uint64_t pfn, bool full)
{
	const volatile uint64_t *p = (const uint64_t *)(uintptr_t)(pfn << 12);

	for (unsigned int i = 0; i < PAGE_SIZE / 8; i++) {
		bool sig = i == sig_pos(pfn, 0) || i == sig_pos(pfn, 1) ||
			   i == sig_pos(pfn, 2);
		uint64_t v;

		if (!full && !sig)
			continue;
		v = p[i];
		if (!v)
			continue;
		if (atomic_add_return(&j->reported, 1) <= MAX_CORRUPT_REPORTS) {
			printk("fresh page %lx holds old data: word %u is %lx\n",
			       pfn << 12, i, v);
			report(GR_CORRUPT, "fresh page not zero",
			       (pfn << 12) + i * 8 + __builtin_ctzll(v) / 8, 0,
			       v, pfn << 12);
		}
		note_bad(j, pfn);
		return;
	}
}

static uint16_t pick_node(struct job *j)
{
	if (j->node != NODE_ANY)
		return j->node;
	wl.next_node = (wl.next_node + 1) % palloc_nr_nodes();
	return wl.next_node;
}

static void touch_job(void *arg)
{
	struct job *j = arg;
	uint16_t st = ps_make(1, j->ratio);
	uint64_t mine = 0;
	unsigned int polls = 0;

	for (;;) {
		uint64_t pfn = 0;
		uint32_t got = 0, want;

		if (power_off_pending())
			break;
		spin_lock(&j->lock);
		want = MIN(j->remaining, (uint64_t)CHUNK_PAGES);
		for (unsigned int tries = 0;
		     want && !got && tries < palloc_nr_nodes(); tries++) {
			got = palloc_alloc_run(pick_node(j), want, &pfn);
			if (j->node != NODE_ANY)
				break;
		}
		if (want && !got)
			j->short_of_memory = true;
		j->remaining -= got; /* what is left on failure: retried
				       * after a deflate on OOM */
		if (got) {
			wl.lo_pfn = MIN(wl.lo_pfn, pfn);
			wl.hi_pfn = MAX(wl.hi_pfn, pfn + got - 1);
		}
		spin_unlock(&j->lock);
		if (!got)
			break;
		for (uint32_t i = 0; i < got; i++) {
			if (first_use(pfn + i))
				check_fresh(j, pfn + i, j->ratio);
			wl.page_state[pfn + i] = st;
			sig_write(pfn + i, st);
		}
		atomic_add_return(&j->touched, got);
		mine += got;
		/* vCPU 0 keeps following the balloon while it works. */
		if (this_cpu() == 0) {
			if (!(++polls % 8))
				balloon_poll();
			power_poll_often(NULL);
		}
	}
	/* Per-vCPU share, so the host can see the split. */
	report(GR_STAT, "touched", mine, 0, 0, 0);
}

static void verify_job(void *arg)
{
	struct job *j = arg;
	uint64_t chunk, checked = 0;

	while ((chunk = atomic_add_return(&j->next_chunk, 1) - 1) <
	       j->nr_chunks) {
		uint64_t pfn = chunk * CHUNK_PAGES;
		uint64_t end = MIN(pfn + CHUNK_PAGES, wl.nr_pfns);

		for (; pfn < end; pfn++) {
			if (!wl.page_state[pfn])
				continue;
			check_page(j, pfn);
			checked++;
		}
	}
	atomic_add_return(&j->checked, checked);
}

static void phase_start(const struct cmd *c)
{
	report(GR_PHASE_START, script_cmd_name(c->op), wl.phase, 0, 0, 0);
}

static void phase_end(const struct cmd *c, uint64_t t0, uint64_t bytes)
{
	uint64_t ns = now_ns() - t0;
	char sz[24];

	printk("phase %u %s: %lu.%03lu ms, %s\n", wl.phase,
	       script_cmd_name(c->op), ns / 1000000, ns / 1000 % 1000,
	       fmt_size(sz, sizeof(sz), bytes));
	report(GR_PHASE_END, script_cmd_name(c->op), wl.phase, ns, bytes, 0);
	wl.phase++;
}

/* Touch npages new pages across all vCPUs, filled at ratio (0: sparse);
 * returns pages touched. */
static uint64_t touch(uint64_t npages, uint16_t node, unsigned int ratio)
{
	struct job j = { .remaining = npages,
			 .node = node,
			 .ratio = ratio,
			 .first_bad = UINT64_MAX };

	if (node != NODE_ANY && node >= palloc_nr_nodes()) {
		panic_report("touch: no node %u", node);
		return 0;
	}
	smp_run(touch_job, &j);
	/* Out of memory with pages in the balloon: take some back (only
	 * if the device allows it) and go on. */
	while (j.short_of_memory && j.remaining && !power_off_pending() &&
	       balloon_deflate_on_oom(j.remaining)) {
		j.short_of_memory = false;
		smp_run(touch_job, &j);
	}
	wl.owned += j.touched;
	wl.bad_total += j.bad; /* fresh pages that were not zero */
	if (j.short_of_memory && !power_off_pending())
		panic_report("touch: out of memory after %lu pages", j.touched);
	return j.touched;
}

static void verify(uint64_t *checked, uint64_t *bad)
{
	struct job j = { .nr_chunks = ALIGN_UP(wl.nr_pfns, CHUNK_PAGES) /
				      CHUNK_PAGES,
			 .first_bad = UINT64_MAX };

	smp_run(verify_job, &j);
	printk("verify: %lu pages checked, %lu bad\n", j.checked, j.bad);
	report(GR_VERIFY, "verify", j.checked, j.bad, j.bad ? j.first_bad : 0,
	       0);
	wl.bad_total += j.bad;
	*checked = j.checked;
	*bad = j.bad;
}

/* Free up to npages owned pages, highest GPA first, each verified. */
static uint64_t free_pages(uint64_t npages)
{
	struct job j = { .first_bad = UINT64_MAX };
	uint64_t freed = 0;

	for (uint64_t pfn = wl.hi_pfn + 1;
	     freed < npages && pfn-- > 0 && pfn >= wl.lo_pfn;) {
		if (!wl.page_state[pfn])
			continue;
		check_page(&j, pfn);
		wl.page_state[pfn] = 0;
		palloc_free(pfn, 1);
		freed++;
	}
	wl.owned -= freed;
	wl.bad_total += j.bad;
	if (!wl.owned) {
		wl.lo_pfn = UINT64_MAX;
		wl.hi_pfn = 0;
	}
	return freed;
}

/*
 * Free every nth owned page in ascending GPA order (the nth, the 2nth,
 * ...) until npages are freed, each verified first.  What stays owned is
 * interleaved with free pages the host still backs, which the balloon
 * takes before anything else but whole chunks (balloon.c): with n = 2 the
 * host ends up with every other frame of the guest's pageblocks free,
 * the fragmentation compaction exists for (docs/compaction.md).  The
 * bounds of what is owned are recomputed, so they stay exact.
 */
static uint64_t free_every(uint64_t npages, uint64_t n)
{
	struct job j = { .first_bad = UINT64_MAX };
	uint64_t freed = 0, seen = 0, lo = UINT64_MAX, hi = 0;

	for (uint64_t pfn = wl.lo_pfn; wl.owned && pfn <= wl.hi_pfn; pfn++) {
		if (!wl.page_state[pfn])
			continue;
		if (freed < npages && ++seen % n == 0) {
			check_page(&j, pfn);
			wl.page_state[pfn] = 0;
			palloc_free(pfn, 1);
			freed++;
			continue;
		}
		lo = MIN(lo, pfn);
		hi = pfn;
	}
	wl.owned -= freed;
	wl.bad_total += j.bad;
	wl.lo_pfn = lo;
	wl.hi_pfn = hi;
	return freed;
}

/*
 * Sleep in steps, looking at the balloon between them.  The host rings
 * a doorbell (ends vCPU 0's nap) whenever the target moves or it asks
 * for statistics, so the steps only bound how late the rest (free page
 * reports) can be: long naps, and an idle guest costs the host little.
 */
#define POLL_NS 20000000ULL

/* t + ns, or "never" where that passes UINT64_MAX (hold 5000000h). */
static uint64_t deadline_after(uint64_t t, uint64_t ns)
{
	return ns > UINT64_MAX - t ? UINT64_MAX : t + ns;
}

static void sleep_until(uint64_t deadline)
{
	uint64_t now;

	while ((now = now_ns()) < deadline) {
		balloon_poll();
		if (power_poll())
			return;
		now = now_ns();
		if (now < deadline)
			cpu_sleep_ns(MIN(deadline - now, POLL_NS));
	}
}

/* A random owned page in [lo, hi]: probe, then scan on from the probe. */
static bool random_owned(uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t span = hi - lo + 1, pfn;

	if (!wl.owned || lo > hi)
		return false;
	for (int i = 0; i < 64; i++) {
		pfn = lo + rand_next(&wl.rng) % span;
		if (wl.page_state[pfn]) {
			*out = pfn;
			return true;
		}
	}
	for (uint64_t i = 0; i < span; i++) {
		uint64_t p = lo + (pfn - lo + i) % span;

		if (wl.page_state[p]) {
			*out = p;
			return true;
		}
	}
	return false;
}

/*
 * The highest page of the working set pick=ws confines a churn to: the
 * n owned pages of lowest GPA (all of them when the guest owns no more).
 * A churn neither takes nor frees pages, so the set stays the same while
 * it runs.
 */
static uint64_t ws_hi_pfn(uint64_t n)
{
	for (uint64_t pfn = wl.lo_pfn; n && pfn <= wl.hi_pfn; pfn++)
		if (wl.page_state[pfn] && !--n)
			return pfn;
	return wl.hi_pfn;
}

/*
 * The longest the workload went without progress, as the guest sees it:
 * the TSC between two page re-touches of a churn (its own sleeps left
 * out).  Whatever the host does to the guest (a pause, the refault of a
 * moved page, a vCPU thread preempted) shows up here; reported as the
 * GR_STAT "churn_stall_ns": the longest, and how many passed 100 us,
 * 200 us and 1 ms.
 */
struct stall_watch {
	uint64_t prev, max, over[3], limit[3];
};

static void stall_start(struct stall_watch *w)
{
	static const uint64_t us[3] = { 100, 200, 1000 };

	for (int i = 0; i < 3; i++)
		w->limit[i] = us[i] * kernel.tsc_khz / 1000;
	w->prev = rdtsc();
}

static inline void stall_tick(struct stall_watch *w)
{
	uint64_t t = rdtsc(), gap = t - w->prev;

	w->prev = t;
	if (gap > w->max)
		w->max = gap;
	for (int i = 0; i < 3 && gap > w->limit[i]; i++)
		w->over[i]++;
}

/*
 * Re-touch random owned pages (pick=ws: of the working set alone) at rate
 * pages/s for ns: verify, then rewrite with the next generation.  Returns
 * bytes re-touched.
 */
static uint64_t churn(const struct cmd *c)
{
	struct job j = { .first_bad = UINT64_MAX };
	uint64_t ws = c->size >> PAGE_SHIFT, start = now_ns(), done = 0;
	uint64_t end = deadline_after(start, c->ns), rate = c->count, now;
	uint64_t hi;
	bool polled;
	struct stall_watch w = { 0 };

	if (wl.owned < ws)
		touch(ws - wl.owned, NODE_ANY, c->ratio);
	/* pick=ws with ws 0: nothing to re-touch. */
	hi = c->pick == CHURN_PICK_WS ? (ws ? ws_hi_pfn(ws) : 0) : wl.hi_pfn;
	stall_start(&w);
	while ((now = now_ns()) < end) {
		uint64_t el = now - start, due, batch;

		if (power_poll_often(&polled))
			break;
		if (polled)
			w.prev = rdtsc(); /* asking the host is no stall */

		due = rate ? el / 1000000000 * rate +
				      el % 1000000000 * rate / 1000000000 :
			     done + 4096;
		if (due <= done) {
			uint64_t next = start + (done + 1) * 1000000000 / rate;

			sleep_until(MIN(MAX(next, now + 1000000), end));
			w.prev = rdtsc(); /* a sleep is no stall */
			continue;
		}
		batch = MIN(due - done, 4096UL);
		for (uint64_t i = 0; i < batch; i++) {
			uint64_t pfn;

			if (!random_owned(wl.lo_pfn, hi, &pfn))
				break;
			check_page(&j, pfn);
			wl.page_state[pfn] = sig_next_gen(wl.page_state[pfn]);
			sig_write(pfn, wl.page_state[pfn]);
			stall_tick(&w);
		}
		done += batch;
	}
	printk("churn: %lu pages re-touched, %lu bad\n", done, j.bad);
	report(GR_VERIFY, "churn", done, j.bad, j.bad ? j.first_bad : 0, 0);
	report(GR_STAT, "churn_stall_ns", tsc_to_ns(w.max), w.over[0],
	       w.over[1], w.over[2]);
	wl.bad_total += j.bad;
	return done << PAGE_SHIFT;
}

/* Enter CPL0 on purpose: entry.S's #UD stub looks at the magic. */
static void gate(uint64_t magic)
{
	asm volatile("ud2" : : "a"(magic) : "memory");
}

/* Runs a command list; returns a non-zero status to stop early. */
static int run_list(const struct script *s, int16_t idx)
{
	for (; idx >= 0; idx = s->cmd[idx].next) {
		const struct cmd *c = &s->cmd[idx];
		uint64_t t0, bytes = 0, checked, bad;
		int ret;

		if (c->op == CMD_REPEAT) {
			for (uint64_t i = 0; i < c->count; i++)
				if ((ret = run_list(s, c->body)))
					return ret;
			continue;
		}
		phase_start(c);
		t0 = now_ns();
		switch (c->op) {
		case CMD_TOUCH:
			bytes = touch(c->size >> PAGE_SHIFT, c->node, c->ratio)
				<< PAGE_SHIFT;
			if (bytes < (c->size & ~(PAGE_SIZE - 1)) &&
			    !power_off_pending())
				return STATUS_NO_MEMORY;
			break;
		case CMD_HOLD:
			bytes = wl.owned << PAGE_SHIFT;
			sleep_until(deadline_after(t0, c->ns));
			break;
		case CMD_SLEEP:
			sleep_until(deadline_after(t0, c->ns));
			break;
		case CMD_FREE: {
			uint64_t n = c->size == SIZE_ALL ?
					     UINT64_MAX :
					     c->size >> PAGE_SHIFT;

			bytes = (c->count ? free_every(n, c->count) :
					    free_pages(n))
				<< PAGE_SHIFT;
			break;
		}
		case CMD_CHURN:
			bytes = churn(c);
			break;
		case CMD_VERIFY:
			verify(&checked, &bad);
			bytes = checked << PAGE_SHIFT;
			break;
		case CMD_CRASH:
			printk("crash: triple fault on purpose\n");
			gate(GATE_MAGIC_CRASH);
			break;
		case CMD_HALT:
			printk("halt: cli; hlt on purpose\n");
			gate(GATE_MAGIC_HALT);
			break;
		case CMD_BALLOON:
			if (c->count == 2) {
				if (balloon_use_irq())
					return STATUS_NO_IRQ;
			} else {
				balloon_set_deaf(c->count);
			}
			break;
		case CMD_EVIL:
			balloon_evil(c->count);
			break;
		case CMD_POWER:
			power_set_deaf(c->count);
			break;
		case CMD_EXIT:
			phase_end(c, t0, 0);
			return (int)c->count ? (int)c->count : RUN_EXIT_0;
		}
		phase_end(c, t0, bytes);
		/* Cut short, or asked meanwhile: no further command. */
		if (power_poll_often(NULL))
			return RUN_POWER_OFF;
	}
	return 0;
}

/*
 * The host asked us to shut down: what the workload holds is verified
 * once more, in a phase of its own, and that is the guest's last word
 * (its exit status says whether every page was intact).
 */
static int power_off(void)
{
	uint64_t t0 = now_ns(), checked, bad;
	char sz[24];

	printk("shutdown: asked by the host; verifying %s held\n",
	       fmt_size(sz, sizeof(sz), wl.owned << PAGE_SHIFT));
	report(GR_PHASE_START, "shutdown", wl.phase, 0, 0, 0);
	verify(&checked, &bad);
	report(GR_PHASE_END, "shutdown", wl.phase, now_ns() - t0,
	       checked << PAGE_SHIFT, 0);
	wl.phase++;
	return wl.bad_total ? STATUS_CORRUPT : STATUS_OK;
}

int workload_run(const struct script *s)
{
	int ret = power_poll() ? RUN_POWER_OFF : run_list(s, s->head);

	if (ret == RUN_POWER_OFF)
		return power_off();
	if (ret == RUN_EXIT_0)
		return 0;
	if (ret)
		return ret;
	return wl.bad_total ? STATUS_CORRUPT : STATUS_OK;
}
