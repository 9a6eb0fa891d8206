/* What the reports say about a campaign, computed once from the store: the
 * final result of every job (retried errors and runs interrupted by the rig
 * stopping are counted apart), per test x device counts with survival rates
 * and Wilson 95 % intervals, and earlier campaigns of the same name. */
#ifndef RIG_REPORTS_MODEL_H
#define RIG_REPORTS_MODEL_H

#include "store.h"

struct rig_counts {
	unsigned pass, fail, brick, error, infra, inconclusive, skip;
};

/* survival = pass / (pass + fail + brick); inconclusive, errors, skips apart */
struct rig_wilson {
	unsigned n, k;
	double p, lo, hi;     /* NAN when n == 0 */
};

struct rig_cell {
	char *test, *device;
	struct rig_counts c;
	struct rig_wilson w;
};

struct rig_trend {
	int64_t id;
	uint64_t wall_start_ns;
	char *status;
	unsigned runs;
	struct rig_counts c;
	struct rig_wilson w;
};

struct rig_report_model {
	struct rig_campaign_row camp;
	struct rig_run_result *rows;   /* every row of the campaign, in id order */
	size_t nrows;
	bool *final;                   /* rows[i] is its job's final result */
	char **test;                   /* rows[i]'s test name ("health" for checks) */
	size_t nfinal;
	unsigned retried, interrupted, health, health_failed;
	struct rig_counts total;
	struct rig_wilson total_w;
	char **tests, **devices;       /* distinct, in first-seen order */
	size_t ntests, ndevices;
	struct rig_cell *cells;        /* ntests x ndevices, row-major */
	struct rig_trend *trends;      /* campaigns of the same name, oldest first, this one included */
	size_t ntrends;
};

struct rig_wilson rig_wilson95(unsigned k, unsigned n);
/* id 0: the last campaign in the database. */
int rig_report_model_load(struct rig_store *st, int64_t id, struct rig_report_model *m, struct rig_errmsg *err);
void rig_report_model_free(struct rig_report_model *m);
/* The test name of a job key "t1:cut-install/dev/..." ("cut-install"). */
char *rig_job_test(const char *job, const char *scenario);
void rig_counts_add(struct rig_counts *c, const char *verdict, bool infra);
/* Whether a timeline event marks the run's cut (the first one is the cut). */
bool rig_event_is_cut(const char *kind);

#endif
