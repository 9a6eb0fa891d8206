/* Fuzz the QMP message parser: every span it returns lies in the input, and
 * looking keys up in returned objects never reads outside them. */
#include "drivers/power/qmp.h"

#include <stdint.h>
#include <stdlib.h>

static void in(const uint8_t *data, size_t size, struct rig_qmp_span s)
{
	if (s.p && (s.p < (const char *)data || s.p + s.n > (const char *)data + size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rig_qmp_msg m;
	struct rig_qmp_span v;
	int64_t x;

	if (rig_qmp_parse((const char *)data, size, &m) < 0)
		return 0;
	if (m.kind > RIG_QMP_EVENT)
		abort();
	in(data, size, m.event);
	in(data, size, m.value);
	in(data, size, m.desc);
	in(data, size, m.timestamp);
	if (m.kind == RIG_QMP_EVENT && !m.event.p)
		abort();
	for (size_t i = 0; i < 4 && rig_qmp_index(m.value, i, &v) == 0; i++)
		in(data, size, v);
	if (rig_qmp_get(m.value, "stats", &v) == 0) {
		in(data, size, v);
		if (rig_qmp_get(v, "wr_bytes", &v) == 0) {
			in(data, size, v);
			rig_qmp_int(v, &x);
		}
	}
	if (m.timestamp.p && rig_qmp_get(m.timestamp, "seconds", &v) == 0)
		rig_qmp_int(v, &x);
	return 0;
}
