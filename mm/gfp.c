// SPDX-License-Identifier: GPL-2.0
/* gfp masks as text, composite names first, as Linux's %pGg prints them. */
#include <stdio.h>
#include <string.h>

#include "mm/gfp.h"

static const struct {
	gfp_t mask;
	const char *name;
} gfp_names[] = {
	{ GFP_GUEST_HUGE_LIGHT, "GFP_GUEST_HUGE_LIGHT" },
	{ GFP_OFFLINE, "GFP_OFFLINE" },
	{ GFP_ZSWAP, "GFP_ZSWAP" },
	{ GFP_GUEST, "GFP_GUEST" },
	{ GFP_GUEST_PINNED, "GFP_GUEST_PINNED" },
	{ GFP_ATOMIC, "GFP_ATOMIC" },
	{ GFP_VMM, "GFP_VMM" },
	{ GFP_NOWAIT, "GFP_NOWAIT" },
	{ __GFP_MOVABLE, "__GFP_MOVABLE" },
	{ __GFP_HIGH, "__GFP_HIGH" },
	{ __GFP_ZERO, "__GFP_ZERO" },
	{ __GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
	{ __GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM" },
	{ __GFP_THISNODE, "__GFP_THISNODE" },
	{ __GFP_NOWARN, "__GFP_NOWARN" },
	{ __GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL" },
	{ __GFP_NOFAIL, "__GFP_NOFAIL" },
	{ __GFP_NORETRY, "__GFP_NORETRY" },
	{ __GFP_MEMALLOC, "__GFP_MEMALLOC" },
	{ __GFP_NOMEMALLOC, "__GFP_NOMEMALLOC" },
};

const char *gfp_flags_str(gfp_t gfp, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(gfp_names) / sizeof(gfp_names[0]); i++) {
		gfp_t m = gfp_names[i].mask;

		if ((gfp & m) != m || !m)
			continue;
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%s",
				off ? "|" : "", gfp_names[i].name);
		gfp &= ~m;
	}
	if (gfp)
		off += snprintf(buf + off, off < len ? len - off : 0, "%s0x%x",
				off ? "|" : "", gfp);
	if (!off)
		snprintf(buf, len, "0");
	return buf;
}
