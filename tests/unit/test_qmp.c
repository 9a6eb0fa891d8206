/* QMP message parsing: the four kinds, ids, nested lookups, malformed input. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/power/qmp.h"

static int parse(const char *s, struct rig_qmp_msg *m)
{
	return rig_qmp_parse(s, strlen(s), m);
}

static bool span_is(struct rig_qmp_span s, const char *w)
{
	return s.p && s.n == strlen(w) && memcmp(s.p, w, s.n) == 0;
}

static void test_kinds(void **state)
{
	struct rig_qmp_msg m;

	(void)state;
	assert_int_equal(parse("{\"QMP\": {\"version\": {}, \"capabilities\": [\"oob\"]}}", &m), 0);
	assert_int_equal(m.kind, RIG_QMP_GREETING);
	assert_int_equal(m.id, -1);
	assert_int_equal(parse("{\"return\": {}, \"id\": 7}", &m), 0);
	assert_int_equal(m.kind, RIG_QMP_RETURN);
	assert_int_equal(m.id, 7);
	assert_true(span_is(m.value, "{}"));
	assert_int_equal(parse("{\"id\": 3, \"error\": {\"class\": \"GenericError\", \"desc\": \"no \\\"x\\\"\"}}", &m), 0);
	assert_int_equal(m.kind, RIG_QMP_ERROR);
	assert_int_equal(m.id, 3);
	assert_true(span_is(m.desc, "no \\\"x\\\""));
	assert_int_equal(parse(" {\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"WATCHDOG\","
			       " \"data\": {\"action\": \"reset\"}}\r", &m), 0);
	assert_int_equal(m.kind, RIG_QMP_EVENT);
	assert_true(span_is(m.event, "WATCHDOG"));
	assert_true(span_is(m.value, "{\"action\": \"reset\"}"));
	/* an id that is not ours (a string) is no match */
	assert_int_equal(parse("{\"return\": 1, \"id\": \"x\"}", &m), 0);
	assert_int_equal(m.id, -1);
}

static void test_lookup(void **state)
{
	struct rig_qmp_msg m;
	struct rig_qmp_span v;
	int64_t x;
	const char *s = "{\"return\": {\"stats\": {\"wr_bytes\": 168422400, \"x\": [1, {\"a\": null}]}}, \"id\": 2}";

	(void)state;
	assert_int_equal(parse(s, &m), 0);
	assert_int_equal(rig_qmp_get(m.value, "stats", &v), 0);
	assert_int_equal(rig_qmp_get(v, "wr_bytes", &v), 0);
	assert_int_equal(rig_qmp_int(v, &x), 0);
	assert_int_equal(x, 168422400);
	assert_int_equal(rig_qmp_get(m.value, "nope", &v), -ENOENT);
	assert_int_equal(rig_qmp_get(m.value, "stats", &v), 0);
	assert_int_equal(rig_qmp_get(v, "x", &v), 0);
	assert_int_equal(rig_qmp_index(v, 1, &v), 0);
	assert_true(span_is(v, "{\"a\": null}"));
	assert_int_equal(rig_qmp_get(m.value, "stats", &v), 0);
	assert_int_equal(rig_qmp_get(v, "x", &v), 0);
	assert_int_equal(rig_qmp_index(v, 2, &v), -ENOENT);
	v.p = "99999999999999999999";
	v.n = strlen(v.p);
	assert_int_equal(rig_qmp_int(v, &x), -ERANGE);
	v.p = "-9223372036854775808";
	v.n = strlen(v.p);
	assert_int_equal(rig_qmp_int(v, &x), 0);
	assert_true(x == INT64_MIN);
}

static void test_malformed(void **state)
{
	struct rig_qmp_msg m;
	const char *bad[] = {
		"", "[]", "{", "{\"return\": }", "{\"return\": 1,}", "{\"return\": 01}",
		"{\"event\": 5}", "{\"other\": 1}", "{\"return\": \"\\x\"}", "{\"return\": \"a\nb\"}",
		"{\"return\": 1} x", "{\"return\": tru}", "{\"return\": \"\\u12\"}",
	};
	char deep[200];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], &m), -EINVAL);
	strcpy(deep, "{\"return\": ");
	for (int i = 0; i < 40; i++)
		strcat(deep, "[");
	for (int i = 0; i < 40; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	assert_int_equal(parse(deep, &m), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
