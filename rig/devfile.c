/* Device file loading and validation (see devfile.h). */
#include "devfile.h"
#include "secret.h"
#include "sandbox.h"
#include "regex.h"
#include <stdio.h>

#include <errno.h>
#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const struct rig_opt rig_devfile_top_opts[] = {
	{ "schema", RIG_OPT_INT, true, "schema version of the device file (1)" },
	{ "id", RIG_OPT_STRING, true, "stable id of the device (the key of its history)" },
	{ "name", RIG_OPT_STRING, false, "a human name" },
	{ "power", RIG_OPT_TABLE, true, "power driver table { driver = ..., ... }" },
	{ "console", RIG_OPT_TABLE, false, "console driver table { driver = ..., ... }" },
	{ "shell", RIG_OPT_TABLE, false, "shell table { login, password, prompt, pace_ms, ... }" },
	{ "boot", RIG_OPT_TABLE, false, "boot table { marker, ready, timeout }" },
	{ "update", RIG_OPT_TABLE, false, "update client table { install, installing, installed, version, ... }" },
	{ "recovery", RIG_OPT_TABLE, false, "recovery table { cycles, provision }" },
	{ "artifacts", RIG_OPT_TABLE, false, "artifacts table { name = path, ... }" },
	{ "artifact_versions", RIG_OPT_TABLE, false, "table { name = version } of what each artifact installs" },
	{ "artifact_host", RIG_OPT_STRING, false, "host[:port] the device uses to reach the rig's artifact server" },
	{ "tags", RIG_OPT_STRV, false, "list of tags" },
	{ "identity", RIG_OPT_TABLE, false, "identity check table { printed, command, expect }" },
	{ NULL, 0, false, NULL },
};

const struct rig_opt rig_devfile_identity_opts[] = {
	{ "printed", RIG_OPT_STRING, false,
	  "regex the board prints at every boot (power-on to ready), e.g. its serial number" },
	{ "command", RIG_OPT_STRING, false, "shell command that prints the identity after login" },
	{ "expect", RIG_OPT_STRING, false, "regex the command's output must match" },
	{ NULL, 0, false, NULL },
};

const struct rig_opt rig_devfile_shell_opts[] = {
	{ "login", RIG_OPT_STRING, false, "user name to log in with (nil: the console is a shell already)" },
	{ "password", RIG_OPT_STRING, false, "password, if the login asks for one" },
	{ "prompt", RIG_OPT_STRING, false, "regex of the shell prompt (default '[#$] $')" },
	{ "login_prompt", RIG_OPT_STRING, false, "regex of the login prompt (default 'login: ?$')" },
	{ "password_prompt", RIG_OPT_STRING, false, "regex of the password prompt (default '[Pp]assword: ?$')" },
	{ "login_retries", RIG_OPT_INT, false, "login attempts before giving up (default 4)" },
	{ "login_delay_ms", RIG_OPT_INT, false, "quiet time after the login prompt before typing (default 150)" },
	{ "pace_ms", RIG_OPT_INT, false, "delay between characters sent (UARTs without flow control)" },
	{ "pace_bytes", RIG_OPT_INT, false, "characters per paced chunk (default 1)" },
	{ "kernel_filter", RIG_OPT_BOOL, false,
	  "match on console text without kernel log lines \"[ 1.234567] ...\" (default true)" },
	{ "newline", RIG_OPT_STRING, false, "line ending sent after commands (default '\\n')" },
	{ NULL, 0, false, NULL },
};

const struct rig_opt rig_devfile_boot_opts[] = {
	{ "marker", RIG_OPT_STRING, false, "regex printed early at every boot (proves a restart)" },
	{ "ready", RIG_OPT_STRING, false, "regex that says the boot finished (e.g. 'login:')" },
	{ "timeout", RIG_OPT_NUMBER, false, "seconds from power-on to ready (default 120)" },
	{ NULL, 0, false, NULL },
};

const struct rig_opt rig_devfile_update_opts[] = {
	{ "install", RIG_OPT_COMMAND, false, "command that installs {url} ({sha256} {version} {name} {size})" },
	{ "installing", RIG_OPT_STRING, false, "regex: the write phase began" },
	{ "installed", RIG_OPT_STRING, false, "regex: the client acknowledged success" },
	{ "failed", RIG_OPT_STRING, false, "regex: the client reported a failure" },
	{ "version", RIG_OPT_COMMAND, false, "command that prints the running version" },
	{ "slot", RIG_OPT_COMMAND, false, "command that prints the booted slot" },
	{ "status", RIG_OPT_COMMAND, false, "command that prints the client's status" },
	{ "mark_good", RIG_OPT_COMMAND, false, "command that marks the booted slot good" },
	{ "reboot", RIG_OPT_COMMAND, false, "command that reboots cleanly (default 'reboot')" },
	{ "timeout", RIG_OPT_NUMBER, false, "seconds an install may take (default 600)" },
	{ NULL, 0, false, NULL },
};

const struct rig_opt rig_devfile_recovery_opts[] = {
	{ "cycles", RIG_OPT_INT, false, "power cycles tried before a device counts as bricked (default 3)" },
	{ "provision", RIG_OPT_COMMAND, false, "host command or Lua function that restores the base image" },
	{ "version", RIG_OPT_STRING, false, "version the device runs after provisioning" },
	{ "slot", RIG_OPT_STRING, false, "slot the device boots after provisioning" },
	{ "reflash", RIG_OPT_STRING, false,
	  "host command that reflashes a device that does not come back (campaign health checks)" },
	{ "reflash_timeout", RIG_OPT_INT, false, "seconds the reflash may take (default 1800)" },
	{ NULL, 0, false, NULL },
};

static const struct rig_opt power_core_opts[] = {
	{ "driver", RIG_OPT_STRING, true, "power driver name" },
	{ "off_time", RIG_OPT_INT, false, "minimum time off in ms (default 2000)" },
	{ "on_settle", RIG_OPT_INT, false, "ms to wait after power-on before the device counts as on" },
	{ "safe", RIG_OPT_STRING, false, "power state the rig leaves the device in when it lets go: off, on or keep" },
	{ "stagger", RIG_OPT_INT, false,
	  "ms between this device's power-on and any other staggered power-on of the rig (a rack's inrush)" },
	{ "verify_off", RIG_OPT_BOOL, false,
	  "read the state back after every off and fail if still on (default: when the driver can read back)" },
	{ NULL, 0, false, NULL },
};

static const struct rig_opt console_core_opts[] = {
	{ "driver", RIG_OPT_STRING, true, "console driver name" },
	{ NULL, 0, false, NULL },
};

static const char *type_name(enum rig_opt_type t)
{
	switch (t) {
	case RIG_OPT_STRING: return "a string";
	case RIG_OPT_INT: return "an integer";
	case RIG_OPT_NUMBER: return "a number";
	case RIG_OPT_BOOL: return "a boolean";
	case RIG_OPT_STRV: return "a string or a list of strings";
	case RIG_OPT_COMMAND: return "a command string or a Lua function";
	case RIG_OPT_TABLE: return "a table";
	}
	return "?";
}

static const struct rig_opt *find_opt(const struct rig_opt *const *schemas, const char *key)
{
	for (size_t s = 0; schemas[s]; s++)
		for (const struct rig_opt *o = schemas[s]; o->key; o++)
			if (strcmp(o->key, key) == 0)
				return o;
	return NULL;
}

static void list_keys(const struct rig_opt *const *schemas, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t s = 0; schemas[s]; s++)
		for (const struct rig_opt *o = schemas[s]; o->key; o++)
			len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, "%s%s",
						len ? ", " : "", o->key);
}

/* Convert the value at the top of the stack. */
static int convert(lua_State *L, const char *where, const char *key, const struct rig_opt *o,
		   struct rig_cfg *cfg, bool shallow, struct rig_errmsg *err);

static int convert_table_plain(lua_State *L, const char *where, struct rig_cfg *sub,
			       struct rig_errmsg *err)
{
	/* Nested tables without a schema: scalars and string lists only. */
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		const char *k;
		struct rig_cfg_val *v;

		if (lua_type(L, -2) != LUA_TSTRING) {
			rig_errmsg_set(err, "%s: keys must be strings", where);
			lua_pop(L, 2);
			return -EINVAL;
		}
		k = lua_tostring(L, -2);
		switch (lua_type(L, -1)) {
		case LUA_TSTRING:
			v = rig_cfg_add(sub, k, RIG_OPT_STRING);
			v->str = rig_xstrdup(lua_tostring(L, -1));
			break;
		case LUA_TNUMBER:
			v = rig_cfg_add(sub, k, RIG_OPT_NUMBER);
			v->num = lua_tonumber(L, -1);
			break;
		case LUA_TBOOLEAN:
			v = rig_cfg_add(sub, k, RIG_OPT_BOOL);
			v->num = lua_toboolean(L, -1);
			break;
		default:
			rig_errmsg_set(err, "%s.%s: expected a string, number or boolean, got %s", where, k,
				       luaL_typename(L, -1));
			lua_pop(L, 2);
			return -EINVAL;
		}
		lua_pop(L, 1);
	}
	return 0;
}

static int convert(lua_State *L, const char *where, const char *key, const struct rig_opt *o,
		   struct rig_cfg *cfg, bool shallow, struct rig_errmsg *err)
{
	int t = lua_type(L, -1);
	struct rig_cfg_val *v;

	switch (o->type) {
	case RIG_OPT_STRING:
		if (t != LUA_TSTRING)
			goto bad;
		v = rig_cfg_add(cfg, key, o->type);
		v->str = rig_xstrdup(lua_tostring(L, -1));
		return 0;
	case RIG_OPT_INT:
		if (t != LUA_TNUMBER)
			goto bad;
		if (!lua_isinteger(L, -1)) {
			double d = lua_tonumber(L, -1);

			if (d != floor(d))
				goto bad;
		}
		v = rig_cfg_add(cfg, key, o->type);
		v->num = lua_tonumber(L, -1);
		return 0;
	case RIG_OPT_NUMBER:
		if (t != LUA_TNUMBER)
			goto bad;
		v = rig_cfg_add(cfg, key, o->type);
		v->num = lua_tonumber(L, -1);
		return 0;
	case RIG_OPT_BOOL:
		if (t != LUA_TBOOLEAN)
			goto bad;
		v = rig_cfg_add(cfg, key, o->type);
		v->num = lua_toboolean(L, -1);
		return 0;
	case RIG_OPT_STRV:
		if (t == LUA_TSTRING) {
			v = rig_cfg_add(cfg, key, RIG_OPT_STRV);
			v->str = rig_xstrdup(lua_tostring(L, -1));
			return 0;
		}
		if (t != LUA_TTABLE)
			goto bad;
		{
			lua_Integer n = luaL_len(L, -1);

			if (n < 1)
				goto bad;
			v = rig_cfg_add(cfg, key, RIG_OPT_STRV);
			v->strv = rig_xcalloc((size_t)n + 1, sizeof(char *));
			for (lua_Integer i = 1; i <= n; i++) {
				lua_geti(L, -1, i);
				if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER) {
					lua_pop(L, 1);
					rig_errmsg_set(err, "%s.%s[%lld]: expected a string", where, key,
						       (long long)i);
					return -EINVAL;
				}
				v->strv[i - 1] = rig_xstrdup(lua_tostring(L, -1));
				lua_pop(L, 1);
			}
		}
		return 0;
	case RIG_OPT_COMMAND:
		if (t == LUA_TSTRING) {
			v = rig_cfg_add(cfg, key, o->type);
			v->str = rig_xstrdup(lua_tostring(L, -1));
			return 0;
		}
		if (t != LUA_TFUNCTION)
			goto bad;
		v = rig_cfg_add(cfg, key, o->type);
		lua_pushvalue(L, -1);
		v->luaref = luaL_ref(L, LUA_REGISTRYINDEX);
		return 0;
	case RIG_OPT_TABLE: {
		char sub_where[512];

		if (t != LUA_TTABLE)
			goto bad;
		if (shallow)
			return 0;   /* validated later against its own schema */
		v = rig_cfg_add(cfg, key, o->type);
		snprintf(sub_where, sizeof(sub_where), "%s.%s", where, key);
		v->sub = rig_cfg_new(sub_where);
		return convert_table_plain(L, sub_where, v->sub, err);
	}
	}
bad:
	rig_errmsg_set(err, "%s.%s: expected %s (%s), got %s", where, key, type_name(o->type), o->help,
		       luaL_typename(L, -1));
	return -EINVAL;
}

/* Validate the table on top of the stack against the schemas. */
static int validate(lua_State *L, const char *where, const struct rig_opt *const *schemas,
		    struct rig_cfg *cfg, bool shallow, struct rig_errmsg *err)
{
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		const struct rig_opt *o;
		const char *k;
		char keys[1024];

		if (lua_type(L, -2) != LUA_TSTRING) {
			rig_errmsg_set(err, "%s: unexpected non-string key (a list where a table of keys was expected?)",
				       where);
			lua_pop(L, 2);
			return -EINVAL;
		}
		k = lua_tostring(L, -2);
		o = find_opt(schemas, k);
		if (!o) {
			list_keys(schemas, keys, sizeof(keys));
			rig_errmsg_set(err, "%s: unknown key '%s' (expected one of: %s)", where, k, keys);
			lua_pop(L, 2);
			return -EINVAL;
		}
		if (convert(L, where, k, o, cfg, shallow, err) < 0) {
			lua_pop(L, 2);
			return -EINVAL;
		}
		lua_pop(L, 1);
	}
	for (size_t s = 0; schemas[s]; s++) {
		for (const struct rig_opt *o = schemas[s]; o->key; o++) {
			if (o->required && !rig_cfg_has(cfg, o->key) &&
			    !(shallow && o->type == RIG_OPT_TABLE)) {
				rig_errmsg_set(err, "%s: missing key '%s' (expected %s: %s)", where, o->key,
					       type_name(o->type), o->help);
				return -EINVAL;
			}
		}
	}
	return 0;
}

void rig_devcfg_free(struct rig_devcfg *d)
{
	if (!d)
		return;
	free(d->file);
	free(d->dir);
	free(d->id);
	free(d->name);
	free(d->artifact_host);
	rig_cfg_free(d->power);
	rig_cfg_free(d->console);
	rig_cfg_free(d->shell);
	rig_cfg_free(d->boot);
	rig_cfg_free(d->update);
	rig_cfg_free(d->recovery);
	rig_cfg_free(d->identity);
	rig_cfg_free(d->artifacts);
	free(d);
}

/* Validate a sub-table of the device (on top of the stack) into *out. */
static int sub_table(lua_State *L, const char *where, const char *key,
		     const struct rig_opt *const *schemas, struct rig_cfg **out, struct rig_errmsg *err)
{
	char w[600];

	lua_getfield(L, -1, key);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		*out = rig_cfg_new(where);
		return 0;
	}
	snprintf(w, sizeof(w), "%s: %s", where, key);
	*out = rig_cfg_new(w);
	if (validate(L, w, schemas, *out, false, err) < 0) {
		lua_pop(L, 1);
		return -EINVAL;
	}
	lua_pop(L, 1);
	return 0;
}

/* Split a driver table into the core's keys and the driver's. */
static int driver_table(lua_State *L, const char *where, const char *key, bool power,
			struct rig_devcfg *d, struct rig_errmsg *err)
{
	const char *drv;
	const struct rig_opt *dopts;
	struct rig_cfg *all;
	char w[600];
	const struct rig_opt *core = power ? power_core_opts : console_core_opts;

	lua_getfield(L, -1, key);
	snprintf(w, sizeof(w), "%s: %s", where, key);
	if (lua_type(L, -1) != LUA_TTABLE) {
		rig_errmsg_set(err, "%s: expected a table with a 'driver' key, got %s", w, luaL_typename(L, -1));
		lua_pop(L, 1);
		return -EINVAL;
	}
	lua_getfield(L, -1, "driver");
	drv = lua_tostring(L, -1);
	if (!drv) {
		rig_errmsg_set(err, "%s: missing key 'driver' (expected a string: the driver's name)", w);
		lua_pop(L, 2);
		return -EINVAL;
	}
	if (power) {
		d->power_ops = rig_power_driver(drv);
		dopts = d->power_ops ? d->power_ops->opts : NULL;
	} else {
		d->console_ops = rig_console_driver(drv);
		dopts = d->console_ops ? d->console_ops->opts : NULL;
	}
	if (!(power ? (void *)d->power_ops : (void *)d->console_ops)) {
		char names[512];
		size_t len = 0;

		names[0] = '\0';
		if (power)
			for (const struct rig_power_ops *const *p = rig_power_drivers(); *p; p++)
				len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", len ? ", " : "", (*p)->name);
		else
			for (const struct rig_console_ops *const *p = rig_console_drivers(); *p; p++)
				len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", len ? ", " : "", (*p)->name);
		rig_errmsg_set(err, "%s.driver: unknown %s driver '%s' (expected one of: %s)", w,
			       power ? "power" : "console", drv, names);
		lua_pop(L, 2);
		return -EINVAL;
	}
	lua_pop(L, 1);
	{
		const struct rig_opt *schemas[] = { core, dopts, NULL };

		all = rig_cfg_new(w);
		if (validate(L, w, schemas, all, false, err) < 0) {
			rig_cfg_free(all);
			lua_pop(L, 1);
			return -EINVAL;
		}
	}
	lua_pop(L, 1);
	/* Move the driver's keys to their own cfg; keep core keys here. */
	{
		struct rig_cfg *drvcfg = rig_cfg_new(w);

		for (size_t i = 0; i < all->n; i++) {
			struct rig_cfg_val *v = &all->v[i];

			if (find_opt((const struct rig_opt *const[]){ core, NULL }, v->key)) {
				if (power && strcmp(v->key, "off_time") == 0)
					d->off_time_ns = (uint64_t)v->num * RIG_NS_PER_MS;
				if (power && strcmp(v->key, "on_settle") == 0)
					d->on_settle_ns = (uint64_t)v->num * RIG_NS_PER_MS;
				if (power && strcmp(v->key, "stagger") == 0)
					d->stagger_ns = (uint64_t)v->num * RIG_NS_PER_MS;
				if (power && strcmp(v->key, "verify_off") == 0)
					d->verify_off = v->num != 0;
				if (power && strcmp(v->key, "safe") == 0) {
					if (strcmp(v->str, "off") && strcmp(v->str, "on") && strcmp(v->str, "keep")) {
						rig_errmsg_set(err, "%s.safe: expected off, on or keep, got '%s'", w, v->str);
						rig_cfg_free(all);
						rig_cfg_free(drvcfg);
						return -EINVAL;
					}
					d->safe = strcmp(v->str, "off") == 0 ? RIG_POWER_OFF
						  : strcmp(v->str, "on") == 0 ? RIG_POWER_ON : RIG_POWER_UNKNOWN;
				}
				continue;
			}
			struct rig_cfg_val *nv = rig_cfg_add(drvcfg, v->key, v->type);

			nv->str = v->str;
			nv->strv = v->strv;
			nv->num = v->num;
			nv->luaref = v->luaref;
			nv->sub = v->sub;
			v->str = NULL;
			v->strv = NULL;
			v->sub = NULL;
		}
		rig_cfg_free(all);
		if (power)
			d->power = drvcfg;
		else
			d->console = drvcfg;
	}
	return 0;
}

static int check_regex_keys(const struct rig_cfg *cfg, const char *const *keys, struct rig_errmsg *err);

/* Validate the device table on top of the stack. */
static int device_from_table(lua_State *L, const char *file, int index, struct rig_devcfg **out,
			     struct rig_errmsg *err)
{
	static const struct rig_opt *const top[] = { rig_devfile_top_opts, NULL };
	static const struct rig_opt *const shell[] = { rig_devfile_shell_opts, NULL };
	static const struct rig_opt *const boot[] = { rig_devfile_boot_opts, NULL };
	static const struct rig_opt *const update[] = { rig_devfile_update_opts, NULL };
	static const struct rig_opt *const recovery[] = { rig_devfile_recovery_opts, NULL };
	static const struct rig_opt *const identity[] = { rig_devfile_identity_opts, NULL };
	struct rig_devcfg *d;
	struct rig_cfg *tcfg;
	char where[600];
	const char *slash;
	int64_t schema;

	if (index)
		snprintf(where, sizeof(where), "%s: device #%d", file, index);
	else
		snprintf(where, sizeof(where), "%s", file);
	if (!lua_istable(L, -1)) {
		rig_errmsg_set(err, "%s: expected the file to return a device table (or a list of them), got %s",
			       where, luaL_typename(L, -1));
		return -EINVAL;
	}
	/* Check the top-level keys; nested tables are validated below. */
	tcfg = rig_cfg_new(where);
	if (validate(L, where, top, tcfg, true, err) < 0) {
		rig_cfg_free(tcfg);
		return -EINVAL;
	}
	schema = rig_cfg_int(tcfg, "schema", 0);
	if (schema != RIG_DEVFILE_SCHEMA) {
		rig_errmsg_set(err, "%s.schema: expected %d (the schema this rig reads), got %lld", where,
			       RIG_DEVFILE_SCHEMA, (long long)schema);
		rig_cfg_free(tcfg);
		return -EINVAL;
	}
	d = rig_xcalloc(1, sizeof(*d));
	d->tableref = LUA_NOREF;
	d->file = rig_xstrdup(file);
	slash = strrchr(file, '/');
	d->dir = slash ? rig_xstrndup(file, (size_t)(slash - file)) : rig_xstrdup(".");
	d->id = rig_xstrdup(rig_cfg_str(tcfg, "id", ""));
	d->name = rig_xstrdup(rig_cfg_str(tcfg, "name", d->id));
	if (rig_cfg_has(tcfg, "artifact_host"))
		d->artifact_host = rig_xstrdup(rig_cfg_str(tcfg, "artifact_host", ""));
	rig_cfg_free(tcfg);
	if (!d->id[0]) {
		rig_errmsg_set(err, "%s.id: expected a non-empty string", where);
		goto fail;
	}
	d->off_time_ns = 2000 * RIG_NS_PER_MS;
	d->safe = RIG_POWER_UNKNOWN;
	d->verify_off = -1;
	if (driver_table(L, where, "power", true, d, err) < 0)
		goto fail;
	lua_getfield(L, -1, "console");
	if (!lua_isnil(L, -1)) {
		lua_pop(L, 1);
		if (driver_table(L, where, "console", false, d, err) < 0)
			goto fail;
	} else {
		lua_pop(L, 1);
	}
	if (sub_table(L, where, "shell", shell, &d->shell, err) < 0 ||
	    sub_table(L, where, "boot", boot, &d->boot, err) < 0 ||
	    sub_table(L, where, "update", update, &d->update, err) < 0 ||
	    sub_table(L, where, "recovery", recovery, &d->recovery, err) < 0 ||
	    sub_table(L, where, "identity", identity, &d->identity, err) < 0)
		goto fail;
	if ((rig_cfg_has(d->identity, "command") != rig_cfg_has(d->identity, "expect"))) {
		rig_errmsg_set(err, "%s.identity: command and expect go together", where);
		goto fail;
	}
	{
		/* artifacts: name = path */
		lua_getfield(L, -1, "artifacts");
		d->artifacts = rig_cfg_new(where);
		if (lua_istable(L, -1)) {
			char w[640];

			snprintf(w, sizeof(w), "%s: artifacts", where);
			if (convert_table_plain(L, w, d->artifacts, err) < 0) {
				lua_pop(L, 1);
				goto fail;
			}
			for (size_t i = 0; i < d->artifacts->n; i++) {
				if (!d->artifacts->v[i].str) {
					rig_errmsg_set(err, "%s.%s: expected a file path string", w,
						       d->artifacts->v[i].key);
					lua_pop(L, 1);
					goto fail;
				}
			}
		}
		lua_pop(L, 1);
	}
	{
		static const char *const shell_re[] = { "prompt", "login_prompt", "password_prompt", NULL };
		static const char *const boot_re[] = { "marker", "ready", NULL };
		static const char *const update_re[] = { "installing", "installed", "failed", NULL };
		static const char *const identity_re[] = { "printed", "expect", NULL };

		if (check_regex_keys(d->shell, shell_re, err) < 0 ||
		    check_regex_keys(d->boot, boot_re, err) < 0 ||
		    check_regex_keys(d->update, update_re, err) < 0 ||
		    check_regex_keys(d->identity, identity_re, err) < 0)
			goto fail;
	}
	if (d->power_ops->opts == NULL && d->power->n) {
		rig_errmsg_set(err, "%s: power driver takes no options", where);
		goto fail;
	}
	lua_pushvalue(L, -1);
	d->tableref = luaL_ref(L, LUA_REGISTRYINDEX);
	*out = d;
	return 0;
fail:
	rig_devcfg_free(d);
	return -EINVAL;
}

static int check_regex_keys(const struct rig_cfg *cfg, const char *const *keys, struct rig_errmsg *err)
{
	for (size_t i = 0; keys[i]; i++) {
		const char *pat = rig_cfg_str(cfg, keys[i], NULL);
		struct rig_regex *re;
		struct rig_errmsg e;

		if (!pat)
			continue;
		if (rig_regex_new(pat, 0, &re, &e) < 0) {
			rig_errmsg_set(err, "%s.%s: %s", cfg->where, keys[i], e.text);
			return -EINVAL;
		}
		rig_regex_free(re);
	}
	return 0;
}

/* Lab files (docs/device-files.md): { schema, defaults, templates, devices }.
 * Each device is defaults <- its template chain (extends) <- itself, merged
 * key by key (tables recursively, lists replaced whole); secret references
 * { secret = "env:NAME" | "file:PATH" } become their values and are
 * registered for redaction. The result is a plain list of device tables. */
static const char lab_lua[] =
	"local lab, file, dir, read_secret, add_secret = ...\n"
	"local function fail(fmt, ...) error(file .. ': ' .. string.format(fmt, ...), 0) end\n"
	"for k in pairs(lab) do\n"
	"  if k ~= 'schema' and k ~= 'defaults' and k ~= 'templates' and k ~= 'devices' then\n"
	"    fail(\"unknown key '%s' in a lab file (expected schema, defaults, templates, devices)\", tostring(k))\n"
	"  end\n"
	"end\n"
	"if lab.schema ~= nil and lab.schema ~= 1 then fail('schema %s is not supported (1)', tostring(lab.schema)) end\n"
	"if type(lab.devices) ~= 'table' or #lab.devices == 0 then fail('devices: a non-empty list is required') end\n"
	"local templates = lab.templates or {}\n"
	"local function is_list(t) return type(t) == 'table' and (#t > 0 or next(t) == nil) end\n"
	"local function copy(v)\n"
	"  if type(v) ~= 'table' then return v end\n"
	"  local c = {} for k, x in pairs(v) do c[k] = copy(x) end return c\n"
	"end\n"
	"local function merge(base, over)\n"
	"  local out = copy(base) or {}\n"
	"  for k, v in pairs(over) do\n"
	"    if type(v) == 'table' and type(out[k]) == 'table' and not is_list(v) and not is_list(out[k])\n"
	"       and v.secret == nil then out[k] = merge(out[k], v) else out[k] = copy(v) end\n"
	"  end\n"
	"  return out\n"
	"end\n"
	"local function resolve(name, where, seen)\n"
	"  local t = templates[name]\n"
	"  if type(t) ~= 'table' then\n"
	"    local known = {} for k in pairs(templates) do known[#known + 1] = tostring(k) end table.sort(known)\n"
	"    fail(\"%s: extends unknown template '%s' (templates: %s)\", where, tostring(name),\n"
	"         #known > 0 and table.concat(known, ', ') or 'none')\n"
	"  end\n"
	"  if seen[name] then fail(\"%s: templates extend each other in a loop at '%s'\", where, name) end\n"
	"  seen[name] = true\n"
	"  local base = t.extends and resolve(t.extends, 'templates.' .. name, seen) or {}\n"
	"  local r = merge(base, t) r.extends = nil return r\n"
	"end\n"
	"local function secrets(t, where)\n"
	"  for k, v in pairs(t) do\n"
	"    if type(v) == 'table' and v.secret ~= nil then\n"
	"      local ref = v.secret\n"
	"      local kind, arg = tostring(ref):match('^(%a+):(.+)$')\n"
	"      local val, why\n"
	"      if kind == 'env' then val = os.getenv(arg) why = 'environment variable ' .. arg .. ' is not set'\n"
	"      elseif kind == 'file' then\n"
	"        if arg:sub(1, 1) ~= '/' then arg = dir .. '/' .. arg end\n"
	"        val, why = read_secret(arg)\n"
	"      else fail(\"%s.%s: a secret is { secret = 'env:NAME' } or { secret = 'file:PATH' }\", where, tostring(k)) end\n"
	"      if not val then fail('%s.%s: secret %s: %s', where, tostring(k), kind, why) end\n"
	"      add_secret(val)\n"
	"      t[k] = val\n"
	"    elseif type(v) == 'table' then secrets(v, where .. '.' .. tostring(k)) end\n"
	"  end\n"
	"end\n"
	"local out = {}\n"
	"for i, d in ipairs(lab.devices) do\n"
	"  local where = 'devices[' .. i .. ']'\n"
	"  if type(d) ~= 'table' then fail('%s: expected a table', where) end\n"
	"  local base = merge(lab.defaults or {}, d.extends and resolve(d.extends, where, {}) or {})\n"
	"  local dev = merge(base, d) dev.extends = nil\n"
	"  if dev.schema == nil then dev.schema = 1 end\n"
	"  secrets(dev, where)\n"
	"  out[i] = dev\n"
	"end\n"
	"return out\n";

static int l_read_secret(lua_State *L)
{
	char *v = rig_secret_read_file(luaL_checkstring(L, 1));

	if (!v) {
		lua_pushnil(L);
		lua_pushstring(L, strerror(errno));
		return 2;
	}
	lua_pushstring(L, v);
	free(v);
	return 1;
}

static int l_add_secret(lua_State *L)
{
	rig_secret_add(luaL_checkstring(L, 1));
	return 0;
}

/* A lab file's table (on top) replaced by its plain list of devices. */
static int expand_lab(lua_State *L, const char *file, const char *dir, struct rig_errmsg *err)
{
	if (luaL_loadbuffer(L, lab_lua, sizeof(lab_lua) - 1, "=lab") != LUA_OK) {
		rig_errmsg_set(err, "lab loader: %s", lua_tostring(L, -1));
		lua_pop(L, 2);
		return -EINVAL;
	}
	lua_insert(L, -2);
	lua_pushstring(L, file);
	lua_pushstring(L, dir);
	lua_pushcfunction(L, l_read_secret);
	lua_pushcfunction(L, l_add_secret);
	if (lua_pcall(L, 5, 1, 0) != LUA_OK) {
		rig_errmsg_set(err, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "lab file error");
		lua_pop(L, 1);
		return -EINVAL;
	}
	return 0;
}

/* Push the absolute directory of file ("." when it cannot be resolved). */
static void push_dir(lua_State *L, const char *file)
{
	char real[4096];
	char *slash;

	if (realpath(file, real) && (slash = strrchr(real, '/'))) {
		*slash = '\0';
		lua_pushstring(L, real[0] ? real : "/");
	} else {
		lua_pushstring(L, ".");
	}
}

#define INCLUDE_DEPTH 8

static void set_include(lua_State *L, int dir_index, lua_Integer depth);

/* include(path, ...) while a device file loads: runs the Lua file at path
 * (relative to the including file's directory, or absolute) in the same
 * sandbox with (its directory, ...) as `...`, and returns what it returns.
 * Device files that describe the same board share their parts this way. */
static int l_include(lua_State *L)
{
	const char *rel = luaL_checkstring(L, 1);
	lua_Integer depth = lua_tointeger(L, lua_upvalueindex(2));
	int nargs = lua_gettop(L) - 1;
	struct rig_errmsg err;
	const char *path = rel;
	int top;

	if (depth >= INCLUDE_DEPTH)
		return luaL_error(L, "include '%s': includes nest deeper than %d (does a file include itself?)",
				  rel, INCLUDE_DEPTH);
	if (rel[0] != '/')
		path = lua_pushfstring(L, "%s/%s", lua_tostring(L, lua_upvalueindex(1)), rel);
	if (rig_sandbox_loadfile(L, path, &err) < 0)
		return luaL_error(L, "include: %s", err.text);
	push_dir(L, path);
	/* stack: rel, args..., [path], chunk, dir; then the include before */
	top = lua_gettop(L);
	luaL_checkstack(L, nargs + 4, "include");
	lua_getglobal(L, "include");
	lua_pushvalue(L, top - 1);
	lua_pushvalue(L, top);
	for (int i = 2; i <= nargs + 1; i++)
		lua_pushvalue(L, i);
	set_include(L, top, depth + 1);
	lua_call(L, nargs + 1, LUA_MULTRET);
	lua_pushvalue(L, top + 1);
	lua_setglobal(L, "include");
	return lua_gettop(L) - (top + 1);
}

static void set_include(lua_State *L, int dir_index, lua_Integer depth)
{
	lua_pushvalue(L, dir_index);
	lua_pushinteger(L, depth);
	lua_pushcclosure(L, l_include, 2);
	lua_setglobal(L, "include");
}

/* Run the file with its absolute directory as `...` (and `include` bound to
 * that directory); leaves its return value on the stack (a lab file's
 * expanded into a list of devices). */
static int run_file(lua_State *L, const char *file, struct rig_errmsg *err)
{
	if (rig_sandbox_loadfile(L, file, err) < 0)
		return -EINVAL;
	lua_getglobal(L, "include");
	lua_insert(L, -2);
	push_dir(L, file);
	set_include(L, lua_gettop(L), 0);
	{
		char *dir = rig_xstrdup(lua_tostring(L, -1));
		int r = rig_sandbox_pcall(L, 1, 1, err);

		/* below the result (or nothing, on an error): the global before */
		lua_pushvalue(L, r == 0 ? -2 : -1);
		lua_setglobal(L, "include");
		if (r == 0)
			lua_remove(L, -2);
		else
			lua_pop(L, 1);

		if (r == 0 && lua_istable(L, -1)) {
			lua_getfield(L, -1, "devices");
			bool lab = !lua_isnil(L, -1);

			lua_pop(L, 1);
			if (lab)
				r = expand_lab(L, file, dir, err);
		}
		free(dir);
		return r;
	}
}

static bool is_list(lua_State *L)
{
	lua_rawgeti(L, -1, 1);
	bool list = lua_istable(L, -1);

	lua_pop(L, 1);
	return list;
}

int rig_devfile_load(lua_State *L, const char *file, const char *id, struct rig_devcfg **out,
		     struct rig_errmsg *err)
{
	int top = lua_gettop(L);
	int r = -ENOENT;

	if (run_file(L, file, err) < 0)
		return -EINVAL;
	if (lua_istable(L, -1) && is_list(L)) {
		lua_Integer n = luaL_len(L, -1);
		int found = 0;

		for (lua_Integer i = 1; i <= n; i++) {
			struct rig_devcfg *d;

			lua_rawgeti(L, -1, i);
			r = device_from_table(L, file, (int)i, &d, err);
			lua_pop(L, 1);
			if (r < 0)
				goto out;
			if (!id ? n == 1 : strcmp(d->id, id) == 0) {
				*out = d;
				found = 1;
				break;
			}
			luaL_unref(L, LUA_REGISTRYINDEX, d->tableref);
			rig_devcfg_free(d);
		}
		if (!found) {
			if (id)
				rig_errmsg_set(err, "%s: no device with id '%s'", file, id);
			else
				rig_errmsg_set(err, "%s: the file holds %lld devices: name one as %s:ID", file,
					       (long long)n, file);
			r = -ENOENT;
			goto out;
		}
		r = 0;
		goto out;
	}
	r = device_from_table(L, file, 0, out, err);
	if (r == 0 && id && strcmp((*out)->id, id) != 0) {
		rig_errmsg_set(err, "%s: no device with id '%s' (the file holds '%s')", file, id, (*out)->id);
		luaL_unref(L, LUA_REGISTRYINDEX, (*out)->tableref);
		rig_devcfg_free(*out);
		*out = NULL;
		r = -ENOENT;
	}
out:
	lua_settop(L, top);
	return r;
}

int rig_devfile_ids(lua_State *L, const char *file, char ***ids, struct rig_errmsg *err)
{
	int top = lua_gettop(L);
	lua_Integer n = 1;
	char **v;
	bool list;

	if (run_file(L, file, err) < 0)
		return -EINVAL;
	list = lua_istable(L, -1) && is_list(L);
	if (list)
		n = luaL_len(L, -1);
	v = rig_xcalloc((size_t)n + 1, sizeof(char *));
	for (lua_Integer i = 1; i <= n; i++) {
		struct rig_devcfg *d;

		if (list)
			lua_rawgeti(L, -1, i);
		else
			lua_pushvalue(L, -1);
		if (device_from_table(L, file, list ? (int)i : 0, &d, err) < 0) {
			for (lua_Integer j = 0; j < i - 1; j++)
				free(v[j]);
			free(v);
			lua_settop(L, top);
			return -EINVAL;
		}
		v[i - 1] = rig_xstrdup(d->id);
		luaL_unref(L, LUA_REGISTRYINDEX, d->tableref);
		rig_devcfg_free(d);
		lua_pop(L, 1);
	}
	lua_settop(L, top);
	*ids = v;
	return 0;
}

void rig_devfile_split(const char *spec, char **file, char **id)
{
	const char *colon = strrchr(spec, ':');

	if (colon && !strchr(colon, '/') && colon[1]) {
		*file = rig_xstrndup(spec, (size_t)(colon - spec));
		*id = rig_xstrdup(colon + 1);
	} else {
		*file = rig_xstrdup(spec);
		*id = NULL;
	}
}
