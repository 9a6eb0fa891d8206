/* Per-partition write counts of the qemu driver: nbdkit's log lines (real
 * lines of nbdkit 1.32's log filter), the counter fed in pieces, the
 * manifest's partition table, and what the driver refuses (direct mode,
 * unknown partitions) before any QEMU runs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "driver.h"
#include "drivers/power/nbdlog.h"
#include "drivers/power/qemu_manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const struct rig_power_ops rig_power_qemu;

static int line(const char *s, struct rig_nbdlog_req *req)
{
	return rig_nbdlog_line(s, strlen(s), req);
}

static void test_lines(void **state)
{
	struct rig_nbdlog_req req;

	(void)state;
	assert_int_equal(line("2026-12-02 00:04:54.904417 connection=1 Write id=1 offset=0x1000 count=0x2000 fua=1 ...",
			      &req), 1);
	assert_int_equal(req.op, RIG_NBDLOG_WRITE);
	assert_true(req.offset == 0x1000 && req.count == 0x2000);
	assert_int_equal(line("2026-12-02 00:04:54.905847 connection=1 Zero id=2 offset=0x10000 count=0x1000 trim=0 "
			      "fua=1 fast=0 ...", &req), 1);
	assert_int_equal(req.op, RIG_NBDLOG_ZERO);
	assert_true(req.offset == 0x10000 && req.count == 0x1000);
	assert_int_equal(line("2026-12-02 00:04:54.907177 connection=1 Trim id=3 offset=0x20000 count=0x10000 fua=0 ...",
			      &req), 1);
	assert_int_equal(req.op, RIG_NBDLOG_TRIM);
	/* decimal works too, the largest offset, and a request without the connection */
	assert_int_equal(line("Write id=9 offset=18446744073709551615 count=1", &req), 1);
	assert_true(req.offset == UINT64_MAX && req.count == 1);
	/* completions, reads and the rest: not requests */
	assert_int_equal(line("2026-12-02 00:04:54.905675 connection=1 ...Write id=1 return=0", &req), 0);
	assert_int_equal(line("2026-12-02 00:04:54.900907 connection=1 Read id=1 offset=0x0 count=0x200 ...", &req), 0);
	assert_int_equal(line("2026-12-02 00:04:54.907260 connection=1 Flush id=4 ...", &req), 0);
	assert_int_equal(line("2026-12-02 00:04:54.900201 connection=1 Connect export=\"\" tls=0 size=0xa00000 write=1",
			      &req), 0);
	assert_int_equal(line("2026-12-02 00:04:54.883014 Ready thread_model=3", &req), 0);
	assert_int_equal(line("", &req), 0);
	assert_int_equal(line("   ", &req), 0);
	assert_int_equal(line("WriteX id=1 offset=0x0 count=0x1", &req), 0);
	/* a request we cannot count: garbage, not a silent zero */
	assert_int_equal(line("connection=1 Write id=1 offset=0x1000 ...", &req), -EINVAL);
	assert_int_equal(line("connection=1 Write id=1 count=0x1000", &req), -EINVAL);
	assert_int_equal(line("connection=1 Write id=1 offset=0x count=0x1", &req), -EINVAL);
	assert_int_equal(line("connection=1 Write id=1 offset=0x10000000000000000 count=0x1", &req), -EINVAL);
	assert_int_equal(line("connection=1 Write id=1 offset=18446744073709551616 count=1", &req), -EINVAL);
	assert_int_equal(line("connection=1 Write id=1 offset=12a count=1", &req), -EINVAL);
	assert_int_equal(line("connection=1 Write id=1 offset=-1 count=1", &req), -EINVAL);
	/* not NUL-terminated: only n bytes are read */
	assert_int_equal(rig_nbdlog_line("Write offset=0x10 count=0x20ZZZ", 28, &req), 1);
	assert_true(req.offset == 0x10 && req.count == 0x20);
}

static const char LOG[] =
	"2026-12-02 00:04:54.883014 Ready thread_model=3\n"
	"2026-12-02 00:04:54.900201 connection=1 Connect export=\"\" tls=0 size=0xa00000 write=1\n"
	"2026-12-02 00:04:54.904417 connection=1 Write id=1 offset=0x1000 count=0x2000 fua=1 ...\n"  /* 4K..12K */
	"2026-12-02 00:04:54.905675 connection=1 ...Write id=1 return=0\n"
	"2026-12-02 00:04:54.905847 connection=1 Zero id=2 offset=0x10000 count=0x1000 trim=0 fua=1 fast=0 ...\n"
	"2026-12-02 00:04:54.906001 connection=1 Read id=3 offset=0x0 count=0x100000 ...\n"
	"2026-12-02 00:04:54.907177 connection=1 Trim id=4 offset=0x20000 count=0x10000 fua=0 ...\n";

/* ranges: [0, 8K) [8K, 64K) [64K + 2K, 1M) */
static void ranges(struct rig_nbdlog *l)
{
	rig_nbdlog_init(l);
	assert_int_equal(rig_nbdlog_add_range(l, 0, 8192), 0);
	assert_int_equal(rig_nbdlog_add_range(l, 8192, 65536 - 8192), 1);
	assert_int_equal(rig_nbdlog_add_range(l, 65536 + 2048, 1048576 - 65536 - 2048), 2);
}

static void check_counts(const struct rig_nbdlog *l)
{
	assert_int_equal(l->requests, 3);
	assert_int_equal(l->total, 0x2000 + 0x1000 + 0x10000);
	assert_int_equal(l->ranges[0].bytes, 4096);          /* the write's first half */
	assert_int_equal(l->ranges[1].bytes, 4096);          /* its second half */
	assert_int_equal(l->ranges[2].bytes, 2048 + 65536);  /* half the zero, the whole trim */
	assert_int_equal(l->garbage, 0);
}

static void test_feed(void **state)
{
	struct rig_nbdlog *l = malloc(sizeof(*l));

	(void)state;
	/* at once */
	ranges(l);
	rig_nbdlog_feed(l, LOG, strlen(LOG));
	check_counts(l);
	/* byte by byte: lines split anywhere */
	ranges(l);
	for (size_t i = 0; i < strlen(LOG); i++)
		rig_nbdlog_feed(l, LOG + i, 1);
	check_counts(l);
	/* a partial line is held until its newline */
	ranges(l);
	rig_nbdlog_feed(l, "connection=1 Write id=1 offset=0x0 count=0x200", 46);
	assert_int_equal(l->requests, 0);
	rig_nbdlog_feed(l, "\n", 1);
	assert_int_equal(l->requests, 1);
	assert_int_equal(l->ranges[0].bytes, 512);
	/* a new file drops the partial line of the last one (a killed writer) */
	rig_nbdlog_feed(l, "connection=1 Write id=2 offset=0x0 count=0x", 43);
	rig_nbdlog_new_file(l);
	assert_int_equal(l->garbage, 1);
	rig_nbdlog_feed(l, "connection=1 Write id=1 offset=0x200 count=0x200\n", 49);
	assert_int_equal(l->requests, 2);
	assert_int_equal(l->ranges[0].bytes, 1024);
	free(l);
}

static void test_bounds(void **state)
{
	struct rig_nbdlog *l = malloc(sizeof(*l));
	char *big = malloc(3 * RIG_NBDLOG_LINE_MAX);

	(void)state;
	ranges(l);
	/* a line longer than the buffer is dropped up to its newline, even when
	 * it ends with what looks like a request */
	memset(big, 'x', 3 * RIG_NBDLOG_LINE_MAX);
	rig_nbdlog_feed(l, big, 3 * RIG_NBDLOG_LINE_MAX);
	rig_nbdlog_feed(l, " Write offset=0x0 count=0x1000\n", 31);
	assert_int_equal(l->garbage, 1);
	assert_int_equal(l->requests, 0);
	/* a line of exactly the maximum still counts */
	memset(big, ' ', RIG_NBDLOG_LINE_MAX);
	memcpy(big, "Write offset=0x0 count=0x1000", 29);
	big[RIG_NBDLOG_LINE_MAX] = '\n';
	rig_nbdlog_feed(l, big, RIG_NBDLOG_LINE_MAX + 1);
	assert_int_equal(l->requests, 1);
	assert_int_equal(l->ranges[0].bytes, 4096);
	/* a malformed request is garbage; the next line counts */
	rig_nbdlog_feed(l, "Zero offset=zz count=1\nTrim offset=0x2000 count=0x1000\n", 55);
	assert_int_equal(l->garbage, 2);
	assert_int_equal(l->requests, 2);
	assert_int_equal(l->ranges[1].bytes, 4096);
	/* requests at the end of the address space: no wrap-around */
	rig_nbdlog_feed(l, "Write offset=0xffffffffffffff00 count=0x1000\n", 45);
	assert_int_equal(l->requests, 3);
	assert_int_equal(l->ranges[0].bytes, 4096);
	assert_int_equal(l->total, UINT64_C(0x1000) + 0x1000 + 0x1000);
	rig_nbdlog_feed(l, "Write offset=0x0 count=0xffffffffffffffff\n", 42);
	assert_true(l->total == UINT64_MAX);
	assert_int_equal(l->ranges[0].bytes, 4096 + 8192);   /* clipped to the range */
	/* the range table is bounded */
	for (size_t i = l->nranges; i < RIG_NBDLOG_MAX_RANGES; i++)
		assert_int_equal(rig_nbdlog_add_range(l, 0, 1), (int)i);
	assert_int_equal(rig_nbdlog_add_range(l, 0, 1), -ENOSPC);
	free(big);
	free(l);
}

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/rig-test-manifest.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static const char MANIFEST[] =
	"{\"flavour\":\"rauc\",\"partitions\":[\n"
	" {\"name\":\"boot\",\"index\":1,\"offset\":1048576,\"size\":16777216},\n"
	" {\"name\":\"A\",\"index\":2,\"offset\":17825792,\"size\":469762048},\n"
	" {\"name\":\"B\",\"index\":3,\"offset\":487587840,\"size\":469762048},\n"
	" {\"name\":\"data\",\"index\":4,\"offset\":957349888,\"size\":268435456}],\"kernel\":\"x\"}\n";

static void test_manifest(void **state)
{
	struct rig_qemu_parts parts;
	struct rig_errmsg err;
	char *path = write_tmp(MANIFEST);
	static const char *const bad[] = {
		"[]", "{\"partitions\":{}}", "{\"partitions\":[{\"name\":\"boot\",\"offset\":-1,\"size\":1}]}",
		"{\"partitions\":[{\"name\":\"boot\",\"offset\":0,\"size\":0}]}",
		"{\"partitions\":[{\"name\":\"\",\"offset\":0,\"size\":1}]}",
		"{\"partitions\":[{\"name\":\"b\\\\oot\",\"offset\":0,\"size\":1}]}",
		"{\"partitions\":[{\"name\":7,\"offset\":0,\"size\":1}]}",
		"{\"partitions\":[{\"name\":\"a-name-longer-than-thirty-one-bytes\",\"offset\":0,\"size\":1}]}",
	};

	(void)state;
	assert_int_equal(rig_qemu_manifest_parts(path, &parts, &err), 0);
	assert_int_equal(parts.n, 4);
	assert_string_equal(parts.p[0].name, "boot");
	assert_true(parts.p[0].off == 1048576 && parts.p[0].size == 16777216);
	assert_string_equal(parts.p[3].name, "data");
	assert_true(parts.p[3].off == 957349888 && parts.p[3].size == 268435456);
	assert_int_equal(rig_qemu_parts_find(&parts, "B", path, &err), 2);
	assert_int_equal(rig_qemu_parts_find(&parts, "slot-b", path, &err), -ENOENT);
	assert_non_null(strstr(err.text, "no partition 'slot-b'"));
	assert_non_null(strstr(err.text, "(known: boot, A, B, data)"));
	unlink(path);
	free(path);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		path = write_tmp(bad[i]);
		parts.n = 99;
		assert_int_equal(rig_qemu_manifest_parts(path, &parts, &err), -EINVAL);
		assert_int_equal(parts.n, 99);   /* untouched on failure */
		unlink(path);
		free(path);
	}
	assert_int_equal(rig_qemu_manifest_parts("/nonexistent/manifest.json", &parts, &err), -ENOENT);
	assert_non_null(strstr(err.text, "cannot read the image manifest"));
}

static void put_str(struct rig_cfg *cfg, const char *k, const char *v)
{
	rig_cfg_add(cfg, k, RIG_OPT_STRING)->str = rig_xstrdup(v);
}

/* The driver, opened on a real (empty) image and never powered on. */
static void *open_qemu(struct rig_loop *loop, struct rig_errmsg *err, const char *disk, const char *image,
		       const char *manifest)
{
	struct rig_drv_ctx ctx = { .loop = loop, .device_id = "t", .err = err };
	struct rig_cfg *cfg = rig_cfg_new("test: power");
	void *h = NULL;

	put_str(cfg, "image", image);
	put_str(cfg, "overlay", "/tmp/rig-test-nbdlog-overlay-never-created");
	put_str(cfg, "disk", disk);
	put_str(cfg, "manifest", manifest);
	assert_int_equal(rig_power_qemu.open(&ctx, cfg, &h), 0);
	rig_cfg_free(cfg);
	return h;
}

static void test_driver(void **state)
{
	struct rig_loop *loop = NULL;
	struct rig_errmsg err = { "" };
	char *image = write_tmp(""), *manifest = write_tmp(MANIFEST);
	const char *text;
	uint64_t n = 99, ns = 1;
	void *h;

	(void)state;
	assert_int_equal(rig_loop_new(&loop), 0);
	/* direct: per drive only, and the error says what to use */
	h = open_qemu(loop, &err, "direct", image, manifest);
	assert_int_equal(rig_power_qemu.written(h, "boot", &n), -ENOTSUP);
	assert_non_null(strstr(err.text, "disk = \"direct-nbd\""));
	assert_int_equal(n, 99);
	assert_int_equal(rig_power_qemu.written(h, NULL, &n), 0);   /* off: a count of nothing */
	assert_int_equal(n, 0);
	rig_power_qemu.precision_of(h, &text, &ns);
	assert_int_equal(ns, 0);
	assert_non_null(strstr(text, "disk = direct"));
	rig_power_qemu.close(h);
	/* volatile-cache: the manifest's names */
	h = open_qemu(loop, &err, "volatile-cache", image, manifest);
	assert_int_equal(rig_power_qemu.written(h, "slot-a", &n), -ENOENT);
	assert_non_null(strstr(err.text, "(known: boot, A, B, data)"));
	n = 99;
	assert_int_equal(rig_power_qemu.written(h, "boot", &n), 0);   /* off: nothing written yet */
	assert_int_equal(n, 0);
	assert_int_equal(rig_power_qemu.written(h, "data", &n), 0);
	rig_power_qemu.precision_of(h, &text, &ns);
	assert_non_null(strstr(text, "volatile-cache"));
	assert_null(strstr(text, "without a volatile cache"));
	rig_power_qemu.close(h);
	/* direct-nbd: counts per partition, and keeps every write */
	h = open_qemu(loop, &err, "direct-nbd", image, manifest);
	n = 99;
	assert_int_equal(rig_power_qemu.written(h, "B", &n), 0);
	assert_int_equal(n, 0);
	rig_power_qemu.precision_of(h, &text, &ns);
	assert_non_null(strstr(text, "disk = direct-nbd"));
	assert_non_null(strstr(text, "without a volatile cache"));
	rig_power_qemu.close(h);
	/* a mode that does not exist */
	{
		struct rig_drv_ctx ctx = { .loop = loop, .device_id = "t", .err = &err };
		struct rig_cfg *cfg = rig_cfg_new("test: power");
		void *h2 = NULL;

		put_str(cfg, "image", image);
		put_str(cfg, "overlay", "/tmp/rig-test-nbdlog-overlay-never-created");
		put_str(cfg, "disk", "nbd");
		assert_int_equal(rig_power_qemu.open(&ctx, cfg, &h2), -EINVAL);
		assert_non_null(strstr(err.text, "expected direct, direct-nbd or volatile-cache, got 'nbd'"));
		rig_cfg_free(cfg);
	}
	/* a manifest that is not there: said so at the first call */
	h = open_qemu(loop, &err, "volatile-cache", image, "/nonexistent/manifest.json");
	assert_int_equal(rig_power_qemu.written(h, "boot", &n), -ENOENT);
	assert_non_null(strstr(err.text, "cannot read the image manifest /nonexistent/manifest.json"));
	rig_power_qemu.close(h);
	rig_loop_free(loop);
	unlink(image);
	unlink(manifest);
	free(image);
	free(manifest);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_feed),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_manifest),
		cmocka_unit_test(test_driver),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
