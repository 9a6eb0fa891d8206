/* Power driver `serial-relay`: USB relay boards driven over a serial port.
 *
 * protocol "lcus": the common LCUS / CH340 boards, one 4-byte frame per
 * switch, A0 <channel> <state> <sum> with sum = (0xA0 + channel + state) & 0xFF.
 * protocol "bytes": any board, with the on and off byte sequences given in hex.
 * Either may read the state back with a query and the expected replies.
 *
 * The port (libserialport; ptys and paths it refuses through termios, as the
 * serial console does) stays open for the device's life. Writes are
 * non-blocking: a short write waits for writability in the loop. "Done" is
 * when the last byte of the frame was accepted by the tty driver; the UART,
 * the USB adapter and the relay's coil come after, which is the precision
 * declared. If the port goes away (the board was unplugged), the next
 * operation reopens it. */
#include "driver.h"
#include "readback.h"

#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const struct rig_opt relay_opts[] = {
	{ "port", RIG_OPT_STRING, true, "the relay board's serial port: /dev/ttyUSB0, /dev/serial/by-id/..., a pty" },
	{ "baud", RIG_OPT_INT, false, "baud rate (default 9600)" },
	{ "protocol", RIG_OPT_STRING, false, "lcus (A0 ch state sum, default) or bytes" },
	{ "channel", RIG_OPT_INT, false, "lcus: relay number, 1-255 (default 1)" },
	{ "on", RIG_OPT_STRING, false, "bytes: hex bytes switching on, e.g. \"FE 05 00 00 FF 00\"" },
	{ "off", RIG_OPT_STRING, false, "bytes: hex bytes switching off" },
	{ "query", RIG_OPT_STRING, false, "hex bytes asking the board for the relay state" },
	{ "reply_on", RIG_OPT_STRING, false, "hex bytes the board's reply contains when on" },
	{ "reply_off", RIG_OPT_STRING, false, "hex bytes the board's reply contains when off" },
	{ "query_delay", RIG_OPT_INT, false, "ms between a switch frame and the read-back query (default 50)" },
	{ "timeout", RIG_OPT_INT, false, "ms to wait for writing a frame or for a reply (default 1000)" },
	{ NULL, 0, false, NULL },
};

#define SEQ_MAX 64

enum phase { PH_IDLE, PH_WRITE, PH_DELAY, PH_QUERY, PH_REPLY, PH_REPORT };

struct seq {
	uint8_t b[SEQ_MAX];
	size_t n;
};

struct relay {
	struct rig_drv_ctx ctx;
	char *path;
	int baud;
	struct seq frame[2], query, reply[2];   /* [0] off, [1] on */
	uint64_t query_delay_ns, timeout_ns;

	struct sp_port *port;       /* libserialport, or NULL with fd >= 0: termios */
	int fd;
	unsigned watching;          /* events the loop watches on fd */

	enum phase phase;
	bool get;                   /* a status read, not a switch */
	bool on;
	const struct seq *out;
	size_t out_off;
	uint8_t in[256];
	size_t in_n;
	struct rig_timer *timer;
	uint64_t t_written;
	int result;
	enum rig_power_state state;
	rig_power_done_fn *done;
	void *arg;
};

static int parse_seq(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, const char *key,
		     struct seq *s)
{
	const char *text = rig_cfg_str(cfg, key, NULL);
	ssize_t n;

	if (!text)
		return 0;
	n = rig_readback_hex(text, s->b, sizeof(s->b));
	if (n < 0)
		return rig_drv_fail(ctx, -EINVAL, "power.%s: expected hex bytes like \"A0 01 01 A2\" (at most %d), got '%s'",
				    key, SEQ_MAX, text);
	s->n = (size_t)n;
	return 0;
}

static int parse(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, struct relay *r)
{
	const char *proto = rig_cfg_str(cfg, "protocol", "lcus");
	int64_t ch = rig_cfg_int(cfg, "channel", 1);
	int64_t delay = rig_cfg_int(cfg, "query_delay", 50), timeout = rig_cfg_int(cfg, "timeout", 1000);
	int e;

	r->baud = (int)rig_cfg_int(cfg, "baud", 9600);
	if (r->baud <= 0)
		return rig_drv_fail(ctx, -EINVAL, "power.baud: expected a positive rate, got %d", r->baud);
	if (delay < 0 || delay > 60000 || timeout < 1 || timeout > 60000)
		return rig_drv_fail(ctx, -EINVAL, "power.query_delay / power.timeout: expected ms up to 60000");
	r->query_delay_ns = (uint64_t)delay * RIG_NS_PER_MS;
	r->timeout_ns = (uint64_t)timeout * RIG_NS_PER_MS;
	if (!strcmp(proto, "lcus")) {
		if (rig_cfg_has(cfg, "on") || rig_cfg_has(cfg, "off"))
			return rig_drv_fail(ctx, -EINVAL, "power.on / power.off: only with protocol = \"bytes\"");
		if (ch < 1 || ch > 255)
			return rig_drv_fail(ctx, -EINVAL, "power.channel: expected 1 to 255, got %lld", (long long)ch);
		for (int on = 0; on < 2; on++) {
			uint8_t *b = r->frame[on].b;

			b[0] = 0xA0;
			b[1] = (uint8_t)ch;
			b[2] = (uint8_t)on;
			b[3] = (uint8_t)((0xA0 + ch + on) & 0xFF);
			r->frame[on].n = 4;
		}
	} else if (!strcmp(proto, "bytes")) {
		if (rig_cfg_has(cfg, "channel"))
			return rig_drv_fail(ctx, -EINVAL, "power.channel: only with protocol = \"lcus\" (put the channel in the on/off bytes)");
		if ((e = parse_seq(ctx, cfg, "on", &r->frame[1])) < 0 ||
		    (e = parse_seq(ctx, cfg, "off", &r->frame[0])) < 0)
			return e;
		if (!r->frame[0].n || !r->frame[1].n)
			return rig_drv_fail(ctx, -EINVAL, "power: protocol \"bytes\" needs on and off (hex bytes)");
	} else {
		return rig_drv_fail(ctx, -EINVAL, "power.protocol: expected lcus or bytes, got '%s'", proto);
	}
	if ((e = parse_seq(ctx, cfg, "query", &r->query)) < 0 ||
	    (e = parse_seq(ctx, cfg, "reply_on", &r->reply[1])) < 0 ||
	    (e = parse_seq(ctx, cfg, "reply_off", &r->reply[0])) < 0)
		return e;
	if (r->query.n && (!r->reply[0].n || !r->reply[1].n))
		return rig_drv_fail(ctx, -EINVAL, "power: query needs both reply_on and reply_off; a reply matching neither is an error");
	if (!r->query.n && (r->reply[0].n || r->reply[1].n))
		return rig_drv_fail(ctx, -EINVAL, "power: reply_on and reply_off need query");
	return 0;
}

/* ---- the port ---- */

static void on_io(struct rig_loop *loop, int fd, unsigned events, void *arg);

static speed_t speed_of(int baud)
{
	static const struct { int baud; speed_t sp; } t[] = {
		{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 }, { 19200, B19200 },
		{ 38400, B38400 }, { 57600, B57600 }, { 115200, B115200 },
	};

	for (size_t i = 0; i < RIG_ARRAY_SIZE(t); i++)
		if (t[i].baud == baud)
			return t[i].sp;
	return 0;
}

static int open_termios(struct relay *r, bool pty)
{
	struct termios tio;
	speed_t sp = speed_of(r->baud);
	int fd = open(r->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return rig_drv_fail(&r->ctx, -errno, "%s: cannot open: %s", r->path, strerror(errno));
	if (tcgetattr(fd, &tio) == 0) {
		cfmakeraw(&tio);
		if (sp) {
			cfsetispeed(&tio, sp);
			cfsetospeed(&tio, sp);
		}
		tio.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB | CRTSCTS);
		tio.c_cflag |= CS8 | CLOCAL | CREAD;
		if (tcsetattr(fd, TCSANOW, &tio) < 0 && !pty) {
			int e = -errno;

			close(fd);
			return rig_drv_fail(&r->ctx, e, "%s: cannot apply line settings: %s", r->path, strerror(-e));
		}
	} else if (!pty) {
		close(fd);
		return rig_drv_fail(&r->ctx, -ENOTTY, "%s: not a serial port", r->path);
	}
	r->port = NULL;
	r->fd = fd;
	return 0;
}

/* Close the port (not watched by the loop). */
static void port_release(struct relay *r)
{
	if (r->port) {
		sp_close(r->port);
		sp_free_port(r->port);
	} else if (r->fd >= 0) {
		close(r->fd);
	}
	r->port = NULL;
	r->fd = -1;
}

static int port_open(struct relay *r)
{
	struct sp_port *port = NULL;
	char real[4096];
	bool pty = !strncmp(r->path, "/dev/pts/", 9);
	int fd, e;

	if (realpath(r->path, real))
		pty = pty || !strncmp(real, "/dev/pts/", 9);
	else if (errno == ENOENT)
		return rig_drv_fail(&r->ctx, -ENODEV, "%s: no such port", r->path);
	if (pty || (sp_get_port_by_name(r->path, &port) != SP_OK && sp_get_port_by_name(real, &port) != SP_OK))
		e = open_termios(r, pty);
	else if (sp_open(port, SP_MODE_READ_WRITE) != SP_OK ||
		 sp_set_baudrate(port, r->baud) != SP_OK || sp_set_bits(port, 8) != SP_OK ||
		 sp_set_parity(port, SP_PARITY_NONE) != SP_OK || sp_set_stopbits(port, 1) != SP_OK ||
		 sp_set_flowcontrol(port, SP_FLOWCONTROL_NONE) != SP_OK ||
		 sp_get_port_handle(port, &fd) != SP_OK) {
		char *msg = sp_last_error_message();

		e = rig_drv_fail(&r->ctx, -EIO, "%s: cannot open at %d baud: %s", r->path, r->baud, msg ? msg : "?");
		sp_free_error_message(msg);
		sp_close(port);
		sp_free_port(port);
	} else {
		rig_fd_set_nonblock(fd);
		rig_fd_set_cloexec(fd);
		r->port = port;
		r->fd = fd;
		e = 0;
	}
	if (e < 0)
		return e;
	r->watching = RIG_EV_READ;
	e = rig_loop_add_fd(r->ctx.loop, r->fd, RIG_EV_READ, on_io, r);
	if (e < 0) {
		port_release(r);
		return rig_drv_fail(&r->ctx, e, "%s: cannot watch the port", r->path);
	}
	return 0;
}

static void port_close(struct relay *r)
{
	if (r->fd < 0)
		return;
	rig_loop_del_fd(r->ctx.loop, r->fd);
	port_release(r);
}

static void watch(struct relay *r, unsigned events)
{
	if (r->fd >= 0 && events != r->watching && rig_loop_mod_fd(r->ctx.loop, r->fd, events) == 0)
		r->watching = events;
}

/* ---- operations ---- */

static void hex(const uint8_t *b, size_t n, char *out, size_t cap)
{
	size_t j = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && j + 4 < cap; i++)
		j += (size_t)snprintf(out + j, cap - j, "%s%02X", i ? " " : "", b[i]);
}

static void report_cb(struct rig_loop *loop, void *arg);

/* End the operation; done() runs from a timer, never inside set()/get(). */
static void finish(struct relay *r, int result, enum rig_power_state st)
{
	rig_loop_cancel_timer(r->ctx.loop, r->timer);
	watch(r, RIG_EV_READ);
	r->result = result;
	r->state = st;
	r->phase = PH_REPORT;
	r->timer = rig_loop_add_timer(r->ctx.loop, 0, report_cb, r);
}

static int fail(struct relay *r, int err, const char *fmt, ...) RIG_PRINTF(3, 4);
static int fail(struct relay *r, int err, const char *fmt, ...)
{
	va_list ap;

	if (r->ctx.err) {
		va_start(ap, fmt);
		rig_errmsg_vset(r->ctx.err, fmt, ap);
		va_end(ap);
	}
	finish(r, err, RIG_POWER_UNKNOWN);
	return err;
}

static void report_cb(struct rig_loop *loop, void *arg)
{
	struct relay *r = arg;
	rig_power_done_fn *done = r->done;

	RIG_UNUSED(loop);
	r->timer = NULL;
	r->phase = PH_IDLE;
	r->done = NULL;
	if (done)
		/* a switch is done when its frame was written; a status read now */
		done(r->arg, r->result, r->result < 0 || r->get ? rig_now_ns() : r->t_written, r->state);   /* may close r */
}

static void timeout_cb(struct rig_loop *loop, void *arg)
{
	struct relay *r = arg;
	char got[200];

	RIG_UNUSED(loop);
	r->timer = NULL;
	if (r->phase == PH_WRITE || r->phase == PH_QUERY) {
		/* A frame left in the output queue must not switch the relay
		 * later, when nobody expects it: discard it. */
		if (r->fd >= 0)
			tcflush(r->fd, TCOFLUSH);
		fail(r, -ETIMEDOUT, "%s: the port accepted no bytes for %llu ms (output discarded)", r->path,
		     (unsigned long long)(r->timeout_ns / RIG_NS_PER_MS));
		return;
	}
	hex(r->in, r->in_n, got, sizeof(got));
	fail(r, -ETIMEDOUT, "%s: no state reply within %llu ms (received: %s)", r->path,
	     (unsigned long long)(r->timeout_ns / RIG_NS_PER_MS), r->in_n ? got : "nothing");
}

static void start_query(struct relay *r);

static void delay_cb(struct rig_loop *loop, void *arg)
{
	struct relay *r = arg;

	RIG_UNUSED(loop);
	r->timer = NULL;
	start_query(r);
}

/* Write what is left of r->out; 0 when all is written, 1 when waiting for
 * writability, or -errno (the operation has failed). */
static int write_some(struct relay *r)
{
	while (r->out_off < r->out->n) {
		ssize_t w = write(r->fd, r->out->b + r->out_off, r->out->n - r->out_off);

		if (w > 0) {
			r->out_off += (size_t)w;
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			watch(r, RIG_EV_READ | RIG_EV_WRITE);
			return 1;
		}
		{
			int e = w < 0 ? -errno : -EIO;

			port_close(r);
			return fail(r, e == -EIO || e == -ENXIO ? -ENODEV : e, "%s: write failed: %s (the board is gone?)",
				    r->path, strerror(-e));
		}
	}
	watch(r, RIG_EV_READ);
	return 0;
}

/* The whole frame or query is with the tty driver. */
static void written(struct relay *r)
{
	rig_loop_cancel_timer(r->ctx.loop, r->timer);
	r->timer = NULL;
	if (r->phase == PH_WRITE) {
		char b[SEQ_MAX * 3 + 1];

		r->t_written = rig_now_ns();
		hex(r->out->b, r->out->n, b, sizeof(b));
		rig_drv_event(&r->ctx, "power.serial", "{\"op\":\"%s\",\"frame\":\"%s\"}", r->on ? "on" : "off", b);
		if (!r->on && r->query.n) {
			/* confirm the off by reading the state back */
			r->phase = PH_DELAY;
			r->timer = rig_loop_add_timer(r->ctx.loop, r->t_written + r->query_delay_ns, delay_cb, r);
			return;
		}
		finish(r, 0, r->on ? RIG_POWER_ON : RIG_POWER_OFF);
		return;
	}
	/* the query: wait for the reply */
	r->phase = PH_REPLY;
	r->timer = rig_loop_add_timer(r->ctx.loop, rig_now_ns() + r->timeout_ns, timeout_cb, r);
}

static void start_write(struct relay *r, enum phase phase, const struct seq *s)
{
	int w;

	r->phase = phase;
	r->out = s;
	r->out_off = 0;
	w = write_some(r);
	if (w == 0)
		written(r);
	else if (w == 1)
		r->timer = rig_loop_add_timer(r->ctx.loop, rig_now_ns() + r->timeout_ns, timeout_cb, r);
}

static void start_query(struct relay *r)
{
	uint8_t junk[256];

	/* what the board said before the query is not the reply */
	while (read(r->fd, junk, sizeof(junk)) > 0)
		;
	r->in_n = 0;
	start_write(r, PH_QUERY, &r->query);
}

static void got_reply(struct relay *r)
{
	bool on = rig_readback_contains(r->in, r->in_n, r->reply[1].b, r->reply[1].n);
	bool off = rig_readback_contains(r->in, r->in_n, r->reply[0].b, r->reply[0].n);
	enum rig_power_state st = on ? RIG_POWER_ON : RIG_POWER_OFF;
	char got[200];

	if (!on && !off)
		return;   /* not yet */
	hex(r->in, r->in_n, got, sizeof(got));
	rig_drv_event(&r->ctx, "power.serial", "{\"op\":\"%s\",\"reply\":\"%s\",\"state\":\"%s\"}",
		      r->get ? "status" : "off", got, on && off ? "?" : on ? "on" : "off");
	if (on && off) {
		fail(r, -EPROTO, "%s: the state reply matches both reply_on and reply_off: %s", r->path, got);
		return;
	}
	if (!r->get && st == RIG_POWER_ON) {
		fail(r, -EIO, "%s: power off: the frame was sent but the board reads back on (reply %s)", r->path, got);
		return;
	}
	finish(r, 0, st);
}

static void on_io(struct rig_loop *loop, int fd, unsigned events, void *arg)
{
	struct relay *r = arg;
	uint8_t buf[256];

	RIG_UNUSED(loop);
	if (events & RIG_EV_WRITE && (r->phase == PH_WRITE || r->phase == PH_QUERY)) {
		int w = write_some(r);

		if (w < 0)
			return;
		if (w == 0)
			written(r);
	}
	if (!(events & (RIG_EV_READ | RIG_EV_HUP | RIG_EV_ERR)) || r->fd != fd)
		return;
	for (int i = 0; i < 16; i++) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n > 0) {
			if (r->phase != PH_REPLY)
				continue;   /* chatter outside a query is ignored */
			if (r->in_n + (size_t)n > sizeof(r->in)) {
				/* keep the newest bytes */
				size_t keep = sizeof(r->in) - (size_t)n;

				memmove(r->in, r->in + r->in_n - keep, keep);
				r->in_n = keep;
			}
			memcpy(r->in + r->in_n, buf, (size_t)n);
			r->in_n += (size_t)n;
			got_reply(r);
			if (r->phase != PH_REPLY)
				return;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR) && !(events & (RIG_EV_HUP | RIG_EV_ERR)))
			return;
		/* EOF, EIO or a hang-up: the board is gone; reopen at the next operation */
		rig_drv_event(&r->ctx, "power.serial", "{\"port\":\"lost\"}");
		port_close(r);
		if (r->phase != PH_IDLE && r->phase != PH_REPORT)
			fail(r, -ENODEV, "%s: the relay board went away", r->path);
		return;
	}
}

static int begin(struct relay *r, bool get, bool on, rig_power_done_fn *done, void *arg)
{
	int e;

	if (r->phase != PH_IDLE)
		return rig_drv_fail(&r->ctx, -EBUSY, "a relay operation is already running");
	if (r->fd < 0) {
		e = port_open(r);
		if (e < 0)
			return e;
	}
	r->get = get;
	r->on = on;
	r->done = done;
	r->arg = arg;
	r->result = 0;
	r->state = RIG_POWER_UNKNOWN;
	if (get)
		start_query(r);
	else
		start_write(r, PH_WRITE, &r->frame[on]);
	return 0;
}

static int relay_set(void *handle, bool on, rig_power_done_fn *done, void *arg)
{
	return begin(handle, false, on, done, arg);
}

static int relay_get(void *handle, rig_power_done_fn *done, void *arg)
{
	struct relay *r = handle;

	if (!r->query.n)
		return rig_drv_fail(&r->ctx, -ENOTSUP, "no power.query: this relay board's state cannot be read back");
	return begin(r, true, false, done, arg);
}

static void relay_close(void *handle)
{
	struct relay *r = handle;

	if (!r)
		return;
	rig_loop_cancel_timer(r->ctx.loop, r->timer);
	port_close(r);
	free(r->path);
	free(r);
}

static int relay_open(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, void **handle)
{
	struct relay *r = rig_xcalloc(1, sizeof(*r));
	int e;

	r->ctx = *ctx;
	r->fd = -1;
	r->path = rig_xstrdup(rig_cfg_str(cfg, "port", ""));
	e = parse(ctx, cfg, r);
	if (e == 0)
		e = port_open(r);
	if (e < 0) {
		relay_close(r);
		return e;
	}
	*handle = r;
	return 0;
}

const struct rig_power_ops rig_power_serial_relay = {
	.name = "serial-relay",
	.opts = relay_opts,
	.precision = "the frame was handed to the tty driver; UART, USB adapter and relay coil follow "
		     "(assume 30 ms at 9600 baud)",
	.precision_ns = 30 * RIG_NS_PER_MS,
	.open = relay_open,
	.close = relay_close,
	.set = relay_set,
	.get = relay_get,
	.confirms_off = true,   /* set() queries the board after its frame, where it can */
};
