/* Fuzz the power read-back parsers: a switch's JSON reply and hex byte
 * sequences from device files. Whatever the bytes, the JSON scanner answers
 * 0 (with a state), -ENOENT or -EINVAL, and the hex parser fills at most its
 * buffer. */
#include "drivers/power/readback.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "POWER", "POWER2", "ison", "output", "" };
	char *copy = malloc(size + 1);
	uint8_t bytes[8];
	ssize_t n;

	if (!copy)
		return 0;
	/* exactly size bytes: ASan catches a read past the end */
	memcpy(copy, data, size);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		enum rig_power_state st = RIG_POWER_UNKNOWN;
		int r = rig_readback_json(copy, size, keys[i], &st);

		if (r != 0 && r != -ENOENT && r != -EINVAL)
			abort();
		if (r == 0 && st != RIG_POWER_ON && st != RIG_POWER_OFF)
			abort();
	}
	copy[size] = '\0';
	n = rig_readback_hex(copy, bytes, sizeof(bytes));
	if (n != -EINVAL && (n <= 0 || (size_t)n > sizeof(bytes)))
		abort();
	if (n > 0 && size > 0 && rig_readback_contains(data, size, bytes, (size_t)n) != (memmem(data, size, bytes, (size_t)n) != NULL))
		abort();
	free(copy);
	return 0;
}
