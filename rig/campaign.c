/* Campaigns: the plan (scenarios/lib/campaign.lua) run over all devices in
 * parallel on one loop. See campaign.h. */
#include "campaign.h"
#include "devfile.h"
#include "run.h"
#include "sandbox.h"
#include "sha256.h"

#include <errno.h>
#include <stdarg.h>
#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum dev_state { D_IDLE, D_RUN, D_HEALTH, D_DONE };

struct job {
	char *key, *test, *scenario;   /* scenario: resolved path */
	char **params;                 /* "k=v", NULL-terminated */
	uint64_t seed;
	double planned;                /* NAN: none */
};

struct cdev {
	struct rig_campaign *c;
	char *id, *spec;
	enum dev_state state;
	struct rig_run *run;
	struct job job;
	bool has_job;
	int attempt;                   /* of the current job */
	int errors;                    /* error attempts of the current job */
	bool last_infra;               /* its last error was the lab's */
	bool retry_pending;            /* the next run of the job is a retry of an error */
	bool safed;                    /* the ended run's device was switched to its safe state */
	bool health_pending;
	const char *health_mode;       /* "check" or "provision" */
	int nhealth;
	char *quarantined;             /* why, or NULL */
	struct rig_timer *kick;
	uint64_t t_run_start;
};

struct counts {
	unsigned pass, fail, brick, error, inconclusive, skip;
	unsigned retried, interrupted, health, infra;
};

struct rig_campaign {
	struct rig_loop *loop;
	struct rig_campaign_opts opts;
	char *file, *dir, *name, *lab, *spec_hash;
	lua_State *L;                  /* the campaign file and the plan */
	int planref;
	struct rig_strv_c { char **v; size_t n; } artifacts;
	uint64_t seed;
	int retries;
	uint64_t run_timeout_ns, budget_ns, t_start, t_deadline;
	int64_t id;
	struct cdev *devs;
	size_t ndevs;
	struct counts n;
	unsigned done_runs;            /* final job results (this session and replayed) */
	unsigned session_runs;         /* finished in this session (for the ETA) */
	bool aborting, budget_hit, started, finished;
	const char *abort_why;
	struct rig_timer *tick;
	void (*done)(void *arg);
	void *done_arg;
	char *findings;
};

static void dev_kick(struct cdev *d);

/* ---- small helpers ---- */

static void strvc_push(struct rig_strv_c *s, char *owned)
{
	s->v = rig_xrealloc(s->v, (s->n + 2) * sizeof(char *));
	s->v[s->n++] = owned;
	s->v[s->n] = NULL;
}

static void strvc_free(struct rig_strv_c *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static void job_clear(struct job *j)
{
	free(j->key);
	free(j->test);
	free(j->scenario);
	for (size_t i = 0; j->params && j->params[i]; i++)
		free(j->params[i]);
	free(j->params);
	memset(j, 0, sizeof(*j));
	j->planned = NAN;
}

static char *dirname_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? rig_xstrndup(path, (size_t)(s - path)) : rig_xstrdup(".");
}

static char *resolve(const char *dir, const char *p)
{
	return p[0] == '/' ? rig_xstrdup(p) : rig_xasprintf("%s/%s", dir, p);
}

/* A scenario named in a campaign: a path (relative to the campaign file)
 * or the name of a stock scenario. */
static char *resolve_scenario(const struct rig_campaign *c, const char *s)
{
	if (strchr(s, '/') || strstr(s, ".lua"))
		return resolve(c->dir, s);
	return rig_xasprintf("%s/scenarios/%s.lua", RIG_SRCDIR, s);
}

static uint64_t now(void)
{
	return rig_now_ns();
}

static const char *getstr(lua_State *L, int idx, const char *k)
{
	const char *v;

	lua_getfield(L, idx, k);
	v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	lua_pop(L, 1);
	return v;   /* the string stays alive in the table */
}

static double getnum(lua_State *L, int idx, const char *k, double dflt)
{
	double v = dflt;

	lua_getfield(L, idx, k);
	if (lua_type(L, -1) == LUA_TNUMBER)
		v = lua_tonumber(L, -1);
	lua_pop(L, 1);
	return v;
}

/* The message of a planner error: {rig_campaign_error = "..."} or text. */
static void plan_error(lua_State *L, struct rig_errmsg *err, const char *what)
{
	if (lua_istable(L, -1)) {
		lua_getfield(L, -1, "rig_campaign_error");
		if (lua_isstring(L, -1)) {
			rig_errmsg_set(err, "%s", lua_tostring(L, -1));
			lua_pop(L, 2);
			return;
		}
		lua_pop(L, 1);
	}
	rig_errmsg_set(err, "%s: %s", what, lua_isstring(L, -1) ? lua_tostring(L, -1) : "(error object)");
	lua_pop(L, 1);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- the plan ---- */

/* plan:method(...) with nargs pushed already; leaves nres results. */
static int plan_call(struct rig_campaign *c, const char *method, int nargs, int nres, struct rig_errmsg *err)
{
	lua_State *L = c->L;
	int base = lua_gettop(L) - nargs;

	lua_rawgeti(L, LUA_REGISTRYINDEX, c->planref);
	lua_getfield(L, -1, method);
	lua_insert(L, base + 1);   /* fn */
	lua_insert(L, base + 2);   /* self */
	if (lua_pcall(L, nargs + 1, nres, 0) != LUA_OK) {
		plan_error(L, err, method);
		return -EINVAL;
	}
	return 0;
}

/* The device's next job into d->job; 0 with has_job false when none. */
static int plan_next(struct cdev *d, struct rig_errmsg *err)
{
	struct rig_campaign *c = d->c;
	lua_State *L = c->L;
	int top = lua_gettop(L);
	struct rig_strv_c params = { 0 };

	job_clear(&d->job);
	d->has_job = false;
	lua_pushstring(L, d->id);
	if (plan_call(c, "next", 1, 1, err) < 0)
		return -EINVAL;
	if (lua_istable(L, -1)) {
		int t = lua_gettop(L);

		d->job.key = rig_xstrdup(getstr(L, t, "key"));
		d->job.test = rig_xstrdup(getstr(L, t, "test"));
		d->job.scenario = resolve_scenario(c, getstr(L, t, "scenario"));
		d->job.seed = (uint64_t)getnum(L, t, "seed", 1);
		d->job.planned = getnum(L, t, "planned", NAN);
		lua_getfield(L, t, "params");
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			strvc_push(&params, rig_xasprintf("%s=%s", lua_tostring(L, -2), lua_tostring(L, -1)));
			lua_pop(L, 1);
		}
		/* sorted, so the stored parameters read the same every time */
		if (params.n)
			qsort(params.v, params.n, sizeof(char *), cmp_str);
		d->job.params = params.v ? params.v : rig_xcalloc(1, sizeof(char *));
		d->has_job = true;
		d->attempt = 0;
		d->errors = 0;
	}
	lua_settop(L, top);
	return 0;
}

static int plan_result(struct rig_campaign *c, const char *key, const char *verdict, const char *outcome,
		       double planned, double actual, struct rig_errmsg *err)
{
	lua_State *L = c->L;
	int top = lua_gettop(L);
	int r;

	lua_pushstring(L, key);
	lua_createtable(L, 0, 4);
	lua_pushstring(L, verdict ? verdict : "error");
	lua_setfield(L, -2, "verdict");
	if (outcome) {
		lua_pushstring(L, outcome);
		lua_setfield(L, -2, "outcome");
	}
	if (!isnan(planned)) {
		lua_pushnumber(L, planned);
		lua_setfield(L, -2, "planned");
	}
	if (!isnan(actual)) {
		lua_pushnumber(L, actual);
		lua_setfield(L, -2, "actual");
	}
	r = plan_call(c, "result", 2, 0, err);
	lua_settop(L, top);
	return r;
}

static unsigned plan_remaining(struct rig_campaign *c)
{
	struct rig_errmsg err;
	unsigned n = 0;

	if (plan_call(c, "remaining", 0, 1, &err) == 0) {
		n = (unsigned)lua_tointeger(c->L, -1);
		lua_pop(c->L, 1);
	}
	return n;
}

/* ---- counting and output ---- */

static void count_final(struct rig_campaign *c, const char *v, bool infra)
{
	c->done_runs++;
	if (!v || !strcmp(v, "error")) {
		c->n.error++;
		if (infra)
			c->n.infra++;
	} else if (!strcmp(v, "pass")) {
		c->n.pass++;
	} else if (!strcmp(v, "fail")) {
		c->n.fail++;
	} else if (!strcmp(v, "brick")) {
		c->n.brick++;
	} else if (!strcmp(v, "inconclusive")) {
		c->n.inconclusive++;
	} else {
		c->n.skip++;
	}
}

static unsigned running(const struct rig_campaign *c)
{
	unsigned n = 0;

	for (size_t i = 0; i < c->ndevs; i++)
		n += c->devs[i].state == D_RUN;
	return n;
}

static void fmt_eta(char *buf, size_t n, double s)
{
	if (!(s >= 0) || s > 1e7)
		snprintf(buf, n, "--");
	else if (s >= 3600)
		snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else
		snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
}

static void progress(struct rig_campaign *c)
{
	unsigned rem = plan_remaining(c), total;
	double el = (double)(now() - c->t_start) / 1e9, eta = -1;
	char e[32];
	unsigned q = 0;

	for (size_t i = 0; i < c->ndevs; i++)
		q += c->devs[i].quarantined != NULL;
	total = c->done_runs + rem + running(c);
	if (c->session_runs)
		eta = el / c->session_runs * rem;
	fmt_eta(e, sizeof(e), eta);
	fprintf(stderr, "\r\033[K[%u/%u] pass %u  fail %u  brick %u  error %u  inconcl %u  quarantined %u"
		"  running %u  ETA %s", c->done_runs, total, c->n.pass, c->n.fail, c->n.brick, c->n.error,
		c->n.inconclusive, q, running(c), e);
	fflush(stderr);
}

static void say(struct rig_campaign *c, const char *fmt, ...) RIG_PRINTF(2, 3);
static void say(struct rig_campaign *c, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* one line per event: messages quoted from devices may hold newlines */
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	n = strlen(line);
	while (n && line[n - 1] == ' ')
		line[--n] = '\0';
	if (c->opts.progress)
		fputs("\r\033[K", stderr);
	fprintf(c->opts.log, "%s\n", line);
	fflush(c->opts.log);
	if (c->opts.progress)
		progress(c);
}

static void on_tick(struct rig_loop *loop, void *arg)
{
	struct rig_campaign *c = arg;

	c->tick = NULL;
	if (c->finished)
		return;
	progress(c);
	c->tick = rig_loop_add_timer(loop, now() + RIG_NS_PER_S, on_tick, c);
}

/* ---- devices ---- */

static void check_finished(struct rig_campaign *c)
{
	struct rig_errmsg err;
	bool interrupted = c->aborting;

	for (size_t i = 0; i < c->ndevs; i++)
		if (c->devs[i].state != D_DONE)
			return;
	if (c->finished)
		return;
	c->finished = true;
	rig_loop_cancel_timer(c->loop, c->tick);
	c->tick = NULL;
	if (c->opts.progress) {
		progress(c);
		fputc('\n', stderr);
	}
	if (plan_call(c, "findings", 0, 1, &err) == 0) {
		c->findings = rig_xstrdup(lua_tostring(c->L, -1));
		lua_pop(c->L, 1);
	}
	if (c->opts.store)
		rig_store_campaign_end(c->opts.store, c->id,
				       interrupted ? "interrupted" : c->budget_hit ? "budget" : "done", c->findings);
	if (c->done)
		c->done(c->done_arg);
}

static void dev_finish(struct cdev *d)
{
	d->state = D_DONE;
	job_clear(&d->job);
	d->has_job = false;
	check_finished(d->c);
}

static void quarantine(struct cdev *d, const char *why)
{
	/* a job waiting for its retry keeps its last error as its result */
	if (d->has_job && d->errors > 0)
		count_final(d->c, "error", d->last_infra);
	free(d->quarantined);
	d->quarantined = rig_xstrdup(why);
	say(d->c, "device %s quarantined: %s", d->id, why);
	dev_finish(d);
}

static void run_done(void *arg, struct rig_run *run);

static void start_run(struct cdev *d, bool health)
{
	struct rig_campaign *c = d->c;
	struct rig_run_opts o;
	struct rig_errmsg err;
	enum rig_run_class cls;
	char *key = NULL, *scen = NULL;
	char *hparams[2] = { NULL, NULL };

	memset(&o, 0, sizeof(o));
	o.device_spec = d->spec;
	o.store = c->opts.store;
	o.srv = c->opts.srv;
	o.campaign = c->name;
	o.campaign_id = c->id;
	o.deadline_ns = c->run_timeout_ns;
	if (health) {
		scen = rig_xasprintf("%s/scenarios/health.lua", RIG_SRCDIR);
		key = rig_xasprintf("health/%s/%d", d->id, ++d->nhealth);
		hparams[0] = rig_xasprintf("mode=%s", d->health_mode ? d->health_mode : "check");
		o.scenario = scen;
		o.params = hparams;
		o.artifacts = c->artifacts.v;
		o.seed = (uint64_t)d->nhealth;
		o.job = key;
		o.kind = "health";
	} else {
		o.scenario = d->job.scenario;
		o.params = d->job.params;
		o.artifacts = c->artifacts.v;
		o.seed = d->job.seed;
		o.job = d->job.key;
		o.attempt = d->attempt;
		o.kind = "run";
	}
	if (rig_run_new(c->loop, &o, &d->run, &cls, &err) < 0) {
		d->run = NULL;
		free(key);
		free(scen);
		free(hparams[0]);
		if (cls == RIG_RUN_INPUT && !health) {
			/* the scenario itself is bad: every device would fail the same way */
			say(c, "campaign stopped: %s", err.text);
			rig_campaign_abort(c, "a scenario could not be loaded");
			dev_finish(d);
			return;
		}
		c->n.infra++;
		quarantine(d, err.text);
		return;
	}
	free(key);
	free(scen);
	free(hparams[0]);
	d->state = health ? D_HEALTH : D_RUN;
	d->t_run_start = now();
	rig_run_start(d->run, run_done, d);
}

static void safe_done(void *arg, const struct rig_power_report *rep)
{
	struct cdev *d = arg;

	if (rep->result < 0)
		say(d->c, "device %s: could not switch to its safe power state: %s", d->id, rep->error ? rep->error : "?");
	dev_kick(d);
}

static void kick_cb(struct rig_loop *loop, void *arg)
{
	struct cdev *d = arg;
	struct rig_campaign *c = d->c;
	struct rig_errmsg err;

	RIG_UNUSED(loop);
	d->kick = NULL;
	if (d->run) {
		struct rig_device *dev = rig_run_device(d->run);
		enum rig_power_state safe = rig_device_cfg(dev)->safe;

		/* the device's declared safe state before it is released, without
		 * running the loop from inside it: on the loop, then back here */
		if (safe != RIG_POWER_UNKNOWN && !d->safed) {
			d->safed = true;
			rig_device_power(dev, safe == RIG_POWER_ON, safe_done, d);
			return;
		}
		d->safed = false;
		/* the run that just ended: released here, outside its own callback */
		rig_run_free(d->run);
		d->run = NULL;
	}
	if (d->state == D_DONE)
		return;      /* quarantined */
	d->state = D_IDLE;
	if (c->aborting) {
		dev_finish(d);
		return;
	}
	if (c->budget_ns && now() >= c->t_deadline) {
		if (!c->budget_hit)
			say(c, "time budget of %.0f s used up: no new runs", (double)c->budget_ns / 1e9);
		c->budget_hit = true;
		dev_finish(d);
		return;
	}
	if (d->health_pending) {
		start_run(d, true);
		return;
	}
	if (!d->has_job) {
		if (plan_next(d, &err) < 0) {
			say(c, "device %s: plan error: %s", d->id, err.text);
			dev_finish(d);
			return;
		}
		if (!d->has_job) {
			dev_finish(d);
			return;
		}
	}
	if (d->retry_pending)
		c->n.retried++;     /* counted when the retry really starts */
	d->retry_pending = false;
	start_run(d, false);
}

static void dev_kick(struct cdev *d)
{
	if (!d->kick)
		d->kick = rig_loop_add_timer(d->c->loop, 0, kick_cb, d);
}

/* Where the run's cut landed: read back from the store row. */
static void run_cut(struct rig_campaign *c, int64_t id, double *planned, double *actual)
{
	struct rig_run_result *r = NULL;
	size_t n = 0;

	*planned = *actual = NAN;
	if (c->opts.store && id && rig_store_runs(c->opts.store, &id, 1, &r, &n) == 0 && n == 1) {
		*planned = r[0].cut_planned;
		*actual = r[0].cut_actual;
	}
	rig_store_results_free(r, n);
}

static void run_done(void *arg, struct rig_run *run)
{
	struct cdev *d = arg;
	struct rig_campaign *c = d->c;
	const struct rig_run_outcome *o = rig_run_outcome(run);
	const char *v = o->verdict ? o->verdict : "error";
	double secs = (double)o->duration_ns / 1e9;
	struct rig_errmsg err;

	if (c->aborting) {
		/* stopped by the campaign, not by the device: redone on resume */
		if (c->opts.store && o->run_id)
			rig_store_mark_interrupted(c->opts.store, c->id, o->run_id);
		c->n.interrupted++;
		dev_kick(d);
		return;
	}
	if (d->state == D_HEALTH) {
		c->n.health++;
		d->health_pending = false;
		d->health_mode = "check";
		if (strcmp(v, "pass") != 0) {
			char why[512];

			snprintf(why, sizeof(why), "health check %s: %s (run %lld)", v,
				 o->message ? o->message : "", (long long)o->run_id);
			for (char *p = why; *p; p++)
				if (*p == '\n')
					*p = ' ';
			quarantine(d, why);
			dev_kick(d);      /* releases the run */
			return;
		}
		if (!c->opts.progress)
			say(c, "device %s healthy: %s (run %lld)", d->id, o->message ? o->message : "",
			    (long long)o->run_id);
		dev_kick(d);
		return;
	}
	c->session_runs++;
	d->state = D_IDLE;     /* no longer running (progress counts) */
	if (!strcmp(v, "error") && d->errors < c->retries) {
		d->errors++;
		d->attempt++;
		d->last_infra = o->cls == RIG_RUN_INFRA;
		d->retry_pending = true;
		d->health_pending = true;
		say(c, "%s %s: ERROR (%s), retry %d of %d (run %lld)", d->id, d->job.key,
		    o->message ? o->message : "", d->errors, c->retries, (long long)o->run_id);
		dev_kick(d);
		return;
	}
	{
		double planned, actual;

		run_cut(c, o->run_id, &planned, &actual);
		if (isnan(planned))
			planned = d->job.planned;
		count_final(c, v, o->cls == RIG_RUN_INFRA);
		if (plan_result(c, d->job.key, v, o->outcome, planned, actual, &err) < 0)
			say(c, "device %s: plan error: %s", d->id, err.text);
		if (!c->opts.progress) {
			char eta[32];
			unsigned rem = plan_remaining(c);

			fmt_eta(eta, sizeof(eta),
				(double)(now() - c->t_start) / 1e9 / (c->session_runs ? c->session_runs : 1) * rem);
			say(c, "[%u/%u] %s %s: %s%s%s (%.1f s, run %lld) ETA %s", c->done_runs, c->done_runs + rem + running(c),
			    d->id, d->job.key, v, o->outcome ? " " : "", o->outcome ? o->outcome : "", secs,
			    (long long)o->run_id, eta);
		}
	}
	job_clear(&d->job);
	d->has_job = false;
	if (!strcmp(v, "brick") || !strcmp(v, "error"))
		d->health_pending = true;
	dev_kick(d);
}

/* ---- loading ---- */

static int load_lab(struct rig_campaign *c, struct rig_errmsg *err)
{
	lua_State *Ld = rig_sandbox_new(NULL);
	char **ids = NULL;
	lua_State *L = c->L;
	size_t n = 0;
	int r;

	r = rig_devfile_ids(Ld, c->lab, &ids, err);
	if (r < 0) {
		rig_sandbox_free(Ld);
		return r;
	}
	while (ids[n])
		n++;
	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		struct rig_devcfg *cfg = NULL;

		if (rig_devfile_load(Ld, c->lab, ids[i], &cfg, err) < 0) {
			r = -EINVAL;
			break;
		}
		lua_createtable(L, 0, 2);
		lua_pushstring(L, ids[i]);
		lua_setfield(L, -2, "id");
		lua_newtable(L);
		lua_rawgeti(Ld, LUA_REGISTRYINDEX, cfg->tableref);
		lua_getfield(Ld, -1, "tags");
		if (lua_istable(Ld, -1)) {
			lua_Integer k = luaL_len(Ld, -1);

			for (lua_Integer j = 1; j <= k; j++) {
				lua_rawgeti(Ld, -1, j);
				lua_pushstring(L, lua_tostring(Ld, -1));
				lua_rawseti(L, -2, j);
				lua_pop(Ld, 1);
			}
		}
		lua_pop(Ld, 2);
		lua_setfield(L, -2, "tags");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
		rig_devcfg_free(cfg);
	}
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	rig_sandbox_free(Ld);
	if (r < 0)
		lua_pop(L, 1);
	return r;
}

static char *file_hash(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct rig_sha256 s;
	uint8_t d[32];
	char buf[4096], *hex = rig_xcalloc(1, 65);
	size_t k;

	rig_sha256_init(&s);
	while (f && (k = fread(buf, 1, sizeof(buf), f)) > 0)
		rig_sha256_update(&s, buf, k);
	if (f)
		fclose(f);
	rig_sha256_final(&s, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return hex;
}

/* Resume: replay the stored final results of each device's jobs through the
 * plan until the first job without one, which the device runs next. */
static int replay(struct rig_campaign *c, struct rig_errmsg *err)
{
	struct rig_run_result *rows = NULL;
	size_t nrows = 0;
	int r = 0;

	if (rig_store_mark_interrupted(c->opts.store, c->id, 0) < 0 ||
	    rig_store_campaign_runs(c->opts.store, c->id, &rows, &nrows) < 0) {
		rig_errmsg_set(err, "results database: %s", rig_store_error(c->opts.store));
		return -EIO;
	}
	for (size_t i = 0; i < nrows; i++) {
		if (rows[i].kind && !strcmp(rows[i].kind, "health"))
			c->n.health++;
		else if (rows[i].verdict && !strcmp(rows[i].verdict, "interrupted"))
			c->n.interrupted++;
	}
	for (size_t di = 0; di < c->ndevs && r == 0; di++) {
		struct cdev *d = &c->devs[di];

		for (;;) {
			const struct rig_run_result *final = NULL;
			int attempts = 0, errors = 0;
			bool last_error = false;

			if (plan_next(d, err) < 0) {
				r = -EINVAL;
				break;
			}
			if (!d->has_job)
				break;
			for (size_t i = 0; i < nrows; i++) {
				const struct rig_run_result *x = &rows[i];

				if (!x->job || strcmp(x->job, d->job.key) || (x->kind && strcmp(x->kind, "run")))
					continue;
				attempts++;
				last_error = x->verdict && !strcmp(x->verdict, "error");
				if (!x->verdict || !strcmp(x->verdict, "interrupted"))
					continue;
				if (!strcmp(x->verdict, "error")) {
					if (++errors > c->retries)
						final = x;
					continue;
				}
				final = x;
			}
			if (!final) {
				d->attempt = attempts;
				d->errors = errors;
				d->retry_pending = last_error;
				c->n.retried += (unsigned)(errors - (last_error ? 1 : 0));
				break;
			}
			c->n.retried += (unsigned)(errors - (strcmp(final->verdict, "error") ? 0 : 1));
			count_final(c, final->verdict, final->infra);
			if (plan_result(c, d->job.key, final->verdict, final->outcome,
					isnan(final->cut_planned) ? d->job.planned : final->cut_planned,
					final->cut_actual, err) < 0) {
				r = -EINVAL;
				break;
			}
		}
		d->health_pending = true;       /* re-provision before going on */
		d->health_mode = "provision";
	}
	rig_store_results_free(rows, nrows);
	return r;
}

int rig_campaign_new(struct rig_loop *loop, const struct rig_campaign_opts *opts, struct rig_campaign **out,
		     struct rig_errmsg *err)
{
	struct rig_campaign *c = rig_xcalloc(1, sizeof(*c));
	char *search;
	lua_State *L;
	int spec, r = -EINVAL;
	const char *s;

	c->loop = loop;
	c->opts = *opts;
	if (!c->opts.log)
		c->opts.log = stdout;
	c->file = rig_xstrdup(opts->file);
	c->dir = dirname_of(opts->file);
	search = rig_xasprintf("%s;%s/scenarios", c->dir, RIG_SRCDIR);
	c->L = L = rig_sandbox_new(search);
	free(search);
	if (access(opts->file, R_OK) < 0) {
		rig_errmsg_set(err, "%s: cannot read: %s", opts->file, strerror(errno));
		goto fail;
	}
	lua_pushstring(L, c->dir);
	if (rig_sandbox_loadfile(L, opts->file, err) < 0)
		goto fail;
	lua_insert(L, -2);
	if (rig_sandbox_pcall(L, 1, 1, err) < 0)
		goto fail;
	spec = lua_gettop(L);
	if (!lua_istable(L, spec)) {
		rig_errmsg_set(err, "%s: the file must return a table (the campaign), got %s", opts->file,
			       luaL_typename(L, spec));
		goto fail;
	}
	s = getstr(L, spec, "name");
	c->name = rig_xstrdup(s ? s : "");
	s = getstr(L, spec, "lab");
	if (!s) {
		rig_errmsg_set(err, "%s: lab is required (the device or lab file the campaign runs on)", opts->file);
		goto fail;
	}
	c->lab = resolve(c->dir, s);
	{
		/* numbers the rig converts: in range before anything else */
		static const struct {
			const char *key;
			double lo, hi, dflt;
		} nums[] = {
			{ "retries", 0, 100, 1 }, { "timeout", 0.001, 1e7, 1800 }, { "budget", 0, 1e8, 0 },
			{ "seed", 0, 9007199254740992.0, 0 },
		};
		double v[4];

		for (size_t i = 0; i < 4; i++) {
			v[i] = getnum(L, spec, nums[i].key, nums[i].dflt);
			if (!(v[i] >= nums[i].lo && v[i] <= nums[i].hi)) {
				rig_errmsg_set(err, "%s: %s must be between %g and %g", opts->file, nums[i].key, nums[i].lo,
					       nums[i].hi);
				goto fail;
			}
		}
		c->retries = (int)v[0];
		c->run_timeout_ns = (uint64_t)(v[1] * 1e9);
		c->budget_ns = (uint64_t)(v[2] * 1e9);
	}
	lua_getfield(L, spec, "artifacts");
	if (lua_istable(L, -1)) {
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING) {
				rig_errmsg_set(err, "%s: artifacts: expected name = \"path\" pairs", opts->file);
				goto fail;
			}
			{
				char *p = resolve(c->dir, lua_tostring(L, -1));

				strvc_push(&c->artifacts, rig_xasprintf("%s=%s", lua_tostring(L, -2), p));
				free(p);
			}
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	c->spec_hash = file_hash(opts->file);

	/* the store: a new campaign, or the last one of this file to resume */
	if (opts->resume) {
		struct rig_campaign_row *rows = NULL;
		size_t n = 0;

		if (rig_store_campaigns(opts->store, 0, c->name, &rows, &n) < 0) {
			rig_errmsg_set(err, "results database: %s", rig_store_error(opts->store));
			goto fail;
		}
		for (size_t i = n; i-- > 0;) {
			if (!c->id) {
				c->id = rows[i].id;
				c->seed = rows[i].seed;
				if (rows[i].spec_hash && strcmp(rows[i].spec_hash, c->spec_hash))
					fprintf(stderr, "rig campaign: warning: %s changed since campaign %lld started\n",
						opts->file, (long long)c->id);
			}
		}
		rig_store_campaigns_free(rows, n);
		if (!c->id) {
			rig_errmsg_set(err, "%s: no campaign named '%s' in the results database to resume", opts->file,
				       c->name);
			goto fail;
		}
	} else {
		double fs = getnum(L, spec, "seed", NAN);

		c->seed = !isnan(fs) ? (uint64_t)fs : opts->have_seed ? opts->seed : rig_wall_ns() % 1000000007ull;
	}
	lua_pushinteger(L, (lua_Integer)c->seed);
	lua_setfield(L, spec, "seed");

	/* the plan: lib.campaign.new(spec, devices, file) */
	lua_getglobal(L, "require");
	lua_pushstring(L, "lib.campaign");
	if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
		plan_error(L, err, "loading the planner");
		goto fail;
	}
	lua_getfield(L, -1, "new");
	lua_pushvalue(L, spec);
	if (load_lab(c, err) < 0) {
		char why[sizeof(err->text)];

		snprintf(why, sizeof(why), "%s", err->text);
		rig_errmsg_set(err, "%s: lab %s: %s", opts->file, c->lab, why);
		goto fail;
	}
	lua_pushstring(L, opts->file);
	if (lua_pcall(L, 3, 1, 0) != LUA_OK) {
		plan_error(L, err, opts->file);
		goto fail;
	}
	c->planref = luaL_ref(L, LUA_REGISTRYINDEX);
	/* the scenarios exist */
	lua_getfield(L, spec, "tests");
	for (lua_Integer i = 1; i <= luaL_len(L, -1); i++) {
		lua_rawgeti(L, -1, i);
		{
			char *p = resolve_scenario(c, getstr(L, lua_gettop(L), "scenario"));

			if (access(p, R_OK) < 0) {
				rig_errmsg_set(err, "%s: tests[%lld]: scenario %s: %s", opts->file, (long long)i, p,
					       strerror(errno));
				free(p);
				goto fail;
			}
			free(p);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	/* devices chosen by the plan */
	if (plan_call(c, "devices", 0, 1, err) < 0)
		goto fail;
	c->ndevs = (size_t)luaL_len(L, -1);
	c->devs = rig_xcalloc(c->ndevs, sizeof(*c->devs));
	for (size_t i = 0; i < c->ndevs; i++) {
		struct cdev *d = &c->devs[i];

		lua_rawgeti(L, -1, (lua_Integer)i + 1);
		d->c = c;
		d->id = rig_xstrdup(lua_tostring(L, -1));
		d->spec = rig_xasprintf("%s:%s", c->lab, d->id);
		d->job.planned = NAN;
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	lua_settop(L, 0);

	if (opts->resume) {
		if (replay(c, err) < 0)
			goto fail;
		rig_store_campaign_status(opts->store, c->id, "running");
	} else {
		struct rig_campaign_row row = { .name = c->name, .file = c->file, .seed = c->seed,
						.spec_hash = c->spec_hash };
		char host[256] = "";

		gethostname(host, sizeof(host) - 1);
		row.host = host;
		if (rig_store_campaign_begin(opts->store, &row, &c->id) < 0) {
			rig_errmsg_set(err, "results database: %s", rig_store_error(opts->store));
			goto fail;
		}
	}
	*out = c;
	return 0;
fail:
	rig_campaign_free(c);
	return r;
}

void rig_campaign_start(struct rig_campaign *c, void (*done)(void *arg), void *arg)
{
	c->done = done;
	c->done_arg = arg;
	c->t_start = now();
	c->t_deadline = c->t_start + c->budget_ns;
	c->started = true;
	for (size_t i = 0; i < c->ndevs; i++)
		dev_kick(&c->devs[i]);
	if (c->opts.progress)
		c->tick = rig_loop_add_timer(c->loop, now() + RIG_NS_PER_S, on_tick, c);
	if (!c->ndevs)
		check_finished(c);
}

void rig_campaign_abort(struct rig_campaign *c, const char *why)
{
	if (c->aborting && c->abort_why)
		return;
	c->aborting = true;
	c->abort_why = why;
	for (size_t i = 0; i < c->ndevs; i++) {
		struct cdev *d = &c->devs[i];

		if (d->run && (d->state == D_RUN || d->state == D_HEALTH))
			rig_run_abort(d->run, why);
	}
}

void rig_campaign_http_event(struct rig_campaign *c, uint64_t t_ns, const char *kind, const char *detail)
{
	for (size_t i = 0; c && i < c->ndevs; i++) {
		struct cdev *d = &c->devs[i];

		if (d->run && (d->state == D_RUN || d->state == D_HEALTH) && rig_run_owns_event(d->run, detail)) {
			rig_run_record(d->run, t_ns, kind, detail);
			return;
		}
	}
}

int64_t rig_campaign_id(const struct rig_campaign *c)
{
	return c->id;
}

int rig_campaign_exit_status(const struct rig_campaign *c)
{
	bool quarantined = false;

	for (size_t i = 0; i < c->ndevs; i++)
		quarantined |= c->devs[i].quarantined != NULL;
	if (c->n.fail || c->n.brick)
		return RIG_EXIT_FAIL;
	if (c->n.error || quarantined || c->aborting || c->budget_hit)
		return RIG_EXIT_INFRA;
	return RIG_EXIT_OK;
}

void rig_campaign_summary(const struct rig_campaign *c, FILE *f)
{
	unsigned judged = c->n.pass + c->n.fail + c->n.brick;

	fprintf(f, "campaign %lld (%s, seed %llu): %u runs: %u pass, %u fail, %u brick, %u error (%u infra),"
		   " %u inconclusive, %u skip\n", (long long)c->id, c->name, (unsigned long long)c->seed,
		c->done_runs, c->n.pass, c->n.fail, c->n.brick, c->n.error, c->n.infra, c->n.inconclusive,
		c->n.skip);
	if (judged)
		fprintf(f, "survival: %u of %u judged runs (%.1f %%); inconclusive and errors are not counted\n",
			c->n.pass, judged, 100.0 * c->n.pass / judged);
	if (c->n.retried || c->n.interrupted || c->n.health)
		fprintf(f, "apart: %u error runs retried, %u runs interrupted by the rig stopping, %u health checks\n",
			c->n.retried, c->n.interrupted, c->n.health);
	for (size_t i = 0; i < c->ndevs; i++)
		if (c->devs[i].quarantined)
			fprintf(f, "quarantined: %s: %s\n", c->devs[i].id, c->devs[i].quarantined);
	if (c->budget_hit)
		fprintf(f, "stopped by the time budget; `rig campaign %s --resume` goes on\n", c->file);
	if (c->aborting)
		fprintf(f, "interrupted (%s); `rig campaign %s --resume` goes on\n",
			c->abort_why ? c->abort_why : "stopped", c->file);
	if (c->findings && strcmp(c->findings, "[]"))
		fprintf(f, "findings: %s\n", c->findings);
}

void rig_campaign_free(struct rig_campaign *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->ndevs; i++) {
		struct cdev *d = &c->devs[i];

		rig_loop_cancel_timer(c->loop, d->kick);
		if (d->run) {
			rig_device_make_safe(rig_run_device(d->run), 10 * RIG_NS_PER_S);
			rig_run_free(d->run);
		}
		job_clear(&d->job);
		free(d->id);
		free(d->spec);
		free(d->quarantined);
	}
	free(c->devs);
	rig_loop_cancel_timer(c->loop, c->tick);
	if (c->L)
		rig_sandbox_free(c->L);
	strvc_free(&c->artifacts);
	free(c->file);
	free(c->dir);
	free(c->name);
	free(c->lab);
	free(c->spec_hash);
	free(c->findings);
	free(c);
}
