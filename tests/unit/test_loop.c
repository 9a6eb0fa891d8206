/* The event loop: timer order, removal from callbacks, children, signals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int order[16], norder;

static void rec(struct rig_loop *loop, void *arg)
{
	(void)loop;
	order[norder++] = (int)(intptr_t)arg;
}

static void test_timer_order(void **state)
{
	struct rig_loop *loop;
	uint64_t now = rig_now_ns();

	(void)state;
	norder = 0;
	assert_int_equal(rig_loop_new(&loop), 0);
	rig_loop_add_timer(loop, now + 3 * RIG_NS_PER_MS, rec, (void *)3);
	rig_loop_add_timer(loop, now + 1 * RIG_NS_PER_MS, rec, (void *)1);
	rig_loop_add_timer(loop, now + 2 * RIG_NS_PER_MS, rec, (void *)21);
	rig_loop_add_timer(loop, now + 2 * RIG_NS_PER_MS, rec, (void *)22);   /* FIFO among equals */
	while (norder < 4)
		rig_loop_run_once(loop, UINT64_MAX);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 21);
	assert_int_equal(order[2], 22);
	assert_int_equal(order[3], 3);
	assert_int_equal(rig_loop_sources(loop), 0);
	rig_loop_free(loop);
}

static struct rig_timer *victim;

static void cancel_other(struct rig_loop *loop, void *arg)
{
	(void)arg;
	rig_loop_cancel_timer(loop, victim);
	victim = NULL;
	order[norder++] = 100;
}

static void test_cancel_from_callback(void **state)
{
	struct rig_loop *loop;
	uint64_t now = rig_now_ns();

	(void)state;
	norder = 0;
	rig_loop_new(&loop);
	rig_loop_add_timer(loop, now, cancel_other, NULL);
	victim = rig_loop_add_timer(loop, now, rec, (void *)7);
	rig_loop_run_once(loop, now + 50 * RIG_NS_PER_MS);
	rig_loop_run_once(loop, rig_now_ns() + 20 * RIG_NS_PER_MS);
	assert_int_equal(norder, 1);
	assert_int_equal(order[0], 100);
	assert_int_equal(rig_loop_sources(loop), 0);
	rig_loop_free(loop);
}

static int readers_called;
static int pipes[2][2];

static void reader(struct rig_loop *loop, int fd, unsigned ev, void *arg)
{
	(void)ev;
	(void)arg;
	readers_called++;
	/* delete both fds, ours and the other one with a pending event */
	rig_loop_del_fd(loop, pipes[0][0]);
	rig_loop_del_fd(loop, pipes[1][0]);
	(void)fd;
}

static void test_del_fd_in_batch(void **state)
{
	struct rig_loop *loop;

	(void)state;
	rig_loop_new(&loop);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pipe(pipes[i]), 0);
		assert_int_equal(rig_loop_add_fd(loop, pipes[i][0], RIG_EV_READ, reader, NULL), 0);
		assert_int_equal(write(pipes[i][1], "x", 1), 1);
	}
	assert_int_equal(rig_loop_add_fd(loop, pipes[0][0], RIG_EV_READ, reader, NULL), -EEXIST);
	rig_loop_run_once(loop, rig_now_ns() + 100 * RIG_NS_PER_MS);
	assert_int_equal(readers_called, 1);   /* the second was removed before its turn */
	assert_int_equal(rig_loop_sources(loop), 0);
	for (int i = 0; i < 2; i++) {
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
	rig_loop_free(loop);
}

static int child_status = -1;

static void on_child(struct rig_loop *loop, pid_t pid, int status, void *arg)
{
	(void)pid;
	(void)arg;
	child_status = status;
	rig_loop_stop(loop);
}

static void test_child(void **state)
{
	struct rig_loop *loop;
	pid_t pid;

	(void)state;
	rig_loop_new(&loop);
	pid = fork();
	if (pid == 0)
		_exit(7);
	assert_int_equal(rig_loop_watch_child(loop, pid, on_child, NULL), 0);
	rig_loop_add_timer(loop, rig_now_ns() + 5 * RIG_NS_PER_S, (rig_timer_fn *)(void *)rig_loop_stop, NULL);
	while (child_status < 0)
		rig_loop_run_once(loop, rig_now_ns() + RIG_NS_PER_S);
	assert_true(WIFEXITED(child_status));
	assert_int_equal(WEXITSTATUS(child_status), 7);
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);   /* reaped by the loop */
	rig_loop_free(loop);
}

static int got_signal;

static void on_sig(struct rig_loop *loop, int signo, void *arg)
{
	(void)loop;
	(void)arg;
	got_signal = signo;
}

static void test_signal(void **state)
{
	struct rig_loop *loop;

	(void)state;
	rig_loop_new(&loop);
	assert_int_equal(rig_loop_on_signal(loop, SIGUSR1, on_sig, NULL), 0);
	raise(SIGUSR1);
	rig_loop_run_once(loop, rig_now_ns() + RIG_NS_PER_S);
	assert_int_equal(got_signal, SIGUSR1);
	rig_loop_free(loop);
}

static void test_deadline_bounds_wait(void **state)
{
	struct rig_loop *loop;
	uint64_t t0 = rig_now_ns();

	(void)state;
	rig_loop_new(&loop);
	rig_loop_run_once(loop, t0 + 20 * RIG_NS_PER_MS);
	/* generous: it returned, and not before the deadline's millisecond */
	assert_true(rig_now_ns() - t0 >= 19 * RIG_NS_PER_MS);
	assert_true(rig_now_ns() - t0 < 5 * RIG_NS_PER_S);
	rig_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_order),
		cmocka_unit_test(test_cancel_from_callback),
		cmocka_unit_test(test_del_fd_in_batch),
		cmocka_unit_test(test_child),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_deadline_bounds_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
