/* Driver model: a driver is a const struct of callbacks, registered in one
 * place (rig/registry.c). The core checks the required callbacks, validates
 * the driver's options (struct rig_opt) before open(), and supplies defaults
 * for optional callbacks left NULL.
 *
 * Lifecycle (power and console alike):
 *   open(ctx, cfg, &handle)  acquire what the driver needs; never blocks;
 *                            on failure returns -errno and sets ctx->err
 *   ... set()/write() ...    non-blocking; slow work is driven by the loop
 *   close(handle)            release everything; accepts NULL; after it,
 *                            no callback of this handle is ever called
 * Drivers never print: they report with rig_drv_event() and ctx->err.
 */
#ifndef RIG_DRIVER_H
#define RIG_DRIVER_H

#include "cfg.h"
#include "loop.h"

struct rig_drv_ctx;

/* An event for the run's timeline: kind is a short word ("power.cmd",
 * "console.gap"), detail a JSON object text or NULL. */
typedef void rig_drv_event_fn(void *owner, uint64_t t_ns, const char *kind, const char *detail);

struct rig_drv_ctx {
	struct rig_loop *loop;
	const char *device_id;
	struct rig_errmsg *err;     /* where a failing call leaves its message */
	rig_drv_event_fn *event;    /* may be NULL */
	void *owner;
	/* The driver's write counts (rig_power_ops.written) may have grown:
	 * called from the loop, never from inside a driver call; may be NULL */
	void (*written)(void *owner);
};

void rig_drv_event(const struct rig_drv_ctx *ctx, const char *kind, const char *fmt, ...)
	RIG_PRINTF(3, 4);
int rig_drv_fail(const struct rig_drv_ctx *ctx, int err, const char *fmt, ...) RIG_PRINTF(3, 4);
/* Tell the core that the write counts may have grown (ctx->written). */
void rig_drv_written(const struct rig_drv_ctx *ctx);

/* ---- power ---- */

enum rig_power_state { RIG_POWER_UNKNOWN = -1, RIG_POWER_OFF = 0, RIG_POWER_ON = 1 };

/* Completion of set()/get(): result 0 or -errno (message in ctx->err),
 * t_done_ns = when the driver knows the actuation was done, with the
 * precision the driver declares. For get(), state is the read-back. */
typedef void rig_power_done_fn(void *arg, int result, uint64_t t_done_ns, enum rig_power_state state);

/* An at-rest fault: which file, which damage. */
struct rig_at_rest_req {
	const char *partition;   /* a partition name of the image's manifest ("boot") */
	const char *path;        /* inside it ("/grub/grubenv") */
	const char *how;         /* "zero", "tear" or "truncate" */
	int64_t bytes;           /* tear: bytes of new data; truncate: the new size; -1: half */
};
/* result 0 or -errno; detail: the fault as a JSON object, or the message */
typedef void rig_at_rest_done_fn(void *arg, int result, const char *detail);

struct rig_power_ops {
	const char *name;
	const struct rig_opt *opts;          /* terminated by { NULL } */
	/* What "actuation done" means for this driver, and how far it may be
	 * from the real moment the device lost power. */
	const char *precision;
	uint64_t precision_ns;

	int (*open)(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, void **handle);
	void (*close)(void *handle);
	/* Start switching; done() is called exactly once from the loop (never
	 * from inside set()) unless set() returns an error. */
	int (*set)(void *handle, bool on, rig_power_done_fn *done, void *arg);
	/* Optional read-back. */
	int (*get)(void *handle, rig_power_done_fn *done, void *arg);
	/* Optional: the precision of this handle, when it depends on the
	 * options (the http driver's pdudaemon profile only queues a request);
	 * NULL: the two fields above. */
	void (*precision_of)(void *handle, const char **text, uint64_t *ns);
	/* Optional: a console fd the driver owns (the process driver's pty master). */
	int (*console_fd)(void *handle);
	/* The driver's own set(off) only reports done once the device is known
	 * to be off (read back, sense line, process reaped): the core then does
	 * not read back again after an off (power.verify_off). */
	bool confirms_off;
	/* Optional: bytes the device has written to its storage, as an emulator
	 * counts them, since counting started (at the first call). Synchronous
	 * and cheap: the latest count the driver has, at most written_lag_ns old
	 * while the device runs (the count stands still while it is off).
	 * partition NULL: the whole drive; else a partition's name (the qemu
	 * driver: of the image's manifest.json), counting the bytes of the
	 * requests that overlap it. -EAGAIN until the driver has a first count;
	 * -ENOTSUP (per-partition counts this driver or mode cannot give) or
	 * -ENOENT (no such partition) with ctx->err naming the way out. For
	 * `written` triggers. A driver that learns of new writes as they happen
	 * calls rig_drv_written() then, and the triggers read at once instead
	 * of at their next poll. */
	int (*written)(void *handle, const char *partition, uint64_t *bytes);
	uint64_t written_lag_ns;
	/* Optional: corrupt a file of the device's storage while it is off
	 * (emulators). done() is called once from the loop unless at_rest()
	 * returns an error; at_rest_cancel() drops a running one. */
	int (*at_rest)(void *handle, const struct rig_at_rest_req *req, rig_at_rest_done_fn *done, void *arg);
	void (*at_rest_cancel)(void *handle);
};

/* ---- console ---- */

struct rig_console_sink {
	/* Bytes as read, with the time they were read. */
	void (*input)(void *arg, const uint8_t *buf, size_t n, uint64_t t_ns);
	/* The port vanished (up=false) or came back (up=true). */
	void (*link)(void *arg, bool up, uint64_t t_ns, const char *why);
	void *arg;
};

struct rig_console_ops {
	const char *name;
	const struct rig_opt *opts;
	/* peer_fd: the power driver's console fd for drivers that need it, else -1 */
	int (*open)(const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, int peer_fd,
		    const struct rig_console_sink *sink, void **handle);
	void (*close)(void *handle);
	/* Non-blocking: returns bytes accepted (may be short) or -errno
	 * (-EAGAIN: try again when writable; -ENODEV: the port is gone). */
	ssize_t (*write)(void *handle, const void *buf, size_t n);
	/* Optional: fd to watch for writability after -EAGAIN. */
	int (*write_fd)(void *handle);
	/* Optional: read (into the sink) every byte already waiting, now. Called
	 * at power-on, so bytes of the previous boot still buffered by the kernel
	 * count as before the power-on. */
	void (*drain)(void *handle);
};

const struct rig_power_ops *rig_power_driver(const char *name);
const struct rig_console_ops *rig_console_driver(const char *name);
/* For `rig list` and error messages: NULL-terminated. */
const struct rig_power_ops *const *rig_power_drivers(void);
const struct rig_console_ops *const *rig_console_drivers(void);

#endif
