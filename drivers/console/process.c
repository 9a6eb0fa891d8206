/* Console driver `process`: the pty of the `process` power driver. The power
 * driver owns the pty (it outlives power cycles); this driver only watches
 * its master in the loop and writes to it. */
#include "driver.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static const struct rig_opt pconsole_opts[] = {
	{ NULL, 0, false, NULL },
};

struct pcon {
	struct rig_loop *loop;
	int fd;
	struct rig_console_sink sink;
};

static void on_read(struct rig_loop *loop, int fd, unsigned events, void *arg)
{
	struct pcon *c = arg;
	uint8_t buf[4096];

	RIG_UNUSED(loop);
	RIG_UNUSED(events);
	for (int i = 0; i < 64; i++) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n > 0) {
			c->sink.input(c->sink.arg, buf, (size_t)n, rig_now_ns());
			continue;
		}
		/* EAGAIN: drained. EIO cannot happen while the power driver keeps
		 * its slave fd open. */
		return;
	}
}

static int pcon_open(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, int peer_fd,
		     const struct rig_console_sink *sink, void **handle)
{
	struct pcon *c;
	int r;

	RIG_UNUSED(cfg);
	if (peer_fd < 0)
		return rig_drv_fail(ctx, -EINVAL, "console driver 'process' needs power driver 'process'");
	c = rig_xcalloc(1, sizeof(*c));
	c->loop = ctx->loop;
	c->fd = peer_fd;
	c->sink = *sink;
	r = rig_loop_add_fd(ctx->loop, peer_fd, RIG_EV_READ, on_read, c);
	if (r < 0) {
		free(c);
		return rig_drv_fail(ctx, r, "cannot watch the pty");
	}
	*handle = c;
	return 0;
}

static void pcon_close(void *handle)
{
	struct pcon *c = handle;

	if (!c)
		return;
	rig_loop_del_fd(c->loop, c->fd);
	free(c);
}

static ssize_t pcon_write(void *handle, const void *buf, size_t n)
{
	struct pcon *c = handle;
	ssize_t w = write(c->fd, buf, n);

	if (w < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return w;
}

static void pcon_drain(void *handle)
{
	struct pcon *c = handle;

	on_read(c->loop, c->fd, RIG_EV_READ, c);
}

static int pcon_write_fd(void *handle)
{
	return ((struct pcon *)handle)->fd;
}

const struct rig_console_ops rig_console_process = {
	.name = "process",
	.opts = pconsole_opts,
	.open = pcon_open,
	.close = pcon_close,
	.write = pcon_write,
	.write_fd = pcon_write_fd,
	.drain = pcon_drain,
};
