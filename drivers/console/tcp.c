/* Console driver `tcp`: a raw TCP console such as a ser2net "raw" port or a
 * terminal server. The connection drops when ser2net loses its adapter (a
 * board-powered USB serial adapter vanishes at every cut) or restarts: the
 * driver reports the link down once, reconnects every reconnect_ms on a
 * timer (no CPU while it is gone), and records the gap when it is back.
 * Bytes read before a failure are delivered before the link goes down.
 *
 * The first connection is made at open, bounded by connect_timeout_ms, so a
 * wrong host or port is an error at once; later ones are non-blocking. A
 * host name is resolved once, at open. Telnet (RFC 2217) ports are not
 * supported: configure ser2net's port as raw. */
#include "driver.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct rig_opt tcp_opts[] = {
	{ "host", RIG_OPT_STRING, true, "host of the console server (a name is resolved once, at open)" },
	{ "port", RIG_OPT_INT, true, "TCP port (ser2net: a raw port)" },
	{ "reconnect_ms", RIG_OPT_INT, false, "retry period while the connection is down (default 200)" },
	{ "connect_timeout_ms", RIG_OPT_INT, false, "first connection at open, and each retry (default 2000)" },
	{ NULL, 0, false, NULL },
};

struct tcpcon {
	struct rig_drv_ctx ctx;
	struct rig_console_sink sink;
	char *host;
	int port;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	uint64_t reconnect_ns, connect_timeout_ns;
	int fd;
	bool connecting, up;
	struct rig_timer *timer;    /* retry, or connect timeout */
	uint64_t t_down;
	unsigned attempts;
};

static void on_io(struct rig_loop *loop, int fd, unsigned events, void *arg);
static void lost(struct tcpcon *t, const char *why);

static void sock_close(struct tcpcon *t)
{
	if (t->fd < 0)
		return;
	rig_loop_del_fd(t->ctx.loop, t->fd);
	close(t->fd);
	t->fd = -1;
	t->connecting = false;
}

/* Start a non-blocking connect; 0 connected, 1 in progress, -errno. */
static int start_connect(struct tcpcon *t)
{
	int fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&t->addr, t->addrlen) == 0) {
		t->fd = fd;
		return 0;
	}
	if (errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		return -e;
	}
	t->fd = fd;
	return 1;
}

static int sock_error(int fd)
{
	int e = 0;
	socklen_t len = sizeof(e);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		return errno;
	return e;
}

static void retry_cb(struct rig_loop *loop, void *arg);

static void schedule_retry(struct tcpcon *t)
{
	rig_loop_cancel_timer(t->ctx.loop, t->timer);
	t->timer = rig_loop_add_timer(t->ctx.loop, rig_now_ns() + t->reconnect_ns, retry_cb, t);
}

static void became_up(struct tcpcon *t)
{
	uint64_t now = rig_now_ns();

	t->connecting = false;
	rig_loop_mod_fd(t->ctx.loop, t->fd, RIG_EV_READ);
	if (!t->up && t->t_down) {
		rig_drv_event(&t->ctx, "console.gap", "{\"host\":\"%s\",\"port\":%d,\"ms\":%.1f,\"attempts\":%u}",
			      t->host, t->port, (double)(now - t->t_down) / 1e6, t->attempts);
		if (t->sink.link)
			t->sink.link(t->sink.arg, true, now, "reconnected");
	}
	t->up = true;
}

static void connect_timeout_cb(struct rig_loop *loop, void *arg)
{
	struct tcpcon *t = arg;

	RIG_UNUSED(loop);
	t->timer = NULL;
	sock_close(t);
	schedule_retry(t);
}

static void retry_cb(struct rig_loop *loop, void *arg)
{
	struct tcpcon *t = arg;
	int r;

	RIG_UNUSED(loop);
	t->timer = NULL;
	t->attempts++;
	r = start_connect(t);
	if (r < 0) {
		schedule_retry(t);
		return;
	}
	if (rig_loop_add_fd(t->ctx.loop, t->fd, r == 1 ? RIG_EV_WRITE : RIG_EV_READ, on_io, t) < 0) {
		sock_close(t);
		schedule_retry(t);
		return;
	}
	if (r == 1) {
		t->connecting = true;
		t->timer = rig_loop_add_timer(t->ctx.loop, rig_now_ns() + t->connect_timeout_ns, connect_timeout_cb, t);
		return;
	}
	became_up(t);
}

static void lost(struct tcpcon *t, const char *why)
{
	sock_close(t);
	if (t->up) {
		t->up = false;
		t->t_down = rig_now_ns();
		t->attempts = 0;
		if (t->sink.link)
			t->sink.link(t->sink.arg, false, t->t_down, why);
	}
	schedule_retry(t);
}

static void on_io(struct rig_loop *loop, int fd, unsigned events, void *arg)
{
	struct tcpcon *t = arg;
	uint8_t buf[4096];

	RIG_UNUSED(loop);
	if (t->connecting) {
		int e = sock_error(fd);

		rig_loop_cancel_timer(t->ctx.loop, t->timer);
		t->timer = NULL;
		if (e) {
			sock_close(t);
			schedule_retry(t);
			return;
		}
		became_up(t);
		return;
	}
	for (int i = 0; i < 16; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n > 0) {
			t->sink.input(t->sink.arg, buf, (size_t)n, rig_now_ns());
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (events & (RIG_EV_HUP | RIG_EV_ERR))
				break;
			return;
		}
		break;   /* 0: the server closed; ECONNRESET and friends */
	}
	lost(t, "the console server closed the connection");
}

static int resolve(struct tcpcon *t)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	char port[16];
	int r;

	snprintf(port, sizeof(port), "%d", t->port);
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	r = getaddrinfo(t->host, port, &hints, &res);
	if (r == EAI_NONAME) {
		hints.ai_flags = AI_NUMERICSERV;
		r = getaddrinfo(t->host, port, &hints, &res);
	}
	if (r != 0)
		return rig_drv_fail(&t->ctx, -EHOSTUNREACH, "console.host '%s': %s", t->host, gai_strerror(r));
	memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
	t->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int tcp_open(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, int peer_fd,
		    const struct rig_console_sink *sink, void **handle)
{
	struct tcpcon *t = rig_xcalloc(1, sizeof(*t));
	int r;

	RIG_UNUSED(peer_fd);
	t->ctx = *ctx;
	t->sink = *sink;
	t->fd = -1;
	t->host = rig_xstrdup(rig_cfg_str(cfg, "host", ""));
	t->port = (int)rig_cfg_int(cfg, "port", 0);
	t->reconnect_ns = (uint64_t)rig_cfg_int(cfg, "reconnect_ms", 200) * RIG_NS_PER_MS;
	t->connect_timeout_ns = (uint64_t)rig_cfg_int(cfg, "connect_timeout_ms", 2000) * RIG_NS_PER_MS;
	if (t->port <= 0 || t->port > 65535) {
		r = rig_drv_fail(ctx, -EINVAL, "console.port: expected 1 to 65535, got %d", t->port);
		goto fail;
	}
	if (!t->reconnect_ns || !t->connect_timeout_ns) {
		r = rig_drv_fail(ctx, -EINVAL, "console.reconnect_ms and connect_timeout_ms must be > 0");
		goto fail;
	}
	r = resolve(t);
	if (r < 0)
		goto fail;
	r = start_connect(t);
	if (r == 1) {
		/* the one bounded wait: the first connection, at open */
		struct pollfd p = { .fd = t->fd, .events = POLLOUT };
		int n = poll(&p, 1, (int)(t->connect_timeout_ns / RIG_NS_PER_MS));
		int e = n == 1 ? sock_error(t->fd) : ETIMEDOUT;

		if (e) {
			close(t->fd);
			t->fd = -1;
			r = -e;
		} else {
			r = 0;
		}
	}
	if (r < 0) {
		r = rig_drv_fail(ctx, r, "console %s:%d: cannot connect: %s", t->host, t->port, strerror(-r));
		goto fail;
	}
	if (rig_loop_add_fd(ctx->loop, t->fd, RIG_EV_READ, on_io, t) < 0) {
		close(t->fd);
		r = rig_drv_fail(ctx, -EIO, "console %s:%d: cannot watch the socket", t->host, t->port);
		goto fail;
	}
	t->up = true;
	*handle = t;
	return 0;
fail:
	free(t->host);
	free(t);
	return r;
}

static void tcp_close(void *handle)
{
	struct tcpcon *t = handle;

	if (!t)
		return;
	rig_loop_cancel_timer(t->ctx.loop, t->timer);
	sock_close(t);
	free(t->host);
	free(t);
}

static ssize_t tcp_write(void *handle, const void *buf, size_t n)
{
	struct tcpcon *t = handle;
	ssize_t w;

	if (t->fd < 0 || t->connecting)
		return -ENODEV;
	w = send(t->fd, buf, n, MSG_NOSIGNAL);
	if (w < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return w;
}

static void tcp_drain(void *handle)
{
	struct tcpcon *t = handle;

	if (t->fd >= 0 && !t->connecting)
		on_io(t->ctx.loop, t->fd, RIG_EV_READ, t);
}

const struct rig_console_ops rig_console_tcp = {
	.name = "tcp",
	.opts = tcp_opts,
	.open = tcp_open,
	.close = tcp_close,
	.write = tcp_write,
	.drain = tcp_drain,
};
