/* The campaign as JSON for other tools: the campaign, per test x device
 * counts and survival with Wilson intervals, the planner's findings, and
 * every run with its job, attempt, parameters, seed and cut. */
#ifndef RIG_REPORTS_JSON_REPORT_H
#define RIG_REPORTS_JSON_REPORT_H

#include <stdio.h>
#include "model.h"

int rig_json_report_write(FILE *f, const struct rig_report_model *m);

#endif
