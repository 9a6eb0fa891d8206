/* The flash and the device's own volatile write cache.
 *
 * A file's contents as the OS sees them live in memory; blocks reach the host
 * file (the "flash") only when synced, one block at a time with a delay, so
 * SIGKILL mid-sync leaves a torn file. Renames are recorded at once in the
 * OS's view but reach the flash only with a directory sync. A file comes into
 * existence on the flash (empty) when it is first opened. */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sim_file {
	char *dir, *name, *host;    /* name: OS view; host: name on the flash */
	size_t block;
	double ms_per_block;
	uint8_t *data;
	size_t size, cap;
	size_t durable_size;
	uint8_t *dirty;             /* per block */
	size_t nblocks;
	bool size_dirty;
	struct sim_file *next;
};

struct pending_rename {
	struct sim_file *f;
	char *to;
	struct pending_rename *next;
};

static struct sim_file *files;
static struct pending_rename *renames;

static char *path_of(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (!p)
		abort();
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static char *dupstr(const char *s)
{
	char *p = strdup(s);

	if (!p)
		abort();
	return p;
}

static void grow(struct sim_file *f, size_t size)
{
	size_t nb = (size + f->block - 1) / f->block;

	if (size > f->cap) {
		f->cap = size * 2 + 64;
		f->data = realloc(f->data, f->cap);
		if (!f->data)
			abort();
	}
	if (nb > f->nblocks) {
		f->dirty = realloc(f->dirty, nb);
		if (!f->dirty)
			abort();
		memset(f->dirty + f->nblocks, 0, nb - f->nblocks);
		f->nblocks = nb;
	}
}

static struct sim_file *find(const char *dir, const char *name)
{
	for (struct sim_file *f = files; f; f = f->next)
		if (!strcmp(f->dir, dir) && f->name && !strcmp(f->name, name))
			return f;
	return NULL;
}

struct sim_file *sim_file_open(const char *dir, const char *name, size_t block, double ms_per_block)
{
	struct sim_file *f = find(dir, name);
	char *path;
	int fd;
	struct stat st;

	if (f)
		return f;
	f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	f->dir = dupstr(dir);
	f->name = dupstr(name);
	f->host = dupstr(name);
	f->block = block;
	f->ms_per_block = ms_per_block;
	path = path_of(dir, name);
	fd = open(path, O_RDWR | O_CREAT, 0644);   /* the entry exists on the flash from now */
	free(path);
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0) {
		grow(f, (size_t)st.st_size);
		f->size = f->durable_size = (size_t)st.st_size;
		if (pread(fd, f->data, f->size, 0) != (ssize_t)f->size)
			f->size = f->durable_size = 0;
	}
	if (fd >= 0)
		close(fd);
	f->next = files;
	files = f;
	return f;
}

size_t sim_file_size(const struct sim_file *f)
{
	return f->size;
}

const uint8_t *sim_file_data(const struct sim_file *f)
{
	return f->data;
}

void sim_file_write(struct sim_file *f, size_t off, const void *buf, size_t n)
{
	if (!n)
		return;
	grow(f, off + n);
	if (off > f->size)
		memset(f->data + f->size, 0, off - f->size);
	memcpy(f->data + off, buf, n);
	for (size_t b = off / f->block; b <= (off + n - 1) / f->block; b++)
		f->dirty[b] = 1;
	if (off + n > f->size) {
		f->size = off + n;
		f->size_dirty = true;
	}
}

void sim_file_truncate(struct sim_file *f, size_t n)
{
	grow(f, n);
	if (n > f->size)
		memset(f->data + f->size, 0, n - f->size);
	f->size = n;
	f->size_dirty = true;
}

void sim_file_sync(struct sim_file *f)
{
	char *path = path_of(f->dir, f->host);
	int fd = open(path, O_RDWR | O_CREAT, 0644);

	free(path);
	if (fd < 0)
		return;
	/* A shrink first (a truncating rewrite), then the blocks in order. */
	if (f->size_dirty && f->size < f->durable_size) {
		if (ftruncate(fd, (off_t)f->size) == 0)
			f->durable_size = f->size;
	}
	for (size_t b = 0; b < f->nblocks; b++) {
		size_t off = b * f->block, n;

		if (!f->dirty[b] || off >= f->size)
			continue;
		n = f->size - off < f->block ? f->size - off : f->block;
		sim_sleep_ms(f->ms_per_block);
		if (pwrite(fd, f->data + off, n, (off_t)off) == (ssize_t)n)
			f->dirty[b] = 0;
		if (off + n > f->durable_size)
			f->durable_size = off + n;
	}
	if (f->size_dirty && ftruncate(fd, (off_t)f->size) == 0)
		f->durable_size = f->size;
	f->size_dirty = false;
	close(fd);
}

void sim_sync_all(void)
{
	for (struct sim_file *f = files; f; f = f->next)
		if (f->name)
			sim_file_sync(f);
	for (struct sim_file *f = files; f; f = f->next)
		sim_dir_sync(f->dir);
}

void sim_rename(const char *dir, const char *from, const char *to)
{
	struct sim_file *f = find(dir, from);
	struct sim_file *old = find(dir, to);
	struct pending_rename *r;

	if (!f)
		return;
	if (old && old != f) {
		free(old->name);
		old->name = NULL;   /* replaced in the OS's view */
	}
	free(f->name);
	f->name = dupstr(to);
	r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	r->f = f;
	r->to = dupstr(to);
	r->next = renames;
	renames = r;
}

void sim_dir_sync(const char *dir)
{
	struct pending_rename **pp = &renames;

	/* oldest first */
	while (*pp) {
		struct pending_rename *last = NULL, **lp = NULL;

		for (struct pending_rename **q = pp; *q; q = &(*q)->next) {
			if (!strcmp((*q)->f->dir, dir)) {
				last = *q;
				lp = q;
			}
		}
		if (!last)
			break;
		{
			char *a = path_of(dir, last->f->host), *b = path_of(dir, last->to);

			sim_sleep_ms(2);
			if (rename(a, b) == 0) {
				free(last->f->host);
				last->f->host = dupstr(last->to);
			}
			free(a);
			free(b);
		}
		*lp = last->next;
		free(last->to);
		free(last);
	}
}

bool sim_exists(const char *dir, const char *name)
{
	char *p;
	struct stat st;
	bool r;

	if (find(dir, name))
		return true;
	for (struct sim_file *f = files; f; f = f->next)
		if (!strcmp(f->dir, dir) && !strcmp(f->host, name) && !f->name)
			return false;   /* replaced by a rename in the OS's view */
	p = path_of(dir, name);
	r = stat(p, &st) == 0;
	free(p);
	return r;
}

void sim_unlink(const char *dir, const char *name)
{
	struct sim_file *f = find(dir, name);
	char *p = path_of(dir, f ? f->host : name);

	if (f) {
		free(f->name);
		f->name = NULL;
	}
	unlink(p);
	free(p);
}
