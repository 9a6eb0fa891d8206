/* Streaming escape-sequence stripper (see ansi.h). ECMA-48 shapes:
 *   ESC [ params intermediates final(0x40-0x7e)     CSI
 *   ESC ] ... BEL | ESC \                           OSC (also P X ^ _ strings)
 *   ESC intermediates(0x20-0x2f)* final(0x30-0x7e)   everything else
 * A sequence longer than SEQ_MAX, or one that meets a line feed, is abandoned,
 * so a stray ESC in power-on garbage cannot swallow the boot log. */
#include "ansi.h"

enum { GROUND, ESC, CSI, STR, STR_ESC, ESC_INTER };

#define SEQ_MAX 256u

void rig_ansi_init(struct rig_ansi *st)
{
	st->state = GROUND;
	st->seqlen = 0;
}

size_t rig_ansi_strip(struct rig_ansi *st, const uint8_t *in, size_t n, uint8_t *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = in[i];

		if (st->state != GROUND && ++st->seqlen > SEQ_MAX)
			st->state = GROUND;   /* abandon a runaway sequence */
		switch (st->state) {
		case GROUND:
			if (c == 0x1b) {
				st->state = ESC;
				st->seqlen = 0;
			} else if (c == 0x9b) {
				/* C1 CSI: only when it cannot be UTF-8 continuation; we treat
				 * consoles as UTF-8, so keep it as text. */
				out[o++] = c;
			} else if (c >= 0x20 || c == '\n' || c == '\t') {
				out[o++] = c;
			}
			/* other C0 controls, CR and DEL(0x7f is >= 0x20: kept) dropped */
			break;
		case ESC:
			if (c == '[')
				st->state = CSI;
			else if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_')
				st->state = STR;
			else if (c >= 0x20 && c <= 0x2f)
				st->state = ESC_INTER;
			else if (c == 0x1b)
				st->state = ESC;
			else
				st->state = GROUND;  /* two-byte sequence, or garbage: drop */
			break;
		case ESC_INTER:
			if (c < 0x20 || c > 0x2f)
				st->state = GROUND;
			break;
		case CSI:
			if (c >= 0x40 && c <= 0x7e)
				st->state = GROUND;
			else if (c == 0x1b)
				st->state = ESC;
			else if (c == '\n') {
				/* No real sequence spans a line: this was line noise (a
				 * board's garbage at power-on). Keep the line break and
				 * resynchronise, or the next line's first letter would be
				 * taken for the final byte. */
				out[o++] = c;
				st->state = GROUND;
			} else if (c == '\t') {
				out[o++] = c;   /* C0 inside CSI is executed by terminals */
			}
			break;
		case STR:
			if (c == 0x07)
				st->state = GROUND;
			else if (c == 0x1b)
				st->state = STR_ESC;
			else if (c == '\n') {
				out[o++] = c;   /* titles hold no line breaks: noise */
				st->state = GROUND;
			}
			break;
		case STR_ESC:
			st->state = (c == '\\') ? GROUND : STR;
			break;
		}
	}
	return o;
}
