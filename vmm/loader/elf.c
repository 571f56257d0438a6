// SPDX-License-Identifier: GPL-2.0
#include "vmm/loader/elf.h"

#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/errf.h"
#include "util/size.h"

/*
 * The headers are copied out of the image into local structs and never
 * read in place: neither the image nor its program-header table need be
 * 8-byte aligned (an Elf64_Phdr read at an odd offset is undefined
 * behaviour), and every offset is bounds-checked, without overflow,
 * before it is added to the image pointer.
 */
static int read_ehdr(const void *image, size_t len, Elf64_Ehdr *eh, char *err,
		     size_t errlen)
{
	if (len < sizeof(*eh))
		return errf(err, errlen, -ENOEXEC,
			    "image truncated: %zu bytes, ELF header needs %zu",
			    len, sizeof(*eh));
	memcpy(eh, image, sizeof(*eh));
	return 0;
}

static int check_header(const Elf64_Ehdr *eh, size_t len, char *err,
			size_t errlen)
{
	uint64_t table, end;
	char a[32];

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
		return errf(err, errlen, -ENOEXEC,
			    "bad e_phentsize %u (an ELF64 program header is "
			    "%zu bytes)",
			    eh->e_phentsize, sizeof(Elf64_Phdr));
	if (!eh->e_phnum)
		return errf(err, errlen, -ENOEXEC, "no program headers");
	/* The real count would be in section 0's sh_info: not supported. */
	if (eh->e_phnum == PN_XNUM)
		return errf(err, errlen, -ENOEXEC,
			    "extended program header numbering (e_phnum %#x)",
			    PN_XNUM);
	table = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (__builtin_add_overflow(eh->e_phoff, table, &end) || end > len)
		return errf(err, errlen, -ENOEXEC,
			    "program headers outside the image (%u at %#llx, "
			    "image %s)",
			    eh->e_phnum, (unsigned long long)eh->e_phoff,
			    format_size(len, a, sizeof(a)));
	return 0;
}

/* Program header i of an image whose header check_header() accepted. */
static void read_phdr(const void *image, const Elf64_Ehdr *eh, unsigned int i,
		      Elf64_Phdr *ph)
{
	memcpy(ph, (const char *)image + eh->e_phoff + i * sizeof(*ph),
	       sizeof(*ph));
}

static int check_segment(const Elf64_Phdr *ph, size_t len, uint64_t min_gpa,
			 uint64_t ram_size, char *err, size_t errlen)
{
	char a[32];
	uint64_t end;

	if (ph->p_filesz > ph->p_memsz)
		return errf(err, errlen, -ENOEXEC,
			    "segment at %#llx: filesz > memsz",
			    (unsigned long long)ph->p_paddr);
	if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &end) ||
	    end > len)
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
			    "segment %#llx..%#llx outside RAM (%s)",
			    (unsigned long long)ph->p_paddr,
			    (unsigned long long)end,
			    format_size(ram_size, a, sizeof(a)));
	return 0;
}

int elf_check(const void *image, size_t len, uint64_t min_gpa,
	      uint64_t ram_size, struct elf_info *info, char *err,
	      size_t errlen)
{
	Elf64_Ehdr eh;
	bool entry_ok = false;
	int ret;

	memset(info, 0, sizeof(*info));
	if (!image)
		return errf(err, errlen, -EINVAL, "no image");
	ret = read_ehdr(image, len, &eh, err, errlen);
	if (ret)
		return ret;
	ret = check_header(&eh, len, err, errlen);
	if (ret)
		return ret;
	info->lo = UINT64_MAX;
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		struct elf_segment *s;
		Elf64_Phdr ph;

		read_phdr(image, &eh, i, &ph);
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		ret = check_segment(&ph, len, min_gpa, ram_size, err, errlen);
		if (ret)
			return ret;
		if (info->nr_segments == ELF_MAX_SEGMENTS)
			return errf(err, errlen, -E2BIG,
				    "more than %d PT_LOAD segments",
				    ELF_MAX_SEGMENTS);
		for (unsigned int k = 0; k < info->nr_segments; k++) {
			const struct elf_segment *o = &info->seg[k];

			if (ph.p_paddr < o->gpa + o->memsz &&
			    o->gpa < ph.p_paddr + ph.p_memsz)
				return errf(err, errlen, -EINVAL,
					    "segments at %#llx and %#llx "
					    "overlap",
					    (unsigned long long)o->gpa,
					    (unsigned long long)ph.p_paddr);
		}
		s = &info->seg[info->nr_segments++];
		s->gpa = ph.p_paddr;
		s->filesz = ph.p_filesz;
		s->memsz = ph.p_memsz;
		s->offset = ph.p_offset;
		if (s->gpa < info->lo)
			info->lo = s->gpa;
		if (s->gpa + s->memsz > info->hi)
			info->hi = s->gpa + s->memsz;
		if ((ph.p_flags & PF_X) && eh.e_entry >= s->gpa &&
		    eh.e_entry < s->gpa + s->memsz)
			entry_ok = true;
	}
	if (!info->nr_segments)
		return errf(err, errlen, -ENOEXEC, "no PT_LOAD segment");
	if (!entry_ok)
		return errf(err, errlen, -ENOEXEC,
			    "entry %#llx is not in an executable segment",
			    (unsigned long long)eh.e_entry);
	info->entry = eh.e_entry;
	return 0;
}

/* Byte copies from offsets that elf_check() bounded: no alignment needed. */
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
