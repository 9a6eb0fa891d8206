/* Fuzz the reader of flat JSON the store keeps (parameters, artifacts):
 * any bytes give strings or -1, and what it reads back round-trips. */
#include "json.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char **v = NULL;
	size_t n = 0;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (int kv = 0; kv < 2; kv++) {
		if (rig_json_flat_strings(s, kv, &v, &n) == 0) {
			struct rig_json j;
			char **w = NULL;
			size_t m = 0;

			/* write what was read as an array and read it again: as many strings
			 * (the writer may replace invalid UTF-8, so not always the same bytes) */
			rig_json_init(&j);
			rig_json_arr_begin(&j);
			for (size_t i = 0; i < n; i++)
				rig_json_val_str(&j, v[i]);
			rig_json_arr_end(&j);
			if (rig_json_flat_strings(rig_json_str(&j), false, &w, &m) < 0 || m != n)
				abort();
			for (size_t i = 0; i < m; i++)
				free(w[i]);
			free(w);
			rig_json_free(&j);
		}
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		v = NULL;
		n = 0;
	}
	free(s);
	return 0;
}
