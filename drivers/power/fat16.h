/* A small, bounded FAT16 reader for the at-rest faults (docs/qemu-driver-notes.md):
 * finds a file by path in a partition image and says where its directory
 * entry and its data lie, so an offline editor can corrupt them in place
 * without mounting anything. It reads only through a callback, allocates
 * nothing, and treats every byte of the image as untrusted. */
#ifndef RIG_FAT16_H
#define RIG_FAT16_H

#include <stddef.h>
#include <stdint.h>

#define RIG_FAT_MAX_EXTENTS 32

/* Read n bytes at off (relative to the partition); 0 or -errno. */
typedef int rig_fat_read_fn(void *arg, uint64_t off, void *buf, size_t n);

struct rig_fat_extent {
	uint64_t off, len;          /* bytes, relative to the partition */
};

struct rig_fat_file {
	uint32_t size;              /* from the directory entry */
	uint64_t dirent_off;        /* its 32-byte directory entry; the size is at +28 (le32) */
	uint32_t cluster_size;
	size_t n_ext;               /* the clusters holding the file, in file order, merged when adjacent */
	struct rig_fat_extent ext[RIG_FAT_MAX_EXTENTS];
};

/* Find path ("/grub/grubenv": 8.3 names, any case) in a FAT16 file system of
 * part_size bytes. Returns 0, or -EINVAL (not FAT16, or a malformed or looping
 * structure), -ENOENT (no such file), -E2BIG (more extents than the table
 * holds), -ENAMETOOLONG (a component is not an 8.3 name) or the reader's
 * error; on failure err (errlen bytes, may be NULL) says what was expected. */
int rig_fat16_find(rig_fat_read_fn *rd, void *arg, uint64_t part_size, const char *path,
		   struct rig_fat_file *out, char *err, size_t errlen);

#endif
