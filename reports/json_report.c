/* The campaign report as JSON (json_report.h). */
#include "json_report.h"
#include "json.h"

#include <math.h>
#include <string.h>

static void num_or_null(struct rig_json *j, const char *k, double v)
{
	rig_json_key(j, k);
	if (isnan(v))
		rig_json_val_null(j);
	else
		rig_json_val_num(j, v);
}

static void wilson(struct rig_json *j, const char *k, const struct rig_wilson *w)
{
	rig_json_key(j, k);
	rig_json_obj_begin(j);
	rig_json_kv_uint(j, "judged", w->n);
	rig_json_kv_uint(j, "passed", w->k);
	num_or_null(j, "rate", w->p);
	num_or_null(j, "ci95_low", w->lo);
	num_or_null(j, "ci95_high", w->hi);
	rig_json_obj_end(j);
}

static void counts(struct rig_json *j, const char *k, const struct rig_counts *c)
{
	rig_json_key(j, k);
	rig_json_obj_begin(j);
	rig_json_kv_uint(j, "pass", c->pass);
	rig_json_kv_uint(j, "fail", c->fail);
	rig_json_kv_uint(j, "brick", c->brick);
	rig_json_kv_uint(j, "error", c->error);
	rig_json_kv_uint(j, "error_infra", c->infra);
	rig_json_kv_uint(j, "inconclusive", c->inconclusive);
	rig_json_kv_uint(j, "skip", c->skip);
	rig_json_obj_end(j);
}

static void str_or_null(struct rig_json *j, const char *k, const char *v)
{
	rig_json_key(j, k);
	if (v)
		rig_json_val_str(j, v);
	else
		rig_json_val_null(j);
}

int rig_json_report_write(FILE *f, const struct rig_report_model *m)
{
	struct rig_json j;

	rig_json_init(&j);
	rig_json_obj_begin(&j);
	rig_json_key(&j, "campaign");
	rig_json_obj_begin(&j);
	rig_json_kv_int(&j, "id", m->camp.id);
	str_or_null(&j, "name", m->camp.name);
	str_or_null(&j, "file", m->camp.file);
	rig_json_kv_uint(&j, "seed", m->camp.seed);
	str_or_null(&j, "host", m->camp.host);
	str_or_null(&j, "status", m->camp.status);
	rig_json_kv_uint(&j, "wall_start_ns", m->camp.wall_start_ns);
	rig_json_kv_uint(&j, "wall_end_ns", m->camp.wall_end_ns);
	rig_json_obj_end(&j);
	rig_json_kv_uint(&j, "runs", m->nfinal);
	counts(&j, "counts", &m->total);
	wilson(&j, "survival", &m->total_w);
	rig_json_key(&j, "apart");
	rig_json_obj_begin(&j);
	rig_json_kv_uint(&j, "retried_errors", m->retried);
	rig_json_kv_uint(&j, "interrupted", m->interrupted);
	rig_json_kv_uint(&j, "health_checks", m->health);
	rig_json_kv_uint(&j, "health_failed", m->health_failed);
	rig_json_obj_end(&j);
	rig_json_key(&j, "matrix");
	rig_json_arr_begin(&j);
	for (size_t k = 0; k < m->ntests * m->ndevices; k++) {
		const struct rig_cell *c = &m->cells[k];

		rig_json_obj_begin(&j);
		rig_json_kv_str(&j, "test", c->test);
		rig_json_kv_str(&j, "device", c->device);
		counts(&j, "counts", &c->c);
		wilson(&j, "survival", &c->w);
		rig_json_obj_end(&j);
	}
	rig_json_arr_end(&j);
	rig_json_key(&j, "findings");
	rig_json_val_raw(&j, m->camp.findings_json && *m->camp.findings_json ? m->camp.findings_json : "[]");
	rig_json_key(&j, "trend");
	rig_json_arr_begin(&j);
	for (size_t i = 0; i < m->ntrends; i++) {
		rig_json_obj_begin(&j);
		rig_json_kv_int(&j, "campaign", m->trends[i].id);
		rig_json_kv_uint(&j, "wall_start_ns", m->trends[i].wall_start_ns);
		rig_json_kv_uint(&j, "runs", m->trends[i].runs);
		wilson(&j, "survival", &m->trends[i].w);
		rig_json_obj_end(&j);
	}
	rig_json_arr_end(&j);
	rig_json_key(&j, "rows");
	rig_json_arr_begin(&j);
	for (size_t i = 0; i < m->nrows; i++) {
		const struct rig_run_result *r = &m->rows[i];

		rig_json_obj_begin(&j);
		rig_json_kv_int(&j, "run", r->id);
		rig_json_kv_bool(&j, "final", m->final[i]);
		str_or_null(&j, "kind", r->kind);
		str_or_null(&j, "job", r->job);
		rig_json_kv_str(&j, "test", m->test[i]);
		rig_json_kv_int(&j, "attempt", r->attempt);
		str_or_null(&j, "scenario", r->scenario);
		str_or_null(&j, "device", r->device_id);
		rig_json_key(&j, "params");
		rig_json_val_raw(&j, r->params_json && *r->params_json ? r->params_json : "{}");
		rig_json_kv_uint(&j, "seed", r->seed);
		num_or_null(&j, "cut_planned", r->cut_planned);
		num_or_null(&j, "cut_actual", r->cut_actual);
		str_or_null(&j, "cut_unit", r->cut_unit);
		str_or_null(&j, "cut_landed", r->cut_landed);
		str_or_null(&j, "verdict", r->verdict);
		str_or_null(&j, "outcome", r->outcome);
		str_or_null(&j, "message", r->message);
		rig_json_kv_bool(&j, "infra", r->infra);
		rig_json_kv_num(&j, "duration_s", (double)r->duration_ns / 1e9);
		rig_json_obj_end(&j);
	}
	rig_json_arr_end(&j);
	rig_json_obj_end(&j);
	fputs(rig_json_str(&j), f);
	fputc('\n', f);
	rig_json_free(&j);
	return ferror(f) ? -1 : 0;
}
