/* A run's lifecycle (see run.h): load, lock, start, resume, finish. */
#include "run_int.h"
#include "secret.h"
#include "json.h"
#include "sandbox.h"

#include <errno.h>
#include <inttypes.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TIMELINE_MAX (1u << 20)
#define HOOK_EVERY 1000

struct rig_run *rig_run_from_lua(lua_State *L)
{
	return *(struct rig_run **)lua_getextraspace(L);
}

/* ---- timeline and store ---- */

static void timeline_add(struct rig_run *run, const char *line)
{
	size_t n = strlen(line);

	if (run->tllen + n + 2 > TIMELINE_MAX)
		return;
	if (run->tllen + n + 2 > run->tlcap) {
		run->tlcap = (run->tllen + n + 2) * 2;
		run->timeline = rig_xrealloc(run->timeline, run->tlcap);
	}
	memcpy(run->timeline + run->tllen, line, n);
	run->tllen += n;
	run->timeline[run->tllen++] = '\n';
	run->timeline[run->tllen] = '\0';
}

void rig_run_event(struct rig_run *run, uint64_t t_ns, const char *kind, const char *detail)
{
	char line[1400];
	uint64_t rel = t_ns > run->t_start ? t_ns - run->t_start : 0;
	size_t rn;
	char *red = detail ? rig_secret_redact(detail, strlen(detail), &rn) : NULL;

	if (red)
		detail = red;
	if (run->opts.store && run->run_id)
		rig_store_event(run->opts.store, run->run_id, t_ns, kind, detail);
	snprintf(line, sizeof(line), "%+9.3fs %-18s %s", (double)rel / 1e9, kind, detail ? detail : "");
	timeline_add(run, line);
	if (run->opts.verbose)
		fprintf(stderr, "[%s] %s\n", run->devcfg ? run->devcfg->id : "?", line);
	free(red);
}

void rig_run_record(struct rig_run *run, uint64_t t_ns, const char *kind, const char *detail)
{
	if (run && run->started && !run->finished)
		rig_run_event(run, t_ns, kind, detail);
}

static void ev_cb(void *arg, uint64_t t_ns, const char *kind, const char *detail)
{
	rig_run_event(arg, t_ns, kind, detail);
}

static void rx_cb(void *arg, const uint8_t *buf, size_t n, uint64_t t_ns)
{
	struct rig_run *run = arg;
	size_t rn;
	char *red = rig_secret_redact((const char *)buf, n, &rn);

	if (red) {
		buf = (const uint8_t *)red;
		n = rn;
	}
	if (run->opts.store && run->run_id)
		rig_store_console(run->opts.store, run->run_id, t_ns, "rx", buf, n);
	rig_lock_broadcast(run->lock, buf, n);
	if (run->opts.verbose > 1)
		fwrite(buf, 1, n, stderr);
	free(red);
}

static void tx_cb(void *arg, const uint8_t *buf, size_t n, uint64_t t_ns)
{
	struct rig_run *run = arg;
	size_t rn;
	char *red = rig_secret_redact((const char *)buf, n, &rn);

	if (run->opts.store && run->run_id)
		rig_store_console(run->opts.store, run->run_id, t_ns, "tx", red ? red : (const char *)buf,
				  red ? rn : n);
	free(red);
}

static void link_cb(void *arg, bool up, uint64_t t_ns, const char *why)
{
	struct rig_json j;

	rig_json_init(&j);
	rig_json_obj_begin(&j);
	rig_json_kv_bool(&j, "up", up);
	rig_json_kv_str(&j, "why", why);
	rig_json_obj_end(&j);
	rig_run_event(arg, t_ns, up ? "console.up" : "console.down", rig_json_str(&j));
	rig_json_free(&j);
}

/* ---- loading ---- */

static char *dup_or_null(const char *s)
{
	return s ? rig_xstrdup(s) : NULL;
}

static char **dupv(char *const *v)
{
	size_t n = 0;
	char **r;

	while (v && v[n])
		n++;
	r = rig_xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		r[i] = rig_xstrdup(v[i]);
	return r;
}

static void freev(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static char *dirname_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? rig_xstrndup(path, (size_t)(s - path)) : rig_xstrdup(".");
}

static char *find_prelude(const struct rig_run_opts *o)
{
	const char *env = getenv("RIG_PRELUDE");

	if (o->prelude)
		return rig_xstrdup(o->prelude);
	if (env && *env)
		return rig_xstrdup(env);
	return rig_xstrdup(RIG_SRCDIR "/scenarios/prelude.lua");
}

static int add_artifact(struct rig_run *run, const char *name, const char *path, struct rig_errmsg *err)
{
	static unsigned counter;
	struct run_artifact *a = NULL;
	FILE *f;
	int r;

	f = fopen(path, "rb");
	if (!f) {
		rig_errmsg_set(err, "artifact '%s': cannot read %s: %s", name, path, strerror(errno));
		return -errno;
	}
	fclose(f);
	for (size_t i = 0; i < run->narts; i++)
		if (strcmp(run->arts[i].name, name) == 0)
			a = &run->arts[i];
	if (!a) {
		run->arts = rig_xrealloc(run->arts, (run->narts + 1) * sizeof(*run->arts));
		a = &run->arts[run->narts++];
		a->name = rig_xstrdup(name);
		a->srvname = rig_xasprintf("r%ld-%u/%s", (long)getpid(), ++counter, name);
		a->path = NULL;
	} else {
		free(a->srvname);
		a->srvname = rig_xasprintf("r%ld-%u/%s", (long)getpid(), ++counter, name);
	}
	free(a->path);
	a->path = rig_xstrdup(path);
	if (!run->opts.srv)
		return 0;
	r = rig_artsrv_add(run->opts.srv, a->srvname, path, err);
	if (r < 0)
		return r;
	return 0;
}

const char *rig_run_missing_artifact(struct rig_run *run, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < run->nmissing; i++)
		if (!strncmp(run->missing[i], name, n) && run->missing[i][n] == '=')
			return run->missing[i] + n + 1;
	return NULL;
}

const struct run_artifact *rig_run_artifact(struct rig_run *run, const char *name)
{
	for (size_t i = 0; i < run->narts; i++)
		if (strcmp(run->arts[i].name, name) == 0)
			return &run->arts[i];
	return NULL;
}

static int load_artifacts(struct rig_run *run, struct rig_errmsg *err)
{
	const struct rig_cfg *arts = run->devcfg->artifacts;

	for (size_t i = 0; arts && i < arts->n; i++) {
		const char *p = arts->v[i].str;
		char *path = p[0] == '/' ? rig_xstrdup(p) : rig_xasprintf("%s/%s", run->devcfg->dir, p);
		int r;

		/* A device file may name artifacts that only exist once built:
		 * they fail only if the scenario asks for them (and then say where
		 * they were looked for). */
		if (access(path, R_OK) == 0) {
			r = add_artifact(run, arts->v[i].key, path, err);
			if (r < 0) {
				free(path);
				return r;
			}
			free(path);
		} else {
			run->missing = rig_xrealloc(run->missing, (run->nmissing + 1) * sizeof(*run->missing));
			run->missing[run->nmissing++] = rig_xasprintf("%s=%s", arts->v[i].key, path);
			free(path);
		}
	}
	for (size_t i = 0; run->artifact_args[i]; i++) {
		const char *arg = run->artifact_args[i];
		const char *eq = strchr(arg, '=');
		char *name = eq ? rig_xstrndup(arg, (size_t)(eq - arg)) : rig_xstrdup("target");
		int r = add_artifact(run, name, eq ? eq + 1 : arg, err);

		free(name);
		if (r < 0)
			return r;
	}
	return 0;
}

static void push_params(struct rig_run *run)
{
	lua_State *L = run->L;

	lua_newtable(L);
	for (size_t i = 0; run->params[i]; i++) {
		const char *eq = strchr(run->params[i], '=');

		if (!eq)
			continue;
		lua_pushlstring(L, run->params[i], (size_t)(eq - run->params[i]));
		lua_pushstring(L, eq + 1);
		lua_settable(L, -3);
	}
}

static int load_prelude(struct rig_run *run, struct rig_errmsg *err)
{
	lua_State *L = run->L;
	char *prelude = find_prelude(&run->opts);
	int r;

	/* rig = { _raw = {...}, device = <device table>, params = {...}, ... } */
	lua_newtable(L);
	rig_lua_open_raw(L);
	lua_setfield(L, -2, "_raw");
	lua_rawgeti(L, LUA_REGISTRYINDEX, run->devcfg->tableref);
	lua_setfield(L, -2, "device_config");
	push_params(run);
	lua_setfield(L, -2, "params");
	lua_pushinteger(L, (lua_Integer)run->opts.seed);
	lua_setfield(L, -2, "seed");
	lua_pushstring(L, run->scenario);
	lua_setfield(L, -2, "scenario");
	lua_pushstring(L, run->devcfg->id);
	lua_setfield(L, -2, "device_id");
	lua_setglobal(L, "rig");
	r = rig_sandbox_loadfile(L, prelude, err);
	if (r == 0)
		r = rig_sandbox_pcall(L, 0, 0, err);
	free(prelude);
	return r < 0 ? -EINVAL : 0;
}

int rig_run_new(struct rig_loop *loop, const struct rig_run_opts *opts, struct rig_run **out,
		enum rig_run_class *cls, struct rig_errmsg *err)
{
	struct rig_run *run = rig_xcalloc(1, sizeof(*run));
	struct rig_device_observer obs;
	char *file = NULL, *id = NULL, *sdir, *search;
	int r;

	*cls = RIG_RUN_INPUT;
	run->loop = loop;
	run->opts = *opts;
	run->scenario = rig_xstrdup(opts->scenario);
	run->device_spec = rig_xstrdup(opts->device_spec);
	run->campaign = dup_or_null(opts->campaign);
	run->job = dup_or_null(opts->job);
	run->kind = dup_or_null(opts->kind);
	run->opts.job = run->job;
	run->opts.kind = run->kind;
	run->params = dupv(opts->params);
	run->artifact_args = dupv(opts->artifacts);
	run->opts.scenario = run->scenario;
	run->opts.device_spec = run->device_spec;
	run->opts.campaign = run->campaign;
	run->opts.params = run->params;
	run->opts.artifacts = run->artifact_args;
	if (!run->opts.deadline_ns)
		run->opts.deadline_ns = 3600 * RIG_NS_PER_S;
	if (!run->opts.instr_budget)
		run->opts.instr_budget = 2000000000ull;
	run->coref = LUA_NOREF;

	sdir = dirname_of(run->scenario);
	search = opts->search_path ? rig_xstrdup(opts->search_path)
				   : rig_xasprintf("%s;%s/scenarios", sdir, RIG_SRCDIR);
	free(sdir);
	run->L = rig_sandbox_new(search);
	free(search);
	if (!run->L) {
		rig_errmsg_set(err, "cannot create a Lua state");
		*cls = RIG_RUN_INFRA;
		r = -ENOMEM;
		goto fail;
	}
	*(struct rig_run **)lua_getextraspace(run->L) = run;

	rig_devfile_split(run->device_spec, &file, &id);
	r = rig_devfile_load(run->L, file, id, &run->devcfg, err);
	free(file);
	free(id);
	if (r < 0)
		goto fail;
	if (access(run->scenario, R_OK) < 0) {
		rig_errmsg_set(err, "%s: cannot read: %s", run->scenario, strerror(errno));
		r = -ENOENT;
		goto fail;
	}
	r = load_artifacts(run, err);
	if (r < 0)
		goto fail;
	r = load_prelude(run, err);
	if (r < 0)
		goto fail;
	/* The scenario chunk, on its own coroutine. */
	run->co = lua_newthread(run->L);
	run->coref = luaL_ref(run->L, LUA_REGISTRYINDEX);
	r = rig_sandbox_loadfile(run->co, run->scenario, err);
	if (r < 0)
		goto fail;

	/* The device: take its lock first, then open the drivers. */
	*cls = RIG_RUN_INFRA;
	if (!opts->no_lock) {
		r = rig_lock_acquire(loop, run->devcfg->id, run->scenario, &run->lock, err);
		if (r < 0)
			goto fail;
	}
	memset(&obs, 0, sizeof(obs));
	obs.event = ev_cb;
	obs.arg = run;
	obs.console.rx = rx_cb;
	obs.console.tx = tx_cb;
	obs.console.link = link_cb;
	obs.console.arg = run;
	r = rig_device_open(loop, run->devcfg, &obs, &run->dev, err);
	if (r < 0)
		goto fail;
	*cls = RIG_RUN_OK;
	*out = run;
	return 0;
fail:
	rig_run_free(run);
	return r < 0 ? r : -EINVAL;
}

/* ---- running ---- */

int rig_run_raise(lua_State *L, const char *message, bool infra)
{
	lua_newtable(L);
	lua_pushstring(L, "error");
	lua_setfield(L, -2, "rig_verdict");
	lua_pushstring(L, message);
	lua_setfield(L, -2, "message");
	lua_pushboolean(L, infra);
	lua_setfield(L, -2, "infra");
	return lua_error(L);
}

static void hook(lua_State *L, lua_Debug *ar)
{
	struct rig_run *run = rig_run_from_lua(L);

	RIG_UNUSED(ar);
	run->instr += HOOK_EVERY;
	if (run->instr > run->opts.instr_budget) {
		char msg[128];

		snprintf(msg, sizeof(msg), "instruction budget of %llu exceeded (a runaway loop?)",
			 (unsigned long long)run->opts.instr_budget);
		rig_run_raise(L, msg, true);
	}
	if (run->abort_why)
		rig_run_raise(L, run->abort_why, true);
}

static void done_cb(struct rig_loop *loop, void *arg)
{
	struct rig_run *run = arg;

	RIG_UNUSED(loop);
	run->done_timer = NULL;
	if (run->done)
		run->done(run->done_arg, run);
}

static void set_result(struct rig_run *run, enum rig_run_class cls, const char *verdict,
		       const char *outcome, const char *message)
{
	free(run->verdict);
	free(run->outcome);
	free(run->message);
	run->verdict = rig_xstrdup(verdict);
	run->outcome = dup_or_null(outcome);
	run->message = dup_or_null(message);
	run->out.cls = cls;
}

static void finish(struct rig_run *run)
{
	uint64_t now = rig_now_ns();
	struct rig_json j;

	if (run->finished)
		return;
	run->finished = true;
	rig_run_cancel_wait(run);
	rig_loop_cancel_timer(run->loop, run->deadline_timer);
	run->deadline_timer = NULL;
	for (size_t i = 0; i < run->ntrigs; i++)
		rig_trigger_cancel(run->trigs[i]);
	run->out.verdict = run->verdict;
	run->out.outcome = run->outcome;
	run->out.message = run->message;
	run->out.run_id = run->run_id;
	run->out.duration_ns = now - run->t_start;
	rig_json_init(&j);
	rig_json_obj_begin(&j);
	rig_json_kv_str(&j, "verdict", run->verdict);
	if (run->outcome)
		rig_json_kv_str(&j, "outcome", run->outcome);
	if (run->message)
		rig_json_kv_str(&j, "message", run->message);
	rig_json_kv_uint(&j, "power_ons", rig_device_power_ons(run->dev));
	rig_json_kv_uint(&j, "power_offs", rig_device_power_offs(run->dev));
	if (rig_device_console(run->dev))
		rig_json_kv_uint(&j, "console_dropped", rig_console_dropped(rig_device_console(run->dev)));
	rig_json_obj_end(&j);
	rig_run_event(run, now, "run.end", rig_json_str(&j));
	rig_json_free(&j);
	if (run->opts.store && run->run_id)
		rig_store_run_end(run->opts.store, run->run_id, now, run->verdict, run->outcome,
				  run->message, run->out.cls == RIG_RUN_INFRA);
	run->done_timer = rig_loop_add_timer(run->loop, 0, done_cb, run);
}

static void classify_error(struct rig_run *run)
{
	lua_State *co = run->co;
	struct rig_errmsg e;

	if (lua_istable(co, -1)) {
		const char *verdict, *outcome, *msg;
		bool infra, input;

		lua_getfield(co, -1, "rig_verdict");
		verdict = lua_tostring(co, -1);
		lua_getfield(co, -2, "outcome");
		outcome = lua_tostring(co, -1);
		lua_getfield(co, -3, "message");
		msg = lua_tostring(co, -1);
		lua_getfield(co, -4, "infra");
		infra = lua_toboolean(co, -1);
		lua_getfield(co, -5, "input");
		input = lua_toboolean(co, -1);
		if (verdict) {
			char *m = dup_or_null(msg);
			char *o = dup_or_null(outcome);
			char *v = rig_xstrdup(verdict);

			lua_pop(co, 5);
			if (input) {
				/* a misuse of the API: name the scenario line */
				rig_sandbox_errtext(run->L, co, -1, &e);
				set_result(run, RIG_RUN_INPUT, "error", o, e.text);
			} else {
				set_result(run, infra ? RIG_RUN_INFRA : RIG_RUN_OK, v, o, m);
			}
			free(m);
			free(o);
			free(v);
			return;
		}
		lua_pop(co, 5);
	}
	/* A plain Lua error: a bug in the scenario (or a file it loads). */
	rig_sandbox_errtext(run->L, co, -1, &e);
	set_result(run, RIG_RUN_INPUT, "error", NULL, e.text);
}

void rig_run_resume(struct rig_run *run, int nargs)
{
	int nres = 0, st;

	if (run->finished)
		return;
	run->in_lua = true;
	st = lua_resume(run->co, run->L, nargs, &nres);
	run->in_lua = false;
	if (st == LUA_YIELD) {
		lua_pop(run->co, nres);
		if (run->wait.kind == W_NONE) {
			set_result(run, RIG_RUN_INPUT, "error", NULL,
				   "the scenario yielded outside a rig call (coroutine.yield at top level?)");
			finish(run);
		}
		return;
	}
	if (st == LUA_OK) {
		/* The scenario returned: its verdict is what it set, else pass. */
		if (!run->verdict)
			set_result(run, RIG_RUN_OK, "pass", NULL, NULL);
		finish(run);
		return;
	}
	classify_error(run);
	finish(run);
}

static void deadline_cb(struct rig_loop *loop, void *arg)
{
	struct rig_run *run = arg;

	RIG_UNUSED(loop);
	run->deadline_timer = NULL;
	snprintf(run->abort_buf, sizeof(run->abort_buf), "run deadline of %.0f s exceeded",
		 (double)run->opts.deadline_ns / 1e9);
	rig_run_abort(run, run->abort_buf);
}

static void start_cb(struct rig_loop *loop, void *arg)
{
	struct rig_run *run = arg;

	RIG_UNUSED(loop);
	run->done_timer = NULL;
	rig_run_resume(run, 0);
}

int rig_run_start(struct rig_run *run, rig_run_done_fn *done, void *arg)
{
	struct rig_run_info info;
	struct rig_json aj;
	char host[256] = "";
	struct rig_json pj;

	if (run->started)
		return -EALREADY;
	run->started = true;
	run->done = done;
	run->done_arg = arg;
	run->t_start = rig_now_ns();
	run->deadline = run->t_start + run->opts.deadline_ns;
	gethostname(host, sizeof(host) - 1);
	rig_json_init(&pj);
	rig_json_obj_begin(&pj);
	for (size_t i = 0; run->params[i]; i++) {
		const char *eq = strchr(run->params[i], '=');

		if (!eq)
			continue;
		char *k = rig_xstrndup(run->params[i], (size_t)(eq - run->params[i]));

		rig_json_kv_str(&pj, k, eq + 1);
		free(k);
	}
	rig_json_obj_end(&pj);
	memset(&info, 0, sizeof(info));
	info.scenario = run->scenario;
	info.device_id = run->devcfg->id;
	info.device_name = run->devcfg->name;
	info.params_json = rig_json_str(&pj);
	info.seed = run->opts.seed;
	info.campaign = run->campaign;
	info.campaign_id = run->opts.campaign_id;
	info.job = run->job;
	info.attempt = run->opts.attempt;
	info.kind = run->kind;
	info.device_spec = run->device_spec;
	rig_json_init(&aj);
	rig_json_arr_begin(&aj);
	for (size_t i = 0; run->artifact_args && run->artifact_args[i]; i++)
		rig_json_val_str(&aj, run->artifact_args[i]);
	rig_json_arr_end(&aj);
	info.artifacts_json = rig_json_str(&aj);
	info.t_start_ns = run->t_start;
	info.wall_start_ns = rig_wall_ns();
	info.host = host;
	info.rig_version = RIG_VERSION;
	if (run->opts.store && rig_store_run_begin(run->opts.store, &info, &run->run_id) < 0)
		run->run_id = 0;
	rig_json_free(&pj);
	rig_json_free(&aj);
	{
		struct rig_json j;

		rig_json_init(&j);
		rig_json_obj_begin(&j);
		rig_json_kv_str(&j, "scenario", run->scenario);
		rig_json_kv_str(&j, "device", run->devcfg->id);
		rig_json_kv_uint(&j, "seed", run->opts.seed);
		rig_json_kv_str(&j, "power_driver", run->devcfg->power_ops->name);
		{
			const char *ptext;
			uint64_t pns;

			rig_device_power_precision(run->dev, &ptext, &pns);
			rig_json_kv_str(&j, "power_precision", ptext);
			rig_json_kv_uint(&j, "power_precision_ns", pns);
		}
		rig_json_obj_end(&j);
		rig_run_event(run, run->t_start, "run.start", rig_json_str(&j));
		rig_json_free(&j);
	}
	for (size_t i = 0; i < run->narts; i++) {
		struct rig_json j;

		rig_json_init(&j);
		rig_json_obj_begin(&j);
		rig_json_kv_str(&j, "name", run->arts[i].name);
		rig_json_kv_str(&j, "path", run->arts[i].path);
		if (run->opts.srv) {
			rig_json_kv_str(&j, "url", rig_artsrv_url(run->opts.srv, run->arts[i].srvname));
			rig_json_kv_str(&j, "sha256", rig_artsrv_sha256(run->opts.srv, run->arts[i].srvname));
			rig_json_kv_uint(&j, "size", rig_artsrv_size(run->opts.srv, run->arts[i].srvname));
		}
		rig_json_obj_end(&j);
		rig_run_event(run, run->t_start, "artifact", rig_json_str(&j));
		rig_json_free(&j);
	}
	lua_sethook(run->co, hook, LUA_MASKCOUNT, HOOK_EVERY);
	run->deadline_timer = rig_loop_add_timer(run->loop, run->deadline, deadline_cb, run);
	run->done_timer = rig_loop_add_timer(run->loop, 0, start_cb, run);
	return 0;
}

void rig_run_abort(struct rig_run *run, const char *why)
{
	if (run->finished || !run->started)
		return;
	run->abort_why = why;
	if (run->in_lua)
		return;   /* the hook raises it */
	if (run->wait.kind != W_NONE) {
		/* Wake the coroutine: its wait continuation raises the abort. */
		rig_run_cancel_wait(run);
		rig_run_resume(run, 0);
		return;
	}
	set_result(run, RIG_RUN_INFRA, "error", NULL, why);
	finish(run);
}

const struct rig_run_outcome *rig_run_outcome(const struct rig_run *run)
{
	return &run->out;
}

struct rig_device *rig_run_device(struct rig_run *run)
{
	return run->dev;
}

const char *rig_run_timeline(const struct rig_run *run)
{
	return run->timeline ? run->timeline : "";
}

void rig_run_free(struct rig_run *run)
{
	if (!run)
		return;
	run->finished = true;   /* nothing recorded from here on */
	rig_run_cancel_wait(run);
	rig_loop_cancel_timer(run->loop, run->deadline_timer);
	rig_loop_cancel_timer(run->loop, run->done_timer);
	for (size_t i = 0; i < run->ntrigs; i++)
		rig_trigger_free(run->trigs[i]);
	free(run->trigs);
	rig_device_close(run->dev);
	rig_lock_release(run->lock);
	if (run->devcfg) {
		rig_devcfg_free(run->devcfg);
	}
	rig_sandbox_free(run->L);
	for (size_t i = 0; i < run->narts; i++) {
		free(run->arts[i].name);
		free(run->arts[i].srvname);
		free(run->arts[i].path);
	}
	free(run->arts);
	for (size_t i = 0; i < run->nmissing; i++)
		free(run->missing[i]);
	free(run->missing);
	free(run->scenario);
	free(run->device_spec);
	free(run->campaign);
	free(run->job);
	free(run->kind);
	freev(run->params);
	freev(run->artifact_args);
	free(run->verdict);
	free(run->outcome);
	free(run->message);
	free(run->timeline);
	free(run);
}

int rig_run_exit_status(const struct rig_run_outcome *const *o, size_t n)
{
	int st = RIG_EXIT_OK;

	for (size_t i = 0; i < n; i++) {
		int s = RIG_EXIT_OK;

		if (o[i]->cls == RIG_RUN_INPUT)
			s = RIG_EXIT_USAGE;
		else if (o[i]->cls == RIG_RUN_INFRA || (o[i]->verdict && !strcmp(o[i]->verdict, "error")))
			s = RIG_EXIT_INFRA;
		else if (o[i]->verdict && (!strcmp(o[i]->verdict, "fail") || !strcmp(o[i]->verdict, "brick") ||
					   !strcmp(o[i]->verdict, "inconclusive")))
			s = RIG_EXIT_FAIL;
		/* the most serious class wins: input > infra > fail */
		if (s == RIG_EXIT_USAGE || (s == RIG_EXIT_INFRA && st != RIG_EXIT_USAGE) ||
		    (s == RIG_EXIT_FAIL && st == RIG_EXIT_OK))
			st = s;
	}
	return st;
}

bool rig_run_owns_event(const struct rig_run *run, const char *detail)
{
	for (size_t i = 0; detail && i < run->narts; i++)
		if (strstr(detail, run->arts[i].srvname))
			return true;
	return false;
}
