/* SPDX-License-Identifier: GPL-2.0 */
/*
 * summary.txt and summary.json: the verdict on every expectation with
 * what was observed, the overcommit achieved, memory returned to the
 * host, OOM kills, each guest's ending and integrity, event counts and
 * latency percentiles.  docs/overcommit.md defines every figure.
 */
#ifndef TOOLS_OVERCOMMIT_SUMMARY_H
#define TOOLS_OVERCOMMIT_SUMMARY_H

#include <stdio.h>

#include "tools/overcommit/expect.h"

/* The result in words: "PASS", "FAIL", "ERROR". */
const char *oc_verdict(const struct oc_result *r, const struct oc_checks *c);
/* The exit status: 0 every expectation met, 1 one failed, 2 an error. */
int oc_exit_status(const struct oc_result *r, const struct oc_checks *c);

void oc_summary_text(struct oc_result *r, const struct oc_checks *c, FILE *f);
json_t *oc_summary_json(struct oc_result *r, const struct oc_checks *c);
/* Both files into r->dir: 0 or -EIO (message in err). */
int oc_write_summary(struct oc_result *r, const struct oc_checks *c, char *err,
		     size_t errlen);

#endif /* TOOLS_OVERCOMMIT_SUMMARY_H */
