/* Power state read-back parsers (see readback.h). A small JSON scanner: it
 * checks the structure it walks, skips every value it does not need and never
 * reads past n. */
#include "readback.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

struct scan {
	const char *p, *end;
	int depth;
};

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* A string: on success (*str, *len) is its raw content (escapes not decoded). */
static int string(struct scan *s, const char **str, size_t *len)
{
	const char *start;

	if (s->p >= s->end || *s->p != '"')
		return -EINVAL;
	start = ++s->p;
	while (s->p < s->end && *s->p != '"') {
		if ((unsigned char)*s->p < 0x20)
			return -EINVAL;
		if (*s->p == '\\') {
			s->p++;
			if (s->p >= s->end)
				return -EINVAL;
		}
		s->p++;
	}
	if (s->p >= s->end)
		return -EINVAL;
	*str = start;
	*len = (size_t)(s->p - start);
	s->p++;
	return 0;
}

static int value(struct scan *s);

static int literal(struct scan *s)
{
	const char *start = s->p;

	while (s->p < s->end && (isalnum((unsigned char)*s->p) || *s->p == '-' || *s->p == '+' ||
				 *s->p == '.'))
		s->p++;
	return s->p > start ? 0 : -EINVAL;
}

static int container(struct scan *s, char close, bool object)
{
	const char *k;
	size_t kn;
	int r;

	if (++s->depth > RIG_READBACK_MAX_DEPTH)
		return -EINVAL;
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		ws(s);
		if (object) {
			r = string(s, &k, &kn);
			if (r < 0)
				return r;
			ws(s);
			if (s->p >= s->end || *s->p != ':')
				return -EINVAL;
			s->p++;
		}
		r = value(s);
		if (r < 0)
			return r;
		ws(s);
		if (s->p >= s->end)
			return -EINVAL;
		if (*s->p == close) {
			s->p++;
			s->depth--;
			return 0;
		}
		if (*s->p != ',')
			return -EINVAL;
		s->p++;
	}
}

static int value(struct scan *s)
{
	const char *str;
	size_t n;

	ws(s);
	if (s->p >= s->end)
		return -EINVAL;
	switch (*s->p) {
	case '{':
		return container(s, '}', true);
	case '[':
		return container(s, ']', false);
	case '"':
		return string(s, &str, &n);
	default:
		return literal(s);
	}
}

static bool word(const char *s, size_t n, const char *w)
{
	return n == strlen(w) && strncasecmp(s, w, n) == 0;
}

static int as_state(const char *v, size_t n, bool quoted, enum rig_power_state *out)
{
	if (quoted ? word(v, n, "on") : (n == 4 && !memcmp(v, "true", 4)) || (n == 1 && v[0] == '1'))
		*out = RIG_POWER_ON;
	else if (quoted ? word(v, n, "off") : (n == 5 && !memcmp(v, "false", 5)) || (n == 1 && v[0] == '0'))
		*out = RIG_POWER_OFF;
	else
		return -EINVAL;
	return 0;
}

int rig_readback_json(const char *body, size_t n, const char *key, enum rig_power_state *out)
{
	struct scan s = { body, body + n, 1 };
	size_t keylen = strlen(key);
	enum rig_power_state st = RIG_POWER_UNKNOWN;
	bool found = false;

	ws(&s);
	if (s.p >= s.end || *s.p != '{')
		return -EINVAL;
	s.p++;
	ws(&s);
	if (s.p < s.end && *s.p == '}')
		return -ENOENT;
	for (;;) {
		const char *k, *v = NULL;
		size_t kn, vn = 0;
		bool quoted;
		int r;

		ws(&s);
		if (string(&s, &k, &kn) < 0)
			return -EINVAL;
		ws(&s);
		if (s.p >= s.end || *s.p != ':')
			return -EINVAL;
		s.p++;
		ws(&s);
		quoted = s.p < s.end && *s.p == '"';
		v = s.p;
		if (quoted) {
			r = string(&s, &v, &vn);
		} else {
			r = value(&s);
			vn = (size_t)(s.p - v);
		}
		if (r < 0)
			return r;
		if (!found && kn == keylen && !memcmp(k, key, kn)) {
			r = as_state(v, vn, quoted, &st);
			if (r < 0)
				return r;
			found = true;
		}
		ws(&s);
		if (s.p >= s.end)
			return -EINVAL;
		if (*s.p == '}')
			break;
		if (*s.p != ',')
			return -EINVAL;
		s.p++;
	}
	if (!found)
		return -ENOENT;
	*out = st;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

ssize_t rig_readback_hex(const char *text, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (const char *p = text; *p;) {
		int hi, lo;

		if (*p == ' ' || *p == ':' || *p == ',' || *p == '\t') {
			p++;
			continue;
		}
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		hi = hexval(p[0]);
		lo = hi < 0 ? -1 : hexval(p[1]);
		if (hi < 0 || lo < 0 || n >= cap)
			return -EINVAL;
		out[n++] = (uint8_t)(hi << 4 | lo);
		p += 2;
	}
	return n ? (ssize_t)n : -EINVAL;
}

bool rig_readback_contains(const uint8_t *hay, size_t hay_n, const uint8_t *needle, size_t needle_n)
{
	return needle_n && memmem(hay, hay_n, needle, needle_n) != NULL;
}
