/* Reading the store: rig report, history, show, export, rerun. */
#include "cli.h"
#include "json.h"
#include "report_out.h"
#include "reports/model.h"
#include "store.h"
#include "tar.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Options every reading command shares. */
struct ropts {
	const char *db;
	int64_t id;          /* run or campaign id; 0: last */
	const char *html, *junit, *json, *out, *name;
	int verbose;
};

static int parse_id(const char *cmd, const char *v, int64_t *id)
{
	char *end;

	if (!strcmp(v, "last")) {
		*id = 0;
		return 0;
	}
	*id = strtoll(v, &end, 10);
	if (*end || *id <= 0) {
		rig_cli_error(cmd, "expected an id (a positive number) or 'last', got '%s'", v);
		return -1;
	}
	return 0;
}

/* Parse the options; `want_id` says whether a positional RUN-ID is required. */
static int parse(const char *cmd, const char *help, int argc, char **argv, struct ropts *o, bool want_id)
{
	bool have_id = false;

	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *v;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(help, stdout);
			exit(RIG_EXIT_OK);
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--db"))) {
			o->db = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--campaign"))) {
			if (parse_id(cmd, v, &o->id) < 0)
				return -1;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--html"))) {
			o->html = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--junit"))) {
			o->junit = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--json"))) {
			o->json = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "--name"))) {
			o->name = v;
		} else if ((v = rig_cli_optarg(argc, argv, &i, "-o")) || (v = rig_cli_optarg(argc, argv, &i, "--output"))) {
			o->out = v;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			o->verbose++;
		} else if (argv[i][0] == '-') {
			rig_cli_error(cmd, "unknown option '%s' (see rig %s --help)", argv[i], cmd);
			return -1;
		} else if (want_id && !have_id) {
			if (parse_id(cmd, argv[i], &o->id) < 0)
				return -1;
			have_id = true;
		} else {
			rig_cli_error(cmd, "unexpected argument '%s'", argv[i]);
			return -1;
		}
	}
	if (want_id && !have_id) {
		rig_cli_error(cmd, "RUN-ID is required (see rig %s --help)", cmd);
		return -1;
	}
	return 0;
}

static struct rig_store *open_store(const char *cmd, const char *db)
{
	char *path = db ? rig_xstrdup(db) : rig_store_default_path();
	struct rig_store *st = NULL;
	struct rig_errmsg err;

	if (rig_store_open(path, &st, &err) < 0)
		rig_cli_error(cmd, "results database %s: %s", path, err.text);
	free(path);
	return st;
}

static void wall(FILE *f, uint64_t ns)
{
	time_t t = (time_t)(ns / 1000000000u);
	struct tm tm;
	char buf[64];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm);
	fputs(ns ? buf : "-", f);
}

static void wilson_text(char *buf, size_t n, const struct rig_wilson *w)
{
	if (!w->n)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.1f%% [%.1f-%.1f] %u/%u", 100 * w->p, 100 * w->lo, 100 * w->hi, w->k, w->n);
}

/* ---- rig report ---- */

static const char report_help[] =
	"usage: rig report [--campaign ID|last] [--db FILE] [--html F] [--junit F] [--json F]\n"
	"\n"
	"Write a campaign's reports from the results database; without a file\n"
	"option, print its outcome matrix (test x device, survival with a 95 %\n"
	"Wilson interval).\n";

static void print_matrix(const struct rig_report_model *m)
{
	char w[96];

	printf("campaign %" PRId64 " %s (%s, seed %" PRIu64 ", %s): %zu runs\n", m->camp.id, m->camp.name,
	       m->camp.file, m->camp.seed, m->camp.status ? m->camp.status : "?", m->nfinal);
	for (size_t t = 0; t < m->ntests; t++)
		for (size_t d = 0; d < m->ndevices; d++) {
			const struct rig_cell *c = &m->cells[t * m->ndevices + d];
			unsigned n = c->c.pass + c->c.fail + c->c.brick + c->c.error + c->c.inconclusive + c->c.skip;

			if (!n)
				continue;
			wilson_text(w, sizeof(w), &c->w);
			printf("  %-24s %-14s survival %-28s fail %u brick %u error %u inconclusive %u\n", c->test,
			       c->device, w, c->c.fail, c->c.brick, c->c.error, c->c.inconclusive);
		}
	wilson_text(w, sizeof(w), &m->total_w);
	printf("  total: survival %s; apart: %u retried errors, %u interrupted, %u health checks (%u failed)\n", w,
	       m->retried, m->interrupted, m->health, m->health_failed);
}

int rig_cmd_report(int argc, char **argv)
{
	struct ropts o;
	struct rig_store *st;
	struct rig_errmsg err;
	int status = RIG_EXIT_OK;

	if (parse("report", report_help, argc, argv, &o, false) < 0)
		return RIG_EXIT_USAGE;
	st = open_store("report", o.db);
	if (!st)
		return RIG_EXIT_INFRA;
	if (o.html || o.junit || o.json) {
		struct rig_report_req req = { .campaign_id = o.id, .html = o.html, .junit = o.junit, .json = o.json };

		if (rig_report_write(st, &req, &err) < 0) {
			rig_cli_error("report", "%s", err.text);
			status = RIG_EXIT_INFRA;
		} else {
			if (o.html)
				printf("html:  %s\n", o.html);
			if (o.junit)
				printf("junit: %s\n", o.junit);
			if (o.json)
				printf("json:  %s\n", o.json);
		}
	} else {
		struct rig_report_model m;
		int r = rig_report_model_load(st, o.id, &m, &err);

		if (r < 0) {
			rig_cli_error("report", "%s", err.text);
			status = r == -ENOENT ? RIG_EXIT_USAGE : RIG_EXIT_INFRA;
		} else {
			print_matrix(&m);
			rig_report_model_free(&m);
		}
	}
	rig_store_close(st);
	return status;
}

/* ---- rig history ---- */

static const char history_help[] =
	"usage: rig history [--db FILE] [--name NAME]\n"
	"\n"
	"Campaigns in the results database, newest first, with their headline\n"
	"figures: runs, survival (95 % Wilson interval), failures, bricks, errors.\n";

int rig_cmd_history(int argc, char **argv)
{
	struct ropts o;
	struct rig_store *st;
	struct rig_campaign_row *cs = NULL;
	size_t n = 0;

	if (parse("history", history_help, argc, argv, &o, false) < 0)
		return RIG_EXIT_USAGE;
	st = open_store("history", o.db);
	if (!st)
		return RIG_EXIT_INFRA;
	if (rig_store_campaigns(st, 0, o.name, &cs, &n) < 0) {
		rig_cli_error("history", "%s", rig_store_error(st));
		rig_store_close(st);
		return RIG_EXIT_INFRA;
	}
	printf("%-6s %-20s %-16s %-11s %6s  %-30s %5s %5s %5s %5s\n", "id", "name", "started (UTC)", "status", "runs",
	       "survival", "fail", "brick", "error", "incon");
	for (size_t i = n; i-- > 0;) {
		struct rig_report_model m;
		struct rig_errmsg err;
		char w[96];

		if (rig_report_model_load(st, cs[i].id, &m, &err) < 0)
			continue;
		wilson_text(w, sizeof(w), &m.total_w);
		printf("%-6" PRId64 " %-20s ", cs[i].id, cs[i].name);
		wall(stdout, cs[i].wall_start_ns);
		printf(" %-11s %6zu  %-30s %5u %5u %5u %5u\n", cs[i].status ? cs[i].status : "?", m.nfinal, w,
		       m.total.fail, m.total.brick, m.total.error, m.total.inconclusive);
		rig_report_model_free(&m);
	}
	if (!n)
		printf("(no campaigns)\n");
	rig_store_campaigns_free(cs, n);
	rig_store_close(st);
	return RIG_EXIT_OK;
}

/* ---- rig show ---- */

static const char show_help[] =
	"usage: rig show RUN-ID|last [--db FILE] [-v]\n"
	"\n"
	"A run: what ran (scenario, device, parameters, seed, job), its verdict,\n"
	"its timeline, and the console around the cut (-v: the whole console).\n";

struct show_ctx {
	FILE *f;
	uint64_t t0, t_cut;
};

static void show_event(void *arg, uint64_t t_ns, const char *kind, const char *detail)
{
	struct show_ctx *s = arg;

	if (!s->t0)
		s->t0 = t_ns;
	if (!s->t_cut && rig_event_is_cut(kind))
		s->t_cut = t_ns;
	fprintf(s->f, "  %+10.3f  %-20s %s\n", (double)(t_ns - s->t0) / 1e9, kind, detail ? detail : "");
}

/* Console bytes to a terminal: printable text, \n and \t kept, everything
 * else as \xNN so a device cannot drive the reader's terminal. */
static void safe_text(FILE *f, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = b[i];

		if (ch == '\n' || ch == '\t' || (ch >= 0x20 && ch < 0x7f) || ch >= 0x80)
			fputc(ch >= 0x80 ? '?' : ch, f);
		else if (ch != '\r')
			fprintf(f, "\\x%02x", ch);
	}
}

struct chunk_ctx {
	FILE *f;
	uint64_t t_cut;
	bool marked;
};

static void show_chunk(void *arg, uint64_t t_ns, const char *stream, const void *b, size_t n)
{
	struct chunk_ctx *c = arg;

	if (strcmp(stream, "rx") != 0)
		return;
	if (c->t_cut && !c->marked && t_ns > c->t_cut) {
		fputs("\n---------------- power cut ----------------\n", c->f);
		c->marked = true;
	}
	safe_text(c->f, b, n);
}

static int load_run(const char *cmd, struct rig_store *st, int64_t *id, struct rig_run_result **r)
{
	size_t n = 0;

	if (!*id && rig_store_last_run(st, id) < 0)
		return -1;
	if (rig_store_runs(st, id, 1, r, &n) < 0 || n != 1) {
		rig_cli_error(cmd, "no run %" PRId64 " in the database", *id);
		rig_store_results_free(*r, n);
		*r = NULL;
		return -1;
	}
	return 0;
}

static void run_header(FILE *f, const struct rig_run_result *r)
{
	fprintf(f, "run %" PRId64 ": %s on %s", r->id, r->scenario, r->device_id);
	if (r->device_spec)
		fprintf(f, " (%s)", r->device_spec);
	fprintf(f, "\n  verdict %s%s%s%s%s\n", r->verdict ? r->verdict : "unfinished", r->outcome ? " " : "",
		r->outcome ? r->outcome : "", r->message ? ": " : "", r->message ? r->message : "");
	fprintf(f, "  parameters %s, seed %" PRIu64 ", started ", r->params_json ? r->params_json : "{}", r->seed);
	wall(f, r->wall_start_ns);
	fprintf(f, " UTC, %.1f s\n", (double)r->duration_ns / 1e9);
	if (r->campaign_id)
		fprintf(f, "  campaign %" PRId64 ", job %s, attempt %d, %s\n", r->campaign_id, r->job ? r->job : "-",
			r->attempt, r->kind ? r->kind : "run");
	if (r->has_cut)
		fprintf(f, "  cut: planned %.6g, actual %.6g %s, landed in %s\n", r->cut_planned, r->cut_actual,
			r->cut_unit ? r->cut_unit : "", r->cut_landed ? r->cut_landed : "?");
}

int rig_cmd_show(int argc, char **argv)
{
	struct ropts o;
	struct rig_store *st;
	struct rig_run_result *r = NULL;
	struct show_ctx s = { .f = stdout };
	struct chunk_ctx c = { .f = stdout };
	uint64_t from = 0;

	if (parse("show", show_help, argc, argv, &o, true) < 0)
		return RIG_EXIT_USAGE;
	st = open_store("show", o.db);
	if (!st)
		return RIG_EXIT_INFRA;
	if (load_run("show", st, &o.id, &r) < 0) {
		rig_store_close(st);
		return RIG_EXIT_USAGE;
	}
	run_header(stdout, r);
	printf("timeline:\n");
	rig_store_events(st, r->id, show_event, &s);
	c.t_cut = s.t_cut;
	if (!o.verbose && s.t_cut)
		from = s.t_cut > 5 * RIG_NS_PER_S ? s.t_cut - 5 * RIG_NS_PER_S : 0;
	printf("console%s:\n", o.verbose || !s.t_cut ? "" : " from 5 s before the cut");
	rig_store_console_chunks(st, r->id, from, o.verbose || !s.t_cut ? UINT64_MAX : s.t_cut + 5 * RIG_NS_PER_S,
				 show_chunk, &c);
	printf("\n");
	rig_store_results_free(r, 1);
	rig_store_close(st);
	return RIG_EXIT_OK;
}

/* ---- rig export ---- */

static const char export_help[] =
	"usage: rig export RUN-ID|last [--db FILE] [-o FILE.tar]\n"
	"\n"
	"Everything a bug report needs about one run, as a tar file (default\n"
	"rig-run-ID.tar): run.json (what ran, verdict, cut), timeline.txt,\n"
	"events.jsonl, console.log (the raw bytes the device printed), input.log\n"
	"(what the rig typed), the scenario file, and how to rerun it.\n";

struct buf {
	char *p;
	size_t n;
};

static void buf_add(struct buf *b, const void *x, size_t n)
{
	b->p = rig_xrealloc(b->p, b->n + n + 1);
	memcpy(b->p + b->n, x, n);
	b->n += n;
	b->p[b->n] = '\0';
}

struct exp_ctx {
	struct buf timeline, events, rx, tx;
	uint64_t t0;
};

static void exp_event(void *arg, uint64_t t_ns, const char *kind, const char *detail)
{
	struct exp_ctx *e = arg;
	struct rig_json j;
	char line[64];

	if (!e->t0)
		e->t0 = t_ns;
	snprintf(line, sizeof(line), "%+10.3f  ", (double)(t_ns - e->t0) / 1e9);
	buf_add(&e->timeline, line, strlen(line));
	buf_add(&e->timeline, kind, strlen(kind));
	buf_add(&e->timeline, " ", 1);
	if (detail)
		buf_add(&e->timeline, detail, strlen(detail));
	buf_add(&e->timeline, "\n", 1);
	rig_json_init(&j);
	rig_json_obj_begin(&j);
	rig_json_kv_uint(&j, "t_ns", t_ns);
	rig_json_kv_str(&j, "kind", kind);
	rig_json_key(&j, "detail");
	if (detail && *detail == '{')
		rig_json_val_raw(&j, detail);
	else if (detail)
		rig_json_val_str(&j, detail);
	else
		rig_json_val_null(&j);
	rig_json_obj_end(&j);
	buf_add(&e->events, rig_json_str(&j), strlen(rig_json_str(&j)));
	buf_add(&e->events, "\n", 1);
	rig_json_free(&j);
}

static void exp_chunk(void *arg, uint64_t t_ns, const char *stream, const void *b, size_t n)
{
	struct exp_ctx *e = arg;

	RIG_UNUSED(t_ns);
	buf_add(strcmp(stream, "rx") ? &e->tx : &e->rx, b, n);
}

static char *run_json(const struct rig_run_result *r)
{
	struct rig_json j;
	char *s;

	rig_json_init(&j);
	rig_json_obj_begin(&j);
	rig_json_kv_int(&j, "run", r->id);
	rig_json_kv_str(&j, "scenario", r->scenario ? r->scenario : "");
	rig_json_kv_str(&j, "device", r->device_id ? r->device_id : "");
	rig_json_kv_str(&j, "device_spec", r->device_spec ? r->device_spec : "");
	rig_json_key(&j, "params");
	rig_json_val_raw(&j, r->params_json && *r->params_json ? r->params_json : "{}");
	rig_json_key(&j, "artifacts");
	rig_json_val_raw(&j, r->artifacts_json && *r->artifacts_json ? r->artifacts_json : "[]");
	rig_json_kv_uint(&j, "seed", r->seed);
	rig_json_kv_str(&j, "verdict", r->verdict ? r->verdict : "unfinished");
	if (r->outcome)
		rig_json_kv_str(&j, "outcome", r->outcome);
	if (r->message)
		rig_json_kv_str(&j, "message", r->message);
	rig_json_kv_int(&j, "campaign", r->campaign_id);
	if (r->job)
		rig_json_kv_str(&j, "job", r->job);
	rig_json_kv_int(&j, "attempt", r->attempt);
	if (!isnan(r->cut_planned))
		rig_json_kv_num(&j, "cut_planned", r->cut_planned);
	if (!isnan(r->cut_actual))
		rig_json_kv_num(&j, "cut_actual", r->cut_actual);
	if (r->cut_unit)
		rig_json_kv_str(&j, "cut_unit", r->cut_unit);
	if (r->cut_landed)
		rig_json_kv_str(&j, "cut_landed", r->cut_landed);
	rig_json_kv_uint(&j, "wall_start_ns", r->wall_start_ns);
	rig_json_kv_num(&j, "duration_s", (double)r->duration_ns / 1e9);
	rig_json_kv_str(&j, "rig_version", RIG_VERSION);
	rig_json_obj_end(&j);
	s = rig_xasprintf("%s\n", rig_json_str(&j));
	rig_json_free(&j);
	return s;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char tmp[8192];
	size_t k;

	if (!f)
		return NULL;
	while ((k = fread(tmp, 1, sizeof(tmp), f)) > 0 && b.n < (16u << 20))
		buf_add(&b, tmp, k);
	fclose(f);
	*n = b.n;
	return b.p ? b.p : rig_xstrdup("");
}

int rig_cmd_export(int argc, char **argv)
{
	struct ropts o;
	struct rig_store *st;
	struct rig_run_result *r = NULL;
	struct exp_ctx e = { 0 };
	struct rig_tar *t;
	char *out, *dir, *js, *scen, *rerun;
	size_t sn = 0;
	int status = RIG_EXIT_OK;

	if (parse("export", export_help, argc, argv, &o, true) < 0)
		return RIG_EXIT_USAGE;
	st = open_store("export", o.db);
	if (!st)
		return RIG_EXIT_INFRA;
	if (load_run("export", st, &o.id, &r) < 0) {
		rig_store_close(st);
		return RIG_EXIT_USAGE;
	}
	out = o.out ? rig_xstrdup(o.out) : rig_xasprintf("rig-run-%" PRId64 ".tar", r->id);
	dir = rig_xasprintf("rig-run-%" PRId64, r->id);
	rig_store_events(st, r->id, exp_event, &e);
	rig_store_console_chunks(st, r->id, 0, UINT64_MAX, exp_chunk, &e);
	js = run_json(r);
	scen = slurp(r->scenario, &sn);
	rerun = rig_xasprintf("# repeat this run (same scenario, device, parameters and seed):\n"
			      "rig rerun %" PRId64 "\n# rig show %" PRId64 " prints its timeline and console\n",
			      r->id, r->id);
	if (rig_tar_open(out, &t) < 0) {
		rig_cli_error("export", "%s: %s", out, strerror(errno));
		status = RIG_EXIT_INFRA;
	} else {
		const char *base = strrchr(r->scenario, '/');
		char *sname = rig_xasprintf("scenario-%s", base ? base + 1 : r->scenario);

		rig_tar_add(t, dir, "run.json", js, strlen(js));
		rig_tar_add(t, dir, "timeline.txt", e.timeline.p ? e.timeline.p : "", e.timeline.n);
		rig_tar_add(t, dir, "events.jsonl", e.events.p ? e.events.p : "", e.events.n);
		rig_tar_add(t, dir, "console.log", e.rx.p ? e.rx.p : "", e.rx.n);
		rig_tar_add(t, dir, "input.log", e.tx.p ? e.tx.p : "", e.tx.n);
		rig_tar_add(t, dir, "README", rerun, strlen(rerun));
		if (scen)
			rig_tar_add(t, dir, sname, scen, sn);
		free(sname);
		if (rig_tar_close(t) < 0) {
			rig_cli_error("export", "%s: write failed: %s", out, strerror(errno));
			status = RIG_EXIT_INFRA;
		} else {
			printf("%s\n", out);
		}
	}
	free(e.timeline.p);
	free(e.events.p);
	free(e.rx.p);
	free(e.tx.p);
	free(js);
	free(scen);
	free(rerun);
	free(out);
	free(dir);
	rig_store_results_free(r, 1);
	rig_store_close(st);
	return status;
}

/* ---- rig rerun ---- */

static const char rerun_help[] =
	"usage: rig rerun RUN-ID|last [--db FILE] [-v]\n"
	"\n"
	"Run a stored run again: the same scenario, device, parameters, artifacts\n"
	"and seed. In emulation the cut lands where it landed before; on hardware\n"
	"the rerun reports how far its actual cut landed from the planned one.\n";

int rig_cmd_rerun(int argc, char **argv)
{
	struct ropts o;
	struct rig_store *st;
	struct rig_run_result *r = NULL, *r2 = NULL;
	struct rig_strv av = { 0 };
	char **kv = NULL;
	size_t nkv = 0;
	char seed[32];
	int64_t before = 0, after = 0;
	int status;

	if (parse("rerun", rerun_help, argc, argv, &o, true) < 0)
		return RIG_EXIT_USAGE;
	st = open_store("rerun", o.db);
	if (!st)
		return RIG_EXIT_INFRA;
	if (load_run("rerun", st, &o.id, &r) < 0) {
		rig_store_close(st);
		return RIG_EXIT_USAGE;
	}
	if (!r->device_spec) {
		rig_cli_error("rerun", "run %" PRId64 " was stored by an older rig without its device file", r->id);
		rig_store_results_free(r, 1);
		rig_store_close(st);
		return RIG_EXIT_USAGE;
	}
	rig_strv_push(&av, "run");
	rig_strv_push(&av, r->scenario);
	rig_strv_push(&av, "--device");
	rig_strv_push(&av, r->device_spec);
	snprintf(seed, sizeof(seed), "%" PRIu64, r->seed);
	rig_strv_push(&av, "--seed");
	rig_strv_push(&av, seed);
	if (rig_json_flat_strings(r->params_json, true, &kv, &nkv) == 0)
		for (size_t i = 0; i < nkv; i++) {
			rig_strv_push(&av, "--set");
			rig_strv_push(&av, kv[i]);
		}
	for (size_t i = 0; i < nkv; i++)
		free(kv[i]);
	free(kv);
	kv = NULL;
	nkv = 0;
	if (rig_json_flat_strings(r->artifacts_json, false, &kv, &nkv) == 0)
		for (size_t i = 0; i < nkv; i++) {
			rig_strv_push(&av, "--artifact");
			rig_strv_push(&av, kv[i]);
		}
	for (size_t i = 0; i < nkv; i++)
		free(kv[i]);
	free(kv);
	if (o.db) {
		rig_strv_push(&av, "--db");
		rig_strv_push(&av, o.db);
	}
	for (int i = 0; i < o.verbose; i++)
		rig_strv_push(&av, "-v");
	printf("rerun of run %" PRId64 " (seed %s)\n", r->id, seed);
	fflush(stdout);
	rig_store_last_run(st, &before);
	status = rig_cmd_run((int)av.n, av.v);
	if (rig_store_last_run(st, &after) == 0 && after > before && load_run("rerun", st, &after, &r2) == 0) {
		printf("original run %" PRId64 ": %s %s; rerun %" PRId64 ": %s %s\n", r->id,
		       r->verdict ? r->verdict : "unfinished", r->outcome ? r->outcome : "", r2->id,
		       r2->verdict ? r2->verdict : "unfinished", r2->outcome ? r2->outcome : "");
		if (r->has_cut || r2->has_cut)
			printf("cut (%s): planned %.6g; original actual %.6g; rerun actual %.6g (%+.6g from planned)\n",
			       r2->cut_unit ? r2->cut_unit : "?", r2->cut_planned, r->cut_actual, r2->cut_actual,
			       r2->cut_actual - r2->cut_planned);
		rig_store_results_free(r2, 1);
	}
	rig_strv_free(&av);
	rig_store_results_free(r, 1);
	rig_store_close(st);
	return status;
}
