/* JUnit XML writer. Verdicts map to what CI systems show:
 *   pass → a plain testcase; fail, brick → <failure type=...>;
 *   error and unfinished runs → <error>; inconclusive, skip → <skipped>. */
#include "reports/junit.h"
#include "reports/xml.h"

#include <string.h>

static void esc(FILE *f, const char *s)
{
	if (s)
		rig_xml_escape(f, s, strlen(s));
}

static const char *base(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path ? path : "?";
}

int rig_junit_write(FILE *out, const char *suite, const struct rig_run_result *runs,
		    const struct rig_junit_extra *extra, size_t n)
{
	size_t failures = 0, errors = 0, skipped = 0;
	double total = 0;

	for (size_t i = 0; i < n; i++) {
		const char *v = runs[i].verdict;

		if (!v || !strcmp(v, "error"))
			errors++;
		else if (!strcmp(v, "fail") || !strcmp(v, "brick"))
			failures++;
		else if (!strcmp(v, "inconclusive") || !strcmp(v, "skip"))
			skipped++;
		total += (double)runs[i].duration_ns / 1e9;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
		n, failures, errors, skipped, total);
	fputs("  <testsuite name=\"", out);
	esc(out, suite);
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n", n,
		failures, errors, skipped, total);
	for (size_t i = 0; i < n; i++) {
		const struct rig_run_result *r = &runs[i];
		const char *v = r->verdict;

		fputs("    <testcase classname=\"", out);
		esc(out, r->device_id);
		fputs("\" name=\"", out);
		esc(out, base(r->scenario));
		if (r->params_json && strcmp(r->params_json, "{}")) {
			fputc(' ', out);
			esc(out, r->params_json);
		}
		fprintf(out, " seed=%llu\" time=\"%.3f\">\n", (unsigned long long)r->seed,
			(double)r->duration_ns / 1e9);
		if (!v || !strcmp(v, "error")) {
			fputs("      <error type=\"error\" message=\"", out);
			esc(out, v ? r->message : "interrupted: the run never ended (the rig was killed?)");
			fputs("\"/>\n", out);
		} else if (!strcmp(v, "fail") || !strcmp(v, "brick")) {
			fprintf(out, "      <failure type=\"%s\" message=\"", v);
			if (r->outcome) {
				esc(out, r->outcome);
				fputs(": ", out);
			}
			esc(out, r->message);
			fputs("\"/>\n", out);
		} else if (!strcmp(v, "inconclusive") || !strcmp(v, "skip")) {
			fprintf(out, "      <skipped message=\"%s", v);
			if (r->message) {
				fputs(": ", out);
				esc(out, r->message);
			}
			fputs("\"/>\n", out);
		}
		if (extra && (extra[i].timeline || extra[i].console)) {
			fputs("      <system-out>", out);
			if (r->outcome) {
				fputs("outcome: ", out);
				esc(out, r->outcome);
				fputc('\n', out);
			}
			if (extra[i].timeline) {
				fputs("timeline:\n", out);
				esc(out, extra[i].timeline);
			}
			if (extra[i].console) {
				fputs("\nconsole (last bytes):\n", out);
				rig_xml_escape(out, extra[i].console, extra[i].console_len);
			}
			fputs("</system-out>\n", out);
		}
		fputs("    </testcase>\n", out);
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
	return ferror(out) ? -1 : 0;
}
