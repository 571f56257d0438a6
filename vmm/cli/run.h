/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMM_RUN_H
#define VMM_RUN_H

#include "vmm/config/config.h"

/*
 * `vmm run`: create the pool, launch the guests, serve the event loop
 * until every guest has ended (or SIGINT/SIGTERM stopped them), print each
 * guest's summary and the pool's.  Returns the exit status: 0 when every
 * guest exited with status 0 and clean integrity, 1 otherwise, 2 when the
 * host could not start.
 */
int vmm_run(const struct vmm_config *cfg);

#endif
