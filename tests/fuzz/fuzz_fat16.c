/* Fuzz the FAT16 reader of the at-rest faults: any bytes as a partition; a
 * file it finds lies inside the partition, its extents cover its size. */
#include "drivers/power/fat16.h"
#include "fuzz_mem.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = { "/grub/grubenv", "/GRUB/GRUB.CFG", "/a", "/a/b/c/d" };
	struct fuzz_mem m = { data, size, true };
	char err[256];

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct rig_fat_file f;
		uint64_t covered = 0;

		if (rig_fat16_find(fuzz_mem_read, &m, size, paths[i], &f, err, sizeof(err)) < 0)
			continue;
		if (f.dirent_off + 32 > size || f.n_ext > RIG_FAT_MAX_EXTENTS)
			abort();
		for (size_t e = 0; e < f.n_ext; e++) {
			if (f.ext[e].off + f.ext[e].len > size)
				abort();
			covered += f.ext[e].len;
		}
		if (covered < f.size)
			abort();
	}
	return 0;
}
