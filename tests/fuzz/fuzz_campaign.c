/* Fuzz campaign files (and the lab files they name): any bytes must give a
 * campaign or a clear error naming the file, never a crash or a hang. */
#include "campaign.h"
#include "loop.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rig_loop *loop;
	static struct rig_store *store;
	char path[] = "/tmp/rig-fuzz-campaign-XXXXXX";
	struct rig_campaign *c = NULL;
	struct rig_errmsg err;
	int fd = mkstemp(path);

	if (!loop && (rig_loop_new(&loop) < 0 || rig_store_open(":memory:", &store, &err) < 0))
		abort();
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	{
		struct rig_campaign_opts o = { .file = path, .store = store, .log = stderr };

		if (rig_campaign_new(loop, &o, &c, &err) == 0) {
			if (rig_campaign_id(c) <= 0)
				abort();
			rig_campaign_free(c);
		} else if (!strstr(err.text, path) && !strstr(err.text, "results database")) {
			fprintf(stderr, "error without the file name: %s\n", err.text);
			abort();
		}
	}
	unlink(path);
	return 0;
}
