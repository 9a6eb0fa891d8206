/* Armed triggers: "cut power when X", matched and fired in C inside the loop,
 * never through a round trip into Lua, so they fire while the scenario sleeps
 * or waits on something else. X is a console regex (+ delay), a byte offset
 * of an artifact served by the rig, a timer, or a number of bytes the device
 * wrote to its storage (drivers that count writes). Every step is timestamped. */
#ifndef RIG_TRIGGER_H
#define RIG_TRIGGER_H

#include "device.h"
#include "drivers/artifact/artsrv.h"

enum rig_trig_source { RIG_TRIG_CONSOLE, RIG_TRIG_SERVED, RIG_TRIG_TIMER, RIG_TRIG_WRITTEN };
enum rig_trig_action { RIG_ACT_CUT, RIG_ACT_CYCLE, RIG_ACT_MARK };
enum rig_trig_state { RIG_TRIG_ARMED, RIG_TRIG_MATCHED, RIG_TRIG_ACTUATING, RIG_TRIG_FIRED,
		      RIG_TRIG_CANCELLED, RIG_TRIG_FAILED };

struct rig_trigger_spec {
	enum rig_trig_source source;
	enum rig_trig_action action;
	const char *label;          /* for the timeline; may be NULL */
	/* console */
	const char *pattern;
	unsigned re_flags;
	uint64_t delay_ns;          /* after the match (console) or the offset (served) */
	/* served */
	const char *artifact;       /* the server's name of the artifact */
	uint64_t offset;
	/* timer */
	uint64_t after_ns;
	/* written: bytes the device writes to its storage after the arm (the
	 * power driver's count, e.g. QEMU's block statistics), to the whole
	 * drive (partition NULL) or to one partition (a name the driver knows) */
	uint64_t bytes;
	const char *partition;
};

struct rig_trigger_info {
	enum rig_trig_state state;
	uint64_t t_arm_ns;
	uint64_t t_read_ns;         /* console: the read that completed the match */
	uint64_t t_match_ns;        /* console match / served offset reached / timer due */
	uint64_t t_fire_ns;         /* after the delay: the action starts */
	uint64_t t_act_start_ns;    /* driver set(off) called */
	uint64_t t_act_done_ns;     /* driver reported done */
	uint64_t precision_ns;      /* the driver's declared precision of t_act_done */
	const char *precision;
	char *match;                /* matched text (console) */
	uint64_t offset;            /* served offset (served); bytes written since the arm (written) */
	/* written to a partition: the whole drive's count since the arm at the
	 * match, as the driver counts it per drive (has_drive false: none) */
	bool has_drive;
	uint64_t drive;
	char error[RIG_ERRMSG_MAX];
};

struct rig_trigger;
/* Called once when the trigger has fired (action done or failed) or was cancelled. */
typedef void rig_trigger_fn(void *arg, struct rig_trigger *t);
/* Timeline hook: kind "trigger.match", "trigger.fire", "trigger.done" with JSON detail. */
typedef void rig_trigger_event_fn(void *arg, uint64_t t_ns, const char *kind, const char *detail);

int rig_trigger_arm(struct rig_device *dev, struct rig_artsrv *srv, int id,
		    const struct rig_trigger_spec *spec, rig_trigger_event_fn *ev, void *ev_arg,
		    struct rig_trigger **out, struct rig_errmsg *err);
/* Stops it if armed; frees it. Accepts NULL. Never calls the callbacks. */
void rig_trigger_free(struct rig_trigger *t);
void rig_trigger_cancel(struct rig_trigger *t);

/* Notify (once) when done; replaces an earlier notification. If already
 * done, fn is called from the loop soon. */
void rig_trigger_notify(struct rig_trigger *t, rig_trigger_fn *fn, void *arg);
const struct rig_trigger_info *rig_trigger_info(const struct rig_trigger *t);
int rig_trigger_id(const struct rig_trigger *t);
bool rig_trigger_done(const struct rig_trigger *t);
const char *rig_trigger_state_name(enum rig_trig_state s);
const char *rig_trigger_source_name(enum rig_trig_source s);

#endif
