/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the scenario parser, shared by its files: scenario.c (loading:
 * the top level, defaults, freeing), scenario_json.c (JSON values read
 * and checked, errors that name the path), scenario_sections.c (pool,
 * reclaim, compaction, run), scenario_guests.c (the guests),
 * scenario_expect.c (the expectations) and scenario_print.c.
 */
#ifndef TOOLS_OVERCOMMIT_SCENARIO_INTERNAL_H
#define TOOLS_OVERCOMMIT_SCENARIO_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/overcommit/scenario.h"
#include "vmm/config/config.h"

/* A huge page: pool and guest sizes are multiples of it. */
#define SC_HUGE (2ULL << 20)

/* Where messages go. */
struct sc_ctx {
	char *err;
	size_t errlen;
};

/* "path: what" in c->err; always -EINVAL. */
int __attribute__((format(printf, 3, 4)))
sc_bad(struct sc_ctx *c, const char *path, const char *fmt, ...);
/* "an object", "a string", ... for messages. */
const char *sc_type_name(const json_t *v);
/* A JSON path for messages (they are short; cut, never overflowed). */
void __attribute__((format(printf, 3, 4)))
sc_pathf(char *out, size_t len, const char *fmt, ...);
/* path.key, or key at the top level. */
void sc_join(char *out, size_t len, const char *path, const char *key);
/* obj is an object and every key of it is one of allowed
 * (NULL-terminated). */
int sc_check_keys(struct sc_ctx *c, json_t *obj, const char *path,
		  const char *const *allowed);
/* Read v, or say what is wrong with it at path. */
int sc_get_size(struct sc_ctx *c, json_t *v, const char *path, uint64_t *out);
int sc_get_duration(struct sc_ctx *c, json_t *v, const char *path,
		    uint64_t *out);
int sc_get_int(struct sc_ctx *c, json_t *v, const char *path, long min,
	       long max, long *out);
int sc_get_bool(struct sc_ctx *c, json_t *v, const char *path, bool *out);
/*
 * v as the option o (a row of vmm/config/option.h: its JSON type, its
 * range) into its field of base, a struct vmm_config or guest_spec:
 * sizes are "512M" or bytes, times "250ms" (or the row's word for 0),
 * integers and percentages JSON integers, flags and on|off booleans;
 * 0, -EINVAL with the message, or -ENOMEM.
 */
struct option_desc;
int sc_get_option(struct sc_ctx *c, const struct option_desc *o, json_t *v,
		  const char *path, void *base);
/* A guest or scenario name: what `vmm run` accepts (shorter than max). */
int sc_check_name(struct sc_ctx *c, const char *s, const char *path,
		  size_t max);

/* The sections, each absent (o NULL) or checked and stored. */
int sc_parse_pool(struct sc_ctx *c, json_t *o, struct vmm_config *cfg);
int sc_parse_reclaim(struct sc_ctx *c, json_t *o, struct vmm_config *cfg);
int sc_parse_compaction(struct sc_ctx *c, json_t *o, struct vmm_config *cfg);
int sc_parse_run(struct sc_ctx *c, json_t *o, struct scenario *sc);
/* "guests" (v NULL: missing, an error), after pool and run: guests are
 * mapped to the pool's nodes and must start before run.timeout. */
int sc_parse_guests(struct sc_ctx *c, json_t *v, struct scenario *sc);
/* After the guests: OOM victims must be among them. */
int sc_parse_expect(struct sc_ctx *c, json_t *o, struct scenario *sc);

#endif /* TOOLS_OVERCOMMIT_SCENARIO_INTERNAL_H */
