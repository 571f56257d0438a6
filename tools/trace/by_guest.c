// SPDX-License-Identifier: GPL-2.0
/* Latency distributions per guest (by_guest.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tools/trace/by_guest.h"
#include "tools/trace/dist_json.h"
#include "util/array.h"

void lat_guests_init(struct lat_guests *gs, unsigned int nr_dists)
{
	memset(gs, 0, sizeof(*gs));
	gs->nr_dists = nr_dists;
}

void lat_guests_destroy(struct lat_guests *gs)
{
	for (unsigned int i = 0; i < gs->n; i++) {
		for (unsigned int k = 0; k < gs->nr_dists; k++)
			dist_destroy(&gs->g[i].d[k]);
		free(gs->g[i].d);
	}
	free(gs->g);
	memset(gs, 0, sizeof(*gs));
}

/* The entry of (vm, name), made on first use; NULL without memory. */
static struct lat_guest *guest(struct lat_guests *gs, unsigned int vm,
			       const char *name)
{
	struct lat_guest *g;

	/* The newest first: the current holder of an id. */
	for (unsigned int i = gs->n; i-- > 0;)
		if (gs->g[i].vm == vm && !strcmp(gs->g[i].name, name))
			return &gs->g[i];
	if (array_grow(gs->g, gs->n, gs->cap, 8))
		return NULL;
	g = &gs->g[gs->n];
	g->d = calloc(gs->nr_dists, sizeof(*g->d));
	if (!g->d)
		return NULL;
	for (unsigned int k = 0; k < gs->nr_dists; k++)
		dist_init(&g->d[k]);
	g->vm = vm;
	snprintf(g->name, sizeof(g->name), "%s", name ? name : "");
	gs->n++;
	return g;
}

void lat_guests_add(struct lat_guests *gs, unsigned int vm, const char *name,
		    unsigned int i, uint64_t v)
{
	struct lat_guest *g = i < gs->nr_dists ? guest(gs, vm, name) : NULL;

	if (g)
		dist_add(&g->d[i], v);
}

void lat_guests_print(struct lat_guests *gs, const char *const *keys, FILE *f)
{
	char a[4][32];

	for (unsigned int i = 0; i < gs->n; i++) {
		struct lat_guest *g = &gs->g[i];

		fprintf(f, "\nguest %s%svm %u%s\n", g->name,
			*g->name ? " (" : "", g->vm, *g->name ? ")" : "");
		for (unsigned int k = 0; k < gs->nr_dists; k++) {
			struct dist *d = &g->d[k];

			if (!d->n)
				continue;
			fprintf(f,
				"  %-16s count %6zu  p50 %9s  p99 %9s  p99.9 %9s  max %9s\n",
				keys[k], d->n,
				fmt_ns(dist_percentile(d, 500), a[0],
				       sizeof(a[0])),
				fmt_ns(dist_percentile(d, 990), a[1],
				       sizeof(a[1])),
				fmt_ns(dist_percentile(d, 999), a[2],
				       sizeof(a[2])),
				fmt_ns(dist_max(d), a[3], sizeof(a[3])));
		}
	}
}

json_t *lat_guests_json(struct lat_guests *gs, const char *const *keys)
{
	json_t *arr = json_array();

	for (unsigned int i = 0; i < gs->n; i++) {
		struct lat_guest *g = &gs->g[i];
		json_t *ds = json_object();

		for (unsigned int k = 0; k < gs->nr_dists; k++) {
			struct dist *d = &g->d[k];
			json_t *o;

			if (!d->n)
				continue;
			o = json_object();
			dist_json_figures(o, d);
			json_object_set_new(ds, keys[k], o);
		}
		json_array_append_new(
			arr, json_pack("{s:i,s:s,s:o}", "vm", (int)g->vm,
				       "name", g->name, "distributions", ds));
	}
	return arr;
}
