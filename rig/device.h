/* A device at run time: its power driver, its console, and the power
 * sequencing rules every driver gets for free — one power operation at a
 * time, a minimum time off before power returns (off_time), a settle time
 * after power-on (on_settle), and the console cursor reset at power-on. */
#ifndef RIG_DEVICE_H
#define RIG_DEVICE_H

#include "console.h"
#include "devfile.h"

struct rig_device;

struct rig_device_observer {
	rig_drv_event_fn *event;                   /* timeline events */
	struct rig_console_observer console;       /* raw bytes and link changes */
	void *arg;                                 /* passed to event() */
};

/* What a power operation did, for the timeline and for triggers. */
struct rig_power_report {
	bool on;
	int result;                /* 0 or -errno */
	uint64_t t_request_ns;     /* rig_device_power() called */
	uint64_t t_start_ns;       /* driver set() called (after off_time) */
	uint64_t t_done_ns;        /* driver reported actuation done */
	uint64_t t_ready_ns;       /* after on_settle */
	uint64_t precision_ns;
	const char *precision;
	const char *error;         /* message when result < 0 */
};

typedef void rig_device_power_fn(void *arg, const struct rig_power_report *rep);

int rig_device_open(struct rig_loop *loop, struct rig_devcfg *cfg,
		    const struct rig_device_observer *obs, struct rig_device **out,
		    struct rig_errmsg *err);
/* Switch to the device file's declared safe power state (power.safe), running
 * the loop until done or timeout_ns. For shutdown paths only (it runs the
 * loop). Returns 0, or -errno when the state could not be reached. */
int rig_device_make_safe(struct rig_device *dev, uint64_t timeout_ns);
/* Releases the drivers (the process driver kills its device). Pending power
 * callbacks are not called. */
void rig_device_close(struct rig_device *dev);

const struct rig_devcfg *rig_device_cfg(const struct rig_device *dev);
struct rig_console *rig_device_console(struct rig_device *dev);   /* NULL if none */
struct rig_loop *rig_device_loop(struct rig_device *dev);

/* Queue a power change; done() is called from the loop. */
int rig_device_power(struct rig_device *dev, bool on, rig_device_power_fn *done, void *arg);
/* Read back the power state (-ENOTSUP if the driver cannot). */
int rig_device_power_get(struct rig_device *dev, rig_power_done_fn *done, void *arg);
/* The power driver's write count (rig_power_ops.written) of the whole drive
 * (partition NULL) or of one partition: 0, -EAGAIN (no count yet), -ENOTSUP
 * (the driver counts no writes, or not per partition) or -ENOENT (no such
 * partition), with rig_device_error() set for the last two. */
int rig_device_written(struct rig_device *dev, const char *partition, uint64_t *bytes);
/* Be told, from the loop, as soon as the power driver has seen new writes
 * (rig_drv_written: the qemu driver reads nbdkit's log when it grows), so a
 * `written` trigger does not wait for its next poll. fn may unwatch its own
 * watch, no other. Drivers that never tell leave the watchers to poll. */
typedef void rig_device_written_fn(void *arg);
struct rig_written_watch;
struct rig_written_watch *rig_device_watch_written(struct rig_device *dev, rig_device_written_fn *fn,
						   void *arg);
void rig_device_unwatch_written(struct rig_device *dev, struct rig_written_watch *w);   /* NULL: no-op */
bool rig_device_can_read_power(const struct rig_device *dev);
/* An at-rest fault (rig_power_ops.at_rest): only while the device is off.
 * 0 (done() later, from the loop) or -errno with rig_device_error() set:
 * -ENOTSUP (the driver cannot), -EBUSY (not off). */
int rig_device_at_rest(struct rig_device *dev, const struct rig_at_rest_req *req, rig_at_rest_done_fn *done,
		       void *arg);
/* Drop a running at-rest fault; its done() is not called. */
void rig_device_at_rest_cancel(struct rig_device *dev);
/* The driver's message about its last failure ("" if none). */
const char *rig_device_error(const struct rig_device *dev);
/* What the driver's "done" means and how far it may be from the real cut. */
void rig_device_power_precision(const struct rig_device *dev, const char **text, uint64_t *ns);
/* Drop pending callbacks to arg (the operations still happen). */
void rig_device_forget(struct rig_device *dev, void *arg);

enum rig_power_state rig_device_power_state(const struct rig_device *dev);
unsigned rig_device_power_ons(const struct rig_device *dev);
unsigned rig_device_power_offs(const struct rig_device *dev);
/* true while a power operation is queued or running */
bool rig_device_power_busy(const struct rig_device *dev);

#endif
