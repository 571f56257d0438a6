// SPDX-License-Identifier: GPL-2.0
/*
 * One runner for all Check suites.  Each module has its own suite in
 * tests/check_<module>.c; suites that need /dev/kvm are left out with a
 * SKIP line (and the reason) where it is missing, never passed silently.
 *
 * CK_RUN_SUITE / CK_RUN_CASE select, CK_FORK=no debugs under gdb.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/runner.h"
#include "vmm/host/trace_events.h"

struct suite_entry {
	Suite *(*make)(void);
	bool needs_kvm;
};

#define SUITE(fn, kvm) { fn, kvm },
#define DECLARE(fn, kvm) Suite *fn(void);
#define SUITES(X) /* X(constructor, needs_kvm) */ \
	X(buddy_suite, false)                     \
	X(watermark_suite, false)                 \
	X(node_suite, false)                      \
	X(page_alloc_suite, false)                \
	X(compaction_scan_suite, false)           \
	X(compaction_direct_suite, false)         \
	X(compaction_kcompactd_suite, false)      \
	X(pcp_suite, false)                       \
	X(pool_suite, false)                      \
	X(memory_hotplug_suite, false)            \
	X(fail_page_alloc_suite, false)           \
	X(stress_suite, false)                    \
	X(vmstat_suite, false)                    \
	X(trace_events_suite, false)              \
	X(guest_mem_suite, false)                 \
	X(guest_mem_migrate_suite, false)         \
	X(guest_mem_discard_suite, false)         \
	X(oom_kill_suite, false)                  \
	X(policy_suite, false)                    \
	X(reclaim_suite, false)                   \
	X(options_suite, false)                   \
	X(script_suite, false)                    \
	X(host_limits_suite, false)               \
	X(event_loop_suite, false)                \
	X(host_events_suite, false)               \
	X(ctl_suite, false)                       \
	X(host_compact_suite, false)              \
	X(virtio_suite, false)                    \
	X(loader_suite, false)                    \
	X(kvm_suite, false)                       \
	X(vcpu_load_suite, false)                 \
	X(cpu_cgroup_suite, false)                \
	X(trace_parse_suite, false)               \
	X(trace_dist_suite, false)                \
	X(trace_latency_suite, false)             \
	X(trace_chrome_suite, false)              \
	X(overcommit_scenario_suite, false)       \
	X(kvm_stats_suite, false)                 \
	X(vm_suite, true)                         \
	X(host_suite, true)                       \
	X(host_headroom_suite, true)              \
	X(host_migrate_suite, true)               \
	X(compact_kvm_suite, true)                \
	X(balloon_suite, true)                    \
	X(ctl_guests_suite, true)                 \
	X(overcommit_suite, true)

SUITES(DECLARE)

static const struct suite_entry suites[] = { SUITES(SUITE){ NULL, false } };

bool kvm_available(const char **why)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		*why = errno == ENOENT ? "/dev/kvm does not exist" :
					 "/dev/kvm cannot be opened";
		return false;
	}
	close(fd);
	return true;
}

int main(void)
{
	const char *why = NULL;
	bool kvm = kvm_available(&why);
	SRunner *sr = NULL;
	int failed;

	/* The suites print and parse every layer's events by name, as a
	 * program that traces does. */
	failed = host_trace_events_register();
	if (failed) {
		fprintf(stderr, "trace events: %s\n", strerror(-failed));
		return EXIT_FAILURE;
	}
	for (const struct suite_entry *e = suites; e->make; e++) {
		Suite *s;

		if (e->needs_kvm && !kvm) {
			printf("SKIP: a KVM suite: %s\n", why);
			continue;
		}
		s = e->make();
		if (!sr)
			sr = srunner_create(s);
		else
			srunner_add_suite(sr, s);
	}
	if (!sr) {
		fprintf(stderr, "no test suite to run\n");
		return EXIT_FAILURE;
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
