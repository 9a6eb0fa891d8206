/* The shell on the console: a prompt (with Debian bash's escape codes in
 * hostile mode), `;`-separated commands, $? in echo. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void prompt(void)
{
	if (sim_hostile)
		sim_out("\x1b[?2004h\x1b[01;32mroot@sim\x1b[00m:\x1b[01;34m~\x1b[00m# ");
	else
		sim_out("root@sim:~# ");
}

static int cat(const char *path)
{
	char dir[4096];
	struct sim_file *f;

	if (!strcmp(path, "/etc/version")) {
		sim_line("%s", sim.img.version);
		return 0;
	}
	if (!strcmp(path, "/sys/serial") && sim_serial) {
		sim_line("%s", sim_serial);
		return 0;
	}
	if (!strncmp(path, "/data/", 6) && !strchr(path + 6, '/')) {
		snprintf(dir, sizeof(dir), "%s/data", sim.state);
		if (!sim_exists(dir, path + 6)) {
			sim_line("cat: %s: No such file or directory", path);
			return 1;
		}
		f = sim_file_open(dir, path + 6, 4096, 0.2);
		sim_raw(sim_file_data(f), sim_file_size(f));
		return 0;
	}
	sim_line("cat: %s: No such file or directory", path);
	return 1;
}

static int run(char *cmd)
{
	char *argv[16];
	int argc = 0;

	for (char *t = strtok(cmd, " \t"); t && argc < 15; t = strtok(NULL, " \t"))
		argv[argc++] = t;
	argv[argc] = NULL;
	if (!argc)
		return sim.last_status;
	if (!strcmp(argv[0], "echo")) {
		char line[2048] = "";
		size_t n = 0;

		for (int i = 1; i < argc; i++) {
			const char *a = !strcmp(argv[i], "$?") ? NULL : argv[i];
			char num[16];

			if (!a) {
				snprintf(num, sizeof(num), "%d", sim.last_status);
				a = num;
			}
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s", i > 1 ? " " : "", a);
			if (n >= sizeof(line))
				n = sizeof(line) - 1;
		}
		sim_line("%s", line);
		return 0;
	}
	if (!strcmp(argv[0], "true"))
		return 0;
	if (!strcmp(argv[0], "false"))
		return 1;
	if (!strcmp(argv[0], "cat") && argc == 2)
		return cat(argv[1]);
	if (!strcmp(argv[0], "sync")) {
		sim_sync_all();
		return 0;
	}
	if (!strcmp(argv[0], "reboot"))
		sim_reboot();
	if (!strcmp(argv[0], "uname")) {
		sim_line("Linux sim 6.1.0-sim #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux");
		return 0;
	}
	if (!strcmp(argv[0], "sleep") && argc == 2) {
		sim_sleep_ms(atof(argv[1]) * 1000 / sim_scale);
		return 0;
	}
	if (!strcmp(argv[0], "updater"))
		return sim_updater(argc, argv);
	sim_line("sh: %s: not found", argv[0]);
	return 127;
}

void sim_shell(void)
{
	char line[4096];

	for (;;) {
		prompt();
		sim_readline(line, sizeof(line));
		if (sim_hostile)
			sim_out("\x1b[?2004l\r");
		for (char *save = NULL, *cmd = strtok_r(line, ";", &save); cmd; cmd = strtok_r(NULL, ";", &save)) {
			while (*cmd == ' ')
				cmd++;
			if (!strcmp(cmd, "exit"))
				sim_getty();
			sim.last_status = run(cmd);
		}
	}
}
