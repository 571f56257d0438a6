// SPDX-License-Identifier: GPL-2.0
/* A distribution's figures as JSON members (dist_json.h). */
#include "tools/trace/dist_json.h"

void dist_json_figures(json_t *o, struct dist *d)
{
	json_object_set_new(o, "count", json_integer((json_int_t)d->n));
	if (!d->n)
		return;
	json_object_set_new(o, "min", json_integer(dist_min(d)));
	json_object_set_new(o, "mean",
			    json_integer((json_int_t)(d->sum / d->n)));
#define X(p10, name) \
	json_object_set_new(o, name, json_integer(dist_percentile(d, p10)));
	DIST_PERCENTILES(X)
#undef X
	json_object_set_new(o, "max", json_integer(dist_max(d)));
}
