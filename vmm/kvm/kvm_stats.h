/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM's binary statistics (KVM_GET_STATS_FD, Documentation/virt/kvm/api.rst
 * 4.133): a header, a name-sized id, descriptors (flags, exponent, size,
 * offset, bucket size, name) and the data, read from an fd that the VM or
 * vCPU fd hands out.  Everything read is checked (sizes, offsets, names
 * terminated) before it is used; a malformed file is -EBADMSG, not a
 * crash.
 */
#ifndef VMM_KVM_STATS_H
#define VMM_KVM_STATS_H

#include <stddef.h>
#include <stdint.h>

struct kvm_stats_desc;

struct kvm_stats {
	int fd;
	uint32_t num_desc;
	uint32_t name_size; /* bytes of a name, with its NUL */
	uint32_t data_offset;
	size_t desc_stride; /* sizeof(struct kvm_stats_desc) + name_size */
	uint8_t *desc; /* num_desc descriptors of desc_stride bytes */
	char id[64]; /* the header's id ("kvm-<pid>/<fd>"), truncated */
};

/* Open the statistics of a VM or vCPU fd: 0 or -errno (-ENOTTY: this
 * KVM has none; -EBADMSG: a header or descriptor that makes no sense). */
int kvm_stats_open(int kvm_obj_fd, struct kvm_stats *st)
	__attribute__((warn_unused_result));
/* The same from a statistics fd (which st then owns, even on failure). */
int kvm_stats_parse(int stats_fd, struct kvm_stats *st)
	__attribute__((warn_unused_result));
void kvm_stats_close(struct kvm_stats *st);
/* The stat called name: up to n of its values into val (a histogram has
 * several).  Returns how many it has (may be > n), -ENOENT, or -errno. */
int kvm_stats_get(const struct kvm_stats *st, const char *name, uint64_t *val,
		  unsigned int n);

/* The VM's shadow/TDP mappings by size, as KVM counts them. */
struct kvm_page_stats {
	uint64_t pages_4k, pages_2m, pages_1g;
};
/* Read them from a VM fd (opens and closes the stats fd): 0 or -errno. */
int kvm_vm_page_stats(int vm_fd, struct kvm_page_stats *ps);
/* Share of the mapped guest memory mapped by 2 MiB entries, in [0, 1]. */
double kvm_page_stats_2m_share(const struct kvm_page_stats *ps);

#endif /* VMM_KVM_STATS_H */
