/* The ext4 side of the at-rest faults: debugfs's stat/imap text (as
 * e2fsprogs 1.47 prints it, and malformed), the superblock fields, and the
 * data ranges computed from both. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/power/ext4_debugfs.h"

/* debugfs -w -f cmds (sif, imap, stat) on a mke2fs -t ext4 -b 1024 image */
static const char STAT_IMAP[] =
	"debugfs 1.47.0 (5-Feb-2023)\n"
	"debugfs: sif /rauc.status size 420\n"
	"debugfs: imap /rauc.status\n"
	"Inode 13 is part of block group 0\n"
	"\tlocated at block 278, offset 0x0c00\n"
	"debugfs: stat /rauc.status\n"
	"Inode: 13   Type: regular    Mode:  0644   Flags: 0x80000\n"
	"Generation: 0    Version: 0x00000000:00000000\n"
	"User:     0   Group:     0   Project:     0   Size: 420\n"
	"File ACL: 0\n"
	"Links: 1   Blockcount: 2\n"
	"Fragment:  Address: 0    Number: 0    Size: 0\n"
	" ctime: 0x6b0f60d1:00000000 -- Wed Dec  2 00:05:37 2026\n"
	"Size of extra inode fields: 32\n"
	"Inode checksum: 0x3a38f930\n"
	"EXTENTS:\n"
	"(0):4678\n";

static int parse(const char *s, struct rig_ext4_stat *st)
{
	char err[128];

	return rig_ext4_parse_debugfs(s, strlen(s), st, err, sizeof(err));
}

static void stat_and_imap(void **state)
{
	struct rig_ext4_stat st;

	(void)state;
	assert_int_equal(parse(STAT_IMAP, &st), 0);
	assert_true(st.have_stat);
	assert_true(st.regular);
	assert_int_equal(st.ino, 13);
	assert_int_equal(st.size, 420);   /* not the Fragment line's "Size: 0" */
	assert_true(st.have_imap);
	assert_int_equal(st.inode_block, 278);
	assert_int_equal(st.inode_off, 0xc00);
	assert_int_equal(st.n_ext, 1);
	assert_int_equal(st.ext[0].lblk, 0);
	assert_int_equal(st.ext[0].pblk, 4678);
	assert_int_equal(st.ext[0].len, 1);
}

static void ranges_uninit_etb(void **state)
{
	const char *s = "Inode: 12   Type: regular    Mode:  0644   Flags: 0x80000\n"
			"User:     0   Group:     0   Project:     0   Size: 82944\n"
			"EXTENTS:\n"
			"(ETB0):9000, (0-39):4385-4424, (40-49[u]):4425-4434, (60-80):4445-4465\n";
	struct rig_ext4_stat st;
	struct rig_ext4_super sb = { .block_size = 1024, .blocks = 65536 };
	struct rig_ext4_range r[8];

	(void)state;
	assert_int_equal(parse(s, &st), 0);
	assert_false(st.have_imap);
	assert_int_equal(st.n_ext, 3);
	assert_true(st.ext[1].uninit);
	assert_int_equal(st.ext[2].len, 21);
	/* everything: the uninitialised extent and the hole 50..59 are left out */
	assert_int_equal(rig_ext4_data_ranges(&st, &sb, st.size, r, 8), 2);
	assert_int_equal(r[0].off, 4385 * 1024ull);
	assert_int_equal(r[0].len, 40 * 1024);
	assert_int_equal(r[1].off, 4445 * 1024ull);
	assert_int_equal(r[1].len, 82944 - 60 * 1024);   /* cut at the size, not the block */
	/* the first 1000 bytes: one range inside the first block */
	assert_int_equal(rig_ext4_data_ranges(&st, &sb, 1000, r, 8), 1);
	assert_int_equal(r[0].len, 1000);
	/* no room */
	assert_int_equal(rig_ext4_data_ranges(&st, &sb, st.size, r, 1), -E2BIG);
	/* an extent past the end of the file system */
	sb.blocks = 4465;
	assert_int_equal(rig_ext4_data_ranges(&st, &sb, st.size, r, 8), -EINVAL);
}

static void adjacent_merge_and_order(void **state)
{
	const char *s = "Inode: 12   Type: regular\nUser: 0 Size: 3072\nEXTENTS:\n(0):100, (1-2):101-102\n";
	const char *bad = "Inode: 12   Type: regular\nUser: 0 Size: 3072\nEXTENTS:\n(1-2):101-102, (0):100\n";
	struct rig_ext4_stat st;
	struct rig_ext4_super sb = { .block_size = 1024, .blocks = 1000 };
	struct rig_ext4_range r[4];

	(void)state;
	assert_int_equal(parse(s, &st), 0);
	assert_int_equal(rig_ext4_data_ranges(&st, &sb, 3072, r, 4), 1);
	assert_int_equal(r[0].off, 100 * 1024);
	assert_int_equal(r[0].len, 3072);
	assert_int_equal(parse(bad, &st), 0);
	assert_int_equal(rig_ext4_data_ranges(&st, &sb, 3072, r, 4), -EINVAL);
}

static void blocks_format_and_types(void **state)
{
	/* ext2/3 style block map; a directory is not regular */
	const char *s = "Inode: 14   Type: regular    Mode:  0644   Flags: 0x0\n"
			"User:     0   Group:     0   Size: 14336\n"
			"BLOCKS:\n"
			"(0-11):1000-1011, (IND):1012, (12-13):1013-1014\n"
			"TOTAL: 15\n";
	const char *d = "Inode: 2   Type: directory    Mode:  0755   Flags: 0x80000\n"
			"User:     0   Group:     0   Project:     0   Size: 1024\nEXTENTS:\n(0):300\n";
	struct rig_ext4_stat st;

	(void)state;
	assert_int_equal(parse(s, &st), 0);
	assert_int_equal(st.n_ext, 2);
	assert_int_equal(st.ext[1].lblk, 12);
	assert_int_equal(st.ext[1].pblk, 1013);
	assert_int_equal(parse(d, &st), 0);
	assert_false(st.regular);
}

static void malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"debugfs 1.47.0 (5-Feb-2023)\n",
		"Inode: x\n",
		"Inode: 12   Type: regular\nUser: 0 Group: 0\n",                      /* no size */
		"Inode: 12   Type: regular\nUser: 0 Size: 99999999999999999999999\n", /* overflow */
		"Inode: 12   Type: regular\nUser: 0 Size: 1\nEXTENTS:\n(0-1):5-7\n",   /* lengths differ */
		"Inode: 12   Type: regular\nUser: 0 Size: 1\nEXTENTS:\n(2-1):5-4\n",   /* backwards */
		"Inode: 12   Type: regular\nUser: 0 Size: 1\nEXTENTS:\n(0):5 (1):6\n", /* no separator */
		"Inode: 12   Type: regular\nUser: 0 Size: 1\nEXTENTS:\n(0:5\n",
		"Inode 13 is part of block group 0\n\tlocated at block 278, offset 0xfffffffffff\n",
	};
	struct rig_ext4_stat st;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], &st), -EINVAL);
	assert_int_equal(parse("debugfs 1.47.0 (5-Feb-2023)\n/nothere: File not found by ext2_lookup \n", &st),
			 -ENOENT);
}

static void too_many_extents(void **state)
{
	char s[8192];
	size_t n = (size_t)snprintf(s, sizeof(s), "Inode: 12   Type: regular\nUser: 0 Size: 1\nEXTENTS:\n");
	struct rig_ext4_stat st;

	(void)state;
	for (int i = 0; i <= RIG_EXT4_MAX_EXTENTS; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%s(%d):%d", i ? ", " : "", i, 1000 + 2 * i);
	assert_int_equal(parse(s, &st), -E2BIG);
}

static uint8_t sbuf[4096];

static int rd(void *arg, uint64_t off, void *buf, size_t n)
{
	(void)arg;
	if (off + n > sizeof(sbuf))
		return -EIO;
	memcpy(buf, sbuf + off, n);
	return 0;
}

static int rd_fail(void *arg, uint64_t off, void *buf, size_t n)
{
	(void)arg, (void)off, (void)buf, (void)n;
	return -EIO;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void superblock(void **state)
{
	struct rig_ext4_super sb;
	uint8_t *s = sbuf + 1024;
	char err[128];

	(void)state;
	memset(sbuf, 0, sizeof(sbuf));
	assert_int_equal(rig_ext4_super_read(rd, NULL, 1 << 20, &sb, err, sizeof(err)), -EINVAL);
	s[56] = 0x53;
	s[57] = 0xef;
	put32(s + 4, 262144);   /* blocks */
	put32(s + 24, 0);       /* 1024-byte blocks */
	put32(s + 96, 0x4 | 0x80 | 0x2);
	assert_int_equal(rig_ext4_super_read(rd, NULL, 268435456, &sb, err, sizeof(err)), 0);
	assert_int_equal(sb.block_size, 1024);
	assert_int_equal(sb.blocks, 262144);
	assert_true(sb.needs_recovery);
	assert_false(sb.inline_data);
	/* a file system larger than its partition */
	assert_int_equal(rig_ext4_super_read(rd, NULL, 268435456 - 1024, &sb, err, sizeof(err)), -EINVAL);
	put32(s + 336, 1);      /* 64-bit high word */
	assert_int_equal(rig_ext4_super_read(rd, NULL, 268435456, &sb, err, sizeof(err)), -EINVAL);
	put32(s + 336, 0);
	put32(s + 24, 7);
	assert_int_equal(rig_ext4_super_read(rd, NULL, 268435456, &sb, err, sizeof(err)), -EINVAL);
	/* the reader's error is returned as it is */
	assert_int_equal(rig_ext4_super_read(rd_fail, NULL, 1 << 30, &sb, err, sizeof(err)), -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_and_imap),
		cmocka_unit_test(ranges_uninit_etb),
		cmocka_unit_test(adjacent_merge_and_order),
		cmocka_unit_test(blocks_format_and_types),
		cmocka_unit_test(malformed),
		cmocka_unit_test(too_many_extents),
		cmocka_unit_test(superblock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
