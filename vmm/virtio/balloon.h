/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The standard virtio-balloon device (virtio 1.x, 5.5) over virtio-mmio:
 * inflateq, deflateq, statsq and the free page reporting queue; features
 * STATS_VQ, DEFLATE_ON_OOM and FREE_PAGE_REPORTING; config num_pages (our
 * target) and actual (the guest's).  A stock Linux virtio_balloon driver
 * can drive it.
 *
 * What the guest sends is checked page by page: a PFN outside RAM, in the
 * host's part of it (below host_owned_end: the boot area), inside the
 * pinned range, already ballooned (inflate) or not ballooned (deflate) is
 * ignored and counted by reason; a broken queue makes the device ask for
 * a reset (DEVICE_NEEDS_RESET).  Valid pages reach the VMM through
 * balloon_ops in runs of consecutive pages.
 */
#ifndef BALLOON_VIRTIO_BALLOON_H
#define BALLOON_VIRTIO_BALLOON_H

#include "vmm/virtio/mmio.h"
#include "util/histogram.h"

#define VIRTIO_ID_BALLOON 5
#define VIRTIO_BALLOON_F_MUST_TELL_HOST 0
#define VIRTIO_BALLOON_F_STATS_VQ 1
#define VIRTIO_BALLOON_F_DEFLATE_ON_OOM 2
#define VIRTIO_BALLOON_F_FREE_PAGE_HINT 3
#define VIRTIO_BALLOON_F_REPORTING 5

/* Config space: num_pages at 0 (ours), actual at 4 (the driver's). */
#define VIRTIO_BALLOON_CONFIG_ACTUAL 4

#define VIRTIO_BALLOON_S_SWAP_IN 0
#define VIRTIO_BALLOON_S_SWAP_OUT 1
#define VIRTIO_BALLOON_S_MAJFLT 2
#define VIRTIO_BALLOON_S_MINFLT 3
#define VIRTIO_BALLOON_S_MEMFREE 4
#define VIRTIO_BALLOON_S_MEMTOT 5
#define VIRTIO_BALLOON_S_AVAIL 6
#define VIRTIO_BALLOON_S_CACHES 7
#define VIRTIO_BALLOON_S_NR 16 /* tags we keep (unknown ones skipped) */

enum balloon_queue { BQ_INFLATE, BQ_DEFLATE, BQ_STATS, BQ_REPORTING, BQ_NR };

struct balloon_ops {
	void *priv;
	/* The guest gave [gpa, gpa + len) up: returns frames freed. */
	long (*inflate)(void *priv, uint64_t gpa, uint64_t len);
	/* The guest takes [gpa, gpa + len) back (it faults in on touch). */
	void (*deflate)(void *priv, uint64_t gpa, uint64_t len);
	/* Free page reporting: [gpa, gpa + len) is free; frames freed. */
	long (*report)(void *priv, uint64_t gpa, uint64_t len);
	/*
	 * The driver has something new to act on (the target moved, its
	 * statistics are asked for): a polling driver should look now.
	 * Called without the device lock; may be NULL.
	 */
	void (*doorbell)(void *priv);
};

struct balloon_counters {
	uint64_t inflated_pages, deflated_pages, reported_bytes;
	uint64_t frames_freed; /* host frames the balloon gave back */
	uint64_t bad_out_of_range, bad_pinned, bad_already, bad_not_inflated;
	uint64_t bad_host_owned; /* PFNs below host_owned_end */
	/* report ranges outside RAM, misaligned, in the boot area or
	 * pinned */
	uint64_t bad_report;
	uint64_t stats_updates;
};

struct balloon_info {
	uint32_t target, actual;
	bool driver_ok, needs_reset;
	uint64_t stat[VIRTIO_BALLOON_S_NR]; /* bytes or counts, by tag */
	uint64_t stats_seen; /* bitmask of tags ever reported */
	uint64_t stats_ns; /* when they came, 0: never */
	struct balloon_counters c;
	struct virtio_mmio_stats transport;
};

/* A raise of the target the driver has not met yet. */
struct balloon_request {
	uint64_t ns; /* when the target was raised */
	uint32_t target;
};

/* Raises followed at once (more wait uncounted until one is met). */
#define BALLOON_MAX_REQUESTS 16

struct virtio_balloon {
	struct virtio_mmio_dev dev;
	struct balloon_ops ops;
	uint64_t ram_pages;
	uint64_t host_owned_end; /* below: the host's, never the guest's */
	uint64_t pinned_start, pinned_size;
	uint8_t *ballooned; /* bit per guest page */
	/* Guarded by dev.lock: */
	uint32_t num_pages, actual;
	uint64_t stat[VIRTIO_BALLOON_S_NR], stats_seen, stats_ns;
	bool stats_held; /* we hold the driver's stats buffer */
	uint16_t stats_head;
	struct balloon_counters c;
	/* Raises of the target not met yet, oldest (and lowest) first. */
	struct balloon_request req[BALLOON_MAX_REQUESTS];
	unsigned int nr_req;
	/*
	 * Balloon request to completion: from a raise of the target above
	 * what the balloon holds to the driver's actual reaching it, in
	 * ns.  A request a lower target supersedes first, or a reset
	 * drops, is not counted (as tools/reclaim-latency's balloon
	 * distribution).  Added under dev.lock, read lock-free.
	 */
	struct histogram request_ns;
	uint64_t pfn_scratch[4096];
};

/*
 * RAM is [0, ram_size); [0, host_owned_end) of it is the host's (boot
 * info, page tables, the kernel image: GUEST_RAM_START for vmm's guests),
 * which the guest may neither balloon nor report.
 */
int virtio_balloon_init(struct virtio_balloon *b, uint64_t ram_size,
			uint64_t host_owned_end, uint64_t pinned_start,
			uint64_t pinned_size, const struct balloon_ops *ops,
			const struct guest_view *mem)
	__attribute__((warn_unused_result));
void virtio_balloon_destroy(struct virtio_balloon *b);
/* Host side: the balloon should hold pages (4 KiB) now. */
void balloon_set_target(struct virtio_balloon *b, uint32_t pages);
/* Ask the guest for fresh statistics (returns its stats buffer). */
void balloon_request_stats(struct virtio_balloon *b);
void balloon_get_info(struct virtio_balloon *b, struct balloon_info *info);

#endif /* BALLOON_VIRTIO_BALLOON_H */
