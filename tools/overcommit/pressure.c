// SPDX-License-Identifier: GPL-2.0
/* Memory pressure of an overcommit run (pressure.h). */
#include <inttypes.h>

#include "tools/overcommit/pressure.h"
#include "tools/trace/dist.h"

static const char *const avg_names[NR_PSI_AVGS] = { "avg10", "avg60",
						    "avg300" };

void oc_pressure_add(struct oc_pressure *p, const struct psi_stats *st)
{
	for (int s = 0; s < NR_PSI_STATES; s++)
		for (int i = 0; i < NR_PSI_AVGS; i++)
			if (st->avg[s][i] > p->peak[s][i])
				p->peak[s][i] = st->avg[s][i];
	p->last = *st;
	p->sampled = true;
}

void oc_pressure_csv(FILE *f, const struct psi_stats *st)
{
	for (int s = 0; s < NR_PSI_STATES; s++) {
		for (int i = 0; i < NR_PSI_AVGS; i++)
			fprintf(f, ",%u.%02u", st->avg[s][i] / 100,
				st->avg[s][i] % 100);
		fprintf(f, ",%" PRIu64, st->total_us[s]);
	}
}

void oc_pressure_line(const struct oc_pressure *p, FILE *f)
{
	char total[32];

	for (int s = 0; s < NR_PSI_STATES; s++)
		fprintf(f, "%s%s %.2f/%.2f/%.2f%% %s", s ? ", " : "",
			psi_state_name(s),
			psi_avg_percent(p->peak[s][PSI_AVG10]),
			psi_avg_percent(p->peak[s][PSI_AVG60]),
			psi_avg_percent(p->peak[s][PSI_AVG300]),
			fmt_ns(p->last.total_us[s] * 1000, total,
			       sizeof(total)));
}

json_t *oc_pressure_json(const struct oc_pressure *p)
{
	json_t *o;

	if (!p->sampled)
		return json_null();
	o = json_object();
	for (int s = 0; s < NR_PSI_STATES; s++) {
		json_t *st = json_object();

		for (int i = 0; i < NR_PSI_AVGS; i++) {
			char key[16];

			snprintf(key, sizeof(key), "%s_max", avg_names[i]);
			json_object_set_new(
				st, key,
				json_real(psi_avg_percent(p->peak[s][i])));
		}
		json_object_set_new(
			st, "total_us",
			json_integer((json_int_t)p->last.total_us[s]));
		json_object_set_new(o, psi_state_name(s), st);
	}
	return o;
}
