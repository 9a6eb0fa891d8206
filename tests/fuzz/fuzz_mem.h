/* A partition held in memory, for the fuzz targets of the at-rest readers
 * (their read callback). A read out of range is -EIO, or an abort when the
 * reader under test promises to check its offsets before it reads. */
#ifndef RIG_FUZZ_MEM_H
#define RIG_FUZZ_MEM_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct fuzz_mem {
	const uint8_t *p;
	size_t n;
	bool abort_out_of_range;
};

static int fuzz_mem_read(void *arg, uint64_t off, void *buf, size_t n)
{
	const struct fuzz_mem *m = arg;

	if (off > m->n || n > m->n - off) {
		if (m->abort_out_of_range)
			abort();
		return -EIO;
	}
	memcpy(buf, m->p + off, n);
	return 0;
}

#endif
