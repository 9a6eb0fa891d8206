/* JUnit XML: a pure function from stored results to bytes. */
#ifndef RIG_REPORTS_JUNIT_H
#define RIG_REPORTS_JUNIT_H

#include <stdio.h>
#include "store.h"

/* Per run, what goes in <system-out> (may be NULL). */
struct rig_junit_extra {
	const char *timeline;     /* timeline lines */
	const char *console;      /* the console around the end of the run (raw) */
	size_t console_len;
};

int rig_junit_write(FILE *out, const char *suite, const struct rig_run_result *runs,
		    const struct rig_junit_extra *extra, size_t n);

#endif
