/* Power driver `qemu`: an emulated x86_64 board (docs/qemu.md).
 *
 * Power on starts qemu-system-x86_64 on a qcow2 overlay of a golden disk image
 * (the overlay is the board's flash: it outlives power cycles; it is created
 * from the golden image at power-on when it does not exist, so deleting it
 * while off re-provisions the board). Power off is SIGKILL of QEMU's process
 * group: never QMP `quit`, which flushes. What survives is what QEMU had
 * written to the overlay file, i.e. a disk without a volatile cache.
 *
 * With `disk = "volatile-cache"` the board's disk is a raw sparse copy of the
 * golden image served by nbdkit's cache filter in writeback mode, and QEMU
 * is started by nbdkit (`--run`) in the same process group: the cut kills
 * both, so every write since the guest's last flush is lost, as on a disk
 * with a volatile write cache.
 *
 * Console: the driver owns a connected unix socket pair for the device's whole
 * life. QEMU gets one end as an already connected chardev socket
 * (`-chardev socket,fd=3`), the rig reads the other (console driver
 * `process`): the console is connected before QEMU starts, so not one byte of
 * the firmware or bootloader output is lost, and the rig's end never sees a
 * hang-up between power cycles.
 *
 * QMP: a second socket pair per power-on (`-mon mode=control`). The client
 * negotiates capabilities on the greeting, matches replies by numeric id, and
 * puts every asynchronous event on the run's timeline as `qemu.event`. Once a
 * `written` trigger asks, it polls `query-blockstats` every 20 ms and keeps
 * the bytes the guest wrote to its disk (summed over power cycles).
 *
 * With `disk = "direct-nbd"` nbdkit serves the raw copy without its cache
 * filter: a write nbdkit acknowledged is in the file (the host's page
 * cache), so a cut keeps every write as with direct; the point is nbdkit's
 * log.
 *
 * Writes per partition (disk = "direct-nbd" or "volatile-cache"): nbdkit runs
 * its log filter first (above the cache filter), so the log
 * (<overlay>.writes.log, new at each power-on) has every Write, Zero and Trim
 * as the guest issued it.
 * Once a `written` trigger names a partition, the driver reads that file
 * every 20 ms from where it left off (nbdlog.c parses it) and counts the
 * bytes that overlap each partition of the image's manifest.json (summed
 * over power cycles). With disk = "direct" QEMU opens the qcow2 overlay
 * itself and there is nothing to read the writes from: refused, with the
 * fix named.
 *
 * Reboot: with `reboot = "restart"` (the default) QEMU runs with -no-reboot and
 * the driver starts a new QEMU on the same disk when the guest reset itself
 * (QMP SHUTDOWN with reason guest-reset): a real reset restarts the firmware
 * from scratch, and QEMU 7.2's in-process reset under TCG made the next GRUB
 * load take minutes at times. `reboot = "reset"` keeps QEMU's own reset.
 *
 * Acceleration: `accel = "auto"` uses KVM only if a short probe boot (the
 * image's kernel and initramfs with `rig.probe`) prints its marker in time;
 * otherwise TCG. The choice is logged as `qemu.accel`. */
#include "driver.h"
#include "child.h"
#include "qmp.h"
#include "qemu_rtc.h"
#include "qemu_atrest.h"
#include "qemu_manifest.h"
#include "nbdlog.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define QMP_LINE_MAX (256 * 1024)
#define STATS_PERIOD_NS (20 * RIG_NS_PER_MS)
#define PROBE_TIMEOUT_NS (10 * RIG_NS_PER_S)
#define CONSOLE_FD 3
#define QMP_FD 4
#define WLOG_CHUNK (64 * 1024)
#define WLOG_TICK_MAX (16 * WLOG_CHUNK)   /* read per 20 ms: a backlog takes turns */

static const struct rig_opt qemu_opts[] = {
	{ "image", RIG_OPT_STRING, true, "golden disk image (never written)" },
	{ "format", RIG_OPT_STRING, false, "format of the golden image (default raw)" },
	{ "overlay", RIG_OPT_STRING, true,
	  "the board's disk: a qcow2 overlay of image, created at power-on if missing" },
	{ "accel", RIG_OPT_STRING, false, "auto (default: KVM if a probe boot works), kvm or tcg" },
	{ "probe_kernel", RIG_OPT_STRING, false, "kernel for the KVM probe boot" },
	{ "probe_initrd", RIG_OPT_STRING, false, "initramfs for the KVM probe boot (prints RIG-PROBE-OK)" },
	{ "memory", RIG_OPT_INT, false, "guest RAM in MiB (default 1024)" },
	{ "smp", RIG_OPT_INT, false, "guest CPUs (default 2)" },
	{ "qemu", RIG_OPT_STRING, false, "the emulator binary (default qemu-system-x86_64)" },
	{ "args", RIG_OPT_STRV, false, "extra QEMU arguments" },
	{ "log", RIG_OPT_STRING, false, "QEMU's stdout/stderr (default <overlay>.log)" },
	{ "disk", RIG_OPT_STRING, false,
	  "direct (default: every write QEMU issued survives a cut), direct-nbd (the same, but served by "
	  "nbdkit, whose log counts writes per partition) or volatile-cache (nbdkit writeback cache: writes "
	  "since the last flush are lost); with nbdkit the overlay is a raw copy" },
	{ "nbdkit", RIG_OPT_STRING, false, "the nbdkit binary (default nbdkit)" },
	{ "reboot", RIG_OPT_STRING, false,
	  "restart (default: a guest reset starts a new QEMU on the same disk) or reset (QEMU's own reset)" },
	{ "rtc_base", RIG_OPT_STRING, false,
	  "the guest's clock at power-on: utc/now (default), localtime, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS "
	  "(QEMU -rtc base=); unset: env RIG_QEMU_RTC_BASE" },
	{ "watchdog_action", RIG_OPT_STRING, false,
	  "what QEMU does when the guest's i6300esb expires: reset (default), poweroff, shutdown, pause, "
	  "inject-nmi or none (-watchdog-action)" },
	{ "manifest", RIG_OPT_STRING, false,
	  "the image's manifest.json, for at-rest faults (default: manifest.json beside image)" },
	{ NULL, 0, false, NULL },
};

enum accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };
enum stage { ST_IDLE, ST_PROBE, ST_OVERLAY, ST_STARTED, ST_KILLING };

struct qemu {
	struct rig_drv_ctx ctx;
	char *image, *format, *overlay, *qemu, *log, *probe_kernel, *probe_initrd, *nbdkit;
	bool nbd;              /* served by nbdkit (direct-nbd, volatile-cache) */
	bool volatile_cache;   /* ... with its cache filter in writeback mode */
	bool restart_on_reset;      /* reboot = "restart" */
	bool guest_reset;           /* QMP SHUTDOWN said guest-reset */
	bool watchdog;              /* QMP WATCHDOG came from this QEMU */
	char rtc_base[64];          /* -rtc base= */
	char *watchdog_action;
	char *manifest;
	struct rig_atrest *atrest;  /* an at-rest fault being written */
	rig_at_rest_done_fn *atrest_done;
	void *atrest_arg;
	char **args;
	int memory, smp;
	enum accel accel;
	int con[2];             /* [0] the rig's console end, [1] QEMU's */
	int qmp;                /* the rig's QMP end, -1 when off */
	char *qbuf;             /* QMP line buffer */
	size_t qlen;
	int64_t next_id, caps_id;
	bool qmp_ready;
	/* write counting (query-blockstats of disk0) */
	bool counting, count_valid;
	uint64_t wr_base, wr_cur;   /* earlier QEMUs' total; this QEMU's wr_bytes */
	int64_t stats_id;           /* the query in flight, -1 if none */
	struct rig_timer *stats_timer;
	/* write counting per partition (nbdkit's log: direct-nbd, volatile-cache) */
	char *wlog_path;
	int wlog_fd;                /* this nbdkit's log, -1 when off */
	int wlog_ino;               /* inotify on it (IN_MODIFY), -1: the 20 ms read alone */
	bool wlog_watch_tried;      /* this power-on's log: inotify tried (once) */
	struct rig_nbdlog *wlog;    /* NULL until a partition is asked for */
	struct rig_qemu_parts *parts;
	bool wlog_valid;            /* read to the end at least once */
	bool wlog_failed;           /* a read of the log failed (reported once) */
	struct rig_timer *wlog_timer;
	pid_t pid;
	struct rig_child *helper;   /* probe or qemu-img */
	struct rig_timer *timer;
	enum stage stage;
	rig_power_done_fn *done;
	void *done_arg;
	bool pending_on;
	uint64_t t_kill;
};

static char *dup_opt(const struct rig_cfg *cfg, const char *key, const char *def)
{
	const char *s = rig_cfg_str(cfg, key, def);

	return s ? rig_xstrdup(s) : NULL;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void qemu_close(void *handle);

static int qemu_open(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, void **handle)
{
	struct qemu *q = rig_xcalloc(1, sizeof(*q));
	const char *accel = rig_cfg_str(cfg, "accel", "auto"), *disk;
	char **tmp = NULL;
	char *const *args = rig_cfg_strv(cfg, "args", &tmp);
	size_t n = 0;

	q->ctx = *ctx;
	q->con[0] = q->con[1] = q->qmp = q->wlog_fd = q->wlog_ino = -1;
	q->image = dup_opt(cfg, "image", NULL);
	q->format = dup_opt(cfg, "format", "raw");
	q->overlay = dup_opt(cfg, "overlay", NULL);
	q->qemu = dup_opt(cfg, "qemu", "qemu-system-x86_64");
	q->probe_kernel = dup_opt(cfg, "probe_kernel", NULL);
	q->probe_initrd = dup_opt(cfg, "probe_initrd", NULL);
	q->log = rig_cfg_has(cfg, "log") ? dup_opt(cfg, "log", NULL) : rig_xasprintf("%s.log", q->overlay);
	q->nbdkit = dup_opt(cfg, "nbdkit", "nbdkit");
	q->wlog_path = rig_xasprintf("%s.writes.log", q->overlay);
	q->memory = (int)rig_cfg_int(cfg, "memory", 1024);
	q->smp = (int)rig_cfg_int(cfg, "smp", 2);
	while (args && args[n])
		n++;
	q->args = rig_xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		q->args[i] = rig_xstrdup(args[i]);
	free(tmp);
	q->next_id = 1;
	q->caps_id = -1;
	q->stats_id = -1;
	*handle = q;
	if (strcmp(accel, "auto") == 0) {
		q->accel = ACCEL_AUTO;
	} else if (strcmp(accel, "kvm") == 0) {
		q->accel = ACCEL_KVM;
	} else if (strcmp(accel, "tcg") == 0) {
		q->accel = ACCEL_TCG;
	} else {
		qemu_close(q);
		return rig_drv_fail(ctx, -EINVAL, "power.accel: expected auto, kvm or tcg, got '%s'", accel);
	}
	disk = rig_cfg_str(cfg, "disk", "direct");
	if (strcmp(disk, "volatile-cache") == 0) {
		q->nbd = q->volatile_cache = true;
	} else if (strcmp(disk, "direct-nbd") == 0) {
		q->nbd = true;
	} else if (strcmp(disk, "direct") != 0) {
		int r = rig_drv_fail(ctx, -EINVAL, "power.disk: expected direct, direct-nbd or volatile-cache, got '%s'",
				     disk);

		qemu_close(q);
		return r;
	}
	if (strcmp(rig_cfg_str(cfg, "reboot", "restart"), "restart") == 0) {
		q->restart_on_reset = true;
	} else if (strcmp(rig_cfg_str(cfg, "reboot", "restart"), "reset") != 0) {
		const char *d = rig_cfg_str(cfg, "reboot", "");
		int r = rig_drv_fail(ctx, -EINVAL, "power.reboot: expected restart or reset, got '%s'", d);

		qemu_close(q);
		return r;
	}
	{
		const char *rtc = rig_cfg_str(cfg, "rtc_base", getenv("RIG_QEMU_RTC_BASE"));
		static const char *const wd[] = { "reset", "poweroff", "shutdown", "pause", "inject-nmi", "none" };
		const char *w = rig_cfg_str(cfg, "watchdog_action", "reset");
		bool ok = false;
		char why[RIG_ERRMSG_MAX];   /* the value, or a message naming it (longer than rtc_base) */

		if (rig_qemu_rtc_base(rtc && *rtc ? rtc : "utc", why, sizeof(why)) < 0 ||
		    strlen(why) >= sizeof(q->rtc_base)) {
			int r = rig_drv_fail(ctx, -EINVAL, "power.rtc_base (or RIG_QEMU_RTC_BASE): %s", why);

			qemu_close(q);
			return r;
		}
		memcpy(q->rtc_base, why, strlen(why) + 1);
		for (size_t i = 0; i < sizeof(wd) / sizeof(wd[0]); i++)
			ok = ok || !strcmp(w, wd[i]);
		if (!ok) {
			int r = rig_drv_fail(ctx, -EINVAL,
					     "power.watchdog_action: expected reset, poweroff, shutdown, pause, "
					     "inject-nmi or none, got '%s'", w);

			qemu_close(q);
			return r;
		}
		q->watchdog_action = rig_xstrdup(w);
	}
	if (rig_cfg_has(cfg, "manifest")) {
		q->manifest = dup_opt(cfg, "manifest", NULL);
	} else {
		const char *slash = strrchr(q->image, '/');

		q->manifest = slash ? rig_xasprintf("%.*s/manifest.json", (int)(slash - q->image), q->image)
				    : rig_xstrdup("manifest.json");
	}
	if (q->memory < 64 || q->smp < 1 || q->smp > 64) {
		qemu_close(q);
		return rig_drv_fail(ctx, -EINVAL, "power.memory/smp out of range");
	}
	if (access(q->image, R_OK) < 0) {
		int e = -errno;

		qemu_close(q);
		return rig_drv_fail(ctx, e, "power.image %s: %s (emulated/qemu/build-image builds it)",
				    rig_cfg_str(cfg, "image", ""), strerror(-e));
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, q->con) < 0) {
		int e = -errno;

		qemu_close(q);
		return rig_drv_fail(ctx, e, "cannot create the console socket pair: %s", strerror(-e));
	}
	fcntl(q->con[0], F_SETFL, fcntl(q->con[0], F_GETFL) | O_NONBLOCK);
	return 0;
}

/* ---- completion */

static void finish(struct qemu *q, int result, uint64_t t, enum rig_power_state st)
{
	rig_power_done_fn *done = q->done;

	q->done = NULL;
	if (done)
		done(q->done_arg, result, t, st);
}

static void done_later(struct rig_loop *loop, void *arg)
{
	struct qemu *q = arg;

	RIG_UNUSED(loop);
	q->timer = NULL;
	if (q->pending_on)
		finish(q, 0, rig_now_ns(), q->pid ? RIG_POWER_ON : RIG_POWER_OFF);
	else
		finish(q, 0, q->t_kill, RIG_POWER_OFF);
}

static void fail_later(struct qemu *q, int err, const char *fmt, ...) RIG_PRINTF(3, 4);
static void fail_later(struct qemu *q, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rig_errmsg_vset(q->ctx.err, fmt, ap);
	va_end(ap);
	q->stage = ST_IDLE;
	finish(q, err, rig_now_ns(), RIG_POWER_OFF);
}

/* ---- QMP */

static void qmp_send(struct qemu *q, const char *cmd, int64_t *id_out)
{
	char *line;
	int64_t id = q->next_id++;
	size_t len, off = 0;

	if (q->qmp < 0)
		return;
	line = rig_xasprintf("{\"execute\":\"%s\",\"id\":%lld}\n", cmd, (long long)id);
	len = strlen(line);
	/* Tiny commands on a fresh socket: the buffer has room; a short write
	 * means QEMU is gone, which the exit watcher reports. */
	while (off < len) {
		ssize_t w = send(q->qmp, line + off, len - off, MSG_NOSIGNAL);

		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(line);
	if (id_out)
		*id_out = id;
}

static void stats_tick(struct rig_loop *loop, void *arg)
{
	struct qemu *q = arg;

	q->stats_timer = NULL;
	if (q->qmp < 0 || !q->qmp_ready || !q->counting)
		return;
	if (q->stats_id < 0)
		qmp_send(q, "query-blockstats", &q->stats_id);
	q->stats_timer = rig_loop_add_timer(loop, rig_now_ns() + STATS_PERIOD_NS, stats_tick, q);
}

static void stats_start(struct qemu *q)
{
	if (!q->stats_timer && q->qmp >= 0 && q->qmp_ready && q->counting)
		q->stats_timer = rig_loop_add_timer(q->ctx.loop, 0, stats_tick, q);
}

/* The reply to query-blockstats: disk0's wr_bytes. */
static void stats_reply(struct qemu *q, struct rig_qmp_span ret)
{
	struct rig_qmp_span dev, v;
	int64_t wr;

	q->stats_id = -1;
	for (size_t i = 0; rig_qmp_index(ret, i, &dev) == 0; i++) {
		if (rig_qmp_get(dev, "device", &v) < 0 || v.n != 7 || memcmp(v.p, "\"disk0\"", 7) != 0)
			continue;
		if (rig_qmp_get(dev, "stats", &v) == 0 && rig_qmp_get(v, "wr_bytes", &v) == 0 &&
		    rig_qmp_int(v, &wr) == 0 && wr >= 0) {
			q->wr_cur = (uint64_t)wr;
			q->count_valid = true;
		}
		return;
	}
}

static void qmp_message(struct qemu *q, const char *line, size_t n)
{
	struct rig_qmp_msg m;

	if (rig_qmp_parse(line, n, &m) < 0) {
		rig_drv_event(&q->ctx, "qemu.qmp.garbage", "{\"bytes\":%zu}", n);
		return;
	}
	switch (m.kind) {
	case RIG_QMP_GREETING:
		/* Events only start after the negotiation; one may come before
		 * its reply, which the id match below tolerates. */
		qmp_send(q, "qmp_capabilities", &q->caps_id);
		break;
	case RIG_QMP_RETURN:
		if (m.id == q->caps_id && q->caps_id >= 0) {
			q->qmp_ready = true;
			rig_drv_event(&q->ctx, "qemu.qmp", "{\"ready\":true}");
			stats_start(q);
		} else if (m.id == q->stats_id && q->stats_id >= 0) {
			stats_reply(q, m.value);
		}
		break;
	case RIG_QMP_ERROR:
		rig_drv_event(&q->ctx, "qemu.qmp.error", "{\"id\":%lld,\"desc\":\"%.*s\"}", (long long)m.id,
			      (int)(m.desc.p ? m.desc.n : 0), m.desc.p ? m.desc.p : "");
		break;
	case RIG_QMP_EVENT:
		if (m.event.n == 8 && memcmp(m.event.p, "SHUTDOWN", 8) == 0) {
			struct rig_qmp_span r;

			q->guest_reset = rig_qmp_get(m.value, "reason", &r) == 0 && r.n == 13 &&
					 memcmp(r.p, "\"guest-reset\"", 13) == 0;
		} else if (m.event.n == 8 && memcmp(m.event.p, "WATCHDOG", 8) == 0) {
			struct rig_qmp_span a = { NULL, 0 };

			/* The reset (or poweroff) that follows is the watchdog's, not
			 * the guest's own reboot: say so on the timeline. */
			q->watchdog = true;
			if (rig_qmp_get(m.value, "action", &a) < 0 || a.n > 64)
				a.p = NULL;
			rig_drv_event(&q->ctx, "power.watchdog", "{\"action\":%.*s}", a.p ? (int)a.n : 4,
				      a.p ? a.p : "null");
		}
		rig_drv_event(&q->ctx, "qemu.event", "{\"event\":\"%.*s\",\"data\":%.*s}", (int)m.event.n,
			      m.event.p, (int)(m.value.p ? m.value.n : 2), m.value.p ? m.value.p : "{}");
		break;
	}
}

static void qmp_detach(struct qemu *q)
{
	if (q->qmp < 0)
		return;
	rig_loop_del_fd(q->ctx.loop, q->qmp);
	close(q->qmp);
	q->qmp = -1;
	q->qlen = 0;
	q->caps_id = -1;
	q->qmp_ready = false;
	/* This QEMU is gone: what it wrote (as last polled) joins the total. */
	q->wr_base += q->wr_cur;
	q->wr_cur = 0;
	q->stats_id = -1;
	rig_loop_cancel_timer(q->ctx.loop, q->stats_timer);
	q->stats_timer = NULL;
}

static void qmp_readable(struct rig_loop *loop, int fd, unsigned events, void *arg)
{
	struct qemu *q = arg;

	RIG_UNUSED(loop);
	RIG_UNUSED(events);
	for (;;) {
		ssize_t r;
		char *nl;

		if (q->qlen == QMP_LINE_MAX) {   /* a line longer than any reply: drop it */
			rig_drv_event(&q->ctx, "qemu.qmp.garbage", "{\"bytes\":%d}", QMP_LINE_MAX);
			q->qlen = 0;
		}
		r = recv(fd, q->qbuf + q->qlen, QMP_LINE_MAX - q->qlen, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			qmp_detach(q);
			return;
		}
		if (r < 0)
			return;
		q->qlen += (size_t)r;
		while ((nl = memchr(q->qbuf, '\n', q->qlen))) {
			size_t n = (size_t)(nl - q->qbuf);

			qmp_message(q, q->qbuf, n > 0 && q->qbuf[n - 1] == '\r' ? n - 1 : n);
			memmove(q->qbuf, nl + 1, q->qlen - n - 1);
			q->qlen -= n + 1;
			if (q->qmp < 0)
				return;
		}
	}
}

/* ---- nbdkit's log of the guest's writes (per-partition counts) */

/* Read what nbdkit appended since the last read, at most max bytes (a
 * regular file: read() returns what is there, never waits). The first read
 * that reaches the end makes the counts valid. */
static void wlog_read(struct qemu *q, size_t max)
{
	char buf[WLOG_CHUNK];
	size_t got = 0;

	while (got < max) {
		ssize_t r = read(q->wlog_fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {   /* the counts stay as they are: not valid, reported once */
			if (!q->wlog_failed)
				rig_drv_event(&q->ctx, "qemu.writes.error", "{\"errno\":%d}", errno);
			q->wlog_failed = true;
			return;
		}
		if (r == 0) {
			q->wlog_valid = true;
			return;
		}
		rig_nbdlog_feed(q->wlog, buf, (size_t)r);
		got += (size_t)r;
		if ((size_t)r < sizeof(buf)) {
			q->wlog_valid = true;
			return;
		}
	}
}

static void wlog_tick(struct rig_loop *loop, void *arg)
{
	struct qemu *q = arg;

	q->wlog_timer = NULL;
	if (q->wlog_fd < 0 || !q->wlog)
		return;
	wlog_read(q, WLOG_TICK_MAX);
	q->wlog_timer = rig_loop_add_timer(loop, rig_now_ns() + STATS_PERIOD_NS, wlog_tick, q);
}

/* nbdkit appended to its log: count the new lines at once and, if a write
 * came with them, tell the triggers. A cut on a partition's count then lands
 * within a fraction of a millisecond of the write that reached it, where the
 * 20 ms read alone put it several writes later (GRUB's grubenv rewrite is
 * seven writes in about 4 ms). The 20 ms read stays, for a backlog. */
static void wlog_modified(struct rig_loop *loop, int fd, unsigned events, void *arg)
{
	struct qemu *q = arg;
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	uint64_t before;

	RIG_UNUSED(loop);
	RIG_UNUSED(events);
	while (read(fd, ev, sizeof(ev)) > 0)
		;   /* only "modified" is asked for: the events say nothing more */
	if (q->wlog_fd < 0 || !q->wlog)
		return;
	before = q->wlog->requests;
	wlog_read(q, WLOG_TICK_MAX);
	if (q->wlog->requests != before)
		rig_drv_written(&q->ctx);
}

static void wlog_unwatch(struct qemu *q)
{
	if (q->wlog_ino < 0)
		return;
	rig_loop_del_fd(q->ctx.loop, q->wlog_ino);
	close(q->wlog_ino);
	q->wlog_ino = -1;
}

/* Without inotify (no instances left, say) the counts are read every 20 ms,
 * and the timeline says so: tried once per power-on (wlog_create resets). */
static void wlog_watch(struct qemu *q)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), r;

	q->wlog_watch_tried = true;
	if (fd < 0)
		r = -errno;
	else if (inotify_add_watch(fd, q->wlog_path, IN_MODIFY) < 0)
		r = -errno;
	else
		r = rig_loop_add_fd(q->ctx.loop, fd, RIG_EV_READ, wlog_modified, q);
	if (r >= 0) {
		q->wlog_ino = fd;
		return;
	}
	rig_drv_event(&q->ctx, "qemu.writes.poll", "{\"errno\":%d,\"period_ms\":%d}", -r,
		      (int)(STATS_PERIOD_NS / RIG_NS_PER_MS));
	if (fd >= 0)
		close(fd);
}

static void wlog_start(struct qemu *q)
{
	if (!q->wlog_timer && q->wlog_fd >= 0 && q->wlog)
		q->wlog_timer = rig_loop_add_timer(q->ctx.loop, 0, wlog_tick, q);
	if (q->wlog_ino < 0 && !q->wlog_watch_tried && q->wlog_fd >= 0 && q->wlog)
		wlog_watch(q);
}

/* nbdkit is gone: count the rest of its log (all of it: the counts must
 * not lose the last writes before a cut), then let it go. */
static void wlog_detach(struct qemu *q)
{
	if (q->wlog_fd < 0)
		return;
	if (q->wlog)
		wlog_read(q, SIZE_MAX);
	rig_loop_cancel_timer(q->ctx.loop, q->wlog_timer);
	q->wlog_timer = NULL;
	wlog_unwatch(q);
	close(q->wlog_fd);
	q->wlog_fd = -1;
	if (q->wlog) {
		rig_nbdlog_new_file(q->wlog);
		q->wlog_valid = true;   /* off: nothing is being written */
		/* the totals so far, and the lines that could not be counted */
		rig_drv_event(&q->ctx, "qemu.writes", "{\"requests\":%llu,\"bytes\":%llu,\"garbage\":%llu}",
			      (unsigned long long)q->wlog->requests, (unsigned long long)q->wlog->total,
			      (unsigned long long)q->wlog->garbage);
	}
}

/* A new, empty log for the nbdkit about to start, created by the rig (and
 * appended to by nbdkit): the rig's fd is on the right file from byte 0. */
static int wlog_create(struct qemu *q)
{
	wlog_detach(q);
	if (unlink(q->wlog_path) < 0 && errno != ENOENT)
		return -errno;
	q->wlog_fd = open(q->wlog_path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (q->wlog_fd < 0)
		return -errno;
	if (q->wlog)
		q->wlog_valid = false;
	q->wlog_failed = false;
	q->wlog_watch_tried = false;
	return 0;
}

/* The manifest's partitions and the counter of nbdkit's log. Set up at each
 * power-on when nbdkit serves the disk, so the reader keeps up with the log
 * from its first line (reads are logged too: megabytes by the end of a download)
 * and an arm never waits behind a backlog; else at the first call. */
static int wlog_setup(struct qemu *q, struct rig_errmsg *err)
{
	if (!q->parts) {
		struct rig_qemu_parts *p = rig_xcalloc(1, sizeof(*p));
		int r = rig_qemu_manifest_parts(q->manifest, p, err);

		if (r < 0) {
			free(p);
			return r;
		}
		q->parts = p;
	}
	if (!q->wlog) {
		q->wlog = rig_xcalloc(1, sizeof(*q->wlog));
		rig_nbdlog_init(q->wlog);
		for (size_t k = 0; k < q->parts->n; k++)
			rig_nbdlog_add_range(q->wlog, q->parts->p[k].off, q->parts->p[k].size);
		q->wlog_valid = q->wlog_fd < 0;   /* off: nothing is being written */
	}
	wlog_start(q);
	return 0;
}

/* ---- the QEMU process */

static int spawn_qemu(struct qemu *q);

static void qemu_exited(struct rig_loop *loop, pid_t pid, int status, void *arg)
{
	struct qemu *q = arg;

	if (q->pid != pid)
		return;
	q->pid = 0;
	/* Events QEMU wrote before it exited (SHUTDOWN) are still in the socket. */
	if (q->qmp >= 0)
		qmp_readable(loop, q->qmp, RIG_EV_READ, q);
	qmp_detach(q);
	wlog_detach(q);
	if (q->stage == ST_KILLING) {
		q->stage = ST_IDLE;
		finish(q, 0, q->t_kill, RIG_POWER_OFF);
		return;
	}
	if (q->restart_on_reset && q->guest_reset) {
		int r;

		q->guest_reset = false;
		rig_drv_event(&q->ctx, "power.restart", "{\"reason\":\"%s\"}",
			      q->watchdog ? "watchdog" : "guest-reset");
		r = spawn_qemu(q);
		if (r == 0)
			return;
		rig_drv_event(&q->ctx, "qemu.error", "{\"restart\":%d}", r);
	}
	q->stage = ST_IDLE;
	/* QEMU ended by itself (guest poweroff, an emulator error: see the log). */
	rig_drv_event(&q->ctx, "power.exit", "{\"status\":%d,\"signal\":%d,\"watchdog\":%s}",
		      WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		      WIFSIGNALED(status) ? WTERMSIG(status) : 0, q->watchdog ? "true" : "false");
}

static char **qemu_argv(struct qemu *q)
{
	size_t cap = 48, n = 0;
	char **v;

	for (size_t i = 0; q->args[i]; i++)
		cap++;
	v = rig_xcalloc(cap, sizeof(char *));
#define ARG(...) (v[n++] = rig_xasprintf(__VA_ARGS__))
	ARG("%s", q->qemu);
	ARG("-nodefaults");
	ARG("-no-user-config");
	ARG("-display");
	ARG("none");
	ARG("-machine");
	ARG("pc,accel=%s", q->accel == ACCEL_KVM ? "kvm" : "tcg");
	ARG("-m");
	ARG("%d", q->memory);
	ARG("-smp");
	ARG("%d", q->smp);
	ARG("-chardev");
	ARG("socket,id=con0,fd=%d", CONSOLE_FD);
	ARG("-serial");
	ARG("chardev:con0");
	ARG("-chardev");
	ARG("socket,id=qmp0,fd=%d", QMP_FD);
	ARG("-mon");
	ARG("chardev=qmp0,mode=control");
	ARG("-drive");
	if (q->nbd)   /* nbdkit --run substitutes $nbd */
		ARG("file=$nbd,format=raw,if=none,id=disk0,cache=writeback");
	else
		ARG("file=%s,format=qcow2,if=none,id=disk0,cache=writeback", q->overlay);
	ARG("-device");
	ARG("virtio-blk-pci,drive=disk0");
	ARG("-device");
	ARG("i6300esb");
	ARG("-watchdog-action");
	ARG("%s", q->watchdog_action);
	ARG("-rtc");
	ARG("base=%s", q->rtc_base);
	ARG("-nic");
	ARG("user,model=virtio-net-pci");
	if (q->restart_on_reset)
		ARG("-no-reboot");
	for (size_t i = 0; q->args[i]; i++)
		ARG("%s", q->args[i]);
#undef ARG
	return v;
}

/* `nbdkit ... --run 'exec qemu ...'`: one process group, so one SIGKILL. */
static char **nbdkit_argv(struct qemu *q, char **qv)
{
	char **v = rig_xcalloc(20, sizeof(char *));
	char *cmd = rig_xstrdup("exec");
	size_t n = 0;

	for (size_t i = 0; qv[i]; i++) {
		char *prev = cmd;
		size_t len = 0;
		char *quoted = rig_xcalloc(strlen(qv[i]) * 4 + 3, 1);

		/* single-quote every argument; the drive's $nbd in double quotes */
		if (strstr(qv[i], "$nbd")) {
			sprintf(quoted, "\"%s\"", qv[i]);
		} else {
			quoted[len++] = '\'';
			for (const char *c = qv[i]; *c; c++) {
				if (*c == '\'') {
					memcpy(quoted + len, "'\\''", 4);
					len += 4;
				} else {
					quoted[len++] = *c;
				}
			}
			quoted[len++] = '\'';
		}
		cmd = rig_xasprintf("%s %s", prev, quoted);
		free(prev);
		free(quoted);
	}
	v[n++] = rig_xstrdup(q->nbdkit);
	v[n++] = rig_xstrdup("--foreground");
	v[n++] = rig_xstrdup("--exit-with-parent");
	v[n++] = rig_xstrdup("-U");
	v[n++] = rig_xstrdup("-");
	/* the first filter sees the client's requests: the log records the
	 * guest's writes as issued, before the cache holds them back */
	v[n++] = rig_xstrdup("--filter=log");
	if (q->volatile_cache)
		v[n++] = rig_xstrdup("--filter=cache");
	v[n++] = rig_xstrdup("file");
	v[n++] = rig_xstrdup(q->overlay);
	if (q->volatile_cache)
		v[n++] = rig_xstrdup("cache=writeback");
	v[n++] = rig_xasprintf("logfile=%s", q->wlog_path);
	v[n++] = rig_xstrdup("logappend=true");
	v[n++] = rig_xstrdup("--run");
	v[n++] = cmd;
	return v;
}

static int spawn_qemu(struct qemu *q)
{
	int qp[2], logfd, r;
	char **argv;
	pid_t pid;
	char junk[4096];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, qp) < 0)
		return -errno;
	logfd = open(q->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0) {
		r = -errno;
		close(qp[0]);
		close(qp[1]);
		return r;
	}
	/* What the rig typed while the board was off never reaches the new boot. */
	while (recv(q->con[1], junk, sizeof(junk), MSG_DONTWAIT) > 0)
		;
	if (q->nbd) {
		r = wlog_create(q);
		if (r < 0) {
			close(qp[0]);
			close(qp[1]);
			close(logfd);
			return r;
		}
	}
	argv = qemu_argv(q);
	if (q->nbd) {
		char **nv = nbdkit_argv(q, argv);

		free_strv(argv);
		argv = nv;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(qp[0]);
		close(qp[1]);
		close(logfd);
		free_strv(argv);
		wlog_detach(q);
		return r;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		setsid();
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		rig_child_reset_signals();
		dup2(null, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		/* dup2 clears close-on-exec on the copies. */
		if (dup2(q->con[1], CONSOLE_FD) < 0 || dup2(qp[1], QMP_FD) < 0)
			_exit(126);
		execvp(argv[0], argv);
		dprintf(2, "rig: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	free_strv(argv);
	close(logfd);
	close(qp[1]);
	r = rig_loop_watch_child(q->ctx.loop, pid, qemu_exited, q);
	if (r < 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(qp[0]);
		wlog_detach(q);
		return r;
	}
	q->pid = pid;
	if (q->nbd) {   /* no manifest: no counts, said at the first ask */
		struct rig_errmsg ignored;

		(void)wlog_setup(q, &ignored);
	}
	q->guest_reset = false;
	q->watchdog = false;
	q->qmp = qp[0];
	q->qlen = 0;
	if (!q->qbuf)
		q->qbuf = rig_xcalloc(1, QMP_LINE_MAX);
	r = rig_loop_add_fd(q->ctx.loop, q->qmp, RIG_EV_READ, qmp_readable, q);
	if (r < 0) {
		close(q->qmp);
		q->qmp = -1;
		rig_drv_event(&q->ctx, "qemu.qmp.error", "{\"desc\":\"cannot watch the QMP socket\"}");
	}
	rig_drv_event(&q->ctx, "power.spawn", "{\"pid\":%ld,\"accel\":\"%s\"}", (long)pid,
		      q->accel == ACCEL_KVM ? "kvm" : "tcg");
	return 0;
}

static void start_stage(struct qemu *q);

static void overlay_done(void *arg, const struct rig_child_result *res)
{
	struct qemu *q = arg;
	struct rig_child *c = q->helper;   /* freed by us, after its output was read */

	q->helper = NULL;
	if (res->exit_code != 0) {
		fail_later(q, -EIO, "qemu-img create %s failed (exit %d): %s", q->overlay, res->exit_code,
			   res->output);
		rig_child_free(c);
		return;
	}
	rig_child_free(c);
	rig_drv_event(&q->ctx, "qemu.overlay", "{\"created\":true}");
	start_stage(q);
}

/* The probe's answer holds until the machine reboots: kept in a file named
 * by the kernel's boot id, so each power-on does not pay the probe again. */
static char *probe_cache_path(void)
{
	char id[64] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	const char *dir = getenv("XDG_RUNTIME_DIR");

	if (!f)
		return NULL;
	if (!fgets(id, sizeof(id), f))
		id[0] = '\0';
	fclose(f);
	id[strcspn(id, "\n")] = '\0';
	if (!id[0])
		return NULL;
	return rig_xasprintf("%s/rig-kvm-probe-%u-%s", dir && *dir ? dir : "/tmp", (unsigned)getuid(), id);
}

static int probe_cached(void)
{
	char *p = probe_cache_path(), buf[8] = "";
	FILE *f = p ? fopen(p, "r") : NULL;
	int r = -1;

	if (f) {
		if (fgets(buf, sizeof(buf), f))
			r = !strncmp(buf, "kvm", 3) ? ACCEL_KVM : !strncmp(buf, "tcg", 3) ? ACCEL_TCG : -1;
		fclose(f);
	}
	free(p);
	return r;
}

static void probe_remember(bool kvm)
{
	char *p = probe_cache_path();
	FILE *f = p ? fopen(p, "w") : NULL;

	if (f) {
		fputs(kvm ? "kvm\n" : "tcg\n", f);
		fclose(f);
	}
	free(p);
}

static void probe_done(void *arg, const struct rig_child_result *res)
{
	struct qemu *q = arg;
	bool ok = !res->timed_out && strstr(res->output, "RIG-PROBE-OK") != NULL;
	uint64_t ms = (res->t_end_ns - res->t_start_ns) / RIG_NS_PER_MS;
	bool timed_out = res->timed_out;

	rig_child_free(q->helper);   /* res is not read after this */
	q->helper = NULL;
	q->accel = ok ? ACCEL_KVM : ACCEL_TCG;
	probe_remember(ok);
	rig_drv_event(&q->ctx, "qemu.accel", "{\"accel\":\"%s\",\"probe\":\"%s\",\"ms\":%llu}",
		      ok ? "kvm" : "tcg", ok ? "ok" : timed_out ? "timeout" : "failed", (unsigned long long)ms);
	start_stage(q);
}

/* Power-on, one stage at a time: resolve the accelerator, make the overlay,
 * start QEMU. Each stage that waits comes back here from the loop. */
static void start_stage(struct qemu *q)
{
	int r;

	if (q->accel == ACCEL_AUTO && access("/dev/kvm", R_OK | W_OK) == 0 && probe_cached() >= 0) {
		q->accel = probe_cached();
		rig_drv_event(&q->ctx, "qemu.accel", "{\"accel\":\"%s\",\"probe\":\"cached for this boot\"}",
			      q->accel == ACCEL_KVM ? "kvm" : "tcg");
	}
	if (q->accel == ACCEL_AUTO) {
		if (access("/dev/kvm", R_OK | W_OK) < 0 || !q->probe_kernel || !q->probe_initrd) {
			q->accel = ACCEL_TCG;
			rig_drv_event(&q->ctx, "qemu.accel", "{\"accel\":\"tcg\",\"probe\":\"%s\"}",
				      access("/dev/kvm", R_OK | W_OK) < 0 ? "no /dev/kvm" : "no probe kernel");
		} else {
			char *argv[] = { q->qemu, "-nodefaults", "-no-user-config", "-display", "none",
					 "-machine", "pc,accel=kvm", "-m", "256", "-serial", "stdio", "-no-reboot",
					 "-kernel", q->probe_kernel, "-initrd", q->probe_initrd, "-append",
					 "console=ttyS0 rig.probe quiet", NULL };

			q->stage = ST_PROBE;
			r = rig_child_spawn(q->ctx.loop, argv, NULL, NULL, PROBE_TIMEOUT_NS, probe_done, q,
					    &q->helper);
			if (r < 0)
				fail_later(q, r, "cannot start the KVM probe: %s", strerror(-r));
			return;
		}
	}
	if (access(q->overlay, F_OK) < 0) {
		/* direct: a qcow2 overlay; direct-nbd, volatile-cache: nbdkit
		 * serves raw, so a sparse (or reflinked) raw copy */
		char *argv_q[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F", q->format, "-b", q->image,
				   q->overlay, NULL };
		char *argv_c[] = { "qemu-img", "convert", "-q", "-f", q->format, "-O", "raw", "-S", "4k",
				   q->image, q->overlay, NULL };
		char **argv = q->nbd ? argv_c : argv_q;

		q->stage = ST_OVERLAY;
		r = rig_child_spawn(q->ctx.loop, argv, NULL, NULL, 30 * RIG_NS_PER_S, overlay_done, q, &q->helper);
		if (r < 0)
			fail_later(q, r, "cannot run qemu-img: %s", strerror(-r));
		return;
	}
	r = spawn_qemu(q);
	if (r < 0) {
		fail_later(q, r, "cannot start %s: %s", q->qemu, strerror(-r));
		return;
	}
	q->stage = ST_STARTED;
	finish(q, 0, rig_now_ns(), RIG_POWER_ON);
}

static void start_later(struct rig_loop *loop, void *arg)
{
	struct qemu *q = arg;

	RIG_UNUSED(loop);
	q->timer = NULL;
	start_stage(q);
}

static int qemu_set(void *handle, bool on, rig_power_done_fn *done, void *arg)
{
	struct qemu *q = handle;

	if (q->done)
		return rig_drv_fail(&q->ctx, -EBUSY, "a power operation is already running");
	if (on && q->atrest)
		return rig_drv_fail(&q->ctx, -EBUSY, "an at-rest fault is being written to the disk");
	q->done = done;
	q->done_arg = arg;
	q->pending_on = on;
	if (on) {
		q->timer = rig_loop_add_timer(q->ctx.loop, 0, q->pid ? done_later : start_later, q);
		return 0;
	}
	q->t_kill = rig_now_ns();
	if (!q->pid) {
		q->timer = rig_loop_add_timer(q->ctx.loop, 0, done_later, q);
		return 0;
	}
	/* The cut: QEMU and anything it started, at once. */
	q->stage = ST_KILLING;
	kill(-q->pid, SIGKILL);
	kill(q->pid, SIGKILL);
	q->t_kill = rig_now_ns();
	return 0;   /* done() when the pidfd reports the exit */
}

static int qemu_get(void *handle, rig_power_done_fn *done, void *arg)
{
	struct qemu *q = handle;

	if (q->done)
		return -EBUSY;
	q->pending_on = true;   /* report the state read in done_later */
	q->done = done;
	q->done_arg = arg;
	q->timer = rig_loop_add_timer(q->ctx.loop, 0, done_later, q);
	return 0;
}

/* Per partition: what the guest wrote there, from nbdkit's log (since the
 * counter was set up; triggers count from their arm). */
static int partition_written(struct qemu *q, const char *partition, uint64_t *bytes)
{
	int i;

	if (!q->nbd)
		return rig_drv_fail(&q->ctx, -ENOTSUP,
				    "written to partition '%s': power.disk = \"direct\" counts writes per drive only "
				    "(QMP query-blockstats); per-partition counts need the disk served by nbdkit, whose "
				    "log has every write: disk = \"direct-nbd\" (the same power-loss model) or "
				    "\"volatile-cache\" (RIG_QEMU_DISK=...)", partition);
	i = wlog_setup(q, q->ctx.err);
	if (i < 0)
		return i;
	i = rig_qemu_parts_find(q->parts, partition, q->manifest, q->ctx.err);
	if (i < 0)
		return i;
	if (!q->wlog_valid)
		return -EAGAIN;
	*bytes = q->wlog->ranges[i].bytes;
	return 0;
}

static int qemu_written(void *handle, const char *partition, uint64_t *bytes)
{
	struct qemu *q = handle;

	if (partition)
		return partition_written(q, partition, bytes);
	if (!q->counting) {
		q->counting = true;
		if (!q->pid)
			q->count_valid = true;   /* off: nothing is being written */
		stats_start(q);
	}
	if (!q->count_valid)
		return -EAGAIN;
	*bytes = q->wr_base + q->wr_cur;
	return 0;
}

static void atrest_done(void *arg, int result, const char *detail)
{
	struct qemu *q = arg;
	rig_at_rest_done_fn *done = q->atrest_done;
	void *darg = q->atrest_arg;
	char *copy = rig_xstrdup(detail);   /* detail lives in the job freed here */

	rig_atrest_free(q->atrest);
	q->atrest = NULL;
	q->atrest_done = NULL;
	if (done)
		done(darg, result, copy);
	free(copy);
}

static int qemu_at_rest(void *handle, const struct rig_at_rest_req *req, rig_at_rest_done_fn *done, void *arg)
{
	struct qemu *q = handle;
	int r;

	if (q->pid || q->stage != ST_IDLE || q->done)
		return rig_drv_fail(&q->ctx, -EBUSY, "the board must be off for an at-rest fault (power it off first)");
	if (q->atrest)
		return rig_drv_fail(&q->ctx, -EBUSY, "an at-rest fault is already being written");
	q->atrest_done = done;
	q->atrest_arg = arg;
	r = rig_atrest_start(q->ctx.loop, q->overlay, q->nbd ? "raw" : "qcow2", q->manifest, req,
			     atrest_done, q, q->ctx.err, &q->atrest);
	if (r < 0)
		q->atrest_done = NULL;
	return r;
}

static void qemu_at_rest_cancel(void *handle)
{
	struct qemu *q = handle;

	rig_atrest_free(q->atrest);
	q->atrest = NULL;
	q->atrest_done = NULL;
}

/* The cut is exact in both disk modes; what the disk keeps differs. */
static void qemu_precision_of(void *handle, const char **text, uint64_t *ns)
{
	struct qemu *q = handle;

	*ns = 0;
	*text = q->volatile_cache
			? "SIGKILL of nbdkit's and QEMU's process group (exact; disk = volatile-cache: the writes "
			  "since the guest's last flush, held in nbdkit's writeback cache, are lost)"
		: q->nbd ? "SIGKILL of nbdkit's and QEMU's process group (exact; disk = direct-nbd: every write "
			   "nbdkit acknowledged survives, a disk without a volatile cache)"
			 : "SIGKILL of QEMU's process group (exact; disk = direct: every write QEMU issued "
			   "survives, a disk without a volatile cache)";
}

static int qemu_console_fd(void *handle)
{
	return ((struct qemu *)handle)->con[0];
}

static void qemu_close(void *handle)
{
	struct qemu *q = handle;

	if (!q)
		return;
	rig_loop_cancel_timer(q->ctx.loop, q->timer);
	rig_child_free(q->helper);
	rig_atrest_free(q->atrest);
	if (q->pid) {
		rig_loop_forget_child(q->ctx.loop, q->pid);
		kill(-q->pid, SIGKILL);
		kill(q->pid, SIGKILL);
		waitpid(q->pid, NULL, 0);
	}
	qmp_detach(q);
	wlog_detach(q);
	if (q->con[0] >= 0)
		close(q->con[0]);
	if (q->con[1] >= 0)
		close(q->con[1]);
	free(q->qbuf);
	free(q->image);
	free(q->format);
	free(q->overlay);
	free(q->qemu);
	free(q->log);
	free(q->probe_kernel);
	free(q->probe_initrd);
	free(q->nbdkit);
	free(q->watchdog_action);
	free(q->manifest);
	free(q->wlog_path);
	free(q->wlog);
	free(q->parts);
	free_strv(q->args);
	free(q);
}

const struct rig_power_ops rig_power_qemu = {
	.name = "qemu",
	.opts = qemu_opts,
	.precision = "SIGKILL of QEMU's process group, nbdkit's too with disk = direct-nbd or volatile-cache "
		     "(exact; what the disk keeps depends on power.disk)",
	.precision_of = qemu_precision_of,
	.precision_ns = 0,
	.open = qemu_open,
	.close = qemu_close,
	.set = qemu_set,
	.get = qemu_get,
	.console_fd = qemu_console_fd,
	.written = qemu_written,
	.written_lag_ns = STATS_PERIOD_NS,
	.at_rest = qemu_at_rest,
	.at_rest_cancel = qemu_at_rest_cancel,
	.confirms_off = true,   /* off is done when the killed QEMU is reaped */
};
