/* A validated snapshot of one table of a device file (e.g. `power = {...}`).
 *
 * Device files are Lua; the core checks each table against the schema that
 * its driver declares (struct rig_opt) and hands the driver a rig_cfg it can
 * read without touching Lua. Unknown keys, missing required keys and wrong
 * types are rejected by the core with file, key and what was expected.
 */
#ifndef RIG_CFG_H
#define RIG_CFG_H

#include "rig.h"

enum rig_opt_type {
	RIG_OPT_STRING,   /* a Lua string */
	RIG_OPT_INT,      /* a Lua integer (or float with an integral value) */
	RIG_OPT_NUMBER,   /* any Lua number */
	RIG_OPT_BOOL,
	RIG_OPT_STRV,     /* a string, or a list of strings (an argv) */
	RIG_OPT_COMMAND,  /* a string (shell command) or a Lua function */
	RIG_OPT_TABLE,    /* a nested table, kept as a rig_cfg of untyped scalars */
};

struct rig_opt {
	const char *key;
	enum rig_opt_type type;
	bool required;
	const char *help;     /* one line: what is expected */
};

struct rig_cfg_val {
	char *key;
	enum rig_opt_type type;
	char *str;            /* STRING, COMMAND given as a string */
	char **strv;          /* STRV: NULL-terminated */
	double num;           /* INT, NUMBER, BOOL (0/1) */
	int luaref;           /* COMMAND given as a function: registry ref, else -1 */
	struct rig_cfg *sub;  /* TABLE */
};

struct rig_cfg {
	char *where;          /* "file.lua: power" — for messages */
	size_t n;
	struct rig_cfg_val *v;
};

struct rig_cfg *rig_cfg_new(const char *where);
void rig_cfg_free(struct rig_cfg *cfg);
struct rig_cfg_val *rig_cfg_add(struct rig_cfg *cfg, const char *key, enum rig_opt_type type);

const struct rig_cfg_val *rig_cfg_get(const struct rig_cfg *cfg, const char *key);
bool rig_cfg_has(const struct rig_cfg *cfg, const char *key);
const char *rig_cfg_str(const struct rig_cfg *cfg, const char *key, const char *def);
int64_t rig_cfg_int(const struct rig_cfg *cfg, const char *key, int64_t def);
double rig_cfg_num(const struct rig_cfg *cfg, const char *key, double def);
bool rig_cfg_bool(const struct rig_cfg *cfg, const char *key, bool def);
/* NULL-terminated argv; a STRING value is returned as {"/bin/sh","-c",s,NULL}
 * in *tmp which the caller frees with free(). */
char *const *rig_cfg_strv(const struct rig_cfg *cfg, const char *key, char ***tmp);

#endif
