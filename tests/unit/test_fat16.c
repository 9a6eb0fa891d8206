/* The FAT16 reader of the at-rest faults: lookups through subdirectories,
 * fragmented files, and malformed volumes (bad BPB, looping or broken
 * chains, short reads), built in memory. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/power/fat16.h"

#define SECS 32768u            /* 16 MiB of 512-byte sectors */
#define SPC 4u
#define FATSZ 32u
#define ROOT_ENTRIES 512u
#define FAT_OFF 512u
#define ROOT_OFF (FAT_OFF + 2 * FATSZ * 512)
#define DATA_OFF (ROOT_OFF + ROOT_ENTRIES * 32)
#define CL(c) (DATA_OFF + ((c) - 2) * SPC * 512)

static uint8_t *img;
static size_t img_size = SECS * 512;

static int rd_mem(void *arg, uint64_t off, void *buf, size_t n)
{
	(void)arg;
	if (off + n > img_size)
		return -EIO;
	memcpy(buf, img + off, n);
	return 0;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xFFFF);
	put16(p + 2, v >> 16);
}

static void dirent(uint8_t *e, const char name[11], uint8_t attr, unsigned cluster, uint32_t size)
{
	memcpy(e, name, 11);
	e[11] = attr;
	put16(e + 26, cluster);
	put32(e + 28, size);
}

static void link(unsigned c, unsigned next)
{
	put16(img + FAT_OFF + c * 2, next);
}

/* /GRUB (cluster 2) holding GRUBENV (clusters 3, 4, 7: two fragments) after a
 * deleted entry and a long-name part; /EMPTY.TXT of 0 bytes. */
static int setup(void **state)
{
	(void)state;
	img = calloc(1, img_size);
	img[11] = 0;
	img[12] = 2;                 /* 512 bytes per sector */
	img[13] = SPC;
	put16(img + 14, 1);          /* reserved */
	img[16] = 2;                 /* FATs */
	put16(img + 17, ROOT_ENTRIES);
	put16(img + 19, SECS);
	put16(img + 22, FATSZ);
	img[510] = 0x55;
	img[511] = 0xAA;
	dirent(img + ROOT_OFF, "RIGBOOT    ", 0x08, 0, 0);
	dirent(img + ROOT_OFF + 32, "GRUB       ", 0x10, 2, 0);
	dirent(img + ROOT_OFF + 64, "EMPTY   TXT", 0x20, 0, 0);
	link(2, 0xFFFF);
	dirent(img + CL(2), "GRUBENV    ", 0x20, 9, 10);
	img[CL(2)] = 0xE5;          /* deleted */
	dirent(img + CL(2) + 32, "A\0B\0C\0\0\0\0\0", 0x0F, 0, 0);
	dirent(img + CL(2) + 64, "GRUBENV    ", 0x20, 3, 3 * 2048 - 100);
	link(3, 4);
	link(4, 7);
	link(7, 0xFFF8);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(img);
	return 0;
}

static int find(const char *path, struct rig_fat_file *f, char *err)
{
	return rig_fat16_find(rd_mem, NULL, img_size, path, f, err, 200);
}

static void test_find(void **state)
{
	struct rig_fat_file f;
	char err[200];

	(void)state;
	assert_int_equal(find("/grub/grubenv", &f, err), 0);
	assert_int_equal(f.size, 3 * 2048 - 100);
	assert_int_equal(f.dirent_off, CL(2) + 64);
	assert_int_equal(f.cluster_size, 2048);
	assert_int_equal(f.n_ext, 2);
	assert_int_equal(f.ext[0].off, CL(3));
	assert_int_equal(f.ext[0].len, 4096);
	assert_int_equal(f.ext[1].off, CL(7));
	assert_int_equal(f.ext[1].len, 2048);
	assert_int_equal(find("GRUB//GrubEnv", &f, err), 0);
	assert_int_equal(find("/empty.txt", &f, err), 0);
	assert_int_equal(f.size, 0);
	assert_int_equal(f.n_ext, 0);
}

static void test_not_found(void **state)
{
	struct rig_fat_file f;
	char err[200];

	(void)state;
	assert_int_equal(find("/grub/grubenv2", &f, err), -ENOENT);
	assert_non_null(strstr(err, "grubenv2"));
	assert_int_equal(find("/grub/grubenv/x", &f, err), -ENOENT);
	assert_non_null(strstr(err, "not a directory"));
	assert_int_equal(find("/grub", &f, err), -ENOENT);
	assert_int_equal(find("/rigboot", &f, err), -ENOENT);   /* a volume label is no file */
	assert_int_equal(find("/averylongname", &f, err), -ENAMETOOLONG);
	assert_non_null(strstr(err, "8.3"));
	assert_int_equal(find("/", &f, err), -ENAMETOOLONG);
	assert_int_equal(find("/a.b.c", &f, err), -ENAMETOOLONG);
}

static void test_bad_volume(void **state)
{
	struct rig_fat_file f;
	char err[200];

	(void)state;
	img[510] = 0;
	assert_int_equal(find("/grub/grubenv", &f, err), -EINVAL);
	assert_non_null(strstr(err, "55 AA"));
	img[510] = 0x55;
	img[13] = 3;
	assert_int_equal(find("/grub/grubenv", &f, err), -EINVAL);
	assert_non_null(strstr(err, "sectors per cluster"));
	img[13] = 64;                /* too few clusters: FAT12-sized */
	assert_int_equal(find("/grub/grubenv", &f, err), -EINVAL);
	assert_non_null(strstr(err, "FAT16"));
	img[13] = SPC;
	/* a partition smaller than the volume */
	assert_int_equal(rig_fat16_find(rd_mem, NULL, img_size / 2, "/grub/grubenv", &f, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(find("/grub/grubenv", &f, err), 0);
}

static void test_bad_chains(void **state)
{
	struct rig_fat_file f;
	char err[200];

	(void)state;
	link(4, 3);                  /* loops back, but the size bounds the walk */
	assert_int_equal(find("/grub/grubenv", &f, err), 0);
	assert_int_equal(f.n_ext, 2);
	assert_int_equal(f.ext[1].off, CL(3));
	link(4, 0xFFFF);             /* ends early */
	assert_int_equal(find("/grub/grubenv", &f, err), -EINVAL);
	assert_non_null(strstr(err, "ends after 2 of 3"));
	link(4, 60000);              /* past the last cluster */
	assert_int_equal(find("/grub/grubenv", &f, err), -EINVAL);
	link(4, 7);
	link(2, 2);                  /* a full directory whose chain loops, file absent */
	for (unsigned o = 96; o < 2048; o += 32)
		img[CL(2) + o] = 0xE5;
	assert_int_equal(find("/grub/nothere", &f, err), -EINVAL);
	assert_non_null(strstr(err, "loops"));
	link(2, 0xFFFF);
	put32(img + CL(2) + 64 + 28, 0xFFFFFFF0u);   /* larger than the volume */
	assert_int_equal(find("/grub/grubenv", &f, err), -EINVAL);
	put32(img + CL(2) + 64 + 28, 3 * 2048 - 100);
	assert_int_equal(find("/grub/grubenv", &f, err), 0);
}

static void test_fragments(void **state)
{
	struct rig_fat_file f;
	char err[200];
	unsigned n = RIG_FAT_MAX_EXTENTS + 1;

	(void)state;
	/* n clusters, none adjacent: 100, 102, 104, ... */
	put16(img + CL(2) + 64 + 26, 100);
	put32(img + CL(2) + 64 + 28, n * 2048);
	for (unsigned i = 0; i < n; i++)
		link(100 + 2 * i, i + 1 == n ? 0xFFFF : 102 + 2 * i);
	assert_int_equal(find("/grub/grubenv", &f, err), -E2BIG);
	put32(img + CL(2) + 64 + 28, (n - 1) * 2048);
	assert_int_equal(find("/grub/grubenv", &f, err), 0);
	assert_int_equal(f.n_ext, RIG_FAT_MAX_EXTENTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_volume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_chains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragments, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
