/* PCRE2 wrapper for console matching (see regex.h). */
#include "regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A kernel line as consoles show it: optionally after a line break, then
 * "[ seconds.micros] text" up to the end of its line. */
const char rig_kernel_line_re[] = "(?:\\r?\\n)?\\[ *[0-9]+\\.[0-9]+\\] [^\\n]*\\n";

struct rig_regex {
	pcre2_code *code;
	pcre2_match_data *md;
	size_t lookbehind;
	char *pattern;
};

static void append_quoted(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool special = strchr("\\^$.|?*+()[]{}-#/ ", c) != NULL;

		if (*len + 4 >= *cap) {
			*cap = *cap * 2 + 64;
			*buf = rig_xrealloc(*buf, *cap);
		}
		if (special)
			(*buf)[(*len)++] = '\\';
		(*buf)[(*len)++] = c;
	}
	(*buf)[*len] = '\0';
}

static char *build_pattern(const char *pattern, unsigned flags)
{
	size_t n = strlen(pattern), len = 0, cap = n * 4 + 64;
	char *buf;

	if (!(flags & (RIG_RE_LITERAL | RIG_RE_KTOLERANT)))
		return rig_xstrdup(pattern);
	buf = rig_xmalloc(cap);
	buf[0] = '\0';
	if (!(flags & RIG_RE_KTOLERANT)) {
		append_quoted(&buf, &len, &cap, pattern, n);
		return buf;
	}
	for (size_t i = 0; i < n; i++) {
		char piece[128];

		append_quoted(&buf, &len, &cap, pattern + i, 1);
		if (i + 1 < n) {
			snprintf(piece, sizeof(piece), "(?:%s)?", rig_kernel_line_re);
			size_t pl = strlen(piece);

			if (len + pl + 1 >= cap) {
				cap = (len + pl + 1) * 2;
				buf = rig_xrealloc(buf, cap);
			}
			memcpy(buf + len, piece, pl + 1);
			len += pl;
		}
	}
	return buf;
}

int rig_regex_new(const char *pattern, unsigned flags, struct rig_regex **out, struct rig_errmsg *err)
{
	struct rig_regex *re;
	int errcode = 0;
	PCRE2_SIZE erroff = 0;
	uint32_t opts = PCRE2_MULTILINE;
	uint32_t lb = 0;
	char *src = build_pattern(pattern, flags);

	if (flags & RIG_RE_CASELESS)
		opts |= PCRE2_CASELESS;
	re = rig_xcalloc(1, sizeof(*re));
	re->code = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, opts, &errcode, &erroff, NULL);
	if (!re->code) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		if (err)
			rig_errmsg_set(err, "bad regex /%s/ at offset %zu: %s", pattern, (size_t)erroff,
				       (char *)msg);
		free(src);
		free(re);
		return -EINVAL;
	}
	free(src);
	/* JIT is an accelerator: if it is unavailable, the interpreter still works. */
	pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE | PCRE2_JIT_PARTIAL_SOFT);
	pcre2_pattern_info(re->code, PCRE2_INFO_MAXLOOKBEHIND, &lb);
	re->lookbehind = lb;
	re->md = pcre2_match_data_create_from_pattern(re->code, NULL);
	re->pattern = rig_xstrdup(pattern);
	*out = re;
	return 0;
}

void rig_regex_free(struct rig_regex *re)
{
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re->pattern);
	free(re);
}

const char *rig_regex_pattern(const struct rig_regex *re)
{
	return re->pattern;
}

int rig_regex_search(const struct rig_regex *re, const uint8_t *subject, size_t len, size_t from,
		     struct rig_match *m, size_t *resume)
{
	PCRE2_SIZE *ov;
	int rc;

	if (from > len)
		from = len;
	/* PARTIAL_SOFT: a complete match wins (so "# $" matches a prompt at the
	 * end of what arrived so far, as expect tools do); otherwise the start of
	 * the earliest partial match tells where a match may still begin once
	 * more bytes arrive, so searches resume there instead of rescanning. */
	rc = pcre2_match(re->code, subject ? (PCRE2_SPTR)subject : (PCRE2_SPTR) "", len, from,
			 PCRE2_PARTIAL_SOFT, re->md, NULL);
	ov = pcre2_get_ovector_pointer(re->md);
	if (rc >= 0) {
		m->start = ov[0];
		m->end = ov[1];
		m->ncap = 0;
		for (int i = 1; i < rc && i <= RIG_REGEX_MAXCAP; i++) {
			m->cap_start[i - 1] = ov[2 * i] == PCRE2_UNSET ? SIZE_MAX : ov[2 * i];
			m->cap_end[i - 1] = ov[2 * i + 1] == PCRE2_UNSET ? SIZE_MAX : ov[2 * i + 1];
			m->ncap = i;
		}
		if (resume)
			*resume = ov[1];
		return 1;
	}
	if (rc == PCRE2_ERROR_PARTIAL) {
		size_t s = ov[0];

		if (resume)
			*resume = s > re->lookbehind ? s - re->lookbehind : 0;
		return 0;
	}
	if (rc == PCRE2_ERROR_NOMATCH) {
		if (resume)
			*resume = len > re->lookbehind ? len - re->lookbehind : 0;
		if (resume && *resume < from)
			*resume = from;
		return 0;
	}
	return -EIO;
}
