/* The partition table of a QEMU board image, from the manifest.json that
 * emulated/qemu/build-image writes beside the disk ("partitions": name,
 * offset and size in bytes). Read with the QMP JSON scanner (qmp.h), which
 * bounds depth and size. Used by the qemu driver's per-partition write count;
 * the at-rest faults (qemu_atrest.c) resolve their partition the same way. */
#ifndef RIG_QEMU_MANIFEST_H
#define RIG_QEMU_MANIFEST_H

#include "rig/rig.h"

#define RIG_QEMU_MAX_PARTS 16
#define RIG_QEMU_PART_NAME_MAX 32

struct rig_qemu_part {
	char name[RIG_QEMU_PART_NAME_MAX];
	uint64_t off, size;
};

struct rig_qemu_parts {
	size_t n;
	struct rig_qemu_part p[RIG_QEMU_MAX_PARTS];
};

/* Read every partition of the manifest. 0, or -errno with err set (cannot
 * read, no "partitions" array, a partition without a name, offset or size,
 * more than RIG_QEMU_MAX_PARTS). *out is set only on success. */
int rig_qemu_manifest_parts(const char *manifest, struct rig_qemu_parts *out, struct rig_errmsg *err);

/* The index of the partition `name`, or -ENOENT with err naming the known
 * ones ("no partition 'x' in M (known: boot, A, B, data)"). */
int rig_qemu_parts_find(const struct rig_qemu_parts *parts, const char *name, const char *manifest,
			struct rig_errmsg *err);

#endif
