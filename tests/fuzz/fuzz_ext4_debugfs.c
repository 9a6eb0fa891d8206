/* Fuzz the debugfs text reader and the ext4 superblock reader of the
 * at-rest faults: any bytes as debugfs output and as a partition's first
 * 2 KiB; the data ranges of whatever parses lie inside the file system and
 * never exceed the size asked for. */
#include "drivers/power/ext4_debugfs.h"
#include "fuzz_mem.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rig_ext4_stat st;
	struct rig_ext4_super sb = { .block_size = 1024, .blocks = 262144 };
	struct rig_ext4_range r[16];
	struct fuzz_mem m = { data, size, false };
	char err[128];
	int n;

	if (rig_ext4_super_read(fuzz_mem_read, &m, (uint64_t)1 << 30, &sb, err, sizeof(err)) == 0 &&
	    (sb.block_size < 1024 || sb.block_size > 65536 || sb.blocks == 0 ||
	     sb.blocks > ((uint64_t)1 << 30) / sb.block_size))
		abort();
	if (rig_ext4_parse_debugfs((const char *)data, size, &st, err, sizeof(err)) < 0)
		return 0;
	if (st.n_ext > RIG_EXT4_MAX_EXTENTS)
		abort();
	for (uint64_t limit = 0; limit < 3; limit++) {
		uint64_t want = limit == 0 ? st.size : limit == 1 ? 1000 : UINT64_MAX, total = 0;

		n = rig_ext4_data_ranges(&st, &sb, want, r, 16);
		if ((n < 0 && n != -EINVAL && n != -E2BIG) || n > 16)
			abort();
		for (int i = 0; i < n; i++) {
			if (r[i].len == 0 || r[i].off > sb.blocks * sb.block_size ||
			    r[i].len > sb.blocks * sb.block_size - r[i].off)
				abort();
			total += r[i].len;
		}
		if (total > want)
			abort();
	}
	return 0;
}
