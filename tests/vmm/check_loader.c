// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/loader/elf.c: the built-in guest loads; damaged images are refused with
 * a clear message.  No KVM needed: images are checked against a RAM size
 * and loaded into a plain buffer.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/abi.h"
#include "tests/runner.h"
#include "vmm/loader/elf.h"
#include "vmm/loader/loader.h"

extern const char guest_image_start[], guest_image_end[];

#define RAM (64UL << 20)

static size_t image_len(void)
{
	return guest_image_end - guest_image_start;
}

/* A private copy to damage. */
static char *image_copy(void)
{
	char *p = malloc(image_len());

	ck_assert_ptr_nonnull(p);
	memcpy(p, guest_image_start, image_len());
	return p;
}

static Elf64_Phdr *first_load(char *img)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + eh->e_phoff);

	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD)
			return &ph[i];
	ck_abort_msg("no PT_LOAD in the guest image");
	return NULL;
}

static void *buf_hva(void *ctx, uint64_t gpa, uint64_t len)
{
	return gpa + len <= RAM ? (char *)ctx + gpa : NULL;
}

START_TEST(test_guest_image_loads)
{
	struct elf_info info;
	char err[160] = "";
	char *ram = calloc(1, RAM);
	const Elf64_Ehdr *eh = (const void *)guest_image_start;

	ck_assert_ptr_nonnull(ram);
	ck_assert_int_eq(elf_check(guest_image_start, image_len(),
				   GUEST_KERNEL_GPA, RAM, &info, err,
				   sizeof(err)),
			 0);
	ck_assert_uint_eq(info.entry, GUEST_KERNEL_GPA);
	ck_assert_uint_ge(info.lo, GUEST_KERNEL_GPA);
	ck_assert_uint_gt(info.nr_segments, 0);
	ck_assert_int_eq(elf_load(guest_image_start, &info, buf_hva, ram, err,
				  sizeof(err)),
			 0);
	/* The entry code is where the ELF says, byte for byte. */
	for (unsigned int i = 0; i < info.nr_segments; i++) {
		const struct elf_segment *s = &info.seg[i];

		ck_assert_int_eq(memcmp(ram + s->gpa,
					guest_image_start + s->offset,
					s->filesz),
				 0);
	}
	ck_assert_uint_eq(eh->e_entry, info.entry);
	free(ram);
}
END_TEST

static char last_err[160]; /* expect_refused()'s message */

static void expect_refused(const char *img, size_t len, uint64_t ram, int want,
			   const char *needle)
{
	struct elf_info info;
	char err[160] = "";
	int ret = elf_check(img, len, GUEST_KERNEL_GPA, ram, &info, err,
			    sizeof(err));

	ck_assert_msg(ret == want, "ret %d, want %d (%s)", ret, want, err);
	snprintf(last_err, sizeof(last_err), "%s", err);
	ck_assert_msg(strstr(err, needle), "message '%s' lacks '%s'", err,
		      needle);
}

START_TEST(test_truncated)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)guest_image_start;
	Elf64_Phdr *ph = first_load((char *)guest_image_start);

	expect_refused(guest_image_start, 20, RAM, -ENOEXEC, "truncated");
	expect_refused(guest_image_start, eh->e_phoff + 10, RAM, -ENOEXEC,
		       "program headers outside");
	expect_refused(guest_image_start, ph->p_offset + ph->p_filesz - 1, RAM,
		       -ENOEXEC, "beyond the image end");
}
END_TEST

START_TEST(test_wrong_machine)
{
	char *img = image_copy();

	((Elf64_Ehdr *)img)->e_machine = EM_AARCH64;
	expect_refused(img, image_len(), RAM, -ENOEXEC, "wrong machine");
	memcpy(img, guest_image_start, image_len());
	img[EI_MAG1] = 'X';
	expect_refused(img, image_len(), RAM, -ENOEXEC, "not an ELF");
	memcpy(img, guest_image_start, image_len());
	img[EI_CLASS] = ELFCLASS32;
	expect_refused(img, image_len(), RAM, -ENOEXEC, "not ELF64");
	free(img);
}
END_TEST

START_TEST(test_segment_outside_ram)
{
	char *img = image_copy();
	Elf64_Phdr *ph = first_load(img);

	/* RAM ends inside the kernel image. */
	expect_refused(guest_image_start, image_len(), GUEST_KERNEL_GPA + 4096,
		       -ERANGE, "outside RAM");
	ph->p_paddr = GUEST_BOOTINFO_GPA;
	expect_refused(img, image_len(), RAM, -ERANGE, "boot area");
	ph->p_paddr = UINT64_MAX - 100;
	expect_refused(img, image_len(), RAM, -ERANGE, "overflows");
	ph->p_paddr = GUEST_KERNEL_GPA;
	ph->p_filesz = ph->p_memsz + 1;
	expect_refused(img, image_len(), RAM, -ENOEXEC, "filesz > memsz");
	free(img);
}
END_TEST

START_TEST(test_overlap_and_entry)
{
	char *img = image_copy();
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + eh->e_phoff);

	ck_assert_int_ge(eh->e_phnum, 2);
	ph[1].p_paddr = ph[0].p_paddr; /* second segment on the first */
	expect_refused(img, image_len(), RAM, -EINVAL, "overlap");
	memcpy(img, guest_image_start, image_len());
	eh->e_entry = 0x10;
	expect_refused(img, image_len(), RAM, -ENOEXEC, "entry");
	free(img);
}
END_TEST

/*
 * Crafted images.  Their headers are edited through memcpy, like the
 * loader reads them: a moved program-header table need not be aligned.
 */
static Elf64_Ehdr get_ehdr(const char *img)
{
	Elf64_Ehdr eh;

	memcpy(&eh, img, sizeof(eh));
	return eh;
}

static void put_ehdr(char *img, const Elf64_Ehdr *eh)
{
	memcpy(img, eh, sizeof(*eh));
}

static Elf64_Phdr get_phdr(const char *img, unsigned int i)
{
	Elf64_Ehdr eh = get_ehdr(img);
	Elf64_Phdr ph;

	memcpy(&ph, img + eh.e_phoff + i * sizeof(ph), sizeof(ph));
	return ph;
}

static void put_phdr(char *img, unsigned int i, const Elf64_Phdr *ph)
{
	Elf64_Ehdr eh = get_ehdr(img);

	memcpy(img + eh.e_phoff + i * sizeof(*ph), ph, sizeof(*ph));
}

/*
 * The guest's program headers moved to an odd file offset, in the
 * padding between them and the first segment's data.
 */
#define ODD_PHOFF 0x101

static char *image_with_odd_phoff(void)
{
	char *img = image_copy();
	Elf64_Ehdr eh = get_ehdr(img);
	size_t table = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);

	ck_assert_uint_le(ODD_PHOFF + table, get_phdr(img, 0).p_offset ?:
						     get_phdr(img, 1).p_offset);
	memmove(img + ODD_PHOFF, img + eh.e_phoff, table);
	eh.e_phoff = ODD_PHOFF;
	put_ehdr(img, &eh);
	return img;
}

static void expect_loads_like_guest(const char *img)
{
	struct elf_info want, got;
	char err[160] = "";
	char *ram = calloc(1, RAM);

	ck_assert_ptr_nonnull(ram);
	ck_assert_int_eq(elf_check(guest_image_start, image_len(),
				   GUEST_KERNEL_GPA, RAM, &want, err,
				   sizeof(err)),
			 0);
	ck_assert_msg(elf_check(img, image_len(), GUEST_KERNEL_GPA, RAM, &got,
				err, sizeof(err)) == 0,
		      "refused: %s", err);
	ck_assert_int_eq(memcmp(&want, &got, sizeof(want)), 0);
	ck_assert_int_eq(elf_load(img, &got, buf_hva, ram, err, sizeof(err)),
			 0);
	for (unsigned int i = 0; i < got.nr_segments; i++)
		ck_assert_int_eq(memcmp(ram + got.seg[i].gpa,
					guest_image_start + got.seg[i].offset,
					got.seg[i].filesz),
				 0);
	free(ram);
}

/*
 * ELF does not promise aligned headers and the loader must not assume
 * them: reading them in place through a misaligned pointer is undefined
 * behaviour (the sanitizer build stops the whole host on it).
 */
START_TEST(test_misaligned_phdrs)
{
	char *img = image_with_odd_phoff();
	Elf64_Phdr ph;

	expect_loads_like_guest(img);
	/* A bad entry in a misaligned table is still found and named. */
	ph = get_phdr(img, 0);
	ph.p_filesz = ph.p_memsz + 1;
	put_phdr(img, 0, &ph);
	expect_refused(img, image_len(), RAM, -ENOEXEC, "filesz > memsz");
	free(img);
}
END_TEST

START_TEST(test_misaligned_image)
{
	char *buf = malloc(image_len() + 1);

	ck_assert_ptr_nonnull(buf);
	memcpy(buf + 1, guest_image_start, image_len());
	expect_loads_like_guest(buf + 1);
	free(buf);
}
END_TEST

START_TEST(test_phdrs_outside)
{
	char *img = image_copy();
	Elf64_Ehdr eh = get_ehdr(img);

	eh.e_phnum = 0;
	put_ehdr(img, &eh);
	expect_refused(img, image_len(), RAM, -ENOEXEC, "no program headers");
	eh.e_phnum = image_len() / sizeof(Elf64_Phdr); /* past the end */
	put_ehdr(img, &eh);
	expect_refused(img, image_len(), RAM, -ENOEXEC,
		       "program headers outside");
	ck_assert_msg(strstr(last_err, " KiB)"), "%s", last_err);
	eh.e_phnum = 2;
	eh.e_phoff = image_len() - sizeof(Elf64_Phdr); /* the 2nd past it */
	put_ehdr(img, &eh);
	expect_refused(img, image_len(), RAM, -ENOEXEC,
		       "program headers outside");
	eh.e_phoff = UINT64_MAX - 8; /* offset + size overflows */
	put_ehdr(img, &eh);
	expect_refused(img, image_len(), RAM, -ENOEXEC,
		       "program headers outside");
	eh = get_ehdr(guest_image_start);
	eh.e_phentsize = sizeof(Elf64_Phdr) - 8;
	put_ehdr(img, &eh);
	expect_refused(img, image_len(), RAM, -ENOEXEC, "e_phentsize");
	eh.e_phentsize = sizeof(Elf64_Phdr) + 8;
	put_ehdr(img, &eh);
	expect_refused(img, image_len(), RAM, -ENOEXEC, "e_phentsize");
	free(img);
}
END_TEST

START_TEST(test_segment_overflows)
{
	char *img = image_copy();
	Elf64_Phdr ph = get_phdr(img, 0);

	ph.p_offset = UINT64_MAX - 8; /* offset + filesz overflows */
	ph.p_filesz = 16;
	put_phdr(img, 0, &ph);
	expect_refused(img, image_len(), RAM, -ENOEXEC, "beyond the image end");
	ph = get_phdr(guest_image_start, 0);
	ph.p_filesz = image_len(); /* from its offset, past the end */
	ph.p_memsz = ph.p_filesz;
	put_phdr(img, 0, &ph);
	expect_refused(img, image_len(), RAM, -ENOEXEC, "beyond the image end");
	ph = get_phdr(guest_image_start, 0);
	ph.p_memsz = UINT64_MAX; /* paddr + memsz overflows */
	put_phdr(img, 0, &ph);
	expect_refused(img, image_len(), RAM, -ERANGE, "overflows");
	ph = get_phdr(guest_image_start, 0);
	ph.p_paddr = GUEST_KERNEL_GPA - 4096; /* reaches into the boot area */
	put_phdr(img, 0, &ph);
	expect_refused(img, image_len(), RAM, -ERANGE, "boot area");
	ph = get_phdr(guest_image_start, 0);
	ph.p_paddr = RAM - 4096; /* starts in RAM, ends past it */
	ph.p_memsz = 2 * 4096;
	ph.p_filesz = 4096;
	put_phdr(img, 0, &ph);
	expect_refused(img, image_len(), RAM, -ERANGE, "outside RAM (64 MiB)");
	free(img);
}
END_TEST

/* A RAM buffer behind a struct boot_vm, as the VM core gives one. */
static int buf_populate(void *ctx, uint64_t gpa, uint64_t len)
{
	(void)ctx;
	return gpa + len <= RAM ? 0 : -EFAULT;
}

static struct boot_vm buf_boot_vm(char *ram, const struct boot_device *dev,
				  unsigned int nr_devices)
{
	static const struct guest_node_range node[2] = {
		{ 0, RAM / 2 },
		{ RAM / 2, RAM / 2 },
	};

	return (struct boot_vm){
		.ram_size = RAM,
		.nr_nodes = 2,
		.node = node,
		.nr_vcpus = 2,
		.tsc_khz = 2000000,
		.cmdline = "touch 1M; verify",
		.pinned_size = 4 << 20,
		.irqchip = true,
		.nr_devices = nr_devices,
		.dev = dev,
		.hva = buf_hva,
		.populate = buf_populate,
		.ctx = ram,
	};
}

/*
 * vmm's guest ABI through the loader interface: the built-in image is
 * its; loaded, set up and entered as guest/abi.h says (boot info with
 * the devices the VM core registered, page tables, each vCPU's
 * registers).
 */
START_TEST(test_vmm_abi)
{
	struct boot_device dev = { GUEST_MMIO_GPA, 5, GUEST_VIRTIO_GSI };
	char *ram = calloc(1, RAM), why[160], err[160] = "";
	struct boot_vm bv = buf_boot_vm(ram, &dev, 1);
	const struct guest_abi *abi;
	struct guest_bootinfo *bi = (void *)(ram + GUEST_BOOTINFO_GPA);
	struct boot_entry entry;
	struct kvm_sregs sr = { 0 };
	struct kvm_regs r;

	ck_assert_ptr_nonnull(ram);
	abi = guest_abi_find(guest_image_start, image_len(), why, sizeof(why));
	ck_assert_ptr_eq(abi, &vmm_guest_abi);
	ck_assert_str_eq(why, "");
	ck_assert_int_eq(abi->load(&bv, guest_image_start, image_len(), &entry,
				   err, sizeof(err)),
			 0);
	ck_assert_uint_eq(entry.rip, GUEST_KERNEL_GPA);
	ck_assert_int_eq(abi->setup(&bv, err, sizeof(err)), 0);
	ck_assert_uint_eq(bi->magic, GUEST_BOOTINFO_MAGIC);
	ck_assert_uint_eq(bi->ram_size, RAM);
	ck_assert_uint_eq(bi->nr_vcpus, 2);
	ck_assert_uint_eq(bi->nr_nodes, 2);
	ck_assert_uint_eq(bi->node[1].start, RAM / 2);
	ck_assert_uint_eq(bi->pinned_start, GUEST_RAM_START);
	ck_assert_uint_eq(bi->pinned_size, 4 << 20);
	ck_assert_uint_eq(bi->nr_devices, 1);
	ck_assert_uint_eq(bi->dev[0].mmio_gpa, GUEST_MMIO_GPA);
	ck_assert_uint_eq(bi->dev[0].device_id, 5);
	ck_assert_uint_eq(bi->dev[0].irq, GUEST_VIRTIO_GSI);
	ck_assert_str_eq(ram + bi->cmdline_gpa, "touch 1M; verify");
	/* A PML4 whose first entry leads on, and the GDT's kernel code. */
	ck_assert_uint_ne(*(uint64_t *)(ram + GUEST_PGTABLE_GPA) & 1, 0);
	ck_assert_uint_ne(*(uint64_t *)(ram + GUEST_GDT_GPA + GUEST_SEL_KCODE),
			  0);
	abi->vcpu_state(&entry, 1, &sr, &r);
	ck_assert_uint_eq(r.rip, GUEST_KERNEL_GPA);
	ck_assert_uint_eq(r.rdi, GUEST_BOOTINFO_GPA);
	ck_assert_uint_eq(r.rsi, 1);
	ck_assert_uint_eq(r.rsp, GUEST_BOOT_STACK_TOP - GUEST_BOOT_STACK_SIZE);
	ck_assert_uint_eq(sr.cr3, GUEST_PGTABLE_GPA);
	ck_assert_uint_eq(sr.cs.selector, GUEST_SEL_KCODE);
	ck_assert(sr.cs.l);
	free(ram);
}
END_TEST

/* Too many devices for the boot info: an error, not an overflow. */
START_TEST(test_vmm_abi_devices)
{
	struct boot_device dev[GUEST_MAX_DEVICES + 1] = { 0 };
	char *ram = calloc(1, RAM), err[160] = "";
	struct boot_vm bv = buf_boot_vm(ram, dev, GUEST_MAX_DEVICES + 1);

	ck_assert_ptr_nonnull(ram);
	ck_assert_int_eq(vmm_guest_abi.setup(&bv, err, sizeof(err)), -E2BIG);
	ck_assert_msg(strstr(err, "devices"), "%s", err);
	free(ram);
}
END_TEST

/* No ABI here takes a Linux bzImage: the message says what it is. */
START_TEST(test_bzimage_named)
{
	char img[1024] = { 0 }, why[160];
	const struct guest_abi *abi;

	memcpy(img + 0x202, "HdrS", 4);
	abi = guest_abi_find(img, sizeof(img), why, sizeof(why));
	ck_assert_ptr_eq(abi, &vmm_guest_abi); /* its message for the rest */
	ck_assert_msg(strstr(why, "Linux bzImage"), "%s", why);
	ck_assert_msg(strstr(why, "not the Linux boot protocol"), "%s", why);
	/* An ELF image is no bzImage. */
	abi = guest_abi_find(guest_image_start, image_len(), why, sizeof(why));
	ck_assert_str_eq(why, "");
}
END_TEST

Suite *loader_suite(void)
{
	Suite *s = suite_create("loader");
	TCase *tc = tcase_create("elf");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_guest_image_loads);
	tcase_add_test(tc, test_vmm_abi);
	tcase_add_test(tc, test_vmm_abi_devices);
	tcase_add_test(tc, test_bzimage_named);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_wrong_machine);
	tcase_add_test(tc, test_segment_outside_ram);
	tcase_add_test(tc, test_overlap_and_entry);
	tcase_add_test(tc, test_misaligned_phdrs);
	tcase_add_test(tc, test_misaligned_image);
	tcase_add_test(tc, test_phdrs_outside);
	tcase_add_test(tc, test_segment_overflows);
	suite_add_tcase(s, tc);
	return s;
}
