/* rig console FILE[:ID] — interactive console; read-only through the rig
 * that owns the device if one does. Escape: Ctrl-] then q (quit), c (power
 * cycle), o (on), f (off), ? (help). */
#include "cli.h"
#include "device.h"
#include "lock.h"
#include "sandbox.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define ESCAPE_KEY 0x1d   /* Ctrl-] */

static const char console_help[] =
	"usage: rig console FILE[:ID]\n"
	"\n"
	"Open the device's console: what it prints goes to stdout, what you type\n"
	"goes to it (paced as its device file says). If a running rig owns the\n"
	"device, attach read-only through that rig instead of stealing its bytes.\n"
	"Keys: Ctrl-] q quit, Ctrl-] c power-cycle, Ctrl-] o on, Ctrl-] f off.\n";

struct cctx {
	struct rig_loop *loop;
	struct rig_device *dev;
	bool escape;
	int status;
};

static void out_rx(void *arg, const uint8_t *buf, size_t n, uint64_t t)
{
	RIG_UNUSED(arg);
	RIG_UNUSED(t);
	if (write(1, buf, n) < 0) {
		/* stdout gone: nothing to do */
	}
}

static void note(const char *msg)
{
	if (write(2, msg, strlen(msg)) < 0) {
		/* nothing to do */
	}
}

static void power_done(void *arg, const struct rig_power_report *rep)
{
	RIG_UNUSED(arg);
	note(rep->result < 0 ? "\r\n[rig: power failed]\r\n" : rep->on ? "\r\n[rig: power on]\r\n"
									 : "\r\n[rig: power off]\r\n");
}

static void on_stdin(struct rig_loop *loop, int fd, unsigned events, void *arg)
{
	struct cctx *c = arg;
	uint8_t buf[256], out[256];
	size_t o = 0;
	ssize_t n = read(fd, buf, sizeof(buf));

	RIG_UNUSED(events);
	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return;
		rig_loop_stop(loop);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (c->escape) {
			c->escape = false;
			switch (buf[i]) {
			case 'q': case '.':
				rig_loop_stop(loop);
				return;
			case 'c':
				rig_device_power(c->dev, false, power_done, c);
				rig_device_power(c->dev, true, power_done, c);
				continue;
			case 'o':
				rig_device_power(c->dev, true, power_done, c);
				continue;
			case 'f':
				rig_device_power(c->dev, false, power_done, c);
				continue;
			case ESCAPE_KEY:
				out[o++] = ESCAPE_KEY;
				continue;
			default:
				note("\r\n[rig: Ctrl-] then q quit, c cycle, o on, f off]\r\n");
				continue;
			}
		}
		if (buf[i] == ESCAPE_KEY) {
			c->escape = true;
			continue;
		}
		out[o++] = buf[i];
	}
	if (o && rig_device_console(c->dev))
		rig_console_send(rig_device_console(c->dev), out, o, NULL, NULL);
}

static void on_sig(struct rig_loop *loop, int signo, void *arg)
{
	RIG_UNUSED(signo);
	RIG_UNUSED(arg);
	rig_loop_stop(loop);
}

/* Read-only viewer of a rig that owns the device. */
static int attach(const char *id)
{
	char *holder = NULL;
	int fd = rig_lock_attach(id, &holder);
	char buf[4096];
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, "rig console: device '%s' is in use (%s) and its rig cannot be reached: %s\n",
			id, holder && *holder ? holder : "?", strerror(-fd));
		free(holder);
		return RIG_EXIT_INFRA;
	}
	fprintf(stderr, "[rig: device '%s' is in use (%s); attached read-only — Ctrl-C to leave]\n", id,
		holder && *holder ? holder : "?");
	free(holder);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(1, buf, (size_t)n) < 0)
			break;
	close(fd);
	fprintf(stderr, "\n[rig: the owning rig closed the console]\n");
	return RIG_EXIT_OK;
}

int rig_cmd_console(int argc, char **argv)
{
	lua_State *L;
	struct rig_devcfg *cfg = NULL;
	struct rig_lock *lk = NULL;
	struct rig_errmsg err;
	struct cctx c = { 0 };
	struct termios saved, raw;
	bool tty = isatty(0);
	struct rig_device_observer obs = { 0 };

	if (rig_cli_wants_help(argc, argv, console_help))
		return RIG_EXIT_OK;
	if (argc != 2) {
		fputs(console_help, stderr);
		return RIG_EXIT_USAGE;
	}
	c.status = rig_cli_load_device("console", argv[1], &L, &cfg);
	if (c.status)
		goto out;
	rig_loop_new(&c.loop);
	if (rig_lock_acquire(c.loop, cfg->id, "rig console", &lk, &err) == -EBUSY) {
		c.status = attach(cfg->id);
		goto out;
	}
	if (!lk) {
		fprintf(stderr, "rig console: %s\n", err.text);
		c.status = RIG_EXIT_INFRA;
		goto out;
	}
	obs.console.rx = out_rx;
	if (rig_device_open(c.loop, cfg, &obs, &c.dev, &err) < 0) {
		fprintf(stderr, "rig console: %s\n", err.text);
		c.status = RIG_EXIT_INFRA;
		goto out;
	}
	if (!rig_device_console(c.dev)) {
		fprintf(stderr, "rig console: device '%s' has no console\n", cfg->id);
		c.status = RIG_EXIT_USAGE;
		goto out;
	}
	fprintf(stderr, "[rig: console of '%s' — Ctrl-] q to quit, Ctrl-] c to power-cycle]\n", cfg->id);
	if (tty) {
		tcgetattr(0, &saved);
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	}
	rig_fd_set_nonblock(0);
	rig_loop_add_fd(c.loop, 0, RIG_EV_READ, on_stdin, &c);
	rig_loop_on_signal(c.loop, SIGINT, on_sig, &c);
	rig_loop_on_signal(c.loop, SIGTERM, on_sig, &c);
	rig_loop_run(c.loop);
	rig_loop_del_fd(c.loop, 0);
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
	fprintf(stderr, "\n[rig: console closed]\n");
out:
	rig_device_close(c.dev);
	rig_lock_release(lk);
	rig_loop_free(c.loop);
	rig_devcfg_free(cfg);
	rig_sandbox_free(L);
	return c.status;
}
