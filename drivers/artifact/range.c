/* HTTP Range header parsing (RFC 9110 §14.1.2), single ranges only. */
#include "artsrv.h"

#include <ctype.h>
#include <errno.h>

static int num(const char **p, uint64_t *out)
{
	uint64_t v = 0;
	int digits = 0;

	while (isdigit((unsigned char)**p)) {
		unsigned d = (unsigned)(**p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
		(*p)++;
		digits++;
	}
	*out = v;
	return digits ? 0 : -1;
}

int rig_http_parse_range(const char *hdr, uint64_t size, uint64_t *first, uint64_t *last)
{
	const char *p = hdr;
	uint64_t a = 0, b = 0;
	bool suffix = false, open_end = false;

	if (!hdr)
		return -EINVAL;
	while (*p == ' ')
		p++;
	if ((p[0] | 0x20) != 'b' || (p[1] | 0x20) != 'y' || (p[2] | 0x20) != 't' || (p[3] | 0x20) != 'e' ||
	    (p[4] | 0x20) != 's' || p[5] != '=')
		return -EINVAL;
	p += 6;
	while (*p == ' ')
		p++;
	if (*p == '-') {
		p++;
		suffix = true;
		if (num(&p, &b) < 0)
			return -EINVAL;
	} else {
		if (num(&p, &a) < 0 || *p != '-')
			return -EINVAL;
		p++;
		if (*p == '\0' || *p == ' ' || *p == ',')
			open_end = true;
		else if (num(&p, &b) < 0)
			return -EINVAL;
	}
	while (*p == ' ')
		p++;
	if (*p != '\0')
		return -EINVAL;   /* several ranges or garbage: serve it whole */
	if (suffix) {
		if (b == 0 || size == 0)
			return -ERANGE;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return 0;
	}
	if (!open_end && b < a)
		return -EINVAL;
	if (a >= size)
		return -ERANGE;
	*first = a;
	*last = open_end || b >= size ? size - 1 : b;
	return 0;
}
