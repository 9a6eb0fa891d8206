/* Fuzz the console text path: escape stripping, the kernel-line filter,
 * matching across arbitrary read boundaries, cursor resets. Byte 0xfe in the
 * input ends a read; 0xfd also resets the cursor (a power-on). Checks the
 * invariants a scenario relies on. */
#include "console.h"

#include <stdlib.h>
#include <string.h>

static struct rig_loop *loop;
static int hits;

static void on_hit(void *arg, struct rig_console_hit *hit)
{
	(void)arg;
	hits++;
	if (hit->textlen == 0 && hit->text[0] != '\0')
		abort();
	if (hit->abs_end < hit->abs_start)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rig_console *con;
	struct rig_console_opts o = { .window_max = 4096, .filter_kernel = size % 2 == 0 };
	static struct rig_regex *re_expect, *re_trig;
	struct rig_errmsg err;
	size_t start = 0;

	if (!loop && rig_loop_new(&loop) < 0)
		abort();
	if (!re_expect) {
		if (rig_regex_new("login: ?$", 0, &re_expect, &err) < 0 ||
		    rig_regex_new("__RIG1_E__ ([0-9]+)", RIG_RE_KTOLERANT, &re_trig, &err) < 0)
			abort();
	}
	if (rig_console_open(loop, NULL, NULL, NULL, -1, &o, NULL, &con) < 0)
		abort();
	rig_console_watch(con, RIG_WATCH_EXPECT, re_expect, on_hit, NULL);
	rig_console_watch(con, RIG_WATCH_TRIGGER, re_trig, on_hit, NULL);
	for (size_t i = 0; i <= size; i++) {
		if (i == size || data[i] == 0xfe || data[i] == 0xfd) {
			rig_console_feed(con, data + start, i - start, i);
			if (i < size && data[i] == 0xfd) {
				rig_console_reset_cursor(con);
				rig_console_watch(con, RIG_WATCH_EXPECT, re_expect, on_hit, NULL);
			}
			start = i + 1;
			if (rig_console_cursor(con) > rig_console_end(con))
				abort();
		}
	}
	{
		struct rig_console_hit hit;

		if (rig_console_match_now(con, re_expect, &hit) == 1) {
			if (hit.abs_end > rig_console_end(con))
				abort();
			rig_console_hit_clear(&hit);
		}
	}
	rig_console_close(con);
	return 0;
}
