/* Reading a power state back from bytes a switch sent: the JSON reply of a
 * network switch, or the reply of a serial relay board. These parse bytes
 * from the network or a device, so they are fuzzed (tests/fuzz/fuzz_readback.c). */
#ifndef RIG_POWER_READBACK_H
#define RIG_POWER_READBACK_H

#include "rig/driver.h"

/* Find the member `key` of the top-level JSON object in body[0..n) and read
 * it as a power state: true/false, "ON"/"OFF" (any case), 1/0. Returns 0 and
 * sets *out; -ENOENT when the object has no such member; -EINVAL when the
 * text is not a JSON object or the member is not a power state. Nesting is
 * limited (RIG_READBACK_MAX_DEPTH); deeper text is -EINVAL. */
#define RIG_READBACK_MAX_DEPTH 32
int rig_readback_json(const char *body, size_t n, const char *key, enum rig_power_state *out);

/* Parse "A0 01 01 A2", "a0:01:01:a2" or "A00101A2" into at most cap bytes.
 * Returns the count (> 0) or -EINVAL. */
ssize_t rig_readback_hex(const char *text, uint8_t *out, size_t cap);

/* Does haystack contain needle? (needle_n == 0: no) */
bool rig_readback_contains(const uint8_t *hay, size_t hay_n, const uint8_t *needle, size_t needle_n);

#endif
