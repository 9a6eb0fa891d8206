/* The qemu driver's rtc_base option: what QEMU gets, and what is refused. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/power/qemu_rtc.h"

static void test_accepted(void **state)
{
	char out[128];

	(void)state;
	assert_int_equal(rig_qemu_rtc_base("utc", out, sizeof(out)), 0);
	assert_string_equal(out, "utc");
	assert_int_equal(rig_qemu_rtc_base("now", out, sizeof(out)), 0);
	assert_string_equal(out, "utc");
	assert_int_equal(rig_qemu_rtc_base("localtime", out, sizeof(out)), 0);
	assert_string_equal(out, "localtime");
	assert_int_equal(rig_qemu_rtc_base("2035-01-01T00:00:00", out, sizeof(out)), 0);
	assert_string_equal(out, "2035-01-01T00:00:00");
	assert_int_equal(rig_qemu_rtc_base("2000-02-29", out, sizeof(out)), 0);
	assert_string_equal(out, "2000-02-29");
	assert_int_equal(rig_qemu_rtc_base("2035-01-01T00:00:00", out, 5), -ENOSPC);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"", "UTC", "2035-1-01", "2035-13-01", "2035-02-30", "2035-01-01 00:00:00", "2035-01-01T24:00:00",
		"2035-01-01T00:60:00", "1969-12-31", "2035-01-01T00:00", "2035-01-01T00:00:00Z", "+035-01-01",
		"2035-01-01;x",
	};
	char out[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rig_qemu_rtc_base(bad[i], out, sizeof(out)), -EINVAL);
		assert_non_null(strstr(out, "expected utc"));
	}
	assert_int_equal(rig_qemu_rtc_base(NULL, out, sizeof(out)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
