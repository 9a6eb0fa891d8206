/* At-rest faults of the qemu driver: edit a file of the board's disk while
 * the board is off, without mounts or root (docs/qemu-driver-notes.md).
 * One job: export the partition (qemu-img convert, raw, sparse), find the
 * file (fat16.c on FAT16; debugfs and ext4_debugfs.c on ext2/3/4, where a
 * truncate or a journal replay is made on the copy and the changed blocks
 * found by blockdiff.c), write the fault (qemu-io on the overlay, offsets
 * confined to the partition by a raw offset/size node). Each child has a
 * deadline (docs/drivers.md). */
#ifndef RIG_QEMU_ATREST_H
#define RIG_QEMU_ATREST_H

#include "driver.h"

struct rig_atrest;

/* overlay_fmt: "qcow2" or "raw". Returns 0 (done() later, from the loop) or
 * -errno with err set (done() is then never called). */
int rig_atrest_start(struct rig_loop *loop, const char *overlay, const char *overlay_fmt,
		     const char *manifest, const struct rig_at_rest_req *req, rig_at_rest_done_fn *done,
		     void *arg, struct rig_errmsg *err, struct rig_atrest **out);
/* Kills a running child, removes the temporary files; done() is not called. Accepts NULL. */
void rig_atrest_free(struct rig_atrest *a);

#endif
