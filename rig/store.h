/* The store: every run, event and console byte written to SQLite as it
 * happens (WAL), so a rig killed at any moment loses nothing it had
 * recorded before its current loop iteration. */
#ifndef RIG_STORE_H
#define RIG_STORE_H

#include "rig.h"

struct rig_store;
struct rig_loop;

struct rig_run_info {
	const char *scenario;      /* path as given */
	const char *device_id;
	const char *device_name;
	const char *params_json;   /* {"key":"value",...} */
	uint64_t seed;
	const char *campaign;      /* NULL for a single `rig run` */
	uint64_t t_start_ns;       /* monotonic */
	uint64_t wall_start_ns;    /* realtime */
	const char *host;
	const char *rig_version;
	int64_t campaign_id;       /* 0: none */
	const char *job;           /* the campaign's key of this job */
	int attempt;               /* 0 first, 1.. retries */
	const char *kind;          /* "run" (default) or "health" */
	const char *device_spec;   /* FILE[:ID] as given, for `rig rerun` */
	const char *artifacts_json;/* ["name=path",...] */
};

struct rig_run_result {
	int64_t id;
	char *scenario, *device_id, *device_name, *params_json;
	uint64_t seed;
	uint64_t wall_start_ns, wall_end_ns;
	uint64_t duration_ns;
	char *verdict;             /* pass fail brick error inconclusive skip; NULL while running */
	char *outcome;             /* old-good new-good ... or NULL */
	char *message;
	uint64_t t_start_ns;       /* monotonic, for events and console times */
	int64_t campaign_id;
	char *job, *kind, *device_spec, *artifacts_json;
	int attempt;
	bool has_cut, infra;
	double cut_planned, cut_actual;   /* NAN when not known */
	char *cut_unit, *cut_landed;
};

struct rig_campaign_row {
	int64_t id;
	char *name, *file, *spec_hash, *host, *status, *findings_json;
	uint64_t seed, wall_start_ns, wall_end_ns;
};

/* Default path: $RIG_DB, else $XDG_DATA_HOME/rig/rig.db, else ~/.local/share/rig/rig.db.
 * Returns a malloc'd string. */
char *rig_store_default_path(void);

int rig_store_open(const char *path, struct rig_store **out, struct rig_errmsg *err);
/* Flushes, then closes. Accepts NULL. */
void rig_store_close(struct rig_store *st);
/* Group the writes of one iteration of loop into one transaction, committed
 * by a zero-delay timer once the iteration's callbacks are done (a commit
 * per console read costs more than the read: issue 5). Without it, every
 * statement commits on its own. The store must be closed, or detached with
 * NULL, before the loop is freed. */
void rig_store_attach_loop(struct rig_store *st, struct rig_loop *loop);
/* Commit what the current iteration wrote, now. */
void rig_store_flush(struct rig_store *st);
const char *rig_store_error(const struct rig_store *st);

int rig_store_run_begin(struct rig_store *st, const struct rig_run_info *info, int64_t *run_id);
int rig_store_run_end(struct rig_store *st, int64_t run_id, uint64_t t_end_ns, const char *verdict,
		      const char *outcome, const char *message, bool infra);
/* Where the run's cut was planned and where it landed (NAN: unknown). */
int rig_store_run_cut(struct rig_store *st, int64_t run_id, double planned, double actual, const char *unit,
		      const char *landed);
/* detail: JSON text or NULL */
int rig_store_event(struct rig_store *st, int64_t run_id, uint64_t t_ns, const char *kind,
		    const char *detail);
int rig_store_console(struct rig_store *st, int64_t run_id, uint64_t t_ns, const char *stream,
		      const void *bytes, size_t n);

/* Read back (reports, `rig show`). The array and strings are the caller's:
 * free with rig_store_results_free(). */
int rig_store_runs(struct rig_store *st, const int64_t *ids, size_t nids,
		   struct rig_run_result **out, size_t *n);
void rig_store_results_free(struct rig_run_result *r, size_t n);
/* Events of a run in order (for reports and `rig show`). */
int rig_store_events(struct rig_store *st, int64_t run_id,
		     void (*fn)(void *arg, uint64_t t_ns, const char *kind, const char *detail), void *arg);
/* Console chunks of a run with t_ns in [from, to] (monotonic), in order. */
int rig_store_console_chunks(struct rig_store *st, int64_t run_id, uint64_t from_ns, uint64_t to_ns,
			     void (*fn)(void *arg, uint64_t t_ns, const char *stream, const void *b, size_t n),
			     void *arg);
int rig_store_last_run(struct rig_store *st, int64_t *id);

/* Campaigns. c->name, file, seed, spec_hash, host are used by begin. */
int rig_store_campaign_begin(struct rig_store *st, const struct rig_campaign_row *c, int64_t *id);
int rig_store_campaign_status(struct rig_store *st, int64_t id, const char *status);
int rig_store_campaign_end(struct rig_store *st, int64_t id, const char *status, const char *findings_json);
/* id 0: all; name NULL: any. In id order. */
int rig_store_campaigns(struct rig_store *st, int64_t id, const char *name, struct rig_campaign_row **out,
			size_t *n);
void rig_store_campaigns_free(struct rig_campaign_row *c, size_t n);
int rig_store_campaign_runs(struct rig_store *st, int64_t campaign_id, struct rig_run_result **out, size_t *n);
/* Verdict 'interrupted': run_id, or (run_id 0) every unfinished run of the
 * campaign (the rig was killed). */
int rig_store_mark_interrupted(struct rig_store *st, int64_t campaign_id, int64_t run_id);

/* Console bytes of a run concatenated in order (malloc'd), for reports. */
int rig_store_console_text(struct rig_store *st, int64_t run_id, char **out, size_t *len);

#endif
