/* rig — command line entry point: parses the command and hands over to
 * cmd_*.c. Exit status: 0 all passed, 1 a run failed or bricked, 2 bad usage
 * or input file, 3 infrastructure error. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "run", rig_cmd_run, "run a scenario on a device" },
	{ "list", rig_cmd_list, "list stock scenarios, drivers, and the devices of files" },
	{ "power", rig_cmd_power, "switch a device's power: on, off, cycle, status" },
	{ "console", rig_cmd_console, "open a device's console (read-only if a rig owns it)" },
	{ "devices", rig_cmd_devices, "check every device of a device or lab file: power, console, profile" },
	{ "campaign", rig_cmd_campaign, "run a campaign of many runs over many devices" },
	{ "report", rig_cmd_report, "write a campaign's reports: HTML, JUnit, JSON" },
	{ "history", rig_cmd_history, "campaigns in the database and their headline figures" },
	{ "show", rig_cmd_show, "a run's timeline and the console around its cut" },
	{ "export", rig_cmd_export, "a run's evidence as a tarball for a bug report" },
	{ "rerun", rig_cmd_rerun, "repeat a run with its parameters and seed" },
};

static void usage(FILE *f)
{
	fputs("usage: rig COMMAND [ARGS]   (rig COMMAND --help for more)\n\ncommands:\n", f);
	for (size_t i = 0; i < RIG_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nexit status: 0 all passed, 1 a run failed or bricked, 2 bad usage or input,\n"
	      "3 infrastructure error (lab or rig)\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return RIG_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return RIG_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("rig %s\n", RIG_VERSION);
		return RIG_EXIT_OK;
	}
	for (size_t i = 0; i < RIG_ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "rig: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return RIG_EXIT_USAGE;
}
