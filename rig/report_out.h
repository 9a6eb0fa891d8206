/* Writing reports from the store to files (the writers themselves live in reports/). */
#ifndef RIG_REPORT_OUT_H
#define RIG_REPORT_OUT_H

#include "reports/summary.h"
#include "store.h"

/* JUnit XML of the runs ids[0..n) (all runs if ids is NULL) to path. */
int rig_report_junit_file(const char *path, struct rig_store *st, const int64_t *ids, size_t n,
			  struct rig_errmsg *err);

/* A campaign's reports (files NULL: not written). campaign_id 0: the last. */
struct rig_report_req {
	int64_t campaign_id;
	const char *html, *junit, *json;
};
int rig_report_write(struct rig_store *st, const struct rig_report_req *req, struct rig_errmsg *err);

#endif
