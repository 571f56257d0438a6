// SPDX-License-Identifier: GPL-2.0
/* util/event_loop.c: polls, timers, signals, wake-ups, memory release. */
#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/event_loop.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct counter {
	int n;
	int res;
	uint64_t at[8];
	int stop_after;
};

static void count_it(struct evloop *l, struct ev *e, int res)
{
	struct counter *c = e->arg;

	if (c->n < 8)
		c->at[c->n] = now_ns();
	c->n++;
	/* Keep the first failure, if any. */
	if (!c->res)
		c->res = res;
	if (e->fd >= 0 && e->poll_events) {
		uint64_t v;

		if (read(e->fd, &v, sizeof(v)) < 0) {
			/* an eventfd we wrote to: never empty here */
		}
	}
	if (c->n >= c->stop_after)
		evloop_stop(l);
}

START_TEST(test_timers)
{
	struct evloop l;
	struct ev one = { 0 }, per = { 0 };
	struct counter c1 = { .stop_after = 100 }, c2 = { .stop_after = 4 };
	uint64_t t0 = now_ns();

	ck_assert_int_eq(evloop_init(&l, 32), 0);
	ck_assert_int_eq(evloop_add_timer(&l, &one, 20000000, 0, count_it, &c1),
			 0);
	ck_assert_int_eq(evloop_add_timer(&l, &per, 10000000, 10000000,
					  count_it, &c2),
			 0);
	ck_assert_int_eq(evloop_run(&l), 0);
	ck_assert_int_eq(c2.n, 4);
	ck_assert_int_eq(c1.n, 1);
	ck_assert_int_eq(c1.res, -ETIME);
	/* Within tolerance: each period at least 10 ms. */
	ck_assert_uint_ge(c1.at[0] - t0, 20000000);
	for (int i = 1; i < 4; i++)
		ck_assert_uint_ge(c2.at[i] - c2.at[i - 1], 9000000);
	ck_assert_uint_lt(c2.at[3] - t0, 200000000);
	evloop_destroy(&l);
}
END_TEST

static void *poke(void *arg)
{
	int fd = *(int *)arg;
	uint64_t one = 1;

	usleep(20000);
	for (int i = 0; i < 3; i++) {
		if (write(fd, &one, sizeof(one)) != sizeof(one))
			break;
		usleep(5000);
	}
	return NULL;
}

/* Readiness of an fd written from another thread, re-armed each time. */
START_TEST(test_poll_rearm)
{
	struct evloop l;
	struct ev e = { 0 };
	struct counter c = { .stop_after = 3 };
	int efd = eventfd(0, EFD_NONBLOCK);
	pthread_t t;

	ck_assert_int_eq(evloop_init(&l, 32), 0);
	ck_assert_int_eq(evloop_add_poll(&l, &e, efd, count_it, &c), 0);
	pthread_create(&t, NULL, poke, &efd);
	ck_assert_int_eq(evloop_run(&l), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(c.n, 3);
	evloop_destroy(&l);
	close(efd);
}
END_TEST

static void *stopper(void *arg)
{
	usleep(20000);
	evloop_stop(arg);
	return NULL;
}

START_TEST(test_stop_from_another_thread)
{
	struct evloop l;
	pthread_t t;
	uint64_t t0 = now_ns();

	ck_assert_int_eq(evloop_init(&l, 32), 0);
	pthread_create(&t, NULL, stopper, &l);
	ck_assert_int_eq(evloop_run(&l), 0);
	pthread_join(t, NULL);
	ck_assert_uint_lt(now_ns() - t0, 1000000000ULL);
	evloop_destroy(&l);
}
END_TEST

static void on_sig(struct evloop *l, struct ev *e, int res)
{
	struct signalfd_siginfo si;
	int *got = e->arg;

	(void)res;
	if (read(e->fd, &si, sizeof(si)) == sizeof(si))
		*got = si.ssi_signo;
	evloop_stop(l);
}

START_TEST(test_signal_through_signalfd)
{
	struct evloop l;
	struct ev e = { 0 };
	sigset_t set;
	int sfd, got = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, &set, NULL), 0);
	sfd = signalfd(-1, &set, SFD_NONBLOCK);
	ck_assert_int_ge(sfd, 0);
	ck_assert_int_eq(evloop_init(&l, 32), 0);
	evloop_add_poll(&l, &e, sfd, on_sig, &got);
	kill(getpid(), SIGTERM);
	ck_assert_int_eq(evloop_run(&l), 0);
	ck_assert_int_eq(got, SIGTERM);
	evloop_destroy(&l);
	close(sfd);
}
END_TEST

static uint64_t blocks(int fd)
{
	struct stat st;

	fstat(fd, &st);
	return st.st_blocks * 512;
}

/* Punch-hole and MADV_DONTNEED really release memory. */
START_TEST(test_release_memory)
{
	struct evloop l;
	struct ev p[4] = { 0 }, m = { 0 };
	struct counter c = { .stop_after = 5 };
	int fd = memfd_create("evloop-test", 0);
	const size_t len = 8 << 20;
	uint8_t *map, *anon;

	ck_assert_int_eq(ftruncate(fd, len), 0);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	anon = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(map, 0x5a, len);
	memset(anon, 0x5a, 1 << 20);
	ck_assert_uint_eq(blocks(fd), len);
	ck_assert_int_eq(evloop_init(&l, 32), 0);
	/* Four punches and a madvise, submitted as one batch. */
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(evloop_punch_hole(&l, &p[i], fd, i * (2 << 20),
						   2 << 20, count_it, &c),
				 0);
	ck_assert_int_eq(evloop_madvise(&l, &m, anon, 1 << 20, MADV_DONTNEED,
					count_it, &c),
			 0);
	ck_assert_int_eq(evloop_run(&l), 0);
	ck_assert_int_eq(c.n, 5);
	ck_assert_int_eq(c.res, 0);
	ck_assert_uint_eq(blocks(fd), 0);
	ck_assert_uint_eq(map[12345], 0);
	ck_assert_uint_eq(anon[4321], 0);
	evloop_destroy(&l);
	munmap(map, len);
	munmap(anon, 1 << 20);
	close(fd);
}
END_TEST

struct owner {
	struct ev in, out;
	int released;
	int outs;
	bool del_self;
};

static void on_out(struct evloop *l, struct ev *e, int res)
{
	struct owner *o = e->arg;

	ck_assert(res & POLLOUT);
	o->outs++;
	/* Deleted from its own callback: nothing left in flight. */
	if (o->del_self)
		evloop_del(l, e);
	evloop_stop(l);
}

static void on_in(struct evloop *l, struct ev *e, int res)
{
	(void)l, (void)e, (void)res;
	ck_abort_msg("nothing was written");
}

static void on_release(struct evloop *l, struct ev *e)
{
	struct owner *o = e->arg;

	(void)l;
	ck_assert(ev_idle(e));
	o->released++;
}

/*
 * POLLOUT polls, and the release hook: called once the loop is done with
 * an ev, whether it was deleted in its own callback or from outside while
 * its poll was still in the kernel (then after the cancellation lands).
 */
START_TEST(test_release_after_cancel)
{
	struct owner o = { .del_self = true };
	struct evloop l;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(evloop_init(&l, 32), 0);
	o.in.release = o.out.release = on_release;
	ck_assert_int_eq(evloop_add_poll(&l, &o.in, sv[0], on_in, &o), 0);
	ck_assert_int_eq(evloop_add_poll_events(&l, &o.out, sv[0], POLLOUT,
						on_out, &o),
			 0);
	ck_assert_int_eq(evloop_run(&l), 0);
	ck_assert_int_eq(o.outs, 1);
	ck_assert_int_eq(o.released, 1); /* out, right after its callback */
	ck_assert(ev_idle(&o.out));
	ck_assert_uint_eq(o.in.inflight, 1);

	evloop_del(&l, &o.in); /* still in the kernel: released later */
	ck_assert_int_eq(o.released, 1);
	while (!ev_idle(&o.in))
		ck_assert_int_eq(evloop_run_once(&l), 0);
	ck_assert_int_eq(o.released, 2);

	/* Idle again: the same ev may be added anew. */
	l.stop = false;
	o.outs = 0;
	ck_assert_int_eq(evloop_add_poll_events(&l, &o.out, sv[0], POLLOUT,
						on_out, &o),
			 0);
	ck_assert_int_eq(evloop_run(&l), 0);
	ck_assert_int_eq(o.outs, 1);
	ck_assert_int_eq(o.released, 3);

	/* Destroyed with a poll in the kernel: cancelled and released,
	 * its fn not called. */
	ck_assert_int_eq(evloop_add_poll(&l, &o.in, sv[0], on_in, &o), 0);
	evloop_wake(&l); /* so that run_once submits it and returns */
	ck_assert_int_eq(evloop_run_once(&l), 0);
	ck_assert_uint_eq(o.in.inflight, 1);
	evloop_destroy(&l);
	ck_assert_int_eq(o.released, 4);
	ck_assert(ev_idle(&o.in));
	close(sv[0]);
	close(sv[1]);
}
END_TEST

Suite *event_loop_suite(void)
{
	Suite *s = suite_create("event_loop");
	TCase *tc = tcase_create("io_uring");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_timers);
	tcase_add_test(tc, test_poll_rearm);
	tcase_add_test(tc, test_stop_from_another_thread);
	tcase_add_test(tc, test_signal_through_signalfd);
	tcase_add_test(tc, test_release_memory);
	tcase_add_test(tc, test_release_after_cancel);
	suite_add_tcase(s, tc);
	return s;
}
