/* Kernel uevents (NETLINK_KOBJECT_UEVENT, the kernel's multicast group): the
 * console drivers wake on "a tty appeared" instead of polling for a port
 * that vanished. */
#ifndef RIG_UEVENT_H
#define RIG_UEVENT_H

#include <stddef.h>
#include <stdbool.h>

struct rig_uevent {
	char action[16];       /* add, remove, change, bind ... */
	char subsystem[32];    /* tty, usb ... */
	char devname[64];      /* ttyUSB0 (relative to /dev), or "" */
	char devpath[256];
};

/* Parse one message "ACTION@DEVPATH\0KEY=VALUE\0...". Returns 0, or -1 for
 * bytes that are not a kernel uevent (libudev's messages included). Fields
 * too long are cut; missing ones are "". */
int rig_uevent_parse(const char *buf, size_t n, struct rig_uevent *ev);

/* A non-blocking, close-on-exec socket bound to the kernel's uevent group,
 * or -errno (e.g. in a container without it). */
int rig_uevent_socket(void);

#endif
