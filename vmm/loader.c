// SPDX-License-Identifier: GPL-2.0
#include "vmm/loader.h"

#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vmm/errf.h"

static int check_header(const Elf64_Ehdr *eh, size_t len, char *err,
			size_t errlen)
{
	if (len < sizeof(*eh))
		return errf(err, errlen, -ENOEXEC,
			    "image truncated: %zu bytes, ELF header needs %zu",
			    len, sizeof(*eh));
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return errf(err, errlen, -ENOEXEC, "not an ELF image");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return errf(err, errlen, -ENOEXEC, "not ELF64 (class %u)",
			    eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return errf(err, errlen, -ENOEXEC, "not little-endian");
	if (eh->e_machine != EM_X86_64)
		return errf(err, errlen, -ENOEXEC,
			    "wrong machine %u (want x86-64, %u)", eh->e_machine,
			    EM_X86_64);
	if (eh->e_type != ET_EXEC)
		return errf(err, errlen, -ENOEXEC,
			    "not a static executable (type %u)", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return errf(err, errlen, -ENOEXEC, "bad e_phentsize %u",
			    eh->e_phentsize);
	if (!eh->e_phnum || eh->e_phoff > len ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff)
		return errf(err, errlen, -ENOEXEC,
			    "program headers outside the image (%u at %#llx)",
			    eh->e_phnum, (unsigned long long)eh->e_phoff);
	return 0;
}

static int check_segment(const Elf64_Phdr *ph, size_t len, uint64_t min_gpa,
			 uint64_t ram_size, char *err, size_t errlen)
{
	uint64_t end;

	if (ph->p_filesz > ph->p_memsz)
		return errf(err, errlen, -ENOEXEC,
			    "segment at %#llx: filesz > memsz",
			    (unsigned long long)ph->p_paddr);
	if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
		return errf(err, errlen, -ENOEXEC,
			    "segment at %#llx: data beyond the image end "
			    "(truncated?)",
			    (unsigned long long)ph->p_paddr);
	if (__builtin_add_overflow(ph->p_paddr, ph->p_memsz, &end))
		return errf(err, errlen, -ERANGE,
			    "segment at %#llx: size overflows",
			    (unsigned long long)ph->p_paddr);
	if (ph->p_paddr < min_gpa)
		return errf(err, errlen, -ERANGE,
			    "segment at %#llx overlaps the boot area "
			    "(below %#llx)",
			    (unsigned long long)ph->p_paddr,
			    (unsigned long long)min_gpa);
	if (end > ram_size)
		return errf(err, errlen, -ERANGE,
			    "segment %#llx..%#llx outside RAM (%#llx bytes)",
			    (unsigned long long)ph->p_paddr,
			    (unsigned long long)end,
			    (unsigned long long)ram_size);
	return 0;
}

int elf_check(const void *image, size_t len, uint64_t min_gpa,
	      uint64_t ram_size, struct elf_info *info, char *err,
	      size_t errlen)
{
	const Elf64_Ehdr *eh = image;
	const Elf64_Phdr *ph;
	bool entry_ok = false;
	int ret;

	memset(info, 0, sizeof(*info));
	if (!image)
		return errf(err, errlen, -EINVAL, "no image");
	ret = check_header(eh, len, err, errlen);
	if (ret)
		return ret;
	ph = (const Elf64_Phdr *)((const char *)image + eh->e_phoff);
	info->lo = UINT64_MAX;
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		struct elf_segment *s;

		if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
			continue;
		ret = check_segment(&ph[i], len, min_gpa, ram_size, err,
				    errlen);
		if (ret)
			return ret;
		if (info->nr_segments == ELF_MAX_SEGMENTS)
			return errf(err, errlen, -E2BIG,
				    "more than %d PT_LOAD segments",
				    ELF_MAX_SEGMENTS);
		for (unsigned int k = 0; k < info->nr_segments; k++) {
			const struct elf_segment *o = &info->seg[k];

			if (ph[i].p_paddr < o->gpa + o->memsz &&
			    o->gpa < ph[i].p_paddr + ph[i].p_memsz)
				return errf(err, errlen, -EINVAL,
					    "segments at %#llx and %#llx "
					    "overlap",
					    (unsigned long long)o->gpa,
					    (unsigned long long)ph[i].p_paddr);
		}
		s = &info->seg[info->nr_segments++];
		s->gpa = ph[i].p_paddr;
		s->filesz = ph[i].p_filesz;
		s->memsz = ph[i].p_memsz;
		s->offset = ph[i].p_offset;
		if (s->gpa < info->lo)
			info->lo = s->gpa;
		if (s->gpa + s->memsz > info->hi)
			info->hi = s->gpa + s->memsz;
		if ((ph[i].p_flags & PF_X) && eh->e_entry >= s->gpa &&
		    eh->e_entry < s->gpa + s->memsz)
			entry_ok = true;
	}
	if (!info->nr_segments)
		return errf(err, errlen, -ENOEXEC, "no PT_LOAD segment");
	if (!entry_ok)
		return errf(err, errlen, -ENOEXEC,
			    "entry %#llx is not in an executable segment",
			    (unsigned long long)eh->e_entry);
	info->entry = eh->e_entry;
	return 0;
}

int elf_load(const void *image, const struct elf_info *info,
	     void *(*hva)(void *ctx, uint64_t gpa, uint64_t len), void *ctx,
	     char *err, size_t errlen)
{
	for (unsigned int i = 0; i < info->nr_segments; i++) {
		const struct elf_segment *s = &info->seg[i];
		uint8_t *dst = hva(ctx, s->gpa, s->memsz);

		if (!dst)
			return errf(err, errlen, -EFAULT,
				    "segment at %#llx: no guest memory",
				    (unsigned long long)s->gpa);
		memcpy(dst, (const uint8_t *)image + s->offset, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}
