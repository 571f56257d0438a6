// SPDX-License-Identifier: GPL-2.0
/* The host's guests, found by id, as its users see them (api.h). */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "swap/tier.h"
#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/balloon.h"
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

unsigned int host_guest_ids(struct vmm_host *h, unsigned int *ids,
			    unsigned int max)
{
	unsigned int n = 0;

	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS && n < max; slot++)
		if (h->vm[slot])
			ids[n++] = h->vm[slot]->id;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void __host_vm_swap(struct vmm_host *h, const struct vm *vm,
		    const struct guest_mem_stats *ms, struct host_guest_swap *s)
{
	const struct guest_mem *mem = vm->mem;
	struct swap_tier_owner_stats o;

	memset(s, 0, sizeof(*s));
	if (!h->tier || !mem)
		return;
	swap_tier_get_owner_stats(h->tier, mem->cfg.owner, &o);
	s->stored_bytes = o.stored_bytes;
	s->file_bytes = o.in_file << PAGE_SHIFT;
	/* Every page a fault brings back is a refault (swap.c counts
	 * workingset_refault_anon per page it maps). */
	s->refaulted_bytes = ms->swap_in << PAGE_SHIFT;
}

int host_guest_info(struct vmm_host *h, unsigned int id,
		    struct host_guest_info *gi)
{
	struct vm_balloon *b;
	unsigned int slot;
	struct vm *vm;

	memset(gi, 0, sizeof(*gi));
	pthread_mutex_lock(&h->lock);
	slot = __host_slot(h, id);
	vm = h->vm[slot];
	b = h->balloon[slot];
	if (vm) {
		gi->id = vm->id;
		snprintf(gi->name, sizeof(gi->name), "%s", vm->name);
		gi->state = __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE);
		gi->why = vm_exit_reason(vm, gi->detail, sizeof(gi->detail));
		gi->ram_bytes = vm->ram_size;
		if (vm->mem)
			guest_mem_get_stats(vm->mem, &gi->mem);
		__host_vm_swap(h, vm, &gi->mem, &gi->swap);
		gi->has_balloon = b != NULL;
		if (b)
			balloon_get_info(&b->vb, &gi->balloon);
		vm_get_summary(vm, &gi->sum);
	}
	pthread_mutex_unlock(&h->lock);
	return vm ? 0 : -ENOENT;
}

int host_guest_latency(struct vmm_host *h, unsigned int id,
		       struct host_guest_latency *lat)
{
	struct vm_balloon *b;
	struct guest_mem *mem;
	struct vm *vm;
	unsigned int slot;

	memset(lat, 0, sizeof(*lat));
	pthread_mutex_lock(&h->lock);
	slot = __host_slot(h, id);
	vm = h->vm[slot];
	b = h->balloon[slot];
	if (vm && (mem = vm->mem)) {
		hist_snapshot(&lat->fault, &mem->fault_ns);
		hist_snapshot(&lat->migrate_pause, &mem->migrate_pause_ns);
		hist_snapshot(&lat->swap_in, &mem->swap_in_ns);
	}
	if (vm && b)
		hist_snapshot(&lat->balloon, &b->vb.request_ns);
	pthread_mutex_unlock(&h->lock);
	return vm ? 0 : -ENOENT;
}

int host_guest_summary(struct vmm_host *h, unsigned int id,
		       struct vm_summary *s)
{
	struct vm *vm;

	pthread_mutex_lock(&h->lock);
	vm = h->vm[__host_slot(h, id)];
	if (vm)
		vm_get_summary(vm, s);
	pthread_mutex_unlock(&h->lock);
	return vm ? 0 : -ENOENT;
}

int host_guest_stop_fd(struct vmm_host *h, unsigned int id)
{
	struct vm *vm = host_vm(h, id);

	return vm ? vm->stop_efd : -ENOENT;
}

int host_guest_stop(struct vmm_host *h, unsigned int id,
		    enum vm_exit_reason reason, const char *why)
{
	struct vm *vm;

	pthread_mutex_lock(&h->lock);
	vm = h->vm[__host_slot(h, id)];
	if (vm)
		vm_stop(vm, reason, "%s", why);
	pthread_mutex_unlock(&h->lock);
	return vm ? 0 : -ENOENT;
}

int host_guest_wait(struct vmm_host *h, unsigned int id, int timeout_ms)
{
	struct vm *vm = host_vm(h, id);
	struct pollfd p;
	int n;

	if (!vm)
		return -ENOENT;
	/* poll, not read: the stop fd stays readable for the caller's
	 * event loop, if it has one. */
	p = (struct pollfd){ .fd = vm->stop_efd, .events = POLLIN };
	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return -ETIMEDOUT;
	vm_wait(vm);
	return 0;
}

int host_guest_kvm_pages(struct vmm_host *h, unsigned int id,
			 struct kvm_page_stats *ps)
{
	struct vm *vm = host_vm(h, id);

	if (!vm) {
		*ps = (struct kvm_page_stats){ 0 };
		return -ENOENT;
	}
	return kvm_vm_page_stats(vm->vm_fd, ps);
}

int host_balloon_info(struct vmm_host *h, unsigned int id,
		      struct balloon_info *bi)
{
	struct vm_balloon *b;

	pthread_mutex_lock(&h->lock);
	b = h->balloon[__host_slot(h, id)];
	if (b)
		balloon_get_info(&b->vb, bi);
	pthread_mutex_unlock(&h->lock);
	return b ? 0 : -ENOENT;
}

int host_balloon_set_target(struct vmm_host *h, unsigned int id,
			    unsigned long pages)
{
	struct vm_balloon *b;

	pthread_mutex_lock(&h->lock);
	b = h->balloon[__host_slot(h, id)];
	if (b)
		host_balloon_target(b, (uint32_t)pages);
	pthread_mutex_unlock(&h->lock);
	return b ? 0 : -ENOENT;
}
