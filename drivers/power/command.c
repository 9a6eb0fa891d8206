/* Power driver `command`: shell commands switch the power (a relay script,
 * a PDU's CLI, uhubctl...). Each command runs as a child of the loop in its
 * own process group with a deadline; a non-zero exit or a timeout is a
 * failure with the command's output. "Done" means the off command exited:
 * the relay may move later, which is the precision this driver declares. */
#include "driver.h"
#include "child.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct rig_opt command_opts[] = {
	{ "on", RIG_OPT_STRING, true, "shell command that switches the power on" },
	{ "off", RIG_OPT_STRING, true, "shell command that switches the power off" },
	{ "status", RIG_OPT_STRING, false,
	  "shell command reading the state back: prints on/off, or exits 0 (on) / 1 (off)" },
	{ "timeout", RIG_OPT_INT, false, "ms a command may take (default 10000)" },
	{ NULL, 0, false, NULL },
};

enum op { OP_NONE, OP_ON, OP_OFF, OP_STATUS };

struct cmdpwr {
	struct rig_drv_ctx ctx;
	char *on, *off, *status;
	uint64_t timeout_ns;
	struct rig_child *child;
	enum op op;
	rig_power_done_fn *done;
	void *arg;
};

static int cmd_open(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, void **handle)
{
	struct cmdpwr *c = rig_xcalloc(1, sizeof(*c));
	const char *status = rig_cfg_str(cfg, "status", NULL);

	c->ctx = *ctx;
	c->on = rig_xstrdup(rig_cfg_str(cfg, "on", ""));
	c->off = rig_xstrdup(rig_cfg_str(cfg, "off", ""));
	c->status = status ? rig_xstrdup(status) : NULL;
	c->timeout_ns = (uint64_t)rig_cfg_int(cfg, "timeout", 10000) * RIG_NS_PER_MS;
	*handle = c;
	return 0;
}

static void cmd_close(void *handle)
{
	struct cmdpwr *c = handle;

	if (!c)
		return;
	rig_child_free(c->child);
	free(c->on);
	free(c->off);
	free(c->status);
	free(c);
}

static const char *tail(const char *s, size_t n)
{
	return n > 300 ? s + n - 300 : s;
}

static void finished(void *arg, const struct rig_child_result *res)
{
	struct cmdpwr *c = arg;
	enum op op = c->op;
	const char *cmd = op == OP_ON ? c->on : op == OP_OFF ? c->off : c->status;
	rig_power_done_fn *done = c->done;
	enum rig_power_state st = op == OP_ON ? RIG_POWER_ON : op == OP_OFF ? RIG_POWER_OFF : RIG_POWER_UNKNOWN;
	int result = 0;
	char out[320];

	snprintf(out, sizeof(out), "%s", tail(res->output, res->output_len));
	out[strcspn(out, "\0")] = '\0';
	for (char *p = out + strlen(out); p > out && (p[-1] == '\n' || p[-1] == ' '); p--)
		p[-1] = '\0';
	rig_drv_event(&c->ctx, "power.cmd", "{\"op\":\"%s\",\"exit\":%d,\"ms\":%llu,\"timed_out\":%s}",
		      op == OP_ON ? "on" : op == OP_OFF ? "off" : "status", res->exit_code,
		      (unsigned long long)((res->t_end_ns - res->t_start_ns) / RIG_NS_PER_MS),
		      res->timed_out ? "true" : "false");
	if (res->timed_out) {
		result = rig_drv_fail(&c->ctx, -ETIMEDOUT, "power %s command timed out after %llu ms: %s",
				      op == OP_ON ? "on" : op == OP_OFF ? "off" : "status",
				      (unsigned long long)(c->timeout_ns / RIG_NS_PER_MS), cmd);
	} else if (op == OP_STATUS) {
		if (strstr(out, "off") || strstr(out, "OFF"))
			st = RIG_POWER_OFF;
		else if (strstr(out, "on") || strstr(out, "ON"))
			st = RIG_POWER_ON;
		else if (res->exit_code == 0)
			st = RIG_POWER_ON;
		else if (res->exit_code == 1)
			st = RIG_POWER_OFF;
		else
			result = rig_drv_fail(&c->ctx, -EIO, "power status command failed (exit %d): %s",
					      res->exit_code, out);
	} else if (res->exit_code != 0) {
		result = rig_drv_fail(&c->ctx, -EIO, "power %s command failed (exit %d): %s%s%s",
				      op == OP_ON ? "on" : "off", res->exit_code, cmd, out[0] ? ": " : "", out);
	}
	rig_child_free(c->child);
	c->child = NULL;
	c->op = OP_NONE;
	c->done = NULL;
	if (done)
		done(c->arg, result, res->t_end_ns, result < 0 ? RIG_POWER_UNKNOWN : st);
}

static int start(struct cmdpwr *c, enum op op, rig_power_done_fn *done, void *arg)
{
	char *argv[] = { "/bin/sh", "-c", NULL, NULL };
	int r;

	if (c->op != OP_NONE)
		return rig_drv_fail(&c->ctx, -EBUSY, "a power command is already running");
	argv[2] = op == OP_ON ? c->on : op == OP_OFF ? c->off : c->status;
	c->op = op;
	c->done = done;
	c->arg = arg;
	r = rig_child_spawn(c->ctx.loop, argv, NULL, NULL, c->timeout_ns, finished, c, &c->child);
	if (r < 0) {
		c->op = OP_NONE;
		c->done = NULL;
		return rig_drv_fail(&c->ctx, r, "cannot run the power command: %s", strerror(-r));
	}
	return 0;
}

static int cmd_set(void *handle, bool on, rig_power_done_fn *done, void *arg)
{
	return start(handle, on ? OP_ON : OP_OFF, done, arg);
}

static int cmd_get(void *handle, rig_power_done_fn *done, void *arg)
{
	struct cmdpwr *c = handle;

	if (!c->status)
		return rig_drv_fail(&c->ctx, -ENOTSUP, "no power.status command");
	return start(c, OP_STATUS, done, arg);
}

const struct rig_power_ops rig_power_command = {
	.name = "command",
	.opts = command_opts,
	.precision = "the off command exited; the relay may switch later (unknown, assume 100 ms)",
	.precision_ns = 100 * RIG_NS_PER_MS,
	.open = cmd_open,
	.close = cmd_close,
	.set = cmd_set,
	.get = cmd_get,
};
