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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_devfile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
