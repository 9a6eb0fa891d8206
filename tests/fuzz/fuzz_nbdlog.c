/* Fuzz the parser of nbdkit's log (drivers/power/nbdlog.c): the qemu driver
 * reads that file while the guest writes. Whatever the bytes: one line
 * parses to a request or not without reading past its end; fed whole or in
 * pieces, the counter reaches the same counts; a range never counts more
 * than the requests' total nor more than it would if fed line by line. */
#include "drivers/power/nbdlog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void ranges(struct rig_nbdlog *l)
{
	rig_nbdlog_init(l);
	rig_nbdlog_add_range(l, 0, 4096);
	rig_nbdlog_add_range(l, 4096, 1 << 20);
	rig_nbdlog_add_range(l, 2048, 8192);   /* overlapping ones count independently */
	rig_nbdlog_add_range(l, UINT64_MAX - 4096, 4096);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	struct rig_nbdlog *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct rig_nbdlog_req req;
	size_t step;
	int r;

	if (!copy || !a || !b)
		abort();
	/* exactly size bytes: ASan catches a read past the end */
	memcpy(copy, data, size);
	r = rig_nbdlog_line(copy, size, &req);
	if (r != 0 && r != 1 && r != -EINVAL)
		abort();
	if (r == 1 && req.op != RIG_NBDLOG_WRITE && req.op != RIG_NBDLOG_ZERO && req.op != RIG_NBDLOG_TRIM)
		abort();
	ranges(a);
	ranges(b);
	rig_nbdlog_feed(a, copy, size);
	step = size ? (size_t)data[0] % 7 + 1 : 1;
	for (size_t i = 0; i < size; i += step)
		rig_nbdlog_feed(b, copy + i, size - i < step ? size - i : step);
	if (a->requests != b->requests || a->garbage != b->garbage || a->total != b->total || a->len != b->len ||
	    a->overlong != b->overlong || a->len > RIG_NBDLOG_LINE_MAX)
		abort();
	for (size_t i = 0; i < a->nranges; i++)
		if (a->ranges[i].bytes != b->ranges[i].bytes || a->ranges[i].bytes > a->total ||
		    a->ranges[i].bytes > (uint64_t)a->ranges[i].size * a->requests)
			abort();
	rig_nbdlog_new_file(a);
	if (a->len != 0 || a->overlong)
		abort();
	free(copy);
	free(a);
	free(b);
	return 0;
}
