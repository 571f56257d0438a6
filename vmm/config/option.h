/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An option described once, as a row of a table: its name, type, range,
 * default, help and where it applies.  Two tables: the options of `vmm
 * run` and `vmm host` (options_table.c, fields of struct vmm_config) and
 * the guest SPEC keys (guest_keys.c, fields of struct guest_spec).  The
 * getopt loop, --help, -v, the control socket's guest-launch and the
 * overcommit scenario parser all read them, so that adding an option is
 * adding a row and using the field (README, "Building and testing").
 *
 * A value goes text -> struct option_value (option_parse(), which checks
 * the range) -> the field (option_store()); a front end that reads
 * values of its own (a scenario's JSON integers and booleans) checks them
 * with option_check() and stores them the same way.
 */
#ifndef VMM_CONFIG_OPTION_H
#define VMM_CONFIG_OPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum option_type {
	OPTION_SIZE, /* bytes into a uint64_t: "512M" */
	/* A time: "250ms"; into an unsigned int in ms, a uint64_t in ns. */
	OPTION_TIME,
	OPTION_INT, /* a decimal integer */
	OPTION_PERCENT, /* "150" or "150%" */
	OPTION_FLAG, /* no value: given or not */
	OPTION_ON_OFF, /* on|off */
	OPTION_ENUM, /* one of words: its index stored */
	OPTION_STRING, /* text, kept (strdup) */
	OPTION_CUSTOM, /* the row's parse() */
	OPTION_HELP, /* -h, --help */
};

/* The field's C type, found by OPTION_FIELD(). */
enum option_store {
	OPTION_STORE_NONE,
	OPTION_STORE_BOOL,
	OPTION_STORE_UINT,
	OPTION_STORE_INT,
	OPTION_STORE_U64,
	OPTION_STORE_STR, /* char *, owned */
};

/* Where an option applies. */
#define OPTION_RUN (1U << 0) /* vmm run */
#define OPTION_HOST (1U << 1) /* vmm host */
/* A guest SPEC key: --guest, and a guest-launch member of the control
 * socket; with a key, a scenario's guests[] entry too. */
#define OPTION_SPEC (1U << 2)

struct option_value {
	uint64_t u; /* SIZE: bytes; TIME: ns; FLAG, ON_OFF: 1 for on;
		     * ENUM: the word's index */
	long n; /* INT, PERCENT */
	const char *s; /* STRING: not owned */
};

struct option_desc {
	const char *name; /* --name, or the SPEC key; NULL ends a table */
	char short_name; /* -v */
	enum option_type type;
	/* In --help; NULL: the type's (SIZE, TIME|off, N, PCT, on|off,
	 * entries|pause). */
	const char *arg;
	size_t off; /* the field (OPTION_FIELD) */
	enum option_store store;
	/* INT, PERCENT; SIZE and TIME in bytes and ns, STRING its length:
	 * for these three a max of 0 is no bound.  Both 0: no range. */
	long long min, max;
	uint64_t multiple; /* SIZE: a multiple of this */
	const char *unit; /* after numbers: "pages", "of the node" */
	const char *const *words; /* ENUM, NULL-terminated */
	/* TIME: 0 is allowed, below min, and written so ("off", "0"). */
	const char *zero;
	bool negative; /* FLAG: --no-X, giving it turns X off */
	bool invert; /* a bool field that says "off" (balloon_off) */
	/* The default, as typed (options_defaults() reads it); or, where
	 * the field stays 0, what that means (none). */
	const char *dflt, *none;
	const char *help; /* lines split by '\n' */
	const char *hint; /* after the accepted values in an error */
	const char *key; /* a scenario's key: "pool.size"; NULL: none */
	unsigned int where; /* OPTION_RUN, OPTION_HOST, OPTION_SPEC */
	size_t given; /* OPTION_GIVEN(): a bool set when given; 0: none */
	/* After the value is stored when given (not as the default). */
	void (*after)(void *base);
	/* OPTION_CUSTOM: parse val into base, or -EINVAL with the message
	 * (option_bad()); show prints it back for -v ("" for nothing). */
	int (*parse)(const struct option_desc *o, void *base, const char *val,
		     char *err, size_t errlen);
	void (*show)(const void *base, char *buf, size_t len);
};

#define OPTION_FIELD(type, field) \
	.off = offsetof(type, field),                             \
	.store = _Generic(((type *)0)->field,                     \
		bool: OPTION_STORE_BOOL,                          \
		unsigned int: OPTION_STORE_UINT,                  \
		int: OPTION_STORE_INT,                            \
		uint64_t: OPTION_STORE_U64,                       \
		char *: OPTION_STORE_STR,                         \
		default: OPTION_STORE_NONE)
#define OPTION_GIVEN(type, field) (offsetof(type, field) + 1)

/* The tables, each ending with a row whose name is NULL. */
extern const struct option_desc vmm_options[]; /* options_table.c */
extern const struct option_desc guest_keys[]; /* guest_keys.c */

/* The row called name in table, or NULL. */
const struct option_desc *option_find(const struct option_desc *table,
				      const char *name);
/* text -> v: -EINVAL (not a value of the type) or -ERANGE (outside the
 * row's range, or not a multiple). */
int option_parse(const struct option_desc *o, const char *text,
		 struct option_value *v);
/* v within the row's range: 0 or -ERANGE. */
int option_check(const struct option_desc *o, const struct option_value *v);
/* v into the field of base (a struct vmm_config or guest_spec), then
 * the row's given and after; 0 or -ENOMEM. */
int option_store(const struct option_desc *o, void *base,
		 const struct option_value *v);
/* All three, or -EINVAL with the message in err (option_bad()'s). */
int option_set(const struct option_desc *o, void *base, const char *text,
	       char *err, size_t errlen);
/* The row's default into base (its field zeroed when it has none). */
int option_set_default(const struct option_desc *o, void *base);
/*
 * A message about val: "--pool lots: ...", "--socket '': ...", or
 * "guest mem=3M: ..." for a SPEC key; -EINVAL.
 */
int option_bad(const struct option_desc *o, const char *val, char *err,
	       size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* What the row takes, for errors: "a size from 4K to 1T", "1..512 pages",
 * "on or off". */
const char *option_accepts(const struct option_desc *o, char *buf, size_t len);
/* The range alone: "from 4K to 1T", "up to 1h", "1..512", "" for none. */
const char *option_range(const struct option_desc *o, char *buf, size_t len);
/* The field's value as typed ("512M", "250ms", "on"); the row's none
 * text when it is 0 and there is one; "" for a FLAG not given. */
const char *option_format(const struct option_desc *o, const void *base,
			  char *buf, size_t len);
/* What --help shows the value as: "SIZE", "TIME|off", "on|off"; "" for
 * a row that takes none. */
const char *option_arg(const struct option_desc *o, char *buf, size_t len);
/* A FLAG or ON_OFF row's field, read as "on". */
bool option_on(const struct option_desc *o, const void *base);

#endif /* VMM_CONFIG_OPTION_H */
