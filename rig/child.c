/* Host commands run from the loop (see child.h). */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define OUT_MAX 65536u

struct rig_child {
	struct rig_loop *loop;
	pid_t pid;
	int outfd;
	bool exited, eof;
	int status;
	bool timed_out;
	struct rig_timer *deadline;
	struct rig_timer *finish_timer;
	char *out;
	size_t outlen;
	uint64_t t_start, t_end;
	rig_child_done_fn *done;
	void *arg;
};

void rig_child_reset_signals(void)
{
	sigset_t all;

	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

static void maybe_finish(struct rig_child *c)
{
	struct rig_child_result res;

	if (!c->exited || !c->eof)
		return;
	rig_loop_cancel_timer(c->loop, c->deadline);
	c->deadline = NULL;
	memset(&res, 0, sizeof(res));
	res.status = c->status;
	res.timed_out = c->timed_out;
	if (c->status < 0)
		res.exit_code = -1;
	else if (WIFEXITED(c->status))
		res.exit_code = WEXITSTATUS(c->status);
	else if (WIFSIGNALED(c->status))
		res.exit_code = 128 + WTERMSIG(c->status);
	else
		res.exit_code = -1;
	res.output = c->out ? c->out : "";
	res.output_len = c->outlen;
	res.t_start_ns = c->t_start;
	res.t_end_ns = c->t_end;
	c->pid = 0;
	c->done(c->arg, &res);
}

static void on_exit_cb(struct rig_loop *loop, pid_t pid, int status, void *arg)
{
	struct rig_child *c = arg;

	RIG_UNUSED(loop);
	RIG_UNUSED(pid);
	c->exited = true;
	c->status = status;
	c->t_end = rig_now_ns();
	/* Grandchildren may hold the pipe open: the group goes with the child. */
	kill(-c->pid, SIGKILL);
	maybe_finish(c);
}

static void on_output(struct rig_loop *loop, int fd, unsigned events, void *arg)
{
	struct rig_child *c = arg;
	char buf[4096];

	RIG_UNUSED(events);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n > 0) {
			if (c->outlen + (size_t)n > OUT_MAX) {
				size_t drop = c->outlen + (size_t)n - OUT_MAX;

				if (drop >= c->outlen) {
					c->outlen = 0;
				} else {
					memmove(c->out, c->out + drop, c->outlen - drop);
					c->outlen -= drop;
				}
			}
			memcpy(c->out + c->outlen, buf + (n > (ssize_t)OUT_MAX ? n - OUT_MAX : 0),
			       n > (ssize_t)OUT_MAX ? OUT_MAX : (size_t)n);
			c->outlen += n > (ssize_t)OUT_MAX ? OUT_MAX : (size_t)n;
			c->out[c->outlen] = '\0';
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		break;  /* EOF or error */
	}
	rig_loop_del_fd(loop, fd);
	close(fd);
	c->outfd = -1;
	c->eof = true;
	maybe_finish(c);
}

static void on_deadline(struct rig_loop *loop, void *arg)
{
	struct rig_child *c = arg;

	RIG_UNUSED(loop);
	c->deadline = NULL;
	c->timed_out = true;
	if (c->pid > 0)
		kill(-c->pid, SIGKILL);
}

int rig_child_spawn(struct rig_loop *loop, char *const *argv, char *const *env, const char *cwd,
		    uint64_t timeout_ns, rig_child_done_fn *done, void *arg, struct rig_child **out)
{
	struct rig_child *c;
	int pfd[2];
	pid_t pid;
	int r;

	if (!argv || !argv[0])
		return -EINVAL;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return r;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		rig_child_reset_signals();
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		if (cwd && chdir(cwd) < 0)
			_exit(126);
		for (size_t i = 0; env && env[i]; i++)
			putenv(env[i]);
		execvp(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);   /* both sides, so kill(-pid) works at once */
	close(pfd[1]);
	rig_fd_set_nonblock(pfd[0]);
	c = rig_xcalloc(1, sizeof(*c));
	c->loop = loop;
	c->pid = pid;
	c->outfd = pfd[0];
	c->out = rig_xmalloc(OUT_MAX + 1);
	c->out[0] = '\0';
	c->t_start = rig_now_ns();
	c->done = done;
	c->arg = arg;
	r = rig_loop_watch_child(loop, pid, on_exit_cb, c);
	if (r == 0)
		r = rig_loop_add_fd(loop, pfd[0], RIG_EV_READ, on_output, c);
	if (r < 0) {
		rig_loop_forget_child(loop, pid);
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(pfd[0]);
		free(c->out);
		free(c);
		return r;
	}
	if (timeout_ns)
		c->deadline = rig_loop_add_timer(loop, c->t_start + timeout_ns, on_deadline, c);
	*out = c;
	return 0;
}

void rig_child_free(struct rig_child *c)
{
	if (!c)
		return;
	rig_loop_cancel_timer(c->loop, c->deadline);
	if (c->pid > 0 && !c->exited) {
		rig_loop_forget_child(c->loop, c->pid);
		kill(-c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
	}
	if (c->outfd >= 0) {
		rig_loop_del_fd(c->loop, c->outfd);
		close(c->outfd);
	}
	free(c->out);
	free(c);
}

pid_t rig_child_pid(const struct rig_child *c)
{
	return c->pid;
}
