/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scenario's expectations against what the run measured: one check
 * each, with the bound and the observed value.  Two checks are always
 * made: every guest was launched, and the run ended before its timeout.
 */
#ifndef TOOLS_OVERCOMMIT_EXPECT_H
#define TOOLS_OVERCOMMIT_EXPECT_H

#include <jansson.h>

#include "tools/overcommit/result.h"

#define OC_MAX_CHECKS (SC_MAX_BOUNDS + SC_MAX_PRESSURE_BOUNDS + 16)

struct oc_check {
	char key[96]; /* the scenario key: "expect.no_oom", ... */
	char expect[128]; /* in words: "direct_reclaim p99 <= 5 ms" */
	char observed[384]; /* in words */
	json_t *value; /* the observed value (owned) */
	bool pass;
};

struct oc_checks {
	unsigned int n;
	struct oc_check c[OC_MAX_CHECKS];
	unsigned int failed;
};

/* r is not changed, but its distributions sort themselves when read. */
void oc_expect(struct oc_result *r, struct oc_checks *out);
void oc_checks_free(struct oc_checks *c);

#endif /* TOOLS_OVERCOMMIT_EXPECT_H */
