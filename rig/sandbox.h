/* The Lua sandbox every scenario, device file and campaign runs in: base,
 * coroutine, table, string, utf8 and math libraries; os reduced to clock,
 * time, date, getenv; no io, no os.execute/io.popen, no loading of bytecode
 * or C modules; `require` loads only Lua source from the scenario search path.
 * Host commands go through logged rig calls only. */
#ifndef RIG_SANDBOX_H
#define RIG_SANDBOX_H

#include <lua.h>
#include "rig.h"

/* search_path: ';'-separated directories for require (may be NULL). */
lua_State *rig_sandbox_new(const char *search_path);
void rig_sandbox_free(lua_State *L);

/* Load a Lua source file as a chunk (text only), pushing it. Returns 0 or
 * -errno with a message "file:line: ..." (or "file: cannot read: ...") in err. */
int rig_sandbox_loadfile(lua_State *L, const char *path, struct rig_errmsg *err);

/* Call the function on top with nargs under a traceback handler. On error
 * the message (with traceback) goes to err and -EINVAL is returned. */
int rig_sandbox_pcall(lua_State *L, int nargs, int nresults, struct rig_errmsg *err);

/* luaL_traceback-like text of an error value for coroutine co. */
void rig_sandbox_errtext(lua_State *L, lua_State *co, int idx, struct rig_errmsg *err);

#endif
