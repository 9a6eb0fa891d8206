/* Kernel-line filter (see kfilter.h). The prefix grammar, as printk writes it
 * ("[%5lu.%06lu] "):
 *   '[' ' '* digit+ '.' digit{6} ']' ' '  then the message up to '\n'. */
#include "kfilter.h"

#include <string.h>

enum { NORMAL, OPEN, SECS, FRAC0, FRAC, CLOSE, BODY };

void rig_kfilter_init(struct rig_kfilter *k)
{
	memset(k, 0, sizeof(*k));
}

static bool digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* Advance the prefix state with c; returns the next state or -1 on mismatch.
 * frac counts the digits after the point. */
static int step(int st, uint8_t c, unsigned *frac)
{
	switch (st) {
	case OPEN:  return c == ' ' ? OPEN : digit(c) ? SECS : -1;
	case SECS:  return digit(c) ? SECS : c == '.' ? (*frac = 0, FRAC0) : -1;
	case FRAC0: return digit(c) ? (*frac = 1, FRAC) : -1;
	case FRAC:
		if (digit(c))
			return ++*frac <= 6 ? FRAC : -1;
		return c == ']' && *frac == 6 ? CLOSE : -1;
	case CLOSE: return c == ' ' ? BODY : -1;
	}
	return -1;
}

size_t rig_kfilter_run(struct rig_kfilter *k, const uint8_t *in, size_t n, uint8_t *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = in[i];

		if (k->state == BODY) {
			if (c == '\n') {
				k->state = NORMAL;
				k->dropped_lines++;
			}
			continue;
		}
		if (k->state == NORMAL) {
			if (c == '[') {
				k->state = OPEN;
				k->held[0] = c;
				k->nheld = 1;
			} else {
				out[o++] = c;
			}
			continue;
		}
		{
			int next = step(k->state, c, &k->frac);

			if (next >= 0 && k->nheld < sizeof(k->held)) {
				k->held[k->nheld++] = c;
				k->state = next;
				if (next == BODY)
					k->nheld = 0;
				continue;
			}
			/* Not a kernel line: give back what was held, then look at c
			 * afresh (it may open a prefix itself). */
			memcpy(out + o, k->held, k->nheld);
			o += k->nheld;
			k->nheld = 0;
			k->state = NORMAL;
			i--;
		}
	}
	return o;
}
