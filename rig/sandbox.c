/* The Lua sandbox (see sandbox.h). */
#include "sandbox.h"

#include <errno.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const removed_base[] = { "dofile", "loadfile", "collectgarbage", NULL };
static const char *const kept_os[] = { "clock", "time", "date", "getenv", "difftime", NULL };

/* load() restricted to text chunks. */
static int sb_load(lua_State *L)
{
	int hasenv = lua_gettop(L) >= 4;

	lua_settop(L, 4);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushvalue(L, 1);
	lua_pushvalue(L, 2);
	lua_pushliteral(L, "t");
	if (hasenv)
		lua_pushvalue(L, 4);
	lua_call(L, hasenv ? 4 : 3, LUA_MULTRET);
	return lua_gettop(L) - 4;
}

static int sb_require(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	const char *path;
	char buf[4096];

	lua_getfield(L, LUA_REGISTRYINDEX, "rig.loaded");
	lua_getfield(L, -1, name);
	if (!lua_isnil(L, -1))
		return 1;
	lua_pop(L, 1);
	path = lua_tostring(L, lua_upvalueindex(1));
	for (const char *p = path; p && *p;) {
		const char *e = strchr(p, ';');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		FILE *f;
		char mod[1024];

		snprintf(mod, sizeof(mod), "%s", name);
		for (char *c = mod; *c; c++)
			if (*c == '.')
				*c = '/';
		snprintf(buf, sizeof(buf), "%.*s/%s.lua", (int)len, p, mod);
		f = fopen(buf, "r");
		if (f) {
			struct rig_errmsg err;

			fclose(f);
			if (rig_sandbox_loadfile(L, buf, &err) < 0)
				return luaL_error(L, "%s", err.text);
			lua_pushstring(L, name);
			lua_call(L, 1, 1);
			if (lua_isnil(L, -1)) {
				lua_pop(L, 1);
				lua_pushboolean(L, 1);
			}
			lua_pushvalue(L, -1);
			lua_setfield(L, -3, name);
			return 1;
		}
		p = e ? e + 1 : NULL;
	}
	return luaL_error(L, "module '%s' not found in %s", name, path ? path : "(no search path)");
}

lua_State *rig_sandbox_new(const char *search_path)
{
	lua_State *L = luaL_newstate();
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base },
		{ LUA_COLIBNAME, luaopen_coroutine },
		{ LUA_TABLIBNAME, luaopen_table },
		{ LUA_STRLIBNAME, luaopen_string },
		{ LUA_UTF8LIBNAME, luaopen_utf8 },
		{ LUA_MATHLIBNAME, luaopen_math },
		{ LUA_OSLIBNAME, luaopen_os },
		{ NULL, NULL },
	};

	if (!L)
		return NULL;
	for (const luaL_Reg *lib = libs; lib->func; lib++) {
		luaL_requiref(L, lib->name, lib->func, 1);
		lua_pop(L, 1);
	}
	for (size_t i = 0; removed_base[i]; i++) {
		lua_pushnil(L);
		lua_setglobal(L, removed_base[i]);
	}
	/* os: only the harmless functions survive. */
	lua_getglobal(L, "os");
	lua_newtable(L);
	for (size_t i = 0; kept_os[i]; i++) {
		lua_getfield(L, -2, kept_os[i]);
		lua_setfield(L, -2, kept_os[i]);
	}
	lua_setglobal(L, "os");
	lua_pop(L, 1);
	/* load: text only */
	lua_getglobal(L, "load");
	lua_pushcclosure(L, sb_load, 1);
	lua_setglobal(L, "load");
	/* require: Lua sources on the search path only */
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "rig.loaded");
	lua_pushstring(L, search_path ? search_path : "");
	lua_pushcclosure(L, sb_require, 1);
	lua_setglobal(L, "require");
	lua_gc(L, LUA_GCGEN, 0, 0);
	return L;
}

void rig_sandbox_free(lua_State *L)
{
	if (L)
		lua_close(L);
}

int rig_sandbox_loadfile(lua_State *L, const char *path, struct rig_errmsg *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	char chunkname[1100];
	int r;

	if (!f) {
		int e = errno;

		rig_errmsg_set(err, "%s: cannot read: %s", path, strerror(e));
		return -e;
	}
	for (;;) {
		size_t got;

		if (len + 4096 > cap) {
			cap = (len + 4096) * 2;
			buf = rig_xrealloc(buf, cap);
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		rig_errmsg_set(err, "%s: cannot read: I/O error", path);
		fclose(f);
		free(buf);
		return -EIO;
	}
	fclose(f);
	/* skip a #! line */
	size_t off = 0;

	if (len > 0 && buf[0] == '#') {
		while (off < len && buf[off] != '\n')
			off++;
	}
	snprintf(chunkname, sizeof(chunkname), "@%s", path);
	r = luaL_loadbufferx(L, buf + off, len - off, chunkname, "t");
	free(buf);
	if (r != LUA_OK) {
		const char *m = lua_tostring(L, -1);

		/* syntax errors name the file already; "binary chunk" does not */
		if (m && strncmp(m, path, strlen(path)) == 0)
			rig_errmsg_set(err, "%s", m);
		else
			rig_errmsg_set(err, "%s: %s", path, m ? m : "cannot load");
		lua_pop(L, 1);
		return -EINVAL;
	}
	return 0;
}

static int msgh(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (!msg) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			return 1;
		if (lua_istable(L, 1)) {
			lua_getfield(L, 1, "message");
			msg = lua_tostring(L, -1);
		}
		if (!msg)
			msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
}

/* Files loaded outside a run (device files, the prelude) get a budget too:
 * a loop in a device file must not hang the rig. */
#define LOAD_BUDGET 100000000L
static long load_budget;

static void load_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	load_budget -= 1000;
	if (load_budget < 0)
		luaL_error(L, "instruction budget exceeded while loading (a runaway loop?)");
}

int rig_sandbox_pcall(lua_State *L, int nargs, int nresults, struct rig_errmsg *err)
{
	int base = lua_gettop(L) - nargs;
	lua_Hook old = lua_gethook(L);
	int mask = lua_gethookmask(L), count = lua_gethookcount(L);
	int r;

	lua_pushcfunction(L, msgh);
	lua_insert(L, base);
	load_budget = LOAD_BUDGET;
	lua_sethook(L, load_hook, LUA_MASKCOUNT, 1000);
	r = lua_pcall(L, nargs, nresults, base);
	lua_sethook(L, old, mask, count);
	lua_remove(L, base);
	if (r != LUA_OK) {
		rig_errmsg_set(err, "%s", lua_tostring(L, -1));
		lua_pop(L, 1);
		return -EINVAL;
	}
	return 0;
}

void rig_sandbox_errtext(lua_State *L, lua_State *co, int idx, struct rig_errmsg *err)
{
	const char *msg = NULL;

	if (lua_type(co, idx) == LUA_TSTRING)
		msg = lua_tostring(co, idx);
	else if (lua_istable(co, idx)) {
		lua_getfield(co, idx, "message");
		msg = lua_tostring(co, -1);
		lua_pop(co, 1);
	}
	if (!msg)
		msg = "(error object is not a string)";
	luaL_traceback(L, co, msg, 0);
	rig_errmsg_set(err, "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
}
