/* Console text: the escape stripper, the kernel-line filter, the matcher. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ansi.h"
#include "kfilter.h"
#include "regex.h"

#include <errno.h>
#include <string.h>

static char *strip(const char *in)
{
	static char out[1024];
	struct rig_ansi a;
	size_t n;

	rig_ansi_init(&a);
	n = rig_ansi_strip(&a, (const uint8_t *)in, strlen(in), (uint8_t *)out);
	out[n] = '\0';
	return out;
}

static void test_ansi(void **state)
{
	(void)state;
	assert_string_equal(strip("\x1b[01;32mroot@sim\x1b[00m:~# "), "root@sim:~# ");
	assert_string_equal(strip("\x1b[?2004hprompt\x1b[?2004l\r"), "prompt");
	assert_string_equal(strip("a\r\nb\r\n"), "a\nb\n");
	assert_string_equal(strip("\x1b]0;title\x07x\x1b]0;t2\x1b\\y"), "xy");
	assert_string_equal(strip("nul\0byte"), "nul");
	assert_string_equal(strip("caf\xc3\xa9"), "caf\xc3\xa9");
	/* power-on garbage: an unterminated CSI or OSC ends at the line feed */
	assert_string_equal(strip("\x9c\x1b[12\nSIMBOOT"), "\x9c\nSIMBOOT");
	assert_string_equal(strip("\x1b]garbage\nSIMBOOT"), "\nSIMBOOT");
}

static void test_ansi_split(void **state)
{
	const char *in = "ab\x1b[01;31mcd\x1b]0;t\x07" "ef\r\n";
	size_t n = strlen(in);

	(void)state;
	for (size_t cut = 0; cut <= n; cut++) {
		struct rig_ansi a;
		uint8_t out[64];
		size_t o;

		rig_ansi_init(&a);
		o = rig_ansi_strip(&a, (const uint8_t *)in, cut, out);
		o += rig_ansi_strip(&a, (const uint8_t *)in + cut, n - cut, out + o);
		out[o] = '\0';
		assert_string_equal((char *)out, "abcdef\n");
	}
}

static void test_ansi_runaway(void **state)
{
	char in[600];
	struct rig_ansi a;
	uint8_t out[600];
	size_t o;

	(void)state;
	in[0] = 0x1b;
	in[1] = '[';
	memset(in + 2, '1', 400);
	memcpy(in + 402, "mVISIBLE", 9);
	rig_ansi_init(&a);
	o = rig_ansi_strip(&a, (const uint8_t *)in, strlen(in), out);
	out[o] = '\0';
	assert_non_null(strstr((char *)out, "VISIBLE"));
}

static char *kf(const char *in, size_t split)
{
	static char out[1024];
	struct rig_kfilter k;
	size_t o;

	rig_kfilter_init(&k);
	o = rig_kfilter_run(&k, (const uint8_t *)in, split, (uint8_t *)out);
	o += rig_kfilter_run(&k, (const uint8_t *)in + split, strlen(in) - split, (uint8_t *)out + o);
	out[o] = '\0';
	return out;
}

static void test_kfilter(void **state)
{
	const char *in = "SIM[ 4090.075249] eth0: link up (3 Mbps)\nBOOT 1.0\n[1.5] not kernel\n[    0.000001] x\nend";

	(void)state;
	for (size_t cut = 0; cut <= strlen(in); cut++)
		assert_string_equal(kf(in, cut), "SIMBOOT 1.0\n[1.5] not kernel\nend");
	assert_string_equal(kf("a[b] [12.3]x", 3), "a[b] [12.3]x");
}

static void test_regex(void **state)
{
	struct rig_regex *re;
	struct rig_match m;
	struct rig_errmsg err;
	size_t resume;
	const char *s;

	(void)state;
	assert_int_equal(rig_regex_new("a.b", RIG_RE_LITERAL, &re, &err), 0);
	assert_int_equal(rig_regex_search(re, (const uint8_t *)"axb a.b", 7, 0, &m, NULL), 1);
	assert_int_equal(m.start, 4);
	rig_regex_free(re);

	/* a match that straddles two reads: the resume point keeps its start */
	assert_int_equal(rig_regex_new("login: ?$", 0, &re, &err), 0);
	s = "noise\nsim log";
	assert_int_equal(rig_regex_search(re, (const uint8_t *)s, strlen(s), 0, &m, &resume), 0);
	assert_int_equal(resume, 10);
	s = "noise\nsim login: ";
	assert_int_equal(rig_regex_search(re, (const uint8_t *)s, strlen(s), resume, &m, &resume), 1);
	assert_int_equal(m.start, 10);
	rig_regex_free(re);

	/* the prompt at the end of what arrived */
	assert_int_equal(rig_regex_new("# $", 0, &re, &err), 0);
	s = "root@sim:~# ";
	assert_int_equal(rig_regex_search(re, (const uint8_t *)s, strlen(s), 0, &m, NULL), 1);
	rig_regex_free(re);

	/* kernel-tolerant literal */
	assert_int_equal(rig_regex_new("__RIG1_S__", RIG_RE_KTOLERANT, &re, &err), 0);
	s = "__RIG\r\n[    1.234567] usb 1-1: new device\n1_S__";
	assert_int_equal(rig_regex_search(re, (const uint8_t *)s, strlen(s), 0, &m, NULL), 1);
	rig_regex_free(re);

	/* captures */
	assert_int_equal(rig_regex_new("E__ ([0-9]+)", 0, &re, &err), 0);
	s = "x E__ 127\n";
	assert_int_equal(rig_regex_search(re, (const uint8_t *)s, strlen(s), 0, &m, NULL), 1);
	assert_int_equal(m.ncap, 1);
	assert_int_equal(m.cap_end[0] - m.cap_start[0], 3);
	rig_regex_free(re);

	assert_int_equal(rig_regex_new("(unclosed", 0, &re, &err), -EINVAL);
	assert_non_null(strstr(err.text, "bad regex /(unclosed/"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ansi),
		cmocka_unit_test(test_ansi_split),
		cmocka_unit_test(test_ansi_runaway),
		cmocka_unit_test(test_kfilter),
		cmocka_unit_test(test_regex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
