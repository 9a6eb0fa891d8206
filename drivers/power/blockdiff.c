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

int rig_blockdiff(int edited, int orig, uint64_t size, uint32_t bs, uint64_t max_read,
		  struct rig_blockdiff_run *out, size_t max)
{
	static uint8_t a[BS_MAX], b[BS_MAX];
	uint64_t pos = 0, read = 0;
	size_t n = 0;
	int r;

	if (bs == 0 || bs > BS_MAX)
		return -EINVAL;
	while (pos < size) {
		off_t d = lseek(edited, (off_t)pos, SEEK_DATA), h;

		if (d < 0)
			return errno == ENXIO ? (int)n : -errno;   /* ENXIO: no data past pos */
		h = lseek(edited, d, SEEK_HOLE);
		if (h < 0)
			return -errno;
		if ((uint64_t)h > size)
			h = (off_t)size;
		for (uint64_t blk = (uint64_t)d / bs * bs; blk < (uint64_t)h; blk += bs) {
			size_t len = size - blk < bs ? (size_t)(size - blk) : bs;

			read += len;
			if (read > max_read)
				return -E2BIG;
			r = read_full(edited, blk, a, len);
			if (r == 0)
				r = read_full(orig, blk, b, len);
			if (r < 0)
				return r;
			if (!memcmp(a, b, len))
				continue;
			if (n > 0 && out[n - 1].off + out[n - 1].len == blk) {
				out[n - 1].len += len;
				continue;
			}
			if (n == max)
				return -E2BIG;
			out[n].off = blk;
			out[n].len = len;
			n++;
		}
		pos = (uint64_t)h > pos ? (uint64_t)h : pos + 1;
		if (pos % bs)
			pos = (pos / bs + 1) * bs;   /* the block holding h was compared whole */
	}
	return (int)n;
}
