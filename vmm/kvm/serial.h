/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal 8250 on 0x3f8..0x3ff: bytes written to THR are gathered into
 * lines (one buffer per vCPU, so no lock) and printed prefixed with the
 * guest's name; LSR always says THRE|TEMT; other registers read as 0 and
 * ignore writes.
 */
#ifndef VMM_SERIAL_H
#define VMM_SERIAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "guest/abi.h"

#define SERIAL_LINE_MAX 256

struct serial_line {
	char buf[SERIAL_LINE_MAX];
	unsigned int len;
};

struct serial {
	const char *name;
	FILE *out; /* NULL: discard */
	bool quiet;
	struct serial_line line[GUEST_MAX_VCPUS];
};

bool serial_owns_port(uint16_t port);
/* One byte in or out at port (data = 1 byte).  Context: vCPU thread. */
void serial_io(struct serial *s, unsigned int vcpu, uint16_t port,
	       bool is_write, uint8_t *data);
/* Print whatever partial lines are left (at VM stop). */
void serial_flush(struct serial *s);

#endif /* VMM_SERIAL_H */
