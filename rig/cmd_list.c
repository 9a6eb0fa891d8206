/* rig list [DEVICE-FILE...] */
#include "cli.h"
#include "devfile.h"
#include "driver.h"
#include "sandbox.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static const char list_help[] =
	"usage: rig list [DEVICE-FILE...]\n"
	"\n"
	"Without arguments: the stock scenarios and the built-in drivers.\n"
	"With device files: the devices they declare (checked against the schema).\n";

/* The first "-- " comment line of a scenario is its summary. */
static void scenario_summary(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	char line[512];

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "-- ", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, cap, "%.*s", (int)(cap - 1), line + 3);
			break;
		}
		if (line[0] != '\n' && strncmp(line, "--", 2))
			break;
	}
	fclose(f);
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_scenarios(void)
{
	const char *dir = RIG_SRCDIR "/scenarios";
	DIR *d = opendir(dir);
	struct dirent *de;
	struct rig_strv names = { 0 };

	printf("stock scenarios (%s):\n", dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > 4 && !strcmp(de->d_name + n - 4, ".lua") && strcmp(de->d_name, "prelude.lua"))
			rig_strv_push(&names, de->d_name);
	}
	closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof(char *), cmpstr);
	for (size_t i = 0; i < names.n; i++) {
		char path[1024], sum[256];

		snprintf(path, sizeof(path), "%s/%s", dir, names.v[i]);
		scenario_summary(path, sum, sizeof(sum));
		printf("  %-24.*s %s\n", (int)(strlen(names.v[i]) - 4), names.v[i], sum);
	}
	rig_strv_free(&names);
}

static void list_opts(const struct rig_opt *o)
{
	for (; o && o->key; o++)
		printf("      %-14s %s%s\n", o->key, o->help, o->required ? " (required)" : "");
}

int rig_cmd_list(int argc, char **argv)
{
	int status = RIG_EXIT_OK;

	if (rig_cli_wants_help(argc, argv, list_help))
		return RIG_EXIT_OK;
	if (argc == 1) {
		list_scenarios();
		printf("\npower drivers:\n");
		for (const struct rig_power_ops *const *p = rig_power_drivers(); *p; p++) {
			printf("  %-12s precision: %s\n", (*p)->name, (*p)->precision);
			list_opts((*p)->opts);
		}
		printf("\nconsole drivers:\n");
		for (const struct rig_console_ops *const *c = rig_console_drivers(); *c; c++) {
			printf("  %s\n", (*c)->name);
			list_opts((*c)->opts);
		}
		return RIG_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		lua_State *L = rig_sandbox_new(NULL);
		char **ids = NULL;
		struct rig_errmsg err;

		if (rig_devfile_ids(L, argv[i], &ids, &err) < 0) {
			fprintf(stderr, "rig list: %s\n", err.text);
			status = RIG_EXIT_USAGE;
			rig_sandbox_free(L);
			continue;
		}
		printf("%s:\n", argv[i]);
		for (size_t k = 0; ids[k]; k++) {
			struct rig_devcfg *d;

			if (rig_devfile_load(L, argv[i], ids[k], &d, &err) == 0) {
				printf("  %-20s %-24s power=%s console=%s\n", d->id, d->name, d->power_ops->name,
				       d->console_ops ? d->console_ops->name : "-");
				rig_devcfg_free(d);
			}
			free(ids[k]);
		}
		free(ids);
		rig_sandbox_free(L);
	}
	return status;
}
