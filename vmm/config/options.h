/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The `vmm run` command line -> struct vmm_config.  Every bad argument is
 * an error with a message that names the option and the value; the
 * parser never exits (main does).  The options and the guest SPEC keys
 * are rows of two tables (option.h).
 */
#ifndef VMM_OPTIONS_H
#define VMM_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "vmm/config/config.h"

#define OPTIONS_ERR_MAX 256

/* The defaults: a pool and, if no --guest, one demo guest. */
void options_defaults(struct vmm_config *cfg);
/* Parse argv (argv[0] = "run"); 0, 1 for --help (usage printed), or
 * -EINVAL with the message in err.  The tables say which options each
 * command takes (OPTION_RUN, OPTION_HOST). */
int options_parse_run(int argc, char **argv, struct vmm_config *cfg, char *err,
		      size_t errlen);
/* The same for `vmm host` (argv[0] = "host"): no demo guest.  Without
 * --socket, socket_path stays NULL: the caller finds the default (vmm's
 * main, from vmm/ctl/path.h). */
int options_parse_host(int argc, char **argv, struct vmm_config *cfg, char *err,
		       size_t errlen);
/* One guest SPEC (see the usage text) into g. */
int options_parse_guest(const char *spec, struct guest_spec *g, char *err,
			size_t errlen);
/*
 * The same one key at a time (the control socket's JSON form): start
 * with options_guest_init, set each key=value (a flag like strict takes
 * NULL), then options_guest_finish checks what needs every key.  On
 * error the message names the key and value; options_guest_free frees.
 */
void options_guest_init(struct guest_spec *g);
int options_guest_set(struct guest_spec *g, const char *key, const char *val,
		      char *err, size_t errlen);
int options_guest_finish(struct guest_spec *g, char *err, size_t errlen);
void options_guest_free(struct guest_spec *g);
/*
 * What options_guest_finish() checks, for a front end with its own way
 * to name a key (a scenario: "guests[2].floor: ..."): mem split into
 * nodes, pinned and floor within mem.  0, or -EINVAL with the key at
 * fault in *key and what it must be in msg ("must be at most mem
 * (floor=1024M is more than mem=64M)").
 */
int guest_spec_check(const struct guest_spec *g, const char **key, char *msg,
		     size_t len);
/*
 * What a guest needs from the pool it joins: its map= names pool nodes
 * the pool has; strict guests get every guest node placed (idx spreads
 * them); the built-in guest's script is checked (options_check_script);
 * names are checked by the caller.
 */
int options_check_guest(const struct vmm_config *cfg, struct guest_spec *g,
			unsigned int idx, char *err, size_t errlen);
/*
 * The built-in guest's script, checked by the guest's own parser
 * (guest/script.c, built into vmm too) against g's RAM and nodes: a
 * script the guest would panic on is refused with the text of that panic
 * ("script @5: unknown command 'touhc'").  No script, or an empty one,
 * is an error too.  options_check_guest() calls it unless the
 * guest boots another kernel (kernel=, --kernel).
 */
int options_check_script(const struct guest_spec *g, char *err, size_t errlen);
/* Checks that need all options: maps to pool nodes, names, sizes. */
int options_check(struct vmm_config *cfg, char *err, size_t errlen);
void options_free(struct vmm_config *cfg);
/* What runs (-v), from options_check()'s result. */
void options_print(const struct vmm_config *cfg, FILE *f);
/* What vmm changed of what it was asked (the pool rounded down). */
void options_print_notes(const struct vmm_config *cfg, FILE *f);
void options_usage_run(FILE *f);
void options_usage_host(FILE *f);

#define DEMO_SCRIPT                                             \
	"touch 64M; verify; free 32M; touch 48M pattern=full; " \
	"churn ws=32M rate=0 time=100ms; hold 50ms; verify"

#endif /* VMM_OPTIONS_H */
