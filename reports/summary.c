/* The terminal summary of runs: one line per run, then the totals. */
#include "reports/summary.h"

#include <string.h>

static const char *label(const char *verdict)
{
	if (!verdict)
		return "ERROR";
	if (!strcmp(verdict, "pass"))
		return "PASS";
	if (!strcmp(verdict, "fail"))
		return "FAIL";
	if (!strcmp(verdict, "brick"))
		return "BRICK";
	if (!strcmp(verdict, "inconclusive"))
		return "INCONCL";
	if (!strcmp(verdict, "skip"))
		return "SKIP";
	return "ERROR";
}

void rig_report_summary(FILE *f, const char *scenario, const char *device, uint64_t seed,
			const struct rig_run_outcome *o)
{
	fprintf(f, "%-7s %s on %s (seed %llu, %.1f s)", label(o->verdict), scenario, device,
		(unsigned long long)seed, (double)o->duration_ns / 1e9);
	if (o->outcome)
		fprintf(f, " outcome=%s", o->outcome);
	fputc('\n', f);
	if (o->message && o->cls != RIG_RUN_INPUT) {
		/* first line only: the timeline and the store have the rest */
		const char *nl = strchr(o->message, '\n');

		fprintf(f, "        %.*s\n", nl ? (int)(nl - o->message) : (int)strlen(o->message), o->message);
	}
}
