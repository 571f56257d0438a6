// SPDX-License-Identifier: GPL-2.0
/* One line per interval, drsnoop's way (see list.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tools/trace/list.h"

const struct lat_list_kind lat_list_kinds[] = {
	{ "direct-reclaim", LAT_DIRECT_RECLAIM, "reclaimed" },
	{ "kswapd", LAT_KSWAPD, "reclaimed by the run" },
	{ "balloon", LAT_BALLOON, "asked of the balloon" },
	{ "compaction", LAT_COMPACTION, NULL },
	{ "migrate", LAT_MIGRATE, "migrated in the batch" },
	{ "fault", LAT_FAULT, "mapped" },
	{ "swapin", LAT_SWAPIN, "swapped in" },
	{ "swapin_file", LAT_SWAPIN_FILE, "swapped in" },
};
const unsigned int nr_lat_list_kinds = ARRAY_SIZE(lat_list_kinds);

int lat_list_parse(const char *arg, unsigned int *kinds, char *err,
		   size_t errlen)
{
	const char *p = arg;

	*kinds = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		unsigned int k;

		for (k = 0; k < nr_lat_list_kinds; k++)
			if (strlen(lat_list_kinds[k].name) == n &&
			    !strncmp(lat_list_kinds[k].name, p, n))
				break;
		if (k == nr_lat_list_kinds) {
			snprintf(err, errlen, "no kind '%.*s' to list", (int)n,
				 p);
			return -EINVAL;
		}
		*kinds |= 1U << k;
		p += n + (p[n] == ',');
	}
	if (!*kinds) {
		snprintf(err, errlen, "nothing to list");
		return -EINVAL;
	}
	return 0;
}

void lat_list_begin(struct lat_list *l, FILE *f, const struct latency *lat,
		    const struct trace_reader *r, unsigned int kinds)
{
	*l = (struct lat_list){ .f = f, .lat = lat, .r = r, .kinds = kinds };
}

/* The entry listing s, or -1. */
static int kind_of(const struct lat_list *l, const struct lat_span *s)
{
	for (unsigned int k = 0; k < nr_lat_list_kinds; k++)
		if ((l->kinds & (1U << k)) && lat_list_kinds[k].dist == s->kind)
			return k;
	return -1;
}

void lat_list_span(void *arg, const struct lat_span *s)
{
	struct lat_list *l = arg;
	const struct trace_session *sess = &l->r->session;
	bool several = l->kinds & (l->kinds - 1);
	int k = kind_of(l, s);
	uint64_t t0;
	char who[48];

	if (k < 0)
		return;
	if (!l->header) {
		fprintf(l->f, "%-14s %s%7s %4s %-16s %10s %8s\n", "TIME(s)",
			several ? "KIND            " : "", "TID", "VM", "GUEST",
			"LAT(ms)", "PAGES");
		l->header = true;
	}
	/* Time 0: the session's start, else the trace's first event. */
	t0 = sess->has_start ? sess->start_ts : l->lat->first_ts;
	if (s->vm > 0)
		snprintf(who, sizeof(who), "%s",
			 trace_reader_vm_name(l->r, s->vm));
	else if (s->node >= 0 && s->kind == LAT_KSWAPD)
		snprintf(who, sizeof(who), "node%d", s->node);
	else
		snprintf(who, sizeof(who), "-");
	fprintf(l->f, "%-14.6f ", s->end > t0 ? (s->end - t0) / 1e9 : 0.0);
	if (several)
		fprintf(l->f, "%-15s ", lat_list_kinds[k].name);
	if (s->tid)
		fprintf(l->f, "%7u ", s->tid);
	else
		fprintf(l->f, "%7s ", "-");
	if (s->vm > 0)
		fprintf(l->f, "%4d ", s->vm);
	else
		fprintf(l->f, "%4s ", "-");
	fprintf(l->f, "%-16s %10.3f ", *who ? who : "-", s->value / 1e6);
	if (s->pages >= 0)
		fprintf(l->f, "%8" PRId64 "\n", s->pages);
	else
		fprintf(l->f, "%8s\n", "-");
}
