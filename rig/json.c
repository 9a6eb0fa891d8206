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

/* ---- reading flat JSON (rig_json_flat_strings) ---- */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A JSON string at p (after the quote) appended to buf; returns the end. */
static const char *read_string(const char *p, struct rig_json *buf)
{
	while (*p && *p != '"') {
		char c = *p++;

		if (c != '\\') {
			puts_(buf, (char[2]){ c, 0 });
			continue;
		}
		c = *p++;
		switch (c) {
		case 'n': puts_(buf, "\n"); break;
		case 't': puts_(buf, "\t"); break;
		case 'r': puts_(buf, "\r"); break;
		case 'b': puts_(buf, "\b"); break;
		case 'f': puts_(buf, "\f"); break;
		case '"': case '\\': case '/': puts_(buf, (char[2]){ c, 0 }); break;
		case 'u': {
			unsigned cp = 0;
			char u[5];

			for (int i = 0; i < 4; i++) {
				int h = hexval(p[i]);

				if (h < 0)
					return NULL;
				cp = cp << 4 | (unsigned)h;
			}
			p += 4;
			if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
				cp = 0xfffd;
			if (cp < 0x80) {
				u[0] = (char)cp, u[1] = 0;
			} else if (cp < 0x800) {
				u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f)), u[2] = 0;
			} else {
				u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
				u[2] = (char)(0x80 | (cp & 0x3f)), u[3] = 0;
			}
			puts_(buf, u);
			break;
		}
		default:
			return NULL;
		}
	}
	return *p == '"' ? p + 1 : NULL;
}

int rig_json_flat_strings(const char *json, bool kv, char ***out, size_t *n)
{
	const char *p = json ? skip_ws(json) : "";
	char **v = NULL;
	size_t len = 0;
	char open = kv ? '{' : '[', close = kv ? '}' : ']';

	*out = NULL;
	*n = 0;
	if (*p++ != open)
		return -1;
	p = skip_ws(p);
	while (*p && *p != close) {
		struct rig_json item;

		rig_json_init(&item);
		if (kv) {
			if (*p != '"' || !(p = read_string(p + 1, &item)))
				goto bad;
			p = skip_ws(p);
			if (*p++ != ':')
				goto bad;
			p = skip_ws(p);
			puts_(&item, "=");
		}
		if (*p == '"') {
			if (!(p = read_string(p + 1, &item)))
				goto bad;
		} else if (kv && (*p == '-' || (*p >= '0' && *p <= '9'))) {
			const char *s = p;

			while (*p && strchr("+-.eE0123456789", *p))
				p++;
			{
				char *num = rig_xstrndup(s, (size_t)(p - s));

				puts_(&item, num);
				free(num);
			}
		} else {
			goto bad;
		}
		v = rig_xrealloc(v, (len + 2) * sizeof(char *));
		v[len++] = rig_xstrdup(rig_json_str(&item));
		v[len] = NULL;
		rig_json_free(&item);
		p = skip_ws(p);
		if (*p == ',')
			p = skip_ws(p + 1);
		else if (*p != close)
			goto fail;
		continue;
bad:
		rig_json_free(&item);
		goto fail;
	}
	if (*p != close)
		goto fail;
	*out = v;
	*n = len;
	return 0;
fail:
	for (size_t i = 0; i < len; i++)
		free(v[i]);
	free(v);
	return -1;
}
