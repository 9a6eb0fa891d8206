/* Writers: JSON escaping, XML escaping, JUnit structure. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "json.h"
#include "reports/junit.h"
#include "reports/xml.h"
#include "reports/model.h"

#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Wilson 95 % intervals against published values (Newcombe 1998, table I). */
static void test_wilson(void **state)
{
	struct rig_wilson w;

	(void)state;
	w = rig_wilson95(0, 0);
	assert_true(isnan(w.p) && isnan(w.lo) && isnan(w.hi));
	w = rig_wilson95(81, 263);
	assert_true(fabs(w.lo - 0.2553) < 5e-4 && fabs(w.hi - 0.3662) < 5e-4);
	w = rig_wilson95(15, 148);
	assert_true(fabs(w.lo - 0.0624) < 5e-4 && fabs(w.hi - 0.1605) < 5e-4);
	w = rig_wilson95(0, 20);
	assert_true(fabs(w.lo) < 1e-9 && fabs(w.hi - 0.1611) < 5e-4);
	w = rig_wilson95(1, 29);
	assert_true(fabs(w.lo - 0.0061) < 5e-4 && fabs(w.hi - 0.1718) < 5e-4);
	w = rig_wilson95(10, 10);
	assert_true(fabs(w.lo - 0.7225) < 5e-4 && fabs(w.hi - 1) < 1e-9);
}

static void test_job_test(void **state)
{
	char *t;

	(void)state;
	t = rig_job_test("t2:cut-install/sim-1/delay=0.1/r1", NULL);
	assert_string_equal(t, "cut-install");
	free(t);
	t = rig_job_test(NULL, "/x/scenarios/boot-cuts.lua");
	assert_string_equal(t, "boot-cuts");
	free(t);
}

static void test_json(void **state)
{
	struct rig_json j;

	(void)state;
	rig_json_init(&j);
	rig_json_obj_begin(&j);
	rig_json_kv_str(&j, "a", "q\"b\\\n</script>");
	rig_json_key(&j, "raw");
	rig_json_val_strn(&j, "\x01\xff\xc3\xa9", 4);
	rig_json_kv_int(&j, "n", -3);
	rig_json_obj_end(&j);
	assert_string_equal(rig_json_str(&j),
			    "{\"a\":\"q\\\"b\\\\\\n\\u003c/script\\u003e\",\"raw\":\"\\u0001\\ufffd\xc3\xa9\",\"n\":-3}");
	rig_json_free(&j);
}

static char *xml(const char *s, size_t n)
{
	static char buf[512];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	rig_xml_escape(f, s, n);
	fclose(f);
	return buf;
}

static void test_xml(void **state)
{
	(void)state;
	assert_string_equal(xml("a<b>&\"'", 7), "a&lt;b&gt;&amp;&quot;&apos;");
	assert_string_equal(xml("]]></system-out>", 16), "]]&gt;&lt;/system-out&gt;");
	assert_string_equal(xml("\x1b[1mx\0y", 7), "[1mxy");
	assert_string_equal(xml("bad\xff", 4), "bad\xef\xbf\xbd");
}

static void test_junit(void **state)
{
	struct rig_run_result r[4] = {
		{ .id = 1, .scenario = "scenarios/baseline.lua", .device_id = "b1", .params_json = "{}", .seed = 1,
		  .duration_ns = 1500000000, .verdict = "pass", .outcome = "new-good" },
		{ .id = 2, .scenario = "cut.lua", .device_id = "b1", .params_json = "{\"delay\":\"0.1\"}", .seed = 2,
		  .verdict = "fail", .outcome = "old-good", .message = "lost commit <x>" },
		{ .id = 3, .scenario = "x.lua", .device_id = "b2", .verdict = NULL },
		{ .id = 4, .scenario = "y.lua", .device_id = "b2", .verdict = "inconclusive", .message = "missed" },
	};
	struct rig_junit_extra ex[4] = { { .timeline = "+0.0s run.start\n", .console = "boot\x1b[0m", .console_len = 8 } };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(rig_junit_write(f, "rig", r, ex, 4), 0);
	fclose(f);
	assert_non_null(strstr(buf, "tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\""));
	assert_non_null(strstr(buf, "<testcase classname=\"b1\" name=\"baseline.lua seed=1\" time=\"1.500\">"));
	assert_non_null(strstr(buf, "<failure type=\"fail\" message=\"old-good: lost commit &lt;x&gt;\"/>"));
	assert_non_null(strstr(buf, "<error type=\"error\" message=\"interrupted"));
	assert_non_null(strstr(buf, "<skipped message=\"inconclusive: missed\"/>"));
	assert_non_null(strstr(buf, "console (last bytes):\nboot[0m</system-out>"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wilson),
		cmocka_unit_test(test_job_test),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_xml),
		cmocka_unit_test(test_junit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
