/* The event loop: one per process; epoll for fds, a heap of timers, pidfds for
 * child processes, signalfd for signals.
 *
 * Rules (after Redis ae.c and sd-event):
 *  - the loop never owns the fds it watches: closing them is the caller's job,
 *    after rig_loop_del_fd();
 *  - removing a source (fd, timer, child, signal) from inside any callback,
 *    including its own, is safe: it will not be called again;
 *  - a registration that fails never invokes its callback.
 */
#ifndef RIG_LOOP_H
#define RIG_LOOP_H

#include "rig.h"
#include <sys/types.h>

struct rig_loop;
struct rig_timer;

enum {
	RIG_EV_READ = 1u << 0,
	RIG_EV_WRITE = 1u << 1,
	RIG_EV_HUP = 1u << 2,  /* reported, never requested */
	RIG_EV_ERR = 1u << 3,  /* reported, never requested */
};

typedef void rig_io_fn(struct rig_loop *loop, int fd, unsigned events, void *arg);
typedef void rig_timer_fn(struct rig_loop *loop, void *arg);
/* status is as returned by waitpid() */
typedef void rig_child_fn(struct rig_loop *loop, pid_t pid, int status, void *arg);
typedef void rig_signal_fn(struct rig_loop *loop, int signo, void *arg);

int rig_loop_new(struct rig_loop **out);
void rig_loop_free(struct rig_loop *loop);

int rig_loop_add_fd(struct rig_loop *loop, int fd, unsigned events, rig_io_fn *fn, void *arg);
int rig_loop_mod_fd(struct rig_loop *loop, int fd, unsigned events);
void rig_loop_del_fd(struct rig_loop *loop, int fd);

/* One-shot timer at an absolute CLOCK_MONOTONIC deadline. The timer is freed
 * after its callback returns, so drop the handle there. */
struct rig_timer *rig_loop_add_timer(struct rig_loop *loop, uint64_t deadline_ns,
				     rig_timer_fn *fn, void *arg);
/* Accepts NULL. Must not be called on a timer that already fired. */
void rig_loop_cancel_timer(struct rig_loop *loop, struct rig_timer *t);
uint64_t rig_timer_deadline(const struct rig_timer *t);

/* Watch a child process through a pidfd; the loop reaps it (waitpid) and calls
 * fn once. rig_loop_forget_child() stops watching without reaping. */
int rig_loop_watch_child(struct rig_loop *loop, pid_t pid, rig_child_fn *fn, void *arg);
void rig_loop_forget_child(struct rig_loop *loop, pid_t pid);

/* Block signo and deliver it through the loop. */
int rig_loop_on_signal(struct rig_loop *loop, int signo, rig_signal_fn *fn, void *arg);

/* Run one iteration, waiting at most until deadline_ns (0 = do not wait,
 * UINT64_MAX = wait for the next event or timer). Returns events handled or -errno. */
int rig_loop_run_once(struct rig_loop *loop, uint64_t deadline_ns);
/* Run until rig_loop_stop(). */
int rig_loop_run(struct rig_loop *loop);
void rig_loop_stop(struct rig_loop *loop);
bool rig_loop_stopped(const struct rig_loop *loop);

/* Sources currently registered (fds + timers + children), for leak checks. */
size_t rig_loop_sources(const struct rig_loop *loop);

#endif
