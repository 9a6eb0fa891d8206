/* Changed blocks between an edited sparse file and its copy: runs merged,
 * holes skipped, a short last block, the bounds (runs, bytes read). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "drivers/power/blockdiff.h"

#define SIZE (64u * 1024 * 1024 + 300)   /* sparse; not a multiple of the block */

static int tmpfile_sized(void)
{
	char path[] = "/tmp/rig-blockdiff-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(ftruncate(fd, SIZE), 0);
	return fd;
}

static void put(int fd, uint64_t off, int byte, size_t n)
{
	uint8_t buf[8192];

	assert_true(n <= sizeof(buf));
	memset(buf, byte, n);
	assert_int_equal(pwrite(fd, buf, n, (off_t)off), (ssize_t)n);
}

static void runs(void **state)
{
	int e = tmpfile_sized(), o = tmpfile_sized();
	struct rig_blockdiff_run r[8];

	(void)state;
	/* the same data in both: a "superblock" and an "inode table" */
	put(e, 1024, 0x11, 1024);
	put(o, 1024, 0x11, 1024);
	put(e, 300 * 1024, 0x22, 4096);
	put(o, 300 * 1024, 0x22, 4096);
	assert_int_equal(rig_blockdiff(e, o, SIZE, 1024, 1 << 20, r, 8), 0);
	/* the edit: one byte of block 301, blocks 302 and 303, a block in a hole of
	 * orig (zeros there), and the short last block */
	put(e, 301 * 1024 + 7, 0x23, 1);
	put(e, 302 * 1024, 0x24, 2048);
	put(e, 40u * 1024 * 1024, 0x55, 10);
	put(e, SIZE - 5, 0x66, 5);
	assert_int_equal(rig_blockdiff(e, o, SIZE, 1024, 1 << 20, r, 8), 3);
	assert_int_equal(r[0].off, 301 * 1024);
	assert_int_equal(r[0].len, 3 * 1024);
	assert_int_equal(r[1].off, 40u * 1024 * 1024);
	assert_int_equal(r[1].len, 1024);
	assert_int_equal(r[2].off, SIZE / 1024 * 1024);
	assert_int_equal(r[2].len, 300);
	/* bounds */
	assert_int_equal(rig_blockdiff(e, o, SIZE, 1024, 1 << 20, r, 2), -E2BIG);
	assert_int_equal(rig_blockdiff(e, o, SIZE, 1024, 4096, r, 8), -E2BIG);
	assert_int_equal(rig_blockdiff(e, o, SIZE, 0, 1 << 20, r, 8), -EINVAL);
	assert_int_equal(rig_blockdiff(e, o, SIZE, 1u << 17, 1 << 20, r, 8), -EINVAL);
	/* writing zeros over zeros of orig is no change */
	put(e, 50u * 1024 * 1024, 0, 4096);
	assert_int_equal(rig_blockdiff(e, o, SIZE, 1024, 1 << 20, r, 8), 3);
	/* in steps of one block and of 1.5 blocks: the same runs, a run merged
	 * across the steps (301..303), and more than one step */
	for (uint64_t budget = 1; budget <= 1536; budget += 1535) {
		struct rig_blockdiff d;
		struct rig_blockdiff_run s[8];
		int steps = 0, rc;

		rig_blockdiff_init(&d, e, o, SIZE, 1024, 1 << 20, s, 8);
		while ((rc = rig_blockdiff_step(&d, budget)) == 1)
			steps++;
		assert_int_equal(rc, 0);
		assert_true(steps > 3);
		assert_int_equal(d.n, 3);
		assert_memory_equal(s, r, 3 * sizeof(*r));
	}
	close(e);
	close(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
