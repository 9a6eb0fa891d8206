/* Armed triggers (see trigger.h). */
#include "trigger.h"
#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rig_trigger {
	int id;
	struct rig_device *dev;
	struct rig_artsrv *srv;
	struct rig_trigger_spec spec;
	char *label, *pattern, *artifact, *partition;
	struct rig_regex *re;
	struct rig_console_watch *watch;
	int srv_watch;
	struct rig_timer *timer;       /* timer source, the written poll, or the delay */
	uint64_t written0;             /* written: the count at the arm */
	bool have_written0;
	uint64_t drive0;               /* written to a partition: the drive's count at the arm */
	bool have_drive0;
	struct rig_written_watch *wwatch;   /* written: told when the counts grow */
	struct rig_timer *notify_timer;
	struct rig_trigger_info info;
	rig_trigger_event_fn *ev;
	void *ev_arg;
	rig_trigger_fn *fn;
	void *fn_arg;
};

const char *rig_trigger_state_name(enum rig_trig_state s)
{
	static const char *const names[] = { "armed", "matched", "actuating", "fired", "cancelled", "failed" };

	return (size_t)s < RIG_ARRAY_SIZE(names) ? names[s] : "?";
}

const char *rig_trigger_source_name(enum rig_trig_source s)
{
	static const char *const names[] = { "console", "served", "timer", "written" };

	return (size_t)s < RIG_ARRAY_SIZE(names) ? names[s] : "?";
}

static void emit(struct rig_trigger *t, const char *kind)
{
	struct rig_json j;
	const struct rig_trigger_info *i = &t->info;

	if (!t->ev)
		return;
	rig_json_init(&j);
	rig_json_obj_begin(&j);
	rig_json_kv_int(&j, "id", t->id);
	if (t->label)
		rig_json_kv_str(&j, "label", t->label);
	rig_json_kv_str(&j, "source", rig_trigger_source_name(t->spec.source));
	rig_json_kv_str(&j, "state", rig_trigger_state_name(i->state));
	if (t->pattern)
		rig_json_kv_str(&j, "pattern", t->pattern);
	if (i->match)
		rig_json_kv_str(&j, "match", i->match);
	if (t->artifact) {
		rig_json_kv_str(&j, "artifact", t->artifact);
		rig_json_kv_uint(&j, "offset", t->spec.offset);
	}
	if (t->spec.source == RIG_TRIG_WRITTEN) {
		rig_json_kv_uint(&j, "bytes", t->spec.bytes);
		if (t->partition)
			rig_json_kv_str(&j, "partition", t->partition);
		if (i->offset)
			rig_json_kv_uint(&j, "written", i->offset);
		if (i->has_drive)
			rig_json_kv_uint(&j, "drive", i->drive);
	}
	if (t->spec.delay_ns)
		rig_json_kv_uint(&j, "delay_ns", t->spec.delay_ns);
	rig_json_kv_uint(&j, "t_arm", i->t_arm_ns);
	if (i->t_read_ns)
		rig_json_kv_uint(&j, "t_read", i->t_read_ns);
	if (i->t_match_ns)
		rig_json_kv_uint(&j, "t_match", i->t_match_ns);
	if (i->t_fire_ns)
		rig_json_kv_uint(&j, "t_fire", i->t_fire_ns);
	if (i->t_act_start_ns)
		rig_json_kv_uint(&j, "t_act_start", i->t_act_start_ns);
	if (i->t_act_done_ns) {
		rig_json_kv_uint(&j, "t_act_done", i->t_act_done_ns);
		rig_json_kv_uint(&j, "precision_ns", i->precision_ns);
		if (i->precision)
			rig_json_kv_str(&j, "precision", i->precision);
	}
	if (i->error[0])
		rig_json_kv_str(&j, "error", i->error);
	rig_json_obj_end(&j);
	t->ev(t->ev_arg, rig_now_ns(), kind, rig_json_str(&j));
	rig_json_free(&j);
}

static void notify_cb(struct rig_loop *loop, void *arg)
{
	struct rig_trigger *t = arg;
	rig_trigger_fn *fn = t->fn;

	RIG_UNUSED(loop);
	t->notify_timer = NULL;
	t->fn = NULL;
	if (fn)
		fn(t->fn_arg, t);
}

static void done(struct rig_trigger *t)
{
	if (t->fn && !t->notify_timer)
		t->notify_timer = rig_loop_add_timer(rig_device_loop(t->dev), 0, notify_cb, t);
}

static void action_done(void *arg, const struct rig_power_report *rep)
{
	struct rig_trigger *t = arg;

	t->info.t_act_start_ns = rep->t_start_ns;
	t->info.t_act_done_ns = rep->t_done_ns;
	t->info.precision_ns = rep->precision_ns;
	t->info.precision = rep->precision;
	if (rep->result < 0) {
		t->info.state = RIG_TRIG_FAILED;
		snprintf(t->info.error, sizeof(t->info.error), "power %s failed: %s", rep->on ? "on" : "off",
			 rep->error ? rep->error : strerror(-rep->result));
	} else if (!rep->on && t->spec.action == RIG_ACT_CYCLE) {
		emit(t, "trigger.cut");
		rig_device_power(t->dev, true, action_done, t);
		return;
	} else {
		t->info.state = RIG_TRIG_FIRED;
	}
	emit(t, "trigger.done");
	done(t);
}

static void fire(struct rig_trigger *t)
{
	t->info.t_fire_ns = rig_now_ns();
	t->info.state = RIG_TRIG_ACTUATING;
	emit(t, "trigger.fire");
	if (t->spec.action == RIG_ACT_MARK) {
		t->info.state = RIG_TRIG_FIRED;
		done(t);
		return;
	}
	rig_device_power(t->dev, false, action_done, t);
}

static void delay_cb(struct rig_loop *loop, void *arg)
{
	struct rig_trigger *t = arg;

	RIG_UNUSED(loop);
	t->timer = NULL;
	fire(t);
}

static void matched(struct rig_trigger *t)
{
	t->info.state = RIG_TRIG_MATCHED;
	emit(t, "trigger.match");
	if (t->spec.delay_ns) {
		t->timer = rig_loop_add_timer(rig_device_loop(t->dev), t->info.t_match_ns + t->spec.delay_ns,
					      delay_cb, t);
		return;
	}
	fire(t);
}

static void console_hit(void *arg, struct rig_console_hit *hit)
{
	struct rig_trigger *t = arg;

	t->watch = NULL;
	t->info.t_read_ns = hit->t_read_ns;
	t->info.t_match_ns = hit->t_match_ns;
	t->info.match = rig_xstrndup(hit->text, hit->textlen > 200 ? 200 : hit->textlen);
	matched(t);
}

static void served_hit(void *arg, const char *name, uint64_t offset, uint64_t t_ns)
{
	struct rig_trigger *t = arg;

	RIG_UNUSED(name);
	t->srv_watch = 0;
	t->info.t_read_ns = t_ns;
	t->info.t_match_ns = t_ns;
	t->info.offset = offset;
	matched(t);
}

static void timer_hit(struct rig_loop *loop, void *arg)
{
	struct rig_trigger *t = arg;

	RIG_UNUSED(loop);
	t->timer = NULL;
	t->info.t_match_ns = rig_now_ns();
	matched(t);
}

#define WRITTEN_POLL_NS (10 * RIG_NS_PER_MS)

/* Poll the driver's write count; the driver itself keeps it fresh, and a
 * driver that learns of writes as they happen says so (written_grew). */
static void written_poll(struct rig_loop *loop, void *arg)
{
	struct rig_trigger *t = arg;
	uint64_t n, now = rig_now_ns();

	t->timer = NULL;
	if (t->partition && !t->have_drive0 && rig_device_written(t->dev, NULL, &n) == 0) {
		t->drive0 = n;
		t->have_drive0 = true;
	}
	if (rig_device_written(t->dev, t->partition, &n) == 0) {
		if (!t->have_written0) {
			t->written0 = n;
			t->have_written0 = true;
		} else if (n - t->written0 >= t->spec.bytes) {
			t->info.offset = n - t->written0;
			t->info.t_read_ns = now;
			t->info.t_match_ns = now;
			if (t->have_drive0 && rig_device_written(t->dev, NULL, &n) == 0) {
				t->info.drive = n - t->drive0;
				t->info.has_drive = true;
			}
			rig_device_unwatch_written(t->dev, t->wwatch);
			t->wwatch = NULL;
			matched(t);
			return;
		}
	}
	t->timer = rig_loop_add_timer(loop, now + WRITTEN_POLL_NS, written_poll, t);
}

/* The counts may have grown: read them now, from the loop (the driver is
 * inside its own callback; the cut must not run there). */
static void written_grew(void *arg)
{
	struct rig_trigger *t = arg;
	struct rig_loop *loop = rig_device_loop(t->dev);
	uint64_t now = rig_now_ns();

	if (t->info.state != RIG_TRIG_ARMED || !t->timer || rig_timer_deadline(t->timer) <= now)
		return;
	rig_loop_cancel_timer(loop, t->timer);
	t->timer = rig_loop_add_timer(loop, now, written_poll, t);
}

int rig_trigger_arm(struct rig_device *dev, struct rig_artsrv *srv, int id,
		    const struct rig_trigger_spec *spec, rig_trigger_event_fn *ev, void *ev_arg,
		    struct rig_trigger **out, struct rig_errmsg *err)
{
	struct rig_trigger *t = rig_xcalloc(1, sizeof(*t));
	int r;

	t->id = id;
	t->dev = dev;
	t->srv = srv;
	t->spec = *spec;
	t->ev = ev;
	t->ev_arg = ev_arg;
	t->info.t_arm_ns = rig_now_ns();
	t->label = spec->label ? rig_xstrdup(spec->label) : NULL;
	t->spec.label = t->label;
	switch (spec->source) {
	case RIG_TRIG_CONSOLE:
		if (!rig_device_console(dev)) {
			rig_errmsg_set(err, "device '%s' has no console to watch", rig_device_cfg(dev)->id);
			r = -ENODEV;
			goto fail;
		}
		r = rig_regex_new(spec->pattern, spec->re_flags, &t->re, err);
		if (r < 0)
			goto fail;
		t->pattern = rig_xstrdup(spec->pattern);
		t->spec.pattern = t->pattern;
		t->watch = rig_console_watch(rig_device_console(dev), RIG_WATCH_TRIGGER, t->re,
					     console_hit, t);
		break;
	case RIG_TRIG_SERVED:
		if (!srv) {
			rig_errmsg_set(err, "no artifact server is running");
			r = -ENODEV;
			goto fail;
		}
		t->artifact = rig_xstrdup(spec->artifact);
		t->spec.artifact = t->artifact;
		r = rig_artsrv_watch(srv, t->artifact, spec->offset, served_hit, t);
		if (r < 0) {
			rig_errmsg_set(err, "cannot watch artifact '%s' at byte %llu: %s", spec->artifact,
				       (unsigned long long)spec->offset, strerror(-r));
			goto fail;
		}
		t->srv_watch = r;
		break;
	case RIG_TRIG_TIMER:
		t->timer = rig_loop_add_timer(rig_device_loop(dev), t->info.t_arm_ns + spec->after_ns,
					      timer_hit, t);
		break;
	case RIG_TRIG_WRITTEN: {
		uint64_t n;

		t->partition = spec->partition ? rig_xstrdup(spec->partition) : NULL;
		t->spec.partition = t->partition;
		r = rig_device_written(dev, spec->partition, &n);
		if (r < 0 && r != -EAGAIN) {
			rig_errmsg_set(err, "device '%s': %s", rig_device_cfg(dev)->id, rig_device_error(dev));
			goto fail;
		}
		if (r == 0) {
			t->written0 = n;
			t->have_written0 = true;
		}
		/* the drive's count beside the partition's, for the timeline */
		if (t->partition && rig_device_written(dev, NULL, &n) == 0) {
			t->drive0 = n;
			t->have_drive0 = true;
		}
		t->timer = rig_loop_add_timer(rig_device_loop(dev), t->info.t_arm_ns + WRITTEN_POLL_NS,
					      written_poll, t);
		t->wwatch = rig_device_watch_written(dev, written_grew, t);
		break;
	}
	}
	emit(t, "trigger.arm");
	*out = t;
	return 0;
fail:
	rig_regex_free(t->re);
	free(t->label);
	free(t->pattern);
	free(t->artifact);
	free(t->partition);
	free(t);
	return r;
}

void rig_trigger_cancel(struct rig_trigger *t)
{
	if (!t || t->info.state != RIG_TRIG_ARMED) {
		if (t && t->info.state == RIG_TRIG_MATCHED && t->timer) {
			rig_loop_cancel_timer(rig_device_loop(t->dev), t->timer);
			t->timer = NULL;
			t->info.state = RIG_TRIG_CANCELLED;
			emit(t, "trigger.cancel");
			done(t);
		}
		return;
	}
	if (t->watch)
		rig_console_unwatch(rig_device_console(t->dev), t->watch);
	t->watch = NULL;
	if (t->srv_watch > 0)
		rig_artsrv_unwatch(t->srv, t->srv_watch);
	t->srv_watch = 0;
	rig_loop_cancel_timer(rig_device_loop(t->dev), t->timer);
	t->timer = NULL;
	rig_device_unwatch_written(t->dev, t->wwatch);
	t->wwatch = NULL;
	t->info.state = RIG_TRIG_CANCELLED;
	emit(t, "trigger.cancel");
	done(t);
}

void rig_trigger_free(struct rig_trigger *t)
{
	if (!t)
		return;
	t->ev = NULL;
	t->fn = NULL;
	if (t->watch)
		rig_console_unwatch(rig_device_console(t->dev), t->watch);
	if (t->srv_watch > 0)
		rig_artsrv_unwatch(t->srv, t->srv_watch);
	rig_loop_cancel_timer(rig_device_loop(t->dev), t->timer);
	rig_device_unwatch_written(t->dev, t->wwatch);
	rig_loop_cancel_timer(rig_device_loop(t->dev), t->notify_timer);
	if (t->info.state == RIG_TRIG_ACTUATING)
		rig_device_forget(t->dev, t);
	rig_regex_free(t->re);
	free(t->info.match);
	free(t->label);
	free(t->pattern);
	free(t->artifact);
	free(t->partition);
	free(t);
}

void rig_trigger_notify(struct rig_trigger *t, rig_trigger_fn *fn, void *arg)
{
	t->fn = fn;
	t->fn_arg = arg;
	if (rig_trigger_done(t))
		done(t);
}

const struct rig_trigger_info *rig_trigger_info(const struct rig_trigger *t)
{
	return &t->info;
}

int rig_trigger_id(const struct rig_trigger *t)
{
	return t->id;
}

bool rig_trigger_done(const struct rig_trigger *t)
{
	return t->info.state == RIG_TRIG_FIRED || t->info.state == RIG_TRIG_CANCELLED ||
	       t->info.state == RIG_TRIG_FAILED;
}
