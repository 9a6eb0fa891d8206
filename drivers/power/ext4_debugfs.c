/* debugfs output and the ext4 superblock, read for the at-rest faults
 * (ext4_debugfs.h). Every number is checked for overflow, every line is
 * bounded by the text's length; nothing is trusted to be NUL-terminated. */
#include "ext4_debugfs.h"
#include "rig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SB_OFF 1024u
#define SB_LEN 1024u
#define EXT4_MAGIC 0xEF53u
#define INCOMPAT_RECOVER 0x4u
#define INCOMPAT_64BIT 0x80u
#define INCOMPAT_INLINE_DATA 0x8000u

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int rig_ext4_super_read(rig_ext4_read_fn *rd, void *arg, uint64_t part_size, struct rig_ext4_super *out,
			char *err, size_t errlen)
{
	uint8_t sb[SB_LEN];
	uint32_t log, incompat;
	uint64_t blocks;
	int r;

	if (part_size < SB_OFF + SB_LEN) {
		seterr(err, errlen, "%llu bytes: too small for an ext4 file system", (unsigned long long)part_size);
		return -EINVAL;
	}
	r = rd(arg, SB_OFF, sb, sizeof(sb));
	if (r < 0) {
		seterr(err, errlen, "cannot read the superblock: %s", strerror(-r));
		return r;
	}
	if ((sb[56] | sb[57] << 8) != EXT4_MAGIC) {
		seterr(err, errlen, "not ext2/3/4 (superblock magic %02x%02x, expected 53ef)", sb[56], sb[57]);
		return -EINVAL;
	}
	log = le32(sb + 24);
	if (log > 6) {
		seterr(err, errlen, "block size 1024 << %u is out of range", log);
		return -EINVAL;
	}
	incompat = le32(sb + 96);
	blocks = le32(sb + 4);
	if (incompat & INCOMPAT_64BIT)
		blocks |= (uint64_t)le32(sb + 336) << 32;
	if (blocks == 0 || blocks > part_size / (1024u << log)) {
		seterr(err, errlen, "%llu blocks of %u bytes do not fit the partition's %llu bytes",
		       (unsigned long long)blocks, 1024u << log, (unsigned long long)part_size);
		return -EINVAL;
	}
	out->block_size = 1024u << log;
	out->blocks = blocks;
	out->needs_recovery = (incompat & INCOMPAT_RECOVER) != 0;
	out->inline_data = (incompat & INCOMPAT_INLINE_DATA) != 0;
	return 0;
}

/* ---- debugfs text ---- */

struct cur {
	const char *p, *end;
};

static bool starts(const struct cur *c, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(c->end - c->p) >= n && !memcmp(c->p, s, n);
}

static bool eat(struct cur *c, const char *s)
{
	if (!starts(c, s))
		return false;
	c->p += strlen(s);
	return true;
}

/* Advance c to just after the first s inside it; false if none. */
static bool find(struct cur *c, const char *s)
{
	size_t n = strlen(s);

	for (const char *q = c->p; (size_t)(c->end - q) >= n; q++) {
		if (!memcmp(q, s, n)) {
			c->p = q + n;
			return true;
		}
	}
	return false;
}

static bool num(struct cur *c, unsigned base, uint64_t *out)
{
	const char *q = rig_scan_u64(c->p, c->end, base, out);

	if (!q)
		return false;
	c->p = q;
	return true;
}

static void skip_spaces(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

/* One entry of an EXTENTS:/BLOCKS: line, "(L[-L2][u]):P[-P2]", or a
 * metadata entry "(ETB0):P", "(IND):P" (skipped: *got = false). */
static int entry(struct cur *c, struct rig_ext4_extent *e, bool *got)
{
	uint64_t l1, l2, p1, p2;
	bool uninit = false;

	*got = false;
	if (!eat(c, "("))
		return -EINVAL;
	if (c->p < c->end && (*c->p < '0' || *c->p > '9')) {   /* a label: metadata */
		while (c->p < c->end && *c->p != ')')
			c->p++;
		if (!eat(c, "):") || !num(c, 10, &p1))
			return -EINVAL;
		return 0;
	}
	if (!num(c, 10, &l1))
		return -EINVAL;
	l2 = l1;
	if (eat(c, "-") && !num(c, 10, &l2))
		return -EINVAL;
	if (eat(c, "[u]"))
		uninit = true;
	if (!eat(c, "):") || !num(c, 10, &p1))
		return -EINVAL;
	p2 = p1;
	if (eat(c, "-") && !num(c, 10, &p2))
		return -EINVAL;
	if (l2 < l1 || p2 < p1 || l2 - l1 != p2 - p1 || l2 - l1 == UINT64_MAX)
		return -EINVAL;
	e->lblk = l1;
	e->pblk = p1;
	e->len = l2 - l1 + 1;
	e->uninit = uninit;
	*got = true;
	return 0;
}

/* at most 40 characters of the text left, for a message (never past the end) */
static int near(const struct cur *c)
{
	return c->end - c->p < 40 ? (int)(c->end - c->p) : 40;
}

static int extents_line(struct cur line, struct rig_ext4_stat *out, char *err, size_t errlen)
{
	while (line.p < line.end) {
		struct rig_ext4_extent e;
		bool got;

		if (entry(&line, &e, &got) < 0) {
			seterr(err, errlen, "debugfs: malformed extent near '%.*s'", near(&line), line.p);
			return -EINVAL;
		}
		if (got) {
			if (out->n_ext == RIG_EXT4_MAX_EXTENTS) {
				seterr(err, errlen, "more than %d extents", RIG_EXT4_MAX_EXTENTS);
				return -E2BIG;
			}
			out->ext[out->n_ext++] = e;
		}
		if (line.p == line.end)
			break;
		if (!eat(&line, ", ")) {
			seterr(err, errlen, "debugfs: expected ', ' between extents near '%.*s'", near(&line), line.p);
			return -EINVAL;
		}
	}
	return 0;
}

int rig_ext4_parse_debugfs(const char *text, size_t n, struct rig_ext4_stat *out, char *err, size_t errlen)
{
	struct cur all = { text, text + (n < RIG_EXT4_TEXT_MAX ? n : RIG_EXT4_TEXT_MAX) };
	bool in_ext = false;
	int r;

	memset(out, 0, sizeof(*out));
	while (all.p < all.end) {
		const char *nl = memchr(all.p, '\n', (size_t)(all.end - all.p));
		struct cur line = { all.p, nl ? nl : all.end }, c = line;
		uint64_t v;

		all.p = nl ? nl + 1 : all.end;
		if (line.end > line.p && line.end[-1] == '\r')
			line.end--, c.end--;
		if (in_ext && starts(&line, "(")) {
			r = extents_line(line, out, err, errlen);
			if (r < 0)
				return r;
			continue;
		}
		in_ext = false;
		if (eat(&c, "Inode: ")) {
			if (!num(&c, 10, &v)) {
				seterr(err, errlen, "debugfs: malformed 'Inode:' line");
				return -EINVAL;
			}
			out->have_stat = true;
			out->ino = v;
			out->size = 0;
			out->n_ext = 0;
			skip_spaces(&c);
			out->regular = starts(&c, "Type: regular");
		} else if (starts(&c, "User:") && out->have_stat) {
			if (!find(&c, "Size: ") || !num(&c, 10, &out->size)) {
				seterr(err, errlen, "debugfs: no size on the 'User:' line");
				return -EINVAL;
			}
		} else if (out->have_stat && (starts(&c, "EXTENTS:") || starts(&c, "BLOCKS:"))) {
			in_ext = true;
		} else if (find(&c, "located at block ")) {
			uint64_t off;

			if (!num(&c, 10, &v) || !eat(&c, ", offset 0x") || !num(&c, 16, &off) || off > UINT32_MAX) {
				seterr(err, errlen, "debugfs: malformed 'located at block' line");
				return -EINVAL;
			}
			out->have_imap = true;
			out->inode_block = v;
			out->inode_off = (uint32_t)off;
		} else if (find(&c, "File not found by ext2_lookup")) {
			seterr(err, errlen, "no such file");
			return -ENOENT;
		}
	}
	if (!out->have_stat && !out->have_imap) {
		seterr(err, errlen, "debugfs printed no inode (neither stat nor imap output)");
		return -EINVAL;
	}
	return 0;
}

int rig_ext4_data_ranges(const struct rig_ext4_stat *st, const struct rig_ext4_super *sb, uint64_t limit,
			 struct rig_ext4_range *out, size_t max)
{
	const uint64_t bs = sb->block_size;
	size_t n = 0;
	uint64_t next_lblk = 0;

	if (bs == 0)
		return -EINVAL;
	for (size_t i = 0; i < st->n_ext; i++) {
		const struct rig_ext4_extent *e = &st->ext[i];
		uint64_t from, to, off;

		if (e->lblk < next_lblk || e->len > sb->blocks || e->pblk > sb->blocks - e->len ||
		    e->lblk > UINT64_MAX / bs - e->len)
			return -EINVAL;   /* out of order, overlapping, or outside the file system */
		next_lblk = e->lblk + e->len;
		if (e->uninit)
			continue;
		from = e->lblk * bs;
		to = (e->lblk + e->len) * bs;
		if (from >= limit)
			continue;
		if (to > limit)
			to = limit;
		off = e->pblk * bs;
		if (n > 0 && out[n - 1].off + out[n - 1].len == off) {
			out[n - 1].len += to - from;
			continue;
		}
		if (n == max)
			return -E2BIG;
		out[n].off = off;
		out[n].len = to - from;
		n++;
	}
	return (int)n;
}
