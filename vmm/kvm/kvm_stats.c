// SPDX-License-Identifier: GPL-2.0
/* KVM binary statistics (kvm_stats.h). */
#include "vmm/kvm/kvm_stats.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/*
 * Bounds on what we accept.  KVM's names are short (KVM_STATS_NAME_SIZE
 * is 48) and a VM has a few dozen stats; these are generous and only stop
 * a corrupt header from making us allocate or read gigabytes.
 */
#define STATS_NAME_MAX 1024
#define STATS_DESC_MAX 4096
#define STATS_VALUES_MAX 4096

/* Read exactly len bytes at off, or fail. */
static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (uint8_t *)buf + done, len - done,
				  (off_t)(off + done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EBADMSG; /* shorter than the header says */
		done += n;
	}
	return 0;
}

static const struct kvm_stats_desc *desc_at(const struct kvm_stats *st,
					    uint32_t i)
{
	return (const struct kvm_stats_desc *)(st->desc + i * st->desc_stride);
}

/* A descriptor we can use: a terminated name, a data range that does
 * not wrap, a known type. */
static int check_desc(const struct kvm_stats *st,
		      const struct kvm_stats_desc *d)
{
	uint32_t type = d->flags & KVM_STATS_TYPE_MASK;

	if (!memchr(d->name, '\0', st->name_size) || !d->name[0])
		return -EBADMSG;
	if (!d->size || d->size > STATS_VALUES_MAX || type > KVM_STATS_TYPE_MAX)
		return -EBADMSG;
	if ((uint64_t)st->data_offset + d->offset +
		    (uint64_t)d->size * sizeof(uint64_t) >
	    UINT32_MAX)
		return -EBADMSG;
	return 0;
}

int kvm_stats_open(int kvm_obj_fd, struct kvm_stats *st)
{
	int fd = ioctl(kvm_obj_fd, KVM_GET_STATS_FD, NULL);

	if (fd < 0) {
		memset(st, 0, sizeof(*st));
		st->fd = -1;
		return -errno;
	}
	return kvm_stats_parse(fd, st);
}

int kvm_stats_parse(int stats_fd, struct kvm_stats *st)
{
	struct kvm_stats_header hdr;
	size_t id_len;
	char *id;
	int ret;

	memset(st, 0, sizeof(*st));
	st->fd = stats_fd;
	ret = pread_all(st->fd, &hdr, sizeof(hdr), 0);
	if (ret)
		goto err;
	ret = -EBADMSG;
	if (hdr.name_size < 2 || hdr.name_size > STATS_NAME_MAX ||
	    !hdr.num_desc || hdr.num_desc > STATS_DESC_MAX ||
	    hdr.id_offset < sizeof(hdr) || hdr.desc_offset < sizeof(hdr) ||
	    hdr.data_offset < sizeof(hdr))
		goto err;
	st->num_desc = hdr.num_desc;
	st->name_size = hdr.name_size;
	st->data_offset = hdr.data_offset;
	st->desc_stride = sizeof(struct kvm_stats_desc) + hdr.name_size;
	/* The id names the VM; only for messages, so truncating is fine. */
	id_len = hdr.name_size < sizeof(st->id) ? hdr.name_size :
						  sizeof(st->id);
	id = st->id;
	ret = pread_all(st->fd, id, id_len, hdr.id_offset);
	if (ret)
		goto err;
	id[id_len - 1] = '\0';
	st->desc = malloc(st->num_desc * st->desc_stride);
	if (!st->desc) {
		ret = -ENOMEM;
		goto err;
	}
	ret = pread_all(st->fd, st->desc, st->num_desc * st->desc_stride,
			hdr.desc_offset);
	if (ret)
		goto err;
	for (uint32_t i = 0; i < st->num_desc; i++) {
		ret = check_desc(st, desc_at(st, i));
		if (ret)
			goto err;
	}
	return 0;
err:
	kvm_stats_close(st);
	return ret;
}

void kvm_stats_close(struct kvm_stats *st)
{
	if (st->fd >= 0)
		close(st->fd);
	free(st->desc);
	st->desc = NULL;
	st->fd = -1;
}

int kvm_stats_get(const struct kvm_stats *st, const char *name, uint64_t *val,
		  unsigned int n)
{
	for (uint32_t i = 0; i < st->num_desc; i++) {
		const struct kvm_stats_desc *d = desc_at(st, i);
		unsigned int want;
		int ret;

		/* Terminated within name_size: checked at open. */
		if (strcmp(d->name, name))
			continue;
		want = d->size < n ? d->size : n;
		if (want) {
			ret = pread_all(st->fd, val, want * sizeof(*val),
					(uint64_t)st->data_offset + d->offset);
			if (ret)
				return ret;
		}
		return d->size;
	}
	return -ENOENT;
}

int kvm_vm_page_stats(int vm_fd, struct kvm_page_stats *ps)
{
	struct kvm_stats st;
	int ret = kvm_stats_open(vm_fd, &st);

	memset(ps, 0, sizeof(*ps));
	if (ret)
		return ret;
	ret = kvm_stats_get(&st, "pages_4k", &ps->pages_4k, 1);
	if (ret >= 0)
		ret = kvm_stats_get(&st, "pages_2m", &ps->pages_2m, 1);
	/* No 1 GiB stat on some builds: count it as none. */
	if (ret >= 0 && kvm_stats_get(&st, "pages_1g", &ps->pages_1g, 1) < 0)
		ps->pages_1g = 0;
	kvm_stats_close(&st);
	return ret < 0 ? ret : 0;
}

double kvm_page_stats_2m_share(const struct kvm_page_stats *ps)
{
	double b4k = ps->pages_4k * 4096.0, b2m = ps->pages_2m * 2097152.0;
	double b1g = ps->pages_1g * 1073741824.0;

	return b4k + b2m + b1g > 0 ? b2m / (b4k + b2m + b1g) : 0;
}
