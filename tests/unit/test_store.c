/* The store: records survive a SIGKILLed writer; reads back in order;
 * grouped per loop iteration when attached to a loop. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store.h"
#include "loop.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/rig-store-XXXXXX";

static void test_roundtrip_and_kill(void **state)
{
	char path[256];
	struct rig_store *st;
	struct rig_errmsg err;
	struct rig_run_info info = { .scenario = "s.lua", .device_id = "d1", .params_json = "{}", .seed = 9 };
	struct rig_run_result *runs;
	size_t n, len;
	char *text;
	int64_t id;
	pid_t pid;
	int status;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/dir/rig.db", dir);
	assert_int_equal(rig_store_open(path, &st, &err), 0);
	assert_int_equal(rig_store_run_begin(st, &info, &id), 0);
	assert_int_equal(rig_store_console(st, id, 10, "rx", "hello ", 6), 0);
	assert_int_equal(rig_store_console(st, id, 11, "tx", "typed", 5), 0);
	assert_int_equal(rig_store_console(st, id, 12, "rx", "world", 5), 0);
	assert_int_equal(rig_store_event(st, id, 13, "power.off", "{\"x\":1}"), 0);
	assert_int_equal(rig_store_run_end(st, id, 20, "pass", "new-good", NULL, false), 0);
	rig_store_close(st);

	/* A writer killed mid-run: what it recorded is there, the verdict unset. */
	pid = fork();
	if (pid == 0) {
		struct rig_store *s2;
		int64_t id2;

		if (rig_store_open(path, &s2, &err) < 0 || rig_store_run_begin(s2, &info, &id2) < 0)
			_exit(2);
		for (int i = 0; i < 100; i++)
			rig_store_event(s2, id2, (uint64_t)i, "tick", NULL);
		raise(SIGKILL);
	}
	waitpid(pid, &status, 0);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(rig_store_open(path, &st, &err), 0);
	assert_int_equal(rig_store_runs(st, NULL, 0, &runs, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(runs[0].verdict, "pass");
	assert_string_equal(runs[0].outcome, "new-good");
	assert_int_equal(runs[0].duration_ns, 20);   /* t_end - t_start */
	assert_null(runs[1].verdict);
	assert_int_equal(rig_store_console_text(st, runs[0].id, &text, &len), 0);
	assert_string_equal(text, "hello world");   /* rx only */
	free(text);
	rig_store_results_free(runs, n);
	rig_store_close(st);
}

/* Attached to a loop, one iteration's writes are one transaction: another
 * connection sees them once the iteration is done; close flushes. */
static void test_grouped_per_iteration(void **state)
{
	char path[256];
	struct rig_store *st, *rd;
	struct rig_loop *loop;
	struct rig_errmsg err;
	struct rig_run_info info = { .scenario = "s.lua", .device_id = "d2", .params_json = "{}" };
	char *text;
	size_t len;
	int64_t id;

	(void)state;
	snprintf(path, sizeof(path), "%s/grouped.db", dir);
	assert_int_equal(rig_loop_new(&loop), 0);
	assert_int_equal(rig_store_open(path, &st, &err), 0);
	rig_store_attach_loop(st, loop);
	assert_int_equal(rig_store_run_begin(st, &info, &id), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(rig_store_console(st, id, (uint64_t)i, "rx", "ab", 2), 0);
	assert_int_equal(rig_store_open(path, &rd, &err), 0);
	assert_int_equal(rig_store_console_text(rd, id, &text, &len), 0);
	assert_int_equal(len, 0);   /* not committed yet */
	free(text);
	rig_loop_run_once(loop, 0);
	assert_int_equal(rig_store_console_text(rd, id, &text, &len), 0);
	assert_int_equal(len, 200);
	free(text);
	assert_int_equal(rig_store_console(st, id, 200, "rx", "c", 1), 0);
	rig_store_close(st);   /* flushes */
	assert_int_equal(rig_store_console_text(rd, id, &text, &len), 0);
	assert_int_equal(len, 201);
	free(text);
	rig_store_close(rd);
	assert_int_equal(rig_loop_sources(loop), 0);
	rig_loop_free(loop);
}

static void test_bad_path_and_default(void **state)
{
	struct rig_store *st;
	struct rig_errmsg err;
	char *p;

	(void)state;
	assert_true(rig_store_open("/proc/nope/rig.db", &st, &err) < 0);
	assert_non_null(strstr(err.text, "/proc/nope/rig.db"));
	setenv("RIG_DB", "/x/y.db", 1);
	p = rig_store_default_path();
	assert_string_equal(p, "/x/y.db");
	free(p);
	unsetenv("RIG_DB");
	setenv("XDG_DATA_HOME", "/data", 1);
	p = rig_store_default_path();
	assert_string_equal(p, "/data/rig/rig.db");
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_and_kill),
		cmocka_unit_test(test_grouped_per_iteration),
		cmocka_unit_test(test_bad_path_and_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
