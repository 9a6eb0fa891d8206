/* A compiled console pattern: PCRE2 (UTF-8 off, so arbitrary bytes match),
 * JIT-compiled for complete and partial-hard matching. */
#ifndef RIG_REGEX_H
#define RIG_REGEX_H

#include "rig.h"

struct rig_regex;

/* flags: RIG_RE_LITERAL quotes the pattern; RIG_RE_KTOLERANT lets a kernel log
 * line ("[   12.345678] ...\n") appear between any two characters of a literal. */
enum { RIG_RE_LITERAL = 1, RIG_RE_KTOLERANT = 2, RIG_RE_CASELESS = 4 };

int rig_regex_new(const char *pattern, unsigned flags, struct rig_regex **out, struct rig_errmsg *err);
void rig_regex_free(struct rig_regex *re);
const char *rig_regex_pattern(const struct rig_regex *re);

/* Match result: offsets relative to the subject. */
#define RIG_REGEX_MAXCAP 10
struct rig_match {
	size_t start, end;
	int ncap;                      /* captures filled, group 0 excluded */
	size_t cap_start[RIG_REGEX_MAXCAP], cap_end[RIG_REGEX_MAXCAP]; /* SIZE_MAX = unset */
};

/* Search subject[from..len).
 * Returns 1 on a match (m filled), 0 if there is none yet; *resume is where
 * the next search (after more bytes are appended) may start without missing a
 * match that straddles the boundary. Negative: -errno. */
int rig_regex_search(const struct rig_regex *re, const uint8_t *subject, size_t len, size_t from,
		     struct rig_match *m, size_t *resume);

/* A regex (pattern text, malloc'd) that matches kernel log lines, for
 * filtering them out of command output. */
extern const char rig_kernel_line_re[];

#endif
