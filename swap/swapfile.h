/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The swap file: page-sized slots of a regular file (swap_map.c hands
 * them out), written and read with io_uring, as Linux's swap over a
 * file (mm/swapfile.c, mm/page_io.c).  Slot 0 is a header that says the
 * file is ours; the data is whole pages, no compression.
 *
 * The file is the user's: it is created if missing, reused if it is one
 * of ours (its old contents are void: every open starts an empty map),
 * refused otherwise, and never unlinked by swap_file_close() (nor by
 * anything here, except a file swap_file_open() created itself and then
 * failed to set up).  One process uses it at a time (flock).
 *
 * I/O: O_DIRECT where the file system allows it (the page cache would
 * hold a second copy of what we evict), buffered where it does not
 * (ramfs, some network file systems; swap_file_stats.direct_io says
 * which).  Each stream has a ring of its own for writes; reads take one
 * of a small set of rings, so a fault's read never waits for the
 * completions of somebody's write batch (docs/cold_tier.md, "The swap
 * file's I/O", has the choice and its measurements).  A batch goes to
 * the kernel in submissions of up to SWAP_FILE_BATCH pages.  Under
 * O_DIRECT each ring keeps a bounce buffer of SWAP_FILE_BATCH pages
 * (256 KiB) for callers' pages that are not page-aligned.
 *
 * Disk use: the size is reserved at open (fallocate: a full file system
 * says so then, not at the first write); a cluster whose last slot is
 * freed is punched out (FALLOC_FL_PUNCH_HOLE), giving its blocks back,
 * so the file's disk use follows what it holds.  A punched cluster is
 * reserved again when a stream next writes into it; a file system that
 * filled meanwhile fails those writes with ENOSPC (the caller keeps its
 * pages, the slots stay sound).
 */
#ifndef SWAP_SWAPFILE_H
#define SWAP_SWAPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "mm/types.h"

#define SWAP_FILE_BATCH 64 /* pages per submission, per ring */
#define SWAP_FILE_READ_RINGS 4 /* reads' rings unless configured */

struct swap_file;

struct swap_file_config {
	const char *path;
	/* Bytes; rounded down to whole clusters (2 MiB), at least one; the
	 * header's slot is among them. */
	uint64_t size;
	/* Writers that keep their own cluster (swap_map's streams), 1 .. 64;
	 * each has a ring of its own. */
	unsigned int nr_streams;
	/* Rings shared by readers, 0: SWAP_FILE_READ_RINGS. */
	unsigned int nr_read_rings;
	/* No fallocate: the file's blocks are taken as pages are written
	 * (a file system that fills later fails writes). */
	bool sparse;
};

struct swap_file_stats {
	unsigned long total; /* slots that may be used, pages (SwapTotal) */
	unsigned long free; /* of them free, pages (SwapFree) */
	unsigned long bad; /* slots marked bad after a failed write */
	uint64_t writes; /* pages written */
	uint64_t reads; /* pages read */
	uint64_t write_errors; /* pages whose write failed */
	uint64_t read_errors; /* pages whose read failed */
	uint64_t punched; /* clusters punched out once empty */
	uint64_t punch_errors; /* clusters a punch failed on (kept) */
	bool direct_io; /* O_DIRECT, else buffered */
	bool preallocated; /* the size was reserved at open */
	bool punch; /* the file system punches holes */
};

/*
 * Create or reuse the file at cfg->path (mode 0600, never through a
 * symbolic link) and set it up: 0, or -errno with a message naming the
 * path and the reason in err (-EINVAL a bad size or stream count,
 * -EEXIST a file that is not ours, -ELOOP a symbolic link, -EBUSY a
 * file another process uses, -ENOSPC no room for the size, others from
 * the system).
 */
int swap_file_open(const struct swap_file_config *cfg, struct swap_file **out,
		   char *err, size_t errlen) __must_check;
/* Close the file; it stays where it is, with its header (reusable). */
void swap_file_close(struct swap_file *f);

/*
 * Write nr pages (PAGE_SIZE bytes each, anywhere in host memory) to new
 * slots of stream, waiting for them.  Returns how many were written, in
 * order, their slots in slots[] (each with one reference), or -errno:
 * -ENOSPC when no slot is free, the first failed page's error when that
 * is the first page, -EINVAL.  Fewer than nr: the file filled up, or a
 * page's write failed: neither it nor any page after it counts as
 * written (the caller keeps them all), and its slot is marked bad, unless
 * the error was the file system's lack of room (ENOSPC, EDQUOT: the slot
 * is free again, for when there is room).  Thread-safe.
 */
int swap_file_write(struct swap_file *f, unsigned int stream,
		    const void *const *pages, unsigned int nr,
		    unsigned long *slots);
/*
 * Read nr slots (each in use) into pages, in one submission per
 * SWAP_FILE_BATCH, waiting for them: 0, or -EIO when a read failed or
 * came back short (the first such page's index in *failed; the others
 * were read), -EINVAL a slot that is not the file's (its index in
 * *failed).  Thread-safe.
 */
int swap_file_read(struct swap_file *f, const unsigned long *slots,
		   void *const *pages, unsigned int nr, unsigned int *failed);
/* One reference less on a slot (swap_free()); a cluster left empty is
 * punched out. */
void swap_file_free(struct swap_file *f, unsigned long slot);

void swap_file_get_stats(struct swap_file *f, struct swap_file_stats *st);
/* The map's walker, the header and the file's size: 0 or -EUCLEAN with
 * the first problem in err. */
int swap_file_validate(struct swap_file *f, char *err, size_t errlen);

/*
 * Tests, as mm's fail_page_alloc: the page I/O of kind op numbered nth
 * from now (0: the next) fails with err (a negative errno) as a device
 * error would, without reaching the file.  nth < 0 disarms.
 */
enum swap_file_op {
	SWAP_FILE_WRITE,
	SWAP_FILE_READ,
};
void swap_file_inject_error(struct swap_file *f, enum swap_file_op op, long nth,
			    int err);

#endif /* SWAP_SWAPFILE_H */
