/* SPDX-License-Identifier: GPL-2.0 */
/*
 * After the run: DIR/trace.txt read back through the same analyzer as
 * reclaim-latency, giving r->lat and, in DIR, latency.txt, latency.csv
 * (histograms), events.csv (kswapd, direct reclaim, compaction, balloon
 * requests, OOM kills, guest starts and stops, for the plots) and
 * trace.json (the trace in Chrome's format, for Perfetto).
 */
#ifndef TOOLS_OVERCOMMIT_ANALYZE_H
#define TOOLS_OVERCOMMIT_ANALYZE_H

#include "tools/overcommit/result.h"

int oc_analyze(struct oc_result *r, char *err, size_t errlen);
/* Release what oc_analyze() kept. */
void oc_analyze_free(struct oc_result *r);

#endif /* TOOLS_OVERCOMMIT_ANALYZE_H */
