/* Fuzz the escapers of everything a device printed: JSON (timeline, HTML
 * reports) and XML (JUnit). Output must be valid UTF-8 with nothing that
 * could end a string, a tag or a <script> block. */
#include "json.h"
#include "reports/xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t l = s[i] < 0x80 ? 1 : (s[i] & 0xe0) == 0xc0 ? 2 : (s[i] & 0xf0) == 0xe0 ? 3 : (s[i] & 0xf8) == 0xf0 ? 4 : 0;

		if (!l || i + l > n)
			abort();
		for (size_t k = 1; k < l; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				abort();
		i += l;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rig_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	const char *s;

	rig_json_init(&j);
	rig_json_val_strn(&j, (const char *)data, size);
	s = rig_json_str(&j);
	check_utf8((const unsigned char *)s, strlen(s));
	if (s[0] != '"' || s[strlen(s) - 1] != '"' || strchr(s, '<') || strchr(s, '>'))
		abort();
	for (const char *p = s + 1; p < s + strlen(s) - 1; p++) {
		if ((unsigned char)*p < 0x20)
			abort();
		if (*p == '\\')
			p++;   /* escaped character */
		else if (*p == '"')
			abort();
	}
	rig_json_free(&j);

	f = open_memstream(&buf, &len);
	rig_xml_escape(f, (const char *)data, size);
	fclose(f);
	check_utf8((unsigned char *)buf, len);
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '<' || ((unsigned char)buf[i] < 0x20 && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r'))
			abort();
	free(buf);
	return 0;
}
