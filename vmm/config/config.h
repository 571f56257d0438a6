/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the user asked for: the pool and every guest, as parsed from the
 * command line (vmm/config/options.c) or, later, from a scenario or the control
 * socket.  Plain data, no resources: it can be copied and freed freely.
 */
#ifndef VMM_CONFIG_H
#define VMM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/abi.h"
#include "util/listen_addr.h"

#define VMM_MAX_GUESTS 64
#define VMM_MAX_VCPUS 16
#define VMM_NAME_MAX 32
#define VMM_MAX_POOL_NODES 8
/* cpu_max= is a percentage of one host CPU: 1 .. CPU_MAX_PCT. */
#define CPU_MAX_PCT 1600

struct guest_spec {
	char name[VMM_NAME_MAX];
	uint64_t mem_bytes; /* guest RAM, 2 MiB multiple */
	unsigned int nr_vcpus;
	unsigned int nr_vnodes; /* guest NUMA nodes, RAM split evenly */
	/* pool node behind each guest node (-1: let the VMM choose) */
	int vnode_to_pnode[GUEST_MAX_NODES];
	bool strict; /* __GFP_THISNODE: never fall back to another node */
	uint64_t pinned_bytes; /* unmovable region at the start of node 0 */
	/* floor=: reclaim never balloons it below this (memory.min for a
	 * guest); without it, the host's --balloon-floor. */
	bool floor_set;
	uint64_t floor_bytes;
	/* swap=: the most of its memory the cold tier may hold (cgroup
	 * v2's memory.swap.max; 0: none of it); without it, no bound. */
	bool swap_set;
	uint64_t swap_bytes;
	int oom_score_adj; /* -1000 .. 1000 as in Linux */
	/* cpu_max=: its vCPUs together get at most this percentage of one
	 * host CPU (vmm/kvm/cpu_cgroup.h); 0: unbounded. */
	unsigned int cpu_max_pct;
	char *script; /* workload, guest command line (owned) */
	char *kernel_path; /* NULL: the built-in guest */
};

struct vmm_config {
	uint64_t pool_bytes; /* what runs (options_check() rounds) */
	uint64_t pool_asked_bytes; /* --pool, when rounded down; else 0 */
	/* The pool is the default, not --pool: it may shrink to fit what
	 * the host will give (vmm/host/limits.h) rather than be refused. */
	bool pool_default;
	/* Neither check the host's memory limits at start nor keep the
	 * pool within them at run time (--host-limits off). */
	bool host_limits_off;
	/* Memory kept for vmm itself beside the pool; 0: 32 MiB + 1/32 of
	 * the pool (host_reserve_bytes()). */
	uint64_t host_reserve_bytes;
	/* Where the host's files are read (tests: a fake cgroup tree);
	 * NULL: "/".  Not owned. */
	const char *host_root;
	unsigned int nr_nodes;
	uint64_t movable_bytes; /* per node, like movablecore= */
	uint64_t min_free_kbytes; /* 0: computed like the kernel */
	unsigned int watermark_scale_factor; /* in 1/10000 of a zone */
	unsigned int distance[VMM_MAX_POOL_NODES][VMM_MAX_POOL_NODES];
	bool hugepages; /* MADV_HUGEPAGE the pool */
	char *trace_path; /* NULL: no trace file */
	unsigned int trace_events; /* trace ring size in events, 0: 65536 */
	bool trace_page_events; /* mm_page_alloc/free in traces too */
	uint64_t trace_sample_ns; /* memory samples into traces; 0: none */
	unsigned int stats_interval_ms; /* 0: no periodic stats */
	bool verbose;
	bool console_off; /* guests' consoles not shown */
	/* Reclaim (mm/vmscan.h, balloon/shrinker.h); zeroes mean the defaults
	 * there. */
	bool balloon_off; /* no balloons: no reclaim, only OOM */
	bool deflate_off; /* never give memory back to guests */
	bool irqchip_off; /* no in-kernel irqchip: guests poll, HLT exits */
	/* Compaction (mm/compaction.h, vmm/host/khugepaged.h); zeroes mean the
	 * defaults there. */
	bool compaction_off; /* no kcompactd and no collapse thread */
	bool proactiveness_set; /* else the default (20) */
	unsigned int proactiveness; /* 0..100; 0: no proactive compaction */
	unsigned int extfrag_threshold; /* 0: default (500) */
	unsigned int compact_batch; /* frames per migrate call, 0: 32 */
	bool collapse_off; /* no collapse thread */
	unsigned int collapse_interval_ms; /* 0: 1 s */
	unsigned int collapse_scan, collapse_max; /* per pass, 0: 512, 8 */
	/* Cold pages (vmm/host/cold.h); zeroes mean the defaults there. */
	bool cold_scan_off; /* no scanner: no page is ever cold */
	unsigned int cold_scan_interval_ms;
	unsigned int cold_age_ms; /* untouched this long: cold */
	uint64_t balloon_floor_bytes;
	uint64_t balloon_step_bytes; /* smallest request to one guest */
	uint64_t deflate_step_bytes; /* most given back per round */
	unsigned int deflate_margin_pct; /* of the node, above HIGH */
	unsigned int guest_timeout_ms;
	unsigned int direct_timeout_ms;
	unsigned int kswapd_step_ms;
	/* The cold tier's compressed store at most (swap/tier.h); unset:
	 * 20% of the pool, as zswap's max_pool_percent; 0: no tier. */
	bool swap_store_set;
	uint64_t swap_store_bytes;
	unsigned int swap_compressor; /* enum zcomp_alg: lz4, zstd */
	/* Proactive eviction of cold pages while a guest's memory stall
	 * stays under this many ms per 6 s (vmm/host/proactive.c); 0:
	 * off. */
	unsigned int swap_proactive_ms;
	char *swap_file_path; /* NULL: no swap file */
	bool swap_file_size_set;
	uint64_t swap_file_bytes;
	/* Give free pageblocks back to the host this often (io_uring);
	 * 0: never. */
	unsigned int release_interval_ms;
	/* `vmm host`: keep running with no guest, until told to quit. */
	bool host_mode;
	/* SIGINT/SIGTERM, quit and guest-stop ask guests to shut down and
	 * kill them after this long; 0: stop them at once. */
	uint64_t shutdown_timeout_ns;
	/* The control socket; NULL: none (vmm run), the default (vmm host:
	 * vmm_run() finds it, vmm/ctl/path.h). */
	char *socket_path;
	char *kernel_path; /* --kernel: for guests without kernel= */
	/* Serve Prometheus metrics there (vmm/metrics/); len 0: not. */
	struct listen_addr metrics_addr;
	/* Move guest pages with the whole guest paused per batch rather
	 * than under migration entries (docs/compaction.md). */
	bool migrate_by_pause;
	unsigned int nr_guests;
	struct guest_spec guest[VMM_MAX_GUESTS];
};

#endif /* VMM_CONFIG_H */
