/* The console core: consume cursor, power-on reset, triggers vs expects,
 * matches across reads, window trimming, paced sends. No driver (ops NULL):
 * bytes are fed directly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct got {
	int n;
	char text[256];
	char before[256];
	uint64_t t_read;
};

static void on_hit(void *arg, struct rig_console_hit *hit)
{
	struct got *g = arg;

	g->n++;
	snprintf(g->text, sizeof(g->text), "%.*s", (int)hit->textlen, hit->text);
	snprintf(g->before, sizeof(g->before), "%.*s", (int)hit->beforelen, hit->before ? hit->before : "");
	g->t_read = hit->t_read_ns;
}

static struct rig_console *mk(struct rig_loop **loop, size_t window)
{
	struct rig_console *con;
	struct rig_console_opts o = { .window_max = window, .filter_kernel = true };

	assert_int_equal(rig_loop_new(loop), 0);
	assert_int_equal(rig_console_open(*loop, NULL, NULL, NULL, -1, &o, NULL, &con), 0);
	return con;
}

static struct rig_regex *re(const char *p)
{
	struct rig_regex *r;
	struct rig_errmsg e;

	assert_int_equal(rig_regex_new(p, 0, &r, &e), 0);
	return r;
}

static void feed(struct rig_console *con, const char *s, uint64_t t)
{
	rig_console_feed(con, (const uint8_t *)s, strlen(s), t);
}

static void test_one_byte_per_read(void **state)
{
	struct rig_loop *loop;
	struct rig_console *con = mk(&loop, 0);
	struct rig_regex *r = re("CUT-ME");
	struct got g = { 0 };
	const char *s = "xxCUT-ME-NOW";

	(void)state;
	rig_console_watch(con, RIG_WATCH_TRIGGER, r, on_hit, &g);
	for (size_t i = 0; s[i]; i++)
		rig_console_feed(con, (const uint8_t *)s + i, 1, 1000 + i);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.text, "CUT-ME");
	assert_int_equal(g.t_read, 1000 + 7);   /* the read that completed it */
	rig_console_close(con);
	rig_regex_free(r);
	rig_loop_free(loop);
}

static void test_consume_and_before(void **state)
{
	struct rig_loop *loop;
	struct rig_console *con = mk(&loop, 0);
	struct rig_regex *r = re("login: $");
	struct rig_console_hit hit;

	(void)state;
	feed(con, "boot noise\nsim login: ", 1);
	assert_int_equal(rig_console_match_now(con, r, &hit), 1);
	assert_string_equal(hit.before, "boot noise\nsim ");
	rig_console_hit_clear(&hit);
	assert_int_equal(rig_console_match_now(con, r, &hit), 0);   /* consumed */
	rig_console_close(con);
	rig_regex_free(r);
	rig_loop_free(loop);
}

static void test_power_on_reset(void **state)
{
	struct rig_loop *loop;
	struct rig_console *con = mk(&loop, 0);
	struct rig_regex *r = re("login: $");
	struct rig_console_hit hit;
	struct got g = { 0 };

	(void)state;
	feed(con, "sim login: ", 1);        /* printed before the power-on */
	rig_console_reset_cursor(con);
	assert_int_equal(rig_console_match_now(con, r, &hit), 0);
	rig_console_watch(con, RIG_WATCH_EXPECT, r, on_hit, &g);
	feed(con, "SIMBOOT\n", 2);
	assert_int_equal(g.n, 0);
	feed(con, "sim login: ", 3);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.before, "SIMBOOT\nsim ");
	rig_console_close(con);
	rig_regex_free(r);
	rig_loop_free(loop);
}

static void test_trigger_consumes_nothing(void **state)
{
	struct rig_loop *loop;
	struct rig_console *con = mk(&loop, 0);
	struct rig_regex *r = re("installing");
	struct got t = { 0 }, e = { 0 };

	(void)state;
	rig_console_watch(con, RIG_WATCH_EXPECT, r, on_hit, &e);
	rig_console_watch(con, RIG_WATCH_TRIGGER, r, on_hit, &t);
	feed(con, "updater: installing v2\n", 5);
	assert_int_equal(t.n, 1);
	assert_int_equal(e.n, 1);   /* the expect saw the same bytes */
	rig_console_close(con);
	rig_regex_free(r);
	rig_loop_free(loop);
}

static void test_ansi_kernel_prompt(void **state)
{
	struct rig_loop *loop;
	struct rig_console *con = mk(&loop, 0);
	struct rig_regex *r = re("root@sim:~# $");
	struct rig_console_hit hit;

	(void)state;
	feed(con, "\x1b[?2004h\x1b[01;32mroot@s", 1);
	feed(con, "[   12.345678] usb 1-1: new device\r\n", 2);
	feed(con, "im\x1b[00m:~# ", 3);
	assert_int_equal(rig_console_match_now(con, r, &hit), 1);
	rig_console_hit_clear(&hit);
	rig_console_close(con);
	rig_regex_free(r);
	rig_loop_free(loop);
}

static void test_window_trim(void **state)
{
	struct rig_loop *loop;
	struct rig_console *con = mk(&loop, 4096);
	struct rig_regex *r = re("END");
	struct rig_console_hit hit;
	char noise[1000];

	(void)state;
	memset(noise, 'x', sizeof(noise) - 1);
	noise[sizeof(noise) - 1] = '\0';
	for (int i = 0; i < 20; i++)
		feed(con, noise, 1);
	assert_true(rig_console_dropped(con) > 10000);
	feed(con, "END", 2);
	assert_int_equal(rig_console_match_now(con, r, &hit), 1);
	rig_console_hit_clear(&hit);
	rig_console_close(con);
	rig_regex_free(r);
	rig_loop_free(loop);
}

static int sent_done, sent_result = 99;
static char txbuf[64];
static size_t ntx;

static void on_sent(void *arg, int result)
{
	(void)arg;
	sent_done++;
	sent_result = result;
}

static void on_tx(void *arg, const uint8_t *buf, size_t n, uint64_t t)
{
	(void)arg;
	(void)t;
	memcpy(txbuf + ntx, buf, n);
	ntx += n;
}

static void test_paced_send(void **state)
{
	struct rig_loop *loop;
	struct rig_console *con;
	struct rig_console_opts o = { .pace_ms = 2 };
	struct rig_console_observer obs = { .tx = on_tx };
	uint64_t t0;

	(void)state;
	rig_loop_new(&loop);
	assert_int_equal(rig_console_open(loop, NULL, NULL, NULL, -1, &o, &obs, &con), 0);
	assert_int_equal(rig_console_send(con, "hello", 5, on_sent, NULL), 0);
	assert_int_equal(sent_done, 0);   /* never from inside send() */
	t0 = rig_now_ns();
	while (!sent_done && rig_now_ns() - t0 < 5 * RIG_NS_PER_S)
		rig_loop_run_once(loop, rig_now_ns() + 100 * RIG_NS_PER_MS);
	assert_int_equal(sent_done, 1);
	assert_int_equal(sent_result, 0);
	assert_int_equal(ntx, 5);
	assert_memory_equal(txbuf, "hello", 5);
	assert_true(rig_now_ns() - t0 >= 8 * RIG_NS_PER_MS);   /* 4 gaps of 2 ms */
	rig_console_close(con);
	rig_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_byte_per_read),
		cmocka_unit_test(test_consume_and_before),
		cmocka_unit_test(test_power_on_reset),
		cmocka_unit_test(test_trigger_consumes_nothing),
		cmocka_unit_test(test_ansi_kernel_prompt),
		cmocka_unit_test(test_window_trim),
		cmocka_unit_test(test_paced_send),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
