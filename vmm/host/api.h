/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host as the programs that run guests in it see it (the overcommit
 * runner, the benchmarks, tools/frag): a pool and its guests behind
 * functions.  struct vmm_host stays opaque here; host.h defines it for
 * the host's own files, the control socket and the CLI.
 *
 * A guest is named by the id host_launch() gave it, never given twice.
 * It is there until host_reap() frees it; a function given the id of a
 * guest that is not (any more) returns -ENOENT.
 *
 * Context: the thread that owns the host (the one that reaps its guests)
 * unless a function says otherwise.  "Any thread": it takes the host's
 * lock (struct vmm_host.lock) for what it reads or does, so no guest is
 * freed meanwhile; none of these is called with that lock held.
 */
#ifndef VMM_HOST_API_H
#define VMM_HOST_API_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mm/mmzone.h"
#include "mm/psi.h"
#include "mm/trace.h"
#include "util/histogram.h"
#include "vmm/config/config.h"
#include "vmm/guest_mem/guest_mem.h"
#include "vmm/kvm/kvm_stats.h"
#include "vmm/kvm/vm.h"
#include "vmm/virtio/balloon.h"

struct vmm_host;
struct mm_pool;
struct migrate_req;
struct trace_ring;

/* ------------------------------------------------------------ the host */

int host_create(const struct vmm_config *cfg, struct vmm_host **out, char *err,
		size_t errlen) __must_check;
/* Stops and reaps every guest left, stops the host's threads, frees it. */
void host_destroy(struct vmm_host *h);
/*
 * Where the host writes: each guest's report as it is reaped (stdout
 * until set), the OOM killer's reports and host-limit notices (stderr),
 * warnings about the host such as more vCPUs than CPUs (stderr).  NULL
 * leaves that one as it is.  The caller keeps them open until
 * host_destroy().  Context: before the first launch.
 */
void host_set_output(struct vmm_host *h, FILE *reports, FILE *oom_log,
		     FILE *warn_log);
/*
 * The pool, for its own interface (mm/mm.h: what a launch's
 * vm_resources.pool names, the trace ring, the footprint, compaction,
 * page allocation).  It lives as long as the host.  Context: any thread.
 */
struct mm_pool *host_pool(struct vmm_host *h);

/*
 * The pool's trace ring (mm/trace.h), for a program that drains it
 * itself instead of through a tracing session (below).  Any thread.
 */
struct trace_ring *host_trace_ring(struct vmm_host *h);

/* The pool now, node by node.  Pages unless a name says otherwise. */
struct host_node_stats {
	unsigned long free; /* on the free lists and in page caches */
	unsigned long wmark[NR_WMARK]; /* min, low, high: its zones summed */
	unsigned long offline; /* the host would not back them (limits.h) */
	unsigned long spanned; /* the node's share of the pool */
	uint64_t deflated; /* its kswapd asked out of balloons (0: no reclaim) */
	/* Linux's fragmentation score, 0..100: the share of its free memory
	 * in blocks smaller than a pageblock, zones weighted by size
	 * (fragmentation_score_node()).  Read from the free areas' counts
	 * without the zone locks, as free is: a block in flight may be off. */
	unsigned int frag_score;
};

struct host_stats {
	uint64_t pool_bytes;
	unsigned int nr_nodes;
	bool hugepages; /* the host backs the pool with hugepages */
	unsigned long free; /* pages, every node */
	unsigned int nr_running; /* guests launched and not yet reaped */
	/* Proactive compaction: kcompactd compacts a node whose frag_score
	 * is above frag_score_high until it is at frag_score_low; both 0
	 * when proactiveness is 0 (none).  From the knob, no lock. */
	unsigned int frag_score_low, frag_score_high;
	struct host_node_stats node[VMM_MAX_POOL_NODES];
	/* The cold tier (docs/cold_tier.md), in pages; all 0 without one:
	 * meminfo's SwapTotal and SwapFree (its swap file), Zswap (the
	 * stores' frames) and Zswapped (what they hold), and the pages in
	 * the swap file. */
	struct host_tier_stats {
		bool present;
		uint64_t swap_total, swap_free, zswap, zswapped, in_file;
	} tier;
};

/* A snapshot; counters read without the allocator's locks.  Any thread. */
void host_get_stats(struct vmm_host *h, struct host_stats *st);

/* One zone of the pool now, in pages. */
struct host_zone_stats {
	unsigned int node;
	const char *name; /* "Normal", "Movable": static */
	unsigned long free; /* on its free lists (what watermarks check) */
	unsigned long managed; /* the allocator's to hand out */
	unsigned long wmark[NR_WMARK]; /* min, low, high */
	unsigned long returned; /* free, and given back to the host */
	unsigned long offline; /* the host would not back them (limits.h) */
};

/*
 * Up to max populated zones, node by node: how many.  Read without the
 * zone locks, as the watermark checks read them (each value is one
 * load, of then or of now).  Any thread.
 */
unsigned int host_zone_stats(struct vmm_host *h, struct host_zone_stats *zs,
			     unsigned int max);

/* The slow path's latencies since the host began, in ns. */
struct host_pool_latency {
	struct histogram direct_reclaim; /* per direct reclaim */
	struct histogram direct_compact; /* per direct compaction */
};

/* A copy (hist_snapshot()); takes no lock.  Any thread. */
void host_pool_latency(struct vmm_host *h, struct host_pool_latency *lat);
/* One line: time, free memory per node against its watermarks, guests. */
void host_print_stats_line(struct vmm_host *h, FILE *f);
/* The pool at the end: footprint, buddyinfo, key vmstat counters. */
void host_print_pool_summary(struct vmm_host *h, FILE *f);
/*
 * /proc/meminfo's lines of what vmm has, in its format: MemTotal (the
 * pool's managed pages), MemFree, and the cold tier's SwapTotal and
 * SwapFree (its swap file), Zswap (the stores' frames) and Zswapped
 * (what they hold); 0 where there is none.  Any thread.
 */
void host_show_meminfo(struct vmm_host *h, FILE *f);
/* mm_validate() with the guests' reverse maps, and every guest's
 * swapped pages against the cold tier's entries
 * (guest_mem_validate_swap()); 0 or -EUCLEAN.  Any thread. */
int host_validate(struct vmm_host *h, char *err, size_t errlen);

/* -------------------------------------------------------------- guests */

/* Create and start a guest; its id through *id (set once it exists: a
 * guest that fails to start has one and must be reaped).  Ids start at 1
 * and are never given twice in a host's life. */
int host_launch(struct vmm_host *h, const struct guest_spec *spec,
		const struct vm_resources *res, unsigned int *id, char *err,
		size_t errlen) __must_check;
/* The id the next launch will get (a failed launch uses one up too).
 * Any thread. */
unsigned int host_next_id(struct vmm_host *h);
/* Guests launched and not yet reaped.  Any thread. */
unsigned int host_nr_running(struct vmm_host *h);
/* Up to max of their ids into ids, in no particular order; how many.
 * Any thread. */
unsigned int host_guest_ids(struct vmm_host *h, unsigned int *ids,
			    unsigned int max);

/*
 * What the cold tier has of a guest now, in bytes: the compressed bytes
 * its pages take in the stores, and its pages in the swap file; and what
 * its faults brought back from the tier since it started (its
 * workingset_refault_anon, times the page size).  Zero without a tier.
 */
struct host_guest_swap {
	uint64_t stored_bytes;
	uint64_t file_bytes;
	uint64_t refaulted_bytes;
};

/* What users read of a guest, at one moment. */
struct host_guest_info {
	unsigned int id;
	char name[VMM_NAME_MAX];
	enum vm_state state;
	enum vm_exit_reason why; /* VM_EXIT_NONE while it runs */
	char detail[VM_DETAIL_MAX]; /* why, in words */
	uint64_t ram_bytes;
	struct guest_mem_stats mem; /* zero without pool memory */
	struct host_guest_swap swap;
	bool has_balloon;
	struct balloon_info balloon; /* if it has one */
	struct vm_summary sum; /* what the guest reported */
};

/* 0 or -ENOENT.  Any thread. */
int host_guest_info(struct vmm_host *h, unsigned int id,
		    struct host_guest_info *gi);
/* A guest's latencies since it started, in ns. */
struct host_guest_latency {
	struct histogram fault; /* uffd event to the vCPU woken */
	struct histogram migrate_pause; /* per migration batch */
	struct histogram balloon; /* balloon request to completion */
	struct histogram swap_in; /* faults served from the cold tier */
};

/*
 * A copy (hist_snapshot()), taken under the host's lock: about 3000
 * loads, a few microseconds, and nothing of the guest's own waits for
 * it.  0 or -ENOENT.  Any thread.
 */
int host_guest_latency(struct vmm_host *h, unsigned int id,
		       struct host_guest_latency *lat);
/* Only what the guest reported (cheaper, for polling): 0 or -ENOENT.
 * Any thread. */
int host_guest_summary(struct vmm_host *h, unsigned int id,
		       struct vm_summary *s);
/*
 * An fd that becomes readable when the guest has stopped, for poll() or
 * an event loop (do not read it); it is the guest's until host_reap().
 * The fd or -ENOENT.  Any thread.
 */
int host_guest_stop_fd(struct vmm_host *h, unsigned int id);
/*
 * Stop the guest now, for reason and why (the detail users see); one
 * that is stopping already keeps its own.  0 or -ENOENT.  Any thread.
 */
int host_guest_stop(struct vmm_host *h, unsigned int id,
		    enum vm_exit_reason reason, const char *why);
/*
 * Wait up to timeout_ms (-1: for as long as it takes) for the guest to
 * stop, then join its vCPU threads: 0, -ETIMEDOUT (it still runs), or
 * -ENOENT.  host_reap() frees it after.
 */
int host_guest_wait(struct vmm_host *h, unsigned int id, int timeout_ms);
/* Stop every running guest (SIGINT/SIGTERM, shutdown).  Any thread. */
void host_stop_all(struct vmm_host *h, const char *why);
/* Ask every running guest to shut down (vm_request_shutdown(), no
 * time-out of its own); how many were asked.  Any thread. */
unsigned int host_shutdown_all(struct vmm_host *h);
/* Those asked that are still running when their time is up: killed.
 * Any thread. */
void host_kill_unresponsive(struct vmm_host *h);
/* A guest's stop fd fired: join it, report how it ended, free it. */
void host_reap(struct vmm_host *h, unsigned int id);
/* KVM's own statistics of how it maps the guest: 0, -ENOENT, or the
 * -errno of reading them. */
int host_guest_kvm_pages(struct vmm_host *h, unsigned int id,
			 struct kvm_page_stats *ps);
/*
 * The VM itself, NULL if there is none (any more), for what measures the
 * VM layer from the inside (benchmarks, tests: its pause statistics, its
 * memory's histograms).  The pointer holds until host_reap().
 */
struct vm *host_vm(struct vmm_host *h, unsigned int id);

/* ------------------------------------------------------------- tracing */

/*
 * Tracing sessions: the pool's trace ring streamed to a file while it
 * records, one session at a time (vmm/host/trace.h says how).  What a
 * session records:
 */
struct host_trace_opts {
	unsigned int ring_events; /* ring size; 0: as it is */
	bool page_events; /* mm_page_alloc, mm_page_free too */
	uint64_t sample_ns; /* memory samples this often; 0: none */
};

struct host_trace_result {
	uint64_t events; /* written */
	uint64_t lost; /* dropped: the writer did not keep up */
	uint64_t lost_by_type[NR_TRACE_EVENTS]; /* ... of each type */
	uint64_t lines; /* whole lines in the file (events and comments) */
};

/* How a session's file is opened. */
enum host_trace_open {
	/*
	 * `--trace FILE`, the user's own command line: a new file, or an
	 * existing regular file replaced, as `perf record -o` does.
	 */
	HOST_TRACE_REPLACE,
	/*
	 * trace-start over the control socket, which any client may drive
	 * while vmm runs as root: a new file only (O_CREAT | O_EXCL |
	 * O_NOFOLLOW): nothing that exists is truncated, no symlink is
	 * followed.
	 */
	HOST_TRACE_CREATE,
};

/* The host's own choices: --trace-ring, --trace-page-events,
 * --trace-sample. */
void host_trace_default_opts(struct vmm_host *h, struct host_trace_opts *o);
/* A session to path with opts (NULL: the host's own). */
int host_trace_start(struct vmm_host *h, const char *path,
		     enum host_trace_open how,
		     const struct host_trace_opts *opts, char *err,
		     size_t errlen) __attribute__((warn_unused_result));
/*
 * -ENOENT: no session; otherwise 0 or the -errno of the first failed
 * write (-ENOSPC on a full disk; the file then ends with its last whole
 * line).  The path is returned in *path (caller frees).
 */
int host_trace_stop(struct vmm_host *h, struct host_trace_result *res,
		    char **path);
/*
 * End the session, if any, and say on f what went wrong (vmm's own
 * --trace session at exit), and what was lost: 0, or the -errno of
 * host_trace_stop().  *res (may be NULL) gets its result.
 */
int host_trace_finish(struct vmm_host *h, FILE *f,
		      struct host_trace_result *res);
/*
 * Fault injection for tests: a held writer drains nothing, as one that
 * cannot keep up, until released.  Any thread.
 */
void host_trace_hold(struct vmm_host *h, bool hold);
/* The session's file, NULL if none. */
const char *host_trace_path(struct vmm_host *h);

/* ------------------------------------------------------------- balloons */

/* The guest's balloon device as it stands: 0, or -ENOENT (no such guest,
 * or no balloon).  Any thread. */
int host_balloon_info(struct vmm_host *h, unsigned int id,
		      struct balloon_info *bi);
/*
 * Ask the guest's balloon to hold pages pages, as the reclaim policy
 * does: the policy may move the target again (the control socket's
 * balloon-set keeps one instead).  0 or -ENOENT.  Any thread.
 */
int host_balloon_set_target(struct vmm_host *h, unsigned int id,
			    unsigned long pages);

/* ------------------------------------------------------------ pressure */

/*
 * Memory pressure stall information (mm/psi.h, docs/pressure.md): what
 * /proc/pressure/memory would say of guest id's vCPUs (0, or -ENOENT),
 * or of the vCPUs that allocate on pool node nid (0, or -EINVAL: no
 * such node).  st->total_us: microseconds of each state since the guest
 * was created (the node: since the host was); st->avg: the running
 * averages in hundredths of a percent (psi_avg_percent()).  Any thread.
 */
int host_guest_pressure(struct vmm_host *h, unsigned int id,
			struct psi_stats *st);
int host_node_pressure(struct vmm_host *h, int nid, struct psi_stats *st);
/*
 * A PSI trigger on guest id, or (id 0) on pool node nid: a PRESSURE
 * event (events.h) each time threshold_us of the state's stall
 * accumulate within window_us, at most one a window (Linux's rules,
 * psi_trigger_add()).  Its id, never given twice, into *trigger.  0;
 * -ENOENT: no such guest; -EINVAL: no such node, or a trigger Linux
 * refuses; -ENOSPC: the group has PSI_GROUP_TRIGGERS already.  A
 * guest's triggers go with it.  Any thread.
 */
int host_pressure_trigger_add(struct vmm_host *h, unsigned int id, int nid,
			      enum psi_states state, uint64_t threshold_us,
			      uint64_t window_us, unsigned int *trigger);
/* Remove a trigger: 0, or -ENOENT.  Any thread. */
int host_pressure_trigger_del(struct vmm_host *h, unsigned int trigger);

/* ---------------------------------------------------------- compaction */

/*
 * The pool's migrate_pages op as compaction calls it: each request's
 * page of a guest moved to its new frame, in pauses of bounded length
 * (mm_ops.migrate_pages has the contract).  Pages moved.  Context: any
 * thread without mm locks but the guests' vCPU threads.
 */
unsigned int host_migrate_pages(struct vmm_host *h, struct migrate_req *req,
				unsigned int nr);
/*
 * khugepaged over every guest: look at up to max_scan 2 MiB regions
 * (shared among the guests, each from where its last pass stopped) and
 * collapse up to max_collapse fully backed, scattered ones into free
 * pageblocks (guest_mem_collapse()).  Stops early when no pageblock is
 * free.  Returns regions collapsed.  Context: any thread; passes take
 * turns.
 */
long host_collapse_all(struct vmm_host *h, unsigned long max_scan,
		       unsigned long max_collapse);

#endif /* VMM_HOST_API_H */
