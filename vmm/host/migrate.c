// SPDX-License-Identifier: GPL-2.0
/*
 * The host's side of compaction: the migrate_pages op over the guests,
 * and the khugepaged-like collapse pass (api.h, internal.h).
 *
 * Locking: a guest is used under h->reap_lock, which host_reap() and the
 * OOM killer take to free or reap a VM, so none is freed under us; the
 * order is reap_lock -> h->lock (look-up only) -> the VM's pause ->
 * mem->lock.
 */
#include <errno.h>
#include <stdlib.h>

#include "vmm/guest_mem/guest_mem.h"
#include "vmm/host/internal.h"

struct guest_mem *__host_live_mem(struct vmm_host *h, unsigned int owner)
{
	struct guest_mem *mem;
	struct vm *vm;

	if (owner == FRAME_OWNER_NONE || owner > VMM_MAX_GUESTS)
		return NULL;
	pthread_mutex_lock(&h->lock);
	vm = h->vm[owner];
	pthread_mutex_unlock(&h->lock);
	if (!vm || !(mem = vm->mem) || READ_ONCE(mem->dead) ||
	    __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) >= VM_STOPPING)
		return NULL;
	return mem;
}

static int cmp_owner(const void *a, const void *b)
{
	const struct migrate_req *x = *(struct migrate_req *const *)a;
	const struct migrate_req *y = *(struct migrate_req *const *)b;

	return (int)x->owner - (int)y->owner;
}

/*
 * mm_ops.migrate_pages: the requests grouped by owner; each owner's are
 * moved by guest_mem_migrate_pages() in pauses of bounded length.  A
 * stopping or dead guest (or an owner that is gone): -EAGAIN, untouched.
 * Context: any thread without mm locks except this guest's vCPU threads
 * (whose requests get -EAGAIN: a vCPU cannot wait for itself to park).
 */
unsigned int host_migrate_pages(struct vmm_host *h, struct migrate_req *req,
				unsigned int nr)
{
	struct migrate_req **p = malloc(nr * sizeof(*p));
	unsigned int moved = 0, i, j;

	if (!p) {
		for (i = 0; i < nr; i++)
			req[i].result = -ENOMEM;
		return 0;
	}
	for (i = 0; i < nr; i++)
		p[i] = &req[i];
	qsort(p, nr, sizeof(*p), cmp_owner);
	for (i = 0; i < nr; i = j) {
		struct guest_mem *mem;

		for (j = i + 1; j < nr && p[j]->owner == p[i]->owner; j++)
			;
		pthread_mutex_lock(&h->reap_lock);
		mem = __host_live_mem(h, p[i]->owner);
		if (mem)
			moved += guest_mem_migrate_pages(mem, p + i, j - i);
		else
			for (unsigned int k = i; k < j; k++)
				p[k]->result = -EAGAIN;
		pthread_mutex_unlock(&h->reap_lock);
	}
	free(p);
	return moved;
}

static unsigned int migrate_pages_op(void *priv, struct migrate_req *req,
				     unsigned int nr)
{
	return host_migrate_pages(priv, req, nr);
}

void host_migrate_init(struct mm_ops *ops)
{
	ops->migrate_pages = migrate_pages_op;
}

/*
 * One guest's part of a collapse pass: from its cursor on, at most
 * *scan regions looked at.  Returns regions collapsed, or -ENOMEM when
 * no pageblock is free (the pass ends).  reap_lock held.
 */
static long collapse_guest(struct guest_mem *mem, unsigned long *scan,
			   unsigned long max_collapse)
{
	uint64_t nr_regions = mem->cfg.size / (2UL << 20);
	long done = 0;

	while (*scan && (unsigned long)done < max_collapse) {
		uint64_t at = mem->collapse_cursor++ % nr_regions;
		int ret;

		(*scan)--;
		if (!guest_mem_collapsible(mem, at << 21))
			continue;
		ret = guest_mem_collapse(mem, at << 21);
		if (ret == -ENOMEM)
			return done ? done : -ENOMEM;
		done += !ret;
	}
	return done;
}

long host_collapse_all(struct vmm_host *h, unsigned long max_scan,
		       unsigned long max_collapse)
{
	unsigned int nr_guests = 0;
	long done = 0;

	pthread_mutex_lock(&h->lock);
	for (unsigned int id = 1; id <= VMM_MAX_GUESTS; id++)
		nr_guests += h->vm[id] != NULL;
	pthread_mutex_unlock(&h->lock);
	if (!nr_guests)
		return 0;
	/* Each guest's collapse_cursor belongs to one pass at a time. */
	pthread_mutex_lock(&h->collapse_lock);
	/* Each guest gets its share of the scan, as khugepaged walks one
	 * mm after the other. */
	for (unsigned int id = 1; id <= VMM_MAX_GUESTS; id++) {
		unsigned long scan = max_scan / nr_guests + 1;
		struct guest_mem *mem;
		long ret = 0;

		pthread_mutex_lock(&h->reap_lock);
		mem = __host_live_mem(h, id);
		if (mem)
			ret = collapse_guest(mem, &scan, max_collapse - done);
		pthread_mutex_unlock(&h->reap_lock);
		if (ret < 0)
			break; /* no free pageblock left */
		done += ret;
		if ((unsigned long)done >= max_collapse)
			break;
	}
	/* The scattered frames just freed sit in this thread's page cache:
	 * back to the buddy lists, where they merge (as compaction does
	 * after each batch). */
	drain_local_pages(h->pool);
	pthread_mutex_unlock(&h->collapse_lock);
	return done;
}
