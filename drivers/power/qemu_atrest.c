/* The at-rest fault job (qemu_atrest.h). FAT16 partitions (the boot
 * partition with grubenv) through fat16.c; ext2/3/4 partitions (/data with
 * RAUC's status file) through e2fsprogs' debugfs on the exported copy, its
 * text read by ext4_debugfs.c. */
#include "qemu_atrest.h"
#include "blockdiff.h"
#include "child.h"
#include "ext4_debugfs.h"
#include "fat16.h"
#include "json.h"
#include "qemu_manifest.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STEP_TIMEOUT_NS (60 * RIG_NS_PER_S)
#define MAX_WRITES (RIG_EXT4_MAX_EXTENTS + 1)   /* ≥ RIG_FAT_MAX_EXTENTS + 1 */
#define DIFF_MAX_READ (1024ull * 1024 * 1024)   /* data compared, at most (~0.3 s for 256 MiB) */
#define DIFF_SLICE (4ull * 1024 * 1024)         /* compared per turn of the loop (a few ms) */
#define DIFF_MAX_RUNS 256                       /* runs of changed blocks written back, at most */

struct rig_atrest {
	struct rig_loop *loop;
	char *overlay, *fmt, *partition, *path, *how, *tmp, *src, *orig;
	int64_t bytes;
	uint64_t part_off, part_size;
	struct rig_child *child;
	struct rig_timer *timer;
	rig_at_rest_done_fn *done;
	void *arg;
	struct rig_json detail;
	size_t nwrites;
	struct rig_ext4_super sb;   /* ext4: from the exported copy */
	size_t nsrc;                /* ext4: src.0 .. src.<nsrc-1> written */
	bool have_orig;             /* ext4: orig holds the export as it was */
	bool replayed;              /* ext4: the copy's journal was replayed (e2fsck) */
	struct rig_blockdiff diff;  /* ext4: the copy against orig, a slice per timer turn */
	struct rig_blockdiff_run *runs;
	int diff_fe, diff_fo;       /* ext4: the copy and orig while diffing, else -1 */
	struct rig_ext4_range *fault_rg;   /* ext4 after a replay: the fault's writes, after the diff's */
	int fault_nr;
	const char *fault_data;     /* their qemu-io pattern */
	void (*after_copy)(struct rig_atrest *a);
	void (*step)(struct rig_atrest *a, const struct rig_child_result *res);   /* the running child's */
};

static char *src_n(const struct rig_atrest *a, size_t i)
{
	return rig_xasprintf("%s.%zu", a->src, i);
}

static void cleanup_files(struct rig_atrest *a)
{
	if (a->tmp)
		unlink(a->tmp);
	if (a->src)
		unlink(a->src);
	if (a->orig)
		unlink(a->orig);
	for (size_t i = 0; i < a->nsrc; i++) {
		char *p = src_n(a, i);

		unlink(p);
		free(p);
	}
	a->nsrc = 0;
}

static void diff_end(struct rig_atrest *a)
{
	if (a->diff_fe >= 0)
		close(a->diff_fe);
	if (a->diff_fo >= 0)
		close(a->diff_fo);
	a->diff_fe = a->diff_fo = -1;
	free(a->runs);
	a->runs = NULL;
}

void rig_atrest_free(struct rig_atrest *a)
{
	if (!a)
		return;
	rig_loop_cancel_timer(a->loop, a->timer);
	rig_child_free(a->child);
	diff_end(a);
	cleanup_files(a);
	free(a->fault_rg);
	free(a->overlay);
	free(a->fmt);
	free(a->partition);
	free(a->path);
	free(a->how);
	free(a->tmp);
	free(a->src);
	free(a->orig);
	rig_json_free(&a->detail);
	free(a);
}

static void finish(struct rig_atrest *a, int result, const char *fmt, ...) RIG_PRINTF(3, 4);
static void finish(struct rig_atrest *a, int result, const char *fmt, ...)
{
	struct rig_errmsg m;
	va_list ap;
	rig_at_rest_done_fn *done = a->done;

	a->done = NULL;
	cleanup_files(a);
	if (result < 0) {
		va_start(ap, fmt);
		rig_errmsg_vset(&m, fmt, ap);
		va_end(ap);
	}
	if (done)
		done(a->arg, result, result < 0 ? m.text : rig_json_str(&a->detail));
}

/* A finished child is freed by its owner, after its result was read (and
 * after the step may have started the next child in a->child). */
static void step_done(void *arg, const struct rig_child_result *res)
{
	struct rig_atrest *a = arg;
	struct rig_child *c = a->child;

	a->child = NULL;
	a->step(a, res);   /* may finish the job, and the owner free a */
	rig_child_free(c);
}

/* Run one host tool, its result to step, with the step deadline. */
static int spawn_step(struct rig_atrest *a, char **argv,
		      void (*step)(struct rig_atrest *a, const struct rig_child_result *res))
{
	a->step = step;
	return rig_child_spawn(a->loop, argv, NULL, NULL, STEP_TIMEOUT_NS, step_done, a, &a->child);
}

/* The partition's offset and size from the image's manifest.json. */
static int manifest_partition(const char *manifest, const char *name, uint64_t *off, uint64_t *size,
			      struct rig_errmsg *err)
{
	struct rig_qemu_parts parts;
	int i = rig_qemu_manifest_parts(manifest, &parts, err);

	if (i < 0)
		return i;
	i = rig_qemu_parts_find(&parts, name, manifest, err);
	if (i < 0)
		return i;
	*off = parts.p[i].off;
	*size = parts.p[i].size;
	return 0;
}

static char *image_opts(const struct rig_atrest *a)
{
	return rig_xasprintf("driver=raw,offset=%llu,size=%llu,file.driver=%s,file.file.filename=%s",
			     (unsigned long long)a->part_off, (unsigned long long)a->part_size, a->fmt, a->overlay);
}

static int pread_fd(void *arg, uint64_t off, void *buf, size_t n)
{
	ssize_t r = pread(*(int *)arg, buf, n, (off_t)off);

	return r == (ssize_t)n ? 0 : r < 0 ? -errno : -EIO;
}

static void written_body(struct rig_atrest *a, const struct rig_child_result *res)
{
	size_t wrote = 0;

	for (const char *p = res->output; (p = strstr(p, "wrote ")); p += 6)
		wrote++;
	if (res->timed_out || res->exit_code != 0 || wrote != a->nwrites) {
		finish(a, -EIO, "qemu-io on %s %s (exit %d, %zu of %zu writes): %.300s", a->overlay,
		       res->timed_out ? "timed out" : "failed", res->exit_code, wrote, a->nwrites, res->output);
		return;
	}
	rig_json_kv_uint(&a->detail, "ms", (res->t_end_ns - res->t_start_ns) / RIG_NS_PER_MS);
	rig_json_obj_end(&a->detail);
	finish(a, 0, "%s", "");
}


static void add_write(struct rig_atrest *a, char **argv, size_t *n, uint64_t off, uint64_t len, const char *data)
{
	argv[(*n)++] = rig_xstrdup("-c");
	argv[(*n)++] = rig_xasprintf("write %s %llu %llu", data, (unsigned long long)off, (unsigned long long)len);
	rig_json_obj_begin(&a->detail);
	rig_json_kv_uint(&a->detail, "off", off);
	rig_json_kv_uint(&a->detail, "len", len);
	rig_json_obj_end(&a->detail);
	a->nwrites++;
}

/* Write over the file's first `len` data bytes, extent by extent. */
static void over_data(struct rig_atrest *a, const struct rig_fat_file *f, uint64_t len, const char *data,
		      char **argv, size_t *n)
{
	for (size_t i = 0; i < f->n_ext && len > 0; i++) {
		uint64_t l = f->ext[i].len < len ? f->ext[i].len : len;

		add_write(a, argv, n, f->ext[i].off, l, data);
		len -= l;
	}
}

/* qemu-io on the partition's node: argv[0..2]; the caller adds writes. */
static void writes_begin(struct rig_atrest *a, char **argv, size_t *n)
{
	argv[(*n)++] = rig_xstrdup("qemu-io");
	argv[(*n)++] = rig_xstrdup("--image-opts");
	argv[(*n)++] = image_opts(a);
}

/* Runs qemu-io with the writes added (or finishes with an error); frees argv. */
static void writes_run(struct rig_atrest *a, char **argv, size_t n)
{
	int r;

	argv[n] = NULL;
	r = spawn_step(a, argv, written_body);
	for (size_t i = 0; i < n; i++)
		free(argv[i]);
	if (r < 0)
		finish(a, r, "cannot run qemu-io: %s", strerror(-r));
}

/* The source file of a `write -s`: exactly len bytes. 0 or -errno. */
static int write_src(struct rig_atrest *a, const void *buf, size_t len)
{
	int fd = open(a->src, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), r = 0;

	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, buf, len);
	if (w != (ssize_t)len)
		r = w < 0 ? -errno : -EIO;   /* short: no errno */
	close(fd);
	return r;
}

/* The tear or truncation size: bytes, or half the file; a default tear ends
 * at a sector boundary (the first sector of a file under 1 KiB). */
static uint64_t fault_bytes(const struct rig_atrest *a, uint64_t size)
{
	uint64_t bytes = a->bytes >= 0 ? (uint64_t)a->bytes : size / 2;

	if (!strcmp(a->how, "tear") && a->bytes < 0) {
		bytes &= ~(uint64_t)511;
		if (bytes == 0)
			bytes = size < 512 ? size : 512;
	}
	return bytes;
}

/* ---- ext2/3/4: debugfs on the exported copy ---- */

/* A path debugfs takes as one argument, with nothing its request parser
 * would split or quote: "/" and letters, digits, . _ - + @. */
static bool debugfs_path_ok(const char *p)
{
	if (p[0] != '/' || strlen(p) > 255)
		return false;
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') &&
		    !strchr("/._-+@", c))
			return false;
	}
	return true;
}

/* debugfs's exit and text; 0, or the job is finished with the error. */
static int debugfs_result(struct rig_atrest *a, const struct rig_child_result *res, const char *what,
			  struct rig_ext4_stat *st)
{
	char err[256];
	int r;

	if (res->timed_out || res->exit_code != 0) {
		finish(a, -EIO, "debugfs %s on partition %s %s (exit %d): %.300s", what, a->partition,
		       res->timed_out ? "timed out" : "failed", res->exit_code, res->output);
		return -EIO;
	}
	r = rig_ext4_parse_debugfs(res->output, res->output_len, st, err, sizeof(err));
	if (r < 0) {
		finish(a, r, "partition %s, %s: %s", a->partition, a->path, err);
		return r;
	}
	return 0;
}

static void ext4_stat_body(struct rig_atrest *a, const struct rig_child_result *res);
static void ext4_copied_body(struct rig_atrest *a, const struct rig_child_result *res);
static void ext4_replayed_body(struct rig_atrest *a, const struct rig_child_result *res);
static void ext4_sif_body(struct rig_atrest *a, const struct rig_child_result *res);
static void ext4_begin(struct rig_atrest *a);

/* orig = the export as it is now (once), then next(a). */
static void copy_then(struct rig_atrest *a, void (*next)(struct rig_atrest *a))
{
	char *argv[] = { "cp", "--sparse=always", a->tmp, a->orig, NULL };
	int r;

	if (a->have_orig) {
		next(a);
		return;
	}
	a->after_copy = next;
	r = spawn_step(a, argv, ext4_copied_body);
	if (r < 0)
		finish(a, r, "cannot run cp: %s", strerror(-r));
}

static void ext4_replay(struct rig_atrest *a)
{
	char *argv[] = { "e2fsck", "-y", "-E", "journal_only", a->tmp, NULL };
	int r = spawn_step(a, argv, ext4_replayed_body);

	if (r < 0)
		finish(a, r, "cannot run e2fsck (e2fsprogs): %s", strerror(-r));
}

static void ext4_replayed_body(struct rig_atrest *a, const struct rig_child_result *res)
{
	char err[256];
	int fd, r;

	if (res->timed_out || res->exit_code < 0 || res->exit_code > 1) {   /* 1: "corrected" */
		finish(a, -EIO, "e2fsck -E journal_only on the copy of partition %s %s (exit %d): %.300s",
		       a->partition, res->timed_out ? "timed out" : "failed", res->exit_code, res->output);
		return;
	}
	fd = open(a->tmp, O_RDONLY | O_CLOEXEC);
	r = fd < 0 ? -errno : rig_ext4_super_read(pread_fd, &fd, a->part_size, &a->sb, err, sizeof(err));
	if (fd >= 0)
		close(fd);
	if (r < 0) {
		finish(a, r, "partition %s after the journal replay: %s", a->partition, fd < 0 ? strerror(-r) : err);
		return;
	}
	a->replayed = true;
	ext4_begin(a);
}


static void ext4_begin(struct rig_atrest *a)
{
	char *req, *argv[6];
	int r;

	if (!debugfs_path_ok(a->path)) {
		finish(a, -EINVAL, "partition %s: path '%s': expected /name[/name...] of letters, digits and . _ - + @",
		       a->partition, a->path);
		return;
	}
	if (a->sb.needs_recovery) {
		/* The next mount would replay the journal over the blocks it
		 * holds, maybe the very inode edited now: replay it first, as
		 * the kernel would, and write back everything that changed. */
		if (a->replayed) {
			finish(a, -EIO, "partition %s: the ext4 journal still needs recovery after e2fsck replayed it",
			       a->partition);
			return;
		}
		copy_then(a, ext4_replay);
		return;
	}
	req = rig_xasprintf("stat %s", a->path);
	argv[0] = "debugfs";
	argv[1] = "-R";
	argv[2] = req;
	argv[3] = a->tmp;
	argv[4] = NULL;
	r = spawn_step(a, argv, ext4_stat_body);
	free(req);
	if (r < 0)
		finish(a, r, "cannot run debugfs (e2fsprogs): %s", strerror(-r));
}

static void ext4_sif_start(struct rig_atrest *a);
static void write_changed(struct rig_atrest *a);

static void ext4_stat_body(struct rig_atrest *a, const struct rig_child_result *res)
{
	struct rig_ext4_stat st;
	struct rig_ext4_range rg[MAX_WRITES];
	char *argv[2 * MAX_WRITES + 8];
	size_t n = 0;
	uint64_t bytes;
	int nr;

	if (debugfs_result(a, res, "stat", &st) < 0)
		return;
	if (!st.have_stat || !st.regular) {
		finish(a, -EINVAL, "partition %s: %s is not a regular file", a->partition, a->path);
		return;
	}
	bytes = fault_bytes(a, st.size);
	if (strcmp(a->how, "zero") && bytes > st.size) {
		finish(a, -EINVAL, "%s: bytes = %llu but the file has only %llu", a->how, (unsigned long long)bytes,
		       (unsigned long long)st.size);
		return;
	}
	rig_json_kv_str(&a->detail, "partition", a->partition);
	rig_json_kv_str(&a->detail, "path", a->path);
	rig_json_kv_str(&a->detail, "how", a->how);
	rig_json_kv_str(&a->detail, "fs", "ext4");
	rig_json_kv_uint(&a->detail, "ino", st.ino);
	rig_json_kv_uint(&a->detail, "size", st.size);
	if (a->replayed)
		rig_json_kv_bool(&a->detail, "journal_replayed", true);
	if (!strcmp(a->how, "truncate")) {
		/* a copy first: after debugfs's edit the job writes back the
		 * blocks that differ from it */
		a->bytes = (int64_t)bytes;
		copy_then(a, ext4_sif_start);
		return;
	}
	nr = rig_ext4_data_ranges(&st, &a->sb, !strcmp(a->how, "zero") ? st.size : bytes, rg, MAX_WRITES);
	if (nr <= 0) {
		finish(a, nr < 0 ? nr : -EINVAL, "partition %s, %s: %s", a->partition, a->path,
		       nr == -E2BIG ? "too many extents" : nr < 0 ? "an extent lies outside the file system"
		       : "no data blocks in the bytes to write (empty, sparse or inline data)");
		return;
	}
	if (a->replayed) {
		/* the replay's blocks and the fault go back together, in one
		 * qemu-io: the fault's patterns after the diff's blocks */
		a->fault_rg = rig_xcalloc((size_t)nr, sizeof(*rg));
		memcpy(a->fault_rg, rg, (size_t)nr * sizeof(*rg));
		a->fault_nr = nr;
		a->fault_data = !strcmp(a->how, "zero") ? "-P 0" : "-P 0xa5";
		if (strcmp(a->how, "zero"))
			rig_json_kv_uint(&a->detail, "bytes", bytes);
		write_changed(a);
		return;
	}
	rig_json_key(&a->detail, "writes");
	rig_json_arr_begin(&a->detail);
	writes_begin(a, argv, &n);
	for (int i = 0; i < nr; i++)
		add_write(a, argv, &n, rg[i].off, rg[i].len, !strcmp(a->how, "zero") ? "-P 0" : "-P 0xa5");
	rig_json_arr_end(&a->detail);
	if (strcmp(a->how, "zero"))
		rig_json_kv_uint(&a->detail, "bytes", bytes);
	writes_run(a, argv, n);
}

static void ext4_copied_body(struct rig_atrest *a, const struct rig_child_result *res)
{
	if (res->timed_out || res->exit_code != 0) {
		finish(a, -EIO, "cp of the exported partition %s %s (exit %d): %.300s", a->partition,
		       res->timed_out ? "timed out" : "failed", res->exit_code, res->output);
		return;
	}
	a->have_orig = true;
	a->after_copy(a);
}

/* A real truncation: debugfs sets the size and frees the blocks past it
 * (punch: extent tree, bitmaps, group and superblock counts, checksums). */
static void ext4_sif_start(struct rig_atrest *a)
{
	char *argv[6], *cmds;
	uint64_t keep = ((uint64_t)a->bytes + a->sb.block_size - 1) / a->sb.block_size;
	int r;

	cmds = rig_xasprintf("sif %s size %lld\npunch %s %llu\nimap %s\nstat %s\n", a->path, (long long)a->bytes,
			     a->path, (unsigned long long)keep, a->path, a->path);
	r = write_src(a, cmds, strlen(cmds));
	free(cmds);
	if (r < 0) {
		finish(a, r, "cannot write %s: %s", a->src, strerror(-r));
		return;
	}
	argv[0] = "debugfs";
	argv[1] = "-w";
	argv[2] = "-f";
	argv[3] = a->src;
	argv[4] = a->tmp;
	argv[5] = NULL;
	r = spawn_step(a, argv, ext4_sif_body);
	if (r < 0)
		finish(a, r, "cannot run debugfs (e2fsprogs): %s", strerror(-r));
}

/* Each run of changed blocks the diff found becomes a source file src.<i>
 * and one qemu-io write. */
static int changed_runs(struct rig_atrest *a, char **argv, size_t *n)
{
	int r = 0;

	for (size_t i = 0; i < a->diff.n && r == 0; i++) {
		const struct rig_blockdiff_run *run = &a->runs[i];
		char *path = src_n(a, i), *data;
		uint8_t *buf = rig_xcalloc(1, run->len);
		int sfd;

		r = pread_fd(&a->diff_fe, run->off, buf, run->len);
		a->nsrc = i + 1;
		sfd = r < 0 ? -1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (r == 0 && sfd < 0)
			r = -errno;
		if (r == 0) {
			ssize_t w = write(sfd, buf, run->len);

			if (w != (ssize_t)run->len)
				r = w < 0 ? -errno : -EIO;   /* short: no errno */
		}
		if (sfd >= 0)
			close(sfd);
		free(buf);
		data = rig_xasprintf("-s %s", path);
		if (r == 0)
			add_write(a, argv, n, run->off, run->len, data);
		free(data);
		free(path);
	}
	return r < 0 ? r : (int)a->diff.n;
}

static void ext4_sif_body(struct rig_atrest *a, const struct rig_child_result *res)
{
	struct rig_ext4_stat st;
	uint64_t keep = ((uint64_t)a->bytes + a->sb.block_size - 1) / a->sb.block_size;

	if (debugfs_result(a, res, "sif/punch", &st) < 0)
		return;
	if (!st.have_imap || !st.have_stat || st.size != (uint64_t)a->bytes) {
		finish(a, -EIO, "debugfs sif on partition %s: the size read back is %llu, expected %lld: %.300s",
		       a->partition, (unsigned long long)st.size, (long long)a->bytes, res->output);
		return;
	}
	for (size_t i = 0; i < st.n_ext; i++) {
		if (st.ext[i].lblk + st.ext[i].len > keep) {
			finish(a, -EIO, "debugfs punch on partition %s left block %llu past the new size: %.300s",
			       a->partition, (unsigned long long)(st.ext[i].lblk + st.ext[i].len - 1), res->output);
			return;
		}
	}
	rig_json_kv_uint(&a->detail, "inode_block", st.inode_block);
	rig_json_kv_uint(&a->detail, "bytes", (uint64_t)a->bytes);
	write_changed(a);
}

/* qemu-io writes of every run of blocks the copy changed (journal replay,
 * debugfs, the fault), or the job finishes with the error. The compare runs
 * DIFF_SLICE bytes per turn of the loop, so other devices are not held up. */
static void diff_tick(struct rig_loop *loop, void *arg);

static void write_changed(struct rig_atrest *a)
{
	a->diff_fe = open(a->tmp, O_RDONLY | O_CLOEXEC);
	a->diff_fo = a->diff_fe < 0 ? -1 : open(a->orig, O_RDONLY | O_CLOEXEC);
	if (a->diff_fo < 0) {
		int r = -errno;

		diff_end(a);
		finish(a, r, "partition %s: cannot open its copies: %s", a->partition, strerror(-r));
		return;
	}
	a->runs = rig_xcalloc(DIFF_MAX_RUNS, sizeof(*a->runs));
	rig_blockdiff_init(&a->diff, a->diff_fe, a->diff_fo, a->part_size, a->sb.block_size, DIFF_MAX_READ,
			   a->runs, DIFF_MAX_RUNS);
	a->timer = rig_loop_add_timer(a->loop, 0, diff_tick, a);
}

static void diff_tick(struct rig_loop *loop, void *arg)
{
	struct rig_atrest *a = arg;
	char **argv;
	size_t n = 0;
	int r;

	a->timer = NULL;
	r = rig_blockdiff_step(&a->diff, DIFF_SLICE);
	if (r == 1) {
		a->timer = rig_loop_add_timer(loop, 0, diff_tick, a);
		return;
	}
	argv = rig_xcalloc(2 * DIFF_MAX_RUNS + 2 * MAX_WRITES + 8, sizeof(char *));
	rig_json_key(&a->detail, "writes");
	rig_json_arr_begin(&a->detail);
	writes_begin(a, argv, &n);
	if (r == 0)
		r = changed_runs(a, argv, &n);
	for (int i = 0; r >= 0 && i < a->fault_nr; i++)
		add_write(a, argv, &n, a->fault_rg[i].off, a->fault_rg[i].len, a->fault_data);
	if (r == 0 && a->fault_nr > 0)
		r = a->fault_nr;
	rig_json_arr_end(&a->detail);
	diff_end(a);
	if (r <= 0) {
		for (size_t i = 0; i < n; i++)
			free(argv[i]);
		free(argv);
		finish(a, r < 0 ? r : -EIO, "partition %s: %s", a->partition,
		       r == -E2BIG ? "more changed blocks than the job writes back"
		       : r < 0 ? strerror(-r) : "no block changed");
		return;
	}
	writes_run(a, argv, n);
	free(argv);
}

/* ---- FAT16 ---- */

static void fat16_fault(struct rig_atrest *a, int fd);

static void exported_body(struct rig_atrest *a, const struct rig_child_result *res)
{
	char err[256];
	int fd;

	if (res->timed_out || res->exit_code != 0) {
		finish(a, -EIO, "qemu-img convert of partition %s %s (exit %d): %.300s", a->partition,
		       res->timed_out ? "timed out" : "failed", res->exit_code, res->output);
		return;
	}
	fd = open(a->tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		finish(a, -errno, "cannot open the exported partition %s: %s", a->tmp, strerror(errno));
		return;
	}
	if (rig_ext4_super_read(pread_fd, &fd, a->part_size, &a->sb, err, sizeof(err)) == 0) {
		close(fd);
		ext4_begin(a);   /* the copy stays until the job ends */
		return;
	}
	fat16_fault(a, fd);
}

static void fat16_fault(struct rig_atrest *a, int fd)
{
	struct rig_fat_file f;
	char err[256], *argv[2 * MAX_WRITES + 8];
	size_t n = 0;
	int r;
	uint64_t bytes;

	r = rig_fat16_find(pread_fd, &fd, a->part_size, a->path, &f, err, sizeof(err));
	close(fd);
	unlink(a->tmp);
	if (r < 0) {
		finish(a, r, "partition %s, %s: %s", a->partition, a->path, err);
		return;
	}
	bytes = fault_bytes(a, f.size);
	if (strcmp(a->how, "zero") && bytes > f.size) {
		finish(a, -EINVAL, "%s: bytes = %llu but the file has only %u", a->how, (unsigned long long)bytes,
		       f.size);
		return;
	}
	rig_json_kv_str(&a->detail, "partition", a->partition);
	rig_json_kv_str(&a->detail, "path", a->path);
	rig_json_kv_str(&a->detail, "how", a->how);
	rig_json_kv_uint(&a->detail, "size", f.size);
	rig_json_key(&a->detail, "writes");
	rig_json_arr_begin(&a->detail);
	writes_begin(a, argv, &n);
	if (!strcmp(a->how, "zero")) {
		over_data(a, &f, f.size, "-P 0", argv, &n);
	} else if (!strcmp(a->how, "tear")) {
		over_data(a, &f, bytes, "-P 0xa5", argv, &n);   /* garbage where the new data went */
	} else {
		unsigned char le[4] = { (unsigned char)bytes, (unsigned char)(bytes >> 8),
					(unsigned char)(bytes >> 16), (unsigned char)(bytes >> 24) };
		char *data;

		r = write_src(a, le, 4);
		if (r < 0) {
			rig_json_arr_end(&a->detail);
			for (size_t i = 0; i < n; i++)
				free(argv[i]);
			finish(a, r, "cannot write %s: %s", a->src, strerror(-r));
			return;
		}
		data = rig_xasprintf("-s %s", a->src);
		add_write(a, argv, &n, f.dirent_off + 28, 4, data);   /* the directory entry's size */
		free(data);
	}
	rig_json_arr_end(&a->detail);
	if (strcmp(a->how, "zero"))
		rig_json_kv_uint(&a->detail, "bytes", bytes);
	writes_run(a, argv, n);
}

/* A finished child is freed by its owner, after its result was read (and
 * after the next step may have replaced a->child). */
static void start_later(struct rig_loop *loop, void *arg)
{
	struct rig_atrest *a = arg;
	char *opts = image_opts(a);
	char *argv[] = { "qemu-img", "convert", "-q", "--image-opts", opts, "-O", "raw", a->tmp, NULL };
	int r;

	RIG_UNUSED(loop);
	a->timer = NULL;
	r = spawn_step(a, argv, exported_body);
	free(opts);
	if (r < 0)
		finish(a, r, "cannot run qemu-img: %s", strerror(-r));
}

int rig_atrest_start(struct rig_loop *loop, const char *overlay, const char *overlay_fmt,
		     const char *manifest, const struct rig_at_rest_req *req, rig_at_rest_done_fn *done,
		     void *arg, struct rig_errmsg *err, struct rig_atrest **out)
{
	struct rig_atrest *a;
	uint64_t off = 0, size = 0;
	int r;

	if (strcmp(req->how, "zero") && strcmp(req->how, "tear") && strcmp(req->how, "truncate")) {
		rig_errmsg_set(err, "how: expected zero, tear or truncate, got '%s'", req->how);
		return -EINVAL;
	}
	if (strchr(overlay, ',')) {   /* would split QEMU's option string */
		rig_errmsg_set(err, "the overlay path %s has a comma: at-rest faults cannot address it", overlay);
		return -EINVAL;
	}
	if (access(overlay, R_OK | W_OK) < 0) {
		rig_errmsg_set(err, "the board's disk %s does not exist yet (power it on once): %s", overlay,
			       strerror(errno));
		return -ENOENT;
	}
	r = manifest_partition(manifest, req->partition, &off, &size, err);
	if (r < 0)
		return r;
	a = rig_xcalloc(1, sizeof(*a));
	a->loop = loop;
	a->overlay = rig_xstrdup(overlay);
	a->fmt = rig_xstrdup(overlay_fmt);
	a->partition = rig_xstrdup(req->partition);
	a->path = rig_xstrdup(req->path);
	a->how = rig_xstrdup(req->how);
	a->bytes = req->bytes;
	a->part_off = off;
	a->part_size = size;
	a->tmp = rig_xasprintf("%s.atrest-part.raw", overlay);
	a->src = rig_xasprintf("%s.atrest-src", overlay);
	a->orig = rig_xasprintf("%s.atrest-orig.raw", overlay);
	a->diff_fe = a->diff_fo = -1;
	a->done = done;
	a->arg = arg;
	rig_json_init(&a->detail);
	rig_json_obj_begin(&a->detail);
	unlink(a->tmp);
	/* Started from the loop: done() never runs inside this call. */
	a->timer = rig_loop_add_timer(loop, 0, start_later, a);
	if (!a->timer) {
		rig_atrest_free(a);
		rig_errmsg_set(err, "cannot schedule the at-rest job");
		return -ENOMEM;
	}
	*out = a;
	return 0;
}
