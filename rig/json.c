/* JSON writer (see json.h). */
#include "json.h"
#include "utf8.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rig_json_init(struct rig_json *j)
{
	memset(j, 0, sizeof(*j));
}

void rig_json_free(struct rig_json *j)
{
	free(j->buf);
	memset(j, 0, sizeof(*j));
}

const char *rig_json_str(const struct rig_json *j)
{
	return j->buf ? j->buf : "";
}

char *rig_json_take(struct rig_json *j)
{
	char *s = j->buf ? j->buf : rig_xstrdup("");

	memset(j, 0, sizeof(*j));
	return s;
}

static void put(struct rig_json *j, const char *s, size_t n)
{
	if (j->len + n + 1 > j->cap) {
		j->cap = (j->len + n + 1) * 2 + 64;
		j->buf = rig_xrealloc(j->buf, j->cap);
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void puts_(struct rig_json *j, const char *s)
{
	put(j, s, strlen(s));
}

static void sep(struct rig_json *j)
{
	if (j->need_comma)
		put(j, ",", 1);
	j->need_comma = true;
}

void rig_json_escape(struct rig_json *j, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	put(j, "\"", 1);
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		char esc[8];
		size_t l;

		switch (c) {
		case '"': puts_(j, "\\\""); i++; continue;
		case '\\': puts_(j, "\\\\"); i++; continue;
		case '\n': puts_(j, "\\n"); i++; continue;
		case '\r': puts_(j, "\\r"); i++; continue;
		case '\t': puts_(j, "\\t"); i++; continue;
		case '<': puts_(j, "\\u003c"); i++; continue;
		case '>': puts_(j, "\\u003e"); i++; continue;
		case '&': puts_(j, "\\u0026"); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			puts_(j, esc);
			i++;
			continue;
		}
		l = rig_utf8_len(s + i, n - i);
		if (!l) {
			puts_(j, "\\ufffd");
			i++;
			continue;
		}
		/* U+2028/2029 break JavaScript string literals */
		if (l == 3 && s[i] == 0xe2 && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
			puts_(j, s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
			i += 3;
			continue;
		}
		put(j, (const char *)s + i, l);
		i += l;
	}
	put(j, "\"", 1);
}

void rig_json_obj_begin(struct rig_json *j)
{
	sep(j);
	put(j, "{", 1);
	j->need_comma = false;
}

void rig_json_obj_end(struct rig_json *j)
{
	put(j, "}", 1);
	j->need_comma = true;
}

void rig_json_arr_begin(struct rig_json *j)
{
	sep(j);
	put(j, "[", 1);
	j->need_comma = false;
}

void rig_json_arr_end(struct rig_json *j)
{
	put(j, "]", 1);
	j->need_comma = true;
}

void rig_json_key(struct rig_json *j, const char *key)
{
	sep(j);
	rig_json_escape(j, key, strlen(key));
	put(j, ":", 1);
	j->need_comma = false;
}

void rig_json_val_strn(struct rig_json *j, const char *s, size_t n)
{
	sep(j);
	rig_json_escape(j, s, n);
}

void rig_json_val_str(struct rig_json *j, const char *s)
{
	if (!s) {
		rig_json_val_null(j);
		return;
	}
	rig_json_val_strn(j, s, strlen(s));
}

void rig_json_val_int(struct rig_json *j, int64_t v)
{
	char b[32];

	sep(j);
	snprintf(b, sizeof(b), "%" PRId64, v);
	puts_(j, b);
}

void rig_json_val_uint(struct rig_json *j, uint64_t v)
{
	char b[32];

	sep(j);
	snprintf(b, sizeof(b), "%" PRIu64, v);
	puts_(j, b);
}

void rig_json_val_num(struct rig_json *j, double v)
{
	char b[64];

	sep(j);
	if (!isfinite(v))
		puts_(j, "null");
	else {
		snprintf(b, sizeof(b), "%.17g", v);
		puts_(j, b);
	}
}

void rig_json_val_bool(struct rig_json *j, bool v)
{
	sep(j);
	puts_(j, v ? "true" : "false");
}

void rig_json_val_null(struct rig_json *j)
{
	sep(j);
	puts_(j, "null");
}

void rig_json_val_raw(struct rig_json *j, const char *json)
{
	sep(j);
	puts_(j, json);
}

void rig_json_kv_str(struct rig_json *j, const char *k, const char *v)
{
	rig_json_key(j, k);
	rig_json_val_str(j, v);
}

void rig_json_kv_int(struct rig_json *j, const char *k, int64_t v)
{
	rig_json_key(j, k);
	rig_json_val_int(j, v);
}

void rig_json_kv_uint(struct rig_json *j, const char *k, uint64_t v)
{
	rig_json_key(j, k);
	rig_json_val_uint(j, v);
}

void rig_json_kv_num(struct rig_json *j, const char *k, double v)
{
	rig_json_key(j, k);
	rig_json_val_num(j, v);
}

void rig_json_kv_bool(struct rig_json *j, const char *k, bool v)
{
	rig_json_key(j, k);
	rig_json_val_bool(j, v);
}
