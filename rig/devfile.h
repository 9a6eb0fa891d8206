/* Device files: the public contract (docs/device-files.md).
 *
 *   return { schema = 1, id = "...", power = {...}, console = {...}, shell = {...},
 *            boot = {...}, update = {...}, recovery = {...}, artifacts = {...} }
 *
 * A file returns one device or a list of them. Every table is checked
 * against a schema (the core's, or the driver's for power/console): unknown
 * or missing keys and wrong types are rejected naming file, key and what was
 * expected. Commands may be strings or Lua functions; functions stay in the
 * Lua state the file was loaded in (registry references in rig_cfg_val). */
#ifndef RIG_DEVFILE_H
#define RIG_DEVFILE_H

#include <lua.h>
#include "driver.h"

#define RIG_DEVFILE_SCHEMA 1

struct rig_devcfg {
	char *file;            /* path as given */
	char *dir;             /* directory of the file (for relative paths) */
	char *id, *name;
	char *artifact_host;   /* host[:port] the device uses to reach the rig, or NULL */
	const struct rig_power_ops *power_ops;
	struct rig_cfg *power;        /* driver options only */
	uint64_t off_time_ns, on_settle_ns;
	uint64_t stagger_ns;          /* min gap to other staggered power-ons of the rig (0: none) */
	int verify_off;               /* -1: when the driver can read back; 0 no; 1 yes */
	enum rig_power_state safe;    /* left in this state when released; UNKNOWN = keep */
	const struct rig_console_ops *console_ops;  /* NULL: no console */
	struct rig_cfg *console;
	struct rig_cfg *shell, *boot, *update, *recovery, *artifacts, *identity;
	int tableref;          /* the validated device table in the Lua registry */
};

/* Load FILE in L and pick the device `id` (NULL: the file must hold exactly
 * one device). The device table is left in L's registry (tableref). */
int rig_devfile_load(lua_State *L, const char *file, const char *id, struct rig_devcfg **out,
		     struct rig_errmsg *err);
/* All ids in a file (for `rig list`); returns a NULL-terminated malloc'd array. */
int rig_devfile_ids(lua_State *L, const char *file, char ***ids, struct rig_errmsg *err);
void rig_devcfg_free(struct rig_devcfg *d);

/* Split "FILE[:ID]" (the last ':' that is followed by no '/'). */
void rig_devfile_split(const char *spec, char **file, char **id);

/* Schemas of the core's tables, for docs and tests. */
extern const struct rig_opt rig_devfile_top_opts[];
extern const struct rig_opt rig_devfile_shell_opts[];
extern const struct rig_opt rig_devfile_boot_opts[];
extern const struct rig_opt rig_devfile_update_opts[];
extern const struct rig_opt rig_devfile_recovery_opts[];
extern const struct rig_opt rig_devfile_identity_opts[];

#endif
