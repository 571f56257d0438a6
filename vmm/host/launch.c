// SPDX-License-Identifier: GPL-2.0
/*
 * A guest's life in the host: launched (prepare, commit or abort),
 * stopped or asked to shut down, reaped (how it ended reported, every
 * frame back to the pool, its slot free again).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/errf.h"
#include "vmm/host/balloon.h"
#include "vmm/host/events.h"
#include "vmm/host/internal.h"
#include "vmm/host/trace_events.h"

static int load_image(const struct guest_spec *spec, void **image, size_t *len,
		      char *err, size_t errlen)
{
	struct stat st;
	void *buf;
	int fd;

	if (!spec->kernel_path) {
		*image = (void *)guest_image_start;
		*len = guest_image_end - guest_image_start;
		return 0;
	}
	/* Non-blocking: a FIFO named by a socket client must not hang the
	 * launch (it is refused below, as everything but a regular file). */
	fd = open(spec->kernel_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errf(err, errlen, -errno, "kernel %s: %s",
			    spec->kernel_path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > (64 << 20)) {
		close(fd);
		return errf(err, errlen, -EINVAL,
			    "kernel %s: not a regular file of 1 byte to 64 MiB",
			    spec->kernel_path);
	}
	buf = malloc(st.st_size);
	if (!buf) {
		close(fd);
		return errf(err, errlen, -ENOMEM, "kernel %s: no memory",
			    spec->kernel_path);
	}
	for (off_t got = 0; got < st.st_size;) {
		ssize_t n = read(fd, (char *)buf + got, st.st_size - got);

		if (n <= 0) {
			int e = n < 0 ? errno : EIO;

			free(buf);
			close(fd);
			return errf(err, errlen, -e, "kernel %s: %s",
				    spec->kernel_path,
				    n < 0 ? strerror(e) :
					    "shorter than it was");
		}
		got += n;
	}
	close(fd);
	*image = buf;
	*len = st.st_size;
	return 0;
}

int host_launch_prepare(struct vmm_host *h, const struct guest_spec *spec,
			const struct vm_resources *res, struct host_launch *hl,
			char *err, size_t errlen)
{
	/* What the host's options say, for callers without their own. */
	struct vm_resources def = { .pool = h->pool,
				    .no_irqchip = h->cfg.irqchip_off,
				    .quiet = h->cfg.console_off };
	struct vm_balloon *balloon = NULL;
	unsigned int id, slot;
	struct vm *vm;
	size_t len = 0;
	void *image = NULL;
	int ret;

	memset(hl, 0, sizeof(*hl));
	/* The slot is the frames' owner: reserved until commit or abort.
	 * The id is new, whatever becomes of the launch. */
	pthread_mutex_lock(&h->lock);
	for (slot = 1; slot <= VMM_MAX_GUESTS &&
		       (h->vm[slot] || h->reserved[slot] || h->dying[slot]);
	     slot++)
		;
	if (slot <= VMM_MAX_GUESTS)
		WRITE_ONCE(h->reserved[slot], true);
	id = h->next_id++;
	pthread_mutex_unlock(&h->lock);
	if (slot > VMM_MAX_GUESTS)
		return errf(err, errlen, -ENOSPC, "already %d guests",
			    VMM_MAX_GUESTS);
	ret = load_image(spec, &image, &len, err, errlen);
	if (ret)
		goto err_unreserve;
	if (res)
		def = *res;
	def.slot = slot;
	def.migrate_by_pause |= h->cfg.migrate_by_pause;
	def.psi_nodes = h->pressure.node;
	def.tier = def.pool == h->pool ? h->tier : NULL;
	ret = vm_create_res(spec, id, &def, image, len, &vm, err, errlen);
	if (image != guest_image_start)
		free(image);
	if (ret)
		goto err_unreserve;
	if (h->reclaim_running && vm->res.pool) {
		ret = host_balloon_attach(h, vm, &balloon);
		if (!ret && h->loop)
			ret = host_balloon_notify_fd(balloon);
		if (ret) {
			host_balloon_detach(balloon);
			vm_destroy(vm);
			errf(err, errlen, ret, "balloon device: %s",
			     strerror(-ret));
			goto err_unreserve;
		}
	}
	hl->id = id;
	hl->slot = slot;
	hl->vm = vm;
	hl->balloon = balloon;
	return 0;
err_unreserve:
	pthread_mutex_lock(&h->lock);
	WRITE_ONCE(h->reserved[slot], false);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

void host_launch_abort(struct vmm_host *h, struct host_launch *hl)
{
	if (!hl->vm)
		return;
	host_balloon_detach(hl->balloon);
	vm_destroy(hl->vm);
	pthread_mutex_lock(&h->lock);
	WRITE_ONCE(h->reserved[hl->slot], false);
	pthread_mutex_unlock(&h->lock);
	memset(hl, 0, sizeof(*hl));
}

int host_launch_commit(struct vmm_host *h, struct host_launch *hl, char *err,
		       size_t errlen)
{
	struct vm *vm = hl->vm;
	unsigned int id = hl->id, slot = hl->slot;
	char warning[sizeof(hl->warning)];
	bool warn;
	int ret;

	if (hl->balloon && h->loop) {
		ret = host_balloon_serve(hl->balloon, h->loop);
		if (ret) {
			host_launch_abort(h, hl);
			return errf(err, errlen, ret, "balloon device: %s",
				    strerror(-ret));
		}
	}
	pthread_mutex_lock(&h->lock);
	host_trace_name(h, id, vm->name);
	h->balloon[slot] = hl->balloon;
	WRITE_ONCE(h->vm[slot], vm);
	WRITE_ONCE(h->reserved[slot], false);
	h->nr_running++;
	warn = vcpu_load_add(&h->vcpu_load, vm->name, vm->nr_vcpus, warning,
			     sizeof(warning));
	pthread_mutex_unlock(&h->lock);
	memset(hl, 0, sizeof(*hl));
	if (warn) {
		fprintf(h->warn_log, "vmm: warning: %s\n", warning);
		memcpy(hl->warning, warning, sizeof(warning));
	}
	trace_event(&h->pool->trace, TR_VM_STATE, id, VM_RUNNING, 0, 0);
	host_event_guest_started(h, vm);
	ret = vm_start(vm);
	if (ret) {
		vm_stop(vm, VM_EXIT_HOST_ERROR, "vm_start: %s", strerror(-ret));
		errf(err, errlen, ret, "starting the vCPUs: %s",
		     strerror(-ret));
	}
	return ret;
}

int host_launch(struct vmm_host *h, const struct guest_spec *spec,
		const struct vm_resources *res, unsigned int *idp, char *err,
		size_t errlen)
{
	struct host_launch hl;
	int ret;

	ret = host_launch_prepare(h, spec, res, &hl, err, errlen);
	if (ret)
		return ret;
	if (idp)
		*idp = hl.id;
	return host_launch_commit(h, &hl, err, errlen);
}

void host_stop_all(struct vmm_host *h, const char *why)
{
	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++)
		if (h->vm[slot])
			vm_stop(h->vm[slot], VM_EXIT_STOPPED, "%s", why);
	pthread_mutex_unlock(&h->lock);
}

unsigned int host_shutdown_all(struct vmm_host *h)
{
	unsigned int n = 0;

	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++)
		if (h->vm[slot] && !vm_request_shutdown(h->vm[slot], 0))
			n++;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void host_kill_unresponsive(struct vmm_host *h)
{
	pthread_mutex_lock(&h->lock);
	for (unsigned int slot = 1; slot <= VMM_MAX_GUESTS; slot++)
		if (h->vm[slot] && vm_shutdown_requested(h->vm[slot]))
			vm_stop(h->vm[slot], VM_EXIT_KILLED,
				"asked to shut down, still running at the time-out");
	pthread_mutex_unlock(&h->lock);
}

unsigned int host_nr_running(struct vmm_host *h)
{
	unsigned int n;

	pthread_mutex_lock(&h->lock);
	n = h->nr_running;
	pthread_mutex_unlock(&h->lock);
	return n;
}

unsigned int host_next_id(struct vmm_host *h)
{
	unsigned int id;

	pthread_mutex_lock(&h->lock);
	id = h->next_id;
	pthread_mutex_unlock(&h->lock);
	return id;
}

void host_reap(struct vmm_host *h, unsigned int id)
{
	struct vm_balloon *balloon;
	unsigned int slot;
	struct vm *vm;

	pthread_mutex_lock(&h->lock);
	slot = __host_slot(h, id);
	vm = h->vm[slot];
	pthread_mutex_unlock(&h->lock);
	if (!vm)
		return;
	vm_wait(vm);
	serial_flush(&vm->serial);
	host_report_guest(h, vm, h->balloon[slot], h->out);
	/*
	 * Under reap_lock: an OOM killer that stopped this guest holds it
	 * until it has reported the kill, which comes first.  A killer that
	 * comes later finds the guest gone from vm[].
	 */
	pthread_mutex_lock(&h->reap_lock);
	trace_event(&h->pool->trace, TR_VM_STATE, id, VM_STOPPED, 0, 0);
	host_event_guest_stopped(h, vm);
	pthread_mutex_lock(&h->lock);
	host_trace_name_end(h, id);
	WRITE_ONCE(h->dying[slot], vm);
	WRITE_ONCE(h->vm[slot], NULL);
	balloon = h->balloon[slot];
	h->balloon[slot] = NULL;
	h->nr_running--;
	vcpu_load_sub(&h->vcpu_load, vm->nr_vcpus);
	pthread_mutex_unlock(&h->lock);
	pthread_mutex_unlock(&h->reap_lock);
	/* Every frame of the guest goes back to the pool here. */
	vm_destroy(vm);
	pthread_mutex_lock(&h->lock);
	WRITE_ONCE(h->dying[slot], NULL);
	pthread_mutex_unlock(&h->lock);
	host_balloon_detach(balloon);
}
