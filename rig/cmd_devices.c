/* rig devices FILE: check every device of a device or lab file. */
#include "cli.h"
#include "device.h"
#include "devfile.h"
#include "lock.h"
#include "sandbox.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char devices_help[] =
	"usage: rig devices FILE [--timeout SECONDS]\n"
	"\n"
	"Check every device of a device or lab file and print a table: the power\n"
	"driver reads back its state (where it can), the console opens, and the\n"
	"device file describes a usable client profile (boot marker and ready,\n"
	"login prompt, update commands and markers, provisioning). A device in use\n"
	"by another rig is reported, not touched. Each check has a deadline\n"
	"(default 10 s).\n"
	"\n"
	"exit status: 0 every device passed, 2 a bad file, 3 a device failed a check\n";

struct check {
	struct rig_loop *loop;
	bool done;
	int result;
	enum rig_power_state st;
};

static void got_state(void *arg, int result, uint64_t t, enum rig_power_state st)
{
	struct check *c = arg;

	RIG_UNUSED(t);
	c->result = result;
	c->st = st;
	c->done = true;
	rig_loop_stop(c->loop);
}

static void deadline_cb(struct rig_loop *loop, void *arg)
{
	RIG_UNUSED(arg);
	rig_loop_stop(loop);
}

/* What the device file lacks for the stock scenarios (empty: nothing). */
static void profile(const struct rig_devcfg *d, char *buf, size_t n)
{
	static const char *const update_keys[] = { "install", "installing", "installed", "version", NULL };
	size_t len = 0;

	buf[0] = '\0';
#define MISSING(what) (len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s", len ? "," : "", what))
	if (!rig_cfg_has(d->boot, "marker"))
		MISSING("boot.marker");
	if (!rig_cfg_has(d->boot, "ready"))
		MISSING("boot.ready");
	if (rig_cfg_has(d->shell, "login") && !rig_cfg_has(d->shell, "prompt"))
		MISSING("shell.prompt");
	for (size_t i = 0; update_keys[i]; i++)
		if (!rig_cfg_has(d->update, update_keys[i])) {
			char k[64];

			snprintf(k, sizeof(k), "update.%s", update_keys[i]);
			MISSING(k);
		}
	if (!rig_cfg_has(d->recovery, "provision"))
		MISSING("recovery.provision");
	if (!d->console_ops)
		MISSING("console");
#undef MISSING
}

int rig_cmd_devices(int argc, char **argv)
{
	const char *file = NULL;
	double timeout = 10;
	char **ids = NULL;
	lua_State *L;
	struct rig_errmsg err;
	int status = RIG_EXIT_OK;

	for (int i = 1; i < argc; i++) {
		const char *v;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(devices_help, stdout);
			return RIG_EXIT_OK;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--timeout"))) {
			timeout = atof(v);
			if (!(timeout > 0)) {
				rig_cli_error("devices", "--timeout expects seconds > 0, got '%s'", v);
				return RIG_EXIT_USAGE;
			}
		} else if (argv[i][0] == '-' || file) {
			rig_cli_error("devices", "unexpected argument '%s' (see rig devices --help)", argv[i]);
			return RIG_EXIT_USAGE;
		} else {
			file = argv[i];
		}
	}
	if (!file) {
		fputs(devices_help, stderr);
		return RIG_EXIT_USAGE;
	}
	L = rig_sandbox_new(NULL);
	if (rig_devfile_ids(L, file, &ids, &err) < 0) {
		rig_cli_error("devices", "%s", err.text);
		rig_sandbox_free(L);
		return RIG_EXIT_USAGE;
	}
	rig_sandbox_free(L);
	printf("%-16s %-28s %-34s %-30s %s\n", "DEVICE", "POWER", "CONSOLE", "PROFILE", "PRECISION");
	for (size_t i = 0; ids[i]; i++) {
		char *spec = rig_xasprintf("%s:%s", file, ids[i]);
		struct rig_devcfg *cfg = NULL;
		struct rig_device *dev = NULL;
		struct rig_lock *lk = NULL;
		struct check c = { 0 };
		char power[128], console[160], prof[256];
		lua_State *Ld;

		if (rig_cli_load_device("devices", spec, &Ld, &cfg) != RIG_EXIT_OK) {
			status = RIG_EXIT_USAGE;
			goto next;
		}
		profile(cfg, prof, sizeof(prof));
		rig_loop_new(&c.loop);
		if (rig_lock_acquire(c.loop, cfg->id, "rig devices", &lk, &err) < 0) {
			snprintf(power, sizeof(power), "%s: not checked", cfg->power_ops->name);
			snprintf(console, sizeof(console), "%.150s", err.text);
			goto print;
		}
		if (rig_device_open(c.loop, cfg, NULL, &dev, &err) < 0) {
			snprintf(power, sizeof(power), "%s: open failed", cfg->power_ops->name);
			snprintf(console, sizeof(console), "%.150s", err.text);
			status = RIG_EXIT_INFRA;
			goto print;
		}
		snprintf(console, sizeof(console), "%s: %s", cfg->console_ops ? cfg->console_ops->name : "none",
			 cfg->console_ops ? "opened" : "-");
		if (!rig_device_can_read_power(dev)) {
			snprintf(power, sizeof(power), "%s: no read-back", cfg->power_ops->name);
		} else if (rig_device_power_get(dev, got_state, &c) < 0) {
			snprintf(power, sizeof(power), "%s: read-back failed", cfg->power_ops->name);
			status = RIG_EXIT_INFRA;
		} else {
			struct rig_timer *t = rig_loop_add_timer(c.loop, rig_now_ns() + (uint64_t)(timeout * 1e9),
								 deadline_cb, NULL);

			rig_loop_run(c.loop);
			rig_loop_cancel_timer(c.loop, t);
			if (!c.done) {
				snprintf(power, sizeof(power), "%s: no answer in %.0f s", cfg->power_ops->name, timeout);
				status = RIG_EXIT_INFRA;
			} else if (c.result < 0) {
				snprintf(power, sizeof(power), "%s: %s", cfg->power_ops->name, strerror(-c.result));
				status = RIG_EXIT_INFRA;
			} else {
				snprintf(power, sizeof(power), "%s: %s", cfg->power_ops->name,
					 c.st == RIG_POWER_ON ? "on" : c.st == RIG_POWER_OFF ? "off" : "unknown");
			}
		}
print:
		printf("%-16s %-28s %-34s %-30s %s\n", cfg->id, power, console, prof[0] ? "partial (below)" : "ok",
		       cfg->power_ops->precision ? cfg->power_ops->precision : "?");
		if (prof[0])
			printf("%-16s   (missing for the stock scenarios: %s)\n", "", prof);
		rig_device_close(dev);
		rig_lock_release(lk);
		rig_loop_free(c.loop);
next:
		rig_devcfg_free(cfg);
		rig_sandbox_free(Ld);
		free(spec);
	}
	for (size_t i = 0; ids[i]; i++)
		free(ids[i]);
	free(ids);
	return status;
}
