/* Terminal summary writer. */
#ifndef RIG_REPORTS_SUMMARY_H
#define RIG_REPORTS_SUMMARY_H

#include <stdio.h>
#include "run.h"

void rig_report_summary(FILE *f, const char *scenario, const char *device, uint64_t seed,
			const struct rig_run_outcome *o);

#endif
