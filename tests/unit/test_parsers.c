/* Small parsers: HTTP Range, SHA-256, device files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "devfile.h"
#include "sandbox.h"
#include "sha256.h"
#include "drivers/artifact/artsrv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_range(void **state)
{
	uint64_t a, b;

	(void)state;
	assert_int_equal(rig_http_parse_range("bytes=0-99", 1000, &a, &b), 0);
	assert_true(a == 0 && b == 99);
	assert_int_equal(rig_http_parse_range("bytes=500-", 1000, &a, &b), 0);
	assert_true(a == 500 && b == 999);
	assert_int_equal(rig_http_parse_range("bytes=-100", 1000, &a, &b), 0);
	assert_true(a == 900 && b == 999);
	assert_int_equal(rig_http_parse_range("bytes=900-5000", 1000, &a, &b), 0);
	assert_true(b == 999);
	assert_int_equal(rig_http_parse_range("bytes=1000-", 1000, &a, &b), -ERANGE);
	assert_int_equal(rig_http_parse_range("bytes=0-1,5-6", 1000, &a, &b), -EINVAL);
	assert_int_equal(rig_http_parse_range("bytes=5-1", 1000, &a, &b), -EINVAL);
	assert_int_equal(rig_http_parse_range("items=0-1", 1000, &a, &b), -EINVAL);
	assert_int_equal(rig_http_parse_range("bytes=99999999999999999999-", 1000, &a, &b), -EINVAL);
}

static void test_sha256(void **state)
{
	char hex[65];
	char *million = malloc(1000000);

	(void)state;
	rig_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	rig_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	rig_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', 1000000);
	rig_sha256_hex(million, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

static const char *load(const char *text, struct rig_devcfg **out)
{
	static struct rig_errmsg err;
	static char path[] = "/tmp/rig-devfile-XXXXXX.lua";
	char p[sizeof(path)];
	lua_State *L = rig_sandbox_new(NULL);
	FILE *f;
	int fd;

	memcpy(p, path, sizeof(path));
	fd = mkstemps(p, 4);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	err.text[0] = '\0';
	if (rig_devfile_load(L, p, NULL, out, &err) == 0)
		strcpy(err.text, "ok");
	unlink(p);
	rig_sandbox_free(L);
	return strstr(err.text, ".lua") ? strstr(err.text, ".lua") + 4 : err.text;
}

static void test_devfile(void **state)
{
	struct rig_devcfg *d = NULL;

	(void)state;
	assert_string_equal(load("return { schema = 1, id = 'x', power = { driver = 'command', on = 'true', off = 'true', "
				 "off_time = 500 }, shell = { prompt = '# $' } }", &d), "ok");
	assert_string_equal(d->id, "x");
	assert_true(d->off_time_ns == 500 * RIG_NS_PER_MS);
	assert_string_equal(rig_cfg_str(d->power, "on", NULL), "true");
	assert_false(rig_cfg_has(d->power, "off_time"));   /* the core's key, not the driver's */
	rig_devcfg_free(d);
	assert_string_equal(load("return { schema = 2, id = 'x', power = { driver = 'command', on = 'a', off = 'b' } }", &d),
			    ".schema: expected 1 (the schema this rig reads), got 2");
	assert_string_equal(load("return { schema = 1, id = 'x', power = { driver = 'command', on = 'a' } }", &d),
			    ": power: missing key 'off' (expected a string: shell command that switches the power off)");
	assert_string_equal(load("return { schema = 1, id = 'x', power = { driver = 'command', on = 'a', off = 'b' },"
				 " boot = { ready = '(' } }", &d),
			    ": boot.ready: bad regex /(/ at offset 1: missing closing parenthesis");
	assert_string_equal(load("return { schema = 1, id = 'x', power = { driver = 'command', on = 'a', off = 'b' },"
				 " update = { timeout = 'long' } }", &d),
			    ": update.timeout: expected a number (seconds an install may take (default 600)), got string");
	assert_string_equal(load("return 42", &d),
			    ": expected the file to return a device table (or a list of them), got number");
	assert_non_null(strstr(load("return { { schema = 1, id = 'a', power = { driver = 'command', on = 'a', off = 'b' } },"
				    " { schema = 1, id = 'b', power = { driver = 'command', on = 'a', off = 'b' } } }", &d),
			       ": the file holds 2 devices: name one as /tmp/rig-devfile-"));
}

static void put(const char *dir, const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* include(): a path relative to the including file (nested includes resolve
 * from their own directory), its arguments after the directory, errors that
 * name the included file, a depth limit, and no `include` left behind. */
static void test_devfile_include(void **state)
{
	char dir[] = "/tmp/rig-include-XXXXXX", sub[512], p[512];
	lua_State *L = rig_sandbox_new(NULL);
	struct rig_devcfg *d = NULL;
	struct rig_errmsg err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/parts", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	put(sub, "board.lua", "local here, flavour = ...\n"
	    "return { schema = 1, id = 'board-' .. flavour, name = here:match('[^/]+$'),\n"
	    "         power = include('power.lua', flavour) }\n");
	put(sub, "power.lua", "local here, flavour = ...\n"
	    "return { driver = 'command', on = 'on ' .. flavour, off = 'off ' .. here:match('[^/]+$') }\n");
	put(dir, "dev.lua", "return include('parts/board.lua', 'rauc')\n");
	put(dir, "missing.lua", "return include('nope.lua')\n");
	put(dir, "loop.lua", "return include('loop.lua')\n");
	put(sub, "bad.lua", "return {\n  schema = 1,\n  id = ,\n}\n");
	put(dir, "bad.lua", "return include('parts/bad.lua')\n");

	snprintf(p, sizeof(p), "%s/dev.lua", dir);
	assert_int_equal(rig_devfile_load(L, p, NULL, &d, &err), 0);
	assert_string_equal(d->id, "board-rauc");
	assert_string_equal(d->name, "parts");
	assert_string_equal(rig_cfg_str(d->power, "on", NULL), "on rauc");
	assert_string_equal(rig_cfg_str(d->power, "off", NULL), "off parts");
	rig_devcfg_free(d);
	assert_int_equal(lua_getglobal(L, "include"), LUA_TNIL);
	lua_pop(L, 1);

	snprintf(p, sizeof(p), "%s/missing.lua", dir);
	assert_int_not_equal(rig_devfile_load(L, p, NULL, &d, &err), 0);
	assert_non_null(strstr(err.text, "missing.lua:1: include: "));
	assert_non_null(strstr(err.text, "/nope.lua: cannot read"));
	snprintf(p, sizeof(p), "%s/loop.lua", dir);
	assert_int_not_equal(rig_devfile_load(L, p, NULL, &d, &err), 0);
	assert_non_null(strstr(err.text, "include 'loop.lua': includes nest deeper than 8"));
	snprintf(p, sizeof(p), "%s/bad.lua", dir);
	assert_int_not_equal(rig_devfile_load(L, p, NULL, &d, &err), 0);
	assert_non_null(strstr(err.text, "parts/bad.lua:3: unexpected symbol near ','"));
	assert_int_equal(lua_getglobal(L, "include"), LUA_TNIL);
	lua_pop(L, 1);

	rig_sandbox_free(L);
	for (const char *const *f = (const char *const[]){ "parts/board.lua", "parts/power.lua", "parts/bad.lua",
							      "dev.lua", "missing.lua", "loop.lua", "bad.lua", NULL };
	     *f; f++) {
		snprintf(p, sizeof(p), "%s/%s", dir, *f);
		unlink(p);
	}
	rmdir(sub);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_devfile),
		cmocka_unit_test(test_devfile_include),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
