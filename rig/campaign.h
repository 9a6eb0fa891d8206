/* A campaign: many runs over many devices, one run per device at a time and
 * all devices at once, on one event loop (docs/campaigns.md).
 *
 * The plan (which job a device runs next, bisection of vulnerable windows)
 * is scenarios/lib/campaign.lua; this object runs it: it starts runs,
 * retries runs that ended in `error`, checks a device's health after a
 * brick or an error, quarantines a device that stays broken, keeps the time
 * budget, prints progress, and writes everything to the store as it
 * happens. A campaign killed at any moment resumes from the store. */
#ifndef RIG_CAMPAIGN_H
#define RIG_CAMPAIGN_H

#include <stdio.h>

#include "loop.h"
#include "store.h"
#include "drivers/artifact/artsrv.h"

struct rig_campaign;

struct rig_campaign_opts {
	const char *file;          /* the campaign file */
	bool resume;               /* continue the last campaign of this file */
	struct rig_store *store;
	struct rig_artsrv *srv;
	bool progress;             /* a live progress line (a terminal) instead of log lines */
	FILE *log;                 /* where lines go (stdout) */
	uint64_t seed;             /* used when the file sets none (and not resuming) */
	bool have_seed;
};

/* Load and check the campaign file and its lab; start or resume the
 * campaign in the store. Errors return -errno with "file: ..." in err. */
int rig_campaign_new(struct rig_loop *loop, const struct rig_campaign_opts *opts, struct rig_campaign **out,
		     struct rig_errmsg *err);
/* Start the devices; done() is called from the loop when all are finished. */
void rig_campaign_start(struct rig_campaign *c, void (*done)(void *arg), void *arg);
/* Stop (signal): running runs end as error; the campaign stays resumable. */
void rig_campaign_abort(struct rig_campaign *c, const char *why);
/* An artifact-server event: recorded on the run whose artifact it names. */
void rig_campaign_http_event(struct rig_campaign *c, uint64_t t_ns, const char *kind, const char *detail);
int64_t rig_campaign_id(const struct rig_campaign *c);
/* Exit status: 0 all passed, 1 a failure or brick, 3 errors/quarantine/unfinished. */
int rig_campaign_exit_status(const struct rig_campaign *c);
/* Print the closing summary (counts, findings, quarantined devices). */
void rig_campaign_summary(const struct rig_campaign *c, FILE *f);
void rig_campaign_free(struct rig_campaign *c);

#endif
