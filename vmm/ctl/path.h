/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the control socket lives, for `vmm host` and vmmctl alike:
 * $VMM_SOCKET if set, else $XDG_RUNTIME_DIR/vmm/vmm.sock, else
 * /run/vmm/vmm.sock for root and /tmp/vmm-UID/vmm.sock for others.
 */
#ifndef VMM_CTL_PATH_H
#define VMM_CTL_PATH_H

#include <stddef.h>

/* sizeof(sockaddr_un.sun_path), the NUL included */
#define CTL_SOCKET_PATH_MAX 108

/*
 * 1 for a path of ours (its directory, .../vmm or /tmp/vmm-UID, is made
 * private to us), 0 for $VMM_SOCKET (the user's choice, as --socket), or
 * -ENAMETOOLONG when the path would not fit in len.
 */
int ctl_default_socket(char *buf, size_t len);

#endif /* VMM_CTL_PATH_H */
