// SPDX-License-Identifier: GPL-2.0
/*
 * Interim guest RAM: one anonymous MAP_NORESERVE mapping, 2 MiB aligned
 * and MADV_HUGEPAGE, so the host can use THP and KVM 2 MiB mappings.
 */
#include "vmm/vm_mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vmm/kvm.h"
#include "vmm/vm.h"

#define HUGE_2M (2UL << 20)

struct anon_mem {
	void *map; /* the whole reservation, for munmap */
	size_t map_len;
	unsigned int nr_slots;
};

int vm_mem_init(struct vm *vm)
{
	struct anon_mem *m = calloc(1, sizeof(*m));
	uintptr_t aligned;
	int ret;

	if (!m)
		return -ENOMEM;
	m->map_len = vm->ram_size + HUGE_2M;
	m->map = mmap(NULL, m->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->map == MAP_FAILED) {
		ret = -errno;
		goto err_free;
	}
	aligned = ((uintptr_t)m->map + HUGE_2M - 1) & ~(HUGE_2M - 1);
	vm->ram_hva = (uint8_t *)aligned;
	madvise(vm->ram_hva, vm->ram_size, MADV_HUGEPAGE); /* best effort */
	vm->mem = m;
	for (unsigned int i = 0; i < vm->nr_nodes; i++) {
		ret = kvm_set_memslot(vm->vm_fd, i, vm->node[i].start,
				      vm->node[i].size,
				      vm->ram_hva + vm->node[i].start);
		if (ret)
			goto err_unmap;
		m->nr_slots++;
	}
	return 0;

err_unmap:
	munmap(m->map, m->map_len);
err_free:
	free(m);
	vm->mem = NULL;
	vm->ram_hva = NULL;
	return ret;
}

void vm_mem_destroy(struct vm *vm)
{
	struct anon_mem *m = vm->mem;

	if (!m)
		return;
	/* The VM fd is closed before us, so the memslots are gone. */
	munmap(m->map, m->map_len);
	free(m);
	vm->mem = NULL;
	vm->ram_hva = NULL;
}

void *vm_mem_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (!vm->ram_hva || gpa >= vm->ram_size || len > vm->ram_size - gpa)
		return NULL;
	return vm->ram_hva + gpa;
}

int vm_mem_populate(struct vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t start = gpa & ~4095UL, end = (gpa + len + 4095) & ~4095UL;
	uint8_t *p = vm_mem_hva(vm, start, end - start);

	if (!p || !len)
		return len ? -EFAULT : 0;
	/* MADV_POPULATE_WRITE (5.14) faults it all in with one call. */
	if (!madvise(p, end - start, 23 /* MADV_POPULATE_WRITE */))
		return 0;
	for (uint64_t off = 0; off < end - start; off += 4096)
		__atomic_fetch_add(&p[off], 0, __ATOMIC_RELAXED);
	return 0;
}
