// SPDX-License-Identifier: GPL-2.0
/*
 * bench_swap's measurement of finding cold pages (tools/bench_swap.c;
 * idle sampling, docs/cold_pages.md): a guest churns its whole working
 * set of 64 MiB (re-writes and verifies random pages as fast as it can)
 * in phases of PHASE_MS, scanning off and on by turns, one pass at the
 * start of each "on" phase (20 times the default rate: each pass drops
 * every unit, and the guest refaults each one it touches).  Its
 * throughput per second of its vCPU's CPU time, each "on" phase against
 * the "off" phases on either side, median of those ratios; once with
 * the guest in 2 MiB pageblock mappings, once in 4 KiB frames (the
 * headline: the dearer).  The loss is per pass: at the default interval
 * it is 20 times smaller, and that is the headline
 * swap.track_overhead_pct (the one measured is _at_500ms).  And a
 * pass's cost per MiB of guest memory, the guest running.
 *
 * The guest's own checks must pass (swap.huge.guest_ok,
 * swap.small.guest_ok).  Prints `name value unit` lines.
 * docs/PERFORMANCE.md has the figures.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/bench/swap_track.h"
#include "util/errf.h"
#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/cold.h"
#include "vmm/kvm/vm.h"
#include "vmm/kvm/vcpu.h"

#define WS_MIB 64
#define GUEST_MIB 96
#define PHASE_MS 500
/* Churn phases after the warm-up: off, on, off, ..., off (8 ratios of
 * "on" to the "off" around it: bench_swap has 90 s for all it does). */
#define NR_TRACK 17
#define NR_ON (NR_TRACK / 2)
#define TRACK_INTERVAL_MS 500
#define MAX_PASSES 64

struct track {
	double mib_s[NR_TRACK];
	/* Each on phase against the mean of the off phases around it:
	 * the host's other load drifts over seconds, not within three. */
	double ratio[NR_ON];
	double us_per_mib[MAX_PASSES];
	int passes;
};

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Phases ended so far, or -ESRCH when the guest is gone. */
static int phases_done(struct bench *b, unsigned int id)
{
	struct vm_summary s;

	if (host_guest_summary(b->h, id, &s))
		return -ESRCH;
	return s.nr_phases;
}

/* One pass over the guest now (all of it: the budget is larger),
 * timed: its cost per MiB of the guest's backed memory. */
static void timed_pass(struct bench *b, unsigned int id, struct track *t)
{
	struct guest_mem_stats st;
	uint64_t t0 = trace_clock_ns(), ns;
	long units = host_cold_scan_all(b->h, COLD_SCAN_UNITS);

	ns = trace_clock_ns() - t0;
	guest_mem_get_stats(host_vm(b->h, id)->mem, &st);
	if (units > 0 && st.pages && t->passes < MAX_PASSES)
		t->us_per_mib[t->passes++] =
			ns / 1e3 / (st.pages * PAGE_SIZE / 1048576.0);
}

/*
 * Phase 0 touches, 1 warms up, 2.. churn: scanning during the odd ones
 * of these (3, 5, ...), none during the others.
 */
static int track(struct bench *b, const char *prefix, struct track *t)
{
	char script[256];
	struct vm_summary s;
	unsigned int id;
	uint64_t last = 0, cpu_ns[2 + NR_TRACK + 1] = { 0 };
	clockid_t vcpu_clock;
	int ret, done, seen = 0;

	snprintf(
		script, sizeof(script),
		"touch %uM; churn ws=%uM rate=0 time=1s; repeat %u { churn ws=%uM rate=0 time=%ums }; verify",
		WS_MIB, WS_MIB, NR_TRACK, WS_MIB, PHASE_MS);
	ret = bench_start(b, "churner", GUEST_MIB, script, 1, &id);
	if (ret)
		return ret;
	ret = pthread_getcpuclockid(host_vm(b->h, id)->vcpu[0]->thread,
				    &vcpu_clock);
	if (ret)
		return errf(b->err, sizeof(b->err), -ret,
			    "the vCPU's clock: %s", strerror(ret));
	while ((done = phases_done(b, id)) >= 0 && done <= 2 + NR_TRACK) {
		uint64_t now = trace_clock_ns();

		/* The vCPU's CPU time where each phase starts: on a host
		 * shared with other work the guest's own clock counts the
		 * time its thread waited for a CPU, which varies by half
		 * from one second to the next here; the CPU time it used
		 * does not, and the refaults are charged to it. */
		for (; seen < done; seen++) {
			struct timespec ts;

			clock_gettime(vcpu_clock, &ts);
			cpu_ns[seen + 1] =
				ts.tv_sec * 1000000000ULL + ts.tv_nsec;
		}
		if (done == 2 + NR_TRACK)
			break;

		/* Phase `done` is running: scan while it is an "on" one. */
		if (done >= 3 && done % 2 &&
		    now - last >= TRACK_INTERVAL_MS * 1000000ULL) {
			timed_pass(b, id, t);
			last = now;
		}
		sleep_ms(1);
	}
	if (done < 0 || host_guest_summary(b->h, id, &s))
		return errf(b->err, sizeof(b->err), -ESRCH,
			    "the guest ended early");
	for (int i = 0; i < NR_TRACK; i++) {
		const struct vm_phase *p = &s.phase[2 + i];

		t->mib_s[i] = p->bytes / 1048576.0 /
			      ((cpu_ns[2 + i + 1] - cpu_ns[2 + i]) / 1e9);
	}
	for (int i = 1; i < NR_TRACK; i += 2)
		t->ratio[i / 2] =
			t->mib_s[i] / ((t->mib_s[i - 1] + t->mib_s[i + 1]) / 2);
	printf("%s.guest_ok %d bool\n", prefix, bench_guest_ok(b, id, 1));
	return 0;
}

/* The figures of one track() run, under prefix. */
/* The medians of the "on" phases (odd) and of the "off" ones. */
static double median_on(struct track *t)
{
	double on[NR_ON];

	for (int i = 0; i < NR_ON; i++)
		on[i] = t->mib_s[2 * i + 1];
	return bench_median(on, NR_ON);
}

static double median_off(struct track *t)
{
	double off[NR_TRACK - NR_ON];

	for (int i = 0; i < NR_TRACK - NR_ON; i++)
		off[i] = t->mib_s[2 * i];
	return bench_median(off, NR_TRACK - NR_ON);
}

static void print_track(const char *prefix, struct track *t)
{
	printf("%s_on_mib_s %.1f MiB/s\n", prefix, median_on(t));
	printf("%s_off_mib_s %.1f MiB/s\n", prefix, median_off(t));
	printf("%s_overhead_pct %.1f %%\n", prefix,
	       100 * (1 - bench_median(t->ratio, NR_ON)));
}

/* ... and the passes' cost. */
static void print_scan(const char *prefix, struct track *t)
{
	printf("%s_passes %d passes\n", prefix, t->passes);
	if (t->passes)
		printf("%s_scan_us_per_mib %.1f us/MiB\n", prefix,
		       bench_median(t->us_per_mib, t->passes));
}

int bench_swap_track(struct bench *b)
{
	struct track huge = { 0 }, small = { 0 };
	bool no_huge = b->res.no_huge;
	int ret;

	printf("swap.track_interval_ms %d ms\n", TRACK_INTERVAL_MS);
	printf("swap.track_ws_mib %d MiB\n", WS_MIB);
	/* Guest memory in 2 MiB pageblock mappings (what a fault gives
	 * while the pool has pageblocks), then in 4 KiB frames. */
	ret = track(b, "swap.huge", &huge);
	if (!ret) {
		b->res.no_huge = true;
		ret = track(b, "swap.small", &small);
		b->res.no_huge = no_huge;
	}
	if (ret)
		return ret;
	print_track("swap.track_huge", &huge);
	print_scan("swap.track_huge", &huge);
	print_track("swap.track_small", &small);
	print_scan("swap.track_small", &small);
	/* The headline: 4 KiB frames, the dearer of the two (every page
	 * refaults by itself; a pageblock mapping refaults whole), as
	 * measured with a pass every TRACK_INTERVAL_MS ... */
	printf("swap.track_on_mib_s %.1f MiB/s\n", median_on(&small));
	printf("swap.track_off_mib_s %.1f MiB/s\n", median_off(&small));
	printf("swap.track_overhead_pct_at_%dms %.1f %%\n", TRACK_INTERVAL_MS,
	       100 * (1 - bench_median(small.ratio, NR_ON)));
	/* ... and as the scanner runs by default: what a pass costs the
	 * guest is per pass (every unit dropped, each refaulted once), so
	 * at the default interval it is that many times rarer.  Measured
	 * at the default interval itself, a loss this small would drown in
	 * this host's 10-30% noise between phases. */
	printf("swap.track_overhead_pct %.2f %%\n",
	       100 * (1 - bench_median(small.ratio, NR_ON)) *
		       TRACK_INTERVAL_MS / COLD_SCAN_INTERVAL_MS_DEFAULT);
	printf("swap.scan_us_per_mib %.1f us/MiB\n",
	       bench_median(small.us_per_mib, small.passes));
	return 0;
}
