/* Streaming removal of kernel log lines from console text: "[ 12.345678] ..."
 * up to and including its line feed, wherever it starts — kernels print in
 * the middle of other lines, so "SIM[ 1.2] usb ...\nBOOT" reads "SIMBOOT".
 * Applied to the text expects match on (the raw bytes are stored as read).
 * A prefix is held back only while it can still become a kernel line. */
#ifndef RIG_KFILTER_H
#define RIG_KFILTER_H

#include "rig.h"

struct rig_kfilter {
	int state;
	unsigned frac;
	uint8_t held[40];
	size_t nheld;
	uint64_t dropped_lines;
};

void rig_kfilter_init(struct rig_kfilter *k);
/* out must hold n + sizeof(held) bytes. Returns bytes written. */
size_t rig_kfilter_run(struct rig_kfilter *k, const uint8_t *in, size_t n, uint8_t *out);

#endif
