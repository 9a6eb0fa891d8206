/* Host commands run from the loop: a child in its own process group, stdin
 * from /dev/null, stdout and stderr captured (the last 64 KiB), a deadline
 * after which the whole group is killed. The child object owns the pid and
 * the pipe until done() has been called or rig_child_free(). */
#ifndef RIG_CHILD_H
#define RIG_CHILD_H

#include "loop.h"

struct rig_child;

struct rig_child_result {
	int status;            /* waitpid status, or -1 */
	bool timed_out;
	int exit_code;         /* WEXITSTATUS, or 128+signal, or -1 */
	const char *output;    /* stdout+stderr, NUL-terminated (tail if long) */
	size_t output_len;
	uint64_t t_start_ns, t_end_ns;
};

typedef void rig_child_done_fn(void *arg, const struct rig_child_result *res);

/* argv[0] is looked up in PATH. env: extra "K=V" strings (NULL-terminated) or NULL. */
int rig_child_spawn(struct rig_loop *loop, char *const *argv, char *const *env, const char *cwd,
		    uint64_t timeout_ns, rig_child_done_fn *done, void *arg, struct rig_child **out);
/* Kill (SIGKILL to the group), reap and free; done() is not called. Accepts NULL. */
void rig_child_free(struct rig_child *c);
pid_t rig_child_pid(const struct rig_child *c);

/* Prepare a forked child to exec: default signal dispositions and an empty
 * signal mask (the loop blocks signals it reads through signalfd). */
void rig_child_reset_signals(void);

#endif
