/* XML escaping (see xml.h). */
#include "reports/xml.h"
#include "utf8.h"


/* XML 1.0 also excludes U+FFFE and U+FFFF. */
static size_t utf8_ok(const unsigned char *s, size_t n)
{
	size_t l = rig_utf8_len(s, n);
	unsigned long cp = l ? rig_utf8_cp(s, l) : 0;

	return cp == 0xfffe || cp == 0xffff ? 0 : l;
}

void rig_xml_escape(FILE *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t l;

		switch (c) {
		case '&': fputs("&amp;", out); i++; continue;
		case '<': fputs("&lt;", out); i++; continue;
		case '>': fputs("&gt;", out); i++; continue;
		case '"': fputs("&quot;", out); i++; continue;
		case '\'': fputs("&apos;", out); i++; continue;
		case '\t': case '\n': case '\r': fputc(c, out); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			i++;     /* not allowed in XML 1.0: dropped */
			continue;
		}
		l = utf8_ok(s + i, n - i);
		if (!l) {
			fputs("\xef\xbf\xbd", out);
			i++;
			continue;
		}
		fwrite(s + i, 1, l, out);
		i += l;
	}
}
