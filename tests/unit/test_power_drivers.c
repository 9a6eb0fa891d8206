/* Power drivers http and serial-relay: every fd and timer they add to the loop
 * is gone when an operation ends and when the driver is closed mid-operation,
 * and a closed driver never calls back. The switches are played by the test
 * itself: a TCP listener on 127.0.0.1 and a pty. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "driver.h"
#include "drivers/power/http_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

extern const struct rig_power_ops rig_power_http;
extern const struct rig_power_ops rig_power_serial_relay;

struct result {
	int calls, result;
	enum rig_power_state state;
};

static void done(void *arg, int result, uint64_t t, enum rig_power_state st)
{
	struct result *r = arg;

	(void)t;
	r->calls++;
	r->result = result;
	r->state = st;
}

static void put_str(struct rig_cfg *cfg, const char *k, const char *v)
{
	rig_cfg_add(cfg, k, RIG_OPT_STRING)->str = rig_xstrdup(v);
}

static void put_int(struct rig_cfg *cfg, const char *k, int v)
{
	rig_cfg_add(cfg, k, RIG_OPT_INT)->num = v;
}

/* A listening socket on 127.0.0.1 that the test may answer on, or not. */
static int listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t n = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void run_until(struct rig_loop *loop, struct result *r, uint64_t ms)
{
	uint64_t end = rig_now_ns() + ms * RIG_NS_PER_MS;

	while (!r->calls && rig_now_ns() < end)
		rig_loop_run_once(loop, end);
}

static struct rig_cfg *http_cfg(int port, int timeout, int retries)
{
	struct rig_cfg *cfg = rig_cfg_new("test: power");
	char url[64];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	put_str(cfg, "profile", "shelly1");
	put_str(cfg, "url", url);
	put_int(cfg, "timeout", timeout);
	put_int(cfg, "retries", retries);
	put_int(cfg, "retry_delay", 10);
	return cfg;
}

/* The switch never answers: closing the driver mid-request releases all. */
static void test_http_close_in_flight(void **state)
{
	struct rig_loop *loop;
	struct rig_errmsg err = { "" };
	struct rig_drv_ctx ctx = { .device_id = "t", .err = &err };
	struct result r = { 0 };
	struct rig_cfg *cfg;
	void *h;
	int port, lfd = listener(&port);

	(void)state;
	assert_int_equal(rig_loop_new(&loop), 0);
	ctx.loop = loop;
	cfg = http_cfg(port, 5000, 0);
	assert_int_equal(rig_power_http.open(&ctx, cfg, &h), 0);
	assert_int_equal(rig_loop_sources(loop), 0);
	assert_int_equal(rig_power_http.set(h, false, done, &r), 0);
	assert_int_equal(r.calls, 0);          /* never from inside set() */
	run_until(loop, &r, 100);
	assert_int_equal(r.calls, 0);
	assert_true(rig_loop_sources(loop) > 0);
	rig_power_http.close(h);
	assert_int_equal(rig_loop_sources(loop), 0);
	rig_loop_run_once(loop, 0);
	assert_int_equal(r.calls, 0);
	rig_cfg_free(cfg);
	close(lfd);
	rig_loop_free(loop);
}

/* Every attempt times out: one error, after the retries, and nothing left
 * in the loop. */
static void test_http_timeout_releases(void **state)
{
	struct rig_loop *loop;
	struct rig_errmsg err = { "" };
	struct rig_drv_ctx ctx = { .device_id = "t", .err = &err };
	struct result r = { 0 };
	struct rig_cfg *cfg;
	uint64_t t0;
	void *h;
	int port, lfd = listener(&port);

	(void)state;
	assert_int_equal(rig_loop_new(&loop), 0);
	ctx.loop = loop;
	cfg = http_cfg(port, 100, 1);
	assert_int_equal(rig_power_http.open(&ctx, cfg, &h), 0);
	t0 = rig_now_ns();
	assert_int_equal(rig_power_http.set(h, true, done, &r), 0);
	run_until(loop, &r, 3000);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.result, -ETIMEDOUT);
	assert_true(rig_now_ns() - t0 >= 200 * RIG_NS_PER_MS);
	assert_non_null(strstr(err.text, "2 attempts"));
	assert_int_equal(rig_loop_sources(loop), 0);
	/* a second operation works the same way */
	r.calls = 0;
	assert_int_equal(rig_power_http.set(h, true, done, &r), 0);
	assert_int_equal(rig_power_http.set(h, true, done, &r), -EBUSY);
	run_until(loop, &r, 3000);
	assert_int_equal(r.calls, 1);
	assert_int_equal(rig_loop_sources(loop), 0);
	rig_power_http.close(h);
	rig_cfg_free(cfg);
	close(lfd);
	rig_loop_free(loop);
}

/* A reply from the test's own switch, served from the loop (a blocking read
 * here would stop curl from ever sending): read-back parsed, loop left empty. */
static void serve_client(struct rig_loop *loop, int fd, unsigned ev, void *arg)
{
	const char *reply = arg;
	char buf[2048];

	(void)ev;
	if (read(fd, buf, sizeof(buf)) > 0 && write(fd, reply, strlen(reply)) < 0)
		perror("write");
	rig_loop_del_fd(loop, fd);
	close(fd);
}

static void serve_once(struct rig_loop *loop, int fd, unsigned ev, void *arg)
{
	int c = accept(fd, NULL, NULL);

	(void)ev;
	if (c >= 0 && rig_loop_add_fd(loop, c, RIG_EV_READ, serve_client, arg) < 0)
		close(c);
}

static void test_http_readback(void **state)
{
	static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				    "Content-Length: 29\r\nConnection: close\r\n\r\n"
				    "{\"ison\":true,\"source\":\"http\"}";
	struct rig_loop *loop;
	struct rig_errmsg err = { "" };
	struct rig_drv_ctx ctx = { .device_id = "t", .err = &err };
	struct result r = { 0 };
	struct rig_cfg *cfg;
	void *h;
	int port, lfd = listener(&port);

	(void)state;
	assert_int_equal(rig_loop_new(&loop), 0);
	ctx.loop = loop;
	assert_int_equal(rig_loop_add_fd(loop, lfd, RIG_EV_READ, serve_once, (void *)reply), 0);
	cfg = http_cfg(port, 2000, 0);
	assert_int_equal(rig_power_http.open(&ctx, cfg, &h), 0);
	assert_int_equal(rig_power_http.get(h, done, &r), 0);
	run_until(loop, &r, 3000);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.result, 0);
	assert_int_equal(r.state, RIG_POWER_ON);
	/* an off read back as on: the off is an error */
	r.calls = 0;
	assert_int_equal(rig_power_http.set(h, false, done, &r), 0);
	run_until(loop, &r, 3000);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.result, -EIO);
	assert_non_null(strstr(err.text, "the switch replied that the power is on"));
	assert_int_equal(rig_loop_sources(loop), 1);   /* the test's listener */
	rig_power_http.close(h);
	rig_loop_del_fd(loop, lfd);
	rig_cfg_free(cfg);
	close(lfd);
	rig_loop_free(loop);
}

/* serial-relay on a pty: the LCUS frame, then a query nobody answers,
 * interrupted by close. */
static void test_relay_frames_and_close(void **state)
{
	struct rig_loop *loop;
	struct rig_errmsg err = { "" };
	struct rig_drv_ctx ctx = { .device_id = "t", .err = &err };
	struct result r = { 0 };
	struct rig_cfg *cfg = rig_cfg_new("test: power");
	char name[64];
	uint8_t buf[16];
	int m, s;
	void *h;

	(void)state;
	assert_int_equal(openpty(&m, &s, name, NULL, NULL), 0);
	{
		struct termios t;

		tcgetattr(s, &t);
		cfmakeraw(&t);
		tcsetattr(s, TCSANOW, &t);
	}
	assert_int_equal(rig_loop_new(&loop), 0);
	ctx.loop = loop;
	put_str(cfg, "port", name);
	put_int(cfg, "channel", 3);
	put_str(cfg, "query", "FF");
	put_str(cfg, "reply_on", "4F 4E");
	put_str(cfg, "reply_off", "4F 46");
	put_int(cfg, "query_delay", 0);
	assert_int_equal(rig_power_serial_relay.open(&ctx, cfg, &h), 0);
	assert_int_equal(rig_power_serial_relay.set(h, true, done, &r), 0);
	assert_int_equal(r.calls, 0);
	run_until(loop, &r, 1000);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.result, 0);
	assert_int_equal(read(m, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "\xA0\x03\x01\xA4", 4);
	/* off, read back: the board answers "OF" */
	r.calls = 0;
	assert_int_equal(rig_power_serial_relay.set(h, false, done, &r), 0);
	{
		/* the off frame, then the query */
		uint8_t seen[32];
		size_t n = 0;

		rig_fd_set_nonblock(m);
		for (int i = 0; i < 100 && !(n == 5 && seen[4] == 0xFF); i++) {
			ssize_t k = read(m, seen + n, sizeof(seen) - n);

			if (k > 0)
				n += (size_t)k;
			else
				rig_loop_run_once(loop, rig_now_ns() + 10 * RIG_NS_PER_MS);
		}
		assert_int_equal(n, 5);
		assert_memory_equal(seen, "\xA0\x03\x00\xA3\xFF", 5);
	}
	assert_int_equal(write(m, "OF", 2), 2);
	run_until(loop, &r, 1000);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.result, 0);
	assert_int_equal(r.state, RIG_POWER_OFF);
	/* a status query left unanswered, then close */
	r.calls = 0;
	assert_int_equal(rig_power_serial_relay.get(h, done, &r), 0);
	rig_loop_run_once(loop, rig_now_ns() + 20 * RIG_NS_PER_MS);
	rig_power_serial_relay.close(h);
	assert_int_equal(rig_loop_sources(loop), 0);
	rig_loop_run_once(loop, 0);
	assert_int_equal(r.calls, 0);
	rig_cfg_free(cfg);
	close(m);
	close(s);
	rig_loop_free(loop);
}

/* A board that does not read: the frame waits for writability in the loop,
 * bounded by the timeout (then discarded), and goes out when the port drains. */
static size_t fill(int fd)
{
	char junk[512];
	size_t n = 0;
	ssize_t w;

	memset(junk, 'x', sizeof(junk));
	rig_fd_set_nonblock(fd);
	/* the kernel moves pty data between its buffers asynchronously: full
	 * means still full after a pause */
	for (int settled = 0; settled < 3;) {
		bool wrote = false;

		while ((w = write(fd, junk, sizeof(junk))) > 0 || (w = write(fd, junk, 1)) > 0) {
			n += (size_t)w;
			wrote = true;
		}
		settled = wrote ? 0 : settled + 1;
		usleep(20000);
	}
	return n;
}

static void test_relay_short_write(void **state)
{
	struct rig_loop *loop;
	struct rig_errmsg err = { "" };
	struct rig_drv_ctx ctx = { .device_id = "t", .err = &err };
	struct result r = { 0 };
	struct rig_cfg *cfg = rig_cfg_new("test: power");
	char name[64];
	uint8_t buf[4096], tail[4] = { 0 };
	int m, s;
	void *h;

	(void)state;
	assert_int_equal(openpty(&m, &s, name, NULL, NULL), 0);
	{
		struct termios t;

		tcgetattr(s, &t);
		cfmakeraw(&t);
		tcsetattr(s, TCSANOW, &t);
	}
	rig_fd_set_nonblock(m);
	assert_int_equal(rig_loop_new(&loop), 0);
	ctx.loop = loop;
	put_str(cfg, "port", name);
	put_int(cfg, "timeout", 200);
	assert_int_equal(rig_power_serial_relay.open(&ctx, cfg, &h), 0);
	/* nobody reads: the port is full, the frame cannot go out */
	assert_true(fill(s) > 0);
	assert_int_equal(rig_power_serial_relay.set(h, false, done, &r), 0);
	run_until(loop, &r, 1000);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.result, -ETIMEDOUT);
	assert_non_null(strstr(err.text, "accepted no bytes"));
	assert_int_equal(rig_loop_sources(loop), 1);   /* the port, watched for reading only */
	/* the timed-out frame never reaches the board, not even once it reads */
	for (int i = 0; i < 10; i++) {
		ssize_t k;

		while ((k = read(m, buf, sizeof(buf))) > 0)
			assert_null(memmem(buf, (size_t)k, "\xA0\x01\x00\xA1", 4));
		rig_loop_run_once(loop, rig_now_ns() + 5 * RIG_NS_PER_MS);
	}
	assert_int_equal(r.calls, 1);
	/* again, and this time the board reads while the driver waits */
	assert_true(fill(s) > 0);
	r.calls = 0;
	assert_int_equal(rig_power_serial_relay.set(h, true, done, &r), 0);
	rig_loop_run_once(loop, rig_now_ns() + 20 * RIG_NS_PER_MS);
	assert_int_equal(r.calls, 0);
	for (int i = 0; i < 200 && (!r.calls || memcmp(tail, "\xA0\x01\x01\xA2", 4)); i++) {
		ssize_t k;

		while ((k = read(m, buf, sizeof(buf))) > 0) {
			for (ssize_t j = 0; j < k; j++) {
				memmove(tail, tail + 1, 3);
				tail[3] = buf[j];
			}
		}
		rig_loop_run_once(loop, rig_now_ns() + 5 * RIG_NS_PER_MS);
	}
	assert_memory_equal(tail, "\xA0\x01\x01\xA2", 4);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.result, 0);
	assert_int_equal(r.state, RIG_POWER_ON);
	assert_int_equal(rig_loop_sources(loop), 1);
	rig_power_serial_relay.close(h);
	assert_int_equal(rig_loop_sources(loop), 0);
	rig_cfg_free(cfg);
	close(m);
	close(s);
	rig_loop_free(loop);
}

/* The password is replaced wherever it is, whatever it is, within the buffer. */
static void test_http_scrub(void **state)
{
	struct http h = { 0 };
	char s[16], big[32];

	(void)state;
	h.secret = "*";
	strcpy(s, "a*b*c");
	rig_pwhttp_scrub(&h, s, sizeof(s));
	assert_string_equal(s, "a***b***c");
	h.secret = "x";
	strcpy(s, "0123456789abcx");     /* no room for *** at the end: cut off */
	rig_pwhttp_scrub(&h, s, sizeof(s));
	assert_null(strchr(s, 'x'));
	strcpy(s, "xxxxxxxxxxxxxxx");    /* grows past the buffer: no x survives */
	rig_pwhttp_scrub(&h, s, sizeof(s));
	assert_null(strchr(s, 'x'));
	assert_true(strlen(s) < sizeof(s));
	h.secret = "s3cr3t";
	h.secret_esc = "s3%2Fcr3t";
	strcpy(big, "s3%2Fcr3t&s3cr3t");
	rig_pwhttp_scrub(&h, big, sizeof(big));
	assert_string_equal(big, "***&***");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_scrub),
		cmocka_unit_test(test_http_close_in_flight),
		cmocka_unit_test(test_http_timeout_releases),
		cmocka_unit_test(test_http_readback),
		cmocka_unit_test(test_relay_frames_and_close),
		cmocka_unit_test(test_relay_short_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
