/* SPDX-License-Identifier: GPL-2.0 */
/* The boot-info block and command line the guest finds at entry. */
#ifndef VMM_BOOT_DATA_H
#define VMM_BOOT_DATA_H

struct vm;

int boot_data_write(struct vm *vm) __attribute__((warn_unused_result));

#endif /* VMM_BOOT_DATA_H */
