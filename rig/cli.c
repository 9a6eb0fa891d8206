/* Command-line helpers shared by the commands. */
#include "cli.h"
#include "devfile.h"
#include "sandbox.h"

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

bool rig_cli_wants_help(int argc, char **argv, const char *help)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(help, stdout);
		return true;
	}
	return false;
}

int rig_cli_load_device(const char *cmd, const char *spec, lua_State **L, struct rig_devcfg **cfg)
{
	struct rig_errmsg err;
	char *file, *id;
	int r;

	*cfg = NULL;
	*L = rig_sandbox_new(NULL);
	rig_devfile_split(spec, &file, &id);
	r = rig_devfile_load(*L, file, id, cfg, &err);
	free(file);
	free(id);
	if (r < 0) {
		rig_cli_error(cmd, "%s", err.text);
		return RIG_EXIT_USAGE;
	}
	return RIG_EXIT_OK;
}

int rig_cli_split_hostport(const char *s, char **host, unsigned *port)
{
	const char *colon = strrchr(s, ':');

	if (colon && !strchr(colon, ']')) {
		char *end;
		long p = strtol(colon + 1, &end, 10);

		if (*end || p < 0 || p > 65535)
			return -1;
		*host = rig_xstrndup(s, (size_t)(colon - s));
		*port = (unsigned)p;
	} else {
		*host = rig_xstrdup(s);
		*port = 0;
	}
	return 0;
}
