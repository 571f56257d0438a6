/* SPDX-License-Identifier: GPL-2.0 */
/* Sizes and durations as people write them on a command line. */
#ifndef VMM_SIZE_H
#define VMM_SIZE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The grammar of guest/units.h, the guest's own:
 * "4096", "64K", "512M", "2G", "1T", also "2GiB", "2gb": binary units,
 * case-insensitive, an optional trailing B.  Whole numbers only.
 * -EINVAL for anything else (empty, sign, junk), -ERANGE on overflow.
 */
int parse_size(const char *s, uint64_t *out);
/* "5000ns", "100us", "250ms", "2s", "1m", "1h": a unit is required. */
int parse_duration_ns(const char *s, uint64_t *out);
/* A decimal integer in [min, max]; -EINVAL or -ERANGE. */
int parse_int(const char *s, long min, long max, long *out);
/* A percentage, "150" or "150%", in [min, max]; -EINVAL or -ERANGE. */
int parse_percent(const char *s, long min, long max, long *out);
/*
 * What parse_size() and parse_duration_ns() read back exactly, in the
 * largest unit that divides it: "512M", "1536M", "4K", "100"; "250ms",
 * "60s", "1h", "0s".  Times skip minutes ("1m" looks like a MiB).
 */
const char *format_size_short(uint64_t bytes, char *buf, size_t len);
const char *format_duration(uint64_t ns, char *buf, size_t len);
/* "1.5 GiB", "512 MiB", "4 KiB". */
const char *format_size(uint64_t bytes, char *buf, size_t len);

#endif /* VMM_SIZE_H */
