/* The campaign planner (scenarios/lib/campaign.lua), driven by Lua test
 * scripts in tests/unit/lua/plan_*.lua inside the same sandbox the rig
 * loads it in. Each script raises an error on a failed check. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sandbox.h"

#include <stdio.h>
#include <stdlib.h>

static void run_script(const char *name)
{
	const char *src = getenv("RIG_SRCDIR");
	char path[4096], search[4096];
	struct rig_errmsg err;
	lua_State *L;

	snprintf(search, sizeof(search), "%s/scenarios", src ? src : RIG_SRCDIR);
	snprintf(path, sizeof(path), "%s/tests/unit/lua/%s", src ? src : RIG_SRCDIR, name);
	L = rig_sandbox_new(search);
	assert_non_null(L);
	if (rig_sandbox_loadfile(L, path, &err) < 0 || rig_sandbox_pcall(L, 0, 0, &err) < 0)
		fail_msg("%s", err.text);
	rig_sandbox_free(L);
}

static void test_static(void **state)
{
	(void)state;
	run_script("plan_static.lua");
}

static void test_bisect(void **state)
{
	(void)state;
	run_script("plan_bisect.lua");
}

static void test_errors(void **state)
{
	(void)state;
	run_script("plan_errors.lua");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_bisect),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
