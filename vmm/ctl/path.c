// SPDX-License-Identifier: GPL-2.0
/* The default control socket path (see path.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vmm/ctl/path.h"

int ctl_default_socket(char *buf, size_t len)
{
	const char *env = getenv("VMM_SOCKET");
	int n, ours = 1;

	if (env && *env) {
		n = snprintf(buf, len, "%s", env);
		ours = 0;
	} else if ((env = getenv("XDG_RUNTIME_DIR")) && *env) {
		n = snprintf(buf, len, "%s/vmm/vmm.sock", env);
	} else if (!geteuid()) {
		n = snprintf(buf, len, "/run/vmm/vmm.sock");
	} else {
		n = snprintf(buf, len, "/tmp/vmm-%u/vmm.sock",
			     (unsigned int)geteuid());
	}
	if (n < 0 || (size_t)n >= len || (size_t)n >= CTL_SOCKET_PATH_MAX)
		return -ENAMETOOLONG;
	return ours;
}
