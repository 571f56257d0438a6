// SPDX-License-Identifier: GPL-2.0
/*
 * check_all: every suite but mm's own (tests/mm/runner_mm.c): the reclaim
 * engine, guest memory, virtio, KVM, the host, the control socket, the
 * tools, and the trace events of every layer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/runner.h"
#include "vmm/host/trace_events.h"

#define SUITES(X) /* X(constructor, needs_kvm) */ \
	X(trace_events_suite, false)              \
	X(guest_mem_suite, false)                 \
	X(guest_mem_migrate_suite, false)         \
	X(guest_mem_discard_suite, false)         \
	X(guest_mem_idle_suite, false)            \
	X(policy_suite, false)                    \
	X(reclaim_suite, false)                   \
	X(options_suite, false)                   \
	X(metrics_suite, false)                   \
	X(script_suite, false)                    \
	X(host_limits_suite, false)               \
	X(event_loop_suite, false)                \
	X(host_events_suite, false)               \
	X(ctl_suite, false)                       \
	X(ctl_socket_suite, false)                \
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
	X(trace_session_suite, false)             \
	X(overcommit_scenario_suite, false)       \
	X(kvm_stats_suite, false)                 \
	X(vm_suite, true)                         \
	X(vm_close_suite, true)                   \
	X(host_suite, true)                       \
	X(swap_kvm_suite, true)                   \
	X(swap_stress_kvm_suite, true)            \
	X(host_headroom_suite, true)              \
	X(host_migrate_suite, true)               \
	X(compact_kvm_suite, true)                \
	X(cold_kvm_suite, true)                   \
	X(churn_kvm_suite, true)                  \
	X(balloon_suite, true)                    \
	X(counters_suite, true)                   \
	X(ctl_guests_suite, true)                 \
	X(ctl_pressure_suite, true)               \
	X(metrics_kvm_suite, true)                \
	X(psi_kvm_suite, true)                    \
	X(overcommit_suite, true)                 \
	X(trace_session_kvm_suite, true)

SUITES(SUITE_DECLARE)

static const struct suite_entry suites[] = {
	SUITES(SUITE_ENTRY) /* the end: */ { NULL, false },
};

int main(void)
{
	/* The suites print and parse every layer's events by name, as a
	 * program that traces does. */
	int ret = host_trace_events_register();

	if (ret) {
		fprintf(stderr, "check_all: trace events: %s\n",
			strerror(-ret));
		return EXIT_FAILURE;
	}
	return run_suites("check_all", suites);
}
