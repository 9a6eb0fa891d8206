/* Device locks and read-only viewers (see lock.h). */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_VIEWERS 16

struct rig_lock {
	struct rig_loop *loop;
	int fd;
	int lfd;                 /* listening socket */
	char *lockpath, *sockpath;
	int viewers[MAX_VIEWERS];
	size_t nviewers;
};

char *rig_lock_dir(void)
{
	const char *d = getenv("RIG_RUNTIME_DIR");
	char *dir;

	if (d && *d)
		dir = rig_xstrdup(d);
	else if ((d = getenv("XDG_RUNTIME_DIR")) && *d)
		dir = rig_xasprintf("%s/rig", d);
	else
		dir = rig_xasprintf("/tmp/rig-%u", (unsigned)getuid());
	mkdir(dir, 0700);
	return dir;
}

static char *path_for(const char *device_id, const char *ext)
{
	char *dir = rig_lock_dir();
	char safe[200];
	char *p;
	size_t i;

	for (i = 0; device_id[i] && i + 1 < sizeof(safe); i++) {
		char c = device_id[i];

		safe[i] = (c == '/' || (c == '.' && i == 0)) ? '_' : c;
	}
	safe[i] = '\0';
	p = rig_xasprintf("%s/%s.%s", dir, safe, ext);
	free(dir);
	return p;
}

static void on_viewer_data(struct rig_loop *loop, int fd, unsigned events, void *arg)
{
	struct rig_lock *lk = arg;
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf));

	RIG_UNUSED(events);
	if (n > 0)
		return;   /* viewers are read-only: what they type is ignored */
	if (n < 0 && errno == EAGAIN)
		return;
	rig_loop_del_fd(loop, fd);
	close(fd);
	for (size_t i = 0; i < lk->nviewers; i++) {
		if (lk->viewers[i] == fd) {
			lk->viewers[i] = lk->viewers[--lk->nviewers];
			break;
		}
	}
}

static void on_accept(struct rig_loop *loop, int fd, unsigned events, void *arg)
{
	struct rig_lock *lk = arg;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	static const char hello[] = "[rig: attached read-only to a running rig]\r\n";

	RIG_UNUSED(events);
	if (c < 0)
		return;
	if (lk->nviewers == MAX_VIEWERS || rig_loop_add_fd(loop, c, RIG_EV_READ, on_viewer_data, lk) < 0) {
		close(c);
		return;
	}
	lk->viewers[lk->nviewers++] = c;
	if (write(c, hello, sizeof(hello) - 1) < 0) {
		/* the viewer's problem; it is dropped at its next read */
	}
}

int rig_lock_acquire(struct rig_loop *loop, const char *device_id, const char *command,
		     struct rig_lock **out, struct rig_errmsg *err)
{
	struct rig_lock *lk = rig_xcalloc(1, sizeof(*lk));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char host[256] = "?";
	char *text;
	int r;

	lk->loop = loop;
	lk->lfd = -1;
	lk->lockpath = path_for(device_id, "lock");
	lk->sockpath = path_for(device_id, "sock");
	lk->fd = open(lk->lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lk->fd < 0) {
		r = -errno;
		rig_errmsg_set(err, "cannot open lock %s: %s", lk->lockpath, strerror(errno));
		goto fail;
	}
	if (flock(lk->fd, LOCK_EX | LOCK_NB) < 0) {
		char holder[512] = "";
		ssize_t n = pread(lk->fd, holder, sizeof(holder) - 1, 0);

		r = -EBUSY;
		if (n > 0)
			holder[n] = '\0';
		holder[strcspn(holder, "\n")] = '\0';
		rig_errmsg_set(err, "device '%s' is in use (%s); `rig console` attaches read-only",
			       device_id, holder[0] ? holder : "holder unknown");
		goto fail;
	}
	gethostname(host, sizeof(host) - 1);
	text = rig_xasprintf("pid %ld on %s: %s\n", (long)getpid(), host, command ? command : "rig");
	if (ftruncate(lk->fd, 0) < 0 || pwrite(lk->fd, text, strlen(text), 0) < 0) {
		/* informational content only */
	}
	free(text);
	/* The viewer socket: best effort (a path too long only loses viewers). */
	if (strlen(lk->sockpath) < sizeof(sa.sun_path)) {
		strcpy(sa.sun_path, lk->sockpath);
		unlink(lk->sockpath);
		lk->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (lk->lfd >= 0 &&
		    (bind(lk->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lk->lfd, 4) < 0 ||
		     (loop && rig_loop_add_fd(loop, lk->lfd, RIG_EV_READ, on_accept, lk) < 0))) {
			close(lk->lfd);
			lk->lfd = -1;
		}
	}
	*out = lk;
	return 0;
fail:
	if (lk->fd >= 0)
		close(lk->fd);
	free(lk->lockpath);
	free(lk->sockpath);
	free(lk);
	return r;
}

void rig_lock_release(struct rig_lock *lk)
{
	if (!lk)
		return;
	for (size_t i = 0; i < lk->nviewers; i++) {
		rig_loop_del_fd(lk->loop, lk->viewers[i]);
		close(lk->viewers[i]);
	}
	if (lk->lfd >= 0) {
		if (lk->loop)
			rig_loop_del_fd(lk->loop, lk->lfd);
		close(lk->lfd);
		unlink(lk->sockpath);
	}
	if (ftruncate(lk->fd, 0) < 0) {
		/* nothing to do */
	}
	close(lk->fd);   /* releases the flock */
	free(lk->lockpath);
	free(lk->sockpath);
	free(lk);
}

void rig_lock_broadcast(struct rig_lock *lk, const void *buf, size_t n)
{
	for (size_t i = 0; lk && i < lk->nviewers;) {
		ssize_t w = send(lk->viewers[i], buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w != (ssize_t)n) {
			/* a viewer that cannot keep up is dropped, never waited for */
			rig_loop_del_fd(lk->loop, lk->viewers[i]);
			close(lk->viewers[i]);
			lk->viewers[i] = lk->viewers[--lk->nviewers];
			continue;
		}
		i++;
	}
}

size_t rig_lock_viewers(const struct rig_lock *lk)
{
	return lk ? lk->nviewers : 0;
}

int rig_lock_attach(const char *device_id, char **holder)
{
	char *lockpath = path_for(device_id, "lock");
	char *sockpath = path_for(device_id, "sock");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (holder) {
		char buf[512] = "";
		int lf = open(lockpath, O_RDONLY | O_CLOEXEC);

		if (lf >= 0) {
			ssize_t n = read(lf, buf, sizeof(buf) - 1);

			if (n > 0)
				buf[n] = '\0';
			close(lf);
		}
		buf[strcspn(buf, "\n")] = '\0';
		*holder = rig_xstrdup(buf);
	}
	free(lockpath);
	if (strlen(sockpath) >= sizeof(sa.sun_path)) {
		free(sockpath);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, sockpath);
	free(sockpath);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}
