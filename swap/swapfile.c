// SPDX-License-Identifier: GPL-2.0
/*
 * The swap file's I/O (swapfile.h says what; docs/cold_tier.md, "The
 * swap file's I/O", why so).
 *
 * Rings.  Each stream has its ring for writes, under a mutex (a stream is
 * one evicting thread, so the mutex is uncontended when used as meant);
 * reads share SWAP_FILE_READ_RINGS rings, a reader taking the first that
 * is idle, else waiting on one.  A ring is used by one caller at a time,
 * from submission to its last completion: nobody reaps another's
 * completions, and a fault's read never sits in the same ring behind a
 * write batch (it still shares the device's queue with the writes).
 *
 * Buffers.  The caller's pages go to the kernel as they are (plain
 * reads and writes, no copy).  Under O_DIRECT a page not aligned to the
 * page size bounces through the ring's own aligned buffer, registered
 * with the ring (fixed buffers: the kernel pins it once, not per I/O).
 * The file is registered too (fixed file: no lookup per I/O).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <liburing.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "swap/swap_map.h"
#include "swap/swapfile.h"
#include "util/errf.h"

#define SWAP_MAGIC "VMM-SWAPFILE\0\0\0\0"
#define SWAP_VERSION 1
#define CLUSTER_BYTES ((uint64_t)SWAPFILE_CLUSTER * PAGE_SIZE)
#define SWAP_MAX_SLOTS (1UL << 32)
#define INJECTED (1ULL << 63) /* user_data: an injected failure */

/* Slot 0.  Little-endian, as the host. */
struct swap_header {
	char magic[16];
	uint32_t version;
	uint32_t page_size;
	uint64_t nr_slots;
};

struct swap_ring {
	pthread_mutex_t lock;
	struct io_uring ring;
	void *bounce; /* SWAP_FILE_BATCH pages, O_DIRECT only */
	bool fixed; /* bounce registered as fixed buffer 0 */
	bool broken; /* a submission failed: entries may be left in it */
};

struct swap_file {
	char *path;
	int fd;
	bool direct, preallocated;
	bool punch; /* cleared by the first EOPNOTSUPP */
	unsigned long nr_slots;
	struct swap_map *map;
	/* Clusters punched out and not yet reserved again, preallocated
	 * files only (atomic bytes: set by a discard, cleared by the one
	 * writer whose stream took the cluster). */
	unsigned char *unreserved;
	unsigned int nr_streams, nr_read_rings;
	struct swap_ring *wrings, *rrings;
	unsigned int read_hint; /* where readers start looking */
	/* Counters, relaxed atomic adds: */
	uint64_t writes, reads, write_errors, read_errors, punched,
		punch_errors;
	long inject_nth[2]; /* by enum swap_file_op, < 0: off */
	int inject_err[2];
};

static void count(uint64_t *c, uint64_t n)
{
	__atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

static uint64_t counted(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------ rings */

static int ring_init(struct swap_file *f, struct swap_ring *r)
{
	int ret;

	ret = io_uring_queue_init(SWAP_FILE_BATCH, &r->ring, 0);
	if (ret < 0)
		return ret;
	ret = io_uring_register_files(&r->ring, &f->fd, 1);
	if (ret < 0)
		goto err_ring;
	if (f->direct) {
		struct iovec iov = { NULL, SWAP_FILE_BATCH * PAGE_SIZE };

		ret = -ENOMEM;
		r->bounce = aligned_alloc(PAGE_SIZE, iov.iov_len);
		if (!r->bounce)
			goto err_ring;
		iov.iov_base = r->bounce;
		/* Without registration the bounce still works, plain. */
		r->fixed = !io_uring_register_buffers(&r->ring, &iov, 1);
	}
	pthread_mutex_init(&r->lock, NULL);
	return 0;
err_ring:
	io_uring_queue_exit(&r->ring);
	return ret;
}

static void ring_exit(struct swap_ring *r)
{
	/* Now, not when the ring's teardown gets to it: a file the ring
	 * still holds keeps its file system busy and its lock taken. */
	io_uring_unregister_files(&r->ring);
	if (r->fixed)
		io_uring_unregister_buffers(&r->ring);
	pthread_mutex_destroy(&r->lock);
	io_uring_queue_exit(&r->ring);
	free(r->bounce);
}

/* An injected failure for this page I/O?  Its error, else 0. */
static int inject(struct swap_file *f, enum swap_file_op op)
{
	if (__atomic_load_n(&f->inject_nth[op], __ATOMIC_RELAXED) < 0)
		return 0;
	if (__atomic_fetch_sub(&f->inject_nth[op], 1, __ATOMIC_RELAXED))
		return 0;
	return __atomic_load_n(&f->inject_err[op], __ATOMIC_RELAXED);
}

static void prep_page(struct swap_file *f, struct swap_ring *r,
		      struct io_uring_sqe *sqe, enum swap_file_op op,
		      unsigned long slot, void *page, unsigned int i)
{
	off_t off = (off_t)slot << PAGE_SHIFT;
	void *bounce = (char *)r->bounce + (size_t)i * PAGE_SIZE;

	if (!f->direct || !((uintptr_t)page & (PAGE_SIZE - 1))) {
		if (op == SWAP_FILE_WRITE)
			io_uring_prep_write(sqe, 0, page, PAGE_SIZE, off);
		else
			io_uring_prep_read(sqe, 0, page, PAGE_SIZE, off);
	} else if (op == SWAP_FILE_WRITE) {
		memcpy(bounce, page, PAGE_SIZE);
		if (r->fixed)
			io_uring_prep_write_fixed(sqe, 0, bounce, PAGE_SIZE,
						  off, 0);
		else
			io_uring_prep_write(sqe, 0, bounce, PAGE_SIZE, off);
	} else if (r->fixed) {
		io_uring_prep_read_fixed(sqe, 0, bounce, PAGE_SIZE, off, 0);
	} else {
		io_uring_prep_read(sqe, 0, bounce, PAGE_SIZE, off);
	}
	sqe->flags |= IOSQE_FIXED_FILE;
}

/*
 * Submit every entry queued and wait for all: how many the kernel took
 * (all of them unless it refused a submission: the ring is then broken,
 * as what it did not take stays queued in it).  Context: r->lock held.
 */
static unsigned int ring_submit(struct swap_ring *r, unsigned int nr)
{
	unsigned int done = 0;

	while (done < nr) {
		/* Waiting for the first completion in the same call: a
		 * single page's read takes one system call. */
		int ret = io_uring_submit_and_wait(&r->ring, 1);

		if (ret == -EINTR || ret == -EAGAIN || ret == -EBUSY) {
			sched_yield();
			continue;
		}
		if (ret <= 0) {
			r->broken = true;
			break;
		}
		done += ret;
	}
	return done;
}

/*
 * One submission of nr (<= SWAP_FILE_BATCH) page I/Os on r, waited for:
 * res[i] = 0 or -errno for pages[i] (a short transfer is -EIO).
 * Context: r->lock held.
 */
static void ring_rw(struct swap_file *f, struct swap_ring *r,
		    enum swap_file_op op, const unsigned long *slots,
		    void *const *pages, unsigned int nr, int *res)
{
	unsigned int submitted, i;

	if (r->broken) {
		for (i = 0; i < nr; i++)
			res[i] = -EIO;
		return;
	}
	for (i = 0; i < nr; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
		int err = inject(f, op);

		res[i] = -EIO; /* until its completion says otherwise */
		if (err) {
			io_uring_prep_nop(sqe);
			io_uring_sqe_set_data64(sqe, INJECTED | (unsigned)-err);
			res[i] = err;
			continue;
		}
		prep_page(f, r, sqe, op, slots[i], pages[i], i);
		io_uring_sqe_set_data64(sqe, i);
	}
	submitted = ring_submit(r, nr);
	for (i = 0; i < submitted;) {
		struct io_uring_cqe *cqe;
		uint64_t data;
		int ret = io_uring_wait_cqe(&r->ring, &cqe);

		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			r->broken = true;
			return;
		}
		data = io_uring_cqe_get_data64(cqe);
		if (!(data & INJECTED) && data < nr)
			res[data] = cqe->res == (int)PAGE_SIZE ? 0 :
				    cqe->res < 0	       ? cqe->res :
								 -EIO;
		io_uring_cqe_seen(&r->ring, cqe);
		i++;
	}
	if (op != SWAP_FILE_READ || !f->direct)
		return;
	for (i = 0; i < nr; i++)
		if (!res[i] && ((uintptr_t)pages[i] & (PAGE_SIZE - 1)))
			memcpy(pages[i], (char *)r->bounce + i * PAGE_SIZE,
			       PAGE_SIZE);
}

/* A read ring: the first idle one from where the last reader started,
 * else wait for that one.  Returned locked. */
static struct swap_ring *read_ring_get(struct swap_file *f)
{
	unsigned int start =
		__atomic_fetch_add(&f->read_hint, 1, __ATOMIC_RELAXED) %
		f->nr_read_rings;

	for (unsigned int k = 0; k < f->nr_read_rings; k++) {
		struct swap_ring *r =
			&f->rrings[(start + k) % f->nr_read_rings];

		if (!pthread_mutex_trylock(&r->lock))
			return r;
	}
	pthread_mutex_lock(&f->rrings[start].lock);
	return &f->rrings[start];
}

/* ------------------------------------------------------------ discards */

/* Punch out the clusters emptied since the last call. */
static void discard_clusters(struct swap_file *f)
{
	long c;

	while ((c = swap_discard_take(f->map)) >= 0) {
		if (__atomic_load_n(&f->punch, __ATOMIC_RELAXED)) {
			int ret = fallocate(f->fd,
					    FALLOC_FL_PUNCH_HOLE |
						    FALLOC_FL_KEEP_SIZE,
					    (off_t)(c * CLUSTER_BYTES),
					    (off_t)CLUSTER_BYTES);

			if (!ret && f->unreserved)
				__atomic_store_n(&f->unreserved[c], 1,
						 __ATOMIC_RELEASE);
			if (!ret)
				count(&f->punched, 1);
			else if (errno == EOPNOTSUPP)
				__atomic_store_n(&f->punch, false,
						 __ATOMIC_RELAXED);
			else
				count(&f->punch_errors, 1);
		}
		swap_discard_done(f->map, c);
	}
}

/*
 * Reserve the blocks of punched clusters among slots again before
 * writing there: writes into reserved blocks run several times faster
 * than writes that allocate (docs/PERFORMANCE.md), and a full file
 * system shows here first.  A failure leaves the writes to find out.
 */
static void reserve_clusters(struct swap_file *f, const unsigned long *slots,
			     unsigned int nr)
{
	unsigned long last = ULONG_MAX;

	for (unsigned int i = 0; i < nr && f->unreserved; i++) {
		unsigned long c = slots[i] / SWAPFILE_CLUSTER;

		if (c == last)
			continue;
		last = c;
		if (!__atomic_exchange_n(&f->unreserved[c], 0,
					 __ATOMIC_ACQUIRE))
			continue;
		fallocate(f->fd, 0, (off_t)(c * CLUSTER_BYTES),
			  (off_t)CLUSTER_BYTES);
	}
}

/* ------------------------------------------------------------ I/O */

/*
 * The written batch's slots: kept up to the first failure, every failed
 * one marked bad, the written ones after the first failure freed.  A
 * file system out of room (ENOSPC, EDQUOT) is no fault of the slot: it
 * is freed too, and written once there is room again.  Returns the pages
 * kept.  Context: their cache bits set.
 */
static unsigned int write_done(struct swap_file *f, const unsigned long *slots,
			       const int *res, unsigned int nr, int *err)
{
	unsigned int kept = nr;

	for (unsigned int i = 0; i < nr; i++) {
		swapcache_clear(f->map, slots[i]);
		if (res[i]) {
			count(&f->write_errors, 1);
			if (res[i] == -ENOSPC || res[i] == -EDQUOT)
				swap_free(f->map, slots[i]);
			else
				swap_mark_bad(f->map, slots[i]);
			if (kept == nr) {
				kept = i;
				*err = res[i];
			}
		} else if (kept < nr) {
			swap_free(f->map, slots[i]);
		}
	}
	count(&f->writes, kept);
	return kept;
}

int swap_file_write(struct swap_file *f, unsigned int stream,
		    const void *const *pages, unsigned int nr,
		    unsigned long *slots)
{
	struct swap_ring *r;
	int res[SWAP_FILE_BATCH], ret = 0;
	unsigned int done = 0;

	if (stream >= f->nr_streams || !nr || nr > INT_MAX)
		return -EINVAL;
	r = &f->wrings[stream];
	pthread_mutex_lock(&r->lock);
	while (done < nr) {
		unsigned int want = nr - done < SWAP_FILE_BATCH ?
					    nr - done :
					    SWAP_FILE_BATCH;
		int got = swap_alloc(f->map, stream, want, slots + done);
		unsigned int kept;

		if (got < 0) {
			ret = got;
			break;
		}
		reserve_clusters(f, slots + done, got);
		for (int i = 0; i < got; i++)
			swapcache_prepare(f->map, slots[done + i]);
		ring_rw(f, r, SWAP_FILE_WRITE, slots + done,
			(void *const *)(pages + done), got, res);
		kept = write_done(f, slots + done, res, got, &ret);
		done += kept;
		if (kept < (unsigned int)got || got < (int)want)
			break;
	}
	pthread_mutex_unlock(&r->lock);
	/* Slots freed after a failure may have emptied a cluster. */
	discard_clusters(f);
	return done ? (int)done : ret;
}

int swap_file_read(struct swap_file *f, const unsigned long *slots,
		   void *const *pages, unsigned int nr, unsigned int *failed)
{
	struct swap_ring *r;
	int res[SWAP_FILE_BATCH], ret = 0;

	for (unsigned int i = 0; i < nr; i++) {
		if (!slots[i] || slots[i] >= f->nr_slots) {
			*failed = i;
			return -EINVAL;
		}
	}
	r = read_ring_get(f);
	for (unsigned int done = 0; done < nr; done += SWAP_FILE_BATCH) {
		unsigned int n = nr - done < SWAP_FILE_BATCH ? nr - done :
							       SWAP_FILE_BATCH;
		unsigned int ok = 0;

		ring_rw(f, r, SWAP_FILE_READ, slots + done, pages + done, n,
			res);
		for (unsigned int i = 0; i < n; i++) {
			if (!res[i]) {
				ok++;
				continue;
			}
			count(&f->read_errors, 1);
			if (!ret) {
				ret = -EIO;
				*failed = done + i;
			}
		}
		count(&f->reads, ok);
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

void swap_file_free(struct swap_file *f, unsigned long slot)
{
	if (swap_free(f->map, slot) == 0)
		discard_clusters(f);
}

/* ------------------------------------------------------------ the file */

static void header_fill(struct swap_header *h, unsigned long nr_slots)
{
	memset(h, 0, PAGE_SIZE);
	memcpy(h->magic, SWAP_MAGIC, sizeof(h->magic));
	h->version = SWAP_VERSION;
	h->page_size = PAGE_SIZE;
	h->nr_slots = nr_slots;
}

/* Is the header in buf (a page read from slot 0) ours?  0, or -EEXIST
 * with the reason. */
static int header_check(const struct swap_header *h, const char *path,
			char *err, size_t errlen)
{
	if (memcmp(h->magic, SWAP_MAGIC, sizeof(h->magic)))
		return errf(
			err, errlen, -EEXIST,
			"swap file %s: exists and is not a vmm swap file (no signature): refusing to overwrite it",
			path);
	if (h->version != SWAP_VERSION)
		return errf(
			err, errlen, -EEXIST,
			"swap file %s: version %u, this vmm writes %u: refusing to overwrite it",
			path, h->version, SWAP_VERSION);
	if (h->page_size != PAGE_SIZE)
		return errf(
			err, errlen, -EEXIST,
			"swap file %s: pages of %u bytes, not %lu: refusing to overwrite it",
			path, h->page_size, PAGE_SIZE);
	if (!h->nr_slots || h->nr_slots % SWAPFILE_CLUSTER ||
	    h->nr_slots > SWAP_MAX_SLOTS)
		return errf(
			err, errlen, -EEXIST,
			"swap file %s: a header of %llu slots is damaged: refusing to overwrite it",
			path, (unsigned long long)h->nr_slots);
	return 0;
}

/* Read slot 0 into buf (a page) and check it; the file is open. */
static int header_read(int fd, void *buf, const char *path, char *err,
		       size_t errlen)
{
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st))
		return errf(err, errlen, -errno, "swap file %s: stat: %s", path,
			    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return errf(err, errlen, -EEXIST,
			    "swap file %s: not a regular file: refusing it",
			    path);
	n = pread(fd, buf, PAGE_SIZE, 0);
	if (n < 0)
		return errf(err, errlen, -errno,
			    "swap file %s: reading its header: %s", path,
			    strerror(errno));
	if (n < (ssize_t)PAGE_SIZE)
		return errf(
			err, errlen, -EEXIST,
			"swap file %s: exists and is not a vmm swap file (%zd bytes): refusing to overwrite it",
			path, n);
	return header_check(buf, path, err, errlen);
}

/*
 * Open the file: create it, else open what is there, never through a
 * symbolic link.  The fd, or -errno; *created says which.
 */
static int file_open(const char *path, bool *created, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0600);

	*created = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno == ELOOP)
		return errf(err, errlen, -ELOOP,
			    "swap file %s: is a symbolic link: refusing it",
			    path);
	return errf(err, errlen, -errno, "swap file %s: %s", path,
		    strerror(errno));
}

/* Size the file, reserve its blocks (unless sparse), write the header. */
static int file_setup(struct swap_file *f, const struct swap_file_config *cfg,
		      bool created, void *page, char *err, size_t errlen)
{
	uint64_t size = (uint64_t)f->nr_slots * PAGE_SIZE;

	/* A reused file's old pages are void: give their blocks back. */
	if (!created &&
	    fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      PAGE_SIZE, size - PAGE_SIZE) &&
	    errno == EOPNOTSUPP)
		f->punch = false;
	if (ftruncate(f->fd, (off_t)size))
		return errf(err, errlen, -errno,
			    "swap file %s: setting its size to %llu bytes: %s",
			    f->path, (unsigned long long)size, strerror(errno));
	if (!cfg->sparse) {
		if (!fallocate(f->fd, 0, 0, (off_t)size))
			f->preallocated = true;
		else if (errno != EOPNOTSUPP)
			return errf(err, errlen, -errno,
				    "swap file %s: reserving %llu bytes: %s",
				    f->path, (unsigned long long)size,
				    strerror(errno));
	}
	header_fill(page, f->nr_slots);
	errno = 0; /* a short write sets none */
	if (pwrite(f->fd, page, PAGE_SIZE, 0) != (ssize_t)PAGE_SIZE ||
	    fdatasync(f->fd))
		return errf(err, errlen, errno ? -errno : -EIO,
			    "swap file %s: writing its header: %s", f->path,
			    strerror(errno ? errno : EIO));
	/* Set only now: the header went through the page cache, once. */
	f->direct = !fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) | O_DIRECT);
	return 0;
}

static int rings_init(struct swap_file *f, char *err, size_t errlen)
{
	unsigned int n = f->nr_streams + f->nr_read_rings;
	int ret;

	f->wrings = calloc(n, sizeof(*f->wrings));
	if (!f->wrings)
		return errf(err, errlen, -ENOMEM, "swap file %s: no memory",
			    f->path);
	f->rrings = f->wrings + f->nr_streams;
	for (unsigned int i = 0; i < n; i++) {
		ret = ring_init(f, &f->wrings[i]);
		if (ret < 0) {
			while (i--)
				ring_exit(&f->wrings[i]);
			free(f->wrings);
			f->wrings = NULL;
			return errf(err, errlen, ret,
				    "swap file %s: io_uring: %s", f->path,
				    strerror(-ret));
		}
	}
	return 0;
}

static int config_check(const struct swap_file_config *cfg, char *err,
			size_t errlen)
{
	const char *path = cfg->path ? cfg->path : "(none)";

	if (!cfg->path || !*cfg->path)
		return errf(err, errlen, -EINVAL, "swap file: no path");
	if (cfg->size / CLUSTER_BYTES < 1)
		return errf(
			err, errlen, -EINVAL,
			"swap file %s: %llu bytes is less than one cluster (%llu)",
			path, (unsigned long long)cfg->size,
			(unsigned long long)CLUSTER_BYTES);
	if (cfg->size / PAGE_SIZE > SWAP_MAX_SLOTS)
		return errf(err, errlen, -EINVAL,
			    "swap file %s: %llu bytes is more than %lu pages",
			    path, (unsigned long long)cfg->size,
			    SWAP_MAX_SLOTS);
	if (!cfg->nr_streams || cfg->nr_streams > 64)
		return errf(err, errlen, -EINVAL,
			    "swap file %s: %u streams, not 1 .. 64", path,
			    cfg->nr_streams);
	return 0;
}

int swap_file_open(const struct swap_file_config *cfg, struct swap_file **out,
		   char *err, size_t errlen)
{
	struct swap_file *f;
	void *page = NULL;
	bool created = false;
	int ret;

	ret = config_check(cfg, err, errlen);
	if (ret)
		return ret;
	f = calloc(1, sizeof(*f));
	if (f)
		f->path = strdup(cfg->path);
	page = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!f || !f->path || !page) {
		ret = errf(err, errlen, -ENOMEM, "swap file %s: no memory",
			   cfg->path);
		goto err_free;
	}
	f->nr_slots = cfg->size / CLUSTER_BYTES * SWAPFILE_CLUSTER;
	f->nr_streams = cfg->nr_streams;
	f->nr_read_rings = cfg->nr_read_rings ?: SWAP_FILE_READ_RINGS;
	f->punch = true;
	f->inject_nth[SWAP_FILE_WRITE] = f->inject_nth[SWAP_FILE_READ] = -1;
	f->fd = ret = file_open(f->path, &created, err, errlen);
	if (ret < 0)
		goto err_free;
	if (flock(f->fd, LOCK_EX | LOCK_NB)) {
		ret = errf(err, errlen, errno == EWOULDBLOCK ? -EBUSY : -errno,
			   "swap file %s: in use by another process (%s)",
			   f->path, strerror(errno));
		goto err_close;
	}
	if (!created) {
		ret = header_read(f->fd, page, f->path, err, errlen);
		if (ret)
			goto err_close;
	}
	ret = file_setup(f, cfg, created, page, err, errlen);
	if (ret)
		goto err_close;
	ret = swap_map_create(f->nr_slots, f->nr_streams, &f->map);
	if (ret) {
		errf(err, errlen, ret, "swap file %s: slot map: %s", f->path,
		     strerror(-ret));
		goto err_close;
	}
	swap_map_set_discard(f->map);
	if (f->preallocated) {
		f->unreserved = calloc(f->nr_slots / SWAPFILE_CLUSTER, 1);
		if (!f->unreserved) {
			ret = errf(err, errlen, -ENOMEM,
				   "swap file %s: no memory", f->path);
			goto err_map;
		}
	}
	ret = rings_init(f, err, errlen);
	if (ret)
		goto err_map;
	free(page);
	*out = f;
	return 0;
err_map:
	free(f->unreserved);
	swap_map_destroy(f->map);
err_close:
	/* Only what this call created goes; the user's file stays. */
	if (created)
		unlink(f->path);
	close(f->fd);
err_free:
	free(page);
	if (f)
		free(f->path);
	free(f);
	return ret;
}

void swap_file_close(struct swap_file *f)
{
	for (unsigned int i = 0; i < f->nr_streams + f->nr_read_rings; i++)
		ring_exit(&f->wrings[i]);
	free(f->wrings);
	free(f->unreserved);
	swap_map_destroy(f->map);
	close(f->fd);
	free(f->path);
	free(f);
}

void swap_file_get_stats(struct swap_file *f, struct swap_file_stats *st)
{
	struct swap_map_stats ms;

	swap_map_get_stats(f->map, &ms);
	*st = (struct swap_file_stats){
		.total = ms.total,
		.free = ms.free,
		.bad = ms.bad,
		.writes = counted(&f->writes),
		.reads = counted(&f->reads),
		.write_errors = counted(&f->write_errors),
		.read_errors = counted(&f->read_errors),
		.punched = counted(&f->punched),
		.punch_errors = counted(&f->punch_errors),
		.direct_io = f->direct,
		.preallocated = f->preallocated,
		.punch = __atomic_load_n(&f->punch, __ATOMIC_RELAXED),
	};
}

int swap_file_validate(struct swap_file *f, char *err, size_t errlen)
{
	struct swap_header *h;
	struct stat st;
	int ret;

	ret = swap_map_validate(f->map, err, errlen);
	if (ret)
		return ret;
	if (fstat(f->fd, &st))
		return errf(err, errlen, -EUCLEAN, "swap file %s: stat: %s",
			    f->path, strerror(errno));
	if ((uint64_t)st.st_size < (uint64_t)f->nr_slots * PAGE_SIZE)
		return errf(err, errlen, -EUCLEAN,
			    "swap file %s: %lld bytes, %lu slots need %llu",
			    f->path, (long long)st.st_size, f->nr_slots,
			    (unsigned long long)f->nr_slots * PAGE_SIZE);
	h = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!h)
		return errf(err, errlen, -ENOMEM, "swap file %s: no memory",
			    f->path);
	ret = header_read(f->fd, h, f->path, err, errlen);
	if (!ret && h->nr_slots != f->nr_slots)
		ret = errf(err, errlen, -EUCLEAN,
			   "swap file %s: the header says %llu slots, not %lu",
			   f->path, (unsigned long long)h->nr_slots,
			   f->nr_slots);
	free(h);
	return ret ? -EUCLEAN : 0;
}

void swap_file_inject_error(struct swap_file *f, enum swap_file_op op, long nth,
			    int err)
{
	__atomic_store_n(&f->inject_err[op], err, __ATOMIC_RELAXED);
	__atomic_store_n(&f->inject_nth[op], nth, __ATOMIC_RELAXED);
}
