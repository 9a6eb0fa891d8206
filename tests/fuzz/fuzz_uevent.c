/* Fuzz the uevent parser: any datagram gives an event or -1, fields always
 * terminated within their buffers. */
#include "uevent.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rig_uevent ev;

	if (rig_uevent_parse((const char *)data, size, &ev) == 0) {
		if (strnlen(ev.action, sizeof(ev.action)) == sizeof(ev.action) ||
		    strnlen(ev.subsystem, sizeof(ev.subsystem)) == sizeof(ev.subsystem) ||
		    strnlen(ev.devname, sizeof(ev.devname)) == sizeof(ev.devname) ||
		    strnlen(ev.devpath, sizeof(ev.devpath)) == sizeof(ev.devpath))
			abort();
	}
	return 0;
}
