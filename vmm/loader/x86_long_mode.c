// SPDX-License-Identifier: GPL-2.0
/*
 * 64-bit mode at entry, as vmm's guest ABI promises it (x86_long_mode.h),
 * one named step at a time.
 */
#include "vmm/loader/x86_long_mode.h"

#include <errno.h>
#include <string.h>

/* Control register and EFER bits (SDM Vol. 3, 2.5 and 2.2.1). */
#define X86_CR0_PE (1UL << 0) /* protection enable */
#define X86_CR0_MP (1UL << 1) /* monitor coprocessor */
#define X86_CR0_ET (1UL << 4) /* extension type */
#define X86_CR0_NE (1UL << 5) /* numeric error */
#define X86_CR0_WP (1UL << 16) /* write protect */
#define X86_CR0_AM (1UL << 18) /* alignment mask */
#define X86_CR0_PG (1UL << 31) /* paging */
#define X86_CR4_PAE (1UL << 5) /* physical address extension */
#define X86_CR4_OSFXSR (1UL << 9)
#define X86_CR4_OSXMMEXCPT (1UL << 10)
#define EFER_LME (1UL << 8) /* long mode enable */
#define EFER_LMA (1UL << 10) /* long mode active */

/* Page-table entry bits (SDM Vol. 3, 4.5). */
#define PTE_P (1UL << 0) /* present */
#define PTE_RW (1UL << 1) /* writable */
#define PTE_US (1UL << 2) /* user: CPL3 may access */
#define PTE_PS (1UL << 7) /* page size: 2 MiB in a PD entry */
#define PTE_TABLE (PTE_P | PTE_RW | PTE_US)
#define PTE_LARGE (PTE_P | PTE_RW | PTE_US | PTE_PS)

#define SZ_2M (2UL << 20)
#define SZ_1G (1UL << 30)
#define SZ_512G (512UL << 30)

/* Segment descriptor type/flag bits (SDM Vol. 3, 3.4.5). */
#define SEG_TYPE_CODE_XR 0xb /* execute/read, accessed */
#define SEG_TYPE_DATA_RW 0x3 /* read/write, accessed */
#define SEG_TYPE_TSS_BUSY 0xb

static uint64_t gdt_entry(unsigned int type, unsigned int dpl, bool code64)
{
	/* Base 0, limit 4 GiB with G=1; L for 64-bit code, else D/B. */
	uint64_t d = 0xffffULL | (0xfULL << 48);

	d |= (uint64_t)type << 40;
	d |= 1ULL << 44; /* S: code/data */
	d |= (uint64_t)dpl << 45;
	d |= 1ULL << 47; /* P */
	d |= code64 ? 1ULL << 53 : 1ULL << 54; /* L or D/B */
	d |= 1ULL << 55; /* G */
	return d;
}

static int build_gdt(const struct boot_vm *bv)
{
	uint64_t *gdt = bv->hva(bv->ctx, GUEST_GDT_GPA, 16 * 8);

	if (!gdt)
		return -EFAULT;
	memset(gdt, 0, 16 * 8);
	gdt[GUEST_SEL_KCODE / 8] = gdt_entry(SEG_TYPE_CODE_XR, 0, true);
	gdt[GUEST_SEL_KDATA / 8] = gdt_entry(SEG_TYPE_DATA_RW, 0, false);
	gdt[GUEST_SEL_UDATA / 8] = gdt_entry(SEG_TYPE_DATA_RW, 3, false);
	gdt[GUEST_SEL_UCODE / 8] = gdt_entry(SEG_TYPE_CODE_XR, 3, true);
	/* GUEST_SEL_TSS: filled in by each vCPU in its own GDT copy. */
	return 0;
}

/*
 * PML4 -> PDPT -> PD with 2 MiB pages, identity, for [0, ram_size) and
 * the MMIO window.  Tables are allocated one page at a time from
 * GUEST_PGTABLE_GPA; the guest never writes them (shadow paging traps
 * every page-table write).
 */
struct pt_alloc {
	const struct boot_vm *bv;
	uint64_t next, end;
};

static uint64_t *pt_page(struct pt_alloc *a, uint64_t gpa)
{
	return a->bv->hva(a->bv->ctx, gpa, 4096);
}

static int pt_new(struct pt_alloc *a, uint64_t *gpa)
{
	uint64_t *p;

	if (a->next >= a->end)
		return -E2BIG;
	*gpa = a->next;
	a->next += 4096;
	p = pt_page(a, *gpa);
	if (!p)
		return -EFAULT;
	memset(p, 0, 4096);
	return 0;
}

/* The next-level table behind entry idx of table, created if absent. */
static int pt_walk(struct pt_alloc *a, uint64_t *table, unsigned int idx,
		   uint64_t **next)
{
	uint64_t gpa;
	int ret;

	if (!(table[idx] & PTE_P)) {
		ret = pt_new(a, &gpa);
		if (ret)
			return ret;
		table[idx] = gpa | PTE_TABLE;
	}
	*next = pt_page(a, table[idx] & ~0xfffULL);
	return *next ? 0 : -EFAULT;
}

static int map_2m_range(struct pt_alloc *a, uint64_t *pml4, uint64_t start,
			uint64_t end)
{
	for (uint64_t va = start; va < end; va += SZ_2M) {
		uint64_t *pdpt, *pd;
		int ret;

		ret = pt_walk(a, pml4, (va / SZ_512G) % 512, &pdpt);
		if (!ret)
			ret = pt_walk(a, pdpt, (va / SZ_1G) % 512, &pd);
		if (ret)
			return ret;
		pd[(va / SZ_2M) % 512] = va | PTE_LARGE;
	}
	return 0;
}

static int build_page_tables(const struct boot_vm *bv)
{
	struct pt_alloc a = { bv, GUEST_PGTABLE_GPA,
			      GUEST_PGTABLE_GPA + GUEST_PGTABLE_MAX };
	uint64_t pml4_gpa, *pml4;
	int ret;

	ret = pt_new(&a, &pml4_gpa);
	if (ret)
		return ret;
	pml4 = pt_page(&a, pml4_gpa);
	ret = map_2m_range(&a, pml4, 0, bv->ram_size);
	if (!ret)
		ret = map_2m_range(&a, pml4, GUEST_MMIO_GPA,
				   GUEST_MMIO_GPA + GUEST_MMIO_SIZE);
	/* The IOAPIC and LAPIC pages (0xfec00000 .. 0xfee01000), where RAM
	 * does not cover them: a larger guest has RAM there and no
	 * interrupts (no PCI hole in this machine model). */
	if (!ret && bv->irqchip && bv->ram_size <= GUEST_IOAPIC_GPA)
		ret = map_2m_range(&a, pml4, GUEST_IOAPIC_GPA,
				   GUEST_LAPIC_GPA + SZ_2M);
	return ret;
}

int x86_long_mode_tables(const struct boot_vm *bv)
{
	int ret = build_page_tables(bv);

	return ret ? ret : build_gdt(bv);
}

static void set_segment(struct kvm_segment *s, uint16_t sel, unsigned int type,
			bool code64)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = 0;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->dpl = sel & 3;
	s->s = 1;
	s->l = code64;
	s->db = !code64;
	s->g = 1;
}

void x86_long_mode_sregs(struct kvm_sregs *sr)
{
	/* Step 1: segments.  64-bit kernel code, flat kernel data. */
	set_segment(&sr->cs, GUEST_SEL_KCODE, SEG_TYPE_CODE_XR, true);
	set_segment(&sr->ds, GUEST_SEL_KDATA, SEG_TYPE_DATA_RW, false);
	sr->es = sr->fs = sr->gs = sr->ss = sr->ds;
	/* A placeholder busy TSS so entry checks pass until the guest's ltr. */
	memset(&sr->tr, 0, sizeof(sr->tr));
	sr->tr.type = SEG_TYPE_TSS_BUSY;
	sr->tr.limit = 0x67;
	sr->tr.present = 1;
	memset(&sr->ldt, 0, sizeof(sr->ldt));
	sr->ldt.unusable = 1;
	/* Step 2: descriptor tables.  The guest loads its own IDT. */
	sr->gdt.base = GUEST_GDT_GPA;
	sr->gdt.limit = 16 * 8 - 1;
	sr->idt.base = 0;
	sr->idt.limit = 0;
	/* Step 3: paging.  CR3, then PAE, then long mode, then PG. */
	sr->cr3 = GUEST_PGTABLE_GPA;
	sr->cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	sr->efer = EFER_LME | EFER_LMA;
	sr->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
		  X86_CR0_WP | X86_CR0_AM | X86_CR0_PG;
}
