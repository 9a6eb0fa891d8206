/* Kernel uevents (uevent.h). */
#include "uevent.h"

#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void copy(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int rig_uevent_parse(const char *buf, size_t n, struct rig_uevent *ev)
{
	const char *end = buf + n, *p = buf, *at;
	size_t first;

	memset(ev, 0, sizeof(*ev));
	if (!n)
		return -1;
	first = strnlen(p, n);
	at = memchr(p, '@', first);
	if (!at || first == n)     /* "action@devpath" then NUL; libudev starts "libudev\0" */
		return -1;
	copy(ev->action, sizeof(ev->action), p, (size_t)(at - p));
	copy(ev->devpath, sizeof(ev->devpath), at + 1, first - (size_t)(at - p) - 1);
	p += first + 1;
	while (p < end) {
		size_t len = strnlen(p, (size_t)(end - p));
		const char *eq = memchr(p, '=', len);

		if (eq) {
			size_t k = (size_t)(eq - p), v = len - k - 1;

			if (k == 9 && !memcmp(p, "SUBSYSTEM", 9))
				copy(ev->subsystem, sizeof(ev->subsystem), eq + 1, v);
			else if (k == 7 && !memcmp(p, "DEVNAME", 7))
				copy(ev->devname, sizeof(ev->devname), eq + 1, v);
			else if (k == 6 && !memcmp(p, "ACTION", 6))
				copy(ev->action, sizeof(ev->action), eq + 1, v);
		}
		p += len + 1;
	}
	return 0;
}

int rig_uevent_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}
