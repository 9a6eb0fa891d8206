/* Writing reports from the store to files (the writers themselves live in reports/). */
#ifndef RIG_REPORT_OUT_H
#define RIG_REPORT_OUT_H

#include "reports/summary.h"
#include "store.h"

/* JUnit XML of the runs ids[0..n) (all runs if ids is NULL) to path. */
int rig_report_junit_file(const char *path, struct rig_store *st, const int64_t *ids, size_t n,
			  struct rig_errmsg *err);

#endif
