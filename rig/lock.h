/* Device locks and read-only console viewers.
 *
 * A device in use is locked with flock() on <rundir>/<id>.lock, which holds
 * "pid host command" for the curious; the kernel drops the lock when the rig
 * dies, however it dies. The owner also listens on <rundir>/<id>.sock: a
 * second `rig console` attaches there and receives the raw console bytes
 * read-only, instead of opening the port and splitting its bytes. */
#ifndef RIG_LOCK_H
#define RIG_LOCK_H

#include "loop.h"

struct rig_lock;

/* $RIG_RUNTIME_DIR, else $XDG_RUNTIME_DIR/rig, else /tmp/rig-<uid>; created 0700. */
char *rig_lock_dir(void);

/* -EBUSY with "device X is in use by pid N on H: CMD" when held elsewhere. */
int rig_lock_acquire(struct rig_loop *loop, const char *device_id, const char *command,
		     struct rig_lock **out, struct rig_errmsg *err);
void rig_lock_release(struct rig_lock *lk);
/* Send raw console bytes to every attached viewer (slow viewers are dropped). */
void rig_lock_broadcast(struct rig_lock *lk, const void *buf, size_t n);
size_t rig_lock_viewers(const struct rig_lock *lk);

/* For `rig console`: connect to the owner's socket; returns an fd or -errno.
 * holder (if not NULL) receives the lock file's text. */
int rig_lock_attach(const char *device_id, char **holder);

#endif
