/* SPDX-License-Identifier: GPL-2.0 */
/* The version vmm and vmmctl report (and the socket's greeting). */
#ifndef VMM_VERSION_H
#define VMM_VERSION_H

#define VMM_VERSION_MAJOR 0
#define VMM_VERSION_MINOR 1
#define VMM_VERSION_MICRO 0
#define VMM_VERSION "0.1.0"

#endif /* VMM_VERSION_H */
