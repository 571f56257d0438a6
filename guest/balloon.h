/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's virtio-balloon driver (virtio 1.x, 5.5), polling: vCPU 0
 * calls balloon_poll() between pieces of work and while it sleeps.  It
 * inflates by giving the host free pages (whole 2 MiB chunks first, so the
 * host can give back whole hugepages), deflates, answers statistics
 * requests, reports free chunks, and deflates on its own OOM when the
 * device allows it.
 */
#ifndef GUEST_BALLOON_H
#define GUEST_BALLOON_H

#include "guest/types.h"

/* Bytes of per-page state the driver needs (carved by palloc_init). */
uint64_t balloon_meta_bytes(uint64_t ram_size);
/* Find and set up the device from the boot info; false if there is none. */
bool balloon_init(void *meta);
/* Follow the host's target, refresh stats, report free memory. */
void balloon_poll(void);
/* Out of memory: give up to pages back from the balloon (only with
 * VIRTIO_BALLOON_F_DEFLATE_ON_OOM).  Returns pages deflated. */
uint64_t balloon_deflate_on_oom(uint64_t pages);
/* Script control: take the device's interrupts (balloon irq); -1 when
 * there are none to take. */
int balloon_use_irq(void);
/* Report the interrupts taken, by reason (GR_STAT irq_used, irq_config). */
void balloon_report_irqs(void);
/* Script control: stop answering the host (a deaf guest, for tests). */
void balloon_set_deaf(bool deaf);
uint64_t balloon_pages(void);
/*
 * Tests of the host: misbehave on purpose.  0: PFNs out of range,
 * duplicated, pinned and already ballooned; 1: a descriptor chain that
 * loops; 2: a buffer outside guest RAM.  The host must ignore the bad
 * PFNs (and count them) and stop using a broken queue, nothing more.
 */
void balloon_evil(unsigned int kind);

#endif /* GUEST_BALLOON_H */
