/* SPDX-License-Identifier: GPL-2.0 */
/* A distribution's figures as JSON members, the same everywhere a report
 * has them (reclaim-latency, overcommit's summary, per guest). */
#ifndef TOOLS_TRACE_DIST_JSON_H
#define TOOLS_TRACE_DIST_JSON_H

#include <jansson.h>

#include "tools/trace/dist.h"

/* o gets "count", and when there are values "min", "mean", the
 * percentiles of DIST_PERCENTILES and "max" (ns). */
void dist_json_figures(json_t *o, struct dist *d);

#endif /* TOOLS_TRACE_DIST_JSON_H */
