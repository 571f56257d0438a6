// SPDX-License-Identifier: GPL-2.0
/*
 * Every console write is an exit to the host, so output goes out 8 bytes
 * per MMIO store (GUEST_PV_CONSOLE) rather than a byte per port write.
 */
#include "guest/console.h"
#include "guest/abi.h"
#include "guest/io.h"
#include "guest/lib.h"

struct outbuf {
	char *p;
	size_t size, len;
};

static void put(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->p[o->len] = c;
	o->len++;
}

static void put_num(struct outbuf *o, uint64_t v, unsigned int base, bool neg,
		    int width, char pad)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	for (; width > n; width--)
		put(o, pad);
	while (n)
		put(o, tmp[--n]);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';
		uint64_t u;
		int64_t s;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
			s = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_num(&o, s < 0 ? -(uint64_t)s : (uint64_t)s, 10,
				s < 0, width, pad);
			break;
		case 'u':
		case 'x':
			u = lng ? va_arg(ap, uint64_t) :
				  va_arg(ap, unsigned int);
			put_num(&o, u, *fmt == 'u' ? 10 : 16, false, width,
				pad);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (uintptr_t)va_arg(ap, void *), 16, false,
				width, pad);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);

			if (!str)
				str = "(null)";
			for (int n = strlen(str); width > n; width--)
				put(&o, ' ');
			while (*str)
				put(&o, *str++);
			break;
		}
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void console_write(const char *s, size_t len)
{
	while (len) {
		uint64_t word = 0;
		size_t n = MIN(len, 8UL);

		memcpy(&word, s, n);
		pv_write64(GUEST_PV_CONSOLE, word);
		s += n;
		len -= n;
	}
}

void printk(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
}

const char *fmt_size(char *buf, size_t size, uint64_t bytes)
{
	static const char unit[] = "KMGT";
	int u = -1;
	uint64_t scaled = bytes * 100;

	while (bytes >= 1024 && u < 3) {
		bytes >>= 10;
		scaled >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, size, "%lu B", bytes);
	else
		snprintf(buf, size, "%lu.%02lu %ciB", scaled / 100,
			 scaled % 100, unit[u]);
	return buf;
}
