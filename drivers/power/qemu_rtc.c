/* rtc_base: validated here so a typo is an error at open, not a QEMU that
 * refuses to start (or a guest silently on the host's clock). */
#include "qemu_rtc.h"
#include "rig.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool num(const char *s, size_t n, int lo, int hi, int *v)
{
	uint64_t x;

	if (rig_scan_u64(s, s + n, 10, &x) != s + n || x < (uint64_t)lo || x > (uint64_t)hi)
		return false;
	*v = (int)x;
	return true;
}

int rig_qemu_rtc_base(const char *in, char *out, size_t n)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	size_t len = in ? strlen(in) : 0;
	int y, mo, d, h, mi, s;
	const char *v = in;

	if (len && (!strcmp(in, "utc") || !strcmp(in, "now"))) {
		v = "utc";
	} else if (len && !strcmp(in, "localtime")) {
		v = "localtime";
	} else if (!((len == 10 || (len == 19 && in[10] == 'T' && in[13] == ':' && in[16] == ':')) &&
		     in[4] == '-' && in[7] == '-' && num(in, 4, 1970, 2199, &y) && num(in + 5, 2, 1, 12, &mo) &&
		     num(in + 8, 2, 1, mdays[mo - 1], &d) &&
		     (len == 10 || (num(in + 11, 2, 0, 23, &h) && num(in + 14, 2, 0, 59, &mi) &&
				    num(in + 17, 2, 0, 59, &s))))) {
		snprintf(out, n, "expected utc, now, localtime, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (1970-2199), got '%s'",
			 in ? in : "");
		return -EINVAL;
	}
	if ((size_t)snprintf(out, n, "%s", v) >= n)
		return -ENOSPC;
	return 0;
}
