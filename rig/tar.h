/* A minimal ustar writer for `rig export`: regular files only, written
 * whole, mode 0644, the time of the export. */
#ifndef RIG_TAR_H
#define RIG_TAR_H

#include <stddef.h>

struct rig_tar;

int rig_tar_open(const char *path, struct rig_tar **out);
/* dir/name must fit ustar's 100-byte name field (longer names are cut). */
int rig_tar_add(struct rig_tar *t, const char *dir, const char *name, const void *data, size_t n);
/* Writes the end blocks and closes; -1 if any write failed. */
int rig_tar_close(struct rig_tar *t);

#endif
