// SPDX-License-Identifier: GPL-2.0
#include "vmm/kvm/report.h"

#include <errno.h>
#include <string.h>

#include "vmm/kvm/vm.h"
#include "vmm/kvm/vm_mem.h"

const char *report_type_name(uint32_t type)
{
	static const char *const names[GR_NR_TYPES] = {
		[GR_BOOTED] = "booted",	      [GR_PHASE_START] = "phase_start",
		[GR_PHASE_END] = "phase_end", [GR_VERIFY] = "verify",
		[GR_CORRUPT] = "corrupt",     [GR_STAT] = "stat",
		[GR_PANIC] = "panic",	      [GR_EXIT] = "exit",
	};

	return type < GR_NR_TYPES && names[type] ? names[type] : "?";
}

/*
 * Guest text that goes into stop reasons, events and terminals: printable
 * ASCII only (a guest may write anything), NUL-terminated by the caller's
 * copy of the record.
 */
static void copy_text(char *dst, const char *src, size_t size)
{
	size_t i = 0;

	for (; i + 1 < size && src[i]; i++)
		dst[i] = src[i] >= ' ' && src[i] <= '~' ? src[i] : '?';
	dst[i] = '\0';
}

/* Account one record (vm->lock held). */
static void __report_account(struct vm *vm, unsigned int vcpu,
			     const struct guest_report *r)
{
	struct vm_summary *s = &vm->summary;
	uint64_t t = vm_now_ns() - vm->start_ns;

	s->nr_reports++;
	switch (r->type) {
	case GR_BOOTED:
		s->booted = true;
		s->boot_ns = t;
		break;
	case GR_PHASE_START:
		if (!s->first_phase_ns) {
			s->first_phase_ns = t;
			/* A line to watch for: how long the boot took. */
			if (vm->serial.out && !vm->serial.quiet)
				fprintf(vm->serial.out,
					"[vmm] %s: first workload phase %.3f ms after start\n",
					vm->name, t / 1e6);
		}
		break;
	case GR_PHASE_END:
		if (s->nr_phases < VM_MAX_PHASES) {
			struct vm_phase *p = &s->phase[s->nr_phases];

			memcpy(p->name, r->text, sizeof(p->name));
			p->index = r->args[0];
			p->ns = r->args[1];
			p->bytes = r->args[2];
		}
		s->nr_phases++;
		break;
	case GR_VERIFY:
		if (r->args[1] && !s->verify_bad)
			s->verify_first_bad = r->args[2];
		s->nr_verify++;
		s->verify_checked += r->args[0];
		s->verify_bad += r->args[1];
		break;
	case GR_CORRUPT:
		if (s->nr_corrupt < VM_MAX_CORRUPT)
			s->corrupt_gpa[s->nr_corrupt] = r->args[0];
		s->nr_corrupt++;
		break;
	case GR_STAT:
		if (!strcmp(r->text, "touched")) {
			s->touched_by_vcpu[vcpu] += r->args[0];
		} else if (!strcmp(r->text, "irq_used")) {
			s->irq_used = r->args[0];
			s->irq_taken = r->args[1];
		} else if (!strcmp(r->text, "irq_config")) {
			s->irq_config = r->args[0];
		} else if (!strcmp(r->text, "churn_stall_ns")) {
			/* Sent before the churn's GR_PHASE_END: it goes with
			 * the phase that is running. */
			struct vm_phase *p = s->nr_phases < VM_MAX_PHASES ?
						     &s->phase[s->nr_phases] :
						     NULL;

			if (r->args[0] > s->churn_stall_max_ns)
				s->churn_stall_max_ns = r->args[0];
			if (p)
				p->stall_max_ns = r->args[0];
			for (int i = 0; i < 3; i++) {
				s->churn_stalls_over[i] += r->args[1 + i];
				if (p)
					p->stalls_over[i] = r->args[1 + i];
			}
		}
		break;
	case GR_PANIC:
		if (!s->nr_panics++)
			copy_text(s->panic, r->text, sizeof(s->panic));
		break;
	case GR_EXIT:
		s->exited = true;
		s->exit_status = (int)r->args[0];
		break;
	}
}

int report_handle(struct vm *vm, unsigned int vcpu, uint32_t gpa)
{
	const struct guest_report *src;
	struct guest_report r;

	src = vm_mem_hva(vm, gpa, sizeof(r));
	if (!src || gpa % 8) {
		vm_stop(vm, VM_EXIT_BAD_GUEST_IO,
			"vCPU %u: report at bad GPA %#x", vcpu, gpa);
		return -EFAULT;
	}
	/* One copy: the guest cannot change what we validated. */
	memcpy(&r, src, sizeof(r));
	r.text[sizeof(r.text) - 1] = '\0';
	if (r.type == 0 || r.type >= GR_NR_TYPES) {
		vm_stop(vm, VM_EXIT_BAD_GUEST_IO, "vCPU %u: report type %u",
			vcpu, r.type);
		return -EINVAL;
	}
	pthread_mutex_lock(&vm->lock);
	__report_account(vm, vcpu, &r);
	pthread_mutex_unlock(&vm->lock);
	/* Asked to shut down: the host stopped it, with the guest's help. */
	if (r.type == GR_EXIT && vm_shutdown_requested(vm))
		vm_stop(vm, VM_EXIT_STOPPED, "shut down when asked, status %d",
			(int)r.args[0]);
	else if (r.type == GR_EXIT)
		vm_stop(vm, VM_EXIT_GUEST_EXIT, "status %d", (int)r.args[0]);
	return 0;
}
