// SPDX-License-Identifier: GPL-2.0
/* The host's guests, found by id (host.h). */
#include "vmm/host/internal.h"

unsigned int __host_slot(struct vmm_host *h, unsigned int id)
{
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++)
		if (h->vm[slot] && h->vm[slot]->id == id)
			return slot;
	return 0;
}

struct vm *host_vm(struct vmm_host *h, unsigned int id)
{
	struct vm *vm;

	pthread_mutex_lock(&h->lock);
	vm = h->vm[__host_slot(h, id)];
	pthread_mutex_unlock(&h->lock);
	return vm;
}

struct vm_balloon *host_vm_balloon(struct vmm_host *h, unsigned int id)
{
	struct vm_balloon *b;

	pthread_mutex_lock(&h->lock);
	b = h->balloon[__host_slot(h, id)];
	pthread_mutex_unlock(&h->lock);
	return b;
}
