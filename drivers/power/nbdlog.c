/* Counting the writes in nbdkit's log (nbdlog.h). */
#include "nbdlog.h"
#include "rig.h"

#include <errno.h>
#include <string.h>

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* "0x1f" or "31", the whole of [p, p + n); 0 or -EINVAL (empty, a stray
 * character, more than 64 bits). */
static int parse_u64(const char *p, size_t n, uint64_t *out)
{
	unsigned base = 10;

	if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		n -= 2;
	}
	return rig_scan_u64(p, p + n, base, out) == p + n ? 0 : -EINVAL;
}

static bool token_is(const char *t, size_t n, const char *word)
{
	return n == strlen(word) && memcmp(t, word, n) == 0;
}

int rig_nbdlog_line(const char *line, size_t n, struct rig_nbdlog_req *req)
{
	size_t i = 0;
	enum rig_nbdlog_op op = 0;
	bool have_off = false, have_count = false;
	uint64_t off = 0, count = 0;

	while (i < n) {
		size_t start, len;
		const char *t, *eq;

		while (i < n && line[i] == ' ')
			i++;
		start = i;
		while (i < n && line[i] != ' ')
			i++;
		len = i - start;
		if (len == 0)
			break;
		t = line + start;
		eq = memchr(t, '=', len);
		if (!op) {
			/* before the action: the timestamp and connection=N */
			if (eq || (t[0] >= '0' && t[0] <= '9'))
				continue;
			if (token_is(t, len, "Write"))
				op = RIG_NBDLOG_WRITE;
			else if (token_is(t, len, "Zero"))
				op = RIG_NBDLOG_ZERO;
			else if (token_is(t, len, "Trim"))
				op = RIG_NBDLOG_TRIM;
			else
				return 0;   /* another action, or a completion ("...Write") */
			continue;
		}
		if (!eq)
			continue;
		if (!have_off && token_is(t, (size_t)(eq - t), "offset")) {
			if (parse_u64(eq + 1, len - (size_t)(eq - t) - 1, &off) < 0)
				return -EINVAL;
			have_off = true;
		} else if (!have_count && token_is(t, (size_t)(eq - t), "count")) {
			if (parse_u64(eq + 1, len - (size_t)(eq - t) - 1, &count) < 0)
				return -EINVAL;
			have_count = true;
		}
	}
	if (!op)
		return 0;
	if (!have_off || !have_count)
		return -EINVAL;
	req->op = op;
	req->offset = off;
	req->count = count;
	return 1;
}

void rig_nbdlog_init(struct rig_nbdlog *l)
{
	memset(l, 0, sizeof(*l));
}

int rig_nbdlog_add_range(struct rig_nbdlog *l, uint64_t off, uint64_t size)
{
	if (l->nranges == RIG_NBDLOG_MAX_RANGES)
		return -ENOSPC;
	l->ranges[l->nranges].off = off;
	l->ranges[l->nranges].size = size;
	l->ranges[l->nranges].bytes = 0;
	return (int)l->nranges++;
}

static void count_req(struct rig_nbdlog *l, const struct rig_nbdlog_req *req)
{
	uint64_t end = add_sat(req->offset, req->count);

	l->requests++;
	l->total = add_sat(l->total, req->count);
	for (size_t i = 0; i < l->nranges; i++) {
		struct rig_nbdlog_range *r = &l->ranges[i];
		uint64_t lo = req->offset > r->off ? req->offset : r->off;
		uint64_t r_end = add_sat(r->off, r->size);
		uint64_t hi = end < r_end ? end : r_end;

		if (hi > lo)
			r->bytes = add_sat(r->bytes, hi - lo);
	}
}

static void end_line(struct rig_nbdlog *l)
{
	struct rig_nbdlog_req req;
	int r;

	if (l->overlong) {
		l->overlong = false;
		l->garbage++;
	} else {
		r = rig_nbdlog_line(l->line, l->len, &req);
		if (r > 0)
			count_req(l, &req);
		else if (r < 0)
			l->garbage++;
	}
	l->len = 0;
}

void rig_nbdlog_feed(struct rig_nbdlog *l, const char *buf, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(buf, '\n', n);
		size_t take = nl ? (size_t)(nl - buf) : n;

		if (!l->overlong) {
			if (take > sizeof(l->line) - l->len) {
				l->overlong = true;   /* drop it up to its newline */
				l->len = 0;
			} else {
				memcpy(l->line + l->len, buf, take);
				l->len += take;
			}
		}
		if (!nl)
			return;
		end_line(l);
		buf = nl + 1;
		n -= take + 1;
	}
}

void rig_nbdlog_new_file(struct rig_nbdlog *l)
{
	if (l->len > 0 || l->overlong)
		l->garbage++;
	l->len = 0;
	l->overlong = false;
}
