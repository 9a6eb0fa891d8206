/* The `serial` console driver on a pty: a port with more bytes waiting than
 * one read event takes is busy, not gone — no link-down, no byte lost
 * (issue 5: at full speed it was closed and reopened every 200 ms). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "console.h"

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct seen {
	size_t bytes;
	int downs;
};

static void rx(void *arg, const uint8_t *buf, size_t n, uint64_t t_ns)
{
	struct seen *s = arg;

	(void)buf;
	(void)t_ns;
	s->bytes += n;
}

static void link_cb(void *arg, bool up, uint64_t t_ns, const char *why)
{
	struct seen *s = arg;

	(void)t_ns;
	(void)why;
	if (!up)
		s->downs++;
}

static void test_busy_port_is_not_lost(void **state)
{
	struct rig_loop *loop;
	struct rig_console *con;
	struct rig_errmsg err = { "" };
	struct rig_drv_ctx ctx;
	struct rig_console_observer obs = { rx, NULL, link_cb, NULL };
	struct rig_cfg *cfg = rig_cfg_new("test: console");
	struct seen seen = { 0, 0 };
	int m, sl;
	char chunk[4096];
	size_t want = 32u << 20;
	uint64_t end;
	pid_t pid;

	(void)state;
	obs.arg = &seen;
	memset(chunk, 'x', sizeof(chunk));
	assert_int_equal(openpty(&m, &sl, NULL, NULL, NULL), 0);
	assert_int_equal(rig_loop_new(&loop), 0);
	ctx = (struct rig_drv_ctx){ .loop = loop, .device_id = "test", .err = &err };
	rig_cfg_add(cfg, "path", RIG_OPT_STRING)->str = rig_xstrdup(ptsname(m));
	assert_int_equal(rig_console_open(loop, rig_console_driver("serial"), &ctx, cfg, -1, NULL, &obs, &con), 0);
	rig_cfg_free(cfg);
	/* a writer as fast as the pty takes it, so reads keep finding bytes */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (size_t done = 0; done < want;) {
			ssize_t w = write(m, chunk, sizeof(chunk));

			if (w <= 0)
				_exit(1);
			done += (size_t)w;
		}
		pause();   /* a closed master would hang the port up */
		_exit(0);
	}
	end = rig_now_ns() + 20 * RIG_NS_PER_S;
	while (seen.bytes < want && rig_now_ns() < end)
		rig_loop_run_once(loop, rig_now_ns() + 10 * RIG_NS_PER_MS);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(seen.downs, 0);
	assert_true(seen.bytes == want);
	rig_console_close(con);
	rig_loop_free(loop);
	close(m);
	close(sl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busy_port_is_not_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
