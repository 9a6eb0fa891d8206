/* The C primitives under rig._raw. The friendly API is scenarios/prelude.lua.
 *
 * Primitives that wait register what they wait for on the run and yield
 * (rig_lua_wait); the loop resumes the coroutine with their results. A run
 * that is aborted while waiting (deadline, signal) raises from the
 * continuation, so the error names the scenario line that was waiting. */
#include "run_int.h"
#include "json.h"

#include <errno.h>
#include <lauxlib.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* ---- waiting ---- */

static int wait_k(lua_State *L, int status, lua_KContext ctx)
{
	struct rig_run *run = rig_run_from_lua(L);

	RIG_UNUSED(status);
	if (run->abort_why)
		return rig_run_raise(L, run->abort_why, true);
	return lua_gettop(L) - (int)ctx;
}

int rig_lua_wait(lua_State *L, enum wait_kind kind)
{
	struct rig_run *run = rig_run_from_lua(L);

	run->wait.kind = kind;
	return lua_yieldk(L, 0, (lua_KContext)lua_gettop(L), wait_k);
}

void rig_run_cancel_wait(struct rig_run *run)
{
	struct rig_console *con = run->dev ? rig_device_console(run->dev) : NULL;

	rig_loop_cancel_timer(run->loop, run->wait.timer);
	run->wait.timer = NULL;
	if (run->wait.watch && con)
		rig_console_unwatch(con, run->wait.watch);
	run->wait.watch = NULL;
	rig_regex_free(run->wait.re);
	run->wait.re = NULL;
	rig_child_free(run->wait.child);
	run->wait.child = NULL;
	if (run->wait.kind == W_SEND && con)
		rig_console_forget_sender(con, run);
	if (run->wait.kind == W_AT_REST && run->dev)
		rig_device_at_rest_cancel(run->dev);
	if ((run->wait.kind == W_POWER || run->wait.kind == W_POWER_GET) && run->dev)
		rig_device_forget(run->dev, run);
	if (run->wait.kind == W_TRIGGER && run->wait.trig > 0 && (size_t)run->wait.trig <= run->ntrigs)
		rig_trigger_notify(run->trigs[run->wait.trig - 1], NULL, NULL);
	run->wait.trig = 0;
	run->wait.kind = W_NONE;
}

static struct rig_run *getrun(lua_State *L)
{
	return rig_run_from_lua(L);
}

static struct rig_console *need_console(lua_State *L, struct rig_run *run)
{
	struct rig_console *con = rig_device_console(run->dev);

	if (!con)
		luaL_error(L, "device '%s' has no console", run->devcfg->id);
	return con;
}

static uint64_t secs_to_ns(double s)
{
	if (!(s > 0))
		return 0;
	if (s > 1e7)
		s = 1e7;
	return (uint64_t)(s * 1e9);
}

/* ---- sleep(seconds) ---- */

static void sleep_done(struct rig_loop *loop, void *arg)
{
	struct rig_run *run = arg;

	RIG_UNUSED(loop);
	run->wait.timer = NULL;
	run->wait.kind = W_NONE;
	rig_run_resume(run, 0);
}

static int l_sleep(lua_State *L)
{
	struct rig_run *run = getrun(L);
	double s = luaL_checknumber(L, 1);

	run->wait.timer = rig_loop_add_timer(run->loop, rig_now_ns() + secs_to_ns(s), sleep_done, run);
	return rig_lua_wait(L, W_SLEEP);
}

/* ---- expect(pattern, timeout, flags) ---- */

static void push_hit(lua_State *L, const struct rig_console_hit *hit)
{
	lua_createtable(L, hit->ncap, 6);
	lua_pushlstring(L, hit->text, hit->textlen);
	lua_setfield(L, -2, "text");
	if (hit->before) {
		lua_pushlstring(L, hit->before, hit->beforelen);
		lua_setfield(L, -2, "before");
	}
	for (int i = 0; i < hit->ncap; i++) {
		if (hit->cap[i])
			lua_pushstring(L, hit->cap[i]);
		else
			lua_pushboolean(L, 0);
		lua_rawseti(L, -2, i + 1);
	}
	lua_pushinteger(L, (lua_Integer)hit->t_read_ns);
	lua_setfield(L, -2, "t_read");
	lua_pushinteger(L, (lua_Integer)hit->t_match_ns);
	lua_setfield(L, -2, "t_match");
	lua_pushinteger(L, (lua_Integer)hit->abs_end);
	lua_setfield(L, -2, "offset");
}

static void expect_hit(void *arg, struct rig_console_hit *hit)
{
	struct rig_run *run = arg;

	run->wait.watch = NULL;
	rig_loop_cancel_timer(run->loop, run->wait.timer);
	run->wait.timer = NULL;
	rig_regex_free(run->wait.re);
	run->wait.re = NULL;
	run->wait.kind = W_NONE;
	push_hit(run->co, hit);
	rig_run_resume(run, 1);
}

/* A wait's deadline: the primitive returns nil, "timeout". */
static void wait_timeout(struct rig_loop *loop, void *arg)
{
	struct rig_run *run = arg;

	RIG_UNUSED(loop);
	run->wait.timer = NULL;
	rig_run_cancel_wait(run);
	lua_pushnil(run->co);
	lua_pushstring(run->co, "timeout");
	rig_run_resume(run, 2);
}

static unsigned re_flags(const char *f)
{
	unsigned flags = 0;

	for (; f && *f; f++) {
		if (*f == 'l')
			flags |= RIG_RE_LITERAL;
		else if (*f == 'k')
			flags |= RIG_RE_KTOLERANT;
		else if (*f == 'i')
			flags |= RIG_RE_CASELESS;
	}
	return flags;
}

static int l_expect(lua_State *L)
{
	struct rig_run *run = getrun(L);
	const char *pat = luaL_checkstring(L, 1);
	double timeout = luaL_optnumber(L, 2, 30);
	const char *flags = luaL_optstring(L, 3, "");
	struct rig_console *con = need_console(L, run);
	struct rig_console_hit hit;
	struct rig_regex *re;
	struct rig_errmsg err;
	int r;

	if (rig_regex_new(pat, re_flags(flags), &re, &err) < 0)
		return luaL_error(L, "%s", err.text);
	r = rig_console_match_now(con, re, &hit);
	if (r == 1) {
		rig_regex_free(re);
		push_hit(L, &hit);
		rig_console_hit_clear(&hit);
		return 1;
	}
	if (!(timeout > 0)) {
		rig_regex_free(re);
		lua_pushnil(L);
		lua_pushstring(L, "timeout");
		return 2;
	}
	run->wait.re = re;
	run->wait.watch = rig_console_watch(con, RIG_WATCH_EXPECT, re, expect_hit, run);
	run->wait.timer = rig_loop_add_timer(run->loop, rig_now_ns() + secs_to_ns(timeout),
					     wait_timeout, run);
	return rig_lua_wait(L, W_EXPECT);
}

/* ---- send(bytes) ---- */

static void send_done(void *arg, int result)
{
	struct rig_run *run = arg;

	if (run->wait.kind != W_SEND)
		return;
	run->wait.kind = W_NONE;
	if (result < 0) {
		lua_pushnil(run->co);
		lua_pushfstring(run->co, "console write failed: %s", strerror(-result));
		rig_run_resume(run, 2);
		return;
	}
	lua_pushboolean(run->co, 1);
	rig_run_resume(run, 1);
}

static int l_send(lua_State *L)
{
	struct rig_run *run = getrun(L);
	size_t n;
	const char *s = luaL_checklstring(L, 1, &n);
	struct rig_console *con = need_console(L, run);
	int r;

	if (n == 0) {
		lua_pushboolean(L, 1);
		return 1;
	}
	r = rig_console_send(con, s, n, send_done, run);
	if (r < 0) {
		lua_pushnil(L);
		lua_pushfstring(L, "console send failed: %s", strerror(-r));
		return 2;
	}
	return rig_lua_wait(L, W_SEND);
}

/* ---- power("on"|"off") ---- */

static void push_report(lua_State *L, const struct rig_power_report *rep)
{
	lua_createtable(L, 0, 8);
	lua_pushstring(L, rep->on ? "on" : "off");
	lua_setfield(L, -2, "state");
	lua_pushinteger(L, (lua_Integer)rep->t_request_ns);
	lua_setfield(L, -2, "t_request");
	lua_pushinteger(L, (lua_Integer)rep->t_start_ns);
	lua_setfield(L, -2, "t_start");
	lua_pushinteger(L, (lua_Integer)rep->t_done_ns);
	lua_setfield(L, -2, "t_done");
	lua_pushinteger(L, (lua_Integer)rep->t_ready_ns);
	lua_setfield(L, -2, "t_ready");
	lua_pushinteger(L, (lua_Integer)rep->precision_ns);
	lua_setfield(L, -2, "precision_ns");
	if (rep->precision) {
		lua_pushstring(L, rep->precision);
		lua_setfield(L, -2, "precision");
	}
}

static void power_done(void *arg, const struct rig_power_report *rep)
{
	struct rig_run *run = arg;

	run->wait.kind = W_NONE;
	if (rep->result < 0) {
		lua_pushnil(run->co);
		lua_pushstring(run->co, rep->error && rep->error[0] ? rep->error : strerror(-rep->result));
		rig_run_resume(run, 2);
		return;
	}
	push_report(run->co, rep);
	rig_run_resume(run, 1);
}

static int l_power(lua_State *L)
{
	struct rig_run *run = getrun(L);
	static const char *const states[] = { "off", "on", NULL };
	int on = luaL_checkoption(L, 1, NULL, states);

	rig_device_power(run->dev, on == 1, power_done, run);
	return rig_lua_wait(L, W_POWER);
}

static void power_get_done(void *arg, int result, uint64_t t_done_ns, enum rig_power_state state)
{
	struct rig_run *run = arg;

	RIG_UNUSED(t_done_ns);
	if (run->wait.kind != W_POWER_GET)
		return;
	run->wait.kind = W_NONE;
	if (result < 0) {
		lua_pushnil(run->co);
		lua_pushfstring(run->co, "power read-back failed: %s", strerror(-result));
		rig_run_resume(run, 2);
		return;
	}
	lua_pushstring(run->co, state == RIG_POWER_ON ? "on" : state == RIG_POWER_OFF ? "off" : "unknown");
	rig_run_resume(run, 1);
}

static int l_power_get(lua_State *L)
{
	struct rig_run *run = getrun(L);
	int r;

	if (!rig_device_can_read_power(run->dev)) {
		lua_pushnil(L);
		lua_pushstring(L, "the power driver cannot read back its state");
		return 2;
	}
	r = rig_device_power_get(run->dev, power_get_done, run);
	if (r < 0) {
		lua_pushnil(L);
		lua_pushfstring(L, "power read-back failed: %s", strerror(-r));
		return 2;
	}
	return rig_lua_wait(L, W_POWER_GET);
}

/* ---- fault_at_rest{partition=, path=, how=, bytes=} ---- */

static const char *opt_field_str(lua_State *L, int t, const char *k);

static void at_rest_done(void *arg, int result, const char *detail)
{
	struct rig_run *run = arg;

	if (run->wait.kind != W_AT_REST)
		return;
	run->wait.kind = W_NONE;
	if (result < 0) {
		struct rig_json j;

		rig_json_init(&j);   /* the message is evidence too */
		rig_json_obj_begin(&j);
		rig_json_kv_str(&j, "error", detail);
		rig_json_obj_end(&j);
		rig_run_event(run, rig_now_ns(), "fault.at_rest.error", rig_json_str(&j));
		rig_json_free(&j);
		lua_pushnil(run->co);
		lua_pushstring(run->co, detail);
		rig_run_resume(run, 2);
		return;
	}
	rig_run_event(run, rig_now_ns(), "fault.at_rest", detail);
	lua_pushstring(run->co, detail);
	rig_run_resume(run, 1);
}

static int l_fault_at_rest(lua_State *L)
{
	struct rig_run *run = getrun(L);
	struct rig_at_rest_req req;
	int r;

	luaL_checktype(L, 1, LUA_TTABLE);
	req.partition = opt_field_str(L, 1, "partition");
	req.path = opt_field_str(L, 1, "path");
	req.how = opt_field_str(L, 1, "how");
	lua_getfield(L, 1, "bytes");
	if (lua_isnil(L, -1))
		req.bytes = -1;
	else if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 0)
		req.bytes = (int64_t)lua_tointeger(L, -1);
	else
		return luaL_error(L, "fault_at_rest: 'bytes' must be a non-negative integer");
	lua_pop(L, 1);
	if (!req.partition || !req.path || !req.how)
		return luaL_error(L, "fault_at_rest: expected partition, path and how (zero, tear or truncate)");
	r = rig_device_at_rest(run->dev, &req, at_rest_done, run);
	if (r == -EBUSY || r == -ENOTSUP || r == -EINVAL)
		return luaL_error(L, "fault_at_rest: %s", rig_device_error(run->dev));
	if (r < 0) {
		lua_pushnil(L);
		lua_pushstring(L, rig_device_error(run->dev));
		return 2;
	}
	return rig_lua_wait(L, W_AT_REST);
}

/* ---- host(command | argv, timeout) ---- */

static void host_done(void *arg, const struct rig_child_result *res)
{
	struct rig_run *run = arg;
	struct rig_json j;

	rig_json_init(&j);
	rig_json_obj_begin(&j);
	rig_json_kv_int(&j, "exit", res->exit_code);
	rig_json_kv_bool(&j, "timed_out", res->timed_out);
	rig_json_kv_uint(&j, "ms", (res->t_end_ns - res->t_start_ns) / RIG_NS_PER_MS);
	rig_json_kv_str(&j, "output_tail",
			res->output + (res->output_len > 400 ? res->output_len - 400 : 0));
	rig_json_obj_end(&j);
	rig_run_event(run, rig_now_ns(), "host.done", rig_json_str(&j));
	rig_json_free(&j);
	/* The child object frees itself only through us: drop it after reading. */
	lua_pushinteger(run->co, res->timed_out ? -1 : res->exit_code);
	lua_pushlstring(run->co, res->output, res->output_len);
	run->wait.kind = W_NONE;
	{
		struct rig_child *c = run->wait.child;

		run->wait.child = NULL;
		rig_child_free(c);
	}
	rig_run_resume(run, 2);
}

static int l_host(lua_State *L)
{
	struct rig_run *run = getrun(L);
	double timeout = luaL_optnumber(L, 2, 60);
	char **argv;
	size_t n = 0;
	struct rig_json j;
	int r;

	if (lua_type(L, 1) == LUA_TSTRING) {
		argv = rig_xcalloc(4, sizeof(char *));
		argv[0] = rig_xstrdup("/bin/sh");
		argv[1] = rig_xstrdup("-c");
		argv[2] = rig_xstrdup(lua_tostring(L, 1));
		n = 3;
	} else {
		luaL_checktype(L, 1, LUA_TTABLE);
		n = (size_t)luaL_len(L, 1);
		if (n == 0)
			return luaL_error(L, "host: empty argv");
		argv = rig_xcalloc(n + 1, sizeof(char *));
		for (size_t i = 0; i < n; i++) {
			lua_geti(L, 1, (lua_Integer)i + 1);
			argv[i] = rig_xstrdup(luaL_optstring(L, -1, ""));
			lua_pop(L, 1);
		}
	}
	rig_json_init(&j);
	rig_json_obj_begin(&j);
	rig_json_key(&j, "argv");
	rig_json_arr_begin(&j);
	for (size_t i = 0; i < n; i++)
		rig_json_val_str(&j, argv[i]);
	rig_json_arr_end(&j);
	rig_json_obj_end(&j);
	rig_run_event(run, rig_now_ns(), "host.start", rig_json_str(&j));
	rig_json_free(&j);
	r = rig_child_spawn(run->loop, argv, NULL, run->devcfg->dir, secs_to_ns(timeout), host_done,
			    run, &run->wait.child);
	for (size_t i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
	if (r < 0) {
		lua_pushinteger(L, -1);
		lua_pushfstring(L, "cannot start host command: %s", strerror(-r));
		return 2;
	}
	return rig_lua_wait(L, W_HOST);
}

/* ---- triggers ---- */

static void trig_event(void *arg, uint64_t t_ns, const char *kind, const char *detail)
{
	rig_run_event(arg, t_ns, kind, detail);
}

static struct rig_trigger *check_trigger(lua_State *L, int idx)
{
	struct rig_run *run = getrun(L);
	lua_Integer id = luaL_checkinteger(L, idx);

	if (id < 1 || (size_t)id > run->ntrigs)
		luaL_error(L, "no trigger %d", (int)id);
	return run->trigs[id - 1];
}

static const char *opt_field_str(lua_State *L, int t, const char *k)
{
	const char *s;

	/* a string only: lua_tostring would turn a number into a new string
	 * that nothing keeps alive once popped */
	if (lua_getfield(L, t, k) != LUA_TSTRING && !lua_isnil(L, -1))
		luaL_error(L, "'%s': expected a string, got %s", k, luaL_typename(L, -1));
	s = lua_tostring(L, -1);
	lua_pop(L, 1);   /* the table keeps the string alive */
	return s;
}

static double opt_field_num(lua_State *L, int t, const char *k, double def)
{
	double d = def;

	lua_getfield(L, t, k);
	if (lua_isnumber(L, -1))
		d = lua_tonumber(L, -1);
	else if (!lua_isnil(L, -1))
		luaL_error(L, "arm: '%s' must be a number", k);
	lua_pop(L, 1);
	return d;
}

static int l_arm(lua_State *L)
{
	struct rig_run *run = getrun(L);
	struct rig_trigger_spec spec;
	struct rig_trigger *t;
	struct rig_errmsg err;
	const char *when, *action;
	int r;

	luaL_checktype(L, 1, LUA_TTABLE);
	memset(&spec, 0, sizeof(spec));
	when = opt_field_str(L, 1, "when");
	action = opt_field_str(L, 1, "action");
	spec.label = opt_field_str(L, 1, "label");
	if (!action || !strcmp(action, "cut"))
		spec.action = RIG_ACT_CUT;
	else if (!strcmp(action, "cycle"))
		spec.action = RIG_ACT_CYCLE;
	else if (!strcmp(action, "mark"))
		spec.action = RIG_ACT_MARK;
	else
		return luaL_error(L, "arm: action must be 'cut', 'cycle' or 'mark', got '%s'", action);
	spec.delay_ns = secs_to_ns(opt_field_num(L, 1, "delay", 0));
	if (!when)
		return luaL_error(L, "arm: 'when' is required ('console', 'served', 'timer' or 'written')");
	if (!strcmp(when, "console")) {
		spec.source = RIG_TRIG_CONSOLE;
		spec.pattern = opt_field_str(L, 1, "match");
		if (!spec.pattern)
			return luaL_error(L, "arm: a console trigger needs 'match' (a regex)");
		spec.re_flags = re_flags(opt_field_str(L, 1, "flags"));
	} else if (!strcmp(when, "served")) {
		const char *name = opt_field_str(L, 1, "artifact");
		const struct run_artifact *a;
		double bytes = opt_field_num(L, 1, "bytes", -1);
		double frac = opt_field_num(L, 1, "fraction", -1);
		uint64_t size;

		spec.source = RIG_TRIG_SERVED;
		if (!name)
			return luaL_error(L, "arm: a served trigger needs 'artifact' (a name)");
		a = rig_run_artifact(run, name);
		if (!a || !run->opts.srv)
			return luaL_error(L, "arm: no artifact named '%s' is served in this run", name);
		spec.artifact = a->srvname;
		size = rig_artsrv_size(run->opts.srv, a->srvname);
		if (frac >= 0) {
			if (frac > 1)
				return luaL_error(L, "arm: fraction must be within 0..1, got %f", frac);
			spec.offset = (uint64_t)floor(frac * (double)size);
		} else if (bytes >= 0) {
			spec.offset = (uint64_t)bytes;
		} else {
			return luaL_error(L, "arm: a served trigger needs 'bytes' or 'fraction'");
		}
		if (spec.offset > size)
			return luaL_error(L, "arm: byte %llu is past the end of '%s' (%llu bytes)",
					  (unsigned long long)spec.offset, name, (unsigned long long)size);
	} else if (!strcmp(when, "timer")) {
		spec.source = RIG_TRIG_TIMER;
		spec.after_ns = secs_to_ns(opt_field_num(L, 1, "after", 0));
	} else if (!strcmp(when, "written")) {
		double bytes = opt_field_num(L, 1, "bytes", -1);

		spec.source = RIG_TRIG_WRITTEN;
		if (bytes < 0)
			return luaL_error(L, "arm: a written trigger needs 'bytes' (written to storage after the arm)");
		spec.bytes = (uint64_t)bytes;
		spec.partition = opt_field_str(L, 1, "partition");   /* nil: the whole drive */
	} else {
		return luaL_error(L, "arm: 'when' must be 'console', 'served', 'timer' or 'written', got '%s'", when);
	}
	if (spec.source != RIG_TRIG_WRITTEN && opt_field_str(L, 1, "partition"))
		return luaL_error(L, "arm: 'partition' belongs to a written trigger, not a %s one", when);
	{
		/* within: how close to its planned point the cut must land. A
		 * power driver less precise than that cannot honour it: refused,
		 * an error of the lab, not a verdict on the device. */
		double within = opt_field_num(L, 1, "within", 0);

		if (within > 0 && spec.action != RIG_ACT_MARK) {
			const char *text;
			uint64_t ns;

			rig_device_power_precision(run->dev, &text, &ns);
			if ((double)ns > within * 1e9) {
				char msg[600];

				snprintf(msg, sizeof(msg), "arm: this cut must land within %.3f ms, but the %s power driver is "
					 "precise to %.3f ms only (%s): refused; a sense line or a faster switch can confirm the "
					 "drop", within * 1e3, rig_device_cfg(run->dev)->power_ops->name, (double)ns / 1e6,
					 text ? text : "?");
				return rig_run_raise(L, msg, true);
			}
		}
	}
	r = rig_trigger_arm(run->dev, run->opts.srv, (int)run->ntrigs + 1, &spec, trig_event, run, &t, &err);
	if (r < 0)
		return luaL_error(L, "arm: %s", err.text);
	run->trigs = rig_xrealloc(run->trigs, (run->ntrigs + 1) * sizeof(*run->trigs));
	run->trigs[run->ntrigs++] = t;
	lua_pushinteger(L, (lua_Integer)run->ntrigs);
	return 1;
}

static void push_trigger_info(lua_State *L, struct rig_trigger *t)
{
	const struct rig_trigger_info *i = rig_trigger_info(t);

	lua_createtable(L, 0, 12);
	lua_pushinteger(L, rig_trigger_id(t));
	lua_setfield(L, -2, "id");
	lua_pushstring(L, rig_trigger_state_name(i->state));
	lua_setfield(L, -2, "state");
#define F(name) do { lua_pushinteger(L, (lua_Integer)i->name##_ns); lua_setfield(L, -2, #name); } while (0)
	F(t_arm);
	F(t_read);
	F(t_match);
	F(t_fire);
	F(t_act_start);
	F(t_act_done);
	F(precision);
#undef F
	if (i->precision) {
		lua_pushstring(L, i->precision);
		lua_setfield(L, -2, "precision_text");
	}
	if (i->match) {
		lua_pushstring(L, i->match);
		lua_setfield(L, -2, "match");
	}
	lua_pushinteger(L, (lua_Integer)i->offset);
	lua_setfield(L, -2, "offset");
	if (i->has_drive) {
		lua_pushinteger(L, (lua_Integer)i->drive);
		lua_setfield(L, -2, "drive");
	}
	if (i->error[0]) {
		lua_pushstring(L, i->error);
		lua_setfield(L, -2, "error");
	}
	lua_pushboolean(L, i->state == RIG_TRIG_FIRED);
	lua_setfield(L, -2, "fired");
}

static int l_trigger(lua_State *L)
{
	push_trigger_info(L, check_trigger(L, 1));
	return 1;
}

static void trigger_done(void *arg, struct rig_trigger *t)
{
	struct rig_run *run = arg;

	if (run->wait.kind != W_TRIGGER)
		return;
	rig_loop_cancel_timer(run->loop, run->wait.timer);
	run->wait.timer = NULL;
	run->wait.kind = W_NONE;
	run->wait.trig = 0;
	push_trigger_info(run->co, t);
	rig_run_resume(run, 1);
}

static int l_trigger_wait(lua_State *L)
{
	struct rig_run *run = getrun(L);
	struct rig_trigger *t = check_trigger(L, 1);
	double timeout = luaL_optnumber(L, 2, 60);

	if (rig_trigger_done(t)) {
		push_trigger_info(L, t);
		return 1;
	}
	run->wait.trig = rig_trigger_id(t);
	rig_trigger_notify(t, trigger_done, run);
	run->wait.timer = rig_loop_add_timer(run->loop, rig_now_ns() + secs_to_ns(timeout),
					     wait_timeout, run);
	return rig_lua_wait(L, W_TRIGGER);
}

static int l_disarm(lua_State *L)
{
	rig_trigger_cancel(check_trigger(L, 1));
	return 0;
}

/* ---- artifacts and the server ---- */

static int l_artifact(lua_State *L)
{
	struct rig_run *run = getrun(L);
	const char *name = luaL_checkstring(L, 1);
	const struct run_artifact *a = rig_run_artifact(run, name);
	const char *url;

	if (!a || !run->opts.srv) {
		const char *where = rig_run_missing_artifact(run, name);

		lua_pushnil(L);
		if (where)
			lua_pushfstring(L, "artifact '%s' of the device file: %s does not exist (not built yet?)",
					name, where);
		else
			lua_pushfstring(L, "no artifact named '%s' (give it with --artifact %s=FILE or in the device file)",
					name, name);
		return 2;
	}
	url = rig_artsrv_url(run->opts.srv, a->srvname);
	lua_createtable(L, 0, 5);
	lua_pushstring(L, name);
	lua_setfield(L, -2, "name");
	lua_pushstring(L, a->path);
	lua_setfield(L, -2, "path");
	if (run->devcfg->artifact_host && url) {
		/* http://host:port/rest -> http://<artifact_host>/rest */
		const char *p = strstr(url, "://");
		const char *rest = p ? strchr(p + 3, '/') : NULL;

		lua_pushfstring(L, "%s://%s%s", strncmp(url, "https", 5) ? "http" : "https",
				run->devcfg->artifact_host, rest ? rest : "/");
	} else {
		lua_pushstring(L, url);
	}
	lua_setfield(L, -2, "url");
	lua_pushstring(L, rig_artsrv_sha256(run->opts.srv, a->srvname));
	lua_setfield(L, -2, "sha256");
	lua_pushinteger(L, (lua_Integer)rig_artsrv_size(run->opts.srv, a->srvname));
	lua_setfield(L, -2, "size");
	lua_pushinteger(L, (lua_Integer)rig_artsrv_sent(run->opts.srv, a->srvname));
	lua_setfield(L, -2, "sent");
	return 1;
}

static uint64_t field_u64(lua_State *L, int t, const char *k, uint64_t def)
{
	double d = opt_field_num(L, t, k, -1);

	return d < 0 ? def : (uint64_t)d;
}

static int l_serve(lua_State *L)
{
	struct rig_run *run = getrun(L);
	const char *name = luaL_checkstring(L, 1);
	const struct run_artifact *a = rig_run_artifact(run, name);
	struct rig_artsrv_faults f;
	int r;

	if (!a || !run->opts.srv)
		return luaL_error(L, "serve: no artifact named '%s'", name);
	if (lua_isnoneornil(L, 2)) {
		rig_artsrv_clear_faults(run->opts.srv, a->srvname);
		return 0;
	}
	luaL_checktype(L, 2, LUA_TTABLE);
	rig_artsrv_faults_init(&f);
	f.stall_at = field_u64(L, 2, "stall_at", UINT64_MAX);
	f.stall_ms = (uint64_t)(opt_field_num(L, 2, "stall", 0) * 1000);
	f.drop_at = field_u64(L, 2, "drop_at", UINT64_MAX);
	f.corrupt_at = field_u64(L, 2, "corrupt_at", UINT64_MAX);
	f.throttle_bps = field_u64(L, 2, "throttle", 0);
	lua_getfield(L, 2, "range_as_200");
	f.range_as_200 = lua_toboolean(L, -1);
	lua_pop(L, 1);
	f.times = (unsigned)field_u64(L, 2, "times", 0);
	r = rig_artsrv_set_faults(run->opts.srv, a->srvname, &f);
	if (r < 0)
		return luaL_error(L, "serve: %s", strerror(-r));
	{
		struct rig_json j;

		rig_json_init(&j);
		rig_json_obj_begin(&j);
		rig_json_kv_str(&j, "artifact", name);
		if (f.stall_at != UINT64_MAX)
			rig_json_kv_uint(&j, "stall_at", f.stall_at);
		if (f.drop_at != UINT64_MAX)
			rig_json_kv_uint(&j, "drop_at", f.drop_at);
		if (f.corrupt_at != UINT64_MAX)
			rig_json_kv_uint(&j, "corrupt_at", f.corrupt_at);
		if (f.throttle_bps)
			rig_json_kv_uint(&j, "throttle", f.throttle_bps);
		if (f.range_as_200)
			rig_json_kv_bool(&j, "range_as_200", true);
		rig_json_obj_end(&j);
		rig_run_event(run, rig_now_ns(), "serve.faults", rig_json_str(&j));
		rig_json_free(&j);
	}
	return 0;
}

/* ---- the rest ---- */

static int l_event(lua_State *L)
{
	struct rig_run *run = getrun(L);
	const char *kind = luaL_checkstring(L, 1);
	struct rig_json j;

	rig_json_init(&j);
	if (lua_istable(L, 2)) {
		rig_json_obj_begin(&j);
		lua_pushnil(L);
		while (lua_next(L, 2)) {
			if (lua_type(L, -2) == LUA_TSTRING) {
				const char *k = lua_tostring(L, -2);

				if (lua_type(L, -1) == LUA_TNUMBER) {
					if (lua_isinteger(L, -1))
						rig_json_kv_int(&j, k, lua_tointeger(L, -1));
					else
						rig_json_kv_num(&j, k, lua_tonumber(L, -1));
				} else if (lua_type(L, -1) == LUA_TBOOLEAN) {
					rig_json_kv_bool(&j, k, lua_toboolean(L, -1));
				} else {
					size_t n;
					const char *s = luaL_tolstring(L, -1, &n);

					rig_json_key(&j, k);
					rig_json_val_strn(&j, s, n);
					lua_pop(L, 1);
				}
			}
			lua_pop(L, 1);
		}
		rig_json_obj_end(&j);
	} else if (!lua_isnoneornil(L, 2)) {
		size_t n;
		const char *s = luaL_tolstring(L, 2, &n);

		rig_json_obj_begin(&j);
		rig_json_key(&j, "text");
		rig_json_val_strn(&j, s, n);
		rig_json_obj_end(&j);
		lua_pop(L, 1);
	}
	rig_run_event(run, rig_now_ns(), kind, j.len ? rig_json_str(&j) : NULL);
	rig_json_free(&j);
	return 0;
}

static int l_now(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)rig_now_ns());
	return 1;
}

static int l_set_result(lua_State *L)
{
	struct rig_run *run = getrun(L);
	const char *verdict = luaL_checkstring(L, 1);
	const char *outcome = luaL_optstring(L, 2, NULL);
	const char *msg = luaL_optstring(L, 3, NULL);
	static const char *const ok[] = { "pass", "fail", "brick", "error", "inconclusive", "skip", NULL };
	bool found = false;

	for (size_t i = 0; ok[i]; i++)
		found |= strcmp(ok[i], verdict) == 0;
	if (!found)
		return luaL_error(L, "unknown verdict '%s'", verdict);
	free(run->verdict);
	free(run->outcome);
	free(run->message);
	run->verdict = rig_xstrdup(verdict);
	run->outcome = outcome ? rig_xstrdup(outcome) : NULL;
	run->message = msg ? rig_xstrdup(msg) : NULL;
	run->out.cls = RIG_RUN_OK;
	return 0;
}

/* record_cut(planned, actual, unit, landed): where the run's cut was meant
 * to land and where it did, in the unit of the scenario's cut parameter
 * (planned/actual may be nil). Stored with the run for campaigns, reports
 * and `rig rerun`. */
static int l_record_cut(lua_State *L)
{
	struct rig_run *run = getrun(L);
	double planned = lua_isnoneornil(L, 1) ? NAN : luaL_checknumber(L, 1);
	double actual = lua_isnoneornil(L, 2) ? NAN : luaL_checknumber(L, 2);
	const char *unit = luaL_optstring(L, 3, NULL);
	const char *landed = luaL_optstring(L, 4, NULL);

	if (run->opts.store && run->run_id)
		rig_store_run_cut(run->opts.store, run->run_id, planned, actual, unit, landed);
	return 0;
}

static int l_console_info(lua_State *L)
{
	struct rig_run *run = getrun(L);
	struct rig_console *con = rig_device_console(run->dev);

	lua_createtable(L, 0, 5);
	if (!con)
		return 1;
	lua_pushinteger(L, (lua_Integer)rig_console_cursor(con));
	lua_setfield(L, -2, "cursor");
	lua_pushinteger(L, (lua_Integer)rig_console_end(con));
	lua_setfield(L, -2, "end");
	lua_pushinteger(L, (lua_Integer)rig_console_dropped(con));
	lua_setfield(L, -2, "dropped");
	lua_pushboolean(L, rig_console_link_up(con));
	lua_setfield(L, -2, "link");
	return 1;
}

static int l_console_tail(lua_State *L)
{
	struct rig_run *run = getrun(L);
	struct rig_console *con = rig_device_console(run->dev);
	lua_Integer max = luaL_optinteger(L, 1, 2048);
	char *buf;
	size_t n;

	if (!con || max <= 0) {
		lua_pushliteral(L, "");
		return 1;
	}
	if (max > 65536)
		max = 65536;
	buf = rig_xmalloc((size_t)max);
	n = rig_console_tail(con, buf, (size_t)max);
	lua_pushlstring(L, buf, n);
	free(buf);
	return 1;
}

static int l_power_counts(lua_State *L)
{
	struct rig_run *run = getrun(L);

	lua_pushinteger(L, rig_device_power_ons(run->dev));
	lua_pushinteger(L, rig_device_power_offs(run->dev));
	return 2;
}

static int l_check_regex(lua_State *L)
{
	struct rig_regex *re;
	struct rig_errmsg err;

	if (rig_regex_new(luaL_checkstring(L, 1), re_flags(luaL_optstring(L, 2, "")), &re, &err) < 0) {
		lua_pushnil(L);
		lua_pushstring(L, err.text);
		return 2;
	}
	rig_regex_free(re);
	lua_pushboolean(L, 1);
	return 1;
}

static int l_match(lua_State *L)
{
	size_t n;
	const char *pat = luaL_checkstring(L, 1);
	const char *s = luaL_checklstring(L, 2, &n);
	struct rig_regex *re;
	struct rig_errmsg err;
	struct rig_match m;
	int r;

	if (rig_regex_new(pat, re_flags(luaL_optstring(L, 3, "")), &re, &err) < 0)
		return luaL_error(L, "%s", err.text);
	r = rig_regex_search(re, (const uint8_t *)s, n, 0, &m, NULL);
	rig_regex_free(re);
	lua_pushboolean(L, r == 1);
	return 1;
}

void rig_lua_open_raw(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "sleep", l_sleep },
		{ "expect", l_expect },
		{ "send", l_send },
		{ "power", l_power },
		{ "power_get", l_power_get },
		{ "power_counts", l_power_counts },
		{ "host", l_host },
		{ "fault_at_rest", l_fault_at_rest },
		{ "arm", l_arm },
		{ "trigger", l_trigger },
		{ "trigger_wait", l_trigger_wait },
		{ "disarm", l_disarm },
		{ "artifact", l_artifact },
		{ "serve", l_serve },
		{ "event", l_event },
		{ "now", l_now },
		{ "set_result", l_set_result },
		{ "record_cut", l_record_cut },
		{ "console_info", l_console_info },
		{ "console_tail", l_console_tail },
		{ "check_regex", l_check_regex },
		{ "match", l_match },
		{ NULL, NULL },
	};

	luaL_newlib(L, fns);
	lua_pushstring(L, rig_kernel_line_re);
	lua_setfield(L, -2, "kernel_line_re");
}
