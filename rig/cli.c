/* Command-line helpers shared by the commands. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void rig_strv_push(struct rig_strv *s, const char *x)
{
	s->v = rig_xrealloc(s->v, (s->n + 2) * sizeof(char *));
	s->v[s->n++] = rig_xstrdup(x);
	s->v[s->n] = NULL;
}

void rig_strv_free(struct rig_strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

const char *rig_cli_optarg(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		rig_cli_error("", "%s needs a value", opt);
		exit(RIG_EXIT_USAGE);
	}
	return argv[++*i];
}

void rig_cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rig%s%s: ", cmd && *cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
