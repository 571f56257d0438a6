// SPDX-License-Identifier: GPL-2.0
/*
 * The metrics server (vmm/metrics/) and what it stands on: listening
 * addresses as --metrics takes them (util/listen_addr.c), histograms as
 * Prometheus buckets (util/histogram.c), the text format; then, with real
 * guests, /metrics scraped through a socket while they run: every family
 * once, values that move as the guests touch memory and balloon, and a
 * scrape that answers while a hostile client holds connections idle.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mm/vmstat.h"
#include "tests/runner.h"
#include "tests/vmm/host_test.h"
#include "tools/bench/http.h"
#include "util/histogram.h"
#include "util/listen_addr.h"
#include "vmm/host/api.h"
#include "vmm/metrics/internal.h"
#include "vmm/metrics/metrics.h"

/* ------------------------------------------------------ listening addresses */

START_TEST(test_listen_addr_parse)
{
	static const struct {
		const char *text, *formatted;
	} good[] = {
		{ "9100", "127.0.0.1:9100" },
		{ "0", "127.0.0.1:0" },
		{ "127.0.0.1:9100", "127.0.0.1:9100" },
		{ "localhost:65535", "127.0.0.1:65535" },
		{ "0.0.0.0:80", "0.0.0.0:80" },
		{ "[::1]:9100", "[::1]:9100" },
		{ "[::]:1", "[::]:1" },
		{ "[fe80::1:2]:9", "[fe80::1:2]:9" },
	};
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "", "empty" },
		{ "abc", "'abc' is not a port" },
		{ "65536", "not a port" },
		{ "-1", "not a port" },
		{ "+80", "not a port" },
		{ " 80", "not a port" },
		{ "127.0.0.1:", "no port" },
		{ ":9100", "no address before ':'" },
		{ "1.2.3:80", "'1.2.3' is not an IPv4 address" },
		{ "example.com:80", "no name but localhost is looked up" },
		{ "::1:9100", "goes in brackets" },
		{ "[::1]", "no ':PORT' after ']'" },
		{ "[::1:9100", "no ']'" },
		{ "[1.2.3.4]:80", "not an IPv6 address" },
		{ "[::1]:99999", "not a port" },
	};
	struct listen_addr a;
	char buf[80], err[256];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(listen_addr_parse(good[i].text, &a, err,
						sizeof(err)) == 0,
			      "%s: %s", good[i].text, err);
		ck_assert_str_eq(listen_addr_format(&a, buf, sizeof(buf)),
				 good[i].formatted);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct listen_addr before = a;

		err[0] = 0;
		ck_assert_int_eq(listen_addr_parse(bad[i].text, &a, err,
						   sizeof(err)),
				 -EINVAL);
		ck_assert_msg(strstr(err, bad[i].why), "'%s': %s", bad[i].text,
			      err);
		/* A bad value changes nothing. */
		ck_assert(!memcmp(&a, &before, sizeof(a)));
	}
	memset(&a, 0, sizeof(a));
	ck_assert_str_eq(listen_addr_format(&a, buf, sizeof(buf)), "");
}
END_TEST

/* Port 0 is given one; that one is then taken. */
START_TEST(test_listen_addr_in_use)
{
	struct listen_addr a, bound, again;
	char err[128];
	int fd, fd2;

	ck_assert_int_eq(listen_addr_parse("0", &a, err, sizeof(err)), 0);
	fd = listen_addr_listen(&a, 4, &bound);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_ne(ntohs(((struct sockaddr_in *)&bound.ss)->sin_port),
			  0);
	fd2 = listen_addr_listen(&bound, 4, &again);
	ck_assert_int_eq(fd2, -EADDRINUSE);
	close(fd);
}
END_TEST

/* ----------------------------------------------- histograms as buckets */

/*
 * A value is counted at a bound only if it is at most the bound, and
 * from the bound on at the latest if it is below the bound by more than
 * a bucket's width (1/16).
 */
START_TEST(test_hist_cumulative)
{
	static const uint64_t le[] = { 1000, 2000, 5000, 1000000, 10000000 };
	static const uint64_t v[] = {
		0,    1,    15,	    16,	 900,	1000, 1023, 1024, 1990,
		2000, 4000, 999999, 1e6, 1.2e6, 9e6,  1e7,  2e7,  1ULL << 40
	};
	const unsigned int nb = sizeof(le) / sizeof(le[0]);
	struct histogram *h = calloc(1, sizeof(*h)), *snap = malloc(sizeof(*h));
	uint64_t cum[5];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		hist_add(h, v[i]);
	hist_snapshot(snap, h);
	ck_assert_uint_eq(snap->n, sizeof(v) / sizeof(v[0]));
	ck_assert_uint_eq(snap->sum, h->sum);
	hist_cumulative(snap, le, nb, cum);
	for (unsigned int b = 0; b < nb; b++) {
		uint64_t at_most = 0, well_below = 0;

		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			at_most += v[i] <= le[b];
			well_below += v[i] <= le[b] - le[b] / 16;
		}
		ck_assert_uint_le(cum[b], at_most);
		ck_assert_uint_ge(cum[b], well_below);
		if (b)
			ck_assert_uint_ge(cum[b], cum[b - 1]);
	}
	/* Exact where a bound is a bucket's end: 0..15 are one each. */
	hist_cumulative(snap, (const uint64_t[]){ 15 }, 1, cum);
	ck_assert_uint_eq(cum[0], 3);
	free(h);
	free(snap);
}
END_TEST

/* The text format, exactly: HELP and TYPE, labels escaped, buckets
 * cumulative and in seconds, the sum exact. */
START_TEST(test_expose_format)
{
	struct histogram *h = calloc(1, sizeof(*h));
	struct prom_label l[] = { { "id", "3" }, { "name", "a\"b\\c\nd" } };
	struct prom_hist ph;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	hist_add(h, 500); /* 0.5 us */
	hist_add(h, 3000000); /* 3 ms */
	hist_add(h, 20000000000ULL); /* 20 s: beyond every bound */
	prom_hist_from(&ph, h);
	prom_family(f, "x_seconds", "histogram", "Help with \\ and\nnewline.");
	prom_histogram(f, "x_seconds", l, 2, &ph);
	prom_family(f, "y_total", "counter", "A counter.");
	prom_u64(f, "y_total", NULL, 0, 42);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(
		buf, "# HELP x_seconds Help with \\\\ and\\nnewline.\n"
		     "# TYPE x_seconds histogram\n"
		     "x_seconds_bucket{id=\"3\",name=\"a\\\"b\\\\c\\nd\","
		     "le=\"1e-06\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(
		buf, "x_seconds_bucket{id=\"3\",name=\"a\\\"b\\\\c\\nd\","
		     "le=\"0.002\"} 1\n"
		     "x_seconds_bucket{id=\"3\",name=\"a\\\"b\\\\c\\nd\","
		     "le=\"0.005\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(
		buf, "le=\"10\"} 2\n"
		     "x_seconds_bucket{id=\"3\",name=\"a\\\"b\\\\c\\nd\","
		     "le=\"+Inf\"} 3\n"
		     "x_seconds_sum{id=\"3\",name=\"a\\\"b\\\\c\\nd\"} "
		     "20.003000500\n"
		     "x_seconds_count{id=\"3\",name=\"a\\\"b\\\\c\\nd\"} "
		     "3\n"));
	ck_assert_ptr_nonnull(strstr(buf, "# HELP y_total A counter.\n"
					  "# TYPE y_total counter\n"
					  "y_total 42\n"));
	free(buf);
	free(h);
}
END_TEST

/* ------------------------------------------------------------ HTTP */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static struct http_reply http(const struct listen_addr *to, const char *request)
{
	struct http_reply r;
	int ret = http_request(to, request, 5000, &r);

	ck_assert_msg(!ret, "%s", strerror(-ret));
	return r;
}

static struct http_reply scrape(struct metrics_server *s)
{
	struct http_reply r;
	int ret = http_get(metrics_server_addr(s), "/metrics", 5000, &r);

	ck_assert_msg(!ret, "%s", strerror(-ret));
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(
		r.text,
		"Content-Type: text/plain; version=0.0.4; charset=utf-8"));
	return r;
}

/* The value of the sample whose name and labels are series; -1 if none. */
static double sample(const char *body, const char *series)
{
	size_t n = strlen(series);

	for (const char *l = body; l && *l;
	     l = strchr(l, '\n'), l = l ? l + 1 : l)
		if (!strncmp(l, series, n) && l[n] == ' ')
			return strtod(l + n + 1, NULL);
	return -1;
}

/* Every # TYPE once, each with its # HELP just before; how many. */
static unsigned int check_families(const char *body)
{
	char names[512][96];
	unsigned int n = 0;

	for (const char *l = strstr(body, "# TYPE "); l;
	     l = strstr(l + 1, "\n# TYPE ")) {
		char help[112];

		if (*l == '\n')
			l++;
		ck_assert_uint_lt(n, 512);
		ck_assert_int_eq(sscanf(l, "# TYPE %95s", names[n]), 1);
		for (unsigned int i = 0; i < n; i++)
			ck_assert_msg(strcmp(names[i], names[n]), "%s twice",
				      names[n]);
		snprintf(help, sizeof(help), "# HELP %.95s ", names[n]);
		ck_assert_msg(strstr(body, help), "%s: no HELP", names[n]);
		n++;
	}
	return n;
}

static struct metrics_server *serve(struct vmm_host *h)
{
	struct metrics_server *s;
	struct listen_addr at;
	char err[256];

	ck_assert_int_eq(listen_addr_parse("0", &at, err, sizeof(err)), 0);
	ck_assert_msg(metrics_server_start(h, &at, &s, err, sizeof(err)) == 0,
		      "%s", err);
	return s;
}

/* ----------------------------------------------------- with guests */

/*
 * Two guests: every family is there once, the guests' series carry their
 * ids and names, and values move: a's backed memory and fault count grow
 * as it touches more, its balloon request is counted once met.
 */
START_TEST(test_scrape_guests)
{
	/* No deflation: the balloon target set here stays. */
	struct vmm_config cfg = { .pool_bytes = 256 << 20,
				  .nr_nodes = 1,
				  .deflate_off = true };
	struct vmm_host *h = test_host_cfg(&cfg);
	struct metrics_server *s = serve(h);
	unsigned int a =
		test_launch(h, "a", 128, 1, 1,
			    "touch 16M; sleep 300ms; touch 48M; hold 20s", 0);
	unsigned int b = test_launch(h, "b", 64, 1, 1, "touch 8M; hold 20s", 0);
	double backed1, faults1, backed2, faults2;
	char series[160];
	struct balloon_info bi;
	struct http_reply r;

	test_wait_phases(h, a, 1);
	test_wait_phases(h, b, 1);
	r = scrape(s);
	/* The pool's 2, the zones' 7, the cold tier's 4, a counter per
	 * vmstat item, 2 slow-path histograms, the guests' 13, pressure's
	 * 4. */
	ck_assert_uint_eq(check_families(r.body),
			  2 + 7 + 4 + NR_VM_EVENT_ITEMS + 2 + 13 + 4);
	/* No swap file here; nothing swapped yet. */
	ck_assert_double_eq(sample(r.body, "vmm_swap_total_bytes"), 0);
	ck_assert_double_ge(sample(r.body, "vmm_zswapped_bytes"), 0);
	snprintf(series, sizeof(series),
		 "vmm_guest_swap_refaulted_bytes_total{id=\"%u\",name=\"a\"}",
		 a);
	ck_assert_double_ge(sample(r.body, series), 0);
	/* Every guest's and node's stall totals, in seconds. */
	snprintf(series, sizeof(series),
		 "vmm_guest_pressure_memory_some_seconds_total{id=\"%u\","
		 "name=\"a\"}",
		 a);
	ck_assert_double_ge(sample(r.body, series), 0);
	snprintf(series, sizeof(series),
		 "vmm_guest_pressure_memory_full_seconds_total{id=\"%u\","
		 "name=\"b\"}",
		 b);
	ck_assert_double_ge(sample(r.body, series), 0);
	ck_assert_double_ge(
		sample(r.body,
		       "vmm_node_pressure_memory_some_seconds_total{node=\"0\"}"),
		0);
	ck_assert_double_eq(sample(r.body, "vmm_guests"), 2);
	ck_assert_double_eq(sample(r.body, "vmm_pool_size_bytes"), 256 << 20);
	ck_assert_double_gt(
		sample(r.body,
		       "vmm_zone_free_bytes{node=\"0\",zone=\"Normal\"}"),
		0);
	ck_assert_double_gt(sample(r.body,
				   "vmm_zone_watermark_high_bytes{node=\"0\","
				   "zone=\"Normal\"}"),
			    0);
	ck_assert_double_ge(sample(r.body, "vmm_vmstat_thp_fault_alloc_total"),
			    8);
	ck_assert_double_ge(sample(r.body, "vmm_direct_reclaim_seconds_count"),
			    0);
	snprintf(series, sizeof(series),
		 "vmm_guest_ram_bytes{id=\"%u\",name=\"b\"}", b);
	ck_assert_double_eq(sample(r.body, series), 64 << 20);
	snprintf(series, sizeof(series),
		 "vmm_guest_backed_bytes{id=\"%u\",name=\"a\"}", a);
	backed1 = sample(r.body, series);
	ck_assert_double_ge(backed1, 16 << 20);
	snprintf(series, sizeof(series),
		 "vmm_guest_fault_seconds_count{id=\"%u\",name=\"a\"}", a);
	faults1 = sample(r.body, series);
	ck_assert_double_gt(faults1, 0);
	snprintf(series, sizeof(series),
		 "vmm_guest_fault_seconds_bucket{id=\"%u\",name=\"a\","
		 "le=\"+Inf\"}",
		 a);
	ck_assert_double_eq(sample(r.body, series), faults1);
	free(r.text);

	test_wait_phases(h, a, 3);
	ck_assert_int_eq(host_balloon_set_target(h, a, 1024), 0);
	for (int i = 0; i < 5000; i++) {
		ck_assert_int_eq(host_balloon_info(h, a, &bi), 0);
		if (bi.actual >= 1024)
			break;
		usleep(1000);
	}
	ck_assert_uint_ge(bi.actual, 1024);
	r = scrape(s);
	snprintf(series, sizeof(series),
		 "vmm_guest_backed_bytes{id=\"%u\",name=\"a\"}", a);
	backed2 = sample(r.body, series);
	/* 48M more touched, 4M ballooned. */
	ck_assert_double_ge(backed2, backed1 + (40 << 20));
	snprintf(series, sizeof(series),
		 "vmm_guest_fault_seconds_count{id=\"%u\",name=\"a\"}", a);
	faults2 = sample(r.body, series);
	ck_assert_double_gt(faults2, faults1);
	snprintf(series, sizeof(series),
		 "vmm_guest_balloon_target_bytes{id=\"%u\",name=\"a\"}", a);
	ck_assert_double_eq(sample(r.body, series), 1024 * 4096);
	snprintf(series, sizeof(series),
		 "vmm_guest_balloon_request_seconds_count{id=\"%u\","
		 "name=\"a\"}",
		 a);
	ck_assert_double_eq(sample(r.body, series), 1);
	snprintf(series, sizeof(series),
		 "vmm_guest_balloon_request_seconds_count{id=\"%u\","
		 "name=\"b\"}",
		 b);
	ck_assert_double_eq(sample(r.body, series), 0);
	free(r.text);

	/* Only GET and HEAD of /metrics. */
	r = http(metrics_server_addr(s),
		 "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	ck_assert_int_eq(r.status, 404);
	free(r.text);
	r = http(metrics_server_addr(s),
		 "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
		 "Connection: close\r\n\r\nx=");
	ck_assert_int_eq(r.status, 405);
	free(r.text);

	host_guest_stop(h, a, VM_EXIT_STOPPED, "test");
	host_guest_stop(h, b, VM_EXIT_STOPPED, "test");
	metrics_server_stop(s);
	test_host_done(h);
}
END_TEST

/* Open n connections from src that send part of a request and stall. */
static void stall(const struct listen_addr *to, const char *src, int *fd,
		  unsigned int n)
{
	static const char part[] = "GET /metrics HTTP/1.1\r\nHost: slow";

	for (unsigned int i = 0; i < n; i++) {
		fd[i] = http_connect(to, src);
		ck_assert_int_ge(fd[i], 0);
		send(fd[i], part, sizeof(part) - 1, MSG_NOSIGNAL);
	}
}

/* Connections of fd[] the server has closed, within wait_ms. */
static unsigned int closed_by_server(const int *fd, unsigned int n, int wait_ms)
{
	unsigned int closed = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct pollfd p = { .fd = fd[i], .events = POLLIN };
		char c;

		if (poll(&p, 1, wait_ms) == 1 && read(fd[i], &c, 1) <= 0)
			closed++;
	}
	return closed;
}

/*
 * Slowloris: connections that never finish their requests, from the
 * scraper's own address (as many as it may have) and from another
 * (more than it may have), do not keep a scrape from answering at once;
 * the other address gets METRICS_MAX_PER_ADDR connections, no more.
 */
START_TEST(test_slow_clients)
{
	enum {
		HOSTILE = METRICS_MAX_CONNECTIONS,
		OWN = METRICS_MAX_PER_ADDR - 1
	};
	struct vmm_host *h = test_host(64, 1);
	struct metrics_server *s = serve(h);
	const struct listen_addr *at = metrics_server_addr(s);
	int hostile[HOSTILE], own[OWN];
	uint64_t t0;
	struct http_reply r;

	stall(at, "127.0.0.1", own, OWN);
	stall(at, "127.0.0.2", hostile, HOSTILE);
	t0 = now_ms();
	r = scrape(s);
	ck_assert_uint_lt(now_ms() - t0, 1000);
	ck_assert_double_eq(sample(r.body, "vmm_guests"), 0);
	free(r.text);
	ck_assert_uint_ge(closed_by_server(hostile, HOSTILE, 200),
			  HOSTILE - METRICS_MAX_PER_ADDR);
	/* The stalled ones were not answered meanwhile, nor closed. */
	ck_assert_uint_eq(closed_by_server(own, OWN, 0), 0);
	/* And again, with all of them still there. */
	r = scrape(s);
	free(r.text);
	for (unsigned int i = 0; i < HOSTILE; i++)
		close(hostile[i]);
	for (unsigned int i = 0; i < OWN; i++)
		close(own[i]);
	metrics_server_stop(s);
	test_host_done(h);
}
END_TEST

/* An address that cannot be listened on is an error that says why. */
START_TEST(test_listen_errors)
{
	struct vmm_host *h = test_host(64, 1);
	struct metrics_server *s = serve(h), *s2 = NULL;
	struct listen_addr far;
	char err[256];

	ck_assert_int_eq(metrics_server_start(h, metrics_server_addr(s), &s2,
					      err, sizeof(err)),
			 -EADDRINUSE);
	ck_assert_ptr_null(s2);
	ck_assert_msg(strstr(err, "Address already in use") &&
			      strstr(err, "choose another"),
		      "%s", err);
	/* TEST-NET-1: an address no host of ours has. */
	ck_assert_int_eq(
		listen_addr_parse("192.0.2.1:0", &far, err, sizeof(err)), 0);
	ck_assert_int_eq(metrics_server_start(h, &far, &s2, err, sizeof(err)),
			 -EADDRNOTAVAIL);
	ck_assert_msg(strstr(err, "not an address of this host"), "%s", err);
	metrics_server_stop(s);
	metrics_server_stop(NULL);
	test_host_done(h);
}
END_TEST

Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, test_listen_addr_parse);
	tcase_add_test(tc, test_listen_addr_in_use);
	tcase_add_test(tc, test_hist_cumulative);
	tcase_add_test(tc, test_expose_format);
	suite_add_tcase(s, tc);
	return s;
}

Suite *metrics_kvm_suite(void)
{
	Suite *s = suite_create("metrics_kvm");
	TCase *tc = tcase_create("server");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_scrape_guests);
	tcase_add_test(tc, test_slow_clients);
	tcase_add_test(tc, test_listen_errors);
	suite_add_tcase(s, tc);
	return s;
}
