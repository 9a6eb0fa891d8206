/* Power driver `process`: a local program is the device.
 *
 * The driver owns a pty for the device's whole life: the master is the
 * console (console driver `process`), and the driver keeps a slave fd open
 * itself so the pty never hangs up between power cycles. Power on forks the
 * command in a new session with the slave as its controlling tty; power off
 * is SIGKILL of its whole process group — nothing it did not write survives,
 * exactly like a cut. The kill is exact: "done" is when kill() returned. */
#include "driver.h"
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const struct rig_opt process_opts[] = {
	{ "command", RIG_OPT_STRV, true, "the device program: an argv list, or a shell command string" },
	{ "cwd", RIG_OPT_STRING, false, "working directory of the program" },
	{ "env", RIG_OPT_TABLE, false, "extra environment variables { NAME = value }" },
	{ NULL, 0, false, NULL },
};

struct proc {
	struct rig_drv_ctx ctx;
	char **argv;          /* owned copy */
	char **env;           /* "K=V" strings */
	char *cwd;
	int master, slave;
	pid_t pid;            /* 0 when off */
	struct rig_timer *timer;
	rig_power_done_fn *done;
	void *done_arg;
	bool pending_on;
	uint64_t t_kill;
};

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int proc_open(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, void **handle)
{
	struct proc *p = rig_xcalloc(1, sizeof(*p));
	char **tmp = NULL;
	char *const *argv = rig_cfg_strv(cfg, "command", &tmp);
	const struct rig_cfg_val *env = rig_cfg_get(cfg, "env");
	size_t n = 0;
	char *name;
	struct termios tio;

	p->ctx = *ctx;
	p->master = p->slave = -1;
	while (argv && argv[n])
		n++;
	if (!n) {
		free(tmp);
		free(p);
		return rig_drv_fail(ctx, -EINVAL, "power.command is empty");
	}
	p->argv = rig_xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		p->argv[i] = rig_xstrdup(argv[i]);
	free(tmp);
	if (rig_cfg_str(cfg, "cwd", NULL))
		p->cwd = rig_xstrdup(rig_cfg_str(cfg, "cwd", NULL));
	n = env && env->sub ? env->sub->n : 0;
	p->env = rig_xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		const struct rig_cfg_val *v = &env->sub->v[i];

		p->env[i] = v->str ? rig_xasprintf("%s=%s", v->key, v->str)
				   : rig_xasprintf("%s=%g", v->key, v->num);
	}
	p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (p->master < 0 || grantpt(p->master) < 0 || unlockpt(p->master) < 0 ||
	    !(name = ptsname(p->master))) {
		int e = -errno;

		if (p->master >= 0)
			close(p->master);
		free_strv(p->argv);
		free_strv(p->env);
		free(p->cwd);
		free(p);
		return rig_drv_fail(ctx, e, "cannot create a pty: %s", strerror(-e));
	}
	p->slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->slave < 0) {
		int e = -errno;

		close(p->master);
		free_strv(p->argv);
		free_strv(p->env);
		free(p->cwd);
		free(p);
		return rig_drv_fail(ctx, e, "cannot open the pty's slave %s: %s", name, strerror(-e));
	}
	/* A serial console: echo and line discipline as a getty would set them. */
	if (tcgetattr(p->slave, &tio) == 0) {
		tio.c_iflag |= ICRNL;
		tio.c_oflag |= OPOST | ONLCR;
		tio.c_lflag |= ECHO | ICANON | ISIG;
		tcsetattr(p->slave, TCSANOW, &tio);
	}
	*handle = p;
	return 0;
}

static void done_later(struct rig_loop *loop, void *arg)
{
	struct proc *p = arg;
	rig_power_done_fn *done = p->done;
	bool on = p->pending_on;

	RIG_UNUSED(loop);
	p->timer = NULL;
	p->done = NULL;
	if (done)
		done(p->done_arg, 0, on ? rig_now_ns() : p->t_kill, on ? RIG_POWER_ON : RIG_POWER_OFF);
}

static void child_exited(struct rig_loop *loop, pid_t pid, int status, void *arg)
{
	struct proc *p = arg;

	RIG_UNUSED(loop);
	if (p->pid != pid)
		return;
	p->pid = 0;
	if (p->done && !p->pending_on) {
		/* the cut we asked for */
		rig_power_done_fn *done = p->done;

		p->done = NULL;
		done(p->done_arg, 0, p->t_kill, RIG_POWER_OFF);
		return;
	}
	/* The device program ended by itself (a crash, a halt): power stays "on"
	 * from the lab's point of view, but nothing runs. */
	rig_drv_event(&p->ctx, "power.exit", "{\"status\":%d,\"signal\":%d}",
		      WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		      WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static int spawn(struct proc *p)
{
	pid_t pid;
	char *name = ptsname(p->master);
	int r;

	if (!name)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd;

		setsid();
		/* The device dies with the rig, however the rig dies. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		rig_child_reset_signals();
		fd = open(name, O_RDWR);
		if (fd < 0)
			_exit(126);
		ioctl(fd, TIOCSCTTY, 0);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
		if (p->cwd && chdir(p->cwd) < 0)
			_exit(126);
		for (size_t i = 0; p->env[i]; i++)
			putenv(p->env[i]);
		execvp(p->argv[0], p->argv);
		dprintf(2, "rig: cannot run %s: %s\r\n", p->argv[0], strerror(errno));
		_exit(127);
	}
	r = rig_loop_watch_child(p->ctx.loop, pid, child_exited, p);
	if (r < 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return r;
	}
	p->pid = pid;
	rig_drv_event(&p->ctx, "power.spawn", "{\"pid\":%ld}", (long)pid);
	return 0;
}

static int proc_set(void *handle, bool on, rig_power_done_fn *done, void *arg)
{
	struct proc *p = handle;
	int r;

	if (p->done)
		return rig_drv_fail(&p->ctx, -EBUSY, "a power operation is already running");
	p->done_arg = arg;
	p->pending_on = on;
	if (on) {
		if (!p->pid) {
			r = spawn(p);
			if (r < 0)
				return rig_drv_fail(&p->ctx, r, "cannot start %s: %s", p->argv[0], strerror(-r));
		}
		p->done = done;
		p->timer = rig_loop_add_timer(p->ctx.loop, 0, done_later, p);
		return 0;
	}
	p->t_kill = rig_now_ns();
	p->done = done;
	if (!p->pid) {
		p->timer = rig_loop_add_timer(p->ctx.loop, 0, done_later, p);
		return 0;
	}
	/* The whole session: the program and anything it started. */
	kill(-p->pid, SIGKILL);
	kill(p->pid, SIGKILL);
	p->t_kill = rig_now_ns();
	return 0;   /* done() when the pidfd reports the exit */
}

static int proc_get(void *handle, rig_power_done_fn *done, void *arg)
{
	struct proc *p = handle;

	if (p->done)
		return -EBUSY;
	p->done = NULL;
	/* Report from the loop: state read now. */
	p->pending_on = p->pid != 0;
	p->done_arg = arg;
	p->done = done;
	p->timer = rig_loop_add_timer(p->ctx.loop, 0, done_later, p);
	return 0;
}

static int proc_console_fd(void *handle)
{
	return ((struct proc *)handle)->master;
}

static void proc_close(void *handle)
{
	struct proc *p = handle;

	if (!p)
		return;
	rig_loop_cancel_timer(p->ctx.loop, p->timer);
	if (p->pid) {
		rig_loop_forget_child(p->ctx.loop, p->pid);
		kill(-p->pid, SIGKILL);
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	close(p->slave);
	close(p->master);
	free_strv(p->argv);
	free_strv(p->env);
	free(p->cwd);
	free(p);
}

const struct rig_power_ops rig_power_process = {
	.name = "process",
	.opts = process_opts,
	.precision = "SIGKILL of the device's process group (exact)",
	.precision_ns = 0,
	.open = proc_open,
	.close = proc_close,
	.set = proc_set,
	.get = proc_get,
	.confirms_off = true,
	.console_fd = proc_console_fd,
};
