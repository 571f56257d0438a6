/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DIR/index.html: the verdict, every expectation, the memory figures, the
 * guests, the latency percentiles, every plot (SVG, linked to the PNG)
 * and links to every file of the report.  Self-contained: open it from
 * the directory, no server needed.
 */
#ifndef TOOLS_OVERCOMMIT_HTML_H
#define TOOLS_OVERCOMMIT_HTML_H

#include "tools/overcommit/expect.h"

int oc_write_html(struct oc_result *r, const struct oc_checks *c, char *err,
		  size_t errlen);

#endif /* TOOLS_OVERCOMMIT_HTML_H */
