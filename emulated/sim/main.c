/* rig-sim: entry point and the host-side commands (provision, inspect,
 * variants, mkimage). */
#include "sim.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void sim_save_argv(char **argv);

static const struct {
	const char *name, *what, *aimed_at, *phase, *unit;
	double from, to;
} variants[] = {
	/* window units: ms-after-installing / ms-after-installed / ms-after-marker
	 * (the boot marker of the first boot of the new image), fraction (of the
	 * download), or none (the flaw needs no cut). Measured by sweeps
	 * (tests/simdev/020-variants.sh) at time scale 1. */
	{ "robust", "the reference: every rule followed", "", "", "none", 0, 0 },
	{ "inplace", "writes the new image over the running slot", "cut-install", "install",
	  "ms-after-installing", 100, 340 },
	{ "switch-before-sync", "switches the environment before the image is synced", "cut-install",
	  "install", "ms-after-installing", 290, 380 },
	{ "no-fsync-rename", "renames the client state into place without fsync", "cut-after-installed",
	  "after-installed", "ms-after-installed", 0, 1000 },
	{ "no-invalidate", "does not invalidate the target slot before writing it", "cut-install", "install",
	  "ms-after-installing", 100, 340 },
	{ "ack-before-durable", "prints installed 200 ms before the switch is durable", "cut-after-installed",
	  "after-installed", "ms-after-installed", 0, 200 },
	{ "good-before-health", "marks good before the health check", "unhealthy", "first-boot", "none", 0, 0 },
	{ "lazy-mark-good", "reports mark-good but never writes it to the flash", "baseline", "after-reboot",
	  "none", 0, 0 },
	{ "no-bootcount", "never decrements the boot counter", "hang", "first-boot", "none", 0, 0 },
	{ "no-verify", "no digest or signature verification", "corrupt-artifact", "download", "none", 0, 0 },
	{ "no-hwcheck", "no hardware compatibility check", "wrong-hw", "download", "none", 0, 0 },
	{ "stale-lock", "an interrupted download leaves a lock that wedges the client", "cut-download",
	  "download", "fraction", 0, 1 },
	{ "single-env", "one environment copy written in place", "cut-first-boot", "first-boot",
	  "ms-after-marker", 18, 46 },
};

/* A window that stays open until something else syncs the data: the
 * published `to` is how far it was measured, not where it closes. */
static bool open_end(const char *name)
{
	return !strcmp(name, "no-fsync-rename");
}

int sim_variants(void)
{
	printf("[\n");
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		printf("  {\"name\":\"%s\",\"description\":\"%s\",\"aimed_at\":\"%s\","
		       "\"window\":{\"phase\":\"%s\",\"unit\":\"%s\",\"from\":%g,\"to\":%g,\"open_end\":%s}}%s\n",
		       variants[i].name, variants[i].what, variants[i].aimed_at, variants[i].phase, variants[i].unit,
		       variants[i].from, variants[i].to, open_end(variants[i].name) ? "true" : "false", i + 1 < sizeof(variants) / sizeof(variants[0]) ? "," : "");
	printf("]\n");
	return 0;
}

static bool known_variant(const char *v)
{
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (!strcmp(variants[i].name, v))
			return true;
	return false;
}

static void write_host(const char *dir, const char *name, const void *buf, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fwrite(buf, 1, n, f);
	fclose(f);
}

static void read_hw(void)
{
	char path[4096], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/hw", sim.state);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%15s", buf) == 1)
			sim.hw = strdup(buf);
		fclose(f);
	}
}

int sim_provision(int argc, char **argv)
{
	const char *version = NULL, *slot = "A";
	char dir[2048], path[4096], tmp[4096];
	char *mk[] = { "mkimage", "--version", NULL, "--hw", NULL, "-o", tmp, NULL };
	struct sim_env env;
	FILE *f;
	uint8_t *img;
	long n;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--version") && i + 1 < argc) version = argv[++i];
		else if (!strcmp(argv[i], "--slot") && i + 1 < argc) slot = argv[++i];
		else if (!strcmp(argv[i], "--hw") && i + 1 < argc) sim.hw = argv[++i];
	}
	if (!version || (strcmp(slot, "A") && strcmp(slot, "B"))) {
		fprintf(stderr, "usage: rig-sim provision --state DIR --version V [--slot A|B] [--hw REV]\n");
		return 2;
	}
	mkdir(sim.state, 0755);
	snprintf(dir, sizeof(dir), "%s/data", sim.state);
	mkdir(dir, 0755);
	/* the base image in both slots, the chosen one first and both good */
	snprintf(tmp, sizeof(tmp), "%s/.base.img", sim.state);
	mk[2] = (char *)version;
	mk[4] = (char *)sim.hw;
	if (!freopen("/dev/null", "w", stdout) || sim_mkimage(7, mk) != 0)
		return 1;
	f = fopen(tmp, "rb");
	if (!f)
		return 1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	img = malloc((size_t)n);
	if (!img || fread(img, 1, (size_t)n, f) != (size_t)n)
		return 1;
	fclose(f);
	unlink(tmp);
	write_host(sim.state, "slotA", img, (size_t)n);
	write_host(sim.state, "slotB", img, (size_t)n);
	free(img);
	sim_env_defaults(&env);
	env.valid[0] = env.valid[1] = 1;
	env.good[0] = env.good[1] = 1;
	env.order[0] = slot[0];
	env.order[1] = slot[0] == 'A' ? 'B' : 'A';
	snprintf(path, sizeof(path), "%s/env1", sim.state);
	unlink(path);
	snprintf(path, sizeof(path), "%s/env2", sim.state);
	unlink(path);
	sim_scale = 0;
	env.seq = 0;
	sim_env_save(&env);     /* both copies, seq 1 and 2 */
	sim_env_save(&env);
	sim_sync_all();
	for (int i = 1; i <= 4; i++) {
		char name[32], text[64];
		int k = snprintf(text, sizeof(text), "canary %d: the data partition survives updates\n", i);

		snprintf(name, sizeof(name), "canary-%d", i);
		write_host(dir, name, text, (size_t)k);
	}
	snprintf(path, sizeof(path), "%s/updater.state", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/updater.state.new", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/download.part", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/updater.lock", dir);
	unlink(path);
	write_host(sim.state, "hw", sim.hw, strlen(sim.hw));
	fprintf(stderr, "provisioned %s: slots A and B hold %s, slot %s boots, hw %s\n", sim.state, version,
		slot, sim.hw);
	return 0;
}

int sim_inspect(int argc, char **argv)
{
	struct sim_env env;
	int bad, which;
	char dir[4096];

	(void)argc;
	(void)argv;
	sim_scale = 0;
	which = sim_env_load(&env, &bad);
	printf("{\"env_in_force\":%d,\"env_bad_copies\":%d", which, bad);
	if (which)
		printf(",\"env\":{\"seq\":%u,\"order\":\"%s\",\"A\":{\"left\":%d,\"good\":%d,\"valid\":%d},"
		       "\"B\":{\"left\":%d,\"good\":%d,\"valid\":%d}}",
		       env.seq, env.order, env.left[0], env.good[0], env.valid[0], env.left[1], env.good[1],
		       env.valid[1]);
	for (int s = 0; s < 2; s++) {
		struct sim_file *f = sim_slot(s);
		struct sim_image_hdr h;
		bool hdr = sim_image_parse(sim_file_data(f), sim_file_size(f), &h) == 0;

		printf(",\"slot%c\":{\"header\":%s,\"version\":\"%s\",\"intact\":%s}", 'A' + s, hdr ? "true" : "false",
		       hdr ? h.version : "", hdr && sim_image_payload_ok(sim_file_data(f), sim_file_size(f), &h)
						? "true" : "false");
	}
	snprintf(dir, sizeof(dir), "%s/data", sim.state);
	{
		int ok = 0;

		for (int i = 1; i <= 4; i++) {
			char name[32], want[64];
			struct sim_file *f;

			snprintf(name, sizeof(name), "canary-%d", i);
			snprintf(want, sizeof(want), "canary %d: the data partition survives updates\n", i);
			if (!sim_exists(dir, name))
				continue;
			f = sim_file_open(dir, name, 4096, 0);
			ok += sim_file_size(f) == strlen(want) && !memcmp(sim_file_data(f), want, strlen(want));
		}
		printf(",\"canaries_ok\":%d", ok);
	}
	printf(",\"lock\":%s}\n", sim_exists(dir, "updater.lock") ? "true" : "false");
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: rig-sim boot --state DIR [--variant NAME] [--hostile SEED] [--hw REV] [--watchdog S] [--time-scale F] [--password P] [--serial SN]\n"
		"       rig-sim provision --state DIR --version V [--slot A|B] [--hw REV]\n"
		"       rig-sim inspect --state DIR\n"
		"       rig-sim mkimage --version V [--hw REV] [--size N] [--unhealthy|--hang|--panic] [--bad-signature] -o FILE\n"
		"       rig-sim variants\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	sim.hw = "revA";
	sim.variant = "robust";
	if (!strcmp(cmd, "mkimage"))
		return sim_mkimage(argc - 1, argv + 1);
	if (!strcmp(cmd, "variants"))
		return sim_variants();
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--state") && i + 1 < argc) sim.state = argv[++i];
		else if (!strcmp(argv[i], "--variant") && i + 1 < argc) sim.variant = argv[++i];
		else if (!strcmp(argv[i], "--hostile") && i + 1 < argc) {
			sim_hostile = true;
			sim.seed = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--hw") && i + 1 < argc) sim.hw = argv[++i];
		else if (!strcmp(argv[i], "--watchdog") && i + 1 < argc) sim.watchdog_s = atof(argv[++i]);
		else if (!strcmp(argv[i], "--password") && i + 1 < argc) sim_password = argv[++i];
		else if (!strcmp(argv[i], "--serial") && i + 1 < argc) sim_serial = argv[++i];
		else if (!strcmp(argv[i], "--time-scale") && i + 1 < argc) sim_scale = atof(argv[++i]);
	}
	if (!sim.state)
		return usage();
	if (!known_variant(sim.variant)) {
		fprintf(stderr, "rig-sim: unknown variant '%s' (see rig-sim variants)\n", sim.variant);
		return 2;
	}
	if (!strcmp(cmd, "provision"))
		return sim_provision(argc - 1, argv + 1);
	if (!strcmp(cmd, "inspect"))
		return sim_inspect(argc - 1, argv + 1);
	if (strcmp(cmd, "boot"))
		return usage();
	sim_save_argv(argv);
	{
		/* A reset re-executes us from inside a signal handler: the mask
		 * that blocked that signal must not outlive it. */
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	read_hw();
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--hw") && i + 1 < argc)
			sim.hw = argv[i + 1];
	curl_global_init(CURL_GLOBAL_DEFAULT);
	sim_boot();
}
