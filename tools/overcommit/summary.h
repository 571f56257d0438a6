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
/*
 * The cold tier's part (summary_tier.c): a section of the text (none
 * without a tier), summary.json's "cold_tier" object, and each guest's
 * figures of it in its object o.
 */
void oc_tier_text(const struct oc_result *r, FILE *f);
json_t *oc_tier_json(const struct oc_result *r);
void oc_tier_guest_json(json_t *o, const struct oc_guest *g);
/* Both files into r->dir: 0 or -EIO (message in err). */
int oc_write_summary(struct oc_result *r, const struct oc_checks *c, char *err,
		     size_t errlen);

#endif /* TOOLS_OVERCOMMIT_SUMMARY_H */
