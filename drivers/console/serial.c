/* Console driver `serial` (libserialport): any tty or pty path, including
 * /dev/serial/by-id/... links, or a USB adapter named by VID:PID[:serial].
 * USB serial adapters powered by the board vanish at every cut: when the port
 * fails, the driver closes it, reports the link down once, and waits for the
 * node to come back — woken by the kernel's uevents (a tty appeared) and by
 * inotify on the directory of the path (udev's by-id/by-path links, a node
 * recreated) — with a slow fallback timer (reopen_ms) for nodes that raise
 * neither. No busy loop, no CPU while the port is gone; the line settings
 * are reapplied at every reopen, and the gap is recorded with what woke it.
 *
 * libserialport 0.1.1 does not open ptys (nor some unusual ttys): for a path
 * it refuses, the driver opens the device itself and applies the same line
 * settings with termios. */
#include "driver.h"
#include "uevent.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sys/inotify.h>
#include <fcntl.h>
#include <libserialport.h>
#include <termios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct rig_opt serial_opts[] = {
	{ "path", RIG_OPT_STRING, false, "the port: /dev/ttyUSB0, /dev/serial/by-id/..., a pty" },
	{ "usb", RIG_OPT_STRING, false, "or the USB adapter: \"VID:PID\" or \"VID:PID:SERIAL\" (hex ids)" },
	{ "baud", RIG_OPT_INT, false, "baud rate (default 115200)" },
	{ "data_bits", RIG_OPT_INT, false, "5-8 (default 8)" },
	{ "parity", RIG_OPT_STRING, false, "none, odd, even, mark, space (default none)" },
	{ "stop_bits", RIG_OPT_INT, false, "1 or 2 (default 1)" },
	{ "flow", RIG_OPT_STRING, false, "none, xonxoff, rtscts, dtrdsr (default none)" },
	{ "reopen_ms", RIG_OPT_INT, false,
	  "fallback retry period while the port is gone (default 1000; uevents and inotify wake it at once)" },
	{ NULL, 0, false, NULL },
};

struct serial {
	struct rig_drv_ctx ctx;
	struct rig_console_sink sink;
	char *path;
	int baud, bits, stopbits;
	enum sp_parity parity;
	enum sp_flowcontrol flow;
	uint64_t reopen_ns;
	struct sp_port *port;       /* libserialport, or NULL with fd >= 0: termios */
	int fd;
	struct rig_timer *retry;
	uint64_t t_down;
	unsigned attempts;
	char *usb;                  /* "VID:PID[:SERIAL]", or NULL: path */
	char *node;                 /* what was opened last (the path, or /dev/ttyX of the adapter) */
	int ino_fd, nl_fd;          /* while the port is gone: inotify, uevents */
};

static int parse(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, struct serial *s)
{
	const char *par = rig_cfg_str(cfg, "parity", "none");
	const char *flow = rig_cfg_str(cfg, "flow", "none");

	s->baud = (int)rig_cfg_int(cfg, "baud", 115200);
	s->bits = (int)rig_cfg_int(cfg, "data_bits", 8);
	s->stopbits = (int)rig_cfg_int(cfg, "stop_bits", 1);
	s->reopen_ns = (uint64_t)rig_cfg_int(cfg, "reopen_ms", 1000) * RIG_NS_PER_MS;
	if (!s->reopen_ns)
		return rig_drv_fail(ctx, -EINVAL, "console.reopen_ms: expected > 0");
	if (s->baud <= 0)
		return rig_drv_fail(ctx, -EINVAL, "console.baud: expected a positive rate, got %d", s->baud);
	if (s->bits < 5 || s->bits > 8)
		return rig_drv_fail(ctx, -EINVAL, "console.data_bits: expected 5 to 8, got %d", s->bits);
	if (s->stopbits != 1 && s->stopbits != 2)
		return rig_drv_fail(ctx, -EINVAL, "console.stop_bits: expected 1 or 2, got %d", s->stopbits);
	if (!strcmp(par, "none")) s->parity = SP_PARITY_NONE;
	else if (!strcmp(par, "odd")) s->parity = SP_PARITY_ODD;
	else if (!strcmp(par, "even")) s->parity = SP_PARITY_EVEN;
	else if (!strcmp(par, "mark")) s->parity = SP_PARITY_MARK;
	else if (!strcmp(par, "space")) s->parity = SP_PARITY_SPACE;
	else return rig_drv_fail(ctx, -EINVAL, "console.parity: expected none, odd, even, mark or space, got '%s'", par);
	if (!strcmp(flow, "none")) s->flow = SP_FLOWCONTROL_NONE;
	else if (!strcmp(flow, "xonxoff")) s->flow = SP_FLOWCONTROL_XONXOFF;
	else if (!strcmp(flow, "rtscts")) s->flow = SP_FLOWCONTROL_RTSCTS;
	else if (!strcmp(flow, "dtrdsr")) s->flow = SP_FLOWCONTROL_DTRDSR;
	else return rig_drv_fail(ctx, -EINVAL, "console.flow: expected none, xonxoff, rtscts or dtrdsr, got '%s'", flow);
	return 0;
}

static void on_read(struct rig_loop *loop, int fd, unsigned events, void *arg);
static void port_lost(struct serial *s, const char *why);

static speed_t speed_of(int baud)
{
	static const struct { int baud; speed_t sp; } t[] = {
		{ 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
		{ 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 }, { 921600, B921600 },
		{ 1500000, B1500000 }, { 3000000, B3000000 },
	};

	for (size_t i = 0; i < RIG_ARRAY_SIZE(t); i++)
		if (t[i].baud == baud)
			return t[i].sp;
	return 0;
}

/* The termios path: ptys and whatever libserialport refuses. */
static int open_termios(struct serial *s, bool first)
{
	struct termios tio;
	speed_t sp = speed_of(s->baud);
	int fd = open(s->node, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		int e = -errno;

		return first ? rig_drv_fail(&s->ctx, e, "%s: cannot open: %s", s->node, strerror(-e)) : e;
	}
	if (tcgetattr(fd, &tio) == 0) {
		cfmakeraw(&tio);
		if (sp) {
			cfsetispeed(&tio, sp);
			cfsetospeed(&tio, sp);
		}
		tio.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
		tio.c_cflag |= CLOCAL | CREAD;
		tio.c_cflag |= s->bits == 5 ? CS5 : s->bits == 6 ? CS6 : s->bits == 7 ? CS7 : CS8;
		if (s->parity == SP_PARITY_ODD)
			tio.c_cflag |= PARENB | PARODD;
		else if (s->parity == SP_PARITY_EVEN)
			tio.c_cflag |= PARENB;
		if (s->stopbits == 2)
			tio.c_cflag |= CSTOPB;
		if (s->flow == SP_FLOWCONTROL_RTSCTS)
			tio.c_cflag |= CRTSCTS;
		if (s->flow == SP_FLOWCONTROL_XONXOFF)
			tio.c_iflag |= IXON | IXOFF;
		/* a pty ignores most of this; a real tty that refuses it is an error */
		if (tcsetattr(fd, TCSANOW, &tio) < 0 && strncmp(s->node, "/dev/pts/", 9)) {
			int e = -errno;

			close(fd);
			return first ? rig_drv_fail(&s->ctx, e, "%s: cannot apply line settings: %s", s->node,
						    strerror(-e)) : e;
		}
	}
	if (rig_loop_add_fd(s->ctx.loop, fd, RIG_EV_READ, on_read, s) < 0) {
		close(fd);
		return first ? rig_drv_fail(&s->ctx, -EIO, "%s: cannot watch the port", s->node) : -EIO;
	}
	s->port = NULL;
	s->fd = fd;
	return 0;
}

/* Open and configure; 0, or -errno with a message for the first open. */
static char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return rig_xstrdup(v && *v ? v : dflt);
}

static bool read_attr(const char *dir, const char *name, char *buf, size_t n)
{
	char path[PATH_MAX];
	FILE *f;
	size_t k;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return false;
	k = fread(buf, 1, n - 1, f);
	fclose(f);
	while (k && (buf[k - 1] == '\n' || buf[k - 1] == ' '))
		k--;
	buf[k] = '\0';
	return true;
}

/* The tty of the USB adapter VID:PID[:SERIAL] now (its name changes at every
 * re-enumeration): the class/tty entry whose USB ancestor matches. Roots
 * from RIG_SYSFS_ROOT and RIG_DEV_ROOT (tests). NULL if absent. */
static char *resolve_usb(const char *spec)
{
	char vid[8] = "", pid[8] = "", serial[128] = "";
	char *sys = env_or("RIG_SYSFS_ROOT", "/sys"), *dev = env_or("RIG_DEV_ROOT", "/dev");
	char cls[PATH_MAX], *found = NULL;
	DIR *d;
	struct dirent *de;

	sscanf(spec, "%7[0-9a-fA-F]:%7[0-9a-fA-F]:%127s", vid, pid, serial);
	snprintf(cls, sizeof(cls), "%s/class/tty", sys);
	d = opendir(cls);
	while (d && !found && (de = readdir(d))) {
		char link[PATH_MAX + 300], real[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s/device", cls, de->d_name);
		if (!realpath(link, real))
			continue;
		for (int up = 0; up < 6 && strlen(real) > strlen(sys); up++) {
			char v[16], p[16], sn[128] = "";
			char *slash;

			if (read_attr(real, "idVendor", v, sizeof(v)) && read_attr(real, "idProduct", p, sizeof(p))) {
				read_attr(real, "serial", sn, sizeof(sn));
				if (!strcasecmp(v, vid) && !strcasecmp(p, pid) && (!serial[0] || !strcmp(sn, serial)))
					found = rig_xasprintf("%s/%s", dev, de->d_name);
				break;
			}
			slash = strrchr(real, '/');
			if (!slash)
				break;
			*slash = '\0';
		}
	}
	if (d)
		closedir(d);
	free(sys);
	free(dev);
	return found;
}

static int port_open(struct serial *s, bool first)
{
	struct sp_port *port = NULL;
	bool pty;
	char real[4096];
	int fd, r;

	free(s->node);
	s->node = s->usb ? resolve_usb(s->usb) : rig_xstrdup(s->path);
	if (!s->node)
		return first ? rig_drv_fail(&s->ctx, -ENOENT, "no USB serial adapter %s is plugged in", s->usb)
			     : -ENOENT;
	pty = !strncmp(s->node, "/dev/pts/", 9);
	if (realpath(s->node, real))
		pty = pty || !strncmp(real, "/dev/pts/", 9);
	else if (errno == ENOENT)
		return first ? rig_drv_fail(&s->ctx, -ENOENT, "%s: no such port", s->node) : -ENOENT;
	if (pty || (sp_get_port_by_name(s->node, &port) != SP_OK &&
		    sp_get_port_by_name(real, &port) != SP_OK))
		return open_termios(s, first);
	if (sp_open(port, SP_MODE_READ_WRITE) != SP_OK) {
		char *msg = sp_last_error_message();

		r = -ENOENT;
		if (first)
			rig_drv_fail(&s->ctx, r, "%s: cannot open: %s", s->node, msg ? msg : "?");
		sp_free_error_message(msg);
		sp_free_port(port);
		return r;
	}
	/* Settings a pty does not support are recorded, not fatal; on a real
	 * tty they are. */
	if (sp_set_baudrate(port, s->baud) != SP_OK || sp_set_bits(port, s->bits) != SP_OK ||
	    sp_set_parity(port, s->parity) != SP_OK || sp_set_stopbits(port, s->stopbits) != SP_OK ||
	    sp_set_flowcontrol(port, s->flow) != SP_OK) {
		char *msg = sp_last_error_message();

		if (!pty) {
			if (first)
				rig_drv_fail(&s->ctx, -EIO, "%s: cannot apply line settings: %s", s->node,
					     msg ? msg : "?");
			sp_free_error_message(msg);
			sp_close(port);
			sp_free_port(port);
			return -EIO;
		}
		rig_drv_event(&s->ctx, "console.settings", "{\"path\":\"%s\",\"note\":\"a pty ignores some line settings\"}",
			      s->node);
		sp_free_error_message(msg);
	}
	if (sp_get_port_handle(port, &fd) != SP_OK) {
		sp_close(port);
		sp_free_port(port);
		return first ? rig_drv_fail(&s->ctx, -EIO, "%s: no fd", s->node) : -EIO;
	}
	rig_fd_set_nonblock(fd);
	rig_fd_set_cloexec(fd);
	r = rig_loop_add_fd(s->ctx.loop, fd, RIG_EV_READ, on_read, s);
	if (r < 0) {
		sp_close(port);
		sp_free_port(port);
		return first ? rig_drv_fail(&s->ctx, r, "%s: cannot watch the port", s->node) : r;
	}
	s->port = port;
	s->fd = fd;
	return 0;
}

static void port_close(struct serial *s)
{
	if (s->fd < 0)
		return;
	rig_loop_del_fd(s->ctx.loop, s->fd);
	if (s->port) {
		sp_close(s->port);
		sp_free_port(s->port);
	} else {
		close(s->fd);
	}
	s->port = NULL;
	s->fd = -1;
}

static void watch_stop(struct serial *s)
{
	if (s->ino_fd >= 0) {
		rig_loop_del_fd(s->ctx.loop, s->ino_fd);
		close(s->ino_fd);
		s->ino_fd = -1;
	}
	if (s->nl_fd >= 0) {
		rig_loop_del_fd(s->ctx.loop, s->nl_fd);
		close(s->nl_fd);
		s->nl_fd = -1;
	}
}

/* Watch the nearest existing directory on the way to the node: its
 * directory, or an ancestor while that is gone (udev removes an empty
 * /dev/serial/by-id). Re-armed at every wake. */
static void watch_dir(struct serial *s)
{
	char dir[PATH_MAX], *slash;

	if (s->ino_fd < 0)
		return;
	if (s->usb) {
		char *dev = env_or("RIG_DEV_ROOT", "/dev");

		snprintf(dir, sizeof(dir), "%s", dev);
		free(dev);
	} else {
		snprintf(dir, sizeof(dir), "%s", s->path);
		slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		else
			snprintf(dir, sizeof(dir), ".");
	}
	for (;;) {
		if (inotify_add_watch(s->ino_fd, dir[0] ? dir : "/", IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF |
				      IN_MOVE_SELF | IN_ONLYDIR) >= 0 || !dir[0])
			return;
		slash = strrchr(dir, '/');
		if (!slash)
			return;
		*slash = '\0';
	}
}

static bool try_reopen(struct serial *s, const char *woke)
{
	uint64_t now;

	s->attempts++;
	if (port_open(s, false) < 0)
		return false;
	now = rig_now_ns();
	watch_stop(s);
	rig_loop_cancel_timer(s->ctx.loop, s->retry);
	s->retry = NULL;
	rig_drv_event(&s->ctx, "console.gap", "{\"path\":\"%s\",\"node\":\"%s\",\"ms\":%.1f,\"attempts\":%u,"
		      "\"woken_by\":\"%s\"}", s->usb ? s->usb : s->path, s->node, (double)(now - s->t_down) / 1e6,
		      s->attempts, woke);
	if (s->sink.link)
		s->sink.link(s->sink.arg, true, now, "reopened");
	return true;
}

static void on_watch(struct rig_loop *loop, int fd, unsigned events, void *arg)
{
	struct serial *s = arg;
	char buf[8192] __attribute__((aligned(8)));
	bool tty_added = false, inotified = fd == s->ino_fd;
	ssize_t n;

	RIG_UNUSED(loop);
	RIG_UNUSED(events);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		struct rig_uevent ev;

		if (fd == s->nl_fd && rig_uevent_parse(buf, (size_t)n, &ev) == 0 && !strcmp(ev.subsystem, "tty") &&
		    !strcmp(ev.action, "add"))
			tty_added = true;
	}
	if (inotified) {
		/* the directory may have changed under the watch: re-arm */
		close(s->ino_fd);
		rig_loop_del_fd(s->ctx.loop, fd);
		s->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (s->ino_fd >= 0 && rig_loop_add_fd(s->ctx.loop, s->ino_fd, RIG_EV_READ, on_watch, s) < 0) {
			close(s->ino_fd);
			s->ino_fd = -1;
		}
		watch_dir(s);
	}
	if (inotified || tty_added)
		try_reopen(s, inotified ? "inotify" : "uevent");
}

static void watch_start(struct serial *s)
{
	s->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->ino_fd >= 0 && rig_loop_add_fd(s->ctx.loop, s->ino_fd, RIG_EV_READ, on_watch, s) < 0) {
		close(s->ino_fd);
		s->ino_fd = -1;
	}
	watch_dir(s);
	s->nl_fd = rig_uevent_socket();     /* may fail in a container: inotify and the timer remain */
	if (s->nl_fd >= 0 && rig_loop_add_fd(s->ctx.loop, s->nl_fd, RIG_EV_READ, on_watch, s) < 0) {
		close(s->nl_fd);
		s->nl_fd = -1;
	}
}

static void retry_cb(struct rig_loop *loop, void *arg)
{
	struct serial *s = arg;

	RIG_UNUSED(loop);
	s->retry = NULL;
	if (!try_reopen(s, "timer"))
		s->retry = rig_loop_add_timer(s->ctx.loop, rig_now_ns() + s->reopen_ns, retry_cb, s);
}

static void port_lost(struct serial *s, const char *why)
{
	port_close(s);
	s->t_down = rig_now_ns();
	s->attempts = 0;
	if (s->sink.link)
		s->sink.link(s->sink.arg, false, s->t_down, why);
	watch_start(s);
	/* the node may be back already (a quick re-enumeration) */
	if (try_reopen(s, "at once"))
		return;
	s->retry = rig_loop_add_timer(s->ctx.loop, s->t_down + s->reopen_ns, retry_cb, s);
}

/* Read up to max_reads buffers into the sink. Returns true when the port is
 * drained (EAGAIN) or was lost, false when bytes may remain: a busy port,
 * not a lost one — the fd stays readable, so the loop comes back to it
 * after the other sources had a turn. */
static bool read_some(struct serial *s, unsigned events, int max_reads)
{
	uint8_t buf[4096];

	for (int i = 0; i < max_reads; i++) {
		ssize_t n = read(s->fd, buf, sizeof(buf));

		if (n > 0) {
			/* bytes that arrived before a failure are delivered first */
			s->sink.input(s->sink.arg, buf, (size_t)n, rig_now_ns());
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR) && !(events & (RIG_EV_HUP | RIG_EV_ERR)))
			return true;
		port_lost(s, "the port went away");   /* EOF, EIO, ENODEV, or hung up and drained */
		return true;
	}
	return false;
}

static void on_read(struct rig_loop *loop, int fd, unsigned events, void *arg)
{
	RIG_UNUSED(loop);
	RIG_UNUSED(fd);
	read_some(arg, events, 16);
}

static void serial_drain(void *handle)
{
	struct serial *s = handle;

	/* everything the kernel holds, but not forever on a streaming port */
	if (s->fd >= 0)
		read_some(s, RIG_EV_READ, 256);
}

static int serial_open(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, int peer_fd,
		       const struct rig_console_sink *sink, void **handle)
{
	struct serial *s = rig_xcalloc(1, sizeof(*s));
	int r;

	RIG_UNUSED(peer_fd);
	s->ctx = *ctx;
	s->sink = *sink;
	s->fd = -1;
	s->ino_fd = s->nl_fd = -1;
	s->path = rig_xstrdup(rig_cfg_str(cfg, "path", ""));
	if (rig_cfg_has(cfg, "usb"))
		s->usb = rig_xstrdup(rig_cfg_str(cfg, "usb", ""));
	r = parse(ctx, cfg, s);
	if (r == 0 && !s->path[0] == !s->usb)
		r = rig_drv_fail(ctx, -EINVAL, "console: give either path or usb");
	if (r == 0 && s->usb) {
		unsigned v, p;

		if (sscanf(s->usb, "%4x:%4x", &v, &p) != 2)
			r = rig_drv_fail(ctx, -EINVAL, "console.usb: expected VID:PID or VID:PID:SERIAL in hex, got '%s'",
					 s->usb);
	}
	if (r == 0)
		r = port_open(s, true);
	if (r < 0) {
		free(s->path);
		free(s->usb);
		free(s->node);
		free(s);
		return r;
	}
	*handle = s;
	return 0;
}

static void serial_close(void *handle)
{
	struct serial *s = handle;

	if (!s)
		return;
	rig_loop_cancel_timer(s->ctx.loop, s->retry);
	watch_stop(s);
	port_close(s);
	free(s->path);
	free(s->usb);
	free(s->node);
	free(s);
}

static ssize_t serial_write(void *handle, const void *buf, size_t n)
{
	struct serial *s = handle;
	ssize_t w;

	if (s->fd < 0)
		return -ENODEV;
	w = write(s->fd, buf, n);
	if (w < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return w;
}

const struct rig_console_ops rig_console_serial = {
	.name = "serial",
	.opts = serial_opts,
	.open = serial_open,
	.close = serial_close,
	.write = serial_write,
	.drain = serial_drain,
};
