// SPDX-License-Identifier: GPL-2.0
#include "vmm/kvm/serial.h"

#include <string.h>

#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_TEMT 0x40
#define UART_LSR_THRE 0x20
#define UART_NR_PORTS 8

bool serial_owns_port(uint16_t port)
{
	return port >= GUEST_SERIAL_PORT &&
	       port < GUEST_SERIAL_PORT + UART_NR_PORTS;
}

static void emit(struct serial *s, unsigned int vcpu, struct serial_line *l)
{
	if (s->out && !s->quiet) {
		if (vcpu)
			fprintf(s->out, "[%s/%u] %.*s\n", s->name, vcpu, l->len,
				l->buf);
		else
			fprintf(s->out, "[%s] %.*s\n", s->name, l->len, l->buf);
	}
	l->len = 0;
}

void serial_io(struct serial *s, unsigned int vcpu, uint16_t port,
	       bool is_write, uint8_t *data)
{
	struct serial_line *l = &s->line[vcpu % GUEST_MAX_VCPUS];
	unsigned int reg = port - GUEST_SERIAL_PORT;

	if (!is_write) {
		*data = reg == UART_LSR ? UART_LSR_THRE | UART_LSR_TEMT : 0;
		return;
	}
	if (reg != UART_THR)
		return; /* IER, FCR, LCR, MCR, divisor: nothing to model */
	if (*data == '\n') {
		emit(s, vcpu, l);
		return;
	}
	if (*data == '\r')
		return;
	/* Non-printing bytes are shown as '.', a full buffer as a line. */
	l->buf[l->len++] = (*data >= 0x20 && *data < 0x7f) || *data == '\t' ?
				   (char)*data :
				   '.';
	if (l->len == SERIAL_LINE_MAX)
		emit(s, vcpu, l);
}

void serial_flush(struct serial *s)
{
	for (unsigned int i = 0; i < GUEST_MAX_VCPUS; i++)
		if (s->line[i].len)
			emit(s, i, &s->line[i]);
}
