/* rig power FILE[:ID] on|off|cycle|status */
#include "cli.h"
#include "device.h"
#include "lock.h"
#include "sandbox.h"

#include <stdlib.h>
#include <string.h>

static const char power_help[] =
	"usage: rig power FILE[:ID] on|off|cycle|status\n"
	"\n"
	"Switch a device's power through its driver, honouring its off_time, and\n"
	"print when the driver reported the actuation done and how precise that is.\n"
	"status reads the state back where the driver can.\n"
	"Note: the process driver's device lives as long as the rig that started it,\n"
	"so `on` with it only makes sense inside a run or `rig console`.\n";

struct pctx {
	struct rig_loop *loop;
	struct rig_device *dev;
	int pending;
	int status;
	uint64_t t0;
};

static void report(void *arg, const struct rig_power_report *rep)
{
	struct pctx *c = arg;

	if (rep->result < 0) {
		fprintf(stderr, "rig power: %s failed: %s\n", rep->on ? "on" : "off", rep->error);
		c->status = RIG_EXIT_INFRA;
	} else {
		printf("%-3s done after %.1f ms (precision: %s)\n", rep->on ? "on" : "off",
		       (double)(rep->t_done_ns - rep->t_request_ns) / 1e6,
		       rep->precision ? rep->precision : "?");
	}
	if (--c->pending == 0)
		rig_loop_stop(c->loop);
}

static void got_state(void *arg, int result, uint64_t t, enum rig_power_state st)
{
	struct pctx *c = arg;

	RIG_UNUSED(t);
	if (result < 0) {
		const char *msg = rig_device_error(c->dev);

		fprintf(stderr, "rig power: status failed: %s\n", msg[0] ? msg : strerror(-result));
		c->status = RIG_EXIT_INFRA;
	} else {
		printf("%s\n", st == RIG_POWER_ON ? "on" : st == RIG_POWER_OFF ? "off" : "unknown");
	}
	rig_loop_stop(c->loop);
}

int rig_cmd_power(int argc, char **argv)
{
	const char *spec, *what;
	lua_State *L;
	struct rig_devcfg *cfg = NULL;
	struct rig_lock *lk = NULL;
	struct rig_errmsg err;
	struct pctx c = { 0 };

	if (rig_cli_wants_help(argc, argv, power_help))
		return RIG_EXIT_OK;
	if (argc != 3) {
		fputs(power_help, stderr);
		return RIG_EXIT_USAGE;
	}
	spec = argv[1];
	what = argv[2];
	if (strcmp(what, "on") && strcmp(what, "off") && strcmp(what, "cycle") && strcmp(what, "status")) {
		rig_cli_error("power", "expected on, off, cycle or status, got '%s'", what);
		return RIG_EXIT_USAGE;
	}
	c.status = rig_cli_load_device("power", spec, &L, &cfg);
	if (c.status)
		goto out;
	rig_loop_new(&c.loop);
	if (rig_lock_acquire(c.loop, cfg->id, "rig power", &lk, &err) < 0 ||
	    rig_device_open(c.loop, cfg, NULL, &c.dev, &err) < 0) {
		fprintf(stderr, "rig power: %s\n", err.text);
		c.status = RIG_EXIT_INFRA;
		goto out;
	}
	if (!strcmp(what, "status")) {
		if (rig_device_power_get(c.dev, got_state, &c) < 0) {
			const char *msg = rig_device_error(c.dev);

			fprintf(stderr, "rig power: the %s driver cannot read back its state%s%s\n",
				cfg->power_ops->name, msg[0] ? ": " : "", msg);
			c.status = RIG_EXIT_USAGE;
			goto out;
		}
	} else {
		if (strcmp(what, "on")) {
			c.pending++;
			rig_device_power(c.dev, false, report, &c);
		}
		if (strcmp(what, "off")) {
			c.pending++;
			rig_device_power(c.dev, true, report, &c);
		}
	}
	rig_loop_run(c.loop);
out:
	rig_device_close(c.dev);
	rig_lock_release(lk);
	rig_loop_free(c.loop);
	rig_devcfg_free(cfg);
	rig_sandbox_free(L);
	return c.status;
}
