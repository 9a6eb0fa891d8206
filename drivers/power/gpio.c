/* Power driver `gpio`: a relay on a GPIO line of the lab controller, through
 * libgpiod 1.6 (the v1 API Debian 12 ships; v2 is incompatible, so every
 * libgpiod call lives in this one file).
 *
 * The output line is requested at open and held until close: a released
 * line loses its state (libgpiod #40, #77), so the rig keeps it for its whole
 * session and the core switches the device's declared safe state on normal
 * exit, on error and on SIGINT/SIGTERM before close.
 *
 * An optional `sense` input (a power-good signal) is read with edge events
 * on the loop: the timeline shows when the rail really dropped and came back
 * (kernel timestamps, CLOCK_MONOTONIC) and how long it stayed off, "done"
 * means the rail changed (not that the line was written), and an "off" whose
 * rail never drops within sense_timeout_ms is an error: the device is still
 * powered. Without sense, "done" is the line write and the relay's own
 * switching time is unknown — the precision this driver then declares. */
#include "driver.h"

#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct rig_opt gpio_opts[] = {
	{ "chip", RIG_OPT_STRING, true, "gpiochip by name (gpiochip0), path (/dev/gpiochip0), label or number" },
	{ "line", RIG_OPT_STRING, true, "output line: its offset (\"17\") or its name (\"RELAY_3\")" },
	{ "active_low", RIG_OPT_BOOL, false, "the relay powers the device when the line is low (default false)" },
	{ "initial", RIG_OPT_STRING, false, "state requested at open: off (default) or on" },
	{ "sense", RIG_OPT_STRING, false, "power-good input line (offset or name), read with edge events" },
	{ "sense_chip", RIG_OPT_STRING, false, "chip of the sense line (default: chip)" },
	{ "sense_active_low", RIG_OPT_BOOL, false, "the sense line is low while the device is powered" },
	{ "sense_timeout_ms", RIG_OPT_INT, false, "how long the rail may take to follow a switch (default 1000)" },
	{ "relay_ms", RIG_OPT_INT, false, "the relay's switching time without sense, for the precision (default 10)" },
	{ NULL, 0, false, NULL },
};

#define CONSUMER "rig"

struct gpio {
	struct rig_drv_ctx ctx;
	struct gpiod_chip *chip, *schip;
	struct gpiod_line *line, *sense;
	bool active_low, sense_active_low;
	int sense_fd;
	int rail;                      /* from the sense line: 1 powered, 0 off, -1 unknown */
	uint64_t t_rail_off;           /* when the rail last dropped */
	uint64_t sense_timeout_ns, relay_ns;
	char precision[160];
	/* a pending set() or get() */
	rig_power_done_fn *done;
	void *arg;
	int want;                      /* set(): 0/1; -1 none */
	int result;
	uint64_t t_set, t_done;
	struct rig_timer *timer;
	bool is_get;
};

static struct gpiod_line *find_line(struct gpiod_chip *chip, const char *spec)
{
	char *end;
	long off = strtol(spec, &end, 10);

	if (*spec && !*end && off >= 0)
		return gpiod_chip_get_line(chip, (unsigned)off);
	return gpiod_chip_find_line(chip, spec);
}

static void complete(struct gpio *g)
{
	rig_power_done_fn *done = g->done;
	void *arg = g->arg;
	enum rig_power_state st = g->rail < 0 ? RIG_POWER_UNKNOWN : g->rail ? RIG_POWER_ON : RIG_POWER_OFF;

	g->done = NULL;
	g->want = -1;
	rig_loop_cancel_timer(g->ctx.loop, g->timer);
	g->timer = NULL;
	if (done)
		done(arg, g->result, g->t_done, st);
}

static void complete_cb(struct rig_loop *loop, void *arg)
{
	struct gpio *g = arg;

	RIG_UNUSED(loop);
	g->timer = NULL;
	complete(g);
}

static void sense_timeout_cb(struct rig_loop *loop, void *arg)
{
	struct gpio *g = arg;

	RIG_UNUSED(loop);
	g->timer = NULL;
	g->result = rig_drv_fail(&g->ctx, -ETIMEDOUT, "the %s line was switched %s but the sense line still "
				 "reads the device %s after %llu ms: %s", "power", g->want ? "on" : "off",
				 g->want ? "off" : "powered", (unsigned long long)(g->sense_timeout_ns / RIG_NS_PER_MS),
				 g->want ? "it did not power up" : "it is still powered");
	g->t_done = rig_now_ns();
	complete(g);
}

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * RIG_NS_PER_S + (uint64_t)ts->tv_nsec;
}

static void on_sense(struct rig_loop *loop, int fd, unsigned events, void *arg)
{
	struct gpio *g = arg;
	struct gpiod_line_event ev;

	RIG_UNUSED(loop);
	RIG_UNUSED(fd);
	RIG_UNUSED(events);
	/* every queued edge, in order */
	for (int i = 0; i < 64; i++) {
		struct timespec zero = { 0, 0 };
		int level;
		uint64_t t;

		if (gpiod_line_event_wait(g->sense, &zero) != 1 || gpiod_line_event_read(g->sense, &ev) < 0)
			break;
		t = ts_ns(&ev.ts);
		level = ev.event_type == GPIOD_LINE_EVENT_RISING_EDGE;
		g->rail = g->sense_active_low ? !level : level;
		if (g->rail) {
			rig_drv_event(&g->ctx, "power.sense", "{\"rail\":\"on\",\"t_edge\":%llu,\"off_ms\":%.3f}",
				      (unsigned long long)t,
				      g->t_rail_off ? (double)(t - g->t_rail_off) / 1e6 : -1.0);
		} else {
			g->t_rail_off = t;
			rig_drv_event(&g->ctx, "power.sense", "{\"rail\":\"off\",\"t_edge\":%llu,\"since_switch_ms\":%.3f}",
				      (unsigned long long)t, g->t_set ? (double)(t - g->t_set) / 1e6 : -1.0);
		}
		if (g->done && !g->is_get && g->want == g->rail) {
			g->result = 0;
			g->t_done = t;      /* when the rail really changed */
			complete(g);
		}
	}
}

static int read_rail(struct gpio *g)
{
	int v = gpiod_line_get_value(g->sense);

	if (v < 0)
		return -1;
	return g->sense_active_low ? !v : v;
}

static int gpio_open(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, void **handle)
{
	struct gpio *g = rig_xcalloc(1, sizeof(*g));
	const char *chip = rig_cfg_str(cfg, "chip", "");
	const char *line = rig_cfg_str(cfg, "line", "");
	const char *initial = rig_cfg_str(cfg, "initial", "off");
	const char *sense = rig_cfg_str(cfg, "sense", NULL);
	const char *schip = rig_cfg_str(cfg, "sense_chip", chip);
	int r, init;

	g->ctx = *ctx;
	g->want = -1;
	g->rail = -1;
	g->sense_fd = -1;
	g->active_low = rig_cfg_bool(cfg, "active_low", false);
	g->sense_active_low = rig_cfg_bool(cfg, "sense_active_low", false);
	g->sense_timeout_ns = (uint64_t)rig_cfg_int(cfg, "sense_timeout_ms", 1000) * RIG_NS_PER_MS;
	g->relay_ns = (uint64_t)rig_cfg_int(cfg, "relay_ms", 10) * RIG_NS_PER_MS;
	if (strcmp(initial, "off") && strcmp(initial, "on")) {
		r = rig_drv_fail(ctx, -EINVAL, "power.initial: expected off or on, got '%s'", initial);
		goto fail;
	}
	init = !strcmp(initial, "on");
	g->chip = gpiod_chip_open_lookup(chip);
	if (!g->chip) {
		r = rig_drv_fail(ctx, -errno, "power.chip '%s': cannot open: %s", chip, strerror(errno));
		goto fail;
	}
	g->line = find_line(g->chip, line);
	if (!g->line) {
		r = rig_drv_fail(ctx, -ENOENT, "power.line '%s': no such line on %s", line, gpiod_chip_name(g->chip));
		goto fail;
	}
	if (gpiod_line_request_output_flags(g->line, CONSUMER,
					    g->active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0, init) < 0) {
		r = rig_drv_fail(ctx, -errno, "power.line '%s' on %s: cannot request it as an output: %s%s", line,
				 gpiod_chip_name(g->chip), strerror(errno),
				 errno == EBUSY ? " (another process holds it)" : "");
		goto fail;
	}
	if (sense) {
		g->schip = strcmp(schip, chip) ? gpiod_chip_open_lookup(schip) : NULL;
		struct gpiod_chip *sc = g->schip ? g->schip : g->chip;

		if (strcmp(schip, chip) && !g->schip) {
			r = rig_drv_fail(ctx, -errno, "power.sense_chip '%s': cannot open: %s", schip, strerror(errno));
			goto fail;
		}
		g->sense = find_line(sc, sense);
		if (!g->sense) {
			r = rig_drv_fail(ctx, -ENOENT, "power.sense '%s': no such line on %s", sense, gpiod_chip_name(sc));
			goto fail;
		}
		if (gpiod_line_request_both_edges_events(g->sense, CONSUMER) < 0) {
			r = rig_drv_fail(ctx, -errno, "power.sense '%s': cannot request edge events: %s", sense,
					 strerror(errno));
			g->sense = NULL;
			goto fail;
		}
		g->sense_fd = gpiod_line_event_get_fd(g->sense);
		if (g->sense_fd < 0 || rig_loop_add_fd(ctx->loop, g->sense_fd, RIG_EV_READ, on_sense, g) < 0) {
			r = rig_drv_fail(ctx, -EIO, "power.sense '%s': cannot watch its events", sense);
			goto fail;
		}
		g->rail = read_rail(g);
		snprintf(g->precision, sizeof(g->precision),
			 "the sense line's edge (kernel timestamp): the moment the rail changed");
	} else {
		snprintf(g->precision, sizeof(g->precision),
			 "GPIO line written; the relay switches within relay_ms (%llu ms, not measured)",
			 (unsigned long long)(g->relay_ns / RIG_NS_PER_MS));
	}
	rig_drv_event(ctx, "power.gpio", "{\"chip\":\"%s\",\"line\":%u,\"active_low\":%s,\"sense\":%s}",
		      gpiod_chip_name(g->chip), gpiod_line_offset(g->line), g->active_low ? "true" : "false",
		      g->sense ? "true" : "false");
	*handle = g;
	return 0;
fail:
	if (g->sense_fd >= 0)
		rig_loop_del_fd(ctx->loop, g->sense_fd);
	if (g->sense)
		gpiod_line_release(g->sense);
	if (g->line && gpiod_line_is_requested(g->line))
		gpiod_line_release(g->line);
	if (g->schip)
		gpiod_chip_close(g->schip);
	if (g->chip)
		gpiod_chip_close(g->chip);
	free(g);
	return r;
}

static void gpio_close(void *handle)
{
	struct gpio *g = handle;

	if (!g)
		return;
	rig_loop_cancel_timer(g->ctx.loop, g->timer);
	if (g->sense_fd >= 0)
		rig_loop_del_fd(g->ctx.loop, g->sense_fd);
	rig_drv_event(&g->ctx, "power.gpio.release", "{\"value\":%d}", gpiod_line_get_value(g->line));
	if (g->sense)
		gpiod_line_release(g->sense);
	gpiod_line_release(g->line);
	if (g->schip)
		gpiod_chip_close(g->schip);
	gpiod_chip_close(g->chip);
	free(g);
}

static int gpio_set(void *handle, bool on, rig_power_done_fn *done, void *arg)
{
	struct gpio *g = handle;

	if (g->done)
		return rig_drv_fail(&g->ctx, -EBUSY, "a power operation is already running");
	if (gpiod_line_set_value(g->line, on) < 0)
		return rig_drv_fail(&g->ctx, -errno, "setting the GPIO line: %s", strerror(errno));
	g->t_set = rig_now_ns();
	g->done = done;
	g->arg = arg;
	g->want = on;
	g->result = 0;
	g->is_get = false;
	if (g->sense && g->rail != (int)on) {
		/* done when the rail follows; an error if it does not */
		g->timer = rig_loop_add_timer(g->ctx.loop, g->t_set + g->sense_timeout_ns, sense_timeout_cb, g);
		return 0;
	}
	g->t_done = g->t_set;
	g->timer = rig_loop_add_timer(g->ctx.loop, 0, complete_cb, g);
	return 0;
}

static int gpio_get(void *handle, rig_power_done_fn *done, void *arg)
{
	struct gpio *g = handle;

	if (g->done)
		return rig_drv_fail(&g->ctx, -EBUSY, "a power operation is already running");
	if (g->sense) {
		g->rail = read_rail(g);
	} else {
		int v = gpiod_line_get_value(g->line);   /* the line as written (active_low applied) */

		g->rail = v < 0 ? -1 : v;
	}
	g->done = done;
	g->arg = arg;
	g->result = 0;
	g->is_get = true;
	g->t_done = rig_now_ns();
	g->timer = rig_loop_add_timer(g->ctx.loop, 0, complete_cb, g);
	return 0;
}

static void gpio_precision(void *handle, const char **text, uint64_t *ns)
{
	struct gpio *g = handle;

	*text = g->precision;
	/* with sense: the kernel's edge timestamp; without: the relay, unmeasured */
	*ns = g->sense ? 100000 : g->relay_ns;   /* 0.1 ms */
}

const struct rig_power_ops rig_power_gpio = {
	.name = "gpio",
	.opts = gpio_opts,
	.precision = "GPIO line written; the relay's switching time is not measured (a sense line measures it)",
	.precision_ns = 10 * RIG_NS_PER_MS,
	.open = gpio_open,
	.close = gpio_close,
	.set = gpio_set,
	.get = gpio_get,
	.precision_of = gpio_precision,
	.confirms_off = true,
};
