/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The workload script (the guest's command line), parsed into a small
 * tree of commands before anything runs, so a bad script fails before the
 * first phase.  Grammar: docs/guest.md.  The host builds script.c too
 * (libvmm.a) and checks a script before it launches the guest: what the
 * guest would panic on is refused there, with the same text.
 */
#ifndef GUEST_SCRIPT_H
#define GUEST_SCRIPT_H

#include "guest/types.h"

enum cmd_op {
	CMD_TOUCH,
	CMD_HOLD,
	CMD_FREE,
	CMD_CHURN,
	CMD_SLEEP,
	CMD_REPEAT,
	CMD_VERIFY,
	CMD_CRASH,
	CMD_HALT,
	CMD_EXIT,
	CMD_BALLOON, /* balloon on|deaf: answer the host, or stop answering */
	CMD_EVIL, /* evil pfns|loop|outside: a hostile balloon driver */
	CMD_POWER, /* power on|deaf: heed the host's shutdown request, or not */
	NR_CMDS,
};

#define NODE_ANY 0xffff
/* What a churn re-touches: any owned page (pick=all, the default), or
 * only the ws owned pages of lowest GPA, the rest of what the guest owns
 * left alone (pick=ws: a working set). */
#define CHURN_PICK_ALL 0
#define CHURN_PICK_WS 1
#define SIZE_ALL UINT64_MAX

struct cmd {
	uint8_t op;
	uint8_t ratio; /* touch, churn ratio=R: pages lz4 compresses R:1
			* (guest/fill.h); pattern=full is 1; 0: sparse */
	uint16_t node; /* touch node=N, NODE_ANY */
	int16_t body; /* repeat: first command of the block, -1 if empty */
	int16_t next; /* next command in this list, -1 at the end */
	uint64_t size; /* touch, free (SIZE_ALL), churn ws */
	uint64_t ns; /* hold, sleep, churn time */
	uint64_t count; /* repeat count, churn rate, exit status, free every=
			 * (0: highest GPA first) */
	uint8_t pick; /* churn pick=: CHURN_PICK_* */
};

#define SCRIPT_MAX_CMDS 256

struct script {
	struct cmd cmd[SCRIPT_MAX_CMDS];
	int nr_cmds;
	int16_t head; /* first command, -1 for an empty script */
	char error[96]; /* why parsing failed: "@offset: reason 'token'" */
};

/* The guest a script is for: sizes and nodes are checked against it. */
struct script_env {
	uint64_t ram_size; /* bytes, as in the boot info */
	unsigned int nr_nodes;
};

/* 0 on success, -1 with s->error set. */
int script_parse(struct script *s, const char *text, size_t len,
		 const struct script_env *env);
const char *script_cmd_name(unsigned int op);

#endif /* GUEST_SCRIPT_H */
