/* Fuzz device-file loading: any bytes must give a device or a clear error,
 * never a crash or a hang (the sandbox's load budget stops loops). */
#include "devfile.h"
#include "sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/rig-fuzz-devfile-XXXXXX";
	lua_State *L = rig_sandbox_new(NULL);
	struct rig_devcfg *d = NULL;
	struct rig_errmsg err;
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (rig_devfile_load(L, path, NULL, &d, &err) == 0) {
		if (!d->id || !d->power_ops)
			abort();
		rig_devcfg_free(d);
	} else if (!err.text[0]) {
		abort();   /* an error always says why */
	}
	unlink(path);
	rig_sandbox_free(L);
	return 0;
}
