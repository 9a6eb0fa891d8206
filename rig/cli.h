/* The rig command line: one function per command (cmd_*.c), helpers in cli.c. */
#ifndef RIG_CLI_H
#define RIG_CLI_H

#include "rig.h"
#include <stdio.h>

int rig_cmd_run(int argc, char **argv);
int rig_cmd_list(int argc, char **argv);
int rig_cmd_power(int argc, char **argv);
int rig_cmd_console(int argc, char **argv);

/* A growable NULL-terminated string vector. */
struct rig_strv {
	char **v;
	size_t n;
};
void rig_strv_push(struct rig_strv *s, const char *x);
void rig_strv_free(struct rig_strv *s);

/* "--opt value" or "--opt=value": returns the value and advances *i, or NULL. */
const char *rig_cli_optarg(int argc, char **argv, int *i, const char *opt);
/* Print "rig CMD: msg" to stderr. */
void rig_cli_error(const char *cmd, const char *fmt, ...) RIG_PRINTF(2, 3);

#endif
