/* The ext4 side of the at-rest faults (docs/drivers.md): no ext4 parser of
 * our own, e2fsprogs' debugfs reads the exported partition and this file
 * reads debugfs's text (untrusted, bounded) plus the superblock's few fields
 * needed to turn block numbers into byte offsets. Allocates nothing. */
#ifndef RIG_EXT4_DEBUGFS_H
#define RIG_EXT4_DEBUGFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RIG_EXT4_MAX_EXTENTS 64
#define RIG_EXT4_TEXT_MAX (64 * 1024)   /* debugfs output read at most */

/* Read n bytes at off (relative to the partition); 0 or -errno. */
typedef int rig_ext4_read_fn(void *arg, uint64_t off, void *buf, size_t n);

struct rig_ext4_super {
	uint32_t block_size;        /* 1024 .. 65536 */
	uint64_t blocks;            /* s_blocks_count (64-bit when the feature is on) */
	bool needs_recovery;        /* INCOMPAT_RECOVER: the journal holds writes not yet in place */
	bool inline_data;           /* INCOMPAT_INLINE_DATA */
};

/* Checks the magic (0xEF53) and the sizes against part_size. 0 or -EINVAL
 * (not ext2/3/4, or sizes out of range) or the reader's error. */
int rig_ext4_super_read(rig_ext4_read_fn *rd, void *arg, uint64_t part_size, struct rig_ext4_super *out,
			char *err, size_t errlen);

struct rig_ext4_extent {
	uint64_t lblk, pblk, len;   /* in blocks: file block lblk.. lies at pblk.. */
	bool uninit;                /* "[u]": reads as zeros, nothing to corrupt */
};

struct rig_ext4_stat {
	bool have_stat;             /* an "Inode: N   Type: ..." block was seen */
	bool regular;               /* Type: regular */
	uint64_t ino;
	uint64_t size;              /* "Size: N" of the User: line */
	bool have_imap;             /* "located at block B, offset 0xO" was seen */
	uint64_t inode_block;
	uint32_t inode_off;
	size_t n_ext;               /* data extents, as debugfs lists them (file order) */
	struct rig_ext4_extent ext[RIG_EXT4_MAX_EXTENTS];
};

/* Parse the output of debugfs "stat PATH" and/or "imap PATH" (either alone
 * or several requests of a -f file; the last of each wins). Returns 0,
 * -ENOENT ("File not found"), -EINVAL (nothing recognisable, a malformed
 * number or extent), -E2BIG (more extents than the table holds); err says
 * why. Extent-tree and indirect blocks ("(ETB0)", "(IND)") are skipped. */
int rig_ext4_parse_debugfs(const char *text, size_t n, struct rig_ext4_stat *out, char *err, size_t errlen);

/* The byte ranges (relative to the partition) holding the file's first
 * `limit` bytes, in file order, merged when adjacent; uninitialised
 * extents and holes are left out. Each range lies inside blocks blocks of
 * block_size. Returns the number of ranges (≤ max), or -EINVAL (an extent
 * outside the file system), -E2BIG (more than max). */
struct rig_ext4_range {
	uint64_t off, len;
};
int rig_ext4_data_ranges(const struct rig_ext4_stat *st, const struct rig_ext4_super *sb, uint64_t limit,
			 struct rig_ext4_range *out, size_t max);

#endif
