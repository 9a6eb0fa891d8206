/* The campaign report as one self-contained HTML file: no script, no fetch,
 * inline CSS and SVG only. Everything from the store (device output above
 * all) goes through rig_xml_escape: text, never markup. */
#include "html.h"
#include "xml.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DETAIL_RUNS 300          /* runs shown with timeline and console */
#define CONSOLE_BEFORE 4096
#define CONSOLE_AFTER 2048
#define EVENTS_MAX 400

static void esc(FILE *f, const char *s)
{
	if (s)
		rig_xml_escape(f, s, strlen(s));
}

static void wall(FILE *f, uint64_t ns)
{
	time_t t = (time_t)(ns / 1000000000u);
	struct tm tm;
	char buf[64];

	if (!ns) {
		fputs("-", f);
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fputs(buf, f);
}

static const char *verdict_class(const char *v)
{
	if (!v)
		return "error";
	if (!strcmp(v, "pass") || !strcmp(v, "fail") || !strcmp(v, "brick") || !strcmp(v, "inconclusive") ||
	    !strcmp(v, "skip") || !strcmp(v, "interrupted"))
		return v;
	return "error";
}

static void pct(FILE *f, const struct rig_wilson *w)
{
	if (!w->n) {
		fputs("<span class=muted>no judged runs</span>", f);
		return;
	}
	fprintf(f, "<b>%.1f&#8239;%%</b> <span class=ci>[%.1f&#8211;%.1f]</span> <span class=muted>%u/%u</span>",
		100 * w->p, 100 * w->lo, 100 * w->hi, w->k, w->n);
}

static void counts(FILE *f, const struct rig_counts *c)
{
	if (c->fail)
		fprintf(f, " <span class=\"tag fail\">%u fail</span>", c->fail);
	if (c->brick)
		fprintf(f, " <span class=\"tag brick\">%u brick</span>", c->brick);
	if (c->error)
		fprintf(f, " <span class=\"tag error\">%u error</span>", c->error);
	if (c->inconclusive)
		fprintf(f, " <span class=\"tag inconclusive\">%u inconcl.</span>", c->inconclusive);
	if (c->skip)
		fprintf(f, " <span class=\"tag skip\">%u skip</span>", c->skip);
}

static const char css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
	"h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}"
	"table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 6px;vertical-align:top}"
	"th{background:#f4f4f4;text-align:left}.muted{color:#777}.ci{color:#555;font-size:.9em}"
	".tag{border-radius:3px;padding:0 4px;font-size:.85em;color:#fff}"
	".pass{background:#2e7d32}.fail{background:#c62828}.brick{background:#4a148c}.error{background:#ef6c00}"
	".inconclusive{background:#78909c}.skip{background:#9e9e9e}.interrupted{background:#bdbdbd}"
	"td.good{background:#e8f5e9}td.bad{background:#ffebee}td.none{background:#fafafa}"
	"pre{background:#f7f7f7;border:1px solid #e0e0e0;padding:6px;max-height:30em;overflow:auto;"
	"white-space:pre-wrap;word-break:break-all;font-size:12px}"
	"details{margin:.3em 0}summary{cursor:pointer}.runs td{font-size:12px}"
	".kpi{display:inline-block;margin-right:2em}svg text{font:11px sans-serif}";

static void header(FILE *f, const struct rig_report_model *m)
{
	fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
	      "<title>rig campaign ", f);
	esc(f, m->camp.name);
	fprintf(f, " #%" PRId64 "</title><style>%s</style></head><body>\n", m->camp.id, css);
	fputs("<h1>Campaign ", f);
	esc(f, m->camp.name);
	fprintf(f, " <span class=muted>#%" PRId64 "</span></h1>\n<p>", m->camp.id);
	esc(f, m->camp.file);
	fprintf(f, " &middot; seed %" PRIu64 " &middot; host ", m->camp.seed);
	esc(f, m->camp.host);
	fputs(" &middot; ", f);
	wall(f, m->camp.wall_start_ns);
	fputs(" &rarr; ", f);
	wall(f, m->camp.wall_end_ns);
	fputs(" &middot; status <b>", f);
	esc(f, m->camp.status);
	fputs("</b></p>\n<p>", f);
	fprintf(f, "<span class=kpi>runs <b>%zu</b></span><span class=kpi>survival ", m->nfinal);
	pct(f, &m->total_w);
	fputs("</span><span class=kpi>", f);
	counts(f, &m->total);
	fprintf(f, "</span><br><span class=muted>Survival = pass / (pass + fail + brick), 95 %% Wilson interval."
		   " Inconclusive runs (the cut missed its phase), errors (%u of them the lab's or the rig's), "
		   "%u error runs retried, %u runs interrupted by the rig stopping and %u health checks "
		   "(%u failed) are counted apart.</span></p>\n",
		m->total.infra, m->retried, m->interrupted, m->health, m->health_failed);
}

static void matrix(FILE *f, const struct rig_report_model *m)
{
	fputs("<h2>Tests &times; devices</h2>\n<table><tr><th>test</th>", f);
	for (size_t d = 0; d < m->ndevices; d++) {
		fputs("<th>", f);
		esc(f, m->devices[d]);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (size_t t = 0; t < m->ntests; t++) {
		fputs("<tr><th>", f);
		esc(f, m->tests[t]);
		fputs("</th>", f);
		for (size_t d = 0; d < m->ndevices; d++) {
			const struct rig_cell *c = &m->cells[t * m->ndevices + d];
			unsigned n = c->c.pass + c->c.fail + c->c.brick + c->c.error + c->c.inconclusive + c->c.skip;

			fprintf(f, "<td class=%s>", !n ? "none" : c->c.fail || c->c.brick ? "bad" : "good");
			if (n) {
				pct(f, &c->w);
				counts(f, &c->c);
			}
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* The "summary" strings of the planner's findings (JSON written by
 * scenarios/lib/campaign.lua), unescaped just enough to print as text. */
static void findings(FILE *f, const struct rig_report_model *m)
{
	const char *s = m->camp.findings_json;
	bool any = false;

	while (s && (s = strstr(s, "\"summary\":\""))) {
		char buf[1024];
		size_t n = 0;

		s += 11;
		while (*s && *s != '"' && n + 1 < sizeof(buf)) {
			if (*s == '\\' && s[1])
				s++;
			buf[n++] = *s++;
		}
		buf[n] = '\0';
		if (!any)
			fputs("<h2>Vulnerable windows (bisection)</h2>\n<ul>\n", f);
		any = true;
		fputs("<li>", f);
		esc(f, buf);
		fputs("</li>\n", f);
	}
	if (any)
		fputs("</ul>\n", f);
}

static double cut_x(const struct rig_run_result *r)
{
	return !isnan(r->cut_planned) ? r->cut_planned : r->cut_actual;
}

/* Outcome against cut point, one SVG per test with cut points. */
static void plots(FILE *f, const struct rig_report_model *m)
{
	static const char *const lanes[] = { "pass", "inconclusive", "error", "fail", "brick" };
	const int W = 900, H = 200, L = 90, R = 20, T = 10, B = 30;
	bool heading = false;

	for (size_t t = 0; t < m->ntests; t++) {
		double lo = INFINITY, hi = -INFINITY;
		const char *unit = NULL;
		size_t npts = 0;

		for (size_t i = 0; i < m->nrows; i++) {
			const struct rig_run_result *r = &m->rows[i];
			double x = cut_x(r);

			if (!m->final[i] || strcmp(m->test[i], m->tests[t]) || isnan(x))
				continue;
			lo = x < lo ? x : lo;
			hi = x > hi ? x : hi;
			unit = r->cut_unit ? r->cut_unit : unit;
			npts++;
		}
		if (!npts)
			continue;
		if (!heading)
			fputs("<h2>Outcome against cut point</h2>\n", f);
		heading = true;
		if (hi <= lo)
			hi = lo + (lo ? fabs(lo) * 0.1 : 1);
		fputs("<h3>", f);
		esc(f, m->tests[t]);
		fputs(" <span class=muted>(cut in ", f);
		esc(f, unit ? unit : "?");
		fprintf(f, "; %zu runs)</span></h3>\n<svg width=%d height=%d viewBox=\"0 0 %d %d\" role=img>", npts, W, H,
			W, H);
		for (int k = 0; k < 5; k++) {
			int y = T + (4 - k) * (H - T - B) / 5 + (H - T - B) / 10;

			fprintf(f, "<text x=4 y=%d>%s</text><line x1=%d x2=%d y1=%d y2=%d stroke=#eee />", y + 4,
				lanes[k], L, W - R, y, y);
		}
		for (int k = 0; k <= 4; k++) {
			double v = lo + (hi - lo) * k / 4;
			int x = L + (W - L - R) * k / 4;

			fprintf(f, "<line x1=%d x2=%d y1=%d y2=%d stroke=#ccc /><text x=%d y=%d text-anchor=middle>%.4g</text>",
				x, x, T, H - B, x, H - B + 14, v);
		}
		for (size_t i = 0; i < m->nrows; i++) {
			const struct rig_run_result *r = &m->rows[i];
			double x = cut_x(r);
			int lane = 2, px, py;
			const char *v = verdict_class(r->verdict);

			if (!m->final[i] || strcmp(m->test[i], m->tests[t]) || isnan(x))
				continue;
			for (int k = 0; k < 5; k++)
				if (!strcmp(v, lanes[k]))
					lane = k;
			px = L + (int)((W - L - R) * (x - lo) / (hi - lo));
			py = T + (4 - lane) * (H - T - B) / 5 + (H - T - B) / 10 + (int)((r->id * 7919) % 17) - 8;
			fprintf(f, "<circle cx=%d cy=%d r=3 class=%s fill-opacity=.7><title>run %" PRId64 " ", px, py, v,
				r->id);
			esc(f, r->device_id);
			fprintf(f, " %s planned %.6g actual %.6g</title></circle>", v, r->cut_planned, r->cut_actual);
		}
		fputs("</svg>\n", f);
	}
	/* SVG fill from the verdict classes */
	if (heading)
		fputs("<style>circle.pass{fill:#2e7d32}circle.fail{fill:#c62828}circle.brick{fill:#4a148c}"
		      "circle.error{fill:#ef6c00}circle.inconclusive{fill:#78909c}circle.skip{fill:#9e9e9e}</style>\n",
		      f);
}

static void trends(FILE *f, const struct rig_report_model *m)
{
	if (m->ntrends < 2)
		return;
	fputs("<h2>Trend against earlier campaigns of this name</h2>\n<table><tr><th>campaign</th><th>started</th>"
	      "<th>status</th><th>runs</th><th>survival</th><th>failures</th></tr>\n", f);
	for (size_t i = m->ntrends; i-- > 0;) {
		const struct rig_trend *t = &m->trends[i];

		fprintf(f, "<tr><td>#%" PRId64 "%s</td><td>", t->id, t->id == m->camp.id ? " (this)" : "");
		wall(f, t->wall_start_ns);
		fputs("</td><td>", f);
		esc(f, t->status);
		fprintf(f, "</td><td>%u</td><td>", t->runs);
		pct(f, &t->w);
		fputs("</td><td>", f);
		counts(f, &t->c);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void fmt_num(FILE *f, double v)
{
	if (isnan(v))
		fputs("", f);
	else
		fprintf(f, "%.6g", v);
}

static const char *row_state(const struct rig_report_model *m, size_t i)
{
	const struct rig_run_result *r = &m->rows[i];

	if (m->final[i])
		return "";
	if (r->kind && !strcmp(r->kind, "health"))
		return "health check";
	if (!r->verdict || !strcmp(r->verdict, "interrupted"))
		return "interrupted";
	return "retried";
}

static void runs_table(FILE *f, const struct rig_report_model *m)
{
	fprintf(f, "<h2>All runs (%zu rows)</h2>\n<details open><summary>table</summary><table class=runs><tr>"
		   "<th>run</th><th>test</th><th>device</th><th>parameters</th><th>cut planned</th><th>actual</th>"
		   "<th>landed</th><th>verdict</th><th>outcome</th><th>s</th><th>message</th></tr>\n", m->nrows);
	for (size_t i = 0; i < m->nrows; i++) {
		const struct rig_run_result *r = &m->rows[i];
		const char *st = row_state(m, i);

		fprintf(f, "<tr><td><a href=\"#run%" PRId64 "\">%" PRId64 "</a></td><td>", r->id, r->id);
		esc(f, m->test[i]);
		fputs("</td><td>", f);
		esc(f, r->device_id);
		fputs("</td><td>", f);
		esc(f, r->params_json);
		fputs("</td><td>", f);
		fmt_num(f, r->cut_planned);
		fputs("</td><td>", f);
		fmt_num(f, r->cut_actual);
		fputs("</td><td>", f);
		esc(f, r->cut_landed);
		fprintf(f, "</td><td><span class=\"tag %s\">", verdict_class(r->verdict));
		esc(f, r->verdict ? r->verdict : "unfinished");
		fputs("</span>", f);
		if (*st)
			fprintf(f, " <span class=muted>(%s)</span>", st);
		fputs("</td><td>", f);
		esc(f, r->outcome);
		fprintf(f, "</td><td>%.1f</td><td>", (double)r->duration_ns / 1e9);
		esc(f, r->message);
		fputs("</td></tr>\n", f);
	}
	fputs("</table></details>\n", f);
}

struct evctx {
	FILE *f;
	uint64_t t0, t_cut;
	unsigned n;
};

static void on_event(void *arg, uint64_t t_ns, const char *kind, const char *detail)
{
	struct evctx *e = arg;

	if (!e->t0)
		e->t0 = t_ns;
	if (!e->t_cut && rig_event_is_cut(kind))
		e->t_cut = t_ns;
	if (e->n++ >= EVENTS_MAX) {
		if (e->n == EVENTS_MAX + 1)
			fputs("<tr><td colspan=3 class=muted>(more events: rig show)</td></tr>", e->f);
		return;
	}
	fprintf(e->f, "<tr><td>%+.3f</td><td>", (double)(t_ns - e->t0) / 1e9);
	esc(e->f, kind);
	fputs("</td><td>", e->f);
	esc(e->f, detail);
	fputs("</td></tr>\n", e->f);
}

struct conctx {
	char *buf;
	size_t len, cap_before, after, total_cap;
	uint64_t t_cut;
	size_t before_len;
};

static void on_chunk(void *arg, uint64_t t_ns, const char *stream, const void *b, size_t n)
{
	struct conctx *c = arg;

	if (strcmp(stream, "rx") != 0)
		return;
	if (t_ns <= c->t_cut) {
		c->buf = rig_xrealloc(c->buf, c->len + n + 1);
		memcpy(c->buf + c->len, b, n);
		c->len += n;
		if (c->len > c->cap_before) {   /* keep the last cap_before bytes */
			memmove(c->buf, c->buf + c->len - c->cap_before, c->cap_before);
			c->len = c->cap_before;
		}
		c->before_len = c->len;
	} else if (c->after < CONSOLE_AFTER) {
		size_t k = n < CONSOLE_AFTER - c->after ? n : CONSOLE_AFTER - c->after;

		c->buf = rig_xrealloc(c->buf, c->len + k + 1);
		memcpy(c->buf + c->len, b, k);
		c->len += k;
		c->after += k;
	}
}

static void run_detail(FILE *f, struct rig_store *st, const struct rig_report_model *m, size_t i)
{
	const struct rig_run_result *r = &m->rows[i];
	struct evctx e = { .f = f };
	struct conctx c = { .cap_before = CONSOLE_BEFORE };

	fprintf(f, "<details id=run%" PRId64 "><summary>run %" PRId64 " &middot; ", r->id, r->id);
	esc(f, m->test[i]);
	fputs(" on ", f);
	esc(f, r->device_id);
	fprintf(f, " &middot; <span class=\"tag %s\">", verdict_class(r->verdict));
	esc(f, r->verdict ? r->verdict : "unfinished");
	fputs("</span> ", f);
	esc(f, r->outcome);
	fputs(" &middot; ", f);
	esc(f, r->message);
	fputs("</summary>\n<p>job ", f);
	esc(f, r->job);
	fprintf(f, " &middot; attempt %d &middot; seed %" PRIu64 " &middot; parameters ", r->attempt, r->seed);
	esc(f, r->params_json);
	fputs("</p>\n<table><tr><th>t (s)</th><th>event</th><th>detail</th></tr>\n", f);
	rig_store_events(st, r->id, on_event, &e);
	fputs("</table>\n", f);
	c.t_cut = e.t_cut ? e.t_cut : UINT64_MAX;
	rig_store_console_chunks(st, r->id, 0, UINT64_MAX, on_chunk, &c);
	fprintf(f, "<p>console %s (the last %d bytes before it, %d after):</p><pre>",
		e.t_cut ? "around the cut" : "at the end of the run", CONSOLE_BEFORE, CONSOLE_AFTER);
	if (c.buf) {
		rig_xml_escape(f, c.buf, c.before_len);
		if (e.t_cut)
			fputs("\n<b>&#9889; ---- power cut ----</b>\n", f);
		rig_xml_escape(f, c.buf + c.before_len, c.len - c.before_len);
	}
	fputs("</pre></details>\n", f);
	free(c.buf);
}

static void details(FILE *f, struct rig_store *st, const struct rig_report_model *m)
{
	size_t shown = 0, eligible = 0;
	bool all = m->nrows <= 100;

	fputs("<h2>Runs in detail</h2>\n<p class=muted>", f);
	for (size_t i = 0; i < m->nrows; i++) {
		const char *v = m->rows[i].verdict;

		eligible += all || !v || strcmp(v, "pass") != 0;
	}
	fprintf(f, "%s: timeline and the console around the cut.%s</p>\n",
		all ? "Every run" : "Every run that did not pass",
		eligible > DETAIL_RUNS ? " Only the first runs are shown here; rig show RUN-ID prints any run." : "");
	for (size_t i = 0; i < m->nrows && shown < DETAIL_RUNS; i++) {
		const char *v = m->rows[i].verdict;

		if (!all && v && !strcmp(v, "pass"))
			continue;
		run_detail(f, st, m, i);
		shown++;
	}
}

int rig_html_write(FILE *f, struct rig_store *st, const struct rig_report_model *m)
{
	header(f, m);
	matrix(f, m);
	findings(f, m);
	plots(f, m);
	trends(f, m);
	details(f, st, m);
	runs_table(f, m);
	fputs("<p class=muted>Written by rig " RIG_VERSION ".</p>\n</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}
