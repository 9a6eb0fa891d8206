/* Power-on: the bootloader (environment, slot choice, boot counter), then
 * the simulated OS (root file system check, health check) and the getty. */
#include "sim.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

struct sim sim;
static char **saved_argv;

void sim_save_argv(char **argv);
void sim_save_argv(char **argv)
{
	saved_argv = argv;
}

bool sim_variant(const char *name)
{
	return sim.variant && !strcmp(sim.variant, name);
}

struct sim_file *sim_slot(int s)
{
	return sim_file_open(sim.state, s ? "slotB" : "slotA", 4096, 1.5);
}

static void halt(void) __attribute__((noreturn));
static void halt(void)
{
	for (;;)
		pause();
}

/* A reset: everything in the write cache is gone, the bootloader runs again. */
static void reset(void) __attribute__((noreturn));
static void reset(void)
{
	execv("/proc/self/exe", saved_argv);
	_exit(1);
}

void sim_reboot(void)
{
	sim_line("reboot: syncing disks");
	sim_sync_all();
	sim_line("reboot: restarting system");
	reset();
}

static void watchdog(int sig)
{
	(void)sig;
	sim_raw("\nwatchdog: timeout, resetting\n", 30);
	reset();
}

static unsigned count_boot(void)
{
	char path[4096];
	unsigned n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/bootcount", sim.state);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%u", &n) != 1)
			n = 0;
		fclose(f);
	}
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%u\n", n + 1);
		fclose(f);
	}
	return n;
}

bool sim_health_ok(void)
{
	return !(sim.img.flags & SIM_F_UNHEALTHY);
}



void sim_boot(void)
{
	struct sim_env env;
	int bad, which, chosen = -1;
	bool trial = false;

	sim.boots = count_boot();
	sim_rand_seed(sim.seed * 7919 + sim.boots);
	if (sim_hostile) {
		uint8_t junk[48];
		size_t n = 4 + sim_rand() % 40;

		for (size_t i = 0; i < n; i++)
			junk[i] = (uint8_t)sim_rand();
		sim_raw(junk, n);
		sim_raw("\n", 1);
	}
	sim_line("SIMBOOT 1.0 (hw %s)", sim.hw);
	if (sim_serial)
		sim_line("SIMBOOT: board serial %s", sim_serial);
	sim_sleep_ms(5);
	which = sim_env_load(&env, &bad);
	if (!which) {
		/* Defined behaviour: no valid environment means no safe choice. */
		sim_line("SIMBOOT: no valid environment (%d copies bad), halting", bad);
		halt();
	}
	sim_line("SIMBOOT: env copy %d seq %u ok%s", which, env.seq, bad ? " (other copy bad)" : "");
	for (int i = 0; i < 2 && env.order[i]; i++) {
		int s = env.order[i] == 'B';
		struct sim_file *f = sim_slot(s);
		struct sim_image_hdr h;

		if (!env.valid[s] || sim_image_parse(sim_file_data(f), sim_file_size(f), &h) < 0)
			continue;
		if (!env.good[s] && env.left[s] <= 0)
			continue;
		chosen = s;
		trial = !env.good[s];
		sim.img = h;
		break;
	}
	if (chosen < 0) {
		sim_line("SIMBOOT: no bootable slot, halting");
		halt();
	}
	if (trial && !sim_variant("no-bootcount")) {
		env.left[chosen]--;
		sim_env_save(&env);
	}
	if (trial)
		sim_line("SIMBOOT: booting slot %c (try, %d left)", 'A' + chosen, env.left[chosen]);
	else
		sim_line("SIMBOOT: booting slot %c (good)", 'A' + chosen);
	sim.booted = chosen;
	sim.trial = trial;

	/* The OS. */
	if (sim.watchdog_s > 0) {
		signal(SIGALRM, watchdog);
		alarm((unsigned)(sim.watchdog_s + 0.5));
	}
	sim_sleep_ms(30 + (sim_hostile ? sim_rand() % 400 : 0));
	for (int i = 0; i < 3; i++) {
		sim_kernel_line();
		sim_sleep_ms(10);
	}
	{
		struct sim_file *f = sim_slot(chosen);

		if (!sim_image_payload_ok(sim_file_data(f), sim_file_size(f), &sim.img)) {
			sim_line("EXT4-fs error (device mmcblk0p%d): ext4_check_descriptors: bad block bitmap",
				 2 + chosen);
			sim_line("VFS: Cannot open root device \"mmcblk0p%d\"", 2 + chosen);
			halt();
		}
	}
	if (sim.img.flags & SIM_F_HANG) {
		sim_kernel_line();
		halt();
	}
	if (sim.img.flags & SIM_F_PANIC) {
		sim_line("Kernel panic - not syncing: simulated");
		sim_sleep_ms(100);
		reset();
	}
	sim_line("Simulated OS %s (slot %c)", sim.img.version, 'A' + chosen);
	if (trial)
		sim_line("health: %s", sim_health_ok() ? "ok" : "FAILED");
	if (sim.watchdog_s > 0)
		alarm(0);
	sim_getty();
}

const char *sim_password = "root";
const char *sim_serial;

void sim_getty(void)
{
	char user[128], pass[128];

	for (;;) {
		sim_out("sim login: ");
		if (sim_hostile) {
			/* getty flushes what was typed before it was ready */
			sim_sleep_ms(100);
			tcflush(0, TCIFLUSH);
		}
		sim_readline(user, sizeof(user));
		if (!user[0])
			continue;
		sim_out("Password: ");
		sim_readline(pass, sizeof(pass));
		if (!strcmp(user, "root") && !strcmp(pass, sim_password))
			sim_shell();
		sim_sleep_ms(50);
		sim_line("Login incorrect");
	}
}
