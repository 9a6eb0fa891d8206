/* Fuzz the HTTP Range parser: a satisfiable range must lie in the resource. */
#include "drivers/artifact/artsrv.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char hdr[256];
	uint64_t first, last, sizes[] = { 0, 1, 1000, UINT64_MAX / 2 };

	if (size >= sizeof(hdr))
		size = sizeof(hdr) - 1;
	memcpy(hdr, data, size);
	hdr[size] = '\0';
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (rig_http_parse_range(hdr, sizes[i], &first, &last) == 0)
			if (first > last || last >= sizes[i])
				abort();
	}
	return 0;
}
