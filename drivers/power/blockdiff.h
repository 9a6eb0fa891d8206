/* Which blocks of a file differ from a copy of it: the at-rest job lets a
 * host tool (debugfs) edit an exported partition and writes back only what
 * the tool changed. Reads only the edited file's data segments
 * (SEEK_DATA/SEEK_HOLE: an export is sparse), so a mostly empty 256 MiB
 * partition costs a few hundred KiB of reads. */
#ifndef RIG_BLOCKDIFF_H
#define RIG_BLOCKDIFF_H

#include <stddef.h>
#include <stdint.h>

struct rig_blockdiff_run {
	uint64_t off, len;          /* bytes, block-aligned (the last may end at size) */
};

/* A comparison in steps, so an event loop can run it a slice at a time. */
struct rig_blockdiff {
	int edited, orig;
	uint64_t size, pos, read, max_read;
	uint32_t bs;
	struct rig_blockdiff_run *out;
	size_t max, n;              /* out[0 .. n-1]: the runs found so far */
};

/* Compare edited with orig (both size bytes; a hole reads as zeros) in
 * blocks of bs bytes. A hole in edited is taken as unchanged (the tool only
 * writes). */
void rig_blockdiff_init(struct rig_blockdiff *d, int edited, int orig, uint64_t size, uint32_t bs,
			uint64_t max_read, struct rig_blockdiff_run *out, size_t max);

/* Compare about budget more bytes (at least one block). Returns 1 when there
 * is more to compare, 0 when done (d->n runs, adjacent blocks merged), or
 * -E2BIG (more than max runs, or more than max_read bytes of data to read),
 * -EINVAL (bs is 0 or over 64 KiB) or -errno of a read. */
int rig_blockdiff_step(struct rig_blockdiff *d, uint64_t budget);

/* All in one go: the number of runs, or the errors of rig_blockdiff_step. */
int rig_blockdiff(int edited, int orig, uint64_t size, uint32_t bs, uint64_t max_read,
		  struct rig_blockdiff_run *out, size_t max);

#endif
