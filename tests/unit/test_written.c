/* The path from a power driver that learns of writes as they happen to the
 * `written` triggers: rig_drv_written() -> the device's watchers -> the
 * trigger re-reads the count at once (rig/device.c, rig/trigger.c). A fake
 * power driver counts writes the test makes up; the watchers' lifetimes are
 * checked under ASan (unwatched on match, on cancel, on free, and by the
 * device at close). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "device.h"
#include "devfile.h"
#include "driver.h"
#include "loop.h"
#include "trigger.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- a power driver whose write count the test sets */

static struct {
	const struct rig_drv_ctx *ctx;
	uint64_t count;
	unsigned reads;
} fake;

static const struct rig_opt fake_opts[] = { { NULL } };

static int fake_open(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, void **handle)
{
	(void)cfg;
	fake.ctx = ctx;
	*handle = &fake;
	return 0;
}

static void fake_close(void *handle)
{
	(void)handle;
	fake.ctx = NULL;
}

static int fake_set(void *handle, bool on, rig_power_done_fn *done, void *arg)
{
	(void)handle;
	(void)on;
	(void)done;
	(void)arg;
	return -ENOTSUP;   /* the triggers here only mark */
}

static int fake_written(void *handle, const char *partition, uint64_t *bytes)
{
	(void)handle;
	(void)partition;
	fake.reads++;
	*bytes = fake.count;
	return 0;
}

static const struct rig_power_ops fake_ops = {
	.name = "fake",
	.opts = fake_opts,
	.precision = "test",
	.open = fake_open,
	.close = fake_close,
	.set = fake_set,
	.written = fake_written,
};

static struct rig_device *open_device(struct rig_loop *loop, struct rig_devcfg *cfg)
{
	struct rig_errmsg err = { "" };
	struct rig_device *dev = NULL;

	memset(cfg, 0, sizeof(*cfg));
	cfg->file = "test_written.c";
	cfg->id = "fake-1";
	cfg->power_ops = &fake_ops;
	cfg->power = rig_cfg_new("test: power");
	cfg->safe = RIG_POWER_UNKNOWN;
	assert_int_equal(rig_device_open(loop, cfg, NULL, &dev, &err), 0);
	assert_non_null(fake.ctx);
	return dev;
}

/* ---- the watcher list */

static unsigned calls[3];
static struct rig_device *watch_dev;
static struct rig_written_watch *self_watch;

static void count_call(void *arg)
{
	calls[(intptr_t)arg]++;
}

static void unwatch_self(void *arg)
{
	calls[(intptr_t)arg]++;
	rig_device_unwatch_written(watch_dev, self_watch);
	self_watch = NULL;
}

static void test_watchers(void **state)
{
	struct rig_loop *loop = NULL;
	struct rig_devcfg cfg;
	struct rig_written_watch *w0;

	(void)state;
	memset(calls, 0, sizeof(calls));
	assert_int_equal(rig_loop_new(&loop), 0);
	watch_dev = open_device(loop, &cfg);
	w0 = rig_device_watch_written(watch_dev, count_call, (void *)(intptr_t)0);
	self_watch = rig_device_watch_written(watch_dev, unwatch_self, (void *)(intptr_t)1);
	rig_device_watch_written(watch_dev, count_call, (void *)(intptr_t)2);   /* left for close */
	rig_drv_written(fake.ctx);
	assert_int_equal(calls[0], 1);
	assert_int_equal(calls[1], 1);   /* and it unwatched itself, in its own call */
	assert_int_equal(calls[2], 1);
	assert_null(self_watch);
	rig_drv_written(fake.ctx);
	assert_int_equal(calls[0], 2);
	assert_int_equal(calls[1], 1);   /* gone */
	assert_int_equal(calls[2], 2);
	rig_device_unwatch_written(watch_dev, w0);
	rig_device_unwatch_written(watch_dev, NULL);   /* a no-op */
	rig_drv_written(fake.ctx);
	assert_int_equal(calls[0], 2);
	assert_int_equal(calls[2], 3);
	rig_device_close(watch_dev);   /* frees the watch still in the list (ASan: no leak) */
	rig_cfg_free(cfg.power);
	assert_int_equal(rig_loop_sources(loop), 0);
	rig_loop_free(loop);
}

/* ---- a written trigger told by the driver */

static void fired(void *arg, struct rig_trigger *t)
{
	(void)t;
	(*(int *)arg)++;
}

static struct rig_trigger *arm(struct rig_device *dev, uint64_t bytes)
{
	struct rig_errmsg err = { "" };
	struct rig_trigger_spec spec = { .source = RIG_TRIG_WRITTEN, .action = RIG_ACT_MARK, .bytes = bytes };
	struct rig_trigger *t = NULL;

	assert_int_equal(rig_trigger_arm(dev, NULL, 1, &spec, NULL, NULL, &t, &err), 0);
	return t;
}

static void test_trigger(void **state)
{
	struct rig_loop *loop = NULL;
	struct rig_devcfg cfg;
	struct rig_device *dev;
	struct rig_trigger *t;
	const struct rig_trigger_info *info;
	uint64_t t0;
	unsigned reads;
	int n = 0;

	(void)state;
	assert_int_equal(rig_loop_new(&loop), 0);
	dev = open_device(loop, &cfg);
	fake.count = 1000;

	/* below the count: told, it reads, and stays armed */
	t = arm(dev, 512);
	rig_trigger_notify(t, fired, &n);
	t0 = rig_now_ns();
	fake.count = 1400;
	reads = fake.reads;
	rig_drv_written(fake.ctx);
	assert_true(rig_loop_run_once(loop, 0) >= 0);
	assert_true(fake.reads > reads);   /* read at once, not at the poll */
	assert_int_equal(rig_trigger_info(t)->state, RIG_TRIG_ARMED);

	/* at the count: told, it matches within the same loop turn */
	fake.count = 1512;
	rig_drv_written(fake.ctx);
	assert_true(rig_loop_run_once(loop, 0) >= 0);
	info = rig_trigger_info(t);
	if (rig_now_ns() - t0 < 10 * RIG_NS_PER_MS)   /* else the 10 ms poll may have read it: not telling */
		assert_int_equal(info->state, RIG_TRIG_FIRED);
	while (n == 0)
		assert_true(rig_loop_run_once(loop, UINT64_MAX) >= 0);
	assert_int_equal(rig_trigger_info(t)->state, RIG_TRIG_FIRED);
	assert_int_equal(rig_trigger_info(t)->offset, 512);
	/* matched: no longer watching; telling again changes nothing */
	reads = fake.reads;
	rig_drv_written(fake.ctx);
	assert_int_equal(fake.reads, reads);
	rig_trigger_free(t);

	/* cancelled, then told: nothing happens; freed while armed: unwatched */
	t = arm(dev, 100);
	rig_trigger_cancel(t);
	fake.count += 1000;
	reads = fake.reads;
	rig_drv_written(fake.ctx);
	assert_int_equal(fake.reads, reads);
	rig_trigger_free(t);
	t = arm(dev, 100);
	rig_trigger_free(t);
	rig_drv_written(fake.ctx);   /* ASan: no watcher of a freed trigger is called */
	assert_true(rig_loop_run_once(loop, 0) >= 0);

	rig_device_close(dev);
	rig_cfg_free(cfg.power);
	assert_int_equal(rig_loop_sources(loop), 0);
	rig_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watchers),
		cmocka_unit_test(test_trigger),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
