/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sizes and times as people write them, one grammar for the guest's
 * script and the host's options, SPECs and scenarios: this file and
 * units.c are freestanding and built into both (the Makefile builds the
 * host's copy with the host's flags).  Whole numbers only, no sign, no
 * spaces; units are case-insensitive.
 *
 *   SIZE := digits [ (K|M|G|T) [i] ] [B]     powers of 1024
 *   TIME := digits (ns|us|ms|s|m|h)          the unit is required
 *
 * Which of the two an argument is, is the command's or the option's to
 * say: "1m" is a minute where a time is asked for, "1M" a MiB where a
 * size is.
 */
#ifndef GUEST_UNITS_H
#define GUEST_UNITS_H

#include "guest/types.h"

enum units_result {
	UNITS_OK = 0,
	UNITS_BAD = -1, /* not in the grammar */
	UNITS_RANGE = -2, /* in the grammar, but over UINT64_MAX */
};

/* len bytes of s (no NUL needed). */
int units_parse_size(const char *s, size_t len, uint64_t *bytes);
int units_parse_time(const char *s, size_t len, uint64_t *ns);

#endif /* GUEST_UNITS_H */
