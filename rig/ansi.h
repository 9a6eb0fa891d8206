/* Streaming removal of terminal escape sequences, so console regexes match
 * what a person would read: CSI (colours, bracketed paste, cursor moves),
 * OSC (titles), two- and three-byte ESC sequences, CR, NUL and the other C0
 * controls except LF and TAB. State is kept across calls, so a sequence split
 * over two reads is still removed. The raw bytes are stored elsewhere. */
#ifndef RIG_ANSI_H
#define RIG_ANSI_H

#include "rig.h"

struct rig_ansi {
	int state;
	size_t seqlen;    /* bytes in the current sequence (capped) */
};

void rig_ansi_init(struct rig_ansi *st);
/* Writes at most n bytes to out (out may equal in). Returns bytes written. */
size_t rig_ansi_strip(struct rig_ansi *st, const uint8_t *in, size_t n, uint8_t *out);

#endif
