/* Changed blocks between an edited file and its copy (blockdiff.h). */
#include "blockdiff.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define BS_MAX 65536u

static int read_full(int fd, uint64_t off, uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, buf + got, n - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0) {   /* past the end of a shorter file: zeros */
			memset(buf + got, 0, n - got);
			break;
		}
		got += (size_t)r;
	}
	return 0;
}

void rig_blockdiff_init(struct rig_blockdiff *d, int edited, int orig, uint64_t size, uint32_t bs,
			uint64_t max_read, struct rig_blockdiff_run *out, size_t max)
{
	*d = (struct rig_blockdiff){ .edited = edited, .orig = orig, .size = size, .max_read = max_read,
				     .bs = bs, .out = out, .max = max };
}

int rig_blockdiff_step(struct rig_blockdiff *d, uint64_t budget)
{
	static uint8_t a[BS_MAX], b[BS_MAX];
	uint64_t spent = 0, bs = d->bs;
	int r;

	if (bs == 0 || bs > BS_MAX)
		return -EINVAL;
	while (d->pos < d->size) {   /* pos is block-aligned */
		off_t data = lseek(d->edited, (off_t)d->pos, SEEK_DATA), h;

		if (data < 0 && errno == ENXIO)   /* no data past pos */
			break;
		if (data < 0)
			return -errno;
		h = lseek(d->edited, data, SEEK_HOLE);
		if (h < 0)
			return -errno;
		if ((uint64_t)h > d->size)
			h = (off_t)d->size;
		for (uint64_t blk = (uint64_t)data / bs * bs; blk < (uint64_t)h; blk += bs) {
			size_t len = d->size - blk < bs ? (size_t)(d->size - blk) : (size_t)bs;
			struct rig_blockdiff_run *last = d->n ? &d->out[d->n - 1] : NULL;

			if (spent >= budget) {
				d->pos = blk;
				return 1;
			}
			spent += len;
			d->read += len;
			if (d->read > d->max_read)
				return -E2BIG;
			r = read_full(d->edited, blk, a, len);
			if (r == 0)
				r = read_full(d->orig, blk, b, len);
			if (r < 0)
				return r;
			if (!memcmp(a, b, len))
				continue;
			if (last && last->off + last->len == blk) {
				last->len += len;
				continue;
			}
			if (d->n == d->max)
				return -E2BIG;
			d->out[d->n++] = (struct rig_blockdiff_run){ .off = blk, .len = len };
		}
		/* the block holding h was compared whole */
		d->pos = ((uint64_t)h + bs - 1) / bs * bs;
	}
	d->pos = d->size;
	return 0;
}

int rig_blockdiff(int edited, int orig, uint64_t size, uint32_t bs, uint64_t max_read,
		  struct rig_blockdiff_run *out, size_t max)
{
	struct rig_blockdiff d;
	int r;

	rig_blockdiff_init(&d, edited, orig, size, bs, max_read, out, max);
	r = rig_blockdiff_step(&d, UINT64_MAX);
	return r < 0 ? r : (int)d.n;
}
