/* A run: one scenario on one device with one parameter set and seed. It owns
 * one Lua state (the sandbox), the device (drivers, console, lock), its
 * triggers and host commands; the scenario runs as a coroutine that yields
 * to the loop on everything that waits. Everything that happens is written
 * to the store as it happens. */
#ifndef RIG_RUN_H
#define RIG_RUN_H

#include "device.h"
#include "store.h"
#include "drivers/artifact/artsrv.h"

struct rig_run;

/* How a run ended, beyond its verdict: which exit class it maps to. */
enum rig_run_class {
	RIG_RUN_OK,        /* verdict decided by the scenario (pass/fail/brick/inconclusive/skip) */
	RIG_RUN_INPUT,     /* bad scenario or device file: exit 2 */
	RIG_RUN_INFRA,     /* the lab or the rig failed: exit 3 */
};

struct rig_run_opts {
	const char *scenario;          /* path of the scenario file */
	const char *device_spec;       /* FILE[:ID] */
	char *const *params;           /* "key=value" strings, NULL-terminated (may be NULL) */
	char *const *artifacts;        /* "name=path" or "path" strings (may be NULL) */
	uint64_t seed;
	struct rig_store *store;       /* may be NULL */
	struct rig_artsrv *srv;        /* may be NULL */
	const char *campaign;          /* campaign name, or NULL */
	int64_t campaign_id;           /* its id in the store, or 0 */
	const char *job;               /* the campaign's key of this run */
	int attempt;                   /* retry number of the job (0 first) */
	const char *kind;              /* "run" (default) or "health" */
	uint64_t deadline_ns;          /* per-run limit (default 1 h) */
	uint64_t instr_budget;         /* Lua instructions (default 2e9) */
	const char *search_path;       /* require() path; default: scenario dir;<srcdir>/scenarios */
	const char *prelude;           /* path of prelude.lua; default: found next to the scenarios */
	int verbose;                   /* 1: timeline to stderr, 2: console too */
	bool no_lock;                  /* tests only */
};

struct rig_run_outcome {
	enum rig_run_class cls;
	const char *verdict;           /* pass fail brick error inconclusive skip */
	const char *outcome;           /* old-good new-good rolled-back ... or NULL */
	const char *message;
	int64_t run_id;                /* in the store, or 0 */
	uint64_t duration_ns;
};

typedef void rig_run_done_fn(void *arg, struct rig_run *run);

/* Prepare: load files, open the device (taking its lock). Errors before the
 * run starts return -errno with a message; cls tells input from infra. */
int rig_run_new(struct rig_loop *loop, const struct rig_run_opts *opts, struct rig_run **out,
		enum rig_run_class *cls, struct rig_errmsg *err);
/* Start the scenario; done() is called from the loop when it ends. */
int rig_run_start(struct rig_run *run, rig_run_done_fn *done, void *arg);
/* Stop a running run (signal, campaign deadline): it ends as error. */
void rig_run_abort(struct rig_run *run, const char *why);
const struct rig_run_outcome *rig_run_outcome(const struct rig_run *run);
struct rig_device *rig_run_device(struct rig_run *run);
/* The timeline as text lines (for JUnit system-out and the terminal). */
const char *rig_run_timeline(const struct rig_run *run);
void rig_run_free(struct rig_run *run);

/* Record an event on the run's timeline (and in the store), e.g. from the
 * artifact server serving this run's artifacts. */
void rig_run_record(struct rig_run *run, uint64_t t_ns, const char *kind, const char *detail);
/* Whether an artifact-server event's detail names one of this run's artifacts. */
bool rig_run_owns_event(const struct rig_run *run, const char *detail);

/* Exit status for a set of outcomes: 0 all passed, 1 failed/bricked, 2 input, 3 infra. */
int rig_run_exit_status(const struct rig_run_outcome *const *o, size_t n);

#endif
