/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupts from a virtio device, for drivers that want them: the host's
 * in-kernel IOAPIC routes the device's GSI to this vCPU's LAPIC, and a
 * tiny CPL0 handler (entry.S) counts each one and ends it.  Everything
 * else stays at CPL3: the driver compares irq_count with what it has
 * seen, like a threaded interrupt handler.
 */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

#include "guest/types.h"

/* Interrupts taken (written by the CPL0 handler). */
extern uint64_t irq_count;

/*
 * Route gsi to this vCPU at IRQ_VECTOR_VIRTIO, edge-triggered, enable
 * the LAPIC and turn interrupts on for this vCPU.  Returns 0, or a reason
 * it cannot (no line, or RAM where the IOAPIC should be).
 */
const char *irq_enable(unsigned int gsi);

#endif /* GUEST_IRQ_H */
