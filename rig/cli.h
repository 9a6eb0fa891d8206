/* The rig command line: one function per command (cmd_*.c), helpers in cli.c. */
#ifndef RIG_CLI_H
#define RIG_CLI_H

#include "rig.h"
#include <stdio.h>

int rig_cmd_run(int argc, char **argv);
int rig_cmd_list(int argc, char **argv);
int rig_cmd_power(int argc, char **argv);
int rig_cmd_console(int argc, char **argv);
int rig_cmd_campaign(int argc, char **argv);
int rig_cmd_report(int argc, char **argv);
int rig_cmd_history(int argc, char **argv);
int rig_cmd_show(int argc, char **argv);
int rig_cmd_export(int argc, char **argv);
int rig_cmd_rerun(int argc, char **argv);
int rig_cmd_devices(int argc, char **argv);

/* "ADDR[:PORT]" into a malloc'd host and a port (0: any). -1 if malformed. */
int rig_cli_split_hostport(const char *s, char **host, unsigned *port);

/* A growable NULL-terminated string vector. */
struct rig_strv {
	char **v;
	size_t n;
};
void rig_strv_push(struct rig_strv *s, const char *x);
void rig_strv_free(struct rig_strv *s);

/* "--opt value" or "--opt=value": returns the value and advances *i, or NULL. */
const char *rig_cli_optarg(int argc, char **argv, int *i, const char *opt);
/* If argv[1] asks for help, print it and return true. */
bool rig_cli_wants_help(int argc, char **argv, const char *help);

/* Load the device FILE[:ID] in a new sandbox. On failure prints
 * "rig CMD: file: key: ..." and returns RIG_EXIT_USAGE; the caller frees
 * *L (rig_sandbox_free) and *cfg (rig_devcfg_free) either way. */
struct rig_devcfg;
typedef struct lua_State lua_State;
int rig_cli_load_device(const char *cmd, const char *spec, lua_State **L, struct rig_devcfg **cfg);

/* Print "rig CMD: msg" to stderr. */
void rig_cli_error(const char *cmd, const char *fmt, ...) RIG_PRINTF(2, 3);

#endif
