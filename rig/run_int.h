/* Internals shared by run.c (the run's lifecycle) and lua_api.c (the
 * primitives under rig._raw). Not a public header. */
#ifndef RIG_RUN_INT_H
#define RIG_RUN_INT_H

#include "run.h"
#include "child.h"
#include "lock.h"
#include "trigger.h"

#include <lua.h>

enum wait_kind { W_NONE, W_SLEEP, W_EXPECT, W_SEND, W_POWER, W_POWER_GET, W_HOST, W_TRIGGER, W_AT_REST };

struct run_artifact {
	char *name;        /* the scenario's name ("target") */
	char *srvname;     /* the server's name ("r1234-1/target") */
	char *path;
};

struct rig_run {
	struct rig_loop *loop;
	struct rig_run_opts opts;
	char *scenario, *device_spec, *campaign, *job, *kind;
	char **params, **artifact_args;

	lua_State *L;            /* the run's Lua state */
	lua_State *co;           /* the scenario coroutine */
	int coref;
	struct rig_devcfg *devcfg;
	struct rig_device *dev;
	struct rig_lock *lock;

	struct run_artifact *arts;
	size_t narts;
	char **missing;          /* "name=path" of device-file artifacts not found */
	size_t nmissing;

	struct rig_trigger **trigs;   /* index = id - 1 */
	size_t ntrigs;

	struct {
		enum wait_kind kind;
		struct rig_timer *timer;
		struct rig_console_watch *watch;
		struct rig_regex *re;
		struct rig_child *child;
		int trig;
	} wait;

	struct rig_timer *deadline_timer, *done_timer;
	uint64_t t_start, deadline;
	uint64_t instr;
	const char *abort_why;
	char abort_buf[256];
	bool started, finished, in_lua;

	struct rig_run_outcome out;
	char *verdict, *outcome, *message;
	int64_t run_id;
	char *timeline;
	size_t tllen, tlcap;
	rig_run_done_fn *done;
	void *done_arg;
	struct rig_errmsg err;
};

/* run.c */
void rig_run_event(struct rig_run *run, uint64_t t_ns, const char *kind, const char *detail);
void rig_run_resume(struct rig_run *run, int nargs);
void rig_run_cancel_wait(struct rig_run *run);
struct rig_run *rig_run_from_lua(lua_State *L);
const struct run_artifact *rig_run_artifact(struct rig_run *run, const char *name);
/* Where the device file said artifact `name` is, if that file was missing. */
const char *rig_run_missing_artifact(struct rig_run *run, const char *name);
/* Raise an `error` verdict from Lua (infra: the rig's or the lab's fault). */
int rig_run_raise(lua_State *L, const char *message, bool infra);

/* lua_api.c */
void rig_lua_open_raw(lua_State *L);
/* Yield the running C function until the wait completes; returns to Lua
 * with whatever values rig_run_resume() was given. */
int rig_lua_wait(lua_State *L, enum wait_kind kind);

#endif
