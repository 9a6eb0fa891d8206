/* FAT16 path lookup (fat16.h). Layout: boot sector (BPB) | reserved | FATs |
 * fixed root directory | data clusters numbered from 2. Every offset is
 * checked against the partition's size, every cluster chain is bounded by the
 * cluster count (a loop is an error, not a hang). */
#include "fat16.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct fat {
	rig_fat_read_fn *rd;
	void *arg;
	uint64_t part_size;
	uint32_t bps, spc, cluster_size, nclusters;
	uint64_t fat_off, root_off, root_len, data_off;
	char *err;
	size_t errlen;
};

static int fail(struct fat *f, int e, const char *fmt, ...)
{
	va_list ap;

	if (f->err && f->errlen) {
		va_start(ap, fmt);
		vsnprintf(f->err, f->errlen, fmt, ap);
		va_end(ap);
	}
	return e;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int rd(struct fat *f, uint64_t off, void *buf, size_t n)
{
	int r;

	if (off > f->part_size || n > f->part_size - off)
		return fail(f, -EINVAL, "offset %llu+%zu lies past the partition's %llu bytes",
			    (unsigned long long)off, n, (unsigned long long)f->part_size);
	r = f->rd(f->arg, off, buf, n);
	if (r < 0)
		return fail(f, r, "cannot read %zu bytes at %llu: %s", n, (unsigned long long)off, strerror(-r));
	return 0;
}

static bool pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static int parse_bpb(struct fat *f)
{
	uint8_t b[512];
	uint32_t reserved, nfats, root_entries, total, fatsz, root_secs, data_secs;
	int r = rd(f, 0, b, sizeof(b));

	if (r < 0)
		return r;
	if (b[510] != 0x55 || b[511] != 0xAA)
		return fail(f, -EINVAL, "no boot sector signature 55 AA at 510");
	f->bps = le16(b + 11);
	f->spc = b[13];
	reserved = le16(b + 14);
	nfats = b[16];
	root_entries = le16(b + 17);
	total = le16(b + 19) ? le16(b + 19) : le32(b + 32);
	fatsz = le16(b + 22);
	if (f->bps < 512 || f->bps > 4096 || !pow2(f->bps))
		return fail(f, -EINVAL, "bytes per sector %u: expected 512, 1024, 2048 or 4096", f->bps);
	if (!pow2(f->spc) || f->spc > 128)
		return fail(f, -EINVAL, "sectors per cluster %u: expected a power of two up to 128", f->spc);
	if (reserved < 1 || nfats < 1 || nfats > 4 || fatsz == 0 || root_entries == 0)
		return fail(f, -EINVAL, "not FAT12/16 (reserved %u, FATs %u, FAT size %u, root entries %u)",
			    reserved, nfats, fatsz, root_entries);
	root_secs = (root_entries * 32 + f->bps - 1) / f->bps;
	if ((uint64_t)reserved + (uint64_t)nfats * fatsz + root_secs >= total)
		return fail(f, -EINVAL, "the FATs and root directory fill the whole volume");
	if ((uint64_t)total * f->bps > f->part_size)
		return fail(f, -EINVAL, "the volume (%u sectors) is larger than the partition", total);
	data_secs = total - reserved - nfats * fatsz - root_secs;
	f->nclusters = data_secs / f->spc;
	if (f->nclusters < 4085 || f->nclusters > 65524)
		return fail(f, -EINVAL, "%u clusters: FAT16 has 4085 to 65524", f->nclusters);
	if ((uint64_t)fatsz * f->bps < (uint64_t)(f->nclusters + 2) * 2)
		return fail(f, -EINVAL, "the FAT (%u sectors) is too small for %u clusters", fatsz, f->nclusters);
	f->cluster_size = f->bps * f->spc;
	f->fat_off = (uint64_t)reserved * f->bps;
	f->root_off = f->fat_off + (uint64_t)nfats * fatsz * f->bps;
	f->root_len = (uint64_t)root_entries * 32;
	f->data_off = f->root_off + (uint64_t)root_secs * f->bps;
	return 0;
}

static bool valid_cluster(const struct fat *f, uint32_t c)
{
	return c >= 2 && c < f->nclusters + 2;
}

static uint64_t cluster_off(const struct fat *f, uint32_t c)
{
	return f->data_off + (uint64_t)(c - 2) * f->cluster_size;
}

/* The next cluster of a chain: 0 at its end, or -errno. */
static int64_t next_cluster(struct fat *f, uint32_t c)
{
	uint8_t e[2];
	uint16_t v;
	int r = rd(f, f->fat_off + (uint64_t)c * 2, e, 2);

	if (r < 0)
		return r;
	v = le16(e);
	if (v >= 0xFFF8)
		return 0;
	if (!valid_cluster(f, v))
		return fail(f, -EINVAL, "cluster %u links to %u: not a data cluster", c, v);
	return v;
}

/* "grubenv" -> "GRUBENV    ", "a.b" -> "A       B  " */
static int short_name(const char *s, size_t n, char out[11])
{
	size_t i = 0, j = 0;

	memset(out, ' ', 11);
	if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return -ENAMETOOLONG;
	for (; i < n && s[i] != '.'; i++, j++) {
		if (j == 8)
			return -ENAMETOOLONG;
		out[j] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	}
	if (i < n) {
		for (i++, j = 8; i < n; i++, j++) {
			if (j == 11 || s[i] == '.')
				return -ENAMETOOLONG;
			out[j] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
		}
	}
	for (j = 0; j < 11; j++)
		if ((unsigned char)out[j] < 0x20 || strchr("\"*+,/:;<=>?[\\]|", out[j]))
			return -ENAMETOOLONG;
	return 0;
}

/* Look name up in one directory region of len bytes at off. 1 found (entry
 * copied to ent, its offset to *ent_off), 0 not here, 2 end marker, -errno. */
static int scan(struct fat *f, uint64_t off, uint64_t len, const char name[11], uint8_t ent[32],
		uint64_t *ent_off)
{
	uint8_t buf[512];

	for (uint64_t o = 0; o < len; o += sizeof(buf)) {
		size_t n = len - o < sizeof(buf) ? (size_t)(len - o) : sizeof(buf);
		int r = rd(f, off + o, buf, n);

		if (r < 0)
			return r;
		for (size_t i = 0; i + 32 <= n; i += 32) {
			const uint8_t *e = buf + i;

			if (e[0] == 0x00)
				return 2;
			if (e[0] == 0xE5 || e[11] == 0x0F || (e[11] & 0x08))
				continue;   /* deleted, long-name part, volume label */
			if (memcmp(e, name, 11) == 0) {
				memcpy(ent, e, 32);
				*ent_off = off + o + i;
				return 1;
			}
		}
	}
	return 0;
}

/* Find name in the directory starting at cluster dir (0: the root). */
static int lookup(struct fat *f, uint32_t dir, const char name[11], uint8_t ent[32], uint64_t *ent_off)
{
	uint32_t steps = 0;
	int r;

	if (dir == 0) {
		r = scan(f, f->root_off, f->root_len, name, ent, ent_off);
		return r == 1 ? 0 : r < 0 ? r : -ENOENT;
	}
	for (uint32_t c = dir; c; steps++) {
		int64_t nx;

		if (steps > f->nclusters)
			return fail(f, -EINVAL, "the directory's cluster chain loops");
		r = scan(f, cluster_off(f, c), f->cluster_size, name, ent, ent_off);
		if (r == 1)
			return 0;
		if (r == 2)
			return -ENOENT;
		if (r < 0)
			return r;
		nx = next_cluster(f, c);
		if (nx < 0)
			return (int)nx;
		c = (uint32_t)nx;
	}
	return -ENOENT;
}

static int extents(struct fat *f, uint32_t first, struct rig_fat_file *out)
{
	/* 64-bit: a size near 4 GiB must not wrap to a small count */
	uint64_t need = ((uint64_t)out->size + f->cluster_size - 1) / f->cluster_size;
	uint32_t c = first;

	out->n_ext = 0;
	if (need == 0)
		return 0;
	if (!valid_cluster(f, first))
		return fail(f, -EINVAL, "the file of %u bytes starts at cluster %u: not a data cluster",
			    out->size, first);
	if (need > f->nclusters)
		return fail(f, -EINVAL, "the file's size %u exceeds the volume", out->size);
	for (uint32_t i = 0; i < need; i++) {
		uint64_t o = cluster_off(f, c);
		struct rig_fat_extent *last = out->n_ext ? &out->ext[out->n_ext - 1] : NULL;
		int64_t nx;

		if (last && last->off + last->len == o) {
			last->len += f->cluster_size;
		} else {
			if (out->n_ext == RIG_FAT_MAX_EXTENTS)
				return fail(f, -E2BIG, "the file has more than %d fragments", RIG_FAT_MAX_EXTENTS);
			out->ext[out->n_ext].off = o;
			out->ext[out->n_ext].len = f->cluster_size;
			out->n_ext++;
		}
		if (i + 1 == need)
			break;
		nx = next_cluster(f, c);
		if (nx < 0)
			return (int)nx;
		if (nx == 0)
			return fail(f, -EINVAL, "the cluster chain ends after %u of %llu clusters", i + 1,
				    (unsigned long long)need);
		c = (uint32_t)nx;
	}
	return 0;
}

int rig_fat16_find(rig_fat_read_fn *rdfn, void *arg, uint64_t part_size, const char *path,
		   struct rig_fat_file *out, char *err, size_t errlen)
{
	struct fat f = { .rd = rdfn, .arg = arg, .part_size = part_size, .err = err, .errlen = errlen };
	struct rig_fat_file res;
	uint32_t dir = 0;
	const char *p = path;
	int r;

	if (err && errlen)
		err[0] = '\0';
	r = parse_bpb(&f);
	if (r < 0)
		return r;
	memset(&res, 0, sizeof(res));
	res.cluster_size = f.cluster_size;
	for (;;) {
		char name[11];
		uint8_t ent[32];
		uint64_t ent_off;
		size_t n;
		bool last;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		last = p[n + strspn(p + n, "/")] == '\0';
		if (short_name(p, n, name) < 0)
			return fail(&f, -ENAMETOOLONG, "'%.*s' in %s: expected an 8.3 name", (int)n, p, path);
		r = lookup(&f, dir, name, ent, &ent_off);
		if (r == -ENOENT)
			return fail(&f, r, "no '%.*s' in %s", (int)n, p, path);
		if (r < 0)
			return r;
		if (!last) {
			if (!(ent[11] & 0x10))
				return fail(&f, -ENOENT, "'%.*s' in %s is not a directory", (int)n, p, path);
			dir = le16(ent + 26);
			if (!valid_cluster(&f, dir))
				return fail(&f, -EINVAL, "directory '%.*s' starts at cluster %u", (int)n, p, dir);
			p += n;
			continue;
		}
		if (ent[11] & 0x10)
			return fail(&f, -ENOENT, "%s is a directory, not a file", path);
		res.size = le32(ent + 28);
		res.dirent_off = ent_off;
		r = extents(&f, le16(ent + 26), &res);
		if (r < 0)
			return r;
		*out = res;
		return 0;
	}
}
