/* The event loop (see loop.h). A few hundred lines on purpose. */
#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum src_kind { SRC_FD, SRC_CHILD, SRC_SIGNAL };

struct src {
	enum src_kind kind;
	int fd;               /* watched fd (pidfd / signalfd owned by the loop) */
	unsigned events;
	bool dead;            /* removed during dispatch; freed after the batch */
	union {
		rig_io_fn *io;
		rig_child_fn *child;
		rig_signal_fn *sig;
	} fn;
	void *arg;
	pid_t pid;
	int signo;
	struct src *next;     /* list of all sources */
};

struct rig_timer {
	uint64_t deadline;
	uint64_t seq;         /* FIFO order among equal deadlines */
	size_t index;         /* position in the heap */
	rig_timer_fn *fn;
	void *arg;
};

struct rig_loop {
	int epfd;
	struct src *srcs;
	struct src *graveyard;
	struct rig_timer **heap;
	size_t nheap, capheap;
	uint64_t timer_seq;
	bool stop;
	int dispatching;
};

int rig_loop_new(struct rig_loop **out)
{
	struct rig_loop *loop = rig_xcalloc(1, sizeof(*loop));

	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		int err = -errno;

		free(loop);
		return err;
	}
	*out = loop;
	return 0;
}

static void src_release(struct src *s)
{
	if (s->kind != SRC_FD && s->fd >= 0)
		close(s->fd);
	free(s);
}

static void reap_graveyard(struct rig_loop *loop)
{
	while (loop->graveyard) {
		struct src *s = loop->graveyard;

		loop->graveyard = s->next;
		src_release(s);
	}
}

void rig_loop_free(struct rig_loop *loop)
{
	if (!loop)
		return;
	while (loop->srcs) {
		struct src *s = loop->srcs;

		loop->srcs = s->next;
		src_release(s);
	}
	reap_graveyard(loop);
	for (size_t i = 0; i < loop->nheap; i++)
		free(loop->heap[i]);
	free(loop->heap);
	close(loop->epfd);
	free(loop);
}

static uint32_t to_epoll(unsigned ev)
{
	uint32_t e = 0;

	if (ev & RIG_EV_READ)
		e |= EPOLLIN | EPOLLRDHUP;
	if (ev & RIG_EV_WRITE)
		e |= EPOLLOUT;
	return e;
}

static struct src *find_src(struct rig_loop *loop, enum src_kind kind, int key)
{
	for (struct src *s = loop->srcs; s; s = s->next) {
		if (s->dead || s->kind != kind)
			continue;
		if (kind == SRC_FD && s->fd == key)
			return s;
		if (kind == SRC_CHILD && s->pid == key)
			return s;
		if (kind == SRC_SIGNAL && s->signo == key)
			return s;
	}
	return NULL;
}

static int add_src(struct rig_loop *loop, struct src *s)
{
	struct epoll_event ev = { .events = to_epoll(s->events), .data.ptr = s };

	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0)
		return -errno;
	s->next = loop->srcs;
	loop->srcs = s;
	return 0;
}

static void remove_src(struct rig_loop *loop, struct src *s)
{
	struct src **pp;

	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, s->fd, NULL);
	for (pp = &loop->srcs; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	s->dead = true;
	/* Events for s may still sit in the current epoll batch: free later. */
	s->next = loop->graveyard;
	loop->graveyard = s;
	if (!loop->dispatching)
		reap_graveyard(loop);
}

int rig_loop_add_fd(struct rig_loop *loop, int fd, unsigned events, rig_io_fn *fn, void *arg)
{
	struct src *s;
	int r;

	if (fd < 0 || !fn)
		return -EINVAL;
	if (find_src(loop, SRC_FD, fd))
		return -EEXIST;
	s = rig_xcalloc(1, sizeof(*s));
	s->kind = SRC_FD;
	s->fd = fd;
	s->events = events;
	s->fn.io = fn;
	s->arg = arg;
	r = add_src(loop, s);
	if (r < 0)
		free(s);
	return r;
}

int rig_loop_mod_fd(struct rig_loop *loop, int fd, unsigned events)
{
	struct src *s = find_src(loop, SRC_FD, fd);
	struct epoll_event ev;

	if (!s)
		return -ENOENT;
	if (s->events == events)
		return 0;
	ev.events = to_epoll(events);
	ev.data.ptr = s;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	s->events = events;
	return 0;
}

void rig_loop_del_fd(struct rig_loop *loop, int fd)
{
	struct src *s = find_src(loop, SRC_FD, fd);

	if (s)
		remove_src(loop, s);
}

/* ---- timers: a binary min-heap ordered by (deadline, seq) ---- */

static bool timer_less(const struct rig_timer *a, const struct rig_timer *b)
{
	return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void heap_swap(struct rig_loop *loop, size_t i, size_t j)
{
	struct rig_timer *t = loop->heap[i];

	loop->heap[i] = loop->heap[j];
	loop->heap[j] = t;
	loop->heap[i]->index = i;
	loop->heap[j]->index = j;
}

static void heap_up(struct rig_loop *loop, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!timer_less(loop->heap[i], loop->heap[p]))
			break;
		heap_swap(loop, i, p);
		i = p;
	}
}

static void heap_down(struct rig_loop *loop, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < loop->nheap && timer_less(loop->heap[l], loop->heap[m]))
			m = l;
		if (r < loop->nheap && timer_less(loop->heap[r], loop->heap[m]))
			m = r;
		if (m == i)
			break;
		heap_swap(loop, i, m);
		i = m;
	}
}

static void heap_remove(struct rig_loop *loop, size_t i)
{
	size_t last = --loop->nheap;

	if (i != last) {
		heap_swap(loop, i, last);
		heap_down(loop, i);
		heap_up(loop, i);
	}
}

struct rig_timer *rig_loop_add_timer(struct rig_loop *loop, uint64_t deadline_ns,
				     rig_timer_fn *fn, void *arg)
{
	struct rig_timer *t = rig_xcalloc(1, sizeof(*t));

	t->deadline = deadline_ns;
	t->seq = loop->timer_seq++;
	t->fn = fn;
	t->arg = arg;
	if (loop->nheap == loop->capheap) {
		loop->capheap = loop->capheap ? loop->capheap * 2 : 16;
		loop->heap = rig_xrealloc(loop->heap, loop->capheap * sizeof(*loop->heap));
	}
	t->index = loop->nheap;
	loop->heap[loop->nheap++] = t;
	heap_up(loop, t->index);
	return t;
}

void rig_loop_cancel_timer(struct rig_loop *loop, struct rig_timer *t)
{
	if (!t)
		return;
	heap_remove(loop, t->index);
	free(t);
}

uint64_t rig_timer_deadline(const struct rig_timer *t)
{
	return t->deadline;
}

static int run_timers(struct rig_loop *loop)
{
	uint64_t now = rig_now_ns();
	int n = 0;
	/* Timers added by callbacks run in a later iteration: bound the batch. */
	uint64_t seq_limit = loop->timer_seq;

	while (loop->nheap && loop->heap[0]->deadline <= now) {
		struct rig_timer *t = loop->heap[0];

		if (t->seq >= seq_limit)
			break;
		heap_remove(loop, 0);
		t->fn(loop, t->arg);
		free(t);
		n++;
	}
	return n;
}

/* ---- children and signals ---- */

int rig_loop_watch_child(struct rig_loop *loop, pid_t pid, rig_child_fn *fn, void *arg)
{
	struct src *s;
	int fd, r;

	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -errno;
	rig_fd_set_cloexec(fd);
	s = rig_xcalloc(1, sizeof(*s));
	s->kind = SRC_CHILD;
	s->fd = fd;
	s->pid = pid;
	s->events = RIG_EV_READ;
	s->fn.child = fn;
	s->arg = arg;
	r = add_src(loop, s);
	if (r < 0) {
		close(fd);
		free(s);
	}
	return r;
}

void rig_loop_forget_child(struct rig_loop *loop, pid_t pid)
{
	struct src *s = find_src(loop, SRC_CHILD, pid);

	if (s)
		remove_src(loop, s);
}

int rig_loop_on_signal(struct rig_loop *loop, int signo, rig_signal_fn *fn, void *arg)
{
	sigset_t set;
	struct src *s;
	int fd, r;

	if (find_src(loop, SRC_SIGNAL, signo))
		return -EEXIST;
	sigemptyset(&set);
	sigaddset(&set, signo);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	s = rig_xcalloc(1, sizeof(*s));
	s->kind = SRC_SIGNAL;
	s->fd = fd;
	s->signo = signo;
	s->events = RIG_EV_READ;
	s->fn.sig = fn;
	s->arg = arg;
	r = add_src(loop, s);
	if (r < 0) {
		close(fd);
		free(s);
	}
	return r;
}

static void dispatch(struct rig_loop *loop, struct src *s, uint32_t e)
{
	unsigned ev = 0;

	if (s->dead)
		return;
	switch (s->kind) {
	case SRC_FD:
		if (e & (EPOLLIN | EPOLLRDHUP))
			ev |= RIG_EV_READ;
		if (e & EPOLLOUT)
			ev |= RIG_EV_WRITE;
		if (e & EPOLLHUP)
			ev |= RIG_EV_HUP | (s->events & RIG_EV_READ);
		if (e & EPOLLERR)
			ev |= RIG_EV_ERR | (s->events & RIG_EV_READ);
		s->fn.io(loop, s->fd, ev, s->arg);
		break;
	case SRC_CHILD: {
		int status = 0;
		pid_t pid = s->pid;
		rig_child_fn *fn = s->fn.child;
		void *arg = s->arg;
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == 0)
			return;   /* spurious: not exited yet */
		remove_src(loop, s);
		fn(loop, pid, r < 0 ? -1 : status, arg);
		break;
	}
	case SRC_SIGNAL: {
		struct signalfd_siginfo si;

		while (read(s->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			s->fn.sig(loop, (int)si.ssi_signo, s->arg);
			if (s->dead)
				break;
		}
		break;
	}
	}
}

int rig_loop_run_once(struct rig_loop *loop, uint64_t deadline_ns)
{
	struct epoll_event evs[64];
	int timeout_ms, n, handled;
	uint64_t now = rig_now_ns();
	uint64_t until = deadline_ns;

	if (loop->nheap && loop->heap[0]->deadline < until)
		until = loop->heap[0]->deadline;
	if (until == UINT64_MAX)
		timeout_ms = -1;
	else if (until <= now)
		timeout_ms = 0;
	else {
		uint64_t ms = (until - now + RIG_NS_PER_MS - 1) / RIG_NS_PER_MS;

		timeout_ms = ms > 3600000 ? 3600000 : (int)ms;
	}
	n = epoll_wait(loop->epfd, evs, (int)RIG_ARRAY_SIZE(evs), timeout_ms);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		return -errno;
	}
	loop->dispatching++;
	for (int i = 0; i < n; i++)
		dispatch(loop, evs[i].data.ptr, evs[i].events);
	loop->dispatching--;
	handled = n + run_timers(loop);
	if (!loop->dispatching)
		reap_graveyard(loop);
	return handled;
}

int rig_loop_run(struct rig_loop *loop)
{
	loop->stop = false;
	while (!loop->stop) {
		int r = rig_loop_run_once(loop, UINT64_MAX);

		if (r < 0)
			return r;
	}
	return 0;
}

void rig_loop_stop(struct rig_loop *loop)
{
	loop->stop = true;
}

bool rig_loop_stopped(const struct rig_loop *loop)
{
	return loop->stop;
}

size_t rig_loop_sources(const struct rig_loop *loop)
{
	size_t n = loop->nheap;

	for (const struct src *s = loop->srcs; s; s = s->next)
		n++;
	return n;
}
