/* A device at run time (see device.h). */
#include "device.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct power_op {
	bool on;
	rig_device_power_fn *done;
	void *arg;
	struct rig_power_report rep;
	struct power_op *next;
};

struct rig_device {
	struct rig_loop *loop;
	struct rig_devcfg *cfg;
	struct rig_device_observer obs;
	struct rig_errmsg err;
	struct rig_drv_ctx ctx;

	void *power;
	struct rig_console *console;

	enum rig_power_state state;
	uint64_t t_off_done;       /* when power was last cut */
	unsigned ons, offs;

	struct power_op *queue, *queue_tail;
	bool running;              /* head of the queue is with the driver */
	struct rig_timer *timer;   /* off_time wait or on_settle */
	struct rig_written_watch *written;   /* watchers of the write counts */
};

struct rig_written_watch {
	struct rig_written_watch *next;
	rig_device_written_fn *fn;
	void *arg;
};

static void drv_written(void *owner)
{
	struct rig_device *dev = owner;
	struct rig_written_watch *w = dev->written, *next;

	for (; w; w = next) {
		next = w->next;   /* fn may unwatch w */
		w->fn(w->arg);
	}
}

struct rig_written_watch *rig_device_watch_written(struct rig_device *dev, rig_device_written_fn *fn,
						   void *arg)
{
	struct rig_written_watch *w = rig_xcalloc(1, sizeof(*w));

	w->fn = fn;
	w->arg = arg;
	w->next = dev->written;
	dev->written = w;
	return w;
}

void rig_device_unwatch_written(struct rig_device *dev, struct rig_written_watch *w)
{
	for (struct rig_written_watch **p = &dev->written; w && *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			free(w);
			return;
		}
}

static void drv_event(void *owner, uint64_t t_ns, const char *kind, const char *detail)
{
	struct rig_device *dev = owner;

	if (dev->obs.event)
		dev->obs.event(dev->obs.arg, t_ns, kind, detail);
}

static void event(struct rig_device *dev, const char *kind, const char *fmt, ...) RIG_PRINTF(3, 4);
static void event(struct rig_device *dev, const char *kind, const char *fmt, ...)
{
	char detail[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	drv_event(dev, rig_now_ns(), kind, detail);
}

int rig_device_open(struct rig_loop *loop, struct rig_devcfg *cfg,
		    const struct rig_device_observer *obs, struct rig_device **out,
		    struct rig_errmsg *err)
{
	struct rig_device *dev = rig_xcalloc(1, sizeof(*dev));
	int r;

	dev->loop = loop;
	dev->cfg = cfg;
	if (obs)
		dev->obs = *obs;
	dev->state = RIG_POWER_UNKNOWN;
	dev->ctx.loop = loop;
	dev->ctx.device_id = cfg->id;
	dev->ctx.err = &dev->err;
	dev->ctx.event = drv_event;
	dev->ctx.written = drv_written;
	dev->ctx.owner = dev;

	r = cfg->power_ops->open(&dev->ctx, cfg->power, &dev->power);
	if (r < 0) {
		rig_errmsg_set(err, "%s: power driver '%s': %s", cfg->file, cfg->power_ops->name,
			       dev->err.text[0] ? dev->err.text : strerror(-r));
		free(dev);
		return r;
	}
	if (cfg->console_ops) {
		struct rig_console_opts copts = {
			.pace_ms = (unsigned)rig_cfg_int(cfg->shell, "pace_ms", 0),
			.pace_bytes = (unsigned)rig_cfg_int(cfg->shell, "pace_bytes", 1),
			.filter_kernel = rig_cfg_bool(cfg->shell, "kernel_filter", true),
		};
		int peer = cfg->power_ops->console_fd ? cfg->power_ops->console_fd(dev->power) : -1;

		dev->err.text[0] = '\0';
		r = rig_console_open(loop, cfg->console_ops, &dev->ctx, cfg->console, peer, &copts,
				     &dev->obs.console, &dev->console);
		if (r < 0) {
			rig_errmsg_set(err, "%s: console driver '%s': %s", cfg->file,
				       cfg->console_ops->name,
				       dev->err.text[0] ? dev->err.text : strerror(-r));
			cfg->power_ops->close(dev->power);
			free(dev);
			return r;
		}
	}
	*out = dev;
	return 0;
}

void rig_device_close(struct rig_device *dev)
{
	if (!dev)
		return;
	rig_loop_cancel_timer(dev->loop, dev->timer);
	while (dev->written)
		rig_device_unwatch_written(dev, dev->written);
	while (dev->queue) {
		struct power_op *op = dev->queue;

		dev->queue = op->next;
		free(op);
	}
	rig_console_close(dev->console);
	dev->cfg->power_ops->close(dev->power);
	free(dev);
}

const struct rig_devcfg *rig_device_cfg(const struct rig_device *dev)
{
	return dev->cfg;
}

struct rig_console *rig_device_console(struct rig_device *dev)
{
	return dev->console;
}

struct rig_loop *rig_device_loop(struct rig_device *dev)
{
	return dev->loop;
}

enum rig_power_state rig_device_power_state(const struct rig_device *dev)
{
	return dev->state;
}

unsigned rig_device_power_ons(const struct rig_device *dev)
{
	return dev->ons;
}

unsigned rig_device_power_offs(const struct rig_device *dev)
{
	return dev->offs;
}

bool rig_device_power_busy(const struct rig_device *dev)
{
	return dev->queue != NULL;
}

/* ---- the power queue ---- */

static void start_next(struct rig_device *dev);

static void finish(struct rig_device *dev)
{
	struct power_op *op = dev->queue;

	dev->queue = op->next;
	if (!dev->queue)
		dev->queue_tail = NULL;
	dev->running = false;
	if (op->done)
		op->done(op->arg, &op->rep);
	free(op);
	if (dev->queue && !dev->running && !dev->timer)
		start_next(dev);
}

static void settle_cb(struct rig_loop *loop, void *arg)
{
	struct rig_device *dev = arg;

	RIG_UNUSED(loop);
	dev->timer = NULL;
	dev->queue->rep.t_ready_ns = rig_now_ns();
	finish(dev);
}

/* The rig's last staggered power-on, across all its devices. */
static uint64_t last_staggered_on;

static bool verify_off(const struct rig_device *dev)
{
	const struct rig_power_ops *ops = dev->cfg->power_ops;

	if (!ops->get)
		return false;
	return dev->cfg->verify_off == 1 || (dev->cfg->verify_off < 0 && !ops->confirms_off);
}

/* The read-back after an off: still on is an error, not a verdict. */
static void verify_done(void *arg, int result, uint64_t t_ns, enum rig_power_state state)
{
	struct rig_device *dev = arg;
	struct power_op *op = dev->queue;

	RIG_UNUSED(t_ns);
	if (result < 0 || state == RIG_POWER_ON) {
		char why[sizeof(dev->err.text)];

		snprintf(why, sizeof(why), "%s", dev->err.text);
		if (result < 0)
			rig_errmsg_set(&dev->err, "after off, the state could not be read back: %s", why[0] ? why : "?");
		else
			rig_errmsg_set(&dev->err, "still powered after off: the %s driver reads the device back as on",
				       dev->cfg->power_ops->name);
		op->rep.result = result < 0 ? result : -EIO;
		op->rep.error = dev->err.text;
		dev->state = RIG_POWER_UNKNOWN;
		event(dev, "power.error", "{\"state\":\"off\",\"error\":%d,\"still_on\":%s}", op->rep.result,
		      result < 0 ? "false" : "true");
	} else {
		event(dev, "power.verified", "{\"state\":\"%s\"}", state == RIG_POWER_OFF ? "off" : "unknown");
	}
	finish(dev);
}

static void set_done(void *arg, int result, uint64_t t_done_ns, enum rig_power_state state)
{
	struct rig_device *dev = arg;
	struct power_op *op = dev->queue;
	const char *what = op->on ? "on" : "off";

	RIG_UNUSED(state);
	op->rep.result = result;
	op->rep.t_done_ns = t_done_ns ? t_done_ns : rig_now_ns();
	if (result < 0) {
		op->rep.error = dev->err.text;
		dev->state = RIG_POWER_UNKNOWN;
		event(dev, "power.error", "{\"state\":\"%s\",\"error\":%d}", what, result);
		finish(dev);
		return;
	}
	dev->state = op->on ? RIG_POWER_ON : RIG_POWER_OFF;
	if (op->on)
		dev->ons++;
	else {
		dev->offs++;
		dev->t_off_done = op->rep.t_done_ns;
	}
	drv_event(dev, op->rep.t_done_ns, op->on ? "power.on" : "power.off", NULL);
	if (!op->on && verify_off(dev)) {
		op->rep.t_ready_ns = op->rep.t_done_ns;
		if (dev->cfg->power_ops->get(dev->power, verify_done, dev) == 0)
			return;
		verify_done(dev, -EIO, 0, RIG_POWER_UNKNOWN);
		return;
	}
	if (op->on && dev->cfg->on_settle_ns) {
		dev->timer = rig_loop_add_timer(dev->loop, op->rep.t_done_ns + dev->cfg->on_settle_ns,
						settle_cb, dev);
		return;
	}
	op->rep.t_ready_ns = op->rep.t_done_ns;
	finish(dev);
}

static void actuate(struct rig_device *dev)
{
	struct power_op *op = dev->queue;
	int r;

	dev->running = true;
	dev->err.text[0] = '\0';
	op->rep.t_start_ns = rig_now_ns();
	if (op->on && dev->console)
		/* Nothing printed before this power-on may satisfy a later expect. */
		rig_console_reset_cursor(dev->console);
	event(dev, op->on ? "power.on.start" : "power.off.start", "{\"driver\":\"%s\"}",
	      dev->cfg->power_ops->name);
	if (op->on && dev->cfg->stagger_ns && op->rep.t_start_ns > last_staggered_on)
		last_staggered_on = op->rep.t_start_ns;
	r = dev->cfg->power_ops->set(dev->power, op->on, set_done, dev);
	if (r < 0) {
		if (!dev->err.text[0])
			rig_errmsg_set(&dev->err, "%s", strerror(-r));
		/* Report from the loop, never from inside rig_device_power(). */
		op->rep.result = r;
		op->rep.t_done_ns = rig_now_ns();
		op->rep.error = dev->err.text;
		dev->state = RIG_POWER_UNKNOWN;
		event(dev, "power.error", "{\"state\":\"%s\",\"error\":%d}", op->on ? "on" : "off", r);
		dev->timer = rig_loop_add_timer(dev->loop, 0, settle_cb, dev);
	}
}

static void off_time_cb(struct rig_loop *loop, void *arg)
{
	struct rig_device *dev = arg;

	RIG_UNUSED(loop);
	dev->timer = NULL;
	actuate(dev);
}

static void start_next(struct rig_device *dev)
{
	struct power_op *op = dev->queue;
	uint64_t now = rig_now_ns();

	uint64_t at = 0;

	if (op->on && dev->t_off_done && now < dev->t_off_done + dev->cfg->off_time_ns)
		at = dev->t_off_done + dev->cfg->off_time_ns;
	if (op->on && dev->cfg->stagger_ns) {
		/* take the next free slot now, so devices waiting together queue up */
		uint64_t slot = last_staggered_on ? last_staggered_on + dev->cfg->stagger_ns : now;

		if (slot < now)
			slot = now;
		if (slot < at)
			slot = at;
		last_staggered_on = slot;
		if (slot > now) {
			event(dev, "power.stagger", "{\"wait_ms\":%.1f}", (double)(slot - now) / 1e6);
			at = slot;
		}
	}
	if (at) {
		dev->running = true;
		dev->timer = rig_loop_add_timer(dev->loop, at, off_time_cb, dev);
		return;
	}
	/* Actuate now: a trigger's cut must not wait for the rest of the loop's
	 * batch. done() still never runs inside rig_device_power(): drivers report
	 * from the loop, and actuate() reports its own errors through a timer. */
	actuate(dev);
}

int rig_device_power(struct rig_device *dev, bool on, rig_device_power_fn *done, void *arg)
{
	struct power_op *op = rig_xcalloc(1, sizeof(*op));

	op->on = on;
	op->done = done;
	op->arg = arg;
	op->rep.on = on;
	op->rep.t_request_ns = rig_now_ns();
	rig_device_power_precision(dev, &op->rep.precision, &op->rep.precision_ns);
	if (dev->queue_tail)
		dev->queue_tail->next = op;
	else
		dev->queue = op;
	dev->queue_tail = op;
	if (!dev->running)
		start_next(dev);
	return 0;
}

const char *rig_device_error(const struct rig_device *dev)
{
	return dev->err.text;
}

void rig_device_power_precision(const struct rig_device *dev, const char **text, uint64_t *ns)
{
	const struct rig_power_ops *ops = dev->cfg->power_ops;

	*text = ops->precision;
	*ns = ops->precision_ns;
	if (ops->precision_of)
		ops->precision_of(dev->power, text, ns);
}

bool rig_device_can_read_power(const struct rig_device *dev)
{
	return dev->cfg->power_ops->get != NULL;
}

int rig_device_power_get(struct rig_device *dev, rig_power_done_fn *done, void *arg)
{
	if (!dev->cfg->power_ops->get)
		return -ENOTSUP;
	dev->err.text[0] = '\0';
	return dev->cfg->power_ops->get(dev->power, done, arg);
}

int rig_device_written(struct rig_device *dev, const char *partition, uint64_t *bytes)
{
	const struct rig_power_ops *ops = dev->cfg->power_ops;

	/* dev->err is left alone on success: the trigger polls this often */
	if (!ops->written) {
		rig_errmsg_set(&dev->err, "power driver '%s' counts no writes", ops->name);
		return -ENOTSUP;
	}
	return ops->written(dev->power, partition, bytes);
}

void rig_device_forget(struct rig_device *dev, void *arg)
{
	for (struct power_op *op = dev->queue; op; op = op->next)
		if (op->arg == arg)
			op->done = NULL;
}

struct safe_wait {
	bool done;
	int result;
};

static void safe_done(void *arg, const struct rig_power_report *rep)
{
	struct safe_wait *w = arg;

	w->done = true;
	w->result = rep->result;
}

int rig_device_make_safe(struct rig_device *dev, uint64_t timeout_ns)
{
	struct safe_wait w = { false, 0 };
	uint64_t deadline = rig_now_ns() + timeout_ns;

	if (!dev || dev->cfg->safe == RIG_POWER_UNKNOWN)
		return 0;
	event(dev, "power.safe", "{\"state\":\"%s\"}", dev->cfg->safe == RIG_POWER_ON ? "on" : "off");
	rig_device_power(dev, dev->cfg->safe == RIG_POWER_ON, safe_done, &w);
	while (!w.done && rig_now_ns() < deadline)
		rig_loop_run_once(dev->loop, deadline);
	if (!w.done) {
		rig_device_forget(dev, &w);
		return -ETIMEDOUT;
	}
	return w.result;
}

int rig_device_at_rest(struct rig_device *dev, const struct rig_at_rest_req *req, rig_at_rest_done_fn *done,
		       void *arg)
{
	const struct rig_power_ops *ops = dev->cfg->power_ops;

	dev->err.text[0] = '\0';
	if (!ops->at_rest) {
		rig_errmsg_set(&dev->err, "power driver '%s' cannot edit the device's storage at rest", ops->name);
		return -ENOTSUP;
	}
	if (rig_device_power_busy(dev) || rig_device_power_state(dev) == RIG_POWER_ON) {
		rig_errmsg_set(&dev->err, "the board must be off for an at-rest fault (it is %s)",
			       rig_device_power_busy(dev) ? "switching" : "on");
		return -EBUSY;
	}
	return ops->at_rest(dev->power, req, done, arg);
}

void rig_device_at_rest_cancel(struct rig_device *dev)
{
	if (dev->cfg->power_ops->at_rest_cancel)
		dev->cfg->power_ops->at_rest_cancel(dev->power);
}
