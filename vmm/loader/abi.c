// SPDX-License-Identifier: GPL-2.0
/* Which guest ABI takes an image (loader.h). */
#include "vmm/loader/loader.h"

#include <stdio.h>
#include <string.h>

static const struct guest_abi *const abis[] = {
	&vmm_guest_abi,
};

/* The Linux boot protocol's header: "HdrS" at 0x202 of a bzImage. */
static bool is_bzimage(const void *image, size_t len)
{
	return len >= 0x206 && !memcmp((const char *)image + 0x202, "HdrS", 4);
}

const struct guest_abi *guest_abi_find(const void *image, size_t len, char *why,
				       size_t whylen)
{
	why[0] = '\0';
	for (size_t i = 0; i < sizeof(abis) / sizeof(abis[0]); i++)
		if (abis[i]->probe(image, len))
			return abis[i];
	if (is_bzimage(image, len))
		snprintf(
			why, whylen,
			"a Linux bzImage: vmm boots its own guest ABI, not the Linux boot protocol (docs/guest.md)");
	return abis[0];
}
