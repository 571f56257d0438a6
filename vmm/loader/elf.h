/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ELF64 loader for guest kernels.  elf_check() validates an image against
 * the guest's RAM without touching it (magic, class, machine, type,
 * program headers inside the file, PT_LOAD segments inside RAM, above the
 * boot area and not overlapping each other, no size overflow; headers
 * need not be aligned: they are copied out, never read in place);
 * elf_load() then copies the segments and zeroes their bss.
 * Errors are -errno plus a message in err.
 */
#ifndef VMM_LOADER_ELF_H
#define VMM_LOADER_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16

struct elf_segment {
	uint64_t gpa, filesz, memsz, offset;
};

struct elf_info {
	uint64_t entry;
	uint64_t lo, hi; /* GPA span of all segments */
	unsigned int nr_segments;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/* Where segments may go: [min_gpa, ram_size). */
int elf_check(const void *image, size_t len, uint64_t min_gpa,
	      uint64_t ram_size, struct elf_info *info, char *err,
	      size_t errlen) __attribute__((warn_unused_result));

/* Copy checked segments; hva(ctx, gpa, len) gives writable host memory. */
int elf_load(const void *image, const struct elf_info *info,
	     void *(*hva)(void *ctx, uint64_t gpa, uint64_t len), void *ctx,
	     char *err, size_t errlen) __attribute__((warn_unused_result));

#endif /* VMM_LOADER_ELF_H */
