// SPDX-License-Identifier: GPL-2.0
/* What /metrics answers: every subject's families, once each. */
#include "vmm/metrics/internal.h"
#include "vmm/metrics/metrics.h"

int metrics_write(struct vmm_host *h, FILE *f)
{
	int ret = metrics_pool(h, f);

	if (!ret)
		ret = metrics_guests(h, f);
	if (!ret)
		ret = metrics_pressure(h, f);
	return ret;
}
